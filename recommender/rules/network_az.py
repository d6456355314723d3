"""Data transfer between Availability Zones, named where the architecture makes it certain.

EC2 on-demand pricing, "Data Transfer within the same AWS Region"
(https://aws.amazon.com/ec2/pricing/on-demand/): data transferred in to and out from EC2,
RDS, Redshift, DAX and ElastiCache instances, network interfaces or VPC peering connections
across Availability Zones in the same Region is billed per GB in each direction.  A
horizontal fleet runs at least one node per Availability Zone (the sizing's availability
floor), while an RDS/Aurora writer, a Redshift cluster or an ElastiCache primary sits in one
zone, so the nodes outside that zone reach it across zones.  The catalog's sources have no
inter-AZ price (the data-transfer feed lists internet and inter-region rows only) and the
profile gives no volume between the nodes and the data store, so the charge is named in
``unpriced``, never left out.  Replication of an RDS Multi-AZ deployment itself is not billed
("Data transferred between Availability Zones for replication of Multi-AZ deployments is
free", https://aws.amazon.com/rds/pricing/).
"""

from __future__ import annotations

from recommender.core.profile import WorkloadProfile
from recommender.rules.base import PERF04_UNDERSTAND, Candidate, reason
from recommender.rules.database_usage import RDS_PRICING_URL

#: EC2 on-demand pricing, "Data Transfer" (the network rules cite it from here).
EC2_DATA_TRANSFER_URL = "https://aws.amazon.com/ec2/pricing/on-demand/"
#: Data stores of node instances in the VPC that the EC2 page's sentence names, per
#: ``database.data_model``.  DynamoDB and S3 are Regional endpoints (no AZ to cross).
ZONAL_STORES = {"relational": "RDS/Aurora", "analytics": "Redshift", "cache": "ElastiCache"}


def inter_az_transfer(p: WorkloadProfile) -> Candidate | None:
    """The inter-AZ traffic of a horizontal fleet and its zonal data store, named unpriced.

    None unless ``compute.scale_out`` is ``horizontal`` (nodes in several Availability
    Zones) and ``database.data_model`` is served by instances in one zone
    (:data:`ZONAL_STORES`).
    """
    c, d = p.compute, p.database
    store = ZONAL_STORES.get(d.data_model or "") if d is not None else None
    if c is None or c.scale_out != "horizontal" or store is None:
        return None
    why = (f"The horizontal fleet runs at least one node per Availability Zone and the "
           f"{store} instance it reads and writes sits in one zone: the nodes in the other "
           "zones reach it across zones, billed per GB in each direction (EC2 on-demand "
           f"pricing, \"Data Transfer within the same AWS Region\", {EC2_DATA_TRANSFER_URL})"
           + ("; replication to an RDS Multi-AZ standby is not billed "
              f"({RDS_PRICING_URL})" if d is not None and d.data_model == "relational"
              else "") + ".")
    o = Candidate("inter_az_data_transfer", "data_transfer", None,
                  [reason("network.inter_az_data_transfer", PERF04_UNDERSTAND, why, "caution")],
                  purchase_option=None,
                  components={"fit": 1.0})
    o.name_unpriced(f"Data transfer between Availability Zones (compute nodes and {store})",
                    "billed per GB in each direction across zones "
                    f"({EC2_DATA_TRANSFER_URL}, \"Data Transfer within the same AWS "
                    "Region\"); the catalog's sources have no inter-AZ price and the profile "
                    "gives no volume between the nodes and the data store")
    return o

"""Placement groups the chosen compute cannot use, by AWS's rules (PERF04-BP02).

A cluster placement group packs latency-sensitive nodes (``rules.network``); these helpers
say why none is attached when the top EC2 type cannot join one or its fleet spans several
Availability Zones, as a $0 ``network_advice`` option with a caution.
"""

from __future__ import annotations

from recommender.rules.base import PERF04_FEATURES, Candidate, reason

#: Placement groups (Amazon EC2 User Guide): strategies, and the cluster group's rules.
PLACEMENT_GROUPS_URL = ("https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/"
                        "placement-groups.html")


#: CreateAutoScalingGroup, PlacementGroup: "You cannot specify multiple Availability Zones
#: and a cluster placement group" (a cluster group lies in one zone, PLACEMENT_GROUPS_URL).
ASG_PLACEMENT_URL = ("https://docs.aws.amazon.com/autoscaling/ec2/APIReference/"
                     "API_CreateAutoScalingGroup.html")


def unsupported_text(itype: str, one: bool) -> str:
    """Why a type the catalog lists no cluster strategy for gets no cluster group.

    AWS's cluster placement group rules (PLACEMENT_GROUPS_URL, "Cluster placement group
    rules and limitations") support current-generation types except burstable performance
    instances (T2, T3, T3a, T4g) and Mac1: its launch into a group would fail.  The
    catalog's ``placement_group_strategies`` (DescribeInstanceTypes) says which can.
    """
    return (f"Nodes exchange latency-sensitive traffic, but the top compute option {itype} "
            "cannot join a cluster placement group (the catalog lists no cluster strategy for "
            "it; AWS supports current-generation types except burstable performance instances "
            f"and Mac1, {PLACEMENT_GROUPS_URL}), so no group is attached to it"
            + (" (it runs on one node, so nothing is lost yet)" if one else "")
            + "; to pack the nodes, choose a type whose placement_group_strategies include "
              "cluster.")


def zones_text(itype: str) -> str:
    """Why a horizontal fleet spread one node per Availability Zone gets no cluster group:
    the group lies in one zone and an Auto Scaling group over several zones cannot take
    one (ASG_PLACEMENT_URL), so attaching it would fail the launches outside its zone."""
    return (f"Nodes exchange latency-sensitive traffic, but the {itype} fleet runs one node "
            "per Availability Zone for availability, and a cluster placement group lies in a "
            f"single zone ({PLACEMENT_GROUPS_URL}); an Auto Scaling group over several zones "
            f"cannot take one ({ASG_PLACEMENT_URL}), so no group is attached. To pack the "
            "nodes, run them in one zone (compute.scale_out tightly_coupled), giving up zone "
            "fault isolation.")


def no_cluster_group(itype: str, text: str) -> Candidate:
    """Latency-sensitive nodes a cluster placement group cannot hold: a $0 advice with a
    caution (nothing is deployed, so nothing is unpriced), never an add-on."""
    return Candidate("cluster_placement_group_unsupported", "network_advice", 0.0,
                     [reason("network.placement_group", PERF04_FEATURES, text, "caution")],
                     config={"strategy": "cluster", "instance_type": itype},
                     purchase_option=None, components={"fit": 0.5})

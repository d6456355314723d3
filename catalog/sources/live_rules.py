"""Declared Price List queries and item rules per service, for the live refresh.

Each :class:`ServiceSpec` names the Price List service code, the ``GetProducts`` TERM_MATCH
filters of each query (``regionCode`` is added per region), the catalog table it refreshes
and the rules that turn a product into rows.  Usage-priced products become ``unit_prices``
rows through :class:`ItemRule` (a ``usagetype`` pattern, with the region prefix such as
``EUW1-`` removed, plus optional attribute values); instance-priced products become
``database`` or ``ebs`` rows through the row builders of :mod:`catalog.sources.live_services`.

Usage types follow the AWS usage-report pages of each service, e.g.
https://docs.aws.amazon.com/AmazonS3/latest/userguide/aws-usage-report-understand.html,
https://docs.aws.amazon.com/lambda/latest/dg/monitoring-billing.html and the Price List
attribute values returned by ``GetAttributeValues``
(https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetAttributeValues.html).
A product no rule matches is counted per service and reported in the coverage gaps; the
previous rows of an item no product refreshed are kept (and the manifest says so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

Filters = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ItemRule:
    """``usage`` (regex on the usage type without its region prefix) -> one ``item`` id."""

    item: str
    unit: str  # the unit_prices ``unit`` text, e.g. "USD per GB-month"
    usage: str
    attrs: tuple[tuple[str, str], ...] = ()
    notes: str | None = None

    def matches(self, usage_type: str, attributes: dict[str, str]) -> bool:
        """True when the usage type (as given or without its region prefix) and attrs fit."""
        if not any(
            re.fullmatch(self.usage, u, flags=re.IGNORECASE)
            for u in (usage_type, strip_region_prefix(usage_type))
        ):
            return False
        return all(attributes.get(k) == v for k, v in self.attrs)


@dataclass(frozen=True)
class ServiceSpec:
    """One Price List service: its queries, the table it refreshes, its rules."""

    code: str  # Price List ServiceCode
    table: str  # "unit_prices", "database" or "ebs"
    service: str  # the catalog's ``service`` value (unit_prices / database)
    queries: tuple[Filters, ...] = ((),)
    rules: tuple[ItemRule, ...] = field(default_factory=tuple)


_GB_MONTH = "USD per GB-month"
_REQUEST = "USD per request"

#: Checked against stored real data (tests/aws/test_live_mappings_checked.py): item ids and
#: units equal the local build's (pricing-page feeds); x86 and ARM ephemeral storage are two
#: SKUs at one price in every region of the feed, so one arch-free item reading the x86 SKU
#: is right.  NOT checked: no real AWSLambda Price List record is stored (../shared/data,
#: botocore and awscli examples are AmazonEC2 only), so the usage types below and the
#: ``productFamily`` "Serverless" query filter follow the billing page cited above only.
LAMBDA = ServiceSpec("AWSLambda", "unit_prices", "lambda", ((("productFamily", "Serverless"),),), (
    ItemRule("lambda.duration.x86_64", "USD per GB-second", r"Lambda-GB-Second"),
    ItemRule("lambda.duration.arm64", "USD per GB-second", r"Lambda-GB-Second-ARM"),
    ItemRule("lambda.request", _REQUEST, r"Request", notes="x86_64 metric"),
    ItemRule("lambda.request.arm64", _REQUEST, r"Request-ARM"),
    ItemRule("lambda.ephemeral_storage_gb_second", "USD per GB-second",
             r"Lambda-Storage-GB-Second", notes="storage above the included 512 MB"),
))  # fmt: skip

DYNAMODB = ServiceSpec("AmazonDynamoDB", "unit_prices", "dynamodb", ((),), (
    ItemRule("dynamodb.on_demand.read_request_unit", "USD per read request unit",
             r"ReadRequestUnits"),
    ItemRule("dynamodb.on_demand.write_request_unit", "USD per write request unit",
             r"WriteRequestUnits"),
    ItemRule("dynamodb.provisioned.rcu_hour", "USD per RCU-hour", r"ReadCapacityUnit-Hrs"),
    ItemRule("dynamodb.provisioned.wcu_hour", "USD per WCU-hour", r"WriteCapacityUnit-Hrs"),
    ItemRule("dynamodb.storage_gb_month", _GB_MONTH, r"TimedStorage-ByteHrs"),
))  # fmt: skip

#: Checked (stored feed): FIFO and Standard are one SKU each per region with their three
#: tiers as price dimensions, as unit_rows expects; ids and units equal the local build's.
#: NOT checked: no real AWSQueueService Price List record is stored, so ``Requests-RBP`` /
#: ``Requests-FIFO-RBP`` are unconfirmed, in particular outside us-east-1; a region whose
#: products match neither is counted as skipped and keeps its previous rows.
SQS = ServiceSpec("AWSQueueService", "unit_prices", "sqs", ((),), (
    ItemRule("sqs.standard.request", _REQUEST, r"Requests-RBP"),
    ItemRule("sqs.fifo.request", _REQUEST, r"Requests-FIFO-RBP"),
))  # fmt: skip

KINESIS = ServiceSpec("AmazonKinesis", "unit_prices", "kinesis", ((),), (
    ItemRule("kinesis.shard_hour", "USD per shard-hour", r"Storage-ShardHour"),
    ItemRule("kinesis.put_payload_unit", "USD per PUT payload unit (25 KB)",
             r"PutRequestPayloadUnits"),
))  # fmt: skip

FARGATE = ServiceSpec("AmazonECS", "unit_prices", "fargate", ((),), (
    ItemRule("fargate.vcpu_hour.x86_64", "USD per vCPU-hour", r"Fargate-vCPU-Hours:perCPU"),
    ItemRule("fargate.gb_hour.x86_64", "USD per GB-hour", r"Fargate-GB-Hours"),
    ItemRule("fargate.vcpu_hour.arm64", "USD per vCPU-hour", r"Fargate-ARM-vCPU-Hours:perCPU"),
    ItemRule("fargate.gb_hour.arm64", "USD per GB-hour", r"Fargate-ARM-GB-Hours"),
    ItemRule("fargate.ephemeral_storage_gb_hour", "USD per GB-hour",
             r"Fargate-EphemeralStorage-GB-Hours"),
))  # fmt: skip

#: Checked: ids and units equal the local build's.  NOT checked: no real AmazonEFS Price
#: List record is stored, so the usage types are unconfirmed; Elastic Throughput reads and
#: writes (``efs.elastic.*``, which the EFS rules price) and the tiering/archive-read items
#: have no rule here, because their usage types are in no stored record: a live build
#: carries them over from the local feeds (2025-05-22).
EFS = ServiceSpec("AmazonEFS", "unit_prices", "efs", ((),), (
    ItemRule("efs.standard.storage_gb_month", _GB_MONTH, r"TimedStorage-ByteHrs"),
    ItemRule("efs.ia.storage_gb_month", _GB_MONTH, r"IATimedStorage-ByteHrs"),
    ItemRule("efs.one_zone.storage_gb_month", _GB_MONTH, r"TimedStorage-Z-ByteHrs"),
    ItemRule("efs.archive.storage_gb_month", _GB_MONTH, r"ArchiveTimedStorage-ByteHrs"),
    ItemRule("efs.ia.read_gb", "USD per GB", r"IADataAccess-Bytes"),
    ItemRule("efs.provisioned.throughput_mbps_month", "USD per MBps-month",
             r"ProvisionedTP-MiBpsHrs"),
))  # fmt: skip

S3 = ServiceSpec("AmazonS3", "unit_prices", "s3", ((),), (
    ItemRule("s3.standard.storage_gb_month", _GB_MONTH, r"TimedStorage-ByteHrs"),
    ItemRule("s3.standard_ia.storage_gb_month", _GB_MONTH, r"TimedStorage-SIA-ByteHrs",
             notes="retrieval fee not included"),
    ItemRule("s3.one_zone_ia.storage_gb_month", _GB_MONTH, r"TimedStorage-ZIA-ByteHrs",
             notes="retrieval fee not included"),
    ItemRule("s3.glacier_instant.storage_gb_month", _GB_MONTH, r"TimedStorage-GIR-ByteHrs"),
    ItemRule("s3.glacier_flexible.storage_gb_month", _GB_MONTH, r"TimedStorage-GlacierByteHrs"),
    ItemRule("s3.glacier_deep_archive.storage_gb_month", _GB_MONTH, r"TimedStorage-GDA-ByteHrs"),
    ItemRule("s3.intelligent_tiering.storage_gb_month", _GB_MONTH,
             r"TimedStorage-INT-FA-ByteHrs",
             notes="Frequent Access tier; monitoring fee not included"),
    ItemRule("s3.standard.put_request", _REQUEST, r"Requests-Tier1"),
    ItemRule("s3.standard.get_request", _REQUEST, r"Requests-Tier2"),
    ItemRule("s3.standard_ia.put_request", _REQUEST, r"Requests-SIA-Tier1"),
    ItemRule("s3.standard_ia.get_request", _REQUEST, r"Requests-SIA-Tier2"),
    ItemRule("s3.one_zone_ia.put_request", _REQUEST, r"Requests-ZIA-Tier1"),
    ItemRule("s3.one_zone_ia.get_request", _REQUEST, r"Requests-ZIA-Tier2"),
    ItemRule("s3.glacier_instant.put_request", _REQUEST, r"Requests-GIR-Tier1"),
    ItemRule("s3.glacier_instant.get_request", _REQUEST, r"Requests-GIR-Tier2"),
    ItemRule("s3.intelligent_tiering.put_request", _REQUEST, r"Requests-INT-Tier1"),
    ItemRule("s3.intelligent_tiering.get_request", _REQUEST, r"Requests-INT-Tier2"),
    ItemRule("s3.glacier_deep_archive.put_request", _REQUEST, r"Requests-GDA-Tier1"),
    # The items the local build reads from the pricing-page feed since audit 10, by the
    # usage types of the S3 usage-report page (module docstring): "Retrieval-SIA" / "-ZIA",
    # the bytes retrieved from STANDARD_IA / ONEZONE_IA; "Requests-GDA-Tier2", GET, HEAD and
    # LIST on Deep Archive; "Requests-GDA-Tier3", Deep Archive standard restore requests;
    # "Monitoring-Automation-INT", the objects monitored in INTELLIGENT_TIERING.  Not
    # mapped, their usage types being shared or not on that page: Glacier Flexible
    # Retrieval's restore and retrieval ("Requests-Tier3" also counts lifecycle requests,
    # "Standard-Retrieval-Bytes" both Glacier classes), Glacier Instant Retrieval's
    # retrieval and S3 Express One Zone: a live build carries those over from the local feed.
    ItemRule("s3.standard_ia.retrieval_gb", "USD per GB", r"Retrieval-SIA"),
    ItemRule("s3.one_zone_ia.retrieval_gb", "USD per GB", r"Retrieval-ZIA"),
    ItemRule("s3.glacier_deep_archive.get_request", _REQUEST, r"Requests-GDA-Tier2"),
    ItemRule("s3.glacier_deep_archive.restore_request", _REQUEST, r"Requests-GDA-Tier3"),
    ItemRule("s3.intelligent_tiering.monitoring_object_month", "USD per object-month",
             r"Monitoring-Automation-INT"),
))  # fmt: skip

DATA_TRANSFER = ServiceSpec("AWSDataTransfer", "unit_prices", "datatransfer", ((),), (
    ItemRule("datatransfer.internet_out", "USD per GB", r".*DataTransfer-Out-Bytes",
             attrs=(("transferType", "AWS Outbound"),)),
    ItemRule("datatransfer.inter_region_out", "USD per GB", r".*AWS-Out-Bytes",
             attrs=(("transferType", "InterRegion Outbound"),)),
))  # fmt: skip

#: Checked: ids and units equal the local build's; the offer file has ``fromLocation`` and
#: ``location`` columns (SCHEMATA.md).  NOT checked: no real AmazonCloudFront Price List
#: record is stored, so neither the usage types nor the location values are confirmed; the
#: rows are keyed ``edge:<location>`` and the network rules look up the pricing-page feed's
#: geography names ("United States", "EU", ...): a Price List location spelled otherwise
#: would add rows the rules never read, and the local rows would stay in use.
CLOUDFRONT = ServiceSpec("AmazonCloudFront", "unit_prices", "cloudfront", ((),), (
    ItemRule("cloudfront.data_out", "USD per GB", r"[A-Z]+\d?-DataTransfer-Out-Bytes",
             notes="edge geography, not an AWS region"),
    ItemRule("cloudfront.http_request", _REQUEST, r"[A-Z]+\d?-Requests-Tier1"),
    ItemRule("cloudfront.https_request", _REQUEST, r"[A-Z]+\d?-Requests-Tier2-HTTPS"),
))  # fmt: skip

REDSHIFT_SERVERLESS = ItemRule("redshift.serverless.rpu_hour", "USD per RPU-hour",
                               r"(Redshift:)?ServerlessUsage")  # fmt: skip
#: FSx storage is priced per file-system type, storage type and deployment; the item id is
#: built from those attributes (``fsx.<type>.<storage>.<deployment>.storage_gb_month``).
#: Checked: the AmazonFSx offer file has those three columns (SCHEMATA.md; the CSV reader
#: now reads their real casing, "File system type" etc.).  NOT checked: no AmazonFSx record
#: or price of any kind is stored, so the attribute values, the ``GB-Mo`` unit and the
#: "Storage" family are unconfirmed; the offer file also has a ``Throughput capacity``
#: column, and if storage SKUs differ by it, several would share one item id and the merge
#: would keep one of them (the last).
FSX = ServiceSpec("AmazonFSx", "unit_prices", "fsx", ((("productFamily", "Storage"),),))

#: Database nodes: one query per product family; rows by ``live_services.database_rows``.
RDS = ServiceSpec(
    "AmazonRDS",
    "database",
    "rds",
    ((("productFamily", "Database Instance"),), (("productFamily", "Database Storage"),)),
)
ELASTICACHE = ServiceSpec(
    "AmazonElastiCache", "database", "elasticache", ((("productFamily", "Cache Instance"),),)
)
OPENSEARCH = ServiceSpec(
    "AmazonES",
    "database",
    "opensearch",
    ((("productFamily", "Amazon OpenSearch Service Instance"),),),
)
#: Redshift Managed Storage (RA3 and Serverless), billed per GB-month
#: (https://aws.amazon.com/redshift/pricing/ "Redshift managed storage"); the item is the one
#: the database rules read (``redshift.managed_storage_gb_month``).  The usage types carry the
#: ``RMS:`` prefix; only ``GB-Mo`` products become rows (:func:`live_services.unit_rows`).
#: NOT checked: no AmazonRedshift Price List record is stored; the stored pricing-page feed
#: has 0.024 rows per RA3 node type under hashed keys that name no usage type, so the
#: ``RMS:`` pattern follows the usage-report naming only.  Every matching SKU of a region
#: shares the one item id (the pricing page lists one RMS rate per region).
REDSHIFT_RMS = ItemRule("redshift.managed_storage_gb_month", _GB_MONTH, r"RMS:.*")
REDSHIFT = ServiceSpec("AmazonRedshift", "database", "redshift", ((),),
                       (REDSHIFT_SERVERLESS, REDSHIFT_RMS))
#: EBS volumes, IOPS and throughput live under the EC2 service code.
EBS = ServiceSpec(
    "AmazonEC2",
    "ebs",
    "ebs",
    (
        (("productFamily", "Storage"),),
        (("productFamily", "System Operation"),),
        (("productFamily", "Provisioned Throughput"),),
    ),
)

#: Every usage/instance-priced service the live build refreshes, by ``--services`` name.
SERVICES: dict[str, ServiceSpec] = {
    "ebs": EBS,
    "rds": RDS,
    "elasticache": ELASTICACHE,
    "opensearch": OPENSEARCH,
    "redshift": REDSHIFT,
    "lambda": LAMBDA,
    "fargate": FARGATE,
    "dynamodb": DYNAMODB,
    "s3": S3,
    "efs": EFS,
    "fsx": FSX,
    "cloudfront": CLOUDFRONT,
    "datatransfer": DATA_TRANSFER,
    "sqs": SQS,
    "kinesis": KINESIS,
}

#: A region prefix of a usage type: "USE1-", "EUW2-", "APS3-", "CAN1-" (us-east-1 often has none).
_PREFIX = re.compile(r"^[A-Z]{2,4}\d?-(?=[A-Z])")


def strip_region_prefix(usage_type: str) -> str:
    """The usage type without its leading region code (once; a second one is a destination).

    >>> strip_region_prefix("EUW1-TimedStorage-ByteHrs")
    'TimedStorage-ByteHrs'
    >>> strip_region_prefix("Lambda-GB-Second")
    'Lambda-GB-Second'
    """
    return _PREFIX.sub("", usage_type, count=1)

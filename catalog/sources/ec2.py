"""EC2 specs and prices from the local source files (tables ``ec2`` and ``ec2_prices``).

Specs come from moto's copy of ``DescribeInstanceTypes`` (every type, current and previous
generation), burst credits from ``facts/burstable_instances.csv`` and CoreMark from
ec2instances.info.  Prices come from the aws.amazon.com pricing-page feeds saved by
ec2.shop (16 regions, 2025-04-04) and from Karpenter's generated us-east-1 table
(2026-07-20); the Spot Instance Advisor gives savings % and interruption bands, and the
ec2.shop reserved-instance feeds give us-east-1 1-yr/3-yr No Upfront rates.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from catalog.normalize import (
    gb_to_gib,
    is_metal,
    mib_to_gib,
    parse_price,
    split_instance_type,
    to_iso_date,
)
from catalog.regions import name_to_code_map, read_region_records, region_code
from catalog.sources import SourceRecord, SourceResult
from catalog.store import sha256_file

MOTO_TYPES = Path("ec2/moto-5.2.5_instance_types.json.gz")
MOTO_OFFERINGS = Path("ec2/moto-5.2.5_instance_type_offerings")
BURSTABLE = Path("facts/burstable_instances.csv")
BENCHMARKS = Path("ec2/ec2instances.info_benchmarks_manually_fetched_data.json")
FEEDS = Path("ec2/ec2shop_pricing_feeds_20250404")
KARPENTER = Path("ec2/karpenter_ondemand_linux_us-east-1_20260720.csv")
SPOT_ADVISOR = Path("ec2/aws_spot-advisor-data_via_spotinfo_20250628.json")

SPEC_SOURCE = "moto-5.2.5:instance_types"
KARPENTER_ID = "karpenter:ondemand_us-east-1"
KARPENTER_DATE = "2026-07-20"  # "generated at 2026-07-20T13:44:30Z" (PROVENANCE)
SPOT_DATE = "2025-06-28"  # spotinfo commit date of the advisor snapshot (PROVENANCE)
EC2SHOP_ORIGIN = "yeo/ec2.shop@74c9fd8a (aws.amazon.com pricing-page feed)"
REFERENCE_TYPE = "m5.large"  # perf_index = 1.0

_ARCHES = ("x86_64", "arm64")


def _spec_row(info: Mapping[str, Any]) -> dict[str, Any]:
    """One ``ec2`` row (specs only) from a DescribeInstanceTypes InstanceTypeInfo object."""
    itype = info["InstanceType"]
    family, size = split_instance_type(itype)
    vcpu = info["VCpuInfo"]
    proc = info.get("ProcessorInfo", {})
    supported = proc.get("SupportedArchitectures", [])
    # i386 types also run x86_64; mac types list only their *_mac arch, kept as is.
    arch = next((a for a in supported if a in _ARCHES), supported[0] if supported else None)
    gpu = info.get("GpuInfo") or {}
    gpus = gpu.get("Gpus", [])
    # inf1/inf2 list the same Inferentia chips under both InferenceAcceleratorInfo and
    # NeuronInfo: count each named device once.
    devices: dict[str, int] = {}
    for key, sub in (
        ("InferenceAcceleratorInfo", "Accelerators"),
        ("NeuronInfo", "NeuronDevices"),
        ("FpgaInfo", "Fpgas"),
        ("MediaAcceleratorInfo", "Accelerators"),
    ):
        for a in (info.get(key) or {}).get(sub, []):
            name = a.get("Name") or key
            devices[name] = max(devices.get(name, 0), a.get("Count", 0))
    accel = sum(devices.values())
    net = info.get("NetworkInfo", {})
    cards = net.get("NetworkCards", [])
    # Multi-card types (p4d, p5...) deliver the sum of their cards' bandwidth.
    baseline = sum(c["BaselineBandwidthInGbps"] for c in cards if "BaselineBandwidthInGbps" in c)
    peak = sum(c["PeakBandwidthInGbps"] for c in cards if "PeakBandwidthInGbps" in c)
    ebs = (info.get("EbsInfo") or {}).get("EbsOptimizedInfo") or {}
    store = info.get("InstanceStorageInfo") or {}
    disks = store.get("Disks", [])
    nvme = store.get("NvmeSupport")
    return {
        "instance_type": itype,
        "family": family,
        "size": size,
        "vcpus": vcpu["DefaultVCpus"],
        "physical_cores": vcpu.get("DefaultCores"),
        "threads_per_core": vcpu.get("DefaultThreadsPerCore"),
        "memory_gib": mib_to_gib(info["MemoryInfo"]["SizeInMiB"]),
        "arch": arch,
        "processor_manufacturer": proc.get("Manufacturer"),
        "clock_ghz": proc.get("SustainedClockSpeedInGhz"),
        "gpus": sum(g.get("Count", 0) for g in gpus),
        "gpu_model": ",".join(sorted({g["Name"] for g in gpus if g.get("Name")})) or None,
        "gpu_memory_gib": mib_to_gib(gpu.get("TotalGpuMemoryInMiB")),
        "accelerators": accel,
        "burstable": bool(info.get("BurstablePerformanceSupported", False)),
        "network_performance": net.get("NetworkPerformance"),
        "network_baseline_gbps": baseline if cards else None,
        "network_peak_gbps": peak if cards else None,
        "ena_support": net.get("EnaSupport"),
        "efa_supported": bool(net.get("EfaSupported", False)),
        "ena_express_supported": bool(net.get("EnaSrdSupported", False)),
        "ebs_baseline_bandwidth_mbps": ebs.get("BaselineBandwidthInMbps"),
        "ebs_max_bandwidth_mbps": ebs.get("MaximumBandwidthInMbps"),
        "ebs_baseline_iops": ebs.get("BaselineIops"),
        "ebs_max_iops": ebs.get("MaximumIops"),
        "ebs_baseline_throughput_mbps": ebs.get("BaselineThroughputInMBps"),
        "ebs_max_throughput_mbps": ebs.get("MaximumThroughputInMBps"),
        # DescribeInstanceTypes gives decimal GB; the column is GiB.
        "instance_storage_gib": gb_to_gib(store.get("TotalSizeInGB")),
        "instance_storage_disks": sum(d.get("Count", 0) for d in disks) if disks else None,
        "instance_storage_type": disks[0].get("Type") if disks else None,
        "instance_storage_nvme": None if nvme is None else nvme != "unsupported",
        "placement_group_strategies": ",".join(
            sorted((info.get("PlacementGroupInfo") or {}).get("SupportedStrategies", []))
        ),
        "current_generation": bool(info.get("CurrentGeneration", False)),
        "bare_metal": bool(info.get("BareMetal", False)),
        "hypervisor": info.get("Hypervisor"),
    }


def specs_frame(
    types: Mapping[str, Mapping[str, Any]],
    burstable: pd.DataFrame,
    coremark: Mapping[str, float],
    offered: Mapping[str, Iterable[str]],
) -> pd.DataFrame:
    """The ``ec2`` table from DescribeInstanceTypes objects plus burst facts and CoreMark.

    ``offered`` maps a type to the regions where it is known to be offered; the build adds
    the regions where it is priced.  ``perf_index`` is CoreMark relative to m5.large where
    measured, else missing (the models fill predictions later).
    """
    df = pd.DataFrame([_spec_row(info) for info in types.values()])
    burst = burstable.set_index("instance_type")
    df["baseline_pct_per_vcpu"] = df["instance_type"].map(
        burst["baseline_utilization_per_vcpu_pct"]
    )
    df["cpu_credits_per_hour"] = df["instance_type"].map(burst["cpu_credits_earned_per_hour"])
    df["max_cpu_credits"] = df["instance_type"].map(burst["max_earned_credits_accrued"])
    df["regions"] = df["instance_type"].map(lambda t: ",".join(sorted(set(offered.get(t, ())))))
    df["coremark_iterations_per_s"] = df["instance_type"].map(coremark)
    df["spec_source"] = SPEC_SOURCE
    return measured_perf(df).sort_values("instance_type", ignore_index=True)


def measured_perf(ec2: pd.DataFrame) -> pd.DataFrame:
    """Set ``perf_index`` = CoreMark / CoreMark(m5.large) where measured, else missing.

    Predicted values (from the models) are cleared: the build asks the model again.
    """
    out = ec2.copy()
    cm = out["coremark_iterations_per_s"].astype(float)
    ref = cm[out["instance_type"] == REFERENCE_TYPE]
    ref_value = float(ref.iloc[0]) if len(ref) and pd.notna(ref.iloc[0]) else float("nan")
    out["perf_index"] = cm / ref_value
    out["perf_index_low"] = float("nan")
    out["perf_index_high"] = float("nan")
    out["perf_index_source"] = out["perf_index"].notna().map({True: "measured", False: "missing"})
    return out


def feed_prices(feed: Mapping[str, Any], names: Mapping[str, str], source_id: str) -> pd.DataFrame:
    """On-demand rows ``instance_type, region, ondemand_usd_per_hour`` from one pricing feed.

    Raises
    ------
    ValueError
        When a region name of the feed has no known code (the message names it).
    """
    as_of = to_iso_date(feed["manifest"]["hawkFilePublicationDate"])
    rows = []
    for region_name, entries in feed["regions"].items():
        code = region_code(region_name, names)
        if code is None:
            raise ValueError(f"{source_id}: region name {region_name!r} has no known code")
        for entry in entries.values():
            rows.append(
                {
                    "instance_type": entry["Instance Type"],
                    "region": code,
                    "ondemand_usd_per_hour": parse_price(entry["price"]),
                    "price_as_of": as_of,
                    "price_source": source_id,
                    "verify": False,
                }
            )
    return pd.DataFrame(rows)


def combine_ondemand(feeds: pd.DataFrame, karpenter: pd.DataFrame) -> pd.DataFrame:
    """One on-demand row per (type, region): the newest source wins, except bare metal.

    Karpenter prices ``*.metal*`` with the Dedicated-tenancy rate (PROVENANCE), which is not
    the Shared-tenancy row of the feeds: where the feed has the metal type its price stays;
    a metal type only Karpenter has keeps Karpenter's price with ``verify=True``.
    """
    metal = karpenter["instance_type"].map(is_metal)
    feed_keys = set(zip(feeds["instance_type"], feeds["region"], strict=True))
    in_feed = pd.Series(
        [k in feed_keys for k in zip(karpenter["instance_type"], karpenter["region"], strict=True)],
        index=karpenter.index,
        dtype=bool,
    )
    karp = karpenter[~(metal & in_feed)].copy()
    karp.loc[metal[karp.index], "verify"] = True
    both = pd.concat([feeds, karp], ignore_index=True)
    both = both.sort_values("price_as_of", kind="stable")
    return both.drop_duplicates(["instance_type", "region"], keep="last").reset_index(drop=True)


def add_spot(prices: pd.DataFrame, advisor: Mapping[str, Any]) -> pd.DataFrame:
    """Add Spot Advisor Linux savings %, interruption band and the OD x (1 - s/100) estimate."""
    bands = {r["index"]: r["label"] for r in advisor["ranges"]}
    rows = [
        {"instance_type": t, "region": region, "spot_savings_pct": float(v["s"]), "band": v["r"]}
        for region, oses in advisor["spot_advisor"].items()
        for t, v in oses.get("Linux", {}).items()
    ]
    spot = pd.DataFrame(rows, columns=["instance_type", "region", "spot_savings_pct", "band"])
    spot["spot_interruption_band"] = spot.pop("band").map(bands)
    out = prices.merge(spot, on=["instance_type", "region"], how="left")
    out["spot_usd_per_hour_est"] = out["ondemand_usd_per_hour"] * (
        1 - out["spot_savings_pct"] / 100
    )
    return out


def reserved_rates(feed: Mapping[str, Any], names: Mapping[str, str]) -> pd.DataFrame:
    """``instance_type, region, rate`` from a reserved-instance feed (Standard, No Upfront)."""
    rows = []
    for region_name, entries in feed["regions"].items():
        code = region_code(region_name, names)
        for e in entries.values():
            # Only Linux shared-tenancy No Upfront rows belong in the ec2_prices row.
            if (e.get("Tenancy"), e.get("PurchaseOption"), e.get("Operating System")) != (
                "Shared",
                "No Upfront",
                "Linux",
            ):
                continue
            rows.append({"instance_type": e["Instance Type"], "region": code, "rate": e["price"]})
    df = pd.DataFrame(rows, columns=["instance_type", "region", "rate"])
    df["rate"] = df["rate"].map(parse_price)
    return df.drop_duplicates(["instance_type", "region"])


def _record(data_dir: Path, rel: Path, id_: str, origin: str, date: str, **kw: Any) -> SourceRecord:
    return SourceRecord(
        id=id_,
        path=str(rel),
        origin=origin,
        data_date=date,
        sha256=sha256_file(data_dir / rel),
        **kw,
    )


def _offerings(data_dir: Path) -> tuple[dict[str, set[str]], list[Path]]:
    offered: dict[str, set[str]] = {}
    files = sorted((data_dir / MOTO_OFFERINGS).glob("region_*.json.gz"))
    for path in files:
        with gzip.open(path, "rt") as f:
            for o in json.load(f):
                offered.setdefault(o["InstanceType"], set()).add(o["Location"])
    return offered, files


def read_ec2(data_dir: Path) -> SourceResult:
    """Read tables ``ec2`` and ``ec2_prices`` from the source files under ``data_dir``."""
    data_dir = Path(data_dir)
    with gzip.open(data_dir / MOTO_TYPES, "rt") as f:
        types = json.load(f)
    offered, offering_files = _offerings(data_dir)
    burstable = pd.read_csv(data_dir / BURSTABLE)
    bench = json.loads((data_dir / BENCHMARKS).read_text())
    coremark = {
        t: float(b["coremark"]["iterations_second"])
        for t, b in bench.items()
        if (b.get("coremark") or {}).get("iterations_second")
    }
    names = name_to_code_map(read_region_records(data_dir))
    sources = [
        _record(
            data_dir,
            MOTO_TYPES,
            SPEC_SOURCE,
            "PyPI moto 5.2.5 (DescribeInstanceTypes)",
            "2026-10",
            license="Apache-2.0",
            rows=len(types),
        ),
        _record(
            data_dir,
            BURSTABLE,
            "facts:burstable_instances",
            "AWS EC2 User Guide (facts)",
            "2023-01-19",
            license="CC BY-SA 4.0",
            rows=len(burstable),
        ),
        _record(
            data_dir,
            BENCHMARKS,
            "ec2instances.info:benchmarks",
            "vantage-sh/ec2instances.info@ecfb1372",
            "2026",
            license="MIT",
            rows=len(bench),
        ),
    ]
    for path in offering_files:
        rel = path.relative_to(data_dir)
        sources.append(
            _record(
                data_dir,
                rel,
                f"moto-5.2.5:offerings:{path.name.split('.')[0]}",
                "PyPI moto 5.2.5 (DescribeInstanceTypeOfferings)",
                "2026-10",
                license="Apache-2.0",
            )
        )

    feed_frames = []
    for path in sorted((data_dir / FEEDS).glob("*-ondemand.json")):
        feed = json.loads(path.read_text())
        sid = f"ec2shop:{path.stem}"
        df = feed_prices(feed, names, sid)
        feed_frames.append(df)
        sources.append(
            _record(
                data_dir,
                path.relative_to(data_dir),
                sid,
                EC2SHOP_ORIGIN,
                to_iso_date(feed["manifest"]["hawkFilePublicationDate"]),
                license="MIT; prices: AWS Price List",
                rows=len(df),
            )
        )
    # A type listed in both the current and previous-generation feed keeps the current one.
    feeds = pd.concat(feed_frames, ignore_index=True).drop_duplicates(
        ["instance_type", "region"], keep="first"
    )
    karp = pd.read_csv(data_dir / KARPENTER, dtype=str)
    karp = pd.DataFrame(
        {
            "instance_type": karp["instance_type"],
            "region": karp["region"],
            "ondemand_usd_per_hour": karp["ondemand_usd_per_hour"].map(parse_price),
            "price_as_of": KARPENTER_DATE,
            "price_source": KARPENTER_ID,
            "verify": False,
        }
    )
    sources.append(
        _record(
            data_dir,
            KARPENTER,
            KARPENTER_ID,
            "aws/karpenter-provider-aws@6fc13b52 (GetProducts AmazonEC2)",
            KARPENTER_DATE,
            license="Apache-2.0; prices: AWS Price List",
            rows=len(karp),
            notes="*.metal prices are Dedicated tenancy; feed price kept",
        )
    )
    prices = combine_ondemand(feeds, karp)

    advisor = json.loads((data_dir / SPOT_ADVISOR).read_text())
    prices = add_spot(prices, advisor)
    sources.append(
        _record(
            data_dir,
            SPOT_ADVISOR,
            "spot-advisor",
            "alexei-led/spotinfo@5eedf20a (AWS Spot Instance Advisor feed)",
            SPOT_DATE,
            license="Apache-2.0",
        )
    )
    for term in ("1y", "3y"):
        rel = FEEDS / f"us-east-1-reservedinstance-{term}.json"
        ri = reserved_rates(json.loads((data_dir / rel).read_text()), names)
        col = f"reserved_{term}_no_upfront_usd_per_hour"
        prices = prices.merge(
            ri.rename(columns={"rate": col}), on=["instance_type", "region"], how="left"
        )
        sources.append(
            _record(
                data_dir,
                rel,
                f"ec2shop:us-east-1-reservedinstance-{term}",
                EC2SHOP_ORIGIN,
                "2025-04-04",
                license="MIT; prices: AWS Price List",
                rows=len(ri),
                notes="manifest has no date; same commit as the 2025-04-04 on-demand feeds",
            )
        )

    unknown = sorted(set(prices["instance_type"]) - set(types))
    prices = prices[prices["instance_type"].isin(list(types))]
    for t, regs in prices.groupby("instance_type")["region"]:
        offered.setdefault(str(t), set()).update(regs)
    ec2 = specs_frame(types, burstable, coremark, offered)
    gaps = [
        "absolute spot prices: estimated as OD x (1 - savings%) from the Spot Instance Advisor "
        f"({SPOT_DATE}); no measured spot price history",
        "reserved-instance rates: us-east-1 only (Standard, No Upfront, 1-yr and 3-yr)",
    ]
    spot_only = sorted(set(advisor["spot_advisor"]) - set(prices["region"]))
    if spot_only:
        gaps.append(
            "spot savings for regions without on-demand prices are not kept: "
            + ", ".join(spot_only)
        )
    if unknown:
        gaps.append(
            f"{len(unknown)} priced instance types have no DescribeInstanceTypes specs in moto "
            f"5.2.5 and are left out: {', '.join(unknown)}"
        )
    return SourceResult(
        tables={"ec2": ec2, "ec2_prices": prices}, sources=sources, coverage_gaps=gaps
    )

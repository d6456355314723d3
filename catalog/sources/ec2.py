"""EC2 specs and prices from the local source files (tables ``ec2`` and ``ec2_prices``).

Specs come from moto's copy of ``DescribeInstanceTypes`` (every type, current and previous
generation), burst credits from ``facts/burstable_instances.csv`` and CoreMark from
ec2instances.info.  Prices are read by :mod:`catalog.sources.ec2_prices` (pricing-page
feeds, Karpenter, Spot Advisor, RI feeds).  Priced types without a DescribeInstanceTypes
record get the partial specs of :mod:`catalog.sources.ec2_partial` where their architecture
is known from data, and are left out (and listed in the coverage gaps) otherwise.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from catalog.normalize import gb_to_gib, mib_to_gib, split_instance_type
from catalog.regions import name_to_code_map, read_region_records
from catalog.sources import SourceRecord, SourceResult, file_record
from catalog.sources.ec2_partial import (
    feed_specs,
    partial_gaps,
    partial_rows,
    pick_arch,
    processor_evidence,
)

# Re-exported: other modules and tests import the price readers from here.
from catalog.sources.ec2_prices import (  # noqa: F401
    EC2SHOP_ORIGIN,
    FEEDS,
    KARPENTER,
    KARPENTER_DATE,
    KARPENTER_ID,
    SPOT_ADVISOR,
    SPOT_DATE,
    add_spot,
    combine_ondemand,
    feed_prices,
    price_gaps,
    read_prices,
    reserved_rates,
)

MOTO_TYPES = Path("ec2/moto-5.2.5_instance_types.json.gz")
MOTO_OFFERINGS = Path("ec2/moto-5.2.5_instance_type_offerings")
BURSTABLE = Path("facts/burstable_instances.csv")
BENCHMARKS = Path("ec2/ec2instances.info_benchmarks_manually_fetched_data.json")

SPEC_SOURCE = "moto-5.2.5:instance_types"
REFERENCE_TYPE = "m5.large"  # perf_index = 1.0


def _accelerator_count(info: Mapping[str, Any]) -> int:
    """Accelerator devices of a type, each named device counted once.

    inf1/inf2 list the same Inferentia chips under both InferenceAcceleratorInfo and
    NeuronInfo, so a device seen under two keys keeps its larger count instead of adding up.
    """
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
    return sum(devices.values())


def _network_columns(info: Mapping[str, Any]) -> dict[str, Any]:
    """The network columns of a type from its NetworkInfo."""
    net = info.get("NetworkInfo", {})
    cards = net.get("NetworkCards", [])
    # Multi-card types (p4d, p5...) deliver the sum of their cards' bandwidth.
    baseline = sum(c["BaselineBandwidthInGbps"] for c in cards if "BaselineBandwidthInGbps" in c)
    peak = sum(c["PeakBandwidthInGbps"] for c in cards if "PeakBandwidthInGbps" in c)
    return {
        "network_performance": net.get("NetworkPerformance"),
        "network_baseline_gbps": baseline if cards else None,
        "network_peak_gbps": peak if cards else None,
        "ena_support": net.get("EnaSupport"),
        "efa_supported": bool(net.get("EfaSupported", False)),
        "ena_express_supported": bool(net.get("EnaSrdSupported", False)),
    }


def _storage_columns(info: Mapping[str, Any]) -> dict[str, Any]:
    """The EBS and instance-store columns of a type from EbsInfo and InstanceStorageInfo."""
    ebs = (info.get("EbsInfo") or {}).get("EbsOptimizedInfo") or {}
    store = info.get("InstanceStorageInfo") or {}
    disks = store.get("Disks", [])
    nvme = store.get("NvmeSupport")
    return {
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
    }


def _spec_row(info: Mapping[str, Any]) -> dict[str, Any]:
    """One ``ec2`` row (specs only) from a DescribeInstanceTypes InstanceTypeInfo object."""
    itype = info["InstanceType"]
    family, size = split_instance_type(itype)
    vcpu = info["VCpuInfo"]
    proc = info.get("ProcessorInfo", {})
    gpu = info.get("GpuInfo") or {}
    gpus = gpu.get("Gpus", [])
    # The column order is the table's: compute, network, storage, then placement/generation.
    return {
        "instance_type": itype,
        "family": family,
        "size": size,
        "vcpus": vcpu["DefaultVCpus"],
        "physical_cores": vcpu.get("DefaultCores"),
        "threads_per_core": vcpu.get("DefaultThreadsPerCore"),
        "memory_gib": mib_to_gib(info["MemoryInfo"]["SizeInMiB"]),
        "arch": pick_arch(proc.get("SupportedArchitectures", [])),
        "processor_manufacturer": proc.get("Manufacturer"),
        "clock_ghz": proc.get("SustainedClockSpeedInGhz"),
        "gpus": sum(g.get("Count", 0) for g in gpus),
        "gpu_model": ",".join(sorted({g["Name"] for g in gpus if g.get("Name")})) or None,
        "gpu_memory_gib": mib_to_gib(gpu.get("TotalGpuMemoryInMiB")),
        "accelerators": _accelerator_count(info),
        "burstable": bool(info.get("BurstablePerformanceSupported", False)),
        **_network_columns(info),
        **_storage_columns(info),
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
    partial: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The ``ec2`` table from DescribeInstanceTypes objects plus burst facts and CoreMark.

    ``offered`` maps a type to the regions where it is known to be offered; the build adds
    the regions where it is priced.  ``perf_index`` is CoreMark relative to m5.large where
    measured, else missing (the models fill predictions later).  ``partial`` holds spec rows
    of types without a DescribeInstanceTypes record (``ec2_partial.partial_rows``, with
    their own ``spec_source``); they get the same burst, region and CoreMark columns.
    """
    df = pd.DataFrame([_spec_row(info) for info in types.values()])
    df["spec_source"] = SPEC_SOURCE
    if partial is not None and len(partial):
        df = pd.concat([df, partial], ignore_index=True)
    burst = burstable.set_index("instance_type")
    df["baseline_pct_per_vcpu"] = df["instance_type"].map(
        burst["baseline_utilization_per_vcpu_pct"]
    )
    df["cpu_credits_per_hour"] = df["instance_type"].map(burst["cpu_credits_earned_per_hour"])
    df["max_cpu_credits"] = df["instance_type"].map(burst["max_earned_credits_accrued"])
    df["regions"] = df["instance_type"].map(lambda t: ",".join(sorted(set(offered.get(t, ())))))
    df["coremark_iterations_per_s"] = df["instance_type"].map(coremark)
    return measured_perf(df).sort_values("instance_type", ignore_index=True)


def feed_generation(ec2: pd.DataFrame, feeds: pd.DataFrame) -> pd.DataFrame:
    """``current_generation`` as AWS's on-demand price feeds list the type, where they do.

    The feeds split current and previous generation (``...-ondemand`` against
    ``...-previousgen-ondemand``, the split of https://aws.amazon.com/ec2/previous-generation/);
    the DescribeInstanceTypes records of the stored moto data flag 98 current types (m5,
    m6i, c5, r5, r6i, r7g, g5, c6gn ...) as previous generation, so they were left out
    whenever anything else fit.  A type the feeds list takes their verdict (current when
    any current feed lists it); a type they do not list keeps its record's flag.
    """
    verdict = feeds.set_index("instance_type")["current_generation"]
    listed = ec2["instance_type"].map(verdict)
    out = ec2.copy()
    out["current_generation"] = listed.where(listed.notna(), out["current_generation"]).astype(bool)
    return out


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


def _offerings(data_dir: Path) -> tuple[dict[str, set[str]], list[Path]]:
    offered: dict[str, set[str]] = {}
    files = sorted((data_dir / MOTO_OFFERINGS).glob("region_*.json.gz"))
    for path in files:
        with gzip.open(path, "rt") as f:
            for o in json.load(f):
                offered.setdefault(o["InstanceType"], set()).add(o["Location"])
    return offered, files


def _processors(types: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """``instance_type, arch, processor_manufacturer`` of DescribeInstanceTypes records."""
    rows = []
    for t, info in types.items():
        proc = info.get("ProcessorInfo") or {}
        arch = pick_arch(proc.get("SupportedArchitectures", []))
        rows.append((t, arch, proc.get("Manufacturer")))
    return pd.DataFrame(rows, columns=["instance_type", "arch", "processor_manufacturer"])


def _spec_sources(data_dir: Path, *, types: int, burstable: int, bench: int,
                  offering_files: Iterable[Path]) -> list[SourceRecord]:
    """Manifest records of the spec files (row counts as read)."""
    sources = [
        file_record(
            data_dir,
            MOTO_TYPES,
            SPEC_SOURCE,
            "PyPI moto 5.2.5 (DescribeInstanceTypes)",
            "2026-10",
            license="Apache-2.0",
            rows=types,
        ),
        file_record(
            data_dir,
            BURSTABLE,
            "facts:burstable_instances",
            "AWS EC2 User Guide (facts)",
            "2023-01-19",
            license="CC BY-SA 4.0",
            rows=burstable,
        ),
        file_record(
            data_dir,
            BENCHMARKS,
            "ec2instances.info:benchmarks",
            "vantage-sh/ec2instances.info@ecfb1372",
            "2026",
            license="MIT",
            rows=bench,
        ),
    ]
    for path in offering_files:
        rel = path.relative_to(data_dir)
        sources.append(
            file_record(
                data_dir,
                rel,
                f"moto-5.2.5:offerings:{path.name.split('.')[0]}",
                "PyPI moto 5.2.5 (DescribeInstanceTypeOfferings)",
                "2026-10",
                license="Apache-2.0",
            )
        )
    return sources


#: DescribeInstanceTypes (InstanceStorageInfo) gives size, disks and NVMe, not IOPS; AWS's
#: "SSD instance store volumes" table is in no stored source with provenance.
INSTANCE_STORE_IOPS_GAP = (
    "instance store IOPS per type (AWS 'SSD instance store volumes' table, "
    "https://docs.aws.amazon.com/ec2/latest/instancetypes/"
    "so-instance-store-volumes.html): not in any stored source; instance store is "
    "matched on size and NVMe only, its IOPS are unchecked"
)


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
    sources = _spec_sources(data_dir, types=len(types), burstable=len(burstable),
                            bench=len(bench), offering_files=offering_files)
    read = read_prices(data_dir, names)
    sources += read.sources
    prices = read.prices

    # Priced types without a DescribeInstanceTypes record: partial specs where the
    # architecture is known from data, else left out (and listed in the gaps).
    unknown = sorted(set(prices["instance_type"]) - set(types))
    evidence, evidence_sources = processor_evidence(data_dir, unknown, bench, _processors(types))
    sources += evidence_sources
    partial = partial_rows(feed_specs(read.ondemand_feeds), evidence, burstable)
    left_out = sorted(set(unknown) - set(partial.get("instance_type", [])))
    prices = prices[~prices["instance_type"].isin(left_out)].reset_index(drop=True)
    for t, regs in prices.groupby("instance_type")["region"]:
        offered.setdefault(str(t), set()).update(regs)
    ec2 = specs_frame(types, burstable, coremark, offered, partial=partial)
    ec2 = feed_generation(ec2, feed_specs(read.ondemand_feeds))
    gaps = price_gaps(prices, read.advisor) + partial_gaps(partial, evidence, left_out)
    gaps.append(INSTANCE_STORE_IOPS_GAP)
    return SourceResult(
        tables={"ec2": ec2, "ec2_prices": prices}, sources=sources, coverage_gaps=gaps
    )

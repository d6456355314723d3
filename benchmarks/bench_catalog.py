"""Catalog benchmarks: snapshot load time, offer-file parsing throughput and peak memory.

Run on demand (not part of the test suite)::

    python benchmarks/bench_catalog.py [--size-mb 300] [--keep DIR] [--skip-json-load]

(a) Snapshot load: ``catalog.store.read_snapshot`` (cold: reads and validates every table) and
    ``load_catalog`` (first call, then the cached second call), if the embedded snapshot exists.
(b) Offer files: a large regional JSON offer file and a CSV offer file are generated in a
    temporary directory by scaling the real formats of the fixtures in
    ``tests/fixtures/aws`` (the recorded m5.large item, which passes the Linux filters, and
    the recorded spinnaker / jtdelia products, which do not), each copy under a new SKU.
    Each reader runs in its own subprocess, which reports wall time, rows, kept SKUs and its
    peak RSS (``VmHWM``), next to ``json.load`` of the same JSON file and a
    baseline process that only imports the readers.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "aws"
#: One product in this many passes the Linux shared On-Demand filters (a real regional file
#: keeps about a thousand instance SKUs out of hundreds of thousands of products).
KEEP_EVERY = 50


# ---------------------------------------------------------------------------- generators
def make_json_offer(path: Path, size_mb: float) -> int:
    """Write a regional JSON offer file of about ``size_mb`` MB; return its product count."""
    offer = json.loads((FIXTURES / "offer_us-west-2_excerpt.json").read_text())
    item = json.loads((FIXTURES / "pricelist_item_m5.large_us-east-1.json").read_text())
    keep_sku = item["product"]["sku"]
    rejected = [p for s, p in offer["products"].items() if s != keep_sku]
    od, ri = item["terms"]["OnDemand"], item["terms"]["Reserved"]
    # Per-SKU text templates, rendered by string replacement (fast, and the JSON stays valid).
    templates = [(item["product"], keep_sku)] + [(p, p["sku"]) for p in rejected]
    products_tpl = [json.dumps(p) for p, _ in templates]
    od_tpl, ri_tpl = json.dumps(od), json.dumps(ri)
    head = {k: v for k, v in offer.items() if k not in ("products", "terms")}
    target = size_mb * 1e6
    per_sku = len(products_tpl[1]) + len(od_tpl) + len(ri_tpl) + 60
    n = max(KEEP_EVERY, int(target / per_sku))
    skus = [f"BENCH{i:011d}" for i in range(n)]

    def product_text(i: int) -> str:
        j = 0 if i % KEEP_EVERY == 0 else 1 + i % (len(templates) - 1)
        return products_tpl[j].replace(templates[j][1], skus[i])

    with open(path, "w") as f:
        f.write(json.dumps(head)[:-1] + ', "products": {')
        f.write(",".join(f'"{skus[i]}": {product_text(i)}' for i in range(n)))
        f.write('}, "terms": {"OnDemand": {')
        f.write(",".join(f'"{s}": {od_tpl.replace(keep_sku, s)}' for s in skus))
        f.write('}, "Reserved": {')
        f.write(",".join(f'"{s}": {ri_tpl.replace(keep_sku, s)}' for s in skus))
        f.write("}}}")
    return n


def make_csv_offer(path: Path, size_mb: float) -> int:
    """Write a CSV offer file of about ``size_mb`` MB; return its data-row count."""
    with open(FIXTURES / "offer_m5.large_us-east-1.csv", newline="") as f:
        keep_lines = list(csv.reader(f))
    with open(FIXTURES / "offer_global_sample_excerpt.csv", newline="") as f:
        other_rows = list(csv.reader(f))[6:]
    preamble, header, keep_rows = keep_lines[:5], keep_lines[5], keep_lines[6:]
    groups = [keep_rows] + [[r] for r in other_rows]
    row_bytes = sum(len(",".join(r)) for r in other_rows) / len(other_rows)
    n_rows = int(size_mb * 1e6 / row_bytes)
    written = 0
    with open(path, "w", newline="") as f:
        w = csv.writer(f, quoting=csv.QUOTE_ALL)
        w.writerows(preamble + [header])
        i = 0
        while written < n_rows:
            j = 0 if i % KEEP_EVERY == 0 else 1 + i % (len(groups) - 1)
            sku = f"BENCH{i:011d}"
            for r in groups[j]:
                old = r[0]
                w.writerow([c.replace(old, sku) for c in r])
                written += 1
            i += 1
    return written


# ------------------------------------------------------------------------- measurement
CHILD = r"""
import json, resource, sys, time
mode, path = sys.argv[1], sys.argv[2]
sys.path.insert(0, sys.argv[3])
from catalog.offer_files import OfferStats, iter_csv_offer, iter_json_offer
from catalog.pricing import ec2_rejection_reason, parse_price_list_item
t0 = time.perf_counter()
stats = OfferStats()
if mode == "baseline":
    kept = 0
elif mode == "stream-json":
    kept = sum(1 for _ in iter_json_offer(path, stats=stats))
elif mode == "stream-csv":
    kept = sum(1 for _ in iter_csv_offer(path, stats=stats))
elif mode == "json.load":
    with open(path) as f:
        offer = json.load(f)
    kept = 0
    for sku, p in offer["products"].items():
        stats.rows += 1
        if ec2_rejection_reason(p.get("productFamily", ""), p.get("attributes", {})) is None:
            terms = {t: offer["terms"][t].get(sku, {}) for t in ("OnDemand", "Reserved")}
            parse_price_list_item({"product": p, "terms": terms})
            kept += 1
wall = time.perf_counter() - t0
# VmHWM (peak RSS of this process image) starts afresh at exec; ru_maxrss may carry the
# parent's peak across fork, which would hide the reader's own figure.
try:
    with open("/proc/self/status") as f:
        rss = next(int(l.split()[1]) for l in f if l.startswith("VmHWM:")) / 1024
except (OSError, StopIteration):
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
print(json.dumps({"wall_s": wall, "rows": stats.rows, "kept": kept, "maxrss_mib": rss}))
"""


def run_child(mode: str, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(path), str(ROOT)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_offer_files(size_mb: float, workdir: Path, skip_json_load: bool) -> None:
    json_path, csv_path = workdir / "offer_bench.json", workdir / "offer_bench.csv"
    t0 = time.perf_counter()
    n_products = make_json_offer(json_path, size_mb)
    n_rows = make_csv_offer(csv_path, size_mb)
    print(
        f"generated in {time.perf_counter() - t0:.1f} s: {json_path.name} "
        f"{json_path.stat().st_size / 1e6:.0f} MB ({n_products:,} products), {csv_path.name} "
        f"{csv_path.stat().st_size / 1e6:.0f} MB ({n_rows:,} rows)"
    )
    base = run_child("baseline", json_path)
    print(f"baseline process (imports only): peak RSS {base['maxrss_mib']:.0f} MiB")
    print(
        f"{'reader':<12} {'file MB':>8} {'wall s':>7} {'MB/s':>7} {'rows/s':>10} "
        f"{'kept':>7} {'peak RSS MiB':>13} {'over baseline':>14}"
    )
    modes = [("stream-json", json_path), ("stream-csv", csv_path)]
    if not skip_json_load:
        modes.append(("json.load", json_path))
    for mode, path in modes:
        r = run_child(mode, path)
        mb = path.stat().st_size / 1e6
        print(
            f"{mode:<12} {mb:8.0f} {r['wall_s']:7.1f} {mb / r['wall_s']:7.1f} "
            f"{r['rows'] / r['wall_s']:10,.0f} {r['kept']:7,} {r['maxrss_mib']:13.0f} "
            f"{r['maxrss_mib'] - base['maxrss_mib']:14.0f}"
        )


def bench_snapshot() -> None:
    from catalog.store import DEFAULT_SNAPSHOT_DIR, load_catalog, read_snapshot

    if not (DEFAULT_SNAPSHOT_DIR / "manifest.json").exists():
        print(f"snapshot: none at {DEFAULT_SNAPSHOT_DIR} (run `recommender catalog build`)")
        return
    t0 = time.perf_counter()
    cat = read_snapshot()
    t1 = time.perf_counter()
    load_catalog()
    t2 = time.perf_counter()
    load_catalog()
    t3 = time.perf_counter()
    rows = sum(len(df) for df in cat.tables.values())
    size = sum(p.stat().st_size for p in DEFAULT_SNAPSHOT_DIR.iterdir()) / 1e6
    print(f"snapshot: {rows:,} rows in {len(cat.tables)} tables, {size:.1f} MB on disk")
    print(f"  read_snapshot (read + hash check + validate): {1e3 * (t1 - t0):8.1f} ms")
    print(f"  load_catalog first call:                      {1e3 * (t2 - t1):8.1f} ms")
    print(f"  load_catalog cached call:                     {1e3 * (t3 - t2):8.3f} ms")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mb", type=float, default=300.0, help="size of each generated file")
    ap.add_argument("--keep", type=Path, help="write the generated files here and keep them")
    ap.add_argument("--skip-json-load", action="store_true", help="skip the json.load run")
    ap.add_argument("--skip-snapshot", action="store_true")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if not args.skip_snapshot:
        bench_snapshot()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        bench_offer_files(args.size_mb, args.keep, args.skip_json_load)
    else:
        with tempfile.TemporaryDirectory(prefix="bench_offer_") as tmp:
            bench_offer_files(args.size_mb, Path(tmp), args.skip_json_load)


if __name__ == "__main__":
    main()

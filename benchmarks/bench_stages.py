"""Where a warm ``recommend()`` spends its CPU time, stage by stage, on a shared machine.

``bench_recommend.py`` gives the latency; this gives its parts over the same mixed set
(goldens, presets, generated profiles): the engine's steps (compute selection, data stores,
network, trade-offs, bundle, monitoring, prices...) and the compute pipeline's stages (the
table and its filters, the narrowing stages, ranking, serverless candidates, the options
shown).  Each stage's CPU time (``time.process_time_ns``, what other processes disturb
least) is summed over a pass of the set, and the least of ``--passes`` passes is printed per
call: a load spike lengthens a pass, never shortens it.  Nested stages overlap (the compute
stages are inside ``select_compute``; ``rank_others`` and ``_options`` are every call the
engine makes of them, inside ``_data_stores``, ``_network`` and ``_data_out`` as well as the
trade-offs'); the shares are of the whole call.

The stages are timed inline, in the call, not replayed in a loop: a function timed alone in
a loop runs with its code and data in the CPU caches and costs about half what it costs
inside a call, so only inline figures add up to the call.

Usage::

    python benchmarks/bench_stages.py               # 7 passes over 238 profiles
    python benchmarks/bench_stages.py --passes 11 --generated 500
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_recommend import generated_profiles  # noqa: E402
from machine import reference_line  # noqa: E402

from catalog.store import load_catalog  # noqa: E402
from recommender import recommend  # noqa: E402
from recommender.core.profile import parse_profile  # noqa: E402

#: (module whose global is called, name): the engine's steps, then the compute stages.
ENGINE_STEPS = [
    ("recommender.core.engine", n) for n in (
        "parse_profile", "region_options", "derive_need", "select_compute", "_data_stores",
        "_network", "tradeoff_options", "rank_others", "_options", "bundle_host",
        "build_bundle", "monitoring_for", "prices_used", "why_not", "_data_out",
        "RecommendationResponse")]
COMPUTE_STAGES = [
    ("recommender.rules.compute.select", n) for n in (
        "build_table", "rank_stage", "serverless_candidates", "options_stage", "_job_stage",
        "instance_store_pick")]


def _timed(f: Callable[..., Any], name: str, acc: Counter[str]) -> Callable[..., Any]:
    def w(*a: Any, **k: Any) -> Any:
        t = time.process_time_ns()
        try:
            return f(*a, **k)
        finally:
            acc[name] += time.process_time_ns() - t
    w.__name__ = name
    return w


def instrument(acc: Counter[str]) -> None:
    """Wrap every step and stage (module globals, and the narrowing stages' tuple)."""
    for mod_name, name in ENGINE_STEPS + COMPUTE_STAGES:
        mod = importlib.import_module(mod_name)
        setattr(mod, name, _timed(getattr(mod, name), name, acc))
    sel: Any = importlib.import_module("recommender.rules.compute.select")
    sel.NARROWING_STAGES = tuple(_timed(f, f.__name__, acc) for f in sel.NARROWING_STAGES)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--passes", type=int, default=7, help="passes over the set (least kept)")
    ap.add_argument("--generated", type=int, default=200, help="generated profiles")
    args = ap.parse_args(argv)
    from recommender.presets import get_preset, preset_names

    cat = load_catalog()
    raw = [json.loads(p.read_text()) for p in sorted((REPO / "tests" / "golden").glob(
        "*.profile.json"))]
    raw += [get_preset(n) for n in preset_names()] + generated_profiles(args.generated)
    profiles = [parse_profile(d) for d in raw]
    acc: Counter[str] = Counter()
    instrument(acc)
    for p in profiles:  # warm every path (indexes, memos)
        recommend(p, catalog=cat)
    best: dict[str, int] = {}
    for _ in range(args.passes):
        acc.clear()
        t = time.process_time_ns()
        for p in profiles:
            recommend(p, catalog=cat)
        acc["recommend (whole call)"] = time.process_time_ns() - t
        for k, v in acc.items():
            best[k] = min(best.get(k, v), v)
    n, whole = len(profiles), best["recommend (whole call)"]
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on "
          f"{os.cpu_count()} cores; {n} profiles, least of {args.passes} passes, CPU time")
    print(reference_line())
    compute = {name for _, name in COMPUTE_STAGES} | {
        f.__name__ for f in importlib.import_module(
            "recommender.rules.compute.select").NARROWING_STAGES}
    for k, v in sorted(best.items(), key=lambda kv: -kv[1]):
        tag = "  (compute stage)" if k in compute else ""
        print(f"  {k:28s} {v / n / 1e3:8.1f} us/call {v / whole * 100:5.1f} %{tag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

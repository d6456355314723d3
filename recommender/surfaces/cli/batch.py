"""``recommender recommend-batch``: one response per profile, streamed, on every core.

Reads JSON Lines (or Parquet/CSV of profiles) incrementally and writes JSON Lines (stdout or
``--out x.jsonl``) or Parquet (``--out x.parquet``) incrementally, so memory stays bounded
however large the input is.  A bad line is reported on stderr with its line number and in the
output in its place (``{"line": n, "errors": [...]}``); the good lines are still answered.  The
exit code is non-zero for bad lines only with ``--strict``.

Registered by :mod:`recommender.surfaces.cli.main`; handlers return the exit code and raise
:class:`~recommender.core.errors.UserError` for user mistakes (printed without a traceback).
"""

from __future__ import annotations

import argparse
import sys
from collections import deque
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

from recommender.core.errors import UserError
from recommender.surfaces.cli.batch_io import open_sink, read_rows

#: Bad lines printed on stderr before "... and N more".
MAX_REPORTED = 20


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``recommend-batch`` to the ``recommender`` command."""
    p = subparsers.add_parser(
        "recommend-batch",
        help="recommend for every profile of a JSON Lines/Parquet/CSV file, on every core",
        description="Read one workload profile per line (or row); write one response per line. "
                    "Input and output are streamed, so memory stays bounded.",
    )
    p.add_argument("profiles", metavar="PROFILES",
                   help="JSON Lines file ('-' = stdin), or .parquet / .csv of profiles "
                        "(a 'profile' column of JSON, or dotted columns like compute.vcpus)")
    p.add_argument("--out", metavar="FILE", default=None,
                   help="write here instead of stdout: .jsonl, .parquet (columns line, ok, "
                        "name, region, response JSON, errors JSON), or DIR/ for partitioned "
                        "Parquet (part-00000.parquet, ...)")
    p.add_argument("--format", choices=("json", "table"), default="json",
                   help="stdout format: json (default, one response per line) or a table")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="worker processes (default: all cores; 1 = this process)")
    p.add_argument("--chunksize", type=int, default=None, metavar="N",
                   help="profiles per task (default 64; 256 on Dask)")
    p.add_argument("--dask", metavar="ADDRESS", default=None,
                   help="run on a Dask cluster: tcp://scheduler:8786, or 'local' for a "
                        "LocalCluster of --workers processes (needs the [dask] extra)")
    p.add_argument("--strict", action="store_true",
                   help="exit 1 when any line is bad (the good lines are still written)")
    p.add_argument("--rules-only", action="store_true", help="do not load the model artifacts")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_recommend_batch)


def _recommend_batch(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from recommender.batch import recommend_many_json_chunks

    if args.format == "table" and args.out:
        raise UserError("--format table prints to stdout; drop --out or use --format json")
    source = "stdin" if args.profiles == "-" else args.profiles
    rows = read_rows(args.profiles)
    lines: deque[int] = deque()

    def profiles() -> Iterator[Any]:
        for number, raw in rows:
            lines.append(number)
            yield raw

    bad: list[str] = []  # the first MAX_REPORTED messages: memory stays bounded
    n_bad = 0
    with ExitStack() as stack:
        client = _dask_client(args, stack) if args.dask else None
        sink = stack.enter_context(open_sink(args.out, args.format))
        bar = stack.enter_context(tqdm(desc="profiles", unit="profile", file=sys.stderr,
                                       disable=args.quiet, mininterval=0.5))
        chunks = recommend_many_json_chunks(
            profiles(), workers=args.workers, client=client,
            chunksize=args.chunksize,
            models=False if args.rules_only else None)
        for chunk in chunks:
            numbers = [lines.popleft() for _ in range(len(chunk))]
            for k, error in chunk.errors.items():
                n_bad += 1
                if len(bad) < MAX_REPORTED:
                    rules = "; ".join(e["rule"] if e["field"] == "(profile)"
                                      else f"{e['field']}: {e['rule']}" for e in error.errors)
                    bad.append(f"{source} line {numbers[k]}: {rules}")
            sink.chunk(numbers, chunk)
            bar.update(len(chunk))
    if sink.count == 0 and not n_bad:
        raise UserError(f"{source}: no profiles (one JSON object per line)")
    _report(bad, n_bad, sink.count)
    return 1 if n_bad and args.strict else 0


def _report(bad: list[str], n_bad: int, answered: int) -> None:
    """``n_bad`` invalid profiles on stderr, the first of them (``bad``) by line."""
    if not n_bad:
        return
    more = f"\n  ... and {n_bad - len(bad)} more" if n_bad > len(bad) else ""
    print(f"{n_bad} invalid profile(s) ({answered} answered):\n  "
          + "\n  ".join(bad) + more, file=sys.stderr)


def _dask_client(args: argparse.Namespace, stack: ExitStack) -> Any:
    """A Dask client for ``--dask``: a scheduler address, or ``local`` (closed at the end)."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise UserError("--dask needs the [dask] extra: pip install "
                        "'aws-resource-recommender[dask]'") from None
    if args.dask == "local":
        import dask

        from recommender.batch import default_workers

        # The workers' statistical profiler samples the task thread's stack every 10 ms:
        # nobody reads it here (no dashboard), so it is off (the nanny passes the setting on).
        # The nanny also starts each worker with MALLOC_TRIM_THRESHOLD_=65536, which makes
        # glibc give freed memory back (and fixes the mmap threshold) at every turn: the
        # engine's many short-lived numpy/pandas arrays then page-fault again each profile
        # (2,000 profiles, one worker: 9-14 minor faults a profile against 0.1; the CPU it costs
        # is within the noise at low load, 0-0.2 ms a profile, though 0.4 was measured at load 6).
        # Its thread caps are kept; only that variable is dropped.
        env = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
        env.pop("MALLOC_TRIM_THRESHOLD_", None)
        stack.enter_context(dask.config.set({"distributed.worker.profile.enabled": False,
                                             "distributed.nanny.pre-spawn-environ": env}))
        cluster = stack.enter_context(LocalCluster(
            n_workers=args.workers or default_workers(), threads_per_worker=1,
            processes=True, dashboard_address=None))
        # Results come straight from the workers, not relayed by the scheduler (which would
        # deserialise and serialise every chunk again, in this same process).
        return stack.enter_context(Client(cluster, direct_to_workers=True))
    if not args.dask.startswith(("tcp://", "tls://", "inproc://", "ucx://")):
        raise UserError(f"--dask must be 'local' or a scheduler address like "
                        f"tcp://host:8786; got {args.dask!r}")
    try:
        return stack.enter_context(
            Client(args.dask, timeout=10))
    except (OSError, TimeoutError) as exc:
        raise UserError(f"--dask {args.dask}: cannot reach the scheduler ({exc})") from None

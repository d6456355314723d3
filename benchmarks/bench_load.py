"""Load benchmark of the JSON API: requests/s, errors, latency and the server's RSS over time.

Starts ``uvicorn`` (one worker, or ``--workers N`` through ``recommender serve``) on
127.0.0.1 only, sends ``--requests`` recommendation
requests (the app's presets, in turn) over ``--concurrency`` connections, samples the
server's resident memory every second, then stops the server.  Bounded: the request count
and a wall-clock ``--timeout``.  Issue 12's target: 0 errors and RSS flat after warm-up.

    python3 benchmarks/bench_load.py --requests 20000 --concurrency 32
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import IO

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_mib(pid: int) -> float:
    """Resident set size of ``pid`` (Linux /proc), MiB; with workers, the largest worker's."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = children.read_text().split() if children.exists() else []
    if kids:
        return max(_own_rss_mib(int(k)) for k in kids)
    return _own_rss_mib(pid)


def _own_rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _start_server(port: int, log: IO[bytes], workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    # The server's log goes to a file: a traceback per failed request would otherwise flood
    # the terminal and slow the server; the report quotes its last lines.
    cmd = ([sys.executable, "-m", "recommender", "serve", "--workers", str(workers)]
           if workers > 1 else
           [sys.executable, "-m", "uvicorn", "--factory", "recommender.surfaces.api:create_app",
            "--log-level", "warning", "--no-access-log"])
    proc = subprocess.Popen([*cmd, "--host", "127.0.0.1", "--port", str(port)], cwd=REPO,
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(240):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
            return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit("the server exited during start-up") from None
            time.sleep(0.25)
    proc.kill()
    raise SystemExit("the server did not start within 60 s")


async def _load(url: str, bodies: list[bytes], args: argparse.Namespace,
                pid: int) -> tuple[list[float], dict[str, int], list[tuple[float, float, int]]]:
    import httpx

    latencies: list[float] = []
    errors: dict[str, int] = {}
    samples: list[tuple[float, float, int]] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(args.requests):
        queue.put_nowait(i)
    limits = httpx.Limits(max_connections=args.concurrency)
    headers = {"content-type": "application/json"}
    t0 = time.perf_counter()

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty() and time.perf_counter() - t0 < args.timeout:
            i = queue.get_nowait()
            start = time.perf_counter()
            try:
                r = await client.post("/v1/recommendations", content=bodies[i % len(bodies)],
                                      headers=headers)
                if r.status_code != 200:
                    errors[str(r.status_code)] = errors.get(str(r.status_code), 0) + 1
            except httpx.HTTPError as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
            latencies.append(time.perf_counter() - start)

    async def sampler() -> None:
        while True:
            samples.append((time.perf_counter() - t0, _rss_mib(pid), len(latencies)))
            await asyncio.sleep(1.0)

    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
        task = asyncio.create_task(sampler())
        await asyncio.gather(*(worker(client) for _ in range(args.concurrency)))
        task.cancel()
    samples.append((time.perf_counter() - t0, _rss_mib(pid), len(latencies)))
    return latencies, errors, samples


def _report(latencies: list[float], errors: dict[str, int],
            samples: list[tuple[float, float, int]], args: argparse.Namespace) -> None:
    wall = samples[-1][0]
    lat = sorted(latencies)
    pct = (lambda q: 1e3 * lat[min(len(lat) - 1, int(q * len(lat)))]) if lat else (lambda q: 0)
    print(f"requests: {len(lat)} of {args.requests} in {wall:.1f} s at {args.concurrency} "
          f"connections, {args.workers} uvicorn worker(s), 127.0.0.1")
    print(f"throughput: {len(lat) / wall:.1f} req/s")
    print(f"errors: {sum(errors.values())} {errors or ''}")
    if lat:
        print(f"latency ms: p50 {pct(0.5):.1f}  p90 {pct(0.9):.1f}  p99 {pct(0.99):.1f}  "
              f"max {1e3 * lat[-1]:.1f}")
    print("server RSS over time (s, MiB, requests done):")
    step = max(1, len(samples) // 20)
    for t, rss, n in samples[::step] + ([samples[-1]] if len(samples) % step != 1 else []):
        print(f"  {t:7.1f}  {rss:8.1f}  {n:8d}")
    warm = [rss for t, rss, _ in samples if t >= 0.25 * wall]
    if warm:
        # The three figures issue 12 asks for: memory must stay flat after warm-up.
        print(f"RSS MiB: start {samples[0][1]:.1f}  after warm-up {warm[0]:.1f}  "
              f"end {samples[-1][1]:.1f}")
    if len(warm) >= 2:
        print(f"RSS after warm-up (last 75 %): min {min(warm):.1f}  max {max(warm):.1f}  "
              f"growth {warm[-1] - warm[0]:+.1f} MiB  (median {statistics.median(warm):.1f})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=5000)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--workers", type=int, default=1,
                    help="server processes (default 1; more runs `recommender serve`)")
    ap.add_argument("--timeout", type=float, default=600.0, help="wall-clock bound, seconds")
    args = ap.parse_args()
    if not 1 <= args.requests <= 1_000_000 or not 1 <= args.concurrency <= 512:
        raise SystemExit("--requests must be 1..1,000,000 and --concurrency 1..512")
    if not 1 <= args.workers <= 64:
        raise SystemExit("--workers must be 1..64")
    import json

    try:
        from recommender.presets import get_preset, preset_names
    except ImportError:  # before the presets moved out of the app package
        from recommender.app.presets import get_preset, preset_names

    bodies = [json.dumps(get_preset(n)).encode() for n in preset_names()]
    port = _free_port()
    with tempfile.TemporaryFile() as log:
        server = _start_server(port, log, args.workers)
        try:
            found = asyncio.run(_load(f"http://127.0.0.1:{port}", bodies, args, server.pid))
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        _report(*found, args)
        log.seek(0)
        lines = log.read().decode("utf-8", "replace").splitlines()
    if lines:
        print(f"server log: {len(lines)} lines; the last 5:")
        print("\n".join(f"  {line}" for line in lines[-5:]))


if __name__ == "__main__":
    main()

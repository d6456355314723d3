"""``recommender serve``: run the JSON API under uvicorn, one worker process per core.

uvicorn's ``--workers`` needs an importable app (it starts fresh processes), so the app comes
from :func:`app_factory`, which also loads the catalog, the models and the per-catalog indexes
before the worker accepts its first request (no request pays for the load).  uvloop and
httptools (``uvicorn[standard]``, in the ``[api]`` extra) are used when installed.  Each
worker keeps its good recommendation replies by request body (``--response-cache``), the
access log is off unless asked for, and connections are kept alive (uvicorn's default).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
from collections.abc import Mapping
from typing import Any

from recommender.core.errors import UserError

#: Environment variable that carries ``--response-cache`` to the worker processes (uvicorn
#: starts them afresh and builds each app from :func:`app_factory`, which takes no argument).
CACHE_ENV = "RECOMMENDER_RESPONSE_CACHE_MIB"
#: Default budget of each worker's reply cache, MiB (see recommender.surfaces.api.cache).
DEFAULT_CACHE_MIB = 32


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``serve`` to the ``recommender`` command."""
    s = subparsers.add_parser("serve", help="run the JSON API (FastAPI + uvicorn)")
    s.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    s.add_argument("--workers", type=int, default=None, metavar="N",
                   help="worker processes (default: all cores)")
    s.add_argument("--response-cache", type=int, default=None, metavar="MIB",
                   help="per-worker cache of good recommendation replies, keyed by the request "
                        f"body, in MiB (default {DEFAULT_CACHE_MIB}; 0 = off)")
    s.add_argument("--access-log", action="store_true",
                   help="log every request (off by default: it costs CPU on the hot route)")
    s.set_defaults(func=_serve)


def app_factory() -> Any:
    """The API with the embedded catalog and default models loaded and warmed (per worker).

    Every preset is answered once, so each per-catalog index and cache (EC2, Lambda,
    databases, storage, the price book) is built before the first request; then the loaded
    objects are moved out of the collector's reach (``gc.freeze``): a full collection over
    them costs about 0.1 s, which would otherwise land on some request's latency.
    """
    import gc

    from catalog import load_catalog
    from recommender.core.engine import recommend, resolve_models
    from recommender.presets import get_preset, preset_names
    from recommender.surfaces.api import create_app

    catalog = load_catalog()
    resolve_models(None)
    recommend({"compute": {"vcpus": 2, "memory_gib": 4}}, catalog=catalog)  # build indexes
    for name in preset_names():
        recommend(get_preset(name), catalog=catalog)
    app = create_app(catalog, response_cache_bytes=cache_mib() * 1024 * 1024)
    gc.collect()
    gc.freeze()
    return app


def cache_mib(env: Mapping[str, str] | None = None) -> int:
    """The reply cache budget in MiB: ``RECOMMENDER_RESPONSE_CACHE_MIB``, else the default."""
    raw = (os.environ if env is None else env).get(CACHE_ENV, "").strip()
    if not raw:
        return DEFAULT_CACHE_MIB
    if not raw.isdigit():
        raise UserError(f"{CACHE_ENV}={raw!r}: expected a whole number of MiB (0 = off)")
    return int(raw)


def uvicorn_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments given to ``uvicorn.run`` for these command-line arguments."""
    from recommender.batch import default_workers

    if not 0 < args.port < 65536:
        raise UserError(f"--port must be between 1 and 65535; got {args.port}")
    workers = default_workers() if args.workers is None else args.workers
    if workers < 1:
        raise UserError(f"--workers must be at least 1; got {workers}")
    cache = getattr(args, "response_cache", None)
    if cache is not None and cache < 0:
        raise UserError(f"--response-cache must be at least 0 MiB; got {cache}")
    have = importlib.util.find_spec
    return {
        "host": args.host, "port": args.port, "workers": workers, "factory": True,
        "loop": "uvloop" if have("uvloop") else "asyncio",
        "http": "httptools" if have("httptools") else "h11",
        "access_log": args.access_log, "log_level": "info",
    }


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    options = uvicorn_options(args)
    if args.response_cache is not None:  # read by app_factory in every worker process
        os.environ[CACHE_ENV] = str(args.response_cache)
    cache_mib()  # a bad value in the environment is reported here, not by each worker
    uvicorn.run("recommender.surfaces.cli.serve:app_factory", **options)
    return 0

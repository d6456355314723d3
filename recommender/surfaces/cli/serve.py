"""``recommender serve``: run the JSON API under uvicorn, one worker process per core.

uvicorn's ``--workers`` needs an importable app (it starts fresh processes), so the app comes
from :func:`app_factory`, which also loads the catalog, the models and the per-catalog indexes
before the worker accepts its first request (no request pays for the load).  uvloop and
httptools (``uvicorn[standard]``, in the ``[api]`` extra) are used when installed.
"""

from __future__ import annotations

import argparse
import importlib.util
from typing import Any

from recommender.core.errors import UserError


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``serve`` to the ``recommender`` command."""
    s = subparsers.add_parser("serve", help="run the JSON API (FastAPI + uvicorn)")
    s.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    s.add_argument("--workers", type=int, default=None, metavar="N",
                   help="worker processes (default: all cores)")
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
    app = create_app(catalog)
    gc.collect()
    gc.freeze()
    return app


def uvicorn_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments given to ``uvicorn.run`` for these command-line arguments."""
    from recommender.batch import default_workers

    if not 0 < args.port < 65536:
        raise UserError(f"--port must be between 1 and 65535; got {args.port}")
    workers = default_workers() if args.workers is None else args.workers
    if workers < 1:
        raise UserError(f"--workers must be at least 1; got {workers}")
    have = importlib.util.find_spec
    return {
        "host": args.host, "port": args.port, "workers": workers, "factory": True,
        "loop": "uvloop" if have("uvloop") else "asyncio",
        "http": "httptools" if have("httptools") else "h11",
        "access_log": args.access_log, "log_level": "info",
    }


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    uvicorn.run("recommender.surfaces.cli.serve:app_factory", **uvicorn_options(args))
    return 0

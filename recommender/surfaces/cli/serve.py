"""``recommender serve``: run the JSON API under uvicorn."""

from __future__ import annotations

import argparse

from recommender.core.errors import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``serve`` to the ``recommender`` command."""
    s = subparsers.add_parser("serve", help="run the JSON API (FastAPI + uvicorn)")
    s.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    s.set_defaults(func=_serve)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from recommender.surfaces.api import create_app

    if not 0 < args.port < 65536:
        raise UserError(f"--port must be between 1 and 65535; got {args.port}")
    uvicorn.run(create_app(), host=args.host, port=args.port)
    return 0

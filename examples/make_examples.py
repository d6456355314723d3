"""Regenerate the example files the README's commands name, from the presets.

Run from the repository root: ``python examples/make_examples.py``.  It writes
``examples/profile.json`` (the web-app preset), ``examples/profiles.jsonl`` (every preset, one
per line) and ``examples/response.json`` (the recommendation for ``profile.json`` on the
embedded catalog).  Each file is written to a temporary file first and then moved into place.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from recommender.core.engine import recommend
from recommender.presets import get_preset, preset_names

HERE = Path(__file__).resolve().parent


def _write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.chmod(tmp, 0o644)  # mkstemp makes 0600; these are files to read and share
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main() -> None:
    """Write the three example files next to this script."""
    profile = get_preset("web_app")
    _write(HERE / "profile.json", json.dumps(profile, indent=2) + "\n")
    _write(HERE / "profiles.jsonl",
           "".join(json.dumps(get_preset(n)) + "\n" for n in preset_names()))
    response = recommend(profile).model_dump_json(indent=2)
    _write(HERE / "response.json", response + "\n")
    sys.stdout.write(f"wrote {HERE}: profile.json, profiles.jsonl, response.json\n")


if __name__ == "__main__":
    main()

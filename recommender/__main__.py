"""``python -m recommender`` is the same as the ``recommender`` console script."""

from __future__ import annotations

import sys

from recommender.surfaces.cli.main import main

sys.exit(main())

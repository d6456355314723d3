"""The ``recommender`` command line: one module per area of commands."""

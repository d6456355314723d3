"""The small base that both ``catalog`` and ``recommender`` build on.

It imports neither of them: base errors (:mod:`.errors`) and file integrity (:mod:`.integrity`).
"""

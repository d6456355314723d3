"""Recommend for many profiles: in order, on every core or on a Dask cluster.

:func:`recommend_many` yields one result per input profile, in input order: a
:class:`~recommender.core.response.RecommendationResponse`, or an :class:`ItemError` naming the
fields and rules a profile broke.  A bad profile never stops the run.

* ``workers=1``: in this process.
* ``workers=N`` (default: all cores): N worker processes forked after this process has
  loaded the catalog, the models and the per-catalog indexes (so they share those pages;
  where ``fork`` is missing, an initializer loads them once per worker); each answers
  chunks of ``chunksize`` profiles.  At most ``2 * N`` chunks are in flight, so memory
  stays bounded however long the input is (the input is read lazily, as an iterator).
* ``client=`` a ``dask.distributed.Client``: the chunks are submitted to the cluster the same
  way (bounded, in order); each Dask worker process loads its catalog once (a per-process
  cache).  The workers need the same package versions as the client (see the README).
  Dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which makes this engine
  page-fault ~10 times a profile (0-0.2 ms of CPU); ``recommend-batch --dask local`` drops it
  (an existing cluster can too: ``distributed.nanny.pre-spawn-environ`` in its Dask config).

:func:`recommend_many_json` is the same engine with each response already serialised to JSON
by the worker; :func:`recommend_many_json_chunks` gives those answers a chunk at a time, the
good ones' JSON Lines already joined into one ``bytes`` (what ``recommend-batch`` writes), so
the parent process moves one object per chunk, not one per profile.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import pickle
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, ClassVar, Literal

from pydantic import ValidationError

from catalog.errors import CatalogError
from foundation.errors import UserError
from recommender.core.engine import recommend, resolve_models
from recommender.core.errors import ProfileError
from recommender.core.profile import WorkloadProfile
from recommender.core.response import RecommendationResponse

#: Profiles per task: large enough that the inter-process hop is a few percent of the work.
DEFAULT_CHUNKSIZE = 64

#: Profiles per task on Dask, where a task costs more (scheduler, client, worker bookkeeping:
#: 8,000 profiles on a 2-worker LocalCluster, main process 0.31-0.32 ms a profile at 64 against
#: 0.15-0.21 at 256, the workers 3.8-3.9 against 3.0-3.5; 1,024 was no better).
DEFAULT_DASK_CHUNKSIZE = 256

#: What a task returns: one response per profile, or one :class:`JsonChunk` per chunk.
Mode = Literal["response", "chunk"]


@dataclass(frozen=True)
class ItemError:
    """A profile that could not be answered: its position and each field and rule it broke.

    The input itself is never echoed (a profile can be large or private).
    """

    index: int
    errors: list[dict[str, str]] = field(default_factory=list)

    ok: ClassVar[bool] = False

    def to_dict(self) -> dict[str, Any]:
        """``{"index": i, "errors": [{"field": ..., "rule": ...}]}``."""
        return {"index": self.index, "errors": self.errors}


@dataclass(frozen=True, slots=True)
class JsonAnswer:
    """A response serialised by the worker, with the fields a table of results needs."""

    index: int
    json: str
    name: str | None
    region: str | None

    ok: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class JsonChunk:
    """The answers to ``len(ends)`` consecutive profiles from ``start``, as one worker wrote
    them: ``body`` holds each good answer's JSON followed by a newline, in order; profile
    ``k``'s line is ``body[ends[k - 1]:ends[k]]`` (empty for a bad profile, whose
    :class:`ItemError` is ``errors[k]``).  One object crosses the process boundary per chunk.
    """

    start: int
    body: bytes
    ends: tuple[int, ...]
    names: tuple[str | None, ...]
    regions: tuple[str | None, ...]
    errors: dict[int, ItemError]

    def __len__(self) -> int:
        return len(self.ends)

    def lines(self) -> Iterator[tuple[bytes, ItemError | None]]:
        """Per profile, in order: its line of ``body`` (JSON + newline; empty for a bad
        profile) and its :class:`ItemError` (None for a good one).  The one place that
        slices ``body`` by ``ends``: every reader of a chunk goes through it."""
        begin = 0
        for k, end in enumerate(self.ends):
            yield self.body[begin:end], self.errors.get(k)
            begin = end

    def answers(self) -> Iterator[JsonAnswer | ItemError]:
        """One :class:`JsonAnswer` or :class:`ItemError` per profile, in order."""
        for k, (line, bad) in enumerate(self.lines()):
            if bad is not None:
                yield bad
            else:
                text = line[:-1].decode("utf-8")  # without the newline
                yield JsonAnswer(self.start + k, text, self.names[k], self.regions[k])


def default_workers() -> int:
    """The cores this process may run on (the CPU affinity mask, else ``os.cpu_count()``)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def recommend_many(
    profiles: Iterable[Any],
    *,
    workers: int | None = None,
    client: Any = None,
    chunksize: int | None = None,
    catalog: Any = None,
    models: Any = None,
) -> Iterator[RecommendationResponse | ItemError]:
    """Recommend for every profile; one result per profile, in input order.

    Parameters
    ----------
    profiles : iterable
        Profiles as dicts, JSON text or :class:`~recommender.core.profile.WorkloadProfile`;
        read lazily (a generator over a huge file is fine).
    workers : int, optional
        Worker processes; default all cores; 1 runs in this process.  Ignored with ``client``.
    client : dask.distributed.Client, optional
        Run the chunks on this Dask cluster instead of local processes.
    chunksize : int, optional
        Profiles per task (default :data:`DEFAULT_CHUNKSIZE`, on Dask
        :data:`DEFAULT_DASK_CHUNKSIZE`).
    catalog : catalog.store.Catalog, optional
        The catalog (default: the embedded snapshot).  Dask workers always load their own.
    models : optional
        As for :func:`~recommender.core.engine.recommend`: None for the default bundle,
        False for the rules only (the only two choices on Dask).

    Yields
    ------
    RecommendationResponse or ItemError
    """
    yield from _run(profiles, mode="response", workers=workers, client=client,
                    chunksize=chunksize, catalog=catalog, models=models)


def recommend_many_json(
    profiles: Iterable[Any],
    *,
    workers: int | None = None,
    client: Any = None,
    chunksize: int | None = None,
    catalog: Any = None,
    models: Any = None,
) -> Iterator[JsonAnswer | ItemError]:
    """:func:`recommend_many` with each response serialised to JSON by the worker."""
    for chunk in recommend_many_json_chunks(profiles, workers=workers, client=client,
                                            chunksize=chunksize, catalog=catalog,
                                            models=models):
        yield from chunk.answers()


def recommend_many_json_chunks(
    profiles: Iterable[Any],
    *,
    workers: int | None = None,
    client: Any = None,
    chunksize: int | None = None,
    catalog: Any = None,
    models: Any = None,
) -> Iterator[JsonChunk]:
    """:func:`recommend_many_json` a chunk at a time (:class:`JsonChunk`, in input order)."""
    yield from _run(profiles, mode="chunk", workers=workers, client=client,
                    chunksize=chunksize, catalog=catalog, models=models)


# --------------------------------------------------------------------------- the engine


def _run(profiles: Iterable[Any], *, mode: Mode, workers: int | None, client: Any,
         chunksize: int | None, catalog: Any, models: Any) -> Iterator[Any]:
    if chunksize is None:
        chunksize = DEFAULT_CHUNKSIZE if client is None else DEFAULT_DASK_CHUNKSIZE
    if chunksize < 1:
        raise UserError(f"chunksize must be at least 1; got {chunksize}")
    if workers is not None and workers < 1:
        raise UserError(f"workers must be at least 1; got {workers}")
    chunks = _chunks(profiles, chunksize)
    if client is not None:
        if models not in (None, False):
            raise UserError("on Dask, models must be None (the default bundle) or False")
        n = max(1, len(client.scheduler_info().get("workers", {})))
        submit = _dask_submitter(client, mode, models)
        yield from _in_order(chunks, submit, window=2 * n + 1)
        return
    n = default_workers() if workers is None else workers
    if n == 1:
        state = _load_state(catalog, models)
        for start, items in chunks:
            yield from _answer_chunk(start, items, mode, state)
        return
    with _pool(n, catalog, models) as pool:
        def submit(chunk: tuple[int, list[Any]]) -> Future[list[Any]]:
            return pool.submit(_worker_chunk, chunk[0], chunk[1], mode)

        yield from _in_order(chunks, submit, window=2 * n)


@contextmanager
def _pool(n: int, catalog: Any, models: Any) -> Iterator[ProcessPoolExecutor]:
    """N worker processes holding the loaded state.

    Where ``fork`` exists, the state is loaded and warmed *here*, then the workers are forked
    from it: they start at once and share its pages (the catalog's arrays, the models and the
    indexes) instead of each loading a copy.  ``gc.freeze`` keeps the collector from touching
    (and so copying) those objects in the children.  Elsewhere each worker loads its own.

    No ``gc.collect()`` before the freeze: a full collection over the loaded state took
    0.2-0.57 s of the serial start (load 0-12) and found 0-128 unreachable objects, RSS
    unchanged (88 MiB); the ``gc`` docs advise only ``freeze`` before a fork, a collection
    leaving freed holes in the pages the workers share.
    """
    if "fork" not in multiprocessing.get_all_start_methods():  # pragma: no cover - not Linux
        with ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=_init_worker, initargs=(catalog, models)) as pool:
            yield pool
        return
    _WORKER["state"] = _load_state(catalog, models)
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=n,
                                 mp_context=multiprocessing.get_context("fork")) as pool:
            # Fork every worker now, while only this thread runs and the state is warm.
            for f in [pool.submit(_ready) for _ in range(n)]:
                f.result()
            yield pool
    finally:
        gc.unfreeze()
        _WORKER.pop("state", None)


def _chunks(profiles: Iterable[Any], size: int) -> Iterator[tuple[int, list[Any]]]:
    it, start = iter(profiles), 0
    while chunk := list(islice(it, size)):
        yield start, chunk
        start += len(chunk)


def _in_order(chunks: Iterator[tuple[int, list[Any]]], submit: Callable[[Any], Any],
              window: int) -> Iterator[Any]:
    """Keep at most ``window`` chunks in flight; yield their results in submission order."""
    pending: deque[Any] = deque()
    for chunk in chunks:
        pending.append(submit(chunk))
        if len(pending) >= window:
            yield from pending.popleft().result()
    while pending:
        yield from pending.popleft().result()


# --------------------------------------------------------------------------- one chunk


@dataclass
class _State:
    catalog: Any
    models: Any


def _answer_chunk(start: int, items: list[Any], mode: Mode, state: _State) -> list[Any]:
    if mode == "chunk":
        return [_json_chunk(start, items, state)]
    return [_answer(start + k, raw, state) for k, raw in enumerate(items)]


def _json_chunk(start: int, items: list[Any], state: _State) -> JsonChunk:
    """One chunk's answers serialised once (pydantic straight to bytes) and joined."""
    parts: list[bytes] = []
    ends: list[int] = []
    names: list[str | None] = []
    regions: list[str | None] = []
    errors: dict[int, ItemError] = {}
    size = 0
    for k, raw in enumerate(items):
        result = _answer(start + k, raw, state)
        if isinstance(result, ItemError):
            errors[k] = result
            names.append(None)
            regions.append(None)
        else:
            parts.append(result.__pydantic_serializer__.to_json(result) + b"\n")
            size += len(parts[-1])
            names.append(result.name)
            regions.append(result.region)
        ends.append(size)
    return JsonChunk(start, b"".join(parts), tuple(ends), tuple(names), tuple(regions), errors)


def _answer(index: int, raw: Any, state: _State) -> RecommendationResponse | ItemError:
    try:
        if isinstance(raw, str | bytes | bytearray):
            raw = _parse(raw)
        resp = recommend(raw, catalog=state.catalog, models=False if state.models is None
                         else state.models)
    except ProfileError as exc:
        errors = getattr(exc, "errors", None) or [{"field": "(profile)", "rule": str(exc)}]
        return ItemError(index, list(errors))
    except CatalogError:
        raise  # the deployment's problem (snapshot missing or altered), not this profile's
    except UserError as exc:
        return ItemError(index, [{"field": "(profile)", "rule": str(exc)}])
    except Exception as exc:  # noqa: BLE001 - one profile's failure must not stop the run
        return ItemError(index, [{"field": "(profile)",
                                  "rule": f"internal error ({type(exc).__name__}); please "
                                          "report it with this profile"}])
    return resp


def _parse(text: str | bytes | bytearray) -> Any:
    """A JSON profile validated straight from its text (pydantic's JSON parser: one pass,
    no intermediate dicts, about 35 us a profile less than ``json.loads`` + validation).
    A profile it refuses goes the long way (:func:`_decode`, then ``recommend`` validates
    the dict), so a bad line is reported with exactly the same words as before."""
    try:
        return WorkloadProfile.model_validate_json(text)
    except ValidationError:
        return _decode(text)


def _decode(text: str | bytes | bytearray) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProfileError(f"not JSON ({exc.msg} at column {exc.colno})") from None
    except ValueError:  # bytes that are not UTF-8
        raise ProfileError("not JSON (not UTF-8 text)") from None


# --------------------------------------------------------------------------- worker state

_WORKER: dict[str, _State] = {}
_WORKER_LOCK = threading.Lock()


def _load_state(catalog: Any, models: Any) -> _State:
    """The catalog (default: the snapshot), the models and the per-catalog indexes, loaded."""
    from catalog.store import load_catalog

    cat = catalog if catalog is not None else load_catalog()
    state = _State(catalog=cat, models=resolve_models(models))
    _warm(state)
    return state


def _init_worker(catalog: Any, models: Any) -> None:
    """Load the state once in a worker process (the pool's initializer)."""
    _WORKER["state"] = _load_state(catalog, models)


def _warm(state: _State) -> None:
    # The presets (and one small profile) build every per-catalog index before the first real
    # chunk arrives, and before the workers are forked, so they share them.
    from recommender.presets import get_preset, preset_names

    models = False if state.models is None else state.models
    for profile in [{"compute": {"vcpus": 2, "memory_gib": 4}},
                    *(get_preset(name) for name in preset_names())]:
        recommend(profile, catalog=state.catalog, models=models)


def _ready() -> bool:
    return "state" in _WORKER


def _worker_chunk(start: int, items: list[Any], mode: Mode) -> list[Any]:
    return _answer_chunk(start, items, mode, _WORKER["state"])


def _dask_chunk(start: int, items: list[Any], mode: Mode, models: Any) -> bytes:
    """Run one chunk on a Dask worker; the worker process loads its state on first use.

    The answers go back as one pickled blob: Dask serialises a list element by element
    (a header and a frame each), which cost the client about 0.3 ms per profile.
    """
    key = f"state-{models!r}"
    with _WORKER_LOCK:  # threads of one Dask worker share the process' state
        if key not in _WORKER:
            _WORKER[key] = _load_state(None, models)
            # As in a forked worker: the collector stops walking the loaded state (a full
            # collection over it and Dask's own objects costs ~0.1 s, many times a run).
            gc.collect()
            gc.freeze()
    return pickle.dumps(_answer_chunk(start, items, mode, _WORKER[key]),
                        protocol=pickle.HIGHEST_PROTOCOL)


@dataclass(frozen=True)
class _Unpickled:
    """A Dask future of a pickled chunk whose ``result()`` is the chunk's answers."""

    future: Any

    def result(self) -> list[Any]:
        return list(pickle.loads(self.future.result()))  # noqa: S301 - our own workers' blob


def _dask_submitter(client: Any, mode: Mode, models: Any) -> Callable[[Any], Any]:
    def submit(chunk: tuple[int, list[Any]]) -> _Unpickled:
        return _Unpickled(client.submit(_dask_chunk, chunk[0], chunk[1], mode, models,
                                        pure=False))

    return submit


__all__ = ["DEFAULT_CHUNKSIZE", "DEFAULT_DASK_CHUNKSIZE", "ItemError", "JsonAnswer", "JsonChunk",
           "default_workers", "recommend_many", "recommend_many_json", "recommend_many_json_chunks"]

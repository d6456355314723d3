"""A snapshot's tables, each turned into a DataFrame when first asked for.

:func:`catalog.store.read_snapshot` checks every table file's bytes against the manifest (its
sha256, its Parquet footer's row count) when it reads the snapshot; a table whose verified
bytes passed the schema check before (:mod:`catalog.validated`'s marker) need not be parsed
until a caller uses it.  A compute-only ``recommender recommend`` never reads three of the ten
tables (``ebs``, ``database``, ``ec2_commitments``: about 20 ms a process).

:class:`LazyTables` is a ``dict`` whose values may be :class:`Pending` parsers; every way of
reading a value (``[]``, ``get``, ``items``, ``values``, iteration then indexing, ``dict(t)``,
``{**t}``, ``copy``, ``pop``, pickling) parses it first, once, under a lock, so no caller
ever sees a parser.  Iterating over the keys parses nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

#: What ``pop`` returns for a missing key when no default is given (raise ``KeyError``).
_NO_DEFAULT = object()


class Pending:
    """A table not parsed yet: ``parse()`` gives its DataFrame (checked as an eager read is)."""

    __slots__ = ("parse",)

    def __init__(self, parse: Callable[[], Any]) -> None:
        self.parse = parse

    def __repr__(self) -> str:
        return "<table parsed on first use>"


class LazyTables(dict):  # dict[str, DataFrame] to its users
    """Table name -> DataFrame; a :class:`Pending` value is parsed on first access."""

    def __init__(self, tables: dict[str, Any]) -> None:
        super().__init__(tables)
        self._lock = threading.Lock()

    def __getitem__(self, name: str) -> Any:
        value = dict.__getitem__(self, name)
        if isinstance(value, Pending):
            with self._lock:  # one parse, even when two threads ask at once
                value = dict.__getitem__(self, name)
                if isinstance(value, Pending):
                    value = value.parse()
                    dict.__setitem__(self, name, value)
        return value

    def __iter__(self) -> Iterator[str]:
        # Defined so that ``dict(t)`` and ``{**t}`` take the keys-then-``[]`` path (CPython
        # copies a dict subclass's raw values when it keeps dict's own iterator).
        return iter(list(dict.keys(self)))

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self else default  # noqa: SIM401 - self.get is this

    def items(self) -> list[tuple[str, Any]]:  # type: ignore[override]  # parsed, not a view
        return [(name, self[name]) for name in list(dict.keys(self))]

    def values(self) -> list[Any]:  # type: ignore[override]  # parsed, not a view
        return [self[name] for name in list(dict.keys(self))]

    def copy(self) -> dict[str, Any]:
        return dict(self.items())

    def pop(self, name: str, default: Any = _NO_DEFAULT) -> Any:
        if name not in self:
            if default is _NO_DEFAULT:
                raise KeyError(name)
            return default
        value = self[name]
        dict.pop(self, name)
        return value

    def popitem(self) -> tuple[str, Any]:
        name = next(reversed(list(dict.keys(self))))
        return name, self.pop(name)

    def setdefault(self, name: str, default: Any = None) -> Any:
        if name in self:
            return self[name]
        dict.__setitem__(self, name, default)
        return default

    def __eq__(self, other: object) -> bool:
        return dict(self.items()) == other

    __hash__ = None  # as dict's

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (dict(self.items()),))

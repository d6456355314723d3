"""A per-process cache of the hot route's good answers, keyed by the raw request body.

``recommend()`` is a pure function of the profile, the catalog and the model bundle: no
clock, no randomness, no request header enters the answer (docs/CONTRACT.md, section 2).
So two requests with the same body bytes, answered from the same catalog and bundle, get
the same reply; the cache keeps the reply's bytes and headers (about 0.05 ms to send,
against 2-8 ms to compute for a small profile and the web-app preset).

* Only the hot route's 200 replies are kept; an error always takes the full stack.
* The catalog and the bundle the replies were computed from are held (by identity): when
  either changes (a retrained or repaired artifact is picked up without a restart, or a
  new catalog is given), the cache is emptied before it answers.
* Bounded: at most ``max_bytes`` of bodies and replies together (least recently used
  evicted first); a body over :data:`MAX_KEY_BYTES`, or a reply over an eighth of the
  budget, is not kept.  ``max_bytes=0`` turns it off.

It runs on the event loop of one worker process (the hot route never leaves the loop), so
it needs no lock; each ``serve`` worker has its own.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

#: Default budget per worker process: about 700 web-app replies (46 KB) or 4,000 small ones.
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
#: Request bodies longer than this are not kept (a key is held as long as its reply).
MAX_KEY_BYTES = 64 * 1024

Reply = tuple[bytes, list[tuple[bytes, bytes]]]


class ResponseCache:
    """LRU of ``body -> (reply bytes, headers)`` for one catalog and one model bundle.

    Parameters
    ----------
    max_bytes : int
        Budget for bodies and replies together; 0 keeps nothing.
    """

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        if max_bytes < 0:
            raise ValueError(f"max_bytes must be at least 0; got {max_bytes}")
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[bytes, Reply] = OrderedDict()
        self._sources: tuple[Any, Any] | None = None  # (catalog, bundle) of the entries
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, body: bytes, catalog: Any, bundle: Any) -> Reply | None:
        """The reply kept for ``body`` from this catalog and bundle, or None."""
        if not self.max_bytes:
            return None
        self._check_sources(catalog, bundle)
        found = self._entries.get(body)
        if found is None:
            self.misses += 1
            return None
        self._entries.move_to_end(body)
        self.hits += 1
        return found

    def put(self, body: bytes, catalog: Any, bundle: Any, reply: Reply) -> None:
        """Keep ``reply`` for ``body`` (computed from ``catalog`` and ``bundle``)."""
        if not self.max_bytes or len(body) > MAX_KEY_BYTES:  # (off: nothing to count)
            return
        cost = _cost(body, reply)
        if cost > self.max_bytes // 8 or body in self._entries:
            return
        self._check_sources(catalog, bundle)
        self._entries[body] = reply
        self.size += cost
        while self.size > self.max_bytes:
            old_body, old_reply = self._entries.popitem(last=False)
            self.size -= _cost(old_body, old_reply)

    def clear(self) -> None:
        """Forget every reply."""
        self._entries.clear()
        self.size = 0

    def _check_sources(self, catalog: Any, bundle: Any) -> None:
        # Identity, not equality: a reloaded bundle or catalog is a new object.
        held = self._sources
        if held is None or held[0] is not catalog or held[1] is not bundle:
            self.clear()
            self._sources = (catalog, bundle)


def _cost(body: bytes, reply: Reply) -> int:
    """Bytes an entry holds: the key, the reply and its headers (plus a small overhead)."""
    payload, headers = reply
    return len(body) + len(payload) + sum(len(k) + len(v) for k, v in headers) + 256

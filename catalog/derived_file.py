"""The file layout of :mod:`catalog.derived_cache`: one JSON header, then raw array bytes.

``MAGIC``, the header's length (8 bytes, little-endian), the JSON header (the cache's own
description of the value and, per array, its dtype, shape, offset and length), the arrays'
bytes, each at an offset aligned to :data:`ALIGN`, and a CRC-32 of everything before it.
Reading is one ``bytes`` object and a ``np.frombuffer`` view per array: no ``zipfile`` member
and no ``np.lib.format`` header to parse per array (the ``.npz`` files this replaced cost a
warm ``recommender recommend`` ~0.1 s for its 377 arrays).  Only dtypes of booleans, numbers
and fixed-width text in this machine's byte order are written or read, so no object array
(a pickle) is ever loaded: reading a file cannot run code.
"""

from __future__ import annotations

import json
import math
import zlib
from typing import Any

import numpy as np

#: The first bytes of a file.
MAGIC = b"RECOMMENDER-DERIVED\0"
#: Array dtype kinds written and read: booleans, integers, floats, fixed-width text.
KINDS = "biufU"
#: Byte alignment of every array in a file (so each view is aligned for its dtype).
ALIGN = 64


class NotStorable(ValueError):
    """A value the cache cannot store exactly (it is then simply not cached), or a file it
    cannot take (damaged or foreign: the index is then built afresh)."""


def pack(meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> bytes:
    """The file bytes of header ``meta`` and ``arrays`` (the layout: module docstring)."""
    table: dict[str, list[Any]] = {}
    blobs: list[bytes] = []
    at = 0
    for key, a in arrays.items():
        a = np.ascontiguousarray(a)
        if a.dtype.hasobject or a.dtype.kind not in KINDS or not a.dtype.isnative:
            raise NotStorable(f"{key}: dtype {a.dtype} is not stored")
        pad = -at % ALIGN
        blobs.append(b"\0" * pad)
        at += pad
        table[key] = [a.dtype.str, list(a.shape), at, a.nbytes]
        blobs.append(a.tobytes())
        at += a.nbytes
    head = json.dumps({"meta": meta, "arrays": table}).encode()
    body = b"".join([MAGIC, len(head).to_bytes(8, "little"), head, *blobs])
    return body + zlib.crc32(body).to_bytes(4, "little")


class Arrays:
    """The arrays of a file by key: read-only views of its bytes, each checked (a dtype of
    numbers, booleans or fixed-width text only, in this machine's byte order: no object, so
    no pickle, is ever read)."""

    def __init__(self, data: bytes) -> None:
        if len(data) < len(MAGIC) + 12 or not data.startswith(MAGIC):
            raise NotStorable("not a derived-index file")
        body, crc = memoryview(data)[:-4], data[-4:]
        if zlib.crc32(body).to_bytes(4, "little") != crc:
            raise NotStorable("damaged derived-index file (checksum)")
        n = int.from_bytes(data[len(MAGIC):len(MAGIC) + 8], "little")
        start = len(MAGIC) + 8
        head = json.loads(bytes(body[start:start + n]).decode("utf-8"))
        if not isinstance(head, dict) or not isinstance(head.get("arrays"), dict):
            raise NotStorable("damaged derived-index header")
        self.meta: Any = head.get("meta")
        self._table: dict[str, Any] = head["arrays"]
        self._blobs = body[start + n:]

    def __getitem__(self, key: str) -> np.ndarray:
        entry = self._table.get(key)
        if not (isinstance(entry, list) and len(entry) == 4 and isinstance(entry[0], str)):
            raise NotStorable(f"{key}: missing or damaged array entry")
        dtype_str, shape, offset, nbytes = entry
        dtype = np.dtype(dtype_str)
        if (dtype.hasobject or dtype.kind not in KINDS or dtype.str != dtype_str
                or not dtype.isnative):
            raise NotStorable(f"{key}: dtype {dtype_str!r} is not read")
        if not (isinstance(shape, list) and all(type(d) is int and d >= 0 for d in shape)
                and type(offset) is int and type(nbytes) is int
                and nbytes == math.prod(shape) * dtype.itemsize
                and 0 <= offset <= offset + nbytes <= len(self._blobs)):
            raise NotStorable(f"{key}: damaged array entry")
        count = nbytes // dtype.itemsize if dtype.itemsize else 0
        return np.frombuffer(self._blobs, dtype=dtype, count=count,
                             offset=offset).reshape(shape)

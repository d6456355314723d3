"""Streaming readers and writers of ``recommend-batch``: one row at a time, never the file.

Readers yield ``(line_number, profile)``; a JSON Lines profile stays raw bytes so the worker
process parses it (the parent only moves bytes).  Writers go to a temporary file next to the
target and replace it when complete (a crash leaves the old file or none, never half a file).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any, ClassVar

from recommender.core.errors import UserError

#: Rows per Parquet row group (and per batch read from a Parquet input).
ROWS_PER_GROUP = 2048
#: Rows per file of a partitioned output (``--out DIR/``).
ROWS_PER_PART = 50 * ROWS_PER_GROUP
#: Bytes of a JSON Lines ``--out`` file written between two requests to the kernel to start
#: writing it to disk (:class:`_Writeback`).
WRITEBACK_BYTES = 8 * 1024 * 1024


def read_rows(path: str) -> Iterator[tuple[int, Any]]:
    """``(line number, profile)`` pairs of a JSON Lines, Parquet or CSV file, lazily.

    JSON Lines rows are the raw line (bytes); CSV and Parquet rows are dicts built from
    dotted column names (``compute.vcpus``) or from a ``profile`` column of JSON text.
    Blank lines are skipped but still counted.
    """
    if path != "-" and not Path(path).is_file():
        raise UserError(f"{path}: no such file")
    suffix = Path(path).suffix.lower()
    if suffix == ".parquet":
        return _parquet_rows(path)
    if suffix == ".csv":
        return _csv_rows(path)
    return _jsonl_rows(path)


def _jsonl_rows(path: str) -> Iterator[tuple[int, Any]]:
    with _open_binary(path) as f:
        for number, line in enumerate(f, start=1):
            if line.strip():
                yield number, line


@contextmanager
def _open_binary(path: str) -> Iterator[IO[bytes]]:
    if path == "-":
        yield sys.stdin.buffer
        return
    from foundation.files import InputFileError, check_regular

    try:
        check_regular(path, what="batch file")  # a FIFO or /dev/zero would never end
    except InputFileError as exc:
        raise UserError(str(exc)) from None
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc})") from None
    with f:
        yield f


def _csv_rows(path: str) -> Iterator[tuple[int, Any]]:
    from foundation.files import InputFileError, check_regular

    try:
        if path != "-":
            check_regular(path, what="batch file")
    except InputFileError as exc:
        raise UserError(str(exc)) from None
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            for row in reader:
                cells = {k: _cell(v) for k, v in row.items() if k and v not in (None, "")}
                if cells:
                    yield reader.line_num, _nest(cells)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UserError(f"{path}: cannot read as CSV ({exc})") from None


def _cell(text: str) -> Any:
    """A CSV cell as JSON when it parses (numbers, booleans, lists), else the text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _parquet_rows(path: str) -> Iterator[tuple[int, Any]]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several kinds for a bad file
        raise UserError(f"{path}: cannot read as Parquet ({exc})") from None
    number = 0
    for batch in pf.iter_batches(batch_size=ROWS_PER_GROUP):
        as_json = "profile" in batch.schema.names
        for row in batch.to_pylist():
            number += 1
            if as_json:
                yield number, row["profile"] or ""
            else:
                yield number, _nest({k: v for k, v in _dropped_nulls(row).items()})


def _dropped_nulls(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (_dropped_nulls(v) if isinstance(v, dict) else v)
            for k, v in row.items() if v is not None}


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    """``{"compute.vcpus": 2}`` -> ``{"compute": {"vcpus": 2}}``."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        *parents, leaf = key.split(".")
        node = out
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise UserError(f"column {key!r} nests under a column that holds a value")
        node[leaf] = value
    return out


# --------------------------------------------------------------------------- writers


class _Sink:
    """Where answers go; ``count`` is the number of profiles answered."""

    count = 0

    def chunk(self, lines: list[int], chunk: Any) -> None:
        """A :class:`~recommender.batch.JsonChunk` whose profiles came from ``lines``."""
        for line, result in zip(lines, chunk.answers(), strict=True):
            if result.ok:
                self.answer(line, result)
            else:
                self.error(line, result.errors)

    def answer(self, line: int, result: Any) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def error(self, line: int, errors: list[dict[str, str]]) -> None:  # pragma: no cover
        raise NotImplementedError


class _TextSink(_Sink):
    """JSON Lines (or a table) on a text stream.  JSON Lines go to the stream's bytes layer
    a chunk at a time: the worker's joined answers are written as they came, not decoded
    and encoded again line by line."""

    def __init__(self, stream: IO[str], table: bool,
                 writeback: _Writeback | None = None) -> None:
        self.stream, self.table, self.writeback = stream, table, writeback
        self.binary: IO[bytes] | None = None if table else getattr(stream, "buffer", None)

    def chunk(self, lines: list[int], chunk: Any) -> None:
        if self.table:
            super().chunk(lines, chunk)
            return
        if not chunk.errors:
            self.count += len(chunk)
            self._write(chunk.body)
            return
        out = []
        for number, (line, bad) in zip(lines, chunk.lines(), strict=True):
            if bad is None:
                out.append(line)
                self.count += 1
            else:
                out.append(_error_line(number, bad.errors).encode())
        self._write(b"".join(out))

    def _write(self, data: bytes) -> None:
        if self.binary is None:  # a stream without a bytes layer (io.StringIO)
            self.stream.write(data.decode("utf-8"))
            return
        self.stream.flush()  # whatever went through the text layer goes first
        self.binary.write(data)
        if self.writeback is not None:
            self.writeback.wrote(len(data))

    def answer(self, line: int, result: Any) -> None:
        self.count += 1
        if self.table:
            from recommender.core.response import RecommendationResponse
            from recommender.surfaces.cli.recommend import format_table

            resp = RecommendationResponse.model_validate_json(result.json)
            self.stream.write(format_table(resp) + "\n\n")
        else:
            self.stream.write(result.json + "\n")

    def error(self, line: int, errors: list[dict[str, str]]) -> None:
        if not self.table:
            self.stream.write(_error_line(line, errors))


class _Writeback:
    """Has the kernel write an output file to disk while it grows, so that the closing
    ``fsync`` waits for the last few MiB only.

    Left alone, the kernel starts writing a file's dirty pages after 30 s (or at 10% of the
    memory dirty), so the fsync at the end waited for about the last 30 s of output: the
    JSON Lines of 100,000 responses are ~2.2 GB (~22 KB each); 925 MB written at that pace
    in 25 s left a 1.1-2.3 s fsync, 0.05 s with this.  Every :data:`WRITEBACK_BYTES`,
    ``sync_file_range(SYNC_FILE_RANGE_WRITE)`` starts (without waiting for) the writing of
    what came since the last call; the pages stay cached.  A no-op where the call is
    missing (not Linux) or refused (not a regular file).
    """

    _call: ClassVar[Any] = None  # libc's sync_file_range once looked up; False: none

    def __init__(self, fd: int) -> None:
        self.fd, self.written, self.started, self.on = fd, 0, 0, True

    def wrote(self, n: int) -> None:
        """``n`` more bytes were written to the file."""
        self.written += n
        if not self.on or self.written - self.started < WRITEBACK_BYTES:
            return
        call = self._sync_file_range()
        # From the last start to the end of the file (0 = to the end); 2 = SYNC_FILE_RANGE_WRITE.
        # Refused (not a regular file, a file system without it): this file is not asked again.
        self.on = call is not None and call(self.fd, self.started, 0, 2) == 0
        self.started = self.written

    @classmethod
    def _sync_file_range(cls) -> Any:
        if cls._call is None:
            cls._call = False
            with suppress(OSError, AttributeError):
                import ctypes

                call = ctypes.CDLL(None, use_errno=True).sync_file_range
                call.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
                call.restype = ctypes.c_int
                cls._call = call
        return cls._call or None


def _error_line(line: int, errors: list[dict[str, str]]) -> str:
    return json.dumps({"line": line, "errors": errors}) + "\n"


class _ParquetSink(_Sink):
    """One Parquet file, or (``partitioned``) a directory of ``part-NNNNN.parquet`` files of
    at most :data:`ROWS_PER_PART` rows each; row groups of :data:`ROWS_PER_GROUP` rows.

    A chunk becomes Arrow columns as it came: the ``response`` column is the worker's joined
    JSON bytes with the chunk's line ends as offsets (the newlines cut by Arrow), so no answer
    is decoded to a Python string and encoded again (only a chunk with a bad profile is
    built row by row).
    """

    def __init__(self, path: str, *, partitioned: bool = False) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        self._pa, self._pc, self._pq = pa, pc, pq
        self.schema = pa.schema([("line", pa.int64()), ("ok", pa.bool_()),
                                 ("name", pa.string()), ("region", pa.string()),
                                 ("response", pa.string()), ("errors", pa.string())])
        self.path, self.partitioned, self.in_part = path, partitioned, 0
        self.parts: list[str] = []
        self.writer = self._open()
        self.pending: list[Any] = []  # Arrow tables not yet written
        self.pending_rows = 0

    def _open(self) -> Any:
        name = (os.path.join(self.path, f"part-{len(self.parts):05d}.parquet")
                if self.partitioned else self.path)
        self.parts.append(name)
        self.in_part = 0
        return self._pq.ParquetWriter(name, self.schema, compression="zstd")

    def chunk(self, lines: list[int], chunk: Any) -> None:
        self.count += len(chunk) - len(chunk.errors)
        table = self._rows(lines, chunk) if chunk.errors else self._columns(lines, chunk)
        self.pending.append(table)
        self.pending_rows += table.num_rows
        while self.pending_rows >= ROWS_PER_GROUP:
            self._write_group()

    def _columns(self, lines: list[int], chunk: Any) -> Any:
        """A chunk of good answers as columns; ``response`` sliced from ``body`` by Arrow."""
        pa, n = self._pa, len(chunk)
        offsets = pa.array([0, *chunk.ends], type=pa.int32())
        lines_nl = pa.StringArray.from_buffers(n, offsets.buffers()[1],
                                               pa.py_buffer(chunk.body), null_count=0)
        # Each value is a JSON object and its newline: trimming the newline leaves the object.
        response = self._pc.utf8_rtrim(lines_nl, characters="\n")
        return pa.Table.from_arrays(
            [pa.array(lines, type=pa.int64()), pa.array([True] * n, type=pa.bool_()),
             pa.array(chunk.names, type=pa.string()), pa.array(chunk.regions, type=pa.string()),
             response, pa.nulls(n, type=pa.string())], schema=self.schema)

    def _rows(self, lines: list[int], chunk: Any) -> Any:
        """A chunk with a bad profile, row by row (rare)."""
        rows = [(line, True, result.name, result.region, result.json, None) if result.ok
                else (line, False, None, None, None, json.dumps(result.errors))
                for line, result in zip(lines, chunk.answers(), strict=True)]
        columns = list(zip(*rows, strict=True))
        return self._pa.Table.from_arrays(
            [self._pa.array(c, type=f.type) for c, f in zip(columns, self.schema, strict=True)],
            schema=self.schema)

    def _write_group(self) -> None:
        """Write the first :data:`ROWS_PER_GROUP` pending rows (or all, at the end) as one
        row group of contiguous columns; keep the rest pending."""
        table = self._pa.concat_tables(self.pending).combine_chunks()
        group = table.slice(0, ROWS_PER_GROUP)
        rest = table.slice(ROWS_PER_GROUP)
        self.pending, self.pending_rows = ([rest] if rest.num_rows else []), rest.num_rows
        if self.partitioned and self.in_part >= ROWS_PER_PART:
            self.writer.close()
            self.writer = self._open()
        self.writer.write_table(group)
        self.in_part += group.num_rows

    def close(self) -> None:
        if self.pending_rows:
            self._write_group()
        self.writer.close()
        for name in self.parts:
            with open(name, "rb") as f:
                os.fsync(f.fileno())


@contextmanager
def open_sink(out: str | None, fmt: str) -> Iterator[_Sink]:
    """A writer for ``--out`` (``.parquet`` or JSON Lines) or stdout; atomic for files."""
    if out is None:
        yield _TextSink(sys.stdout, table=fmt == "table")
        sys.stdout.flush()
        return
    target = Path(out)
    if not target.parent.is_dir():
        raise UserError(f"--out {out}: the directory {target.parent} does not exist")
    if out.endswith(("/", os.sep)) or target.is_dir():
        with _partitioned(target) as sink:
            yield sink
        return
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        if target.suffix.lower() == ".parquet":
            parquet = _ParquetSink(tmp)
            yield parquet
            parquet.close()
        else:
            with open(tmp, "w", encoding="utf-8") as f:
                yield _TextSink(f, table=False, writeback=_Writeback(f.fileno()))
                f.flush()
                os.fsync(f.fileno())
        # mkstemp makes the file private (0600); the output is the user's, as a file the
        # shell or open() creates would be: 0666 less the umask.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    finally:
        with suppress(FileNotFoundError):
            os.unlink(tmp)


def _umask() -> int:
    """This process' umask, read by setting it and setting it back (``os`` has no getter)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def _partitioned(target: Path) -> Iterator[_Sink]:
    """Partitioned Parquet in ``target/`` (new or empty), written beside it and swapped in."""
    if target.is_dir() and any(target.iterdir()):
        raise UserError(f"--out {target}/: the directory is not empty")
    tmp = tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        sink = _ParquetSink(tmp, partitioned=True)
        yield sink
        sink.close()
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; the output is the user's
        if target.is_dir():
            target.rmdir()
        os.replace(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

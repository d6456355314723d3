"""Batch recommendations: recommend_many (local processes, Dask), the streaming CLI, the API.

Expected values come from the contract: a profile's ``top_n`` must be at least 1 and
``storage.iops`` at least 0 (CONTRACT section 1), so those profiles are the bad ones; every
other profile is a preset answered exactly as ``recommend()`` answers it alone.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from recommender.app.presets import get_preset, preset_names
from recommender.batch import ItemError, recommend_many, recommend_many_json
from recommender.core.engine import recommend
from recommender.surfaces.cli.main import main


def _profiles() -> list[object]:
    good = [get_preset(n) for n in preset_names()[:4]]
    return [good[0], {"top_n": 0}, *good[1:], "{not json"]


def _dump(results: list[object]) -> list[object]:
    return [r.to_dict() if isinstance(r, ItemError) else r.model_dump_json() for r in results]


def test_recommend_many_keeps_order_and_returns_errors_as_values(catalog) -> None:
    profiles = _profiles()
    results = list(recommend_many(profiles, workers=1, catalog=catalog, models=False))
    assert len(results) == len(profiles)
    assert isinstance(results[1], ItemError) and results[1].index == 1
    assert results[1].errors[0]["field"] == "top_n"
    assert isinstance(results[-1], ItemError) and "not JSON" in results[-1].errors[0]["rule"]
    alone = recommend(profiles[2], catalog=catalog, models=False)
    assert results[2].model_dump_json() == alone.model_dump_json()


def test_json_lines_read_as_bytes_answer_as_their_dicts(catalog) -> None:
    # A JSON profile is validated from its bytes; a bad one must still name its field and
    # rule as the same profile given as a dict does (CONTRACT section 1: top_n >= 1, and a
    # profile is a JSON object).
    dicts = [get_preset("web_app"), {"top_n": 0}, [1]]
    as_bytes = [json.dumps(d).encode() + b"\n" for d in dicts] + [b"\xff{}"]
    from_dicts = list(recommend_many(dicts, workers=1, catalog=catalog, models=False))
    from_bytes = list(recommend_many(as_bytes, workers=1, catalog=catalog, models=False))
    assert _dump(from_bytes[:3]) == _dump(from_dicts)
    assert from_bytes[1].errors[0]["field"] == "top_n"
    assert "JSON object" in from_bytes[2].errors[0]["rule"]
    assert from_bytes[3].errors == [{"field": "(profile)", "rule": "not JSON (not UTF-8 text)"}]


def test_two_worker_processes_give_the_same_answers(catalog) -> None:
    profiles = _profiles() * 3
    serial = list(recommend_many(profiles, workers=1, catalog=catalog, models=False))
    parallel = list(recommend_many(profiles, workers=2, chunksize=2, catalog=catalog,
                                   models=False))
    assert _dump(parallel) == _dump(serial)


def test_workers_are_forked_from_a_frozen_state_without_a_full_collection(
        catalog, monkeypatch) -> None:
    import gc

    # The loaded state is frozen (gc.freeze) before the fork so that the workers' collections
    # leave its shared pages alone; a gc.collect() first cost 0.2-0.57 s of every start and
    # found nothing to free (0-128 objects), so there is none.
    calls: list[str] = []
    monkeypatch.setattr(gc, "collect", lambda *a: calls.append("collect") or 0)
    real_freeze = gc.freeze
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze") or real_freeze())
    profiles = _profiles()
    parallel = list(recommend_many(profiles, workers=2, chunksize=2, catalog=catalog,
                                   models=False))
    assert calls == ["freeze"]
    assert _dump(parallel) == _dump(list(recommend_many(profiles, workers=1, catalog=catalog,
                                                        models=False)))


def test_dask_local_cluster_gives_the_same_answers() -> None:
    distributed = pytest.importorskip("distributed")
    profiles = _profiles() * 2
    local = list(recommend_many_json(profiles, workers=1, models=False))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        on_dask = list(recommend_many_json(profiles, client=client, chunksize=3,
                                           models=False))
    assert on_dask == local


# --------------------------------------------------------------------------- CLI


def _jsonl(tmp_path: Path) -> Path:
    lines = [json.dumps(get_preset("web_app")), "", '{"storage": {"iops": -1}}', "{oops",
             json.dumps(get_preset("batch"))]
    path = tmp_path / "profiles.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_cli_reports_bad_lines_by_number_and_still_writes_the_good(tmp_path, capsys) -> None:
    assert main(["recommend-batch", "--workers", "1", "--rules-only", "--quiet",
                 str(_jsonl(tmp_path))]) == 0
    out, err = capsys.readouterr()
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r.get("name") for r in rows] == [get_preset("web_app")["name"], None, None,
                                             get_preset("batch")["name"]]
    assert rows[1]["line"] == 3 and set(rows[1]) == {"line", "errors"}
    assert rows[1]["errors"][0]["field"].startswith("storage.iops")
    assert "line 3: storage.iops" in err and "line 4: not JSON" in err
    assert "Traceback" not in err


def test_cli_strict_exits_1_on_bad_lines(tmp_path, capsys) -> None:
    assert main(["recommend-batch", "--workers", "1", "--rules-only", "--quiet", "--strict",
                 str(_jsonl(tmp_path))]) == 1
    assert len(capsys.readouterr().out.splitlines()) == 4


def test_cli_parquet_out_with_two_workers(tmp_path, capsys) -> None:
    out = tmp_path / "answers.parquet"
    assert main(["recommend-batch", "--workers", "2", "--rules-only", "--quiet",
                 "--out", str(out), str(_jsonl(tmp_path))]) == 0
    table = pq.read_table(out).to_pylist()
    assert [r["line"] for r in table] == [1, 3, 4, 5]
    assert [r["ok"] for r in table] == [True, False, False, True]
    first = json.loads(table[0]["response"])
    assert first["name"] == table[0]["name"] == get_preset("web_app")["name"]
    assert json.loads(table[1]["errors"])[0]["field"].startswith("storage.iops")
    assert not list(tmp_path.glob(".*.tmp"))  # the temporary file was replaced


def test_cli_parquet_row_groups_and_parts_split_at_their_sizes(tmp_path, capsys,
                                                               monkeypatch) -> None:
    from recommender.surfaces.cli import batch_io

    # 3 rows a group, 6 a part: 12 answers (6 of them bad) make 2 parts of 2 groups of 3,
    # whatever the chunks (2 profiles each) that brought them.
    monkeypatch.setattr(batch_io, "ROWS_PER_GROUP", 3)
    monkeypatch.setattr(batch_io, "ROWS_PER_PART", 6)
    src = tmp_path / "many.jsonl"
    src.write_text(_jsonl(tmp_path).read_text() * 3)  # 5 lines each, one blank
    out = tmp_path / "parts"
    assert main(["recommend-batch", "--workers", "1", "--chunksize", "2", "--rules-only",
                 "--quiet", "--out", f"{out}/", str(src)]) == 0
    parts = sorted(out.iterdir())
    assert [p.name for p in parts] == ["part-00000.parquet", "part-00001.parquet"]
    for part in parts:
        meta = pq.ParquetFile(part).metadata
        assert [meta.row_group(k).num_rows for k in range(meta.num_row_groups)] == [3, 3]
    table = pq.read_table(out)
    assert table.column("line").to_pylist() == [n + 5 * k for k in range(3) for n in (1, 3, 4, 5)]
    assert table.column("ok").to_pylist() == [True, False, False, True] * 3
    web = json.loads(table.column("response")[0].as_py())
    assert web["name"] == get_preset("web_app")["name"]


def test_cli_jsonl_out_is_written_out_to_disk_as_it_grows(tmp_path, capsys,
                                                          monkeypatch) -> None:
    from recommender.surfaces.cli import batch_io

    # Every chunk written past WRITEBACK_BYTES asks the kernel to start writing the file from
    # where the last request left off (sync_file_range: offset, 0 = to the end, 2 =
    # SYNC_FILE_RANGE_WRITE), so the closing fsync does not wait for the whole output.
    calls: list[tuple[int, int, int]] = []

    def sync_file_range(fd: int, offset: int, nbytes: int, flags: int) -> int:
        calls.append((offset, nbytes, flags))
        return 0

    monkeypatch.setattr(batch_io, "WRITEBACK_BYTES", 1)
    monkeypatch.setattr(batch_io._Writeback, "_call", sync_file_range)
    out = tmp_path / "answers.jsonl"
    args = ["recommend-batch", "--workers", "1", "--chunksize", "1", "--rules-only", "--quiet"]
    assert main([*args, "--out", str(out), str(_jsonl(tmp_path))]) == 0
    assert main([*args, str(_jsonl(tmp_path))]) == 0
    written = out.read_bytes()
    assert written == capsys.readouterr().out.encode()  # the same bytes as on stdout
    # 4 chunks of one profile (2 answers, 2 errors), each one line: a request per chunk,
    # each from the end of the lines before it.
    ends = [0]
    for line in written.splitlines(keepends=True)[:-1]:
        ends.append(ends[-1] + len(line))
    assert calls == [(end, 0, 2) for end in ends]


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_cli_out_file_has_the_usual_permissions(tmp_path, capsys, suffix) -> None:
    # The output is written to a temporary file (mkstemp: mode 0600) and swapped in; it must
    # end with the mode any new file gets, 0666 less the umask: 0644 under umask 022.
    out = tmp_path / f"answers{suffix}"
    old = os.umask(0o022)
    try:
        assert main(["recommend-batch", "--workers", "1", "--rules-only", "--quiet",
                     "--out", str(out), str(_jsonl(tmp_path))]) == 0
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o644


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="sync_file_range is Linux's")
def test_writeback_asks_the_kernel_and_stops_where_it_is_refused(tmp_path, monkeypatch) -> None:
    from recommender.surfaces.cli import batch_io

    monkeypatch.setattr(batch_io, "WRITEBACK_BYTES", 4)
    monkeypatch.setattr(batch_io._Writeback, "_call", None)  # looked up again from libc
    with open(tmp_path / "out.jsonl", "wb") as f:
        wb = batch_io._Writeback(f.fileno())
        f.write(b"{}\n{}\n")
        f.flush()
        wb.wrote(6)
        assert wb.on and wb.started == 6  # a regular file: accepted
    read, write = os.pipe()
    try:
        wb = batch_io._Writeback(write)
        wb.wrote(6)
        assert not wb.on  # a pipe (ESPIPE): not asked again
    finally:
        os.close(read)
        os.close(write)


def test_cli_partitioned_parquet_out_on_dask(tmp_path, capsys, monkeypatch) -> None:
    distributed = pytest.importorskip("distributed")
    from recommender.surfaces.cli import batch as cli_batch

    def in_process_cluster(args, stack):  # threads, not processes: the test stays fast
        cluster = stack.enter_context(distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None))
        return stack.enter_context(distributed.Client(cluster))

    monkeypatch.setattr(cli_batch, "_dask_client", in_process_cluster)
    out = tmp_path / "answers"
    assert main(["recommend-batch", "--dask", "local", "--rules-only", "--quiet",
                 "--out", f"{out}/", str(_jsonl(tmp_path))]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["part-00000.parquet"]
    on_dask = pq.read_table(out)
    assert on_dask.column("line").to_pylist() == [1, 3, 4, 5]
    local = tmp_path / "local.parquet"
    assert main(["recommend-batch", "--workers", "1", "--rules-only", "--quiet",
                 "--out", str(local), str(_jsonl(tmp_path))]) == 0
    assert on_dask.equals(pq.read_table(local))  # every column, every row


def test_cli_reads_csv_and_parquet_profiles(tmp_path, capsys) -> None:
    csv_path = tmp_path / "p.csv"
    csv_path.write_text("name,compute.vcpus,compute.memory_gib\nsmall,2,4\nbad,-1,4\n")
    assert main(["recommend-batch", "--workers", "1", "--rules-only", "--quiet",
                 str(csv_path)]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out.splitlines()[0])["name"] == "small"
    assert "p.csv line 3: compute.vcpus" in err  # the header is line 1
    pq_path = tmp_path / "p.parquet"
    pq.write_table(pa.table({"profile": [json.dumps(get_preset("web_app"))]}), pq_path)
    assert main(["recommend-batch", "--workers", "1", "--rules-only", "--quiet",
                 str(pq_path)]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == get_preset("web_app")["name"]


def test_cli_bad_dask_address_is_a_user_error(tmp_path, capsys) -> None:
    assert main(["recommend-batch", "--dask", "scheduler:8786", "--quiet",
                 str(_jsonl(tmp_path))]) == 1
    assert "tcp://" in capsys.readouterr().err


# --------------------------------------------------------------------------- API and serve


def test_api_batch_answers_the_good_profiles_and_names_the_bad(client) -> None:
    good = get_preset("web_app")
    secret = {"name": "do-not-echo-" + "x" * 50, "top_n": 0}
    r = client.post("/v1/recommendations:batch", json={"profiles": [good, secret, good]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["count"] == 3 and body["failed"] == 1
    assert body["data"][1] is None
    assert [d["name"] for d in body["data"][::2]] == [good["name"]] * 2
    assert body["errors"][0]["index"] == 1
    assert body["errors"][0]["errors"][0]["field"] == "top_n"
    assert "do-not-echo" not in r.text


def test_serve_defaults_to_every_core_with_uvloop() -> None:
    import argparse

    from recommender.batch import default_workers
    from recommender.surfaces.cli.serve import uvicorn_options

    opts = uvicorn_options(argparse.Namespace(host="127.0.0.1", port=8000, workers=None,
                                              access_log=False))
    assert opts["workers"] == default_workers() and opts["factory"] is True
    pytest.importorskip("uvloop")
    assert opts["loop"] == "uvloop"

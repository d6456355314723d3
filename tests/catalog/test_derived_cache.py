"""The disk cache of derived indexes (catalog.derived_cache): exact round trip, a damaged or
foreign file means a fresh build, keys follow the snapshot's hashes, unverified catalogs and
values it cannot store exactly are never cached."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from catalog import derived_cache as dc
from catalog.derived_file import MAGIC
from catalog.store import EMBEDDED_SNAPSHOT_DIR, Catalog, load_catalog


@dataclasses.dataclass(frozen=True)
class Inner:
    price: np.ndarray
    label: np.ndarray


@dataclasses.dataclass(frozen=True)
class Index:
    types: np.ndarray
    grid: np.ndarray
    flags: np.ndarray
    median: float
    regions: list[str]
    pos: dict[str, int]
    inner: Inner


def _index() -> Index:
    types = np.array(["m5.large", "t3.micro", None], dtype=object)
    flags = np.array([True, False, True])
    flags.setflags(write=False)  # the filters share such masks read-only
    return Index(types=types, grid=np.array([[1.5, np.nan, 0.0], [2.0, 3.0, -0.0]]),
                 flags=flags, median=0.25, regions=["us-east-1", "eu-west-1"],
                 pos={"m5.large": 0, "t3.micro": 1},
                 inner=Inner(price=np.arange(3, dtype=np.int32),
                             label=np.array([["a", None], ["a", "b"]], dtype=object)))


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RECOMMENDER_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "derived"


MANIFEST = {"files": {"ec2.parquet": {"sha256": "a" * 64}}}


def _build_counter() -> tuple[list[int], object]:
    calls: list[int] = []

    def build() -> Index:
        calls.append(1)
        return _index()

    return calls, build


def test_round_trip_is_exact() -> None:
    back = dc.decode(dc.encode(_index()), Index)
    assert dc.same(back, _index())
    assert back.types.tolist() == ["m5.large", "t3.micro", None]  # None stays None, not ""
    assert type(back.types[0]) is str and back.types.dtype == object
    assert np.isnan(back.grid[0, 1]) and back.grid.dtype == np.float64
    assert not back.flags.flags.writeable and back.grid.flags.writeable
    assert back.inner.price.dtype == np.int32 and back.pos == {"m5.large": 0, "t3.micro": 1}


def test_dict_of_tuples_round_trips_in_order() -> None:
    """The shape of the commitment grids: (offering, term, payment) -> arrays."""
    grids = {("savings_plan_compute", 3, "no_upfront"): (np.ones((2, 3)), _index().types),
             ("reserved_standard", 1, "all_upfront"): (np.zeros((2, 3)), _index().types)}
    back = dc.decode(dc.encode(grids), dict)
    assert list(back) == list(grids) and dc.same(back, grids)
    assert type(next(iter(back))[1]) is int
    with pytest.raises(dc.NotStorable):
        dc.decode(dc.encode(grids), tuple)  # a file of a dict is not taken for another type


def test_code_fingerprint_covers_the_builders_whole_package() -> None:
    files = {Path(f).name for f in dc.code_files(Index, _index)}
    assert {"test_derived_cache.py", "conftest.py", "derived_cache.py"} <= files
    with pytest.raises(dc.NotStorable):
        dc.code_files(dict)


def test_same_can_fail() -> None:
    other = dataclasses.replace(_index(), grid=np.array([[1.5, 0.0, 0.0], [2.0, 3.0, 0.0]]))
    assert not dc.same(other, _index())


def test_second_process_loads_instead_of_building(cache: Path) -> None:
    calls, build = _build_counter()
    first = dc.load_or_build("ix", Index, build, manifest=MANIFEST, builder=_index)
    second = dc.load_or_build("ix", Index, build, manifest=MANIFEST, builder=_index)
    assert len(calls) == 1 and dc.same(first, second)
    assert len(list(cache.glob(f"*{dc.SUFFIX}"))) == 1


@pytest.mark.parametrize("damage", [
    lambda b: b[: len(b) // 2],  # cut short (a crash elsewhere, a full disk)
    lambda b: b[:200] + bytes(255 - x for x in b[200:400]) + b[400:],  # flipped bytes
    lambda b: b"not a zip at all",
    lambda b: b"",
])
def test_damaged_file_means_a_fresh_build_that_replaces_it(cache: Path, damage) -> None:  # noqa: ANN001
    calls, build = _build_counter()
    dc.load_or_build("ix", Index, build, manifest=MANIFEST, builder=_index)
    (path,) = cache.glob(f"*{dc.SUFFIX}")
    good = path.read_bytes()
    path.write_bytes(damage(good))
    again = dc.load_or_build("ix", Index, build, manifest=MANIFEST, builder=_index)
    assert len(calls) == 2 and dc.same(again, _index())
    assert dc.same(dc.decode(path.read_bytes(), Index), _index())  # rewritten whole


def test_file_of_another_class_is_not_taken(cache: Path) -> None:
    calls, build = _build_counter()
    dc.load_or_build("ix", Index, build, manifest=MANIFEST, builder=_index)
    (path,) = cache.glob(f"*{dc.SUFFIX}")
    path.write_bytes(dc.encode(_index().inner))  # a valid file, but of Inner's fields
    dc.load_or_build("ix", Index, build, manifest=MANIFEST, builder=_index)
    assert len(calls) == 2


def _repack(data: bytes, edit) -> bytes:  # noqa: ANN001 - edit(header dict) -> None
    """``data`` with its JSON header edited and the checksum made right again (a file that
    only the header's checks can refuse)."""
    import json
    import zlib

    start = len(MAGIC) + 8
    n = int.from_bytes(data[len(MAGIC):start], "little")
    head = json.loads(data[start:start + n])
    edit(head)
    raw = json.dumps(head).encode()
    body = MAGIC + len(raw).to_bytes(8, "little") + raw + data[start + n:-4]
    return body + zlib.crc32(body).to_bytes(4, "little")


def test_object_dtypes_are_refused_on_load() -> None:
    """No object (pickled) array is ever read: a header naming one is refused, and so is one
    naming a dtype other than numbers, booleans and fixed-width text."""
    data = dc.encode(_index())
    assert dc.same(dc.decode(_repack(data, lambda h: None), Index), _index())  # the helper

    def retype(dtype: str):  # noqa: ANN202
        def edit(head: dict) -> None:
            head["arrays"]["root.grid"][0] = dtype
        return edit

    for dtype in ("|O", "<M8[s]", "|V8", ">f8"):
        with pytest.raises(dc.NotStorable):
            dc.decode(_repack(data, retype(dtype)), Index)


def test_array_entries_outside_the_file_are_refused() -> None:
    data = dc.encode(_index())

    def move(offset: int, nbytes: int | None = None):  # noqa: ANN202
        def edit(head: dict) -> None:
            head["arrays"]["root.grid"][2] = offset
            if nbytes is not None:
                head["arrays"]["root.grid"][3] = nbytes
        return edit

    for edit in (move(len(data)), move(-8), move(0, 40)):  # past the end; before; 5 of 6 cells
        with pytest.raises(dc.NotStorable):
            dc.decode(_repack(data, edit), Index)


def test_one_flipped_byte_among_the_arrays_is_caught() -> None:
    """The checksum covers the arrays' bytes (a flipped price would otherwise load)."""
    data = bytearray(dc.encode(_index()))
    data[-12] ^= 0x01  # the last array's bytes, before the 4-byte checksum
    with pytest.raises(dc.NotStorable, match="checksum"):
        dc.decode(bytes(data), Index)


def test_new_table_hashes_mean_a_new_key() -> None:
    other = {"files": {"ec2.parquet": {"sha256": "b" * 64}}}
    assert dc.cache_key("ix", Index, _index, MANIFEST) != dc.cache_key("ix", Index, _index, other)
    assert dc.cache_key("ix", Index, _index, MANIFEST) == dc.cache_key("ix", Index, _index,
                                                                        dict(MANIFEST))


def test_a_new_snapshot_replaces_the_old_file(cache: Path) -> None:
    calls, build = _build_counter()
    other = {"files": {"ec2.parquet": {"sha256": "b" * 64}}}
    dc.load_or_build("ix", Index, build, manifest=MANIFEST, builder=_index)
    dc.load_or_build("other", Index, build, manifest=MANIFEST, builder=_index)
    dc.load_or_build("ix", Index, build, manifest=other, builder=_index)
    assert len(calls) == 3
    assert sorted(p.name.split("-")[0] for p in cache.glob(f"*{dc.SUFFIX}")) == ["ix", "other"]


def test_values_it_cannot_store_exactly_are_built_every_time(cache: Path) -> None:
    odd = dataclasses.replace(_index(), types=np.array([1, "a"], dtype=object))
    with pytest.raises(dc.NotStorable):
        dc.encode(odd)
    out = dc.load_or_build("odd", Index, lambda: odd, manifest=MANIFEST, builder=_index)
    assert out is odd and not list(cache.glob(f"*{dc.SUFFIX}"))


def test_disabled_cache_only_builds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECOMMENDER_CACHE_DIR", "none")
    calls, build = _build_counter()
    for _ in range(2):
        dc.load_or_build("ix", Index, build, manifest=MANIFEST, builder=_index)
    assert len(calls) == 2


def test_unverified_catalog_never_uses_the_disk(cache: Path) -> None:
    cat = Catalog(tables={}, manifest=MANIFEST)  # made by hand: bytes never checked
    cat.derive("ix", lambda c: _index(), persist=Index)
    assert not cache.exists()


@pytest.fixture(scope="module")
def snapshot() -> Catalog:
    """The embedded snapshot as the suite loads it (its schema markers already written)."""
    return load_catalog(EMBEDDED_SNAPSHOT_DIR)


def test_snapshot_ec2_index_from_disk_equals_the_built_one(snapshot: Catalog,
                                                          cache: Path) -> None:
    """The real index: what a second process loads is exactly what the first built."""
    from recommender.rules.compute.index import Ec2Index, ec2_index

    def fresh() -> Catalog:  # a new catalog object, as a new process has
        return Catalog(tables=snapshot.tables, manifest=snapshot.manifest, verified=True)

    built = ec2_index(fresh())  # builds and stores
    assert len(list(cache.glob(f"*{dc.SUFFIX}"))) == 1
    loaded = ec2_index(fresh())  # from disk
    assert loaded is not built and isinstance(loaded, Ec2Index)
    assert dc.same(loaded, built)
    assert loaded.pos == built.pos and loaded.regions == built.regions


def test_table_columns_give_back_the_frames_records() -> None:
    # Expected values are the frame's own to_dict("records") (pandas' cells as Python values):
    # a float column with NaN, an int, a bool, a str column with a missing cell (NaN in
    # pandas' str dtype) and one of str/None.
    import math

    import pandas as pd

    df = pd.DataFrame({"f": [1.5, float("nan"), 3.0], "i": [1, 2, 3], "b": [True, False, True],
                       "s": pd.Series(["a", None, "c"], dtype="str"),
                       "o": pd.Series(["x", None, "z"], dtype=object)})
    t = dc.TableColumns.of_frame(df)
    back = dc.decode(dc.encode(t), dc.TableColumns)
    assert dc.same(back, t)
    for rows in (None, np.array([2, 0])):
        want = df.to_dict("records") if rows is None else df.iloc[rows].to_dict("records")
        got = back.records(rows)
        assert [list(r) for r in got] == [list(r) for r in want]
        for w, g in zip(want, got, strict=True):
            for k in w:
                assert type(g[k]) is type(w[k]), k
                assert g[k] == w[k] or (isinstance(w[k], float) and math.isnan(w[k])
                                        and math.isnan(g[k])), k


def test_str_dicts_and_lists_round_trip_in_order() -> None:
    value = {"b": [{"x": 1.0, "y": None, "z": "s"}, {"x": float("nan"), "y": True, "z": ""}],
             "a": [], "c": {"lat": (1.0, 2.0)}}
    back = dc.decode(dc.encode((True, value)), tuple)
    assert dc.same(back, (True, value)) and list(back[1]) == ["b", "a", "c"]
    assert not dc.same(back, (True, {**value, "a": [1]}))


def test_mostly_nan_grids_and_few_names_are_stored_small_and_exact() -> None:
    # A 36 x 1,403 price grid with 2% of its cells priced, and a string grid of 3 names:
    # stored as positions + values and as int8 codes (the commitments' file was 8.6 MB).
    grid = np.full((36, 1403), np.nan)
    grid.reshape(-1)[::50] = np.arange(grid.size)[::50] * 0.001
    names = np.full(grid.shape, None, dtype=object)
    k = names.reshape(-1)[::7].size
    names.reshape(-1)[::7] = [("a", "b", "c")[i % 3] for i in range(k)]
    data = dc.encode((grid, names))
    assert len(data) < (grid.nbytes + names.size * 8) // 4  # int64 codes + dense floats: 1x
    back = dc.decode(data, tuple)
    assert dc.same(back, (grid, names))
    assert not dc.same(back, (np.nan_to_num(grid), names))


def test_an_edited_builder_module_means_a_new_key(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The code fingerprint is the content of every module beside the builder (read once a
    process: a new process after an edit gets a new key)."""
    import importlib
    import sys

    pkg = tmp_path / "builderpkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "build.py").write_text("def build():\n    return 1\n")
    (pkg / "helper.py").write_text("RATE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    build = importlib.import_module("builderpkg.build").build

    def key() -> str:
        for f in (dc._source_digest, dc._files_of, dc._code_digest):
            f.cache_clear()  # what a new process starts with
        return dc.cache_key("ix", Index, build, MANIFEST)

    before = key()
    assert key() == before
    (pkg / "helper.py").write_text("RATE = 2\n")  # a helper of the builder, same size
    assert key() != before
    (pkg / ".hidden.py").write_text("x = 1\n")  # glob("*.py") never listed hidden files
    after = key()
    (pkg / ".hidden.py").write_text("x = 2\n")
    assert key() == after
    sys.modules.pop("builderpkg.build", None)
    sys.modules.pop("builderpkg", None)

"""Table tests of the per-value normalizers."""

from __future__ import annotations

import math

import pytest

from catalog import normalize as n


@pytest.mark.parametrize(
    ("text", "gib"),
    [
        ("8 GiB", 8.0),
        ("0.5 GiB", 0.5),
        ("1,952 GiB", 1952.0),
        ("1.7 GiB", 1.7),
        ("512 MiB", 0.5),
        ("2 TiB", 2048.0),
        ("16", 16.0),
        (4, 4.0),
        ("NA", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_memory_gib(text, gib):
    assert n.parse_memory_gib(text) == (pytest.approx(gib) if gib is not None else None)


@pytest.mark.parametrize("text", ["eight GiB", "8 GB RAM", "8 PiB"])
def test_parse_memory_gib_rejects(text):
    with pytest.raises(ValueError, match="memory"):
        n.parse_memory_gib(text)


@pytest.mark.parametrize(
    ("text", "gbps", "burst"),
    [
        ("Up to 12.5 Gigabit", 12.5, True),
        ("25 Gigabit", 25.0, False),
        ("4x 100 Gigabit", 400.0, False),
        ("16x 200 Gigabit", 3200.0, False),
        ("100 Megabit", 0.1, False),
        ("Moderate", None, False),
        ("Low to Moderate", None, False),
        ("High", None, False),
        (None, None, False),
    ],
)
def test_parse_network(text, gbps, burst):
    got = n.parse_network_gbps(text)
    assert got == (pytest.approx(gbps) if gbps is not None else None)
    assert n.network_is_burst(text) is burst


@pytest.mark.parametrize(
    ("itype", "family", "size", "metal"),
    [
        ("m5.large", "m5", "large", False),
        ("u7i-12tb.224xlarge", "u7i-12tb", "224xlarge", False),
        ("c7i-flex.xlarge", "c7i-flex", "xlarge", False),
        ("m7i.metal-24xl", "m7i", "metal-24xl", True),
        ("mac-m4.metal", "mac-m4", "metal", True),
    ],
)
def test_split_instance_type(itype, family, size, metal):
    assert n.split_instance_type(itype) == (family, size)
    assert n.is_metal(itype) is metal


@pytest.mark.parametrize("itype", ["m5", ".large", "m5.", ""])
def test_split_instance_type_rejects(itype):
    with pytest.raises(ValueError, match="instance type"):
        n.split_instance_type(itype)


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2025-04-04T22:41:22Z", "2025-04-04"),
        ("20250628", "2025-06-28"),
        ("2026-07-20", "2026-07-20"),
        ("2024-09-28 00:07:42", "2024-09-28"),
    ],
)
def test_to_iso_date(value, iso):
    assert n.to_iso_date(value) == iso


@pytest.mark.parametrize("value", ["04/04/2025", "2025-13-01", "20251301", "yesterday"])
def test_to_iso_date_rejects(value):
    with pytest.raises(ValueError, match="date"):
        n.to_iso_date(value)


@pytest.mark.parametrize(
    ("text", "price"),
    [
        ("0.0960000000", 0.096),
        ("0.010400", 0.0104),
        ("1,234.5", 1234.5),
        ("0", 0.0),
        ("-1.5", -1.5),
        (0.25, 0.25),
    ],
)
def test_parse_price(text, price):
    # Zero and negative pass here on purpose: the schema rejects them with table and column.
    assert n.parse_price(text) == pytest.approx(price)


@pytest.mark.parametrize("text", ["", "free", "0.09 USD", "NaN"])
def test_parse_price_rejects(text):
    with pytest.raises(ValueError, match="price"):
        n.parse_price(text)


@pytest.mark.parametrize(
    ("fn", "text", "expected"),
    [
        (n.first_number, "0.005 (above 3000)", 0.005),
        (n.first_number, "3 IOPS per GiB", 3.0),
        (n.first_number, "none", None),
        (n.range_max, "40-200", 200.0),
        (n.range_max, "500 (1 MiB I/O)", 500.0),
        (n.range_max, "80000", 80000.0),
        (n.minimum_in_text, "provisioned (100 min)", 100.0),
        (n.minimum_in_text, "3 IOPS per GiB (min 100)", 100.0),
        (n.minimum_in_text, "3000", 3000.0),
        (n.minimum_in_text, "size-dependent", None),
        (n.per_tib_rate, "40 MiB/s per TiB", 40.0),
        (n.per_tib_rate, "throughput credits: burst 250 MiB/s per TiB, bucket", 250.0),
        (n.per_tib_rate, "125", None),
        (n.mib_to_gib, 8192, 8.0),
        (n.gb_to_gib, 1000, 1000 * 1e9 / 2**30),
    ],
)
def test_cell_readers(fn, text, expected):
    got = fn(text)
    if expected is None:
        assert got is None
    else:
        assert math.isclose(got, expected)


def test_parse_tiers():
    text = "tiered: 0.065 (<=32000); 0.0455 (32001-64000); 0.032 (>64000)"
    assert n.parse_tiers(text) == [(0.065, 32000.0), (0.0455, 64000.0), (0.032, None)]
    assert n.parse_tiers("0.065") == []
    with pytest.raises(ValueError, match="tier"):
        n.parse_tiers("tiered: 0.065 (some)")

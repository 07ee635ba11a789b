"""Header sets of real templates and exports: which column became which field.

The sets (``tests/real_header_sets.py``) come from public grid-management and
community-policing systems: title and notes rows, a 填报单位 row, two-row
headers with 户籍地 merged over 省/市/区县, an instruction row, pinyin database
columns, HTML tables named ``.xls``, tab-separated exports. Each is written
in its layout with generated values of each column's kind and read back.

The held-out sets are not asserted here (they only measure, see
``benchmarks/real_headers.py``).
"""

from __future__ import annotations

import pytest

from recon.loaders import load
from tests.real_header_sets import SETS, _data, write_set

TUNED = [hs for hs in SETS if not hs.held_out]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("real_headers")


def test_the_table_has_the_layouts_it_claims():
    """Guard: the cases the issue names are all in the table."""
    layouts = set().union(*(hs.layout for hs in TUNED))
    assert {"html", "tab", "title", "notes", "info", "instructions"} <= layouts
    assert any(any("/省" in c for c in hs.columns) for hs in TUNED)  # merged 户籍地
    assert any(any(c.startswith("XZZQHMC") for c in hs.columns) for hs in TUNED)  # pinyin
    assert len(TUNED) >= 19 and sum(hs.held_out for hs in SETS) >= 6


@pytest.mark.parametrize("hs", TUNED, ids=[hs.key for hs in TUNED])
def test_each_column_becomes_its_field(folder, hs):
    path, cols = write_set(folder, hs, rows=12)
    result = load(path, side="system")
    (sheet,) = [s for s in result.sheets if s.read]
    got = {c.index: c.field or "" for c in sheet.columns}
    expected = {j: c.field for j, c in enumerate(cols)}
    wrong = {
        f"{cols[j].parent}/{cols[j].sub}" if cols[j].sub else cols[j].parent: (got.get(j), f)
        for j, f in expected.items()
        if got.get(j, "") != f
    }
    assert wrong == {}
    assert sheet.rows_read == 12
    if "instructions" in hs.layout:
        assert sheet.skipped == {"instruction": 1}
    if "html" in hs.layout:
        assert sheet.source_format == "html"
        assert "网页表格" in sheet.note
    # every column taken says why
    assert all(c.reason for c in sheet.columns if c.field)


@pytest.mark.parametrize(
    "hs",
    [hs for hs in TUNED if any(c.startswith("户籍地/省") for c in hs.columns)],
    ids=lambda hs: hs.key,
)
def test_hukou_parts_are_joined_with_the_detail(folder, hs):
    """户籍地 merged over 省/市/区县 and a 户籍详址 column: one hukou address."""
    path, cols = write_set(folder, hs, rows=5, seed=3)
    result = load(path, side="system")
    parts = [j for j, c in enumerate(cols) if c.field == "hukou_address"]
    detail = parts[-1]

    data = _data(cols, 5, 3)
    expected = ["".join(row[j] for j in parts) for row in data]
    assert list(result.records["hukou_address"]) == expected
    assert all(row[detail] in got for row, got in zip(data, expected, strict=True))

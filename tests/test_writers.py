"""Writers: CSV safety, and workbook rows identical to what xlsxwriter writes."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from recon.normalize.address import walk_order
from recon.writers._csv import write_csv
from recon.writers._xlsx import Col, WorkbookWriter

TRICKY = [
    "张伟",
    "a&b <c> d",
    " leading space",
    "trailing space ",
    "tab\tinside",
    "ctrl\x01char",
    "_x0041_ looks escaped",
    "=SUM(A1:A2)",
    "+cmd|' /C calc'!A0",
    "x" * 40_000,
    "",
    "line\nbreak",
    "310112199001011233",
]


def _reference(path, frame: pd.DataFrame) -> None:
    """The same table written cell by cell through xlsxwriter's public API."""
    wb = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    ws = wb.add_worksheet("t")
    ws.write_string(0, 0, "文本")
    ws.write_string(0, 1, "数字")
    for i, (text, num) in enumerate(zip(frame["text"], frame["num"], strict=True), start=1):
        if text:
            ws.write_string(i, 0, text)
        if num == num:
            ws.write_number(i, 1, num)
    wb.close()


def _ours(path, frame: pd.DataFrame) -> None:
    w = WorkbookWriter(path)
    w.table("t", frame, [Col("text", "文本"), Col("num", "数字", kind="number")])
    w.close()


def _cells(path) -> list[tuple[object, str]]:
    ws = openpyxl.load_workbook(path)["t"]
    return [(c.value, c.data_type) for row in ws.iter_rows(min_row=2) for c in row]


def test_bulk_rows_read_back_like_xlsxwriter_cells(tmp_path):
    frame = pd.DataFrame(
        {"text": TRICKY, "num": [1.5, -3, float("nan"), 0, 1e20, 2**40, 7, 8, 9, 10, 11, 12, 13]}
    )
    _reference(tmp_path / "ref.xlsx", frame)
    _ours(tmp_path / "ours.xlsx", frame)
    ours = openpyxl.load_workbook(tmp_path / "ours.xlsx")["t"]
    body = [[c.value for c in row] for row in ours.iter_rows(min_row=2, max_col=2)]
    ref = [
        [c.value for c in row]
        for row in openpyxl.load_workbook(tmp_path / "ref.xlsx")["t"].iter_rows(
            min_row=2, max_col=2
        )
    ]
    assert body == ref
    assert ours.dimensions == f"A1:B{len(frame) + 1}"
    assert ours["A9"].data_type == "s" and ours["A9"].value == "=SUM(A1:A2)"  # text, not a formula
    assert len(ours["A11"].value) == 32_767  # Excel's cell limit, as xlsxwriter applies it


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(max_size=30), min_size=1, max_size=20))
def test_any_text_survives_the_bulk_rows(tmp_path_factory, texts):
    path = tmp_path_factory.mktemp("x") / "t.xlsx"
    frame = pd.DataFrame({"text": texts, "num": [float(i) for i in range(len(texts))]})
    _ours(path, frame)
    ref = tmp_path_factory.mktemp("y") / "r.xlsx"
    _reference(ref, frame)
    got = [c[0] for c in _cells(path)[0::2]]
    want = [c[0] for c in _cells(ref)[0::2]]
    assert got == want


def test_csv_is_utf8_bom_crlf_and_neutralises_formulas(tmp_path):
    frame = pd.DataFrame(
        {"name": ["=HYPERLINK(1)", "张伟", "-x", "@a", "\tb"], "score": [-3.5, 1, 2, 3, 4]}
    )
    write_csv(frame, tmp_path / "x.csv")
    raw = (tmp_path / "x.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfname,score\r\n")
    back = pd.read_csv(tmp_path / "x.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert back["name"].tolist() == ["'=HYPERLINK(1)", "张伟", "'-x", "'@a", "'\tb"]
    assert back["score"].tolist()[0] == "-3.5"  # a number is not a formula


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (["古美路10弄1号101室", "古美路2弄1号101室"], ["古美路2弄1号101室", "古美路10弄1号101室"]),
        (["古美路1弄12号302室", "古美路1弄3号302室"], ["古美路1弄3号302室", "古美路1弄12号302室"]),
        (["古美路1弄3号1201室", "古美路1弄3号302室"], ["古美路1弄3号302室", "古美路1弄3号1201室"]),
        (["九星村10组2号", "九星村3组45号"], ["九星村3组45号", "九星村10组2号"]),
        (["", "古美路1弄1号101室"], ["古美路1弄1号101室", ""]),
    ],
)
def test_walk_order_is_numeric(keys, expected):
    s = pd.Series(keys)
    assert [keys[i] for i in walk_order(s)] == expected


def test_walk_order_groups_by_committee_first():
    keys = pd.Series(["古美路2弄1号101室", "古美路1弄1号101室"])
    groups = pd.Series(["a", "b"])  # the committee wins over the address
    assert list(walk_order(keys, groups)) == [0, 1]
    assert list(walk_order(keys)) == [1, 0]

"""Row classification of a sheet body (blank, 序号-only, 合计, repeated header, note).

``_classify`` works on whole columns and looks at single cells only for the
rows a cheap test lets through; these tests hold it to a plain row-by-row
reading of the same rules, on tables of cases and on generated sheets.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recon.loaders._sheet import _NOTE, _SPACES, _TOTAL, _classify, _Header

LABELS = ["序号", "姓名", "身份证号", "现居住地址", "备注"]
FIELDS = {0: "serial", 1: "name", 2: "id_number", 3: "address"}


def _header() -> _Header:
    return _Header(rows=[0], labels=list(LABELS), fields=dict(FIELDS))


def _reference(rows: list[list[str]], header: _Header) -> list[str]:
    """The rules read one row at a time."""
    out = []
    serial = [j for j, f in header.fields.items() if f == "serial"]
    person = [j for j, f in header.fields.items() if f in ("name", "id_number")]
    for cells in rows:
        filled = [c for c in cells if c != ""]
        first = filled[0] if filled else ""
        serial_filled = [cells[j] for j in serial if cells[j] != ""]
        repeated = sum(
            cells[j] == header.labels[j].split("/")[-1]
            for j, f in header.fields.items()
            if f != "serial"
        )
        if not filled:
            out.append("blank")
        elif (
            serial
            and len(serial_filled) == len(filled)
            and all(re.fullmatch(r"\d{1,6}(?:\.0)?", c) for c in serial_filled)
        ):
            out.append("serial_only")
        elif _TOTAL.match(re.sub(r"\s+", "", first)):
            out.append("total")
        elif repeated >= 2:
            out.append("header")
        elif not any(cells[j] for j in person) and all(_NOTE.search(c) for c in filled):
            out.append("note")
        else:
            out.append("")
    return out


def _frame(rows: list[list[str]], arrow: bool) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=range(len(LABELS)), dtype=object)
    return frame.astype(str) if arrow else frame  # CSV cells / Excel cells as text


CASES = [
    ("a person", ["1", "张伟", "310101199001011234", "古美路1弄1号", ""], ""),
    ("blank", ["", "", "", "", ""], "blank"),
    ("序号 only", ["12", "", "", "", ""], "serial_only"),
    ("序号 as a number cell", ["12.0", "", "", "", ""], "serial_only"),
    ("合计 in the first cell", ["合计", "", "", "", "35人"], "total"),
    ("合计 after an empty cell", ["", "合 计", "", "", ""], "total"),
    ("小计 with a full-width space", ["\u3000小\u3000计：", "", "", "", ""], "total"),
    ("汇总 behind leading blanks", [" \t汇总", "", "", "", ""], "total"),
    ("a name starting with 小 is a person", ["3", "小明", "", "", ""], ""),
    ("共和新路 is an address", ["", "", "", "共和新路1号", ""], ""),
    ("the header again", ["序号", "姓名", "身份证号", "现居住地址", ""], "header"),
    ("a footer", ["填表人：李", "", "", "审核人：王", "日期：2024"], "note"),
    ("a footer with a name is a person", ["", "张伟", "", "", "说明：租户"], ""),
    ("a note after 合计 words", ["注：合计不含外出人员", "", "", "", ""], "note"),
]


@pytest.mark.parametrize("arrow", [True, False], ids=["csv", "excel"])
@pytest.mark.parametrize(("description", "cells", "expected"), CASES, ids=[c[0] for c in CASES])
def test_row_reasons(description: str, cells: list[str], expected: str, arrow: bool) -> None:
    got = _classify(_frame([cells], arrow), _header())
    assert got.tolist() == [expected], description


_CELLS = st.sampled_from(
    ["", "", "", "1", "12", "3.0", "合计", "小 计", "\u3000总计", "总数：", "汇总", "共计 5",
     "合", "小明", "共和新路", "注：无", "填表人：李", "日期:", "姓名", "身份证号", "张伟",
     "310101199001011234", " ", "\t"]
)  # fmt: skip


def test_isspace_range() -> None:
    """The whitespace class of the cheap test covers every character str.isspace takes."""
    every = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
    assert every == _SPACES


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.lists(_CELLS, min_size=5, max_size=5), min_size=1, max_size=30),
    arrow=st.booleans(),
)
def test_same_as_row_by_row(rows: list[list[str]], arrow: bool) -> None:
    got = _classify(_frame(rows, arrow), _header())
    assert got.tolist() == _reference(rows, _header())

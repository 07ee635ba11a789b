"""Workbooks print as a clerk needs them: whole IDs, headers and positions,
merged titles and headings, no heading alone at the foot of a page.

The layout is asserted through openpyxl everywhere; where LibreOffice and
poppler are installed, the workbooks are also printed to PDF and their pages
read back (tools/render_check.py).
"""

from __future__ import annotations

import importlib.util
import math
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from recon.cli import app, expand_argv
from recon.sample import StreetSpec, generate_street, write_street
from recon.worklists import RECORD_SHEET, VISIT_HEADERS
from recon.writers import _xlsx
from recon.writers._xlsx import (
    ID_WIDTH,
    LINE_HEIGHT,
    PAD,
    Col,
    WorkbookWriter,
    display_units,
    fit,
    page_breaks,
)

ROOT = Path(__file__).resolve().parents[1]
HEADER_FILL = "DDEBF7"
HEADING_FILL = "F2F2F2"
ID_HEADER = re.compile(r"身份证|身份号码|证件号|电话")
WORKBOOKS = ["核对结果.xlsx", "入户核查单.xlsx", "核查结果汇总.xlsx"]


def _render_check():
    spec = importlib.util.spec_from_file_location("render_check", ROOT / "tools/render_check.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["render_check"] = module
    spec.loader.exec_module(module)
    return module


def invoke(*args):
    return CliRunner().invoke(app, expand_argv([str(a) for a in args]))


@pytest.fixture(scope="module")
def street(tmp_path_factory):
    """A small street matched, its worklist filled by hand, the results read."""
    root = tmp_path_factory.mktemp("print")
    files = write_street(
        generate_street(StreetSpec(seed=17, committees=2, residents_per_committee=200)),
        root / "data",
    )
    out = root / "result"
    res = invoke("match", files.field_dir, "--system", files.system_dir, "--out", out)
    assert res.exit_code == 0, res.stderr
    book = openpyxl.load_workbook(out / "入户核查单.xlsx")
    col = {h: i + 1 for i, h in enumerate(VISIT_HEADERS)}
    for ws in [w for w in book.worksheets if w.sheet_state == "visible"]:
        people = [
            r
            for r in range(4, ws.max_row + 1)
            if str(ws.cell(r, col["记录号"]).value or "").startswith("R")
        ]
        for i, r in enumerate(people[:10]):
            if i % 2:
                ws.cell(r, col["已离开"]).value = "√"
                ws.cell(r, col["去向/现住址"]).value = "回老家江西省上饶市广丰区"
            else:
                ws.cell(r, col["信息有误"]).value = "√"
                ws.cell(r, col["备注"]).value = "电话已换，新号码见采集表"
    book.save(root / "filled.xlsx")
    res = invoke("results", root / "filled.xlsx", "--out", root / "r", "--match", out)
    assert res.exit_code == 0, res.stderr
    return {"核对结果.xlsx": out, "入户核查单.xlsx": out, "核查结果汇总.xlsx": root / "r"}


def _fill(cell) -> str:
    return str(cell.fill.fgColor.rgb or "")[-6:].upper()


def _sheets(street):
    for name in WORKBOOKS:
        book = openpyxl.load_workbook(street[name] / name)
        for ws in book.worksheets:
            if ws.sheet_state == "visible":
                yield name, ws


def _header_row(ws) -> int:
    return next(r for r in range(1, ws.max_row + 1) if any(_fill(c) == HEADER_FILL for c in ws[r]))


def _width(ws, column: int) -> float:
    letter = openpyxl.utils.get_column_letter(column)
    for dim in ws.column_dimensions.values():  # openpyxl groups equal widths
        lo, hi = dim.min or 0, dim.max or 0
        if dim.index == letter or lo <= column <= hi:
            return float(dim.width)
    return 8.43


# --- measuring ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("description", "col", "values", "least", "most", "wraps"),
    [
        ("an 18-digit ID column, however narrow its layout", Col("i", "身份证号", 12, "id"),
         ["330102199001011234"], ID_WIDTH, ID_WIDTH + 1, False),
        ("a masked ID is as wide as a whole one", Col("i", "公民身份号码", 12, "id"),
         ["330102********1234"], ID_WIDTH, ID_WIDTH + 1, False),
        ("a position column widens to 第5行", Col("w", "采集表位置", 12),
         ["采集表.xlsx／Sheet1 第5行"], 28, 29, False),
        ("a long position wraps rather than widen the page", Col("w", "系统位置", 12),
         ["平阳一村居委来沪人员信息采集表.xls／Sheet1 第4行"], 32, 32, True),
        ("a long note wraps at the cap", Col("n", "说明", 12),
         ["系统中为15位旧号码，应改为18位；出生日期与证号不符，请核对户口簿"], 32, 32, True),
        ("a wrapping address keeps its layout width", Col("a", "户籍地址", 24, wrap=True),
         ["新疆维吾尔自治区昌吉回族自治州吉木萨尔县刘集乡双桥村36号"], 24, 24, True),
        ("a short name keeps the layout width", Col("n", "姓名", 9), ["王芳"], 9, 9, False),
        ("a long header widens its column to two lines", Col("n", "待人工确认（采集表）", 6, "int"),
         [3], 12, 13, False),
        ("counts are never wrapped", Col("n", "人数", 4, "int"), [1234567], 9, 10, False),
    ],
)  # fmt: skip
def test_a_column_fits_its_header_and_content(description, col, values, least, most, wraps):
    fitted = fit(col, np.array(values, dtype=object))
    assert least <= fitted.width <= most, description
    assert fitted.wrap == wraps, description


@pytest.mark.parametrize(
    ("description", "text", "units"),
    [
        ("digits", "330102199001011234", 18 * 1.1),
        ("Chinese", "古美路", 6.0),
        ("mixed", "第5行", 5.1),
        ("empty", "", 0.0),
    ],
)
def test_display_units(description, text, units):
    assert display_units([text])[0] == pytest.approx(units), description


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from([15.0, 24.0, 32.0, 47.0]), st.booleans()),
        min_size=1,
        max_size=300,
    ),
    widths=st.lists(st.floats(4, 40), min_size=1, max_size=16),
    repeated=st.floats(20, 120),
)
def test_page_breaks_never_leave_a_heading_at_the_foot(rows, widths, repeated):
    heights = np.array([h for h, _ in rows])
    heading = np.array([h for _, h in rows])
    breaks = page_breaks(heights, heading, widths, repeated)
    assert breaks == sorted(set(breaks)) and all(0 < b < len(rows) for b in breaks)
    for b in breaks:
        assert not heading[b - 1]  # the row before a page break is never a heading
    # and each page holds what the page holds (a page of one block may overflow)
    total = sum(_xlsx._column_points(w) for w in widths)
    scale = min(1.0, math.floor(100 * _xlsx.PAGE_WIDTH / total) / 100)
    room = max(_xlsx.PAGE_HEIGHT * _xlsx.PAGE_SAFETY / scale - repeated, 3 * _xlsx.ROW_HEIGHT)
    for a, b in zip([0, *breaks], [*breaks, len(rows)], strict=True):
        page = heights[a:b]
        assert page.sum() <= room + 1e-6 or b - a <= 1 + _xlsx.KEEP_WITH_HEADING


# --- the workbooks recon writes ----------------------------------------------------------


def test_id_and_phone_columns_hold_18_digits(street):
    seen = 0
    for name, ws in _sheets(street):
        if ws.title == "概况":
            continue
        header = _header_row(ws)
        for c in ws[header]:
            if c.value and ID_HEADER.search(str(c.value)):
                seen += 1
                assert _width(ws, c.column) >= ID_WIDTH, (name, ws.title, c.value)
    assert seen >= 10


def test_text_fits_its_column_or_wraps_in_a_tall_enough_row(street):
    checked = 0
    for name, ws in _sheets(street):
        if ws.title == "概况":
            continue
        header = _header_row(ws)
        merged = {m.min_row for m in ws.merged_cells.ranges if m.min_row > header}
        for row in ws.iter_rows(min_row=header + 1, max_row=min(ws.max_row, header + 400)):
            if row[0].row in merged or row[0].font.i:  # a heading, or a note
                continue
            height = ws.row_dimensions[row[0].row].height or LINE_HEIGHT  # one line
            for c in row:
                if not isinstance(c.value, str) or not c.value or c.font.sz == 7:
                    continue
                width = _width(ws, c.column)
                units = display_units([c.value])[0]
                checked += 1
                if c.alignment.wrap_text:
                    lines = math.ceil(units / (width - PAD))
                    assert height >= lines * LINE_HEIGHT, (name, ws.title, c.coordinate)
                else:
                    assert units + PAD <= width + 1e-6, (name, ws.title, c.coordinate)
    assert checked > 1000


def test_headers_wrap_in_a_tall_enough_row(street):
    for name, ws in _sheets(street):
        header = _header_row(ws)
        height = ws.row_dimensions[header].height
        for c in ws[header]:
            if c.value:
                lines = math.ceil(display_units([c.value])[0] / (_width(ws, c.column) - PAD))
                assert c.alignment.wrap_text, (name, ws.title, c.value)
                assert height >= lines * LINE_HEIGHT, (name, ws.title, c.value)


def test_titles_and_headings_are_merged_across_the_table(street):
    headings = 0
    for name, ws in _sheets(street):
        if ws.title == "概况":
            continue
        header = _header_row(ws)
        last = max(c.column for c in ws[header] if c.value)
        ranges = {(m.min_row, m.min_col): m for m in ws.merged_cells.ranges}
        assert (1, 1) in ranges and ranges[1, 1].max_col == last, (name, ws.title)
        for row in ws.iter_rows(min_row=header + 1):
            filled = [c for c in row if c.value not in (None, "")]
            if len(filled) == 1 and _fill(filled[0]) == HEADING_FILL:
                headings += 1
                m = ranges[filled[0].row, filled[0].column]
                assert m.max_col == last and m.max_row == m.min_row, (name, ws.title)
    assert headings >= 10  # the worklists' buildings, and the new-people line


def test_overview_is_tables_with_the_explanations_below(street):
    ws = openpyxl.load_workbook(street["核对结果.xlsx"] / "核对结果.xlsx")["概况"]
    headers = [r for r in range(1, ws.max_row + 1) if any(_fill(c) == HEADER_FILL for c in ws[r])]
    assert len(headers) == 3
    span = max(c.column for c in ws[headers[0]] if c.value)
    widths = [_width(ws, j) for j in range(1, span + 1)]
    assert max(widths) <= 32  # no explanation column widening the page
    ranges = {m.min_row: m for m in ws.merged_cells.ranges}
    guide = headers[-1]
    assert ranges[guide].max_col == span  # 内容 runs to the table's right edge
    notes = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).font.i]
    assert notes and min(notes) > guide
    assert all(ranges[r].max_col == span for r in notes)


@pytest.mark.parametrize(
    "description, committees, one_page",
    [
        ("a page of 居委 and its notes: the notes would sit alone on page 2", 22, True),
        ("a town of many 居委: pages of tables, not shrunk to one", 120, False),
    ],
)
def test_a_summary_just_over_one_page_prints_on_one(tmp_path, description, committees, one_page):
    names = [f"第{i}居委" for i in range(committees)]
    frame = pd.DataFrame({"name": names, "n": range(committees)})
    cols = [Col("name", "居委", 14), Col("n", "人数", 10, "int")]
    guide = pd.DataFrame({"sheet": ["已匹配"], "what": ["说明"]})
    book = WorkbookWriter(tmp_path / "x.xlsx")
    blocks = [("按居委统计", frame, cols), ("各工作表说明", guide, [Col("sheet", "工作表", 14),
              Col("what", "内容", 40, "wrap")])]  # fmt: skip
    book.key_values("概况", "实有人口核对结果", blocks, ["注：说明"] * 3)
    book.close()
    ws = openpyxl.load_workbook(tmp_path / "x.xlsx")["概况"]
    assert ws.sheet_properties.pageSetUpPr.fitToPage, description

    def pages(value):  # absent: 1, the default
        return 1 if value is None else int(value)

    assert pages(ws.page_setup.fitToWidth) == 1
    assert (pages(ws.page_setup.fitToHeight) == 1) == one_page, description


def test_hidden_record_is_not_measured_for_print(street):
    book = openpyxl.load_workbook(street["入户核查单.xlsx"] / "入户核查单.xlsx")
    assert book[RECORD_SHEET].sheet_state == "veryHidden"


# --- printed ------------------------------------------------------------------------------

needs_office = pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftotext")),
    reason="LibreOffice (soffice) and poppler (pdftotext) are not installed: "
    "the workbooks cannot be printed here",
)


@needs_office
def test_printed_pages_show_whole_ids_headers_and_no_orphan_heading(street, tmp_path):
    check = _render_check()
    folders = sorted({street[name] for name in WORKBOOKS})
    reports = check.run(folders, keep=tmp_path)
    by_name = {r.workbook.name: r for r in reports}
    for name in WORKBOOKS:
        r = by_name[name]
        assert r.pages >= 1 and not r.problems, (name, r.problems)
        assert r.checked["身份证号"] > 0 and r.checked["表头"] > 0
    assert by_name["入户核查单.xlsx"].checked["标题行"] > 5
    # every page of the worklist ends where the writer broke it: none by LibreOffice
    book = openpyxl.load_workbook(street["入户核查单.xlsx"] / "入户核查单.xlsx")
    visible = [ws for ws in book.worksheets if ws.sheet_state == "visible"]
    breaks = sum(len(ws.row_breaks.brk) for ws in visible)
    assert by_name["入户核查单.xlsx"].pages == len(visible) + breaks
    assert by_name["核对结果.xlsx"].checked["位置"] > 50


def _worklist(path: Path) -> None:
    """A worklist-like sheet: a heading every third row, over many pages."""
    rows, formats = [], []
    for b in range(120):
        rows.append({"name": f"古美路{b + 1}号（2 人）"})
        formats.append("heading")
        for k in range(2):
            rows.append(
                {
                    "seq": str(2 * b + k + 1),
                    "name": "王芳",
                    "id": f"3101121990{b % 12 + 1:02d}01{k}23{b % 10}",
                    "address": f"上海市闵行区古美路{b + 1}号{k + 1}01室",
                }
            )
            formats.append("")
    frame = pd.DataFrame(rows, columns=["seq", "name", "id", "address"]).fillna("")
    cols = [
        Col("seq", "序号", 5, "int"),
        Col("name", "姓名", 9),
        Col("id", "身份证号", 19, "id"),
        Col("address", "登记住址", 24, "wrap"),
    ]
    wb = WorkbookWriter(path)
    wb.table(
        "核查单",
        frame,
        cols,
        title="古美一村 入户核查单",
        row_format=np.asarray(formats, dtype=object),
    )
    wb.close()


@needs_office
def test_render_check_finds_a_heading_left_at_the_foot_of_a_page(tmp_path, monkeypatch):
    check = _render_check()
    kept = tmp_path / "kept"
    kept.mkdir()
    _worklist(kept / "kept.xlsx")
    monkeypatch.setattr(_xlsx, "page_breaks", lambda *a: [])
    loose = tmp_path / "loose"
    loose.mkdir()
    _worklist(loose / "loose.xlsx")
    reports = {r.workbook.name: r for r in check.run([kept, loose], keep=tmp_path / "pdf")}
    assert reports["kept.xlsx"].pages > 3 and not reports["kept.xlsx"].problems
    assert any("标题行结束" in p for p in reports["loose.xlsx"].problems)

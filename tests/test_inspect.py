"""``recon inspect`` on the sample street: every person row read, nothing else.

The street (seed 10) has every field template: an info row and a 合计 row
(T1), an instructions sheet (T2), a group row (T3), blank rows and number
cells (T4), one sheet per collector (T5) and a legacy .xls (T6); the police
export is a GB18030 CSV. ``答案/truth.csv`` lists every data row written.
"""

from __future__ import annotations

import io
import json
import shutil
from collections import Counter

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook
from rich.console import Console
from typer.testing import CliRunner

import recon.cli
from recon.cli import app
from recon.inspect import FINDINGS, inspect_files, render_inspection
from recon.rules import load_rules
from recon.sample import StreetSpec, generate_street, write_street

SEED = 10  # a seed whose T4 sheet has blank rows between records


@pytest.fixture(autouse=True)
def wide_consoles(monkeypatch):
    """Pin recon's consoles to 120 columns.

    ``recon.console`` builds its rich consoles at import, and a COLUMNS set
    in the environment then fixes their width for good; CliRunner's env
    cannot change it afterwards. Fresh consoles still write to the streams
    CliRunner captures (sys.stdout / sys.stderr at print time).
    """
    monkeypatch.setattr(recon.cli, "out", Console(width=120, highlight=False))
    monkeypatch.setattr(recon.cli, "err", Console(width=120, highlight=False, stderr=True))


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    spec = StreetSpec(seed=SEED, committees=6, residents_per_committee=60)
    return write_street(
        generate_street(spec), tmp_path_factory.mktemp("street"), layout="workbooks"
    )


@pytest.fixture(scope="module")
def truth(files):
    return pd.read_csv(
        files.truth_path, dtype=str, keep_default_na=False, encoding="utf-8-sig"
    ).astype({"row": int})


@pytest.fixture(scope="module")
def inspected(files):
    """(result, sheets) for each side."""
    return {
        "field": inspect_files([files.field_dir], side="field"),
        "system": inspect_files([files.system_dir], side="system"),
    }


def flat(text: str) -> str:
    return "".join(text.split())


# --- what is read --------------------------------------------------------------------------


@pytest.mark.parametrize("side", ["field", "system"])
def test_every_person_row_is_read_and_nothing_else(inspected, truth, side):
    result, _sheets = inspected[side]
    assert result.errors == []
    got = list(
        zip(result.records["file"], result.records["sheet"], result.records["row"], strict=True)
    )
    got_set = {(f, s, int(r)) for f, s, r in got}
    assert len(got_set) == len(got)  # no row read twice
    expected = truth[truth["side"] == side]
    expected_set = set(zip(expected["file"], expected["sheet"], expected["row"], strict=True))
    assert len(expected_set) == len(expected) > 0
    missing = sorted(expected_set - got_set)
    extra = sorted(got_set - expected_set)
    assert missing == [], f"person rows not read: {missing[:10]}"
    assert extra == [], f"rows read that are not persons: {extra[:10]}"


def test_the_street_has_the_cases_this_test_relies_on(files, inspected):
    """Guard: a change of the generator must not quietly empty these tests."""
    _result, sheets = inspected["field"]
    names = [p.name for p in files.field_files]
    assert any(n.endswith(".xls") for n in names)
    skipped = Counter()
    for s in sheets:
        skipped.update(s.report.skipped)
    assert skipped["total"] >= 1 and skipped["blank"] >= 1
    assert any(not s.report.read for s in sheets)  # the instructions sheet
    assert len({s.report.file for s in sheets}) == 6


@pytest.mark.parametrize("side", ["field", "system"])
def test_per_sheet_counts(inspected, truth, side):
    _result, sheets = inspected[side]
    expected = truth[truth["side"] == side].groupby(["file", "sheet"]).size().to_dict()
    read = {(s.report.file, s.report.sheet): s.report.rows_read for s in sheets if s.report.read}
    assert read == expected
    for s in sheets:
        if not s.report.read:
            assert (s.report.file, s.report.sheet) not in expected
            assert s.report.note  # says why


def test_every_row_below_the_header_is_read_or_skipped_with_a_reason(files, inspected):
    """Rows after the header = rows read + rows skipped, sheet by sheet."""
    _result, sheets = inspected["field"]
    by_key = {(s.report.file, s.report.sheet): s.report for s in sheets}
    checked = 0
    for path in files.field_files:
        wb = CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            report = by_key[(path.name, name)]
            if not report.read:
                continue
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            below = len(rows) - report.header_rows[-1]
            assert below == report.rows_read + sum(report.skipped.values()), (path.name, name)
            checked += 1
    assert checked == len(by_key) - 1  # all but the instructions sheet


def test_system_findings_count_the_cancelled_records(inspected, truth):
    _result, sheets = inspected["system"]
    inactive_words = load_rules().status.inactive
    system = truth[truth["side"] == "system"]
    cancelled = int(system["status"].isin(inactive_words).sum())
    assert cancelled > 0
    (only,) = sheets
    assert only.counts.get("inactive", 0) == cancelled
    assert set(only.counts) <= set(FINDINGS)


def test_field_findings_count_the_number_cell_ids(inspected, truth):
    """The T4 居委 typed IDs into number cells: its 18-digit IDs come out damaged."""
    result, sheets = inspected["field"]
    damaged = result.records[result.records["id_kind"] == "damaged"]
    assert len(damaged) > 0
    assert damaged["id_numeric"].all()
    per_sheet = damaged.groupby(["file", "sheet"]).size().to_dict()
    counted = {(s.report.file, s.report.sheet): s.counts.get("id_damaged", 0) for s in sheets}
    assert {k: v for k, v in counted.items() if v} == per_sheet


# --- rendering ---------------------------------------------------------------------------


def render(inspected, side, width=120):
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    for part in render_inspection(*inspected[side]):
        console.print(part)
    return console.export_text()


def total_cells(text):
    """Cells of the 合计 row of the total table."""
    line = next(ln for ln in text.splitlines() if ln.startswith("│ 合计"))
    return [c.strip() for c in line.strip("│").split("│")]


@pytest.mark.parametrize("side", ["field", "system"])
def test_rendered_on_a_fixed_width_console(inspected, truth, side):
    text = render(inspected, side)
    assert all(len(line) <= 120 for line in text.splitlines())
    for label in ("表头所在行", "读取人员行", "跳过的行", "居委", "发现的问题", "识别为"):
        assert label in text
    _result, sheets = inspected[side]
    for s in sheets:
        assert s.report.file in text  # each sheet's panel title
    cells = total_cells(text)
    rows = int((truth["side"] == side).sum())
    skipped = sum(sum(s.report.skipped.values()) for s in sheets)
    assert cells[:4] == ["合计", "", str(rows), str(skipped)]
    assert len(cells) == 5  # findings are one text column, so the table fits the width


def test_rendered_panel_shows_what_was_understood(inspected):
    text = render(inspected, "field")
    assert "未找到表头（像是说明页或非人员表）" in text  # the T2 instructions sheet
    assert "合计/小计行 1" in text  # T1's 合计 row
    assert "（来自表头上方的信息行）" in text  # T1's info row
    assert "号码受损" in text  # T4's number cells


def test_total_table_is_not_truncated_at_120_columns(inspected):
    lines = render(inspected, "field").splitlines()
    title = max(i for i, line in enumerate(lines) if line.strip() == "合计")
    table = "\n".join(lines[title:])
    assert "┏" in table and "│ 合计" in table
    assert "…" not in table


# --- the command -----------------------------------------------------------------------------


def invoke(*args):
    return CliRunner().invoke(app, list(map(str, args)), env={"COLUMNS": "120"})


def test_cli_inspect_field_folder(files, truth):
    result = invoke("inspect", files.field_dir)
    assert result.exit_code == 0, result.stderr
    assert "合计" in result.stdout
    assert "表头所在行" in result.stdout
    assert "错误" not in result.stderr
    assert "Traceback" not in result.output
    rows = str(int((truth["side"] == "field").sum()))
    assert total_cells(result.stdout)[2] == rows


def test_cli_inspect_system_export(files, truth):
    result = invoke("inspect", "--system", files.system_dir)
    assert result.exit_code == 0, result.stderr
    assert "gb18030" in result.stdout
    assert "已注销记录" in result.stdout
    assert total_cells(result.stdout)[2] == str(int((truth["side"] == "system").sum()))


def test_cli_inspect_reports_an_unreadable_file_and_prints_the_others(files, tmp_path):
    folder = tmp_path / "采集表"
    shutil.copytree(files.field_dir, folder)
    (folder / "损坏的表.xlsx").write_text("这不是工作簿", encoding="utf-8")
    result = invoke("inspect", folder)
    assert result.exit_code == 1
    err = flat(result.stderr)
    assert "错误：文件「损坏的表.xlsx」" in err
    assert "无法作为Excel工作簿打开" in err
    assert "Traceback" not in result.output
    # the other files are still shown, on stdout
    for path in files.field_files:
        assert path.name in result.stdout
    assert "损坏的表.xlsx" not in result.stdout
    assert "合计" in result.stdout


# --- what was chosen, and why (--json) -------------------------------------------------------

REAL_LIKE = [
    ["实有人口批量采集表"],
    ["姓名*", "身份证件名称", "身份证件号码*", "居住地派出所*", "居住地址*", "所属社区"],
    ["必填", "选填", "必填，18位", "必填", "必填，格式：路/弄/号/室", "选填"],
    [
        "张三",
        "居民身份证",
        "310112199001011233",
        "长沙市公安局芙蓉分局韭菜园派出所",
        "平阳路258弄5号102室",
        "韭菜园社区",
    ],
    [
        "李四",
        "居民身份证",
        "11010519491231002X",
        "长沙市公安局芙蓉分局韭菜园派出所",
        "古美路1255弄12号302室",
        "韭菜园社区",
    ],
]


@pytest.fixture
def real_like(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    for row in REAL_LIKE:
        wb.active.append(row)
    path = tmp_path / "实有人口采集.xlsx"
    wb.save(path)
    return path


def test_cli_inspect_json_says_which_column_and_why(real_like):
    result = invoke("inspect", "--json", real_like)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    info = json.loads(lines[0])
    assert {"file", "sheet", "header_row", "columns", "rows_read", "rows_skipped"} <= set(info)
    assert (info["file"], info["sheet"], info["header_row"]) == ("实有人口采集.xlsx", "Sheet", 2)
    assert (info["rows_read"], info["rows_skipped"]) == (2, 1)
    assert info["skipped"] == {"instruction": 1}
    got = {c["letter"]: (c["header"], c["field"]) for c in info["columns"]}
    assert got == {
        "A": ("姓名*", "name"),
        "B": ("身份证件名称", ""),
        "C": ("身份证件号码*", "id_number"),
        "D": ("居住地派出所*", ""),
        "E": ("居住地址*", "address"),
        "F": ("所属社区", "committee"),
    }
    assert all(set(c) >= {"letter", "header", "field", "reason"} for c in info["columns"])
    reasons = {c["letter"]: c["reason"] for c in info["columns"]}
    assert reasons["C"] == "表头同义词「身份证件号码」；值：18位身份证号 100%"
    assert reasons["E"] == "表头同义词「居住地址」；值：详细地址 100%"
    assert reasons["B"] and reasons["D"]  # why not: unknown / not used
    # no personal data in the output, only headers and shares
    for secret in ("张三", "310112199001011233", "平阳路"):
        assert secret not in result.stdout


def test_inspect_panel_shows_reasons_and_runner_up(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    for row in [
        ["姓名", "身份证号", "地址", "住址"],
        ["张三", "310112199001011233", "韭菜园派出所", "平阳路258弄5号102室"],
        ["李四", "11010519491231002X", "古美路1255弄", "古美路1255弄12号302室"],
        ["王五", "310112199001011233", "平阳路258弄5号101室", "平阳路258弄5号101室"],
    ]:
        wb.active.append(row)
    wb.save(tmp_path / "two_addresses.xlsx")
    result, sheets = inspect_files([tmp_path], side="field")
    console = Console(width=120, record=True, file=io.StringIO(), color_system=None)
    for part in render_inspection(result, sheets):
        console.print(part)
    text = console.export_text()
    assert all(len(line) <= 120 for line in text.splitlines())
    assert "依据（表头、值）" in text and "次选的列（未使用）" in text
    assert "表头同义词「住址」" in text
    assert "第 C 列「地址」" in text  # the runner-up for the address

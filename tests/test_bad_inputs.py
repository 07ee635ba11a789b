"""A corpus of bad inputs, each generated here and named for its case.

For every input recon cannot use, both the library (``recon.load``) and the
command line (``recon match``, ``recon inspect``) must answer the way a clerk
on Windows needs: an ``InputError`` (never another exception), exit code 1
(2 for wrong usage), one Chinese line on stderr that names the file and says
what to do, no traceback, no personal data from the file -- and no result
folder, finished or half-written, left behind.

Inputs recon accepts although they are odd (duplicate headers, formulas,
merged cells, chart sheets, far-away rows, huge cells) are read without a
crash, and what recon makes of them is asserted. (Each defect this corpus
found was first recorded as a strict xfail naming it, then fixed; the tests
now hold the fixes.)
"""

from __future__ import annotations

import hashlib
import io
import random
import re
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

import recon
import recon.pipeline
from recon.cli import app, expand_argv
from recon.errors import InputError
from recon.normalize.ids import check_char

# Personal data planted in the bad files: none of it may reach a message.
NAME = "测试敏感名"
_BODY = "31011219850317123"
ID = _BODY + check_char(_BODY)
ADDRESS = "古美路1255弄12号302室"
SECRETS = (NAME, ID)

HEADER = ["姓名", "身份证号", "现居住地址"]
EXCEL_CELL_LIMIT = 32_767  # characters (UTF-16 code units) in one Excel cell

_HAN = re.compile(r"[\u4e00-\u9fff]")


# --- helpers --------------------------------------------------------------------------


def invoke(*args: str):
    return CliRunner().invoke(app, expand_argv([str(a) for a in args]))


def _flat(text: str) -> str:
    """stderr without the line breaks rich adds at 80 columns."""
    return text.replace("\n", "")


def assert_clear_refusal(res, file_name: str | None, code: int = 1) -> None:
    """One Chinese line naming the file, with a hint; no traceback, no data."""
    shown = _flat(res.stderr)
    assert res.exit_code == code, res.stderr
    assert isinstance(res.exception, SystemExit), repr(res.exception)  # no escaped exception
    assert "Traceback" not in res.stderr + res.stdout
    assert "内部错误" not in shown, shown  # a refusal, not a crash caught at the last moment
    assert _HAN.search(shown), shown
    assert "请" in shown, shown  # the hint: what to do
    if file_name is not None:
        assert file_name in shown, shown
    for secret in SECRETS:
        assert secret not in res.stderr + res.stdout, f"personal data in the output: {secret}"


def assert_nothing_written(out: Path) -> None:
    """No result folder, and no temporary or moved-aside folder beside it."""
    assert not out.exists()
    leftovers = [
        p.name
        for p in out.parent.iterdir()
        if p.name.startswith((f".{out.name}.part-", f".{out.name}.old-"))
    ]
    assert leftovers == []


def _person_workbook(rows: int = 2) -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "采集表"
    ws.append(HEADER)
    for _ in range(rows):
        ws.append([NAME, ID, ADDRESS])
    return wb


def _workbook_bytes(wb: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def folders(tmp_path):
    """A field folder for the case's file and a good system export elsewhere."""
    field = tmp_path / "field"
    field.mkdir()
    system = tmp_path / "system"
    system.mkdir()
    body = "31011219700101002"
    (system / "系统导出.csv").write_text(
        "姓名,身份证号,现居住地址,状态\n"
        f"张三,{body + check_char(body)},古美路1255弄12号301室,正常\n",
        encoding="utf-8-sig",
    )
    return field, system / "系统导出.csv"


# --- builders: one file (or folder) per case, named for it ----------------------------


def _empty_csv(folder: Path) -> Path:
    path = folder / "empty.csv"
    path.write_bytes(b"")
    return path


def _empty_xlsx(folder: Path) -> Path:
    path = folder / "empty.xlsx"
    path.write_bytes(b"")
    return path


def _text_renamed_xlsx(folder: Path) -> Path:
    path = folder / "text_renamed.xlsx"
    path.write_text(f"{','.join(HEADER)}\n{NAME},{ID},{ADDRESS}\n", encoding="utf-8")
    return path


def _truncated_xlsx(folder: Path) -> Path:
    data = _workbook_bytes(_person_workbook(rows=20))
    path = folder / "truncated.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def _zip_not_workbook(folder: Path) -> Path:
    path = folder / "zip_not_workbook.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("名单.txt", f"{NAME} {ID} {ADDRESS}")
    return path


def _password_protected(folder: Path) -> Path:
    # msoffcrypto-tool can encrypt (OOXMLFile.encrypt): a real Excel-encrypted
    # workbook, an OLE container holding an "EncryptedPackage" stream
    pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    path = folder / "password_protected.xlsx"
    with path.open("wb") as fh:
        OOXMLFile(io.BytesIO(_workbook_bytes(_person_workbook()))).encrypt("secret", fh)
    return path


def _encrypted_stub(folder: Path) -> Path:
    # Without msoffcrypto (CI): a minimal OLE signature followed by the stream
    # name "EncryptedPackage" in UTF-16-LE, which is what recon's detector looks
    # for. Not a real encrypted workbook: it only holds the detector to its word.
    path = folder / "encrypted_stub.xlsx"
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 504
        + "EncryptedPackage".encode("utf-16-le")
        + b"\x00" * 64
        + NAME.encode("utf-8")
    )
    return path


def _no_person_columns(folder: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "单位", "数量"])
    ws.append([1, NAME, ID])
    ws.append([2, "古美一村", 3])
    path = folder / "no_person_columns.xlsx"
    wb.save(path)
    return path


def _undecodable_csv(folder: Path) -> Path:
    rng = random.Random(2024)
    while True:  # random bytes that neither UTF-8 nor GB18030 can decode
        junk = bytes(rng.randrange(0x80, 0x100) for _ in range(24))
        failures = 0
        for encoding in ("utf-8", "gb18030"):
            try:
                junk.decode(encoding)
            except UnicodeDecodeError:
                failures += 1
        if failures == 2:
            break
    path = folder / "undecodable.csv"
    path.write_bytes(f"{','.join(HEADER)}\n{NAME},{ID},{ADDRESS}\n".encode() + junk + b",x,y\n")
    return path


def _missing_path(folder: Path) -> Path:
    return folder / "does_not_exist.xlsx"


def _folder_without_tables(folder: Path) -> Path:
    path = folder / "no_tables"
    path.mkdir()
    (path / "说明.docx").write_bytes(b"PK\x03\x04 not a table")
    (path / "名单.pdf").write_bytes(f"%PDF-1.4 {NAME}".encode())
    (path / "~$采集表.xlsx").write_bytes(b"lock file of an open workbook")  # ignored
    return path


def _lone_value_far_down(folder: Path) -> Path:
    return _far_value(folder, with_header=False)


REFUSED = [
    ("empty .csv, 0 bytes", _empty_csv, "文件是空的"),
    ("empty .xlsx, 0 bytes", _empty_xlsx, "文件是空的"),
    ("text file renamed .xlsx", _text_renamed_xlsx, "无法作为 Excel 工作簿打开"),
    ("first half of a real .xlsx", _truncated_xlsx, "文件已损坏"),
    ("zip holding a .txt, named .xlsx", _zip_not_workbook, "这不是 Excel 工作簿"),
    ("password-protected workbook", _password_protected, "设有打开密码"),
    ("OLE stub with an EncryptedPackage stream", _encrypted_stub, "设有打开密码"),
    ("header 序号/单位/数量: no person columns", _no_person_columns, "没有找到人员表"),
    ("CSV bytes neither UTF-8 nor GB18030", _undecodable_csv, "无法识别的字符"),
    ("a path that does not exist", _missing_path, "找不到这个文件或文件夹"),
    ("a folder with no usable file", _folder_without_tables, "没有可读取的表格文件"),
    ("one value at row 1,000,000, no header", _lone_value_far_down, "没有找到人员表"),
]
_IDS = [c[1].__name__.strip("_") for c in REFUSED]


# --- inputs recon must refuse -------------------------------------------------------


@pytest.mark.parametrize(("description", "build", "says"), REFUSED, ids=_IDS)
def test_load_raises_input_error(description, build, says, tmp_path):
    path = build(tmp_path)
    with pytest.raises(InputError) as caught:
        recon.load(path, strict=True)
    assert type(caught.value) is InputError  # not some other error dressed up
    text = caught.value.render()
    assert says in text
    assert path.name in text
    assert all(secret not in text for secret in SECRETS)


@pytest.mark.parametrize(("description", "build", "says"), REFUSED, ids=_IDS)
def test_match_refuses_and_writes_nothing(description, build, says, folders):
    field, system = folders
    path = build(field)
    out = field.parent / "结果"
    res = invoke("match", path, "--system", system, "--out", out)
    assert_clear_refusal(res, path.name)
    assert says in _flat(res.stderr)
    assert res.stdout == ""
    assert_nothing_written(out)


@pytest.mark.parametrize(("description", "build", "says"), REFUSED, ids=_IDS)
def test_inspect_refuses(description, build, says, tmp_path):
    path = build(tmp_path)
    res = invoke("inspect", path)
    assert_clear_refusal(res, path.name)
    assert says in _flat(res.stderr)


def _headerless_people(folder: Path) -> Path:
    """People listed without a header row: the first row is a person."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([NAME, "男", ID, ADDRESS])
    ws.append(["李四", "女", "", "古美路1255弄12号303室"])
    path = folder / "headerless_people.xlsx"
    wb.save(path)
    return path


def test_headerless_sheet_is_refused_naming_the_file(folders):
    field, system = folders
    path = _headerless_people(field)
    with pytest.raises(InputError, match="没有找到人员表"):
        recon.load(path, strict=True)
    out = field.parent / "结果"
    res = invoke("match", path, "--system", system, "--out", out)
    assert res.exit_code == 1
    assert path.name in _flat(res.stderr) and "请" in res.stderr
    assert "Traceback" not in res.stderr
    assert_nothing_written(out)


def test_headerless_sheet_message_holds_no_personal_data(folders):
    field, system = folders
    path = _headerless_people(field)
    res = invoke("match", path, "--system", system, "--out", field.parent / "结果")
    assert res.exit_code == 1
    for secret in SECRETS:
        assert secret not in res.stderr


# --- header only: nothing to read --------------------------------------------------


def _header_only_xlsx(folder: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.active.append(HEADER)
    path = folder / "header_only.xlsx"
    wb.save(path)
    return path


def _header_only_csv(folder: Path) -> Path:
    path = folder / "header_only.csv"
    path.write_text(",".join(HEADER) + "\n", encoding="utf-8")
    return path


HEADER_ONLY = [
    ("header row only, .xlsx", _header_only_xlsx),
    ("header line only, .csv", _header_only_csv),
]


@pytest.mark.parametrize(("description", "build"), HEADER_ONLY, ids=["xlsx", "csv"])
def test_header_only_loads_as_a_sheet_with_no_rows(description, build, tmp_path):
    """Today: the sheet is found and read, with no person rows (no error)."""
    path = build(tmp_path)
    result = recon.load(path, strict=True)
    assert result.rows_read == 0
    [sheet] = result.sheets
    assert sheet.read and sheet.rows_read == 0 and sheet.header_rows == [1]


@pytest.mark.parametrize(("description", "build"), HEADER_ONLY, ids=["xlsx", "csv"])
def test_header_only_match_is_refused_and_writes_nothing(description, build, folders):
    field, system = folders
    path = build(field)
    out = field.parent / "结果"
    res = invoke("match", path, "--system", system, "--out", out)
    assert_clear_refusal(res, None)
    assert "采集表中没有读到任何人员行" in _flat(res.stderr)
    assert_nothing_written(out)


@pytest.mark.parametrize(("description", "build"), HEADER_ONLY, ids=["xlsx", "csv"])
def test_header_only_match_names_the_file(description, build, folders):
    field, system = folders
    path = build(field)
    res = invoke("match", path, "--system", system, "--out", field.parent / "结果")
    assert res.exit_code == 1
    assert path.name in _flat(res.stderr)


@pytest.mark.parametrize(("description", "build"), HEADER_ONLY, ids=["xlsx", "csv"])
def test_header_only_inspect_reports_zero_rows(description, build, tmp_path):
    path = build(tmp_path)
    res = invoke("inspect", path)
    assert res.exit_code == 0, res.stderr
    assert path.name in _flat(res.stdout)
    assert re.search(r"读取人员行\s+0", res.stdout)


# --- odd inputs recon reads ------------------------------------------------------------


def test_duplicate_header_uses_the_first_column(folders):
    field, system = folders
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "姓名", "现居住地址"])
    ws.append([NAME, ID, "别名甲", ADDRESS])
    path = field / "duplicate_headers.xlsx"
    wb.save(path)
    result = recon.load(path, strict=True)
    assert result.records["name_raw"].tolist() == [NAME]
    [sheet] = result.sheets
    assert [c.field for c in sheet.columns] == ["name", "id_number", None, "address"]
    out = field.parent / "结果"
    res = invoke("match", path, "--system", system, "--out", out)
    assert res.exit_code == 0, res.stderr
    assert NAME not in res.stderr
    shown = invoke("inspect", path)
    assert shown.exit_code == 0, shown.stderr
    assert NAME not in shown.stdout + shown.stderr


def test_duplicate_header_notes_the_second_column(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "姓名", "现居住地址"])
    ws.append([NAME, ID, "别名甲", ADDRESS])
    path = tmp_path / "duplicate_headers.xlsx"
    wb.save(path)
    [sheet] = recon.load(path, strict=True).sheets
    second = sheet.columns[2]
    assert second.header == "姓名" and second.field is None
    assert "重复" in second.note and "A" in second.note


def test_formula_cell_in_the_name_column_is_read_as_its_cached_value(folders):
    """openpyxl stores a formula without a cached value: calamine reads ''."""
    field, system = folders
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append([NAME, ID, ADDRESS])
    ws.append(['=A2&"x"', ID, "古美路1255弄12号303室"])
    path = field / "formula_cells.xlsx"
    wb.save(path)
    result = recon.load(path, strict=True)
    records = result.records.set_index("row")
    assert list(records.index) == [2, 3]  # the formula row is kept, not dropped
    assert records.loc[3, "name_raw"] == ""  # no cached value: empty, never the formula text
    assert records.loc[3, "id"] == ID
    problems = result.problems
    assert "未填写姓名" in problems.loc[problems["row"] == 3, "problem"].tolist()
    res = invoke("match", path, "--system", system, "--out", field.parent / "结果")
    assert res.exit_code == 0, res.stderr
    assert invoke("inspect", path).exit_code == 0


def test_address_merged_over_a_family_applies_to_every_row(folders):
    """Expected: the merged value applies to every row of the range.

    (_fill_merged in recon/loaders/_sheet.py, since c935c84; at f93c806 the 2nd
    and 3rd rows had an empty address.)
    """
    field, system = folders
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append([NAME, ID, ADDRESS])
    ws.append(["李四", "", None])
    ws.append(["王五", "", None])
    ws.merge_cells("C2:C4")
    path = field / "merged_address.xlsx"
    wb.save(path)
    result = recon.load(path, strict=True)
    records = result.records.set_index("row")
    assert list(records.index) == [2, 3, 4]
    assert records["address"].tolist() == [ADDRESS] * 3
    assert records["addr_key"].nunique() == 1
    res = invoke("match", path, "--system", system, "--out", field.parent / "结果")
    assert res.exit_code == 0, res.stderr
    assert invoke("inspect", path).exit_code == 0


def test_chart_sheet_next_to_a_data_sheet(folders):
    from openpyxl.chart import BarChart, Reference

    field, system = folders
    wb = _person_workbook()
    data = wb.active
    chart = BarChart()
    chart.add_data(Reference(data, min_col=1, min_row=1, max_row=3))
    wb.create_chartsheet("图表").add_chart(chart)
    path = field / "chart_sheet.xlsx"
    wb.save(path)
    result = recon.load(path, strict=True)
    by_name = {s.sheet: s for s in result.sheets}
    assert set(by_name) == {"采集表", "图表"}
    assert by_name["采集表"].read and by_name["采集表"].rows_read == 2
    assert not by_name["图表"].read and "图表页" in by_name["图表"].note
    assert result.rows_read == 2
    res = invoke("match", path, "--system", system, "--out", field.parent / "结果")
    assert res.exit_code == 0, res.stderr
    shown = invoke("inspect", path)
    assert shown.exit_code == 0 and "图表页或非数据页" in _flat(shown.stdout)


def _far_value(folder: Path, with_header: bool) -> Path:
    # openpyxl keeps only the cells set, so one cell at row 1,000,000 makes a
    # file of a few kB (write_only mode would have to write 999,999 empty rows)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "远处"
    if with_header:
        for j, label in enumerate(HEADER, start=1):
            ws.cell(row=1, column=j, value=label)
        for j, value in enumerate([NAME, ID, ADDRESS], start=1):
            ws.cell(row=1_000_000, column=j, value=value)
    else:
        ws.cell(row=1_000_000, column=1, value=NAME)
    path = folder / ("header_and_row_1000000.xlsx" if with_header else "value_at_row_1000000.xlsx")
    wb.save(path)
    assert path.stat().st_size < 100_000
    return path


def test_lone_value_at_row_1000000_is_refused_in_reasonable_time(tmp_path):
    path = _far_value(tmp_path, with_header=False)
    started = time.perf_counter()
    with pytest.raises(InputError) as caught:
        recon.load(path, strict=True)
    assert time.perf_counter() - started < 60
    # no header in the first 40 rows: the sheet counts as blank
    assert "没有找到人员表" in caught.value.render()
    assert NAME not in caught.value.render()


def test_person_at_row_1000000_is_read_with_its_row_number(folders):
    field, system = folders
    path = _far_value(field, with_header=True)
    started = time.perf_counter()
    result = recon.load(path, strict=True)
    assert time.perf_counter() - started < 60
    assert result.records["row"].tolist() == [1_000_000]
    assert result.records["id"].tolist() == [ID]
    [sheet] = result.sheets
    assert sheet.rows_read == 1 and sheet.skipped == {"blank": 999_998}
    started = time.perf_counter()
    res = invoke("match", path, "--system", system, "--out", field.parent / "结果")
    assert res.exit_code == 0, res.stderr
    assert time.perf_counter() - started < 60


def _huge_cell_csv(folder: Path, size: int, at_line: int, char: str = "长") -> Path:
    """A CSV whose name cell on line ``at_line`` holds ``size`` bytes (UTF-8)."""
    path = folder / f"huge_name_cell_line{at_line}.csv"
    huge = NAME + char * (size // len(char.encode()))
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(",".join(HEADER) + "\n")
        for i in range(2, at_line):
            fh.write(f"王{i},,古美路1255弄{i}号101室\n")
        fh.write(f"{huge},{ID[:-1]}0,{ADDRESS}\n")  # damaged check digit: goes to review
    return path


def _workbook_cells(folder: Path):
    for book in sorted(folder.glob("*.xlsx")):
        wb = openpyxl.load_workbook(book, read_only=True)
        try:
            for ws in wb.worksheets:
                for row in ws.iter_rows(values_only=True):
                    for value in row:
                        if isinstance(value, str):
                            yield book.name, ws.title, value
        finally:
            wb.close()


@pytest.mark.parametrize("at_line", [2, 45], ids=["first_row", "below_head"])
@pytest.mark.parametrize(
    "size", [1_000_000, pytest.param(50_000_000, marks=pytest.mark.slow)], ids=["1MB", "50MB"]
)
def test_huge_cell_is_read_whole_and_cut_at_excel_limit_in_workbooks(size, at_line, folders):
    """A huge name cell is read whole; CSV outputs keep it, workbooks cut it at
    Excel's 32,767-character limit. (Within the first 40 lines the cell is over
    the csv module's field limit and ends the head the header is looked for in;
    the header above it is still found.)"""
    field, system = folders
    path = _huge_cell_csv(field, size, at_line=at_line)
    result = recon.load(path, strict=True)
    assert result.rows_read == at_line - 1
    assert result.sheets[0].header_rows == [1]
    names = result.records.set_index("row")["name_raw"]
    assert len(names[at_line]) == len(NAME) + size // 3  # the whole cell, in memory
    out = field.parent / "结果"
    res = invoke("match", path, "--system", system, "--out", out)
    assert res.exit_code == 0, res.stderr
    assert NAME not in res.stderr
    longest = max(len(value) for _book, _sheet, value in _workbook_cells(out))
    assert longest == EXCEL_CELL_LIMIT  # written, and cut at the limit
    assert max(p.stat().st_size for p in out.glob("*.csv")) > size  # CSVs keep it whole


@pytest.mark.parametrize(
    ("description", "lines"),
    [
        ("CR line endings", [",".join(HEADER), f"{NAME},{ID},{ADDRESS}", "李四,,x"]),
        (
            "a CR in the title line",
            ["标题\r续", ",".join(HEADER), f"{NAME},{ID},{ADDRESS}", "李四,,x"],
        ),
    ],
    ids=["cr_endings", "cr_in_title"],
)
def test_csv_with_a_bare_cr_is_read(description, lines, tmp_path):
    path = tmp_path / "mac_cr_line_endings.csv"
    ending = "\r" if description == "CR line endings" else "\n"
    path.write_bytes(ending.join([*lines, ""]).encode("utf-8"))
    result = recon.load(path, strict=True)
    assert result.records["name_raw"].tolist() == [NAME, "李四"]


def test_huge_cell_of_rare_characters_fits_excel_limit(folders):
    field, system = folders
    path = _huge_cell_csv(field, 160_000, at_line=45, char="𠮷")
    out = field.parent / "结果"
    res = invoke("match", path, "--system", system, "--out", out)
    assert res.exit_code == 0, res.stderr
    units = max(
        len(value.encode("utf-16-le")) // 2 for _book, _sheet, value in _workbook_cells(out)
    )
    assert units <= EXCEL_CELL_LIMIT


# --- wrong usage: exit 2, Chinese, nothing written ----------------------------------


def _good_field(folder: Path) -> Path:
    path = folder / "采集表.csv"
    path.write_text(f"{','.join(HEADER)}\n{NAME},{ID},{ADDRESS}\n", encoding="utf-8")
    return path


def _unknown_option(field: Path, system: Path, out: Path) -> list[object]:
    return ["match", field, "--system", system, "--out", out, "--zzz"]


def _mistyped_option(field: Path, system: Path, out: Path) -> list[object]:
    return ["match", field, "--system", system, "--outt", out]


def _missing_system(field: Path, system: Path, out: Path) -> list[object]:
    return ["match", field, "--out", out]


def _foreign_out(field: Path, system: Path, out: Path) -> list[object]:
    out.mkdir()
    (out / "我的笔记.txt").write_text("keep me", encoding="utf-8")
    return ["match", field, "--system", system, "--out", out]


def _foreign_out_forced(field: Path, system: Path, out: Path) -> list[object]:
    return [*_foreign_out(field, system, out), "--force"]


def _out_inside_field_folder(field: Path, system: Path, out: Path) -> list[object]:
    return ["match", field, "--system", system, "--out", field / "结果"]


WRONG_USAGE = [
    ("an unknown option", _unknown_option, "没有这个选项"),
    ("a mistyped option (--outt)", _mistyped_option, "您是不是想写：--out"),
    ("--system missing", _missing_system, "缺少选项 --system"),
    ("--out at a non-empty foreign folder", _foreign_out, "已存在且不是空的"),
    ("... even with --force", _foreign_out_forced, "不是 recon 的结果文件夹"),
    ("--out inside the field folder", _out_inside_field_folder, "不能放在输入文件夹里面"),
]


@pytest.mark.parametrize(
    ("description", "arguments", "says"),
    WRONG_USAGE,
    ids=["unknown", "mistyped", "no_system", "foreign_out", "foreign_forced", "out_in_field"],
)
def test_wrong_usage_is_exit_2_in_chinese_and_writes_nothing(description, arguments, says, folders):
    field_dir, system = folders
    _good_field(field_dir)
    out = field_dir.parent / "结果"
    args = arguments(field_dir, system, out)
    before = sorted(p.relative_to(field_dir.parent) for p in field_dir.parent.rglob("*"))
    res = invoke(*args)
    shown = _flat(res.stderr)
    assert res.exit_code == 2, shown
    assert "Traceback" not in res.stderr + res.stdout
    assert says in shown, shown
    assert "请" in shown
    assert not re.search(r"No such|Missing|Possible|Usage|Error", shown), shown  # no English
    assert res.stdout == ""
    after = sorted(p.relative_to(field_dir.parent) for p in field_dir.parent.rglob("*"))
    assert after == before  # nothing written, nothing removed
    if out.exists():
        assert (out / "我的笔记.txt").read_text(encoding="utf-8") == "keep me"


# --- an interrupted run ---------------------------------------------------------------


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _interrupt_after_writing(monkeypatch) -> dict[str, Path]:
    """write_match_files writes every CSV and the workbook, then Ctrl+C."""
    real: Callable[..., object] = recon.pipeline.write_match_files
    seen: dict[str, Path] = {}

    def half_way(
        result,
        field_problems,
        system_problems,
        out,
        notes,
        on_step=None,
        mode=None,
        ledger=False,
        on_tables=None,
    ):
        real(
            result,
            field_problems,
            system_problems,
            out,
            notes,
            mode=mode,
            ledger=ledger,
            on_tables=on_tables,
        )
        seen["tmp"] = out
        assert (out / "matches.csv").is_file()  # half a result exists (no summary.json yet)
        raise KeyboardInterrupt

    monkeypatch.setattr(recon.pipeline, "write_match_files", half_way)
    return seen


def test_interrupted_run_leaves_no_result(folders, monkeypatch):
    field_dir, system = folders
    field = _good_field(field_dir)
    out = field_dir.parent / "结果"
    seen = _interrupt_after_writing(monkeypatch)
    res = invoke("match", field, "--system", system, "--out", out)
    assert res.exit_code == 130, res.stderr
    assert "已中断" in res.stderr and "Traceback" not in res.stderr
    assert seen["tmp"].name.startswith(".结果.part-")  # it was written beside, under a temp name
    assert not seen["tmp"].exists()
    assert_nothing_written(out)


def test_interrupted_forced_run_keeps_the_previous_result(folders, monkeypatch):
    field_dir, system = folders
    field = _good_field(field_dir)
    out = field_dir.parent / "结果"
    args = ["match", field, "--system", system, "--out", out]
    assert invoke(*args).exit_code == 0
    before = _digest(out)
    assert "summary.json" in before
    seen = _interrupt_after_writing(monkeypatch)
    res = invoke(*args, "--force")
    assert res.exit_code == 130, res.stderr
    assert not seen["tmp"].exists()
    assert _digest(out) == before  # the old result, byte for byte
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".")] == []

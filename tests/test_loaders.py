"""Loaders: every case is a small file generated here and named for its case.

Each test asserts which rows were read (Excel row number / CSV line number),
which field each column was taken for, and the values that came out.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import xlwt
from openpyxl import Workbook

from recon.errors import InputError, RulesError
from recon.loaders import SKIP_REASONS, LoadResult, collect_files, load
from recon.rules import load_rules

VALID = "310112199001011233"  # 闵行, 1990-01-01, male
VALID_X = "11010519491231002X"  # the standard's example: 1949-12-31, female
OLD15 = "310112900101123"  # VALID's old 15-digit number
ADDR = "平阳路258弄5号102室"
ADDR2 = "古美路1255弄12号302室"
HEADER = ["序号", "姓名", "性别", "公民身份号码", "现居住地址"]


# --- writing the case files -----------------------------------------------------------


def write_xlsx(
    path: Path, sheets: dict[str, list[list[object]]], merges: dict[str, list[str]] | None = None
) -> Path:
    """A workbook with the given sheets (rows of cell values; None = empty cell)."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
        for cells in (merges or {}).get(name, []):
            ws.merge_cells(cells)
    wb.save(path)
    return path


def write_xls(path: Path, sheets: dict[str, list[list[object]]], merges=()) -> Path:
    """A legacy .xls workbook (xlwt); merges as (row0, row1, col0, col1), 0-based, sheet 1."""
    wb = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for k, (name, rows) in enumerate(sheets.items()):
        ws = wb.add_sheet(name)
        merged = {(r0, c0) for r0, _r1, c0, _c1 in merges} if k == 0 else set()
        if k == 0:
            for r0, r1, c0, c1 in merges:
                ws.write_merge(r0, r1, c0, c1, rows[r0][c0])
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if value is None or (i, j) in merged:
                    continue
                style = date_style if isinstance(value, dt.date) else xlwt.Style.default_style
                ws.write(i, j, value, style)
    wb.save(str(path))
    return path


def one_sheet(path: Path, rows: list[list[object]], sheet: str = "Sheet1") -> Path:
    return write_xlsx(path, {sheet: rows})


def rows_read(result: LoadResult) -> list[int]:
    return [int(r) for r in result.records["row"]]


def by_row(result: LoadResult) -> dict[int, dict[str, object]]:
    return {int(r["row"]): r for r in result.records.to_dict("records")}


def mapped(result: LoadResult, sheet_index: int = 0) -> dict[str, str | None]:
    """Column letter -> field, for one sheet."""
    return {c.letter: c.field for c in result.sheets[sheet_index].columns}


# --- layout: title, info row, header ---------------------------------------------------


def test_merged_title_info_row_and_blank_row_above_the_header(tmp_path):
    path = write_xlsx(
        tmp_path / "merged_title.xlsx",
        {
            "采集表": [
                ["古美一村居委来沪人员信息采集表"],
                ["居委：古美一村居委    采集人：王小明    日期：2023年5月"],
                [],
                [*HEADER, "采集日期"],
                [1, "张三", "男", VALID, ADDR, dt.date(2023, 5, 2)],
                [2, "李四", "女", VALID_X, ADDR2, dt.date(2023, 5, 3)],
                ["合计", "共2人"],
            ]
        },
        merges={"采集表": ["A1:F1", "A2:F2"]},
    )
    result = load(path)
    report = result.sheets[0]
    assert report.read
    assert report.header_rows == [4]
    assert report.committee == "古美一村"
    assert report.committee_source == "表头上方的信息行"
    assert mapped(result) == {
        "A": "serial",
        "B": "name",
        "C": "sex",
        "D": "id_number",
        "E": "address",
        "F": "collected_on",
    }
    assert rows_read(result) == [5, 6]
    assert report.rows_read == 2
    assert report.skipped == {"total": 1}
    rec = by_row(result)
    assert (rec[5]["name_raw"], rec[5]["id"], rec[5]["addr_key"]) == ("张三", VALID, ADDR)
    assert (rec[6]["name_raw"], rec[6]["id"], rec[6]["addr_key"]) == ("李四", VALID_X, ADDR2)
    assert rec[5]["collected_on"] == "2023-05-02"
    assert list(result.records["committee"]) == ["古美一村", "古美一村"]
    assert list(result.records["collector"]) == ["王小明", "王小明"]
    assert set(result.records["sheet"]) == {"采集表"}
    assert set(result.records["file"]) == {"merged_title.xlsx"}


@pytest.mark.parametrize(
    ("description", "filename", "top", "sheet", "committee", "source"),
    [
        (
            "labelled info row, 居委会/采集员 spelling, separate cells",
            "info_cells.xlsx",
            [["来沪人员信息登记表"], ["居委会：古美一村居委会", None, "采集员：王小明"], []],
            "Sheet1",
            "古美一村",
            "表头上方的信息行",
        ),
        (
            "title naming the 居委",
            "title_only.xlsx",
            [["古美一村居委来沪人员信息采集表"]],
            "Sheet1",
            "古美一村",
            "标题",
        ),
        (
            "sheet named for the 居委",
            "sheet_named.xlsx",
            [],
            "平阳一村居委",
            "平阳一村",
            "工作表名",
        ),
        ("file named for the 居委", "古龙一村居委会.xlsx", [], "Sheet1", "古龙一村", "文件名"),
        pytest.param(
            "title with the street office before the 居委",
            "street_title.xlsx",
            [["古美路街道古美一村居委会来沪人员信息登记表"]],
            "Sheet1",
            "古美一村",
            "标题",
        ),
        pytest.param(
            "village committee named in the file name only",
            "九星村来沪人员信息采集表.xlsx",
            [],
            "Sheet1",
            "九星村",
            "文件名",
        ),
        pytest.param(
            "人户分离 sweep named for its 居委",
            "古美一村人户分离排查表.xlsx",
            [],
            "Sheet1",
            "古美一村",
            "文件名",
        ),
    ],
)
def test_committee_is_taken_from_the_sheet(
    tmp_path, description, filename, top, sheet, committee, source
):
    rows = [*top, ["姓名", "身份证号", "现居住地址"], ["张三", VALID, ADDR]]
    result = load(one_sheet(tmp_path / filename, rows, sheet=sheet))
    report = result.sheets[0]
    assert rows_read(result) == [len(top) + 2]
    assert (report.committee, report.committee_source) == (committee, source)
    assert list(result.records["committee"]) == [committee]


# --- sheets ------------------------------------------------------------------------------


def test_instructions_sheet_is_skipped_with_a_note(tmp_path):
    path = write_xlsx(
        tmp_path / "instructions_first.xlsx",
        {
            "填表说明": [
                ["填表说明"],
                ["1. 本表由居委会采集人员逐户上门填写，一人一行。"],
                ["2. 身份证号请填写18位，单元格格式请设为“文本”。"],
                ["3. 性别填写代码：1=男，2=女。"],
            ],
            "来沪人员登记表": [HEADER, [1, "张三", 1, VALID, ADDR], [2, "李四", 2, VALID_X, ADDR2]],
        },
    )
    result = load(path)
    first, data = result.sheets
    assert (first.sheet, first.read, first.rows_read) == ("填表说明", False, 0)
    assert "说明" in first.note
    assert (data.sheet, data.read, data.header_rows) == ("来沪人员登记表", True, [1])
    assert list(zip(result.records["sheet"], rows_read(result), strict=True)) == [
        ("来沪人员登记表", 2),
        ("来沪人员登记表", 3),
    ]
    assert list(result.records["sex"]) == ["男", "女"]


def test_empty_sheet_is_noted_and_the_data_sheet_read(tmp_path):
    path = write_xlsx(
        tmp_path / "empty_sheet.xlsx",
        {"Sheet1": [HEADER, [1, "张三", "男", VALID, ADDR]], "Sheet2": [], "Sheet3": []},
    )
    result = load(path)
    assert [(s.sheet, s.read) for s in result.sheets] == [
        ("Sheet1", True),
        ("Sheet2", False),
        ("Sheet3", False),
    ]
    assert result.sheets[1].note == "空白工作表"
    assert rows_read(result) == [2]
    assert result.problems.empty


def test_several_data_sheets_in_one_workbook(tmp_path):
    """One sheet per collector; records keep workbook order and their own row numbers."""
    path = write_xlsx(
        tmp_path / "per_collector.xlsx",
        {
            "王小明": [HEADER, [1, "张三", "男", VALID, ADDR], [2, "李四", "女", VALID_X, ADDR2]],
            "李芳": [["平吉一村居委"], HEADER, [1, "王五", "男", OLD15, ADDR]],
            "赵强": [[], HEADER, [], [1, "赵六", "女", VALID_X, ADDR2]],
        },
    )
    result = load(path)
    assert [(s.sheet, s.header_rows, s.rows_read) for s in result.sheets] == [
        ("王小明", [1], 2),
        ("李芳", [2], 1),
        ("赵强", [2], 1),
    ]
    got = list(
        zip(result.records["sheet"], rows_read(result), result.records["name_raw"], strict=True)
    )
    assert got == [
        ("王小明", 2, "张三"),
        ("王小明", 3, "李四"),
        ("李芳", 3, "王五"),
        ("赵强", 4, "赵六"),
    ]
    assert result.sheets[2].skipped == {"blank": 1}
    assert set(result.originals) == {
        ("per_collector.xlsx", "王小明"),
        ("per_collector.xlsx", "李芳"),
        ("per_collector.xlsx", "赵强"),
    }


def test_header_only_csv_reads_no_rows(tmp_path):
    path = tmp_path / "header_only.csv"
    path.write_text("姓名,公民身份号码,暂住地址\r\n", encoding="utf-8")
    result = load(path, side="system")
    assert result.sheets[0].read
    assert result.sheets[0].header_rows == [1]
    assert result.rows_read == 0


def test_header_only_sheet_reads_no_rows(tmp_path):
    """A template sheet with only its header next to a filled one (common in workbooks)."""
    path = write_xlsx(
        tmp_path / "header_only.xlsx",
        {"Sheet1": [HEADER, [1, "张三", "男", VALID, ADDR]], "Sheet2": [HEADER]},
    )
    result = load(path)
    assert [(s.sheet, s.read, s.rows_read) for s in result.sheets] == [
        ("Sheet1", True, 1),
        ("Sheet2", True, 0),
    ]
    assert rows_read(result) == [2]


# --- two-row headers ----------------------------------------------------------------------


def test_merged_address_parent_over_road_lane_number_room(tmp_path):
    path = write_xlsx(
        tmp_path / "two_row_header.xlsx",
        {
            "S": [
                ["序号", "姓名", "身份证号", "居住地址", None, None, None, "联系电话"],
                [None, None, None, "路", "弄", "号", "室", None],
                [1, "张三", VALID, "平阳路", 258, 5, 102, "13800000000"],
                [2, "李四", VALID_X, "平阳路", "258弄", "5号", "101室", "13900000000"],
                [3, "王五", OLD15, "古美路", 1255, 12, 302, None],
            ]
        },
        merges={"S": ["D1:G1", "A1:A2", "B1:B2", "C1:C2", "H1:H2"]},
    )
    result = load(path)
    report = result.sheets[0]
    assert report.header_rows == [1, 2]
    assert mapped(result) == {
        "A": "serial",
        "B": "name",
        "C": "id_number",
        "D": "address",
        "E": "address",
        "F": "address",
        "G": "address",
        "H": "phone",
    }
    assert [c.header for c in report.columns][3:7] == [
        "居住地址/路",
        "居住地址/弄",
        "居住地址/号",
        "居住地址/室",
    ]
    assert rows_read(result) == [3, 4, 5]
    rec = by_row(result)
    assert rec[3]["address"] == "平阳路258弄5号102室"
    assert rec[3]["addr_key"] == "平阳路258弄5号102室"
    assert rec[4]["addr_key"] == "平阳路258弄5号101室"
    assert rec[5]["addr_key"] == "古美路1255弄12号302室"
    assert rec[3]["phone"] == "13800000000"


def test_group_row_above_the_real_header(tmp_path):
    path = write_xlsx(
        tmp_path / "group_row.xlsx",
        {
            "信息采集": [
                ["基本信息", None, None, None, "居住信息", None],
                ["序号", "姓名", "性别", "身份证号码", "暂住地址", "联系电话"],
                [1, "张三", "男", VALID, ADDR, "13800000000"],
                [2, "李四", "女", VALID_X, ADDR2, None],
            ]
        },
        merges={"信息采集": ["A1:D1", "E1:F1"]},
    )
    result = load(path)
    assert result.sheets[0].header_rows == [2]
    assert mapped(result) == {
        "A": "serial",
        "B": "name",
        "C": "sex",
        "D": "id_number",
        "E": "address",
        "F": "phone",
    }
    assert rows_read(result) == [3, 4]
    assert list(result.records["addr_key"]) == [ADDR, ADDR2]


# --- rows that are not people -------------------------------------------------------------


def test_blank_serial_total_note_and_repeated_header_rows_are_skipped(tmp_path):
    path = one_sheet(
        tmp_path / "skipped_rows.xlsx",
        [
            HEADER,  # 1
            [1, "张三", "男", VALID, ADDR],  # 2
            [],  # 3 blank
            [2],  # 4 only a 序号
            [3, "李四", "女", VALID_X, ADDR2],  # 5
            HEADER,  # 6 header repeated (a printed page)
            [4, "王五", "男", OLD15, "古美路1255弄12号301室"],  # 7
            [5, None, None, None, None],  # 8 only a 序号
            ["小计", "3人"],  # 9
            ["合计", None, None, None, "共3人"],  # 10
            ["填表人：王小明    审核人：李主任"],  # 11
            ["注：本表一式两份"],  # 12
            [" ", None, "  "],  # 13 spaces only
        ],
    )
    result = load(path)
    report = result.sheets[0]
    assert rows_read(result) == [2, 5, 7]
    assert report.rows_read == 3
    assert report.skipped == {"blank": 2, "serial_only": 2, "total": 2, "header": 1, "note": 2}
    assert set(report.skipped) <= set(SKIP_REASONS)
    assert list(result.records["name_raw"]) == ["张三", "李四", "王五"]
    # nothing left over that looks like an unusable person
    assert "缺少姓名和身份证号，无法核对" not in set(result.problems["problem"])


def test_blank_rows_inside_a_csv_keep_line_numbers(tmp_path):
    path = tmp_path / "blank_lines.csv"
    path.write_text(
        f"姓名,身份证号,现居住地址\n张三,{VALID},{ADDR}\n,,\n\n李四,{VALID_X},{ADDR2}\n合计,2人,\n",
        encoding="utf-8",
    )
    result = load(path)
    assert rows_read(result) == [2, 5]
    assert result.sheets[0].skipped == {"blank": 2, "total": 1}


def test_signature_row_spread_over_cells_is_not_a_person(tmp_path):
    path = one_sheet(
        tmp_path / "signature_row.xlsx",
        [
            HEADER,
            [1, "张三", "男", VALID, ADDR],
            ["填表人：王小明", None, "审核人：李主任", None, "日期：2023年5月10日"],
        ],
    )
    result = load(path)
    assert rows_read(result) == [2]
    assert result.sheets[0].skipped == {"note": 1}


# --- header synonyms and mapping files ------------------------------------------------


@pytest.mark.parametrize(
    ("description", "headers"),
    [
        ("id: 公民身份号码", ["姓名", "公民身份号码", "现居住地址"]),
        ("id: 身份证号", ["姓名", "身份证号", "现居住地址"]),
        ("id: 身份证号码", ["姓名", "身份证号码", "现居住地址"]),
        ("id: 证件号码", ["姓名", "证件号码", "现居住地址"]),
        ("id: sfzh", ["姓名", "sfzh", "现居住地址"]),
        ("id: SFZH upper case", ["姓名", "SFZH", "现居住地址"]),
        ("address: 居住地址", ["姓名", "身份证号", "居住地址"]),
        ("address: 暂住地址", ["姓名", "身份证号", "暂住地址"]),
        ("address: 现住址", ["姓名", "身份证号", "现住址"]),
        ("address: dzmc", ["姓名", "身份证号", "dzmc"]),
        ("pinyin initials", ["xm", "sfzh", "dzmc"]),
        ("（必填） marks", ["姓名（必填）", "身份证号（必填）", "现居住地址（必填）"]),
        ("* marks", ["*姓名", "身份证号*", "＊现居住地址"]),
        ("line breaks", ["姓\n名", "公民身份\n号码", "现居住\n地址"]),
        ("bracketed notes", ["姓名", "公民身份号码(18位)", "现居住地址【路/弄/号/室】"]),
        pytest.param(
            "address: 地址名称 (the Chinese of dzmc)",
            ["姓名", "身份证号", "地址名称"],
        ),
    ],
)
def test_header_synonyms(tmp_path, description, headers):
    path = one_sheet(tmp_path / "synonyms.xlsx", [headers, ["张三", VALID, ADDR]])
    result = load(path)
    assert mapped(result) == {"A": "name", "B": "id_number", "C": "address"}
    assert [c.header for c in result.sheets[0].columns] == headers
    rec = by_row(result)[2]
    assert (rec["name_raw"], rec["id"], rec["addr_key"]) == ("张三", VALID, ADDR)


def test_pinyin_police_export(tmp_path):
    path = one_sheet(
        tmp_path / "pinyin_export.xlsx",
        [
            ["xm", "xb", "sfzh", "dzmc", "zxbs", "zxsj"],
            ["张三", 1, VALID, ADDR, 0, None],
            ["李四", 2, VALID_X, ADDR2, 1, "20230501"],
        ],
    )
    result = load(path, side="system")
    assert mapped(result) == {
        "A": "name",
        "B": "sex",
        "C": "id_number",
        "D": "address",
        "E": "cancel_flag",
        "F": "cancelled_on",
    }
    rec = by_row(result)
    assert (rec[2]["sex"], rec[2]["active"], rec[2]["cancelled_on"]) == ("男", True, "")
    assert (rec[3]["sex"], rec[3]["active"], rec[3]["cancelled_on"]) == ("女", False, "2023-05-01")
    assert result.problems.empty


MAPPING = '[columns]\n"证件" = "id_number"\n\n[fields.address]\nsynonyms = ["住处"]\n'


def test_user_mapping_file(tmp_path):
    path = one_sheet(
        tmp_path / "own_headers.xlsx",
        [["姓名", "证件", "住处"], ["张三", VALID, ADDR], ["李四", VALID_X, ADDR2]],
    )
    with pytest.raises(InputError) as info:
        load(path)
    assert "证件" in str(info.value)  # the columns found are listed
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    for result in (load(path, mapping=mapping), load(path, rules=load_rules(mapping))):
        assert mapped(result) == {"A": "name", "B": "id_number", "C": "address"}
        assert rows_read(result) == [2, 3]
        assert list(result.records["id"]) == [VALID, VALID_X]
        assert list(result.records["addr_key"]) == [ADDR, ADDR2]


def test_mapping_file_with_a_bom_and_a_shipped_header_renamed(tmp_path):
    """Notepad saves with a BOM; [columns] wins over a shipped synonym (备注 -> address)."""
    path = one_sheet(
        tmp_path / "remark_is_address.xlsx", [["姓名", "身份证号", "备注"], ["张三", VALID, ADDR]]
    )
    mapping = tmp_path / "mapping.toml"
    mapping.write_bytes(b"\xef\xbb\xbf" + '[columns]\n"备注" = "address"\n'.encode())
    result = load(path, mapping=mapping)
    assert mapped(result) == {"A": "name", "B": "id_number", "C": "address"}
    assert by_row(result)[2]["addr_key"] == ADDR


@pytest.mark.parametrize(
    ("description", "text", "expected"),
    [
        (
            "unknown fields and a synonym that is not a list",
            '[columns]\n"证件" = "idnumber"\n\n[fields.adress]\nsynonyms = ["居住详址"]\n\n'
            '[fields.name]\nsynonyms = "户主"\n',
            ["「adress」", "「idnumber」", "fields.name.synonyms"],
        ),
        ("bad TOML", '[columns\n"证件" = "id_number"\n', ["不是有效的 TOML"]),
    ],
)
def test_invalid_mapping_file_lists_every_problem(tmp_path, description, text, expected):
    mapping = tmp_path / "bad_mapping.toml"
    mapping.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as info:
        load_rules(mapping)
    err = info.value
    assert len(err.problems) == len(expected)
    for part in expected:
        assert sum(part in p for p in err.problems) == 1, part
        assert part in str(err)
    assert "bad_mapping.toml" in str(err)
    assert f"{len(expected)} 处错误" in str(err)
    data = one_sheet(tmp_path / "ok.xlsx", [["姓名", "身份证号"], ["张三", VALID]])
    with pytest.raises(RulesError):
        load(data, mapping=mapping)


# --- CSV ---------------------------------------------------------------------------------

CSV_TEXT = (
    "姓名,性别,公民身份号码,暂住地址,人员状态\r\n"
    '{name},男,{id1},"平阳路258弄5号,102室",正常\r\n'
    "李四,女,{id2},古美路1255弄12号302室,注销\r\n"
)
TAB_TEXT = (
    "姓名\t性别\t公民身份号码\t暂住地址\t人员状态\r\n"
    "{name}\t男\t{id1}\t平阳路258弄5号,102室\t正常\r\n"
    "李四\t女\t{id2}\t古美路1255弄12号302室\t注销\r\n"
)


@pytest.mark.parametrize(
    ("description", "filename", "template", "encoding", "reported", "name"),
    [
        ("UTF-8 with BOM", "utf8_bom.csv", CSV_TEXT, "utf-8-sig", "utf-8-sig", "张三"),
        ("UTF-8 without BOM", "utf8.csv", CSV_TEXT, "utf-8", "utf-8", "张三"),
        ("GBK", "gbk_export.csv", CSV_TEXT, "gbk", "gb18030", "张三"),
        ("GB18030 beyond GBK", "gb18030_export.csv", CSV_TEXT, "gb18030", "gb18030", "刘䶮"),
        ("UTF-16 with BOM", "utf16.csv", CSV_TEXT, "utf-16", "utf-16", "张三"),
        ("tab-separated .txt", "tab_export.txt", TAB_TEXT, "gb18030", "gb18030", "张三"),
    ],
)
def test_csv_encodings_and_separators(
    tmp_path, description, filename, template, encoding, reported, name
):
    if name == "刘䶮":  # the case must really need GB18030
        with pytest.raises(UnicodeEncodeError):
            name.encode("gbk")
    path = tmp_path / filename
    text = template.format(name=name, id1=VALID, id2=VALID_X.lower())
    path.write_bytes(text.encode(encoding))
    result = load(path, side="system")
    report = result.sheets[0]
    assert (report.sheet, report.encoding, report.header_rows) == ("", reported, [1])
    assert mapped(result) == {
        "A": "name",
        "B": "sex",
        "C": "id_number",
        "D": "address",
        "E": "status",
    }
    assert rows_read(result) == [2, 3]
    rec = by_row(result)
    assert (rec[2]["name_raw"], rec[2]["id"], rec[2]["address"]) == (
        name,
        VALID,
        "平阳路258弄5号,102室",
    )
    assert (rec[3]["name_raw"], rec[3]["id"], rec[3]["addr_key"]) == ("李四", VALID_X, ADDR2)
    assert [bool(a) for a in result.records["active"]] == [True, False]
    assert list(result.records["sheet"]) == ["", ""]


@pytest.mark.parametrize("inside", ["\t", "\r", "\n", "\r\n", "\u2028", "\t\n\t"])
def test_csv_values_with_quoted_tabs_and_line_breaks(tmp_path, inside):
    """A quoted tab or line break stays in its value: the separator, the header and
    the record numbers (Excel's rows) are unaffected."""
    import csv

    path = tmp_path / "quoted.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["姓名", "身份证号", "现居住地址", "备注"])
        w.writerow(["张三", VALID, ADDR, f"a{inside}b,c{inside}"])
        w.writerow([f"{inside}李四", VALID_X, ADDR2, "x"])
        w.writerow(["王五", VALID, ADDR, inside * 3 + ",,,,,,,,"])  # wider than any line
    result = load(path)
    assert result.sheets[0].header_rows == [1]
    assert rows_read(result) == [2, 3, 4]
    assert list(result.records["id"]) == [VALID, VALID_X, VALID]
    assert list(result.records["addr_key"]) == [ADDR, ADDR2, ADDR]


def test_csv_title_line_above_the_header(tmp_path):
    path = tmp_path / "titled_export.csv"
    text = (
        "暂住人口导出（截至2023年5月31日）\n"
        "\n"
        "姓名,身份证号,现居住地址\n"
        f"张三,{VALID},{ADDR}\n"
        ",,\n"
        f"李四,{VALID_X},{ADDR2}\n"
        "合计,2人,\n"
    )
    path.write_text(text, encoding="utf-8")
    result = load(path)
    assert result.sheets[0].header_rows == [3]
    assert rows_read(result) == [4, 6]
    assert list(result.records["name_raw"]) == ["张三", "李四"]
    assert result.sheets[0].skipped == {"blank": 1, "total": 1}


def test_csv_id_text_forms(tmp_path):
    """IDs kept as text in a CSV: ="…" wrapper, apostrophe, spaces, lowercase x, 15 digits."""
    path = tmp_path / "id_forms.csv"
    lines = [
        "姓名,身份证号,现居住地址",
        f'张三,="{VALID}",{ADDR}',
        f"李四,'{VALID_X.lower()},{ADDR}",
        f"王五, 110105 19491231 002x ,{ADDR}",
        f"赵六,{OLD15},{ADDR}",
        f"钱七,3.10112E+17,{ADDR}",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = load(path)
    got = [
        (r, i, k)
        for r, i, k in zip(
            rows_read(result), result.records["id"], result.records["id_kind"], strict=True
        )
    ]
    assert got == [
        (2, VALID, "valid"),
        (3, VALID_X, "valid"),
        (4, VALID_X, "valid"),
        (5, VALID, "upgraded"),
        (6, "310112000000000000", "damaged"),
    ]
    assert not result.records["id_numeric"].any()  # CSV cells are always text


# --- cells as stored ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("description", "cell", "id_", "kind", "numeric", "problem"),
    [
        (
            "18 digits typed into a number cell",
            int(VALID),
            "310112199001011000",
            "damaged",
            True,
            "受损",
        ),
        ("15-digit old ID in a number cell", int(OLD15), VALID, "upgraded", True, None),
        ("18 digits as text", VALID, VALID, "valid", False, ""),
        ("leading apostrophe", "'" + VALID_X, VALID_X, "valid", False, None),
        ("spaces around and inside", " 110105 19491231 002X ", VALID_X, "valid", False, None),
        ("lowercase x", VALID_X.lower(), VALID_X, "valid", False, None),
        ("full-width digits", "３１０１１２１９９００１０１１２３３", VALID, "valid", False, None),
        ("blank", None, "", "missing", False, "未填写身份证号"),
        pytest.param(
            "15-digit old ID as text: the repair is a finding",
            OLD15,
            VALID,
            "upgraded",
            False,
            "15位",
        ),
    ],
)
def test_id_cells_as_stored(tmp_path, description, cell, id_, kind, numeric, problem):
    path = one_sheet(
        tmp_path / "id_cell.xlsx", [["姓名", "身份证号", "现居住地址"], ["张三", cell, ADDR]]
    )
    result = load(path)
    rec = by_row(result)[2]
    assert (rec["id"], rec["id_kind"], bool(rec["id_numeric"])) == (id_, kind, numeric)
    rows = result.problems[result.problems["row"] == 2]
    id_problems = list(rows.loc[rows["column"] == "身份证号", "problem"])
    if problem:  # None: not asserted here (format repairs)
        assert len(id_problems) == 1 and problem in id_problems[0]
    elif problem == "":
        assert id_problems == []


@pytest.mark.parametrize(
    ("description", "cell"),
    [
        ("date cell", dt.date(2023, 5, 1)),
        ("datetime cell at midnight", dt.datetime(2023, 5, 1)),
        ("Excel serial number", 45047),
        ("serial typed as text", "45047"),
        ("dotted text", "2023.05.01"),
        ("Chinese text", "2023年5月1日"),
        ("compact text", "20230501"),
        ("compact number", 20230501),
        ("slashes", "2023/5/1"),
    ],
)
def test_date_cells(tmp_path, description, cell):
    path = one_sheet(
        tmp_path / "date_cell.xlsx",
        [["姓名", "身份证号", "采集日期", "出生日期"], ["张三", VALID, cell, "1990.01.01"]],
    )
    result = load(path)
    rec = by_row(result)[2]
    assert rec["collected_on"] == "2023-05-01"
    assert rec["birth_date"] == "1990-01-01"
    assert not (result.problems["problem"] == "出生日期与身份证号不符").any()


def test_sex_number_codes_and_disagreement_with_the_id(tmp_path):
    path = one_sheet(
        tmp_path / "sex_codes.xlsx",
        [
            ["姓名", "性别", "身份证号", "出生日期", "现居住地址"],
            ["张三", 1, VALID, "1990年1月1日", ADDR],  # 2
            ["李四", 2, VALID_X, None, ADDR],  # 3
            ["王五", "男", VALID, None, ADDR],  # 4
            ["赵六", 2, VALID, "1990年1月2日", ADDR],  # 5: the ID says 男, 1990-01-01
            ["钱七", "未知", VALID_X, None, ADDR],  # 6
        ],
    )
    result = load(path)
    assert list(result.records["sex"]) == ["男", "女", "男", "女", ""]
    found = sorted(
        zip(
            result.problems["row"],
            result.problems["column"],
            result.problems["problem"],
            strict=True,
        )
    )
    assert found == [
        (5, "出生日期", "出生日期与身份证号不符"),
        (5, "性别", "性别与身份证号不符"),
        (6, "性别", "性别无法识别（应为 男/女 或 1/2）"),
    ]


# --- status of system records -------------------------------------------------------------


def test_status_words(tmp_path):
    words = ["正常", "注销", "已注销", "迁出", "死亡", " 注 销 ", "待核查", None]
    rows = [["姓名", "公民身份号码", "暂住地址", "人员状态"]]
    rows += [[f"人{i}", VALID, ADDR, w] for i, w in enumerate(words)]
    result = load(one_sheet(tmp_path / "status_words.xlsx", rows), side="system")
    assert rows_read(result) == list(range(2, 10))
    assert [bool(a) for a in result.records["active"]] == [
        True, False, False, False, False, False, True, True,
    ]  # fmt: skip
    problems = result.problems
    assert list(problems["row"]) == [8]
    assert list(problems["column"]) == ["人员状态"]
    assert "待核查" in problems["problem"].iloc[0]
    assert list(problems["side"]) == ["system"]


def test_status_words_do_not_apply_to_field_sheets(tmp_path):
    rows = [["姓名", "身份证号", "人员状态"], ["张三", VALID, "注销"]]
    result = load(one_sheet(tmp_path / "field_with_status.xlsx", rows), side="field")
    assert list(result.records["active"]) == [True]


def test_cancel_flag_column(tmp_path):
    rows = [["xm", "sfzh", "dzmc", "zxbs"]]
    rows += [[f"人{i}", VALID, ADDR, f] for i, f in enumerate([0, 1, "0", "1", None, "是"])]
    result = load(one_sheet(tmp_path / "cancel_flag.xlsx", rows), side="system")
    assert [bool(a) for a in result.records["active"]] == [True, False, True, False, True, False]
    assert result.problems.empty


def test_unknown_cancel_flag_names_its_column(tmp_path):
    rows = [["xm", "sfzh", "dzmc", "zxbs"], ["张三", VALID, ADDR, 0], ["李四", VALID, ADDR, 2]]
    result = load(one_sheet(tmp_path / "cancel_flag_2.xlsx", rows), side="system")
    assert [bool(a) for a in result.records["active"]] == [True, True]
    assert list(zip(result.problems["row"], result.problems["column"], strict=True)) == [
        (3, "zxbs")
    ]


# --- legacy .xls ---------------------------------------------------------------------------


def test_legacy_xls(tmp_path):
    rows = [
        ["古龙一村居委来沪人员登记表", None, None, None, None, None],
        [*HEADER, "采集日期"],
        [1, "张三", "男", VALID, ADDR, dt.date(2023, 5, 1)],
        [2, "李四", 2, int(OLD15), ADDR2, 45047],
        [3, "王五", 1, int(VALID), ADDR2, "2023.05.01"],
        ["合计", "共3人"],
    ]
    path = write_xls(tmp_path / "legacy.xls", {"Sheet1": rows}, merges=[(0, 0, 0, 5)])
    result = load(path)
    report = result.sheets[0]
    assert (report.file, report.sheet, report.header_rows) == ("legacy.xls", "Sheet1", [2])
    assert (report.committee, report.committee_source) == ("古龙一村", "标题")
    assert report.skipped == {"total": 1}
    assert rows_read(result) == [3, 4, 5]
    got = list(
        zip(
            result.records["sex"],
            result.records["id"],
            result.records["id_kind"],
            result.records["collected_on"],
            strict=True,
        )
    )
    assert got == [
        ("男", VALID, "valid", "2023-05-01"),
        ("女", VALID, "upgraded", "2023-05-01"),
        ("男", "310112199001011000", "damaged", "2023-05-01"),
    ]


# --- errors --------------------------------------------------------------------------------


def _missing(tmp):
    return tmp / "不存在的采集表.xlsx"


def _no_usable_file(tmp):
    folder = tmp / "空文件夹"
    folder.mkdir()
    (folder / "说明.docx").write_bytes(b"PK\x03\x04")
    (folder / "~$采集表.xlsx").write_bytes(b"\x0bwangxm" + b"\x00" * 150)
    return folder


def _empty_xlsx(tmp):
    path = tmp / "empty.xlsx"
    path.write_bytes(b"")
    return path


def _empty_csv(tmp):
    path = tmp / "empty.csv"
    path.write_bytes(b"\r\n  \r\n")
    return path


def _text_renamed_xlsx(tmp):
    path = tmp / "text_renamed.xlsx"
    path.write_text(f"姓名,身份证号\n张三,{VALID}\n", encoding="utf-8")
    return path


def _workbook_renamed_csv(tmp):
    return one_sheet(tmp / "workbook_renamed.csv", [["姓名", "身份证号"], ["张三", VALID]])


def _undecodable_csv(tmp):
    path = tmp / "undecodable.csv"
    path.write_bytes(f"姓名,身份证号\n张三,{VALID}\n".encode("gbk") + b"\x80\xff\xfe\n")
    return path


def _no_person_columns(tmp):
    return one_sheet(
        tmp / "no_person_columns.xlsx",
        [["户主", "证件", "门牌", "电话"], ["张三", VALID, ADDR, "13800000000"]],
    )


@pytest.mark.parametrize(
    ("description", "make", "expected"),
    [
        ("a path that does not exist", _missing, ["找不到"]),
        ("a folder with no usable file", _no_usable_file, ["没有可读取的表格文件"]),
        ("an empty .xlsx", _empty_xlsx, ["空的"]),
        ("a CSV of blank lines", _empty_csv, ["空的"]),
        ("a text file renamed .xlsx", _text_renamed_xlsx, ["无法作为 Excel 工作簿打开"]),
        ("a workbook renamed .csv", _workbook_renamed_csv, ["内容却是 Excel 工作簿"]),
        ("a CSV with undecodable bytes", _undecodable_csv, ["第 3 行", "无法识别的字符"]),
        (
            "a header-like row without name or ID",
            _no_person_columns,
            ["未找到「姓名」或「身份证号」列", "第 1 行", "户主、证件、门牌、电话"],
        ),
    ],
)
def test_input_errors_name_the_file_in_chinese(tmp_path, description, make, expected):
    path = make(tmp_path)
    with pytest.raises(InputError) as info:
        load(path)
    message = str(info.value)
    assert path.name in message
    assert message.startswith("文件「")
    for part in expected:
        assert part in message
    assert info.value.exit_code == 1


def test_not_strict_collects_errors_and_reads_the_other_files(tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "a_good.csv").write_text(f"姓名,身份证号\n张三,{VALID}\n李四,{VALID_X}\n", "utf-8")
    _text_renamed_xlsx(folder)
    _no_person_columns(folder)
    one_sheet(folder / "z_good.xlsx", [["姓名", "身份证号"], [None, None], ["王五", OLD15]])
    with pytest.raises(InputError) as info:
        load(folder)
    assert "no_person_columns.xlsx" in str(info.value)  # the first bad file in sorted order
    result = load(folder, strict=False)
    assert [e.where.file for e in result.errors] == ["no_person_columns.xlsx", "text_renamed.xlsx"]
    assert all(isinstance(e, InputError) for e in result.errors)
    assert [f.name for f in result.files] == ["a_good.csv", "z_good.xlsx"]
    got = list(zip(result.records["file"], rows_read(result), strict=True))
    assert got == [("a_good.csv", 2), ("a_good.csv", 3), ("z_good.xlsx", 3)]


# --- folders ---------------------------------------------------------------------------------


def test_folders_are_read_recursively_in_sorted_order_without_lock_files(tmp_path):
    root = tmp_path / "采集表"
    (root / "a").mkdir(parents=True)
    (root / "z").mkdir()
    (root / "核对结果").mkdir()

    def person_csv(path, name):
        path.write_text(f"姓名,身份证号\n{name},{VALID}\n", encoding="utf-8")

    person_csv(root / "m.csv", "中")
    person_csv(root / "z" / "1.csv", "末")
    one_sheet(root / "a" / "2.xlsx", [["姓名", "身份证号"], ["首", VALID]])
    person_csv(root / "b.CSV", "乙")
    # Office / WPS lock files, a hidden file, a foreign file, a recon result folder
    (root / "~$m.xlsx").write_bytes(b"\x0bwangxm" + b"\x00" * 150)
    (root / "a" / ".~2.xlsx").write_bytes(b"\x00" * 162)
    (root / ".hidden.csv").write_bytes(b"\xff\xfe\x00")
    (root / "说明.docx").write_bytes(b"PK\x03\x04")
    (root / "核对结果" / "summary.json").write_text("{}", encoding="utf-8")
    person_csv(root / "核对结果" / "matches.csv", "果")

    files = collect_files([root])
    assert [f.relative_to(root).as_posix() for f in files] == [
        "a/2.xlsx",
        "b.CSV",
        "m.csv",
        "z/1.csv",
    ]
    result = load(root)
    assert list(result.records["file"]) == ["2.xlsx", "b.CSV", "m.csv", "1.csv"]
    assert list(result.records["name_raw"]) == ["首", "乙", "中", "末"]
    assert result.errors == []


def test_same_file_name_in_two_folders_keeps_both_apart(tmp_path):
    for group, name in (("一组", "张三"), ("二组", "李四")):
        (tmp_path / group).mkdir()
        (tmp_path / group / "采集表.csv").write_text(f"姓名,身份证号\n{name},{VALID}\n", "utf-8")
    result = load(tmp_path)
    assert sorted(zip(result.records["file"], result.records["name_raw"], strict=True)) == [
        ("一组/采集表.csv", "张三"),
        ("二组/采集表.csv", "李四"),
    ]
    # a file named twice (directly and through its folder) is read once
    again = load([tmp_path, tmp_path / "一组" / "采集表.csv"])
    assert again.rows_read == 2


def test_a_table_far_below_an_empty_top_is_found(tmp_path):
    """The header search starts at the first row with something in it."""
    wb = Workbook()
    ws = wb.active
    for j, text in enumerate(["姓名", "身份证号", "现居住地址"], start=1):
        ws.cell(60, j).value = text
    for j, value in enumerate(["张三", VALID, ADDR], start=1):
        ws.cell(61, j).value = value
    wb.save(tmp_path / "far.xlsx")
    result = load(tmp_path / "far.xlsx")
    assert (result.sheets[0].header_rows, rows_read(result)) == ([60], [61])
    path = tmp_path / "far.csv"
    text = "\n" * 70 + f"姓名,身份证号,现居住地址\n张三,{VALID},{ADDR}\n"
    path.write_text(text, encoding="utf-8")
    result = load(path)
    assert (result.sheets[0].header_rows, rows_read(result)) == ([71], [72])


# --- columns chosen by header and values ------------------------------------------------

POLICE = "长沙市公安局芙蓉分局韭菜园派出所"


@pytest.mark.parametrize(
    ("description", "headers", "rows", "expected"),
    [
        (
            "居住地派出所 before 居住地址: the 派出所 column is not the address",
            ["姓名*", "身份证号码*", "居住地派出所*", "居住地址*"],
            [["张三", VALID, POLICE, ADDR], ["李四", VALID_X, POLICE, ADDR2]],
            {"A": "name", "B": "id_number", "C": None, "D": "address"},
        ),
        (
            "身份证件名称 (values 居民身份证) before 身份证件号码",
            ["姓名", "身份证件名称", "身份证件号码", "现住址"],
            [["张三", "居民身份证", VALID, ADDR], ["李四", "居民身份证", VALID_X, ADDR2]],
            {"A": "name", "B": None, "C": "id_number", "D": "address"},
        ),
        (
            "two ID-like headers: the values decide (身份证 holds the document kind)",
            ["姓名", "身份证", "证件号码", "住址"],
            [["张三", "居民身份证", VALID, ADDR], ["李四", "居民身份证", VALID_X, ADDR2]],
            {"A": "name", "B": None, "C": "id_number", "D": "address"},
        ),
        (
            "two address headers: the one holding 派出所 names loses",
            ["姓名", "身份证号", "地址", "住址"],
            [["张三", VALID, POLICE, ADDR], ["李四", VALID_X, POLICE, ADDR2]],
            {"A": "name", "B": "id_number", "C": None, "D": "address"},
        ),
        (
            "户主姓名 / 户主身份证号 before the person's own columns",
            ["户主姓名", "户主身份证号", "姓名", "身份证号码", "现居地址"],
            [["王五", VALID, "张三", VALID_X, ADDR]],
            {"A": None, "B": None, "C": "name", "D": "id_number", "E": "address"},
        ),
        (
            "current-address headers of real templates",
            ["姓名", "身份证号", "常住地址", "所属社区", "流入时间"],
            [["张三", VALID, ADDR, "韭菜园社区", "2023-05-01"]],
            {"A": "name", "B": "id_number", "C": "address", "D": "committee", "E": "arrived_on"},
        ),
        (
            "来X时间 and 门牌地址",
            ["姓名", "身份证号", "门牌地址", "来京时间"],
            [["张三", VALID, ADDR, "2023-05-01"]],
            {"A": "name", "B": "id_number", "C": "address", "D": "arrived_on"},
        ),
    ],
)
def test_columns_chosen_by_header_and_values(tmp_path, description, headers, rows, expected):
    result = load(one_sheet(tmp_path / "chosen.xlsx", [headers, *rows]), side="system")
    assert mapped(result) == expected
    rec = by_row(result)[2]
    assert rec["name_raw"] == "张三"
    address_column = list(expected.values()).index("address")
    assert rec["addr_key"] == rows[0][address_column]
    taken = {c.letter: c for c in result.sheets[0].columns}
    for letter, fld in expected.items():
        if fld:
            assert taken[letter].reason  # says why (header, values)
        else:
            assert taken[letter].note  # says why not


def test_pinyin_region_and_detail_columns_are_joined(tmp_path):
    """XZZQHMC holds district names (a region part), XZZXZ the street address."""
    path = tmp_path / "pinyin_export.txt"
    lines = [
        "XM\tSFZH\tXZZQHMC\tXZZXZ\tHJDXZ",
        f"张三\t{VALID}\t长沙市芙蓉区\t韭菜园路12号3栋201室\t湖南省长沙市岳麓区麓山南路5号",
        f"李四\t{VALID_X}\t长沙市岳麓区\t麓山南路8号101室\t四川省成都市武侯区人民南路4号",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="gb18030")
    result = load(path, side="system")
    assert mapped(result) == {
        "A": "name",
        "B": "id_number",
        "C": "address",
        "D": "address",
        "E": "hukou_address",
    }
    parts = {c.letter: c.part for c in result.sheets[0].columns}
    assert (parts["C"], parts["D"]) == ("county", "detail")
    assert list(result.records["address"]) == [
        "长沙市芙蓉区韭菜园路12号3栋201室",
        "长沙市岳麓区麓山南路8号101室",
    ]
    reasons = {c.letter: c.reason for c in result.sheets[0].columns}
    assert "省/市/区/街道名 100%" in reasons["C"]
    assert reasons["D"] == "表头同义词「xzzxz」；值：详细地址 100%"


def test_hukou_spread_over_merged_cells_and_a_detail_column(tmp_path):
    path = write_xlsx(
        tmp_path / "hukou_parts.xlsx",
        {
            "S": [
                ["流动人口信息登记表"],
                ["姓名*", "身份证号码*", "户籍地", None, None, "户籍详细地址", "暂住地址"],
                [None, None, "省*", "市*", "区县*", None, None],
                ["张三", VALID, "湖南省", "长沙市", "芙蓉区", "韭菜园路1号", ADDR],
                [
                    "李四",
                    VALID_X,
                    "湖南省",
                    "长沙市",
                    "芙蓉区",
                    "湖南省长沙市芙蓉区五一大道8号",
                    ADDR2,
                ],
            ]
        },
        merges={"S": ["A1:G1", "C2:E2", "A2:A3", "B2:B3", "F2:F3", "G2:G3"]},
    )
    result = load(path, side="system")
    assert result.sheets[0].header_rows == [2, 3]
    assert mapped(result) == {
        "A": "name",
        "B": "id_number",
        "C": "hukou_address",
        "D": "hukou_address",
        "E": "hukou_address",
        "F": "hukou_address",
        "G": "address",
    }
    # a region the detail already holds is not repeated
    assert list(result.records["hukou_address"]) == [
        "湖南省长沙市芙蓉区韭菜园路1号",
        "湖南省长沙市芙蓉区五一大道8号",
    ]


def test_instruction_row_under_the_header_is_skipped(tmp_path):
    path = one_sheet(
        tmp_path / "instruction_row.xlsx",
        [
            ["姓名*", "身份证号码*", "现居住地址", "联系电话"],
            ["必填", "必填，18位，单元格格式请设为文本", "选填，格式：路/弄/号/室", "选填"],
            ["张三", VALID, ADDR, "13800000000"],
            ["李四", VALID_X, ADDR2, None],
        ],
    )
    result = load(path)
    report = result.sheets[0]
    assert rows_read(result) == [3, 4]
    assert report.skipped == {"instruction": 1}
    assert SKIP_REASONS["instruction"] == "表头下的填写说明行"
    assert result.problems.empty


def test_an_example_person_is_not_an_instruction(tmp_path):
    """A first data row never counts as instructions: it holds an ID number."""
    path = one_sheet(
        tmp_path / "no_instruction.xlsx",
        [["姓名", "身份证号码", "现居住地址"], ["张三", VALID, "请填写到门牌号的地址：" + ADDR]],
    )
    assert rows_read(load(path)) == [2]


# --- HTML tables named .xls --------------------------------------------------------------

HTML_EXPORT = """<html><head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}"></head>
<body><table border="1">
<tr><th rowspan="2">序号</th><th rowspan="2">姓名</th><th rowspan="2">公民身份证号</th>
<th colspan="2">户籍地</th><th rowspan="2">现住地区划</th><th rowspan="2">现住地详址</th>
<th rowspan="2">户号</th></tr>
<tr><th>区划</th><th>详址</th></tr>
<tr><td>1</td><td>张三</td><td>{id1}&nbsp;</td><td>湖南省长沙市</td><td>芙蓉区韭菜园路1号</td>
<td>长沙市芙蓉区</td><td>韭菜园路12号3栋201室</td><td>0012</td></tr>
<tr><td>2</td><td>李四</td><td>{id2}</td><td>四川省成都市</td><td>武侯区人民南路4号</td>
<td>长沙市岳麓区</td><td>麓山南路8号101室</td><td>0013</td></tr>
</table></body></html>"""


@pytest.mark.parametrize(
    ("description", "filename", "charset", "encoding", "prefix"),
    [
        ("GBK page named .xls", "police_export.xls", "gbk", "gbk", b""),
        ("GB2312 declared, .xls", "gb2312_export.xls", "gb2312", "gb18030", b""),
        ("UTF-8 with BOM named .xlsx", "utf8_export.xlsx", "utf-8", "utf-8", b"\xef\xbb\xbf"),
        ("blank lines before <html>", "leading_blank.xls", "gbk", "gbk", b"\r\n\r\n  "),
    ],
)
def test_html_table_named_xls_is_read(tmp_path, description, filename, charset, encoding, prefix):
    path = tmp_path / filename
    page = HTML_EXPORT.format(charset=charset, id1=VALID, id2=VALID_X)
    path.write_bytes(prefix + page.encode(encoding))
    result = load(path, side="system")
    (sheet,) = result.sheets
    assert sheet.read and sheet.source_format == "html"
    assert "网页表格" in sheet.note
    assert sheet.header_rows == [1, 2]
    assert mapped(result) == {
        "A": "serial",
        "B": "name",
        "C": "id_number",
        "D": "hukou_address",
        "E": "hukou_address",
        "F": "address",
        "G": "address",
        "H": None,
    }
    assert rows_read(result) == [3, 4]
    assert list(result.records["name_raw"]) == ["张三", "李四"]
    assert list(result.records["id"]) == [VALID, VALID_X]
    assert list(result.records["address"]) == [
        "长沙市芙蓉区韭菜园路12号3栋201室",
        "长沙市岳麓区麓山南路8号101室",
    ]
    assert list(result.records["hukou_address"]) == [
        "湖南省长沙市芙蓉区韭菜园路1号",
        "四川省成都市武侯区人民南路4号",
    ]
    # cells stay text as written (a 户号 keeps its zeros)
    (originals,) = result.originals.values()
    assert list(originals["户号"]) == ["0012", "0013"]


def test_single_file_web_page_named_xls_is_read(tmp_path):
    """Excel's 单个文件网页 (MHTML) saved under .xls: its HTML part holds the table."""
    import quopri

    page = HTML_EXPORT.format(charset="gbk", id1=VALID, id2=VALID_X).encode("gbk")
    body = quopri.encodestring(page).decode("ascii")
    mht = (
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/related; boundary="----=_NextPart_01"\r\n\r\n'
        "------=_NextPart_01\r\n"
        "Content-Location: file:///C:/sheet001.htm\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n"
        'Content-Type: text/html; charset="gbk"\r\n\r\n'
        f"{body}\r\n"
        "------=_NextPart_01--\r\n"
    )
    path = tmp_path / "single_file_page.xls"
    path.write_bytes(mht.encode("ascii"))
    result = load(path, side="system")
    assert rows_read(result) == [3, 4]
    assert list(result.records["id"]) == [VALID, VALID_X]
    assert result.sheets[0].source_format == "html"


@pytest.mark.parametrize(
    ("description", "content", "expected"),
    [
        (
            "Excel 2003 XML spreadsheet named .xls",
            b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
            b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>',
            "XML 表格",
        ),
        ("a web page without a table", b"<html><body><p>404</p></body></html>", "没有表格"),
    ],
)
def test_other_disguised_files_keep_a_clear_message(tmp_path, description, content, expected):
    path = tmp_path / "disguised.xls"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        load(path)
    assert expected in str(info.value)
    assert "disguised.xls" in str(info.value)

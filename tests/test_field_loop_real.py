"""The field round trip as it really happens, end to end, with exact results.

A small street of two 居委 (万源, 东兰) is matched; its 入户核查单.xlsx goes
out whole to both 居委, and each sends back its own copy with only its own
sheet filled, the way clerks really write: ticks of every kind, a × beside
a √, a ○, a 去向 or 查无此人 without a tick, a 去向 beside 仍居住, 信息有误
without a 备注, a row inserted mid-list for a person met at the door, an ID
typed into a blank row (a General cell in Excel: a number) and one typed into
a text cell, a new phone written over the printed one. One copy is given
twice. The tables written are asserted whole.
"""

from __future__ import annotations

import re
import shutil
import zipfile

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from recon.cli import app, expand_argv
from recon.normalize.ids import check_char
from recon.results import changed_items, mark_state
from recon.worklists import NEW_KEY, RECORD_SHEET, VISIT_HEADERS

COL = {h: i + 1 for i, h in enumerate(VISIT_HEADERS)}


def invoke(*args):
    return CliRunner().invoke(app, expand_argv([str(a) for a in args]))


def make_id(region: str, birth: str, seq: str) -> str:
    return region + birth + seq + check_char(region + birth + seq)


def digit_id(region: str, birth: str) -> str:
    """A valid ID whose check character is a digit (so it can be typed as a number)."""
    for n in range(100, 999):
        body = f"{region}{birth}{n}"
        if check_char(body) != "X":
            return body + check_char(body)
    raise AssertionError


# the system's people to visit: name, sex, ID, address, 居委, phone
WANYUAN = [
    ("周一", "男", make_id("340102", "19800101", "011"), "古美路1255弄1号101室", "13800000001"),
    ("吴二", "女", make_id("410102", "19810202", "022"), "古美路1255弄1号102室", "13800000002"),
    ("郑三", "男", make_id("510104", "19820303", "033"), "古美路1255弄2号201室", "13800000003"),
    ("冯四", "女", make_id("320102", "19830404", "044"), "古美路1255弄2号202室", "13800000004"),
    ("陈五", "男", make_id("330102", "19840505", "055"), "古美路1255弄3号301室", "13800000005"),
    ("褚六", "女", make_id("350102", "19850606", "066"), "古美路1255弄3号302室", "13800000006"),
    ("卫七", "男", make_id("360102", "19860707", "077"), "古美路1255弄4号401室", "13800000007"),
]
DONGLAN = [
    ("蒋一", "男", make_id("370102", "19700101", "011"), "东兰路100弄1号101室", "13900000001"),
    ("沈二", "女", make_id("420102", "19710202", "022"), "东兰路100弄1号102室", "13900000002"),
    ("韩三", "男", make_id("430102", "19720303", "033"), "东兰路100弄2号201室", "13900000003"),
    ("杨四", "女", make_id("440102", "19730404", "044"), "东兰路100弄2号202室", "13900000004"),
    ("朱五", "男", make_id("450102", "19740505", "055"), "东兰路100弄3号301室", "13900000005"),
]
MATCHED = [  # on both sides: not on the worklist
    ("张伟", "男", make_id("340102", "19900101", "123"), "古美路1255弄9号901室", "万源"),
    ("王芳", "女", make_id("410102", "19850505", "246"), "东兰路100弄9号901室", "东兰"),
]
FIELD_ONLY = ("李娜", "女", make_id("510104", "19770303", "357"), "东兰路100弄8号801室", "东兰")
NEW_MID = ("赵新", "男", make_id("620102", "19950808", "135"), "古美路1255弄2号203室")
NEW_TYPED = ("钱多", "女", digit_id("360829", "19800101"), "东兰路100弄3号303室")
NEW_TEXT = ("孙安", "男", make_id("310112", "19920909", "246"), "东兰路100弄1号103室")


def _write_csv(path, header, rows):
    pd.DataFrame(rows, columns=header).to_csv(path, index=False, encoding="utf-8-sig")


@pytest.fixture(scope="module")
def street(tmp_path_factory):
    root = tmp_path_factory.mktemp("real")
    (root / "field").mkdir()
    (root / "system").mkdir()
    _write_csv(
        root / "field" / "采集表.csv",
        ["姓名", "性别", "公民身份号码", "现居住地址", "居委"],
        [list(p) for p in [*MATCHED, FIELD_ONLY]],
    )
    system = [[n, s, i, a, "正常", "万源", ph] for n, s, i, a, ph in WANYUAN]
    system += [[n, s, i, a, "正常", "东兰", ph] for n, s, i, a, ph in DONGLAN]
    system += [[n, s, i, a, "正常", c, ""] for n, s, i, a, c in MATCHED]
    _write_csv(
        root / "system" / "系统.csv",
        ["姓名", "性别", "公民身份号码", "暂住地址", "人员状态", "居委", "联系电话"],
        system,
    )
    out = root / "result"
    res = invoke("match", root / "field", "--system", root / "system", "--out", out)
    assert res.exit_code == 0, res.stderr
    return root, out


def _sheet(wb, committee):
    return next(ws for ws in wb.worksheets if ws.sheet_state == "visible" and committee in ws.title)


def _row_of(ws, name):
    return next(r for r in range(4, ws.max_row + 1) if ws.cell(r, COL["姓名"]).value == name)


def _blank_rows(ws):
    return [r for r in range(4, ws.max_row + 1) if ws.cell(r, COL["记录号"]).value == NEW_KEY]


def _fill_wanyuan(src, dst):
    wb = openpyxl.load_workbook(src)
    ws = _sheet(wb, "万源")

    def put(name, **cells):
        r = _row_of(ws, name)
        for header, value in cells.items():
            ws.cell(r, COL[header]).value = value

    put("周一", 已离开="√", **{"去向/现住址": "回老家"})
    put("吴二", **{"去向/现住址": "已搬走，回老家"})  # no tick
    put("郑三", 备注="查无此人")  # no tick
    put("冯四", 仍居住="✓", **{"去向/现住址": "搬到松江"})  # ticked, but moved?
    put("陈五", 信息有误="对")  # no 备注
    put("褚六", 仍居住="○")  # a circle where the box was printed
    put("卫七", 仍居住="×", 已离开="√", **{"去向/现住址": "回安徽"})  # × beside a √
    # a person met at the door, written on a row inserted in the middle of the list
    r = _row_of(ws, "郑三")
    ws.insert_rows(r)
    for header, value in zip(("姓名", "性别", "身份证号", "登记住址"), NEW_MID, strict=True):
        ws.cell(r, COL[header]).value = value
    wb.save(dst)


def _fill_donglan(src, dst):
    wb = openpyxl.load_workbook(src)
    ws = _sheet(wb, "东兰")

    def put(name, **cells):
        r = _row_of(ws, name)
        for header, value in cells.items():
            ws.cell(r, COL[header]).value = value

    put("蒋一", 仍居住="√")
    put("沈二", 信息有误="☑", 备注="电话已换")
    put("韩三", 已离开="1", **{"去向/现住址": "回河南"})
    put("杨四", 已离开="×")  # only a cross: no decision
    put("朱五", 联系电话=13912345678)  # a new phone over the printed one, no tick
    blank = _blank_rows(ws)
    name, sex, id_, address = NEW_TYPED
    ws.cell(blank[0], COL["姓名"]).value = name
    ws.cell(blank[0], COL["性别"]).value = sex
    ws.cell(blank[0], COL["身份证号"]).value = int(id_)  # a General cell: Excel keeps a number
    ws.cell(blank[0], COL["登记住址"]).value = address
    name, sex, id_, address = NEW_TEXT
    ws.cell(blank[1], COL["姓名"]).value = name
    ws.cell(blank[1], COL["性别"]).value = sex
    ws.cell(blank[1], COL["身份证号"]).value = id_  # a text cell: the string as typed
    ws.cell(blank[1], COL["登记住址"]).value = address
    wb.save(dst)


def _csv(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _place(path, sheet_word, name):
    ws = _sheet(openpyxl.load_workbook(path), sheet_word)
    return f"{path.name}／{ws.title} 第{_row_of(ws, name)}行", ws.title, _row_of(ws, name)


@pytest.fixture(scope="module")
def returned(street, tmp_path_factory):
    root, out = street
    back = tmp_path_factory.mktemp("back")
    _fill_wanyuan(out / "入户核查单.xlsx", back / "万源.xlsx")
    _fill_donglan(out / "入户核查单.xlsx", back / "东兰.xlsx")
    shutil.copy(back / "东兰.xlsx", back / "东兰（再发一次）.xlsx")  # the same file twice
    res = invoke("results", back, "--out", root / "results", "--match", out)
    assert res.exit_code == 0, res.stderr
    said = "".join(res.stderr.split())
    assert "读入核查单2份，其中2份有填写；另有1份与已读的完全相同" in said
    return back, root / "results"


def test_cancel_table_is_exact(returned):
    back, r = returned
    w = back / "万源.xlsx"
    cancel = _csv(r / "注销表.csv")
    got = sorted(
        cancel[
            ["姓名", "公民身份号码", "注销原因", "去向", "所属居委", "核查单位置", "说明"]
        ].itertuples(index=False, name=None)
    )
    ids = {p[0]: p[2] for p in WANYUAN + DONGLAN}
    expected = sorted(
        [
            ("周一", ids["周一"], "离开本地", "回老家", "万源", _place(w, "万源", "周一")[0], ""),
            (
                "吴二", ids["吴二"], "离开本地", "已搬走，回老家", "万源",
                _place(w, "万源", "吴二")[0], "没有打勾，按写了去向推断为已离开",
            ),
            (
                "郑三", ids["郑三"], "离开本地", "", "万源", _place(w, "万源", "郑三")[0],
                "没有打勾，按备注「查无此人」推断为已离开",
            ),
            ("卫七", ids["卫七"], "离开本地", "回安徽", "万源", _place(w, "万源", "卫七")[0], ""),
            (
                "韩三", ids["韩三"], "离开本地", "回河南", "东兰",
                _place(back / "东兰.xlsx", "东兰", "韩三")[0], "",
            ),
        ]
    )  # fmt: skip
    assert got == expected


def test_change_table_is_exact(returned):
    _back, r = returned
    change = _csv(r / "变更表.csv")
    got = sorted(
        change[["姓名", "变更项目", "系统中", "核查到", "备注", "所属居委", "来源"]].itertuples(
            index=False, name=None
        )
    )
    assert got == sorted(
        [
            ("沈二", "联系电话", "13900000002", "", "电话已换", "东兰", "上门核查"),
            ("朱五", "联系电话", "13900000005", "13912345678", "", "东兰", "上门核查"),
            ("陈五", "见备注", "", "", "", "万源", "上门核查"),
        ]
    )


def test_entry_table_is_exact(returned):
    _back, r = returned
    entry = _csv(r / "待录入表.csv")
    got = sorted(
        entry[["姓名", "公民身份号码", "现住址", "所属居委", "来源"]].itertuples(
            index=False, name=None
        )
    )
    assert got == sorted(
        [
            (NEW_MID[0], NEW_MID[2], NEW_MID[3], "万源", "上门核查时新发现"),
            (NEW_TYPED[0], "", NEW_TYPED[3], "东兰", "上门核查时新发现"),  # damaged: not keyed
            (NEW_TEXT[0], NEW_TEXT[2], NEW_TEXT[3], "东兰", "上门核查时新发现"),
            (FIELD_ONLY[0], FIELD_ONLY[2], FIELD_ONLY[3], "东兰", "采集表比对（人到机）"),
        ]
    )
    typed = entry.set_index("姓名").loc[NEW_TYPED[0], "说明"]
    trusted = re.search(r"可信的前(\d+)位：(\d+)", typed)
    assert trusted and int(trusted[1]) >= 14 and NEW_TYPED[2].startswith(trusted[2])
    assert not entry["公民身份号码"].str.contains("e+", regex=False).any()


def test_problems_are_exact(returned):
    back, r = returned
    problems = _csv(r / "问题.csv")
    w, d = back / "万源.xlsx", back / "东兰.xlsx"

    def at(path, word, name, column, text):
        _, sheet, row = _place(path, word, name)
        return (path.name, sheet, str(row), column, text)

    wd = openpyxl.load_workbook(d)
    blank = _blank_rows(_sheet(wd, "东兰"))[0]
    sheet_d = _sheet(wd, "东兰").title
    expected = {
        ("东兰（再发一次）.xlsx", "", "0", "", "与「东兰.xlsx」内容完全相同，只计一次"),
        at(w, "万源", "吴二", "核查结果", "没有打勾，按写了去向推断为已离开：请核实"),
        at(w, "万源", "郑三", "核查结果", "没有打勾，按备注「查无此人」推断为已离开：请核实"),
        at(w, "万源", "冯四", "去向/现住址",
           "打了「仍居住」却写了去向：按仍居住计，如已搬走请改勾「已离开」"),
        at(w, "万源", "陈五", "备注", "信息有误但备注没有写明哪一项有误：请补上"),
        at(w, "万源", "褚六", "仍居住",
           "把「○」当作在「仍居住」打勾（○ 也可能表示没选）：请核实"),
        at(d, "东兰", "杨四", "已离开", "只在「已离开」打了 ×，没有打 √：按未核查计，请核实"),
        at(d, "东兰", "朱五", "联系电话", "没有打勾，改写了联系电话，按信息有误处理：请核实"),
        (d.name, sheet_d, str(blank), "身份证号",
         "身份证号被 Excel 存成了数字，后几位已丢失：请对照证件补上"
         "（该列应为文本格式，输入时可先打一个英文单引号 '）"),
    }  # fmt: skip
    assert (
        set(problems[["文件", "工作表", "行号", "列", "问题"]].itertuples(index=False, name=None))
        == expected
    )
    assert len(problems) == len(expected)


def test_progress_is_exact(returned):
    _back, r = returned
    progress = _csv(r / "进度.csv").set_index("居委")
    cols = ["名单人数", "已核查", "仍居住", "已离开", "信息有误", "未核查", "新发现未登记",
            "读到份数", "有填写的份数"]  # fmt: skip
    got = {c: progress.loc[c, cols].astype(int).tolist() for c in progress.index}
    assert got == {
        # 周一 吴二 郑三 卫七 left; 冯四 褚六 living; 陈五 changed; 赵新 new
        "万源": [7, 7, 2, 4, 1, 0, 1, 2, 1],
        # 蒋一 living; 沈二 朱五 changed; 韩三 left; 杨四 not visited; 钱多 孙安 new
        "东兰": [5, 4, 1, 1, 2, 1, 2, 2, 1],
        "合计": [12, 11, 3, 5, 3, 1, 3, 2, 2],
    }


def test_two_different_fills_of_one_person_are_a_problem(street, returned, tmp_path):
    """A second 万源 copy that says otherwise about 周一: neither is applied; the
    new person written in both copies is counted once."""
    _root, out = street
    back, _r = returned
    shutil.copy(back / "万源.xlsx", tmp_path / "万源.xlsx")
    wb = openpyxl.load_workbook(back / "万源.xlsx")
    ws = _sheet(wb, "万源")
    r = _row_of(ws, "周一")
    ws.cell(r, COL["已离开"]).value = None
    ws.cell(r, COL["去向/现住址"]).value = None
    ws.cell(r, COL["仍居住"]).value = "√"
    wb.save(tmp_path / "万源（补）.xlsx")
    res = invoke("results", tmp_path / "万源.xlsx", tmp_path / "万源（补）.xlsx",
                 "--out", tmp_path / "r", "--match", out)  # fmt: skip
    assert res.exit_code == 0, res.stderr
    cancel = _csv(tmp_path / "r" / "注销表.csv")
    assert "周一" not in set(cancel["姓名"])
    problems = _csv(tmp_path / "r" / "问题.csv")
    conflict = problems[problems["问题"].str.contains("结果不一致")]
    assert sorted(conflict["文件"]) == ["万源.xlsx", "万源（补）.xlsx"]
    assert all("万源.xlsx" in t and "万源（补）.xlsx" in t for t in conflict["问题"])
    assert all("已离开" in t and "仍居住" in t for t in conflict["问题"])
    same = problems[problems["问题"].str.contains("是同一人")]
    assert len(same) == 1 and same["文件"].iloc[0] == "万源（补）.xlsx"
    entry = _csv(tmp_path / "r" / "待录入表.csv")
    assert (entry["姓名"] == NEW_MID[0]).sum() == 1
    progress = _csv(tmp_path / "r" / "进度.csv").set_index("居委")
    assert progress.loc["万源", "已核查"] == "6" and progress.loc["万源", "未核查"] == "1"
    assert progress.loc["万源", "读到份数"] == "2" and progress.loc["万源", "有填写的份数"] == "2"
    visits = _csv(tmp_path / "r" / "visits.csv")
    assert (visits["outcome"] == "unclear").sum() == 1


def test_match_of_another_run_is_refused(street, returned, tmp_path):
    """--match must be the folder the sheets came from, not a --committee subset."""
    root, _out = street
    back, _r = returned
    sub = tmp_path / "sub"
    res = invoke("match", root / "field", "--system", root / "system", "--out", sub,
                 "--committee", "东兰")  # fmt: skip
    assert res.exit_code == 0, res.stderr
    res = invoke("results", back / "东兰.xlsx", "--out", tmp_path / "r", "--match", sub)
    assert res.exit_code == 2
    assert "--match" in res.stderr and "记录号" in res.stderr
    assert not (tmp_path / "r").exists()


def test_blank_rows_keep_the_text_format(street):
    """Where a clerk types an ID or a phone, the cell is text ("@") already."""
    _root, out = street
    path = out / "入户核查单.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = _sheet(wb, "东兰")
    blank = _blank_rows(ws)
    assert blank
    for r in [*blank, _row_of(ws, "蒋一")]:
        for header in ("身份证号", "联系电话"):
            assert ws.cell(r, COL[header]).number_format == "@", (r, header)
    with zipfile.ZipFile(path) as z:
        sheet_xml = {n: z.read(n).decode() for n in z.namelist() if "worksheets/sheet" in n}
    letter = openpyxl.utils.get_column_letter(COL["身份证号"])
    row = blank[0]
    cell = [
        m for x in sheet_xml.values() for m in re.findall(rf'<c r="{letter}{row}" s="\d+"/>', x)
    ]
    assert cell  # a real, styled, empty cell
    assert wb[RECORD_SHEET].sheet_state == "veryHidden"


@pytest.mark.parametrize(
    ("description", "text", "option", "state"),
    [
        ("check mark", "√", "已离开", "ticked"),
        ("heavy check", "✔", "已离开", "ticked"),
        ("ballot box with check", "☑", "已离开", "ticked"),
        ("filled square", "■", "已离开", "ticked"),
        ("one", "1", "已离开", "ticked"),
        ("是", "是", "已离开", "ticked"),
        ("对", "对", "已离开", "ticked"),
        ("Y", "y", "已离开", "ticked"),
        ("v for a tick", "v", "已离开", "ticked"),
        ("the word", "已离开", "已离开", "ticked"),
        ("the word with a stray character", "已离开了", "已离开", "ticked"),
        ("tick over the box", "√□", "已离开", "ticked"),
        ("cross", "×", "已离开", "no"),
        ("letter x", "X", "已离开", "no"),
        ("否", "否", "已离开", "no"),
        ("N", "N", "已离开", "no"),
        ("circle", "○", "已离开", "circle"),
        ("large circle", "◯", "已离开", "circle"),
        ("the printed box", "□", "已离开", "empty"),
        ("nothing", None, "已离开", "empty"),
        ("a question mark", "?", "已离开", "unknown"),
        ("another option's word", "仍居住", "已离开", "unknown"),
    ],
)
def test_marks(description, text, option, state):
    assert mark_state(text, option) == state, description


@pytest.mark.parametrize(
    ("description", "remark", "whereabouts", "expected"),
    [
        ("phone changed", "电话已换", "", "联系电话"),
        ("new mobile", "手机号换了", "", "联系电话"),
        ("name spelt wrong", "名字写错，应为王玮", "", "姓名"),
        ("moved within the street", "", "古美路1255弄3号301室", "现住址"),
        ("moved, said in the remark", "搬到3号301室", "", "现住址"),
        ("two things", "电话已换，住址门牌不对", "", "联系电话、现住址"),
        ("nothing named", "见原件", "", "见备注"),
        ("nothing at all", "", "", "见备注"),
    ],
)
def test_changed_items(description, remark, whereabouts, expected):
    assert changed_items(remark, whereabouts) == expected, description


def test_review_decisions_from_several_copies(tmp_path):
    """× beside √ decides; two copies deciding one pair both ways decide nothing."""
    from tests.test_match_cases import SYS_ADDR, WANG, ZHANG, write

    other = make_id("620102", "19880808", "135")
    (tmp_path / "f").mkdir()
    (tmp_path / "s").mkdir()
    write(
        tmp_path / "f" / "f.csv",
        ["姓名", "性别", "公民身份号码", "现居住地址"],
        [["张伟", "男", "", "古美路1255弄12号302室"], ["王芳", "女", "", "平阳路1弄1号101室"]],
    )
    write(
        tmp_path / "s" / "s.csv",
        ["姓名", "性别", "公民身份号码", "暂住地址", "人员状态"],
        [
            ["张伟", "男", other, SYS_ADDR, "正常"],
            ["张伟", "男", ZHANG, SYS_ADDR, "正常"],
            ["王芳", "女", WANG, "上海市闵行区平阳路1弄1号101室", "正常"],
        ],
    )
    base = ["match", tmp_path / "f", "--system", tmp_path / "s"]
    assert invoke(*base, "--out", tmp_path / "o1").exit_code == 0
    for copy, other_choice in (("甲.xlsx", "不是同一人"), ("乙.xlsx", "是同一人")):
        wb = openpyxl.load_workbook(tmp_path / "o1" / "待人工确认单.xlsx")
        ws = wb["待人工确认"]
        head = [c.value for c in ws[3]]
        for r in range(4, ws.max_row + 1):
            if ws.cell(r, head.index("系统：身份证号") + 1).value == ZHANG:
                ws.cell(r, head.index("是同一人") + 1).value = "√"
                ws.cell(r, head.index("不是同一人") + 1).value = "×"  # "not this one"
            else:
                ws.cell(r, head.index(other_choice) + 1).value = "√"
        wb.save(tmp_path / copy)
    args = ["--decisions", tmp_path / "甲.xlsx", "--decisions", tmp_path / "乙.xlsx"]
    res = invoke(*base, "--out", tmp_path / "o2", *args)
    assert res.exit_code == 0, res.stderr
    m = _csv(tmp_path / "o2" / "matches.csv")
    assert m.loc[m["method"] == "decided", ["field_row", "system_row"]].values.tolist() == [
        ["2", "3"]
    ]
    assert "2" not in set(m["system_row"])  # decided both ways: never joined
    problems = _csv(tmp_path / "o2" / "problems.csv")
    assert problems["problem"].str.contains("判断相反").sum() == 1
    assert not problems["problem"].str.contains("看不懂").any()


def test_a_copied_row_is_said(street, tmp_path):
    """A clerk copies 朱五's row (记录号 and all) to write a relative under it."""
    _root, out = street
    wb = openpyxl.load_workbook(out / "入户核查单.xlsx")
    ws = _sheet(wb, "东兰")
    r = _row_of(ws, "朱五")
    ws.insert_rows(r + 1)
    for c in range(1, len(VISIT_HEADERS) + 1):
        ws.cell(r + 1, c).value = ws.cell(r, c).value
    ws.cell(r + 1, COL["姓名"]).value = "朱小五"
    ws.cell(r, COL["仍居住"]).value = "√"
    wb.save(tmp_path / "东兰.xlsx")
    res = invoke("results", tmp_path / "东兰.xlsx", "--out", tmp_path / "r", "--match", out)
    assert res.exit_code == 0, res.stderr
    problems = _csv(tmp_path / "r" / "问题.csv")
    said = problems[problems["行号"] == str(r + 1)]["问题"].tolist()
    assert any("可能是复制的行" in t for t in said)
    assert any("结果不一致" in t for t in said)  # 仍居住 on one, a changed name on the other
    assert "朱五" not in set(_csv(tmp_path / "r" / "变更表.csv")["姓名"])


@st.composite
def _copies(draw):
    """Rows of a few 记录号 as several copies show them: blank or filled."""
    from recon.results import _Row

    readings = st.sampled_from(
        [
            ("仍居住", "", ""),
            ("已离开", "回老家", ""),
            ("已离开", "", "查无此人"),
            ("信息有误", "", "电话已换"),
        ]
    )
    rows = []
    for n, key in enumerate(draw(st.lists(st.sampled_from("ABCD"), min_size=1, max_size=12))):
        filled = draw(st.booleans())
        outcome, where, remark = draw(readings) if filled else ("未核查", "", "")
        rows.append(_Row(key, outcome, where, remark, filled, f"{n % 3}.xlsx", "s", 4 + n))
    return rows


@given(_copies(), st.randoms())
def test_merging_copies_does_not_depend_on_their_order(rows, rnd):
    from recon.results import CONFLICT, _merge

    def outcomes(rows):
        return {r.key: r.reading() for r in _merge(rows, [])}

    shuffled = rows[:]
    rnd.shuffle(shuffled)
    assert outcomes(rows) == outcomes(shuffled)
    for key, reading in outcomes(rows).items():
        fills = {r.reading() for r in rows if r.key == key and r.filled}
        if not fills:
            assert reading[0] == "未核查"  # blank everywhere: not visited
        elif len(fills) == 1:
            assert reading in fills  # one fill, however many blank copies
        else:
            assert reading[0] == CONFLICT  # never one fill over another


def test_a_blank_line_with_only_a_note_is_said(street, tmp_path):
    _root, out = street
    wb = openpyxl.load_workbook(out / "入户核查单.xlsx")
    ws = _sheet(wb, "万源")
    blank = _blank_rows(ws)[0]
    ws.cell(blank, COL["备注"]).value = "3号楼302室有人租住，未见到人"
    wb.save(tmp_path / "万源.xlsx")
    res = invoke("results", tmp_path / "万源.xlsx", "--out", tmp_path / "r", "--match", out)
    assert res.exit_code == 0, res.stderr
    problems = _csv(tmp_path / "r" / "问题.csv")
    assert problems[["行号", "列"]].values.tolist() == [[str(blank), "姓名"]]
    assert "没有姓名和身份证号" in problems["问题"].iloc[0]


def test_match_of_a_separation_run_is_refused(returned, tmp_path):
    """The 人户分离 result of the same street is not where these sheets came from."""
    from tests.test_separation import LIST, SWEEP, _write

    back, _r = returned
    (tmp_path / "f").mkdir()
    (tmp_path / "s").mkdir()
    _write(tmp_path / "f" / "古美一村人户分离排查表.csv", SWEEP, "utf-8-sig")
    _write(tmp_path / "s" / "人户分离人员名单.csv", LIST, "gb18030")
    sep = tmp_path / "sep"
    res = invoke("match", tmp_path / "f", "--system", tmp_path / "s", "--out", sep,
                 "--mode", "人户分离")  # fmt: skip
    assert res.exit_code == 0, res.stderr
    res = invoke("results", back / "万源.xlsx", "--out", tmp_path / "r", "--match", sep)
    assert res.exit_code == 2 and "不是这些核查单所出自的核对结果" in "".join(res.stderr.split())
    assert not (tmp_path / "r").exists()


def test_a_damaged_or_locked_copy_gets_the_loaders_message(tmp_path):
    """Filled sheets are opened by the loaders' reader: a copy that is not a
    workbook, or carries a password, is named with what to do -- no traceback."""
    from typer.testing import CliRunner

    from recon.cli import app

    fake = tmp_path / "入户核查单.xlsx"
    fake.write_text("这不是工作簿", encoding="utf-8")
    locked = tmp_path / "locked" / "入户核查单.xlsx"
    locked.parent.mkdir()
    locked.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"))
    for path, words in ((fake, "无法作为Excel工作簿打开"), (locked, "密码")):
        res = CliRunner().invoke(app, ["results", str(path), "--out", str(tmp_path / "out")])
        assert res.exit_code == 1, res.output
        assert words in "".join(res.stderr.split()) and "Traceback" not in res.output

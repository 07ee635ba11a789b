"""recon.forms on its own: reading a row of boxes, merging the copies of a
form read back, and reading filled copies (several forms, a file twice, a
line inserted anywhere, an ID typed as a number)."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from recon.forms import (
    NUMERIC,
    FormColumn,
    FormSpec,
    RowKind,
    merge_copies,
    read_boxes,
    read_form,
    write_form,
)

# --- a row of boxes -------------------------------------------------------------------

OPTIONS = ("仍居住", "已离开", "信息有误")


@pytest.mark.parametrize(
    ("description", "cells", "expected"),
    [
        ("one tick", {"已离开": "√"}, ("已离开", "")),
        ("nothing written", {}, ("", "")),
        ("only the printed boxes", {o: "□" for o in OPTIONS}, ("", "")),
        ("a cross beside a tick: not this one", {"仍居住": "×", "已离开": "√"}, ("已离开", "")),
        (
            "a circle beside a tick: an empty box",
            {"仍居住": "○", "信息有误": "✔"},
            ("信息有误", ""),
        ),
        ("a lone circle: the choice, to confirm", {"仍居住": "○"}, ("仍居住", "circle")),
        ("circles in two boxes", {"仍居住": "○", "已离开": "◯"}, ("", "circles")),
        ("ticks in two boxes", {"仍居住": "√", "已离开": "1"}, ("", "several")),
        ("a mark nobody can read", {"已离开": "?"}, ("", "unknown")),
        ("only a cross", {"已离开": "×"}, ("", "no")),
        ("the option's own word", {"信息有误": "信息有误"}, ("信息有误", "")),
        ("a tick over the printed box", {"已离开": "√□"}, ("已离开", "")),
    ],
)
def test_a_row_of_boxes(description, cells, expected):
    assert read_boxes(cells, OPTIONS).choice() == expected, description


def test_boxes_read_from_a_getter_and_say_whether_anything_is_written():
    row = {"仍居住": "□", "已离开": " ", "信息有误": None}
    boxes = read_boxes(lambda h: row.get(h, ""), OPTIONS)
    assert not boxes.filled
    assert read_boxes({"已离开": "×"}, OPTIONS).filled  # a cross is something written


# --- merging the copies ---------------------------------------------------------------


@dataclass
class Line:
    key: str
    file: str
    sheet: str
    row: int
    filled: bool
    says: str = ""

    def reading(self) -> str:
        return self.says


def _lines(table):
    return [Line(k, f, "s", r, bool(says), says) for k, f, r, says in table]


@pytest.mark.parametrize(
    ("description", "lines", "expected"),
    [
        (
            "each 居委 fills its own sheet: filled beats blank",
            [("A", "万源.xlsx", 4, "left"), ("A", "东兰.xlsx", 4, "")],
            {"A": ("taken", "万源.xlsx")},
        ),
        (
            "blank everywhere: the first line, nothing read",
            [("A", "1.xlsx", 4, ""), ("A", "2.xlsx", 4, "")],
            {"A": ("blank", "1.xlsx")},
        ),
        (
            "filled alike in two copies: one reading",
            [("A", "1.xlsx", 4, "left"), ("A", "2.xlsx", 9, "left")],
            {"A": ("taken", "1.xlsx")},
        ),
        (
            "filled differently: a conflict, neither taken",
            [("A", "1.xlsx", 4, "left"), ("A", "2.xlsx", 4, "living"), ("A", "3.xlsx", 4, "")],
            {"A": ("conflict", None)},
        ),
        (
            "keys are independent",
            [("A", "1.xlsx", 4, "left"), ("B", "1.xlsx", 5, ""), ("B", "2.xlsx", 5, "living")],
            {"A": ("taken", "1.xlsx"), "B": ("taken", "2.xlsx")},
        ),
    ],
)
def test_merging_copies(description, lines, expected):
    got = {}
    for merged in merge_copies(_lines(lines)):
        chosen = merged.chosen
        if merged.conflict:
            got[merged.key] = ("conflict", None)
        else:
            assert chosen is not None
            got[merged.key] = ("taken" if chosen.filled else "blank", chosen.file)
        assert not merged.repeats
    assert got == expected, description


def test_a_key_twice_on_one_sheet_is_a_repeat():
    lines = _lines([("A", "1.xlsx", 4, "left"), ("A", "1.xlsx", 9, ""), ("A", "2.xlsx", 4, "")])
    (merged,) = merge_copies(lines)
    assert [(line.row, earlier) for line, earlier in merged.repeats] == [(9, 4)]


@given(
    st.lists(
        st.tuples(
            st.sampled_from("ABC"),
            st.sampled_from(["1.xlsx", "2.xlsx", "3.xlsx"]),
            st.integers(4, 30),
            st.sampled_from(["", "", "left", "living"]),
        ),
        min_size=1,
        max_size=12,
    ),
    st.randoms(),
)
def test_merging_does_not_depend_on_the_order_of_the_copies(table, rnd):
    def outcome(lines):
        out = {}
        for m in merge_copies(lines):
            out[m.key] = "conflict" if m.conflict else m.chosen.reading()
        return out

    lines = _lines(table)
    shuffled = lines[:]
    rnd.shuffle(shuffled)
    assert outcome(lines) == outcome(shuffled)
    for key, said in outcome(lines).items():
        fills = {line.says for line in lines if line.key == key and line.filled}
        assert said == (fills.pop() if len(fills) == 1 else "conflict" if fills else "")


# --- reading filled copies ------------------------------------------------------------

FORM = FormSpec(
    workbook="测试单.xlsx",
    title="{group} 测试单",
    columns=(
        FormColumn("name", "姓名", 9),
        FormColumn("id", "身份证号", 19, "id"),
        FormColumn("c0", "在住", 5, tick=True),
        FormColumn("c1", "已离开", 5, tick=True),
        FormColumn("remark", "备注", 10, "wrap"),
        FormColumn("key", "记录号", 10, "key"),
    ),
    record_sheet="_测试记录",
)
OTHER = FormSpec(
    workbook="另一单.xlsx",
    title="{group} 另一单",
    columns=(
        FormColumn("name", "姓名", 9),
        FormColumn("c0", "同意", 5, tick=True),
        FormColumn("key", "记录号", 10, "key"),
    ),
    record_sheet="_测试记录",
)
ID = "110101199003074514"


def _write(spec, path, groups=("甲", "乙")):
    rows = {
        g: pd.DataFrame(
            [
                {"name": f"{g}楼（2 人）", "_kind": RowKind.HEADING},
                {"name": f"{g}一", "id": "1101**********4514", "key": f"K{g}1"},
                {"name": f"{g}二", "key": f"K{g}2"},
                {"key": "新增", "_kind": RowKind.BLANK},
            ]
        ).fillna({"_kind": RowKind.PERSON})
        for g in groups
    }
    records = pd.DataFrame(
        {
            "记录号": [f"K{g}{n}" for g in groups for n in (1, 2)],
            "居委": [g for g in groups for _ in "12"],
        }
    )
    write_form(spec, rows.items(), records, path)


def _head(ws):
    return next(r for r in range(1, 10) if "记录号" in [c.value for c in ws[r]])


def _cell(ws, header):
    return [c.value for c in ws[_head(ws)]].index(header) + 1


def _row_of(ws, text):
    return next(r for r in range(_head(ws), ws.max_row + 1) if ws.cell(r, 1).value == text)


@pytest.fixture()
def copies(tmp_path):
    blank = tmp_path / "blank.xlsx"
    _write(FORM, blank)
    back = tmp_path / "back"
    back.mkdir()
    wb = openpyxl.load_workbook(blank)
    ws = wb["甲"]
    r = _row_of(ws, "甲一")
    ws.cell(r, _cell(ws, "已离开")).value = "√"
    ws.insert_rows(r + 1)  # a person met at the door, on a line inserted mid-list
    ws.cell(r + 1, _cell(ws, "姓名")).value = "新人"
    ws.cell(r + 1, _cell(ws, "身份证号")).value = int(ID)  # a General cell: a number
    wb.save(back / "甲.xlsx")
    shutil.copy(back / "甲.xlsx", back / "甲（再发）.xlsx")
    wb = openpyxl.load_workbook(blank)
    wb["乙"].cell(_row_of(wb["乙"], "乙二"), _cell(wb["乙"], "在住")).value = "√"
    wb.save(back / "乙.xlsx")
    other = tmp_path / "other.xlsx"
    _write(OTHER, other, groups=("丙",))
    shutil.copy(other, back / "丙.xlsx")
    pd.DataFrame({"a": [1]}).to_excel(back / "无关.xlsx", index=False)
    return back


def test_read_form_reads_every_copy_once_with_its_places(copies):
    form = read_form([FORM, OTHER], [copies])
    assert [p.name for p in form.files] == ["丙.xlsx", "乙.xlsx", "无关.xlsx", "甲.xlsx"]
    assert form.same_as == {"甲（再发）.xlsx": "甲.xlsx"}
    assert set(form.record_files) == {"丙.xlsx", "乙.xlsx", "甲.xlsx"}
    assert [(s.file, s.sheet, s.form) for s in form.sheets] == [
        ("丙.xlsx", "丙", "另一单.xlsx"),
        ("乙.xlsx", "甲", "测试单.xlsx"),
        ("乙.xlsx", "乙", "测试单.xlsx"),
        ("甲.xlsx", "甲", "测试单.xlsx"),
        ("甲.xlsx", "乙", "测试单.xlsx"),
    ]
    assert [(p["file"], p["problem"]) for p in form.problems] == [
        ("无关.xlsx", "没有找到测试单（表头应含「记录号」「在住」等列）")
    ]
    rows = form.rows
    mine = rows[(rows["file"] == "甲.xlsx") & (rows["sheet"] == "甲")]
    # the heading, the two listed people, the inserted line and the blank line's key
    assert mine["姓名"].tolist() == ["甲楼（2 人）", "甲一", "新人", "甲二", ""]
    assert mine["key"].tolist() == ["", "K甲1", "", "K甲2", "新增"]
    new = mine[mine["姓名"] == "新人"].iloc[0]
    # a number keeps 15 digits, as Excel shows it: the flag says so
    assert new["身份证号"] == ID[:15] + "000" and new["身份证号" + NUMERIC] is True
    assert mine[mine["key"] == "K甲1"].iloc[0]["身份证号" + NUMERIC] is False
    assert mine[mine["key"] == "K甲1"].iloc[0]["已离开"] == "√"
    assert int(new["row"]) == int(mine[mine["key"] == "K甲1"].iloc[0]["row"]) + 1
    assert set(rows.loc[rows["file"] == "丙.xlsx", "form"]) == {"另一单.xlsx"}
    assert sorted(form.records["记录号"]) == ["K丙1", "K丙2", "K乙1", "K乙2", "K甲1", "K甲2"]


def test_read_form_says_which_files_hold_no_record(tmp_path):
    path = tmp_path / "a.xlsx"
    _write(FORM, path)
    wb = openpyxl.load_workbook(path)
    del wb["_测试记录"]
    wb.save(path)
    form = read_form(FORM, [path])
    assert form.record_files == [] and form.records.empty
    assert len(form.sheets) == 2 and not form.problems


def test_read_form_refuses_a_file_that_is_not_a_workbook(tmp_path):
    from recon.errors import InputError

    (tmp_path / "a.csv").write_text("记录号,在住\nK1,√\n", encoding="utf-8")
    with pytest.raises(InputError, match="应为 Excel 工作簿"):
        read_form(FORM, [tmp_path / "a.csv"])


# --- the 抽查单's boxes are read the same way ------------------------------------------


def _check_sheet(tmp_path):
    from recon.audit._checks import write_check_workbook
    from recon.rules import load_rules

    sample = pd.DataFrame(
        {
            "committee": "万源",
            "house_no": ["H1", "H1", "H2"],
            "house": ["古美路1弄1号101室"] * 2 + ["古美路1弄2号201室"],
            "listed": [True, True, True],
            "address": ["古美路1弄1号101室"] * 2 + ["古美路1弄2号201室"],
            "name": ["周一", "吴二", "郑三"],
            "sex": ["男", "女", "男"],
            "id": [ID, ID, ID],
            "key": ["C1", "C2", "C3"],
            "file": "s.csv",
            "sheet": "",
            "row": ["2", "3", "4"],
        }
    )
    info = {"houses": 2, "seed": 1}
    path = tmp_path / "抽查单.xlsx"
    write_check_workbook(sample, path, load_rules().output, info)
    return path


def test_check_sheet_marks_read_as_every_form_reads_them(tmp_path):
    from recon.audit import read_checks

    path = _check_sheet(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    head = {c.value: i + 1 for i, c in enumerate(ws[_head(ws)])}
    row = {ws.cell(r, head["记录号"]).value: r for r in range(_head(ws), ws.max_row + 1)}
    ws.cell(row["C1"], head["在住"]).value = "×"  # not this one
    ws.cell(row["C1"], head["已离开"]).value = "√"
    ws.cell(row["C2"], head["在住"]).value = "○"  # a lone circle: counted, to confirm
    ws.cell(row["C3"], head["已离开"]).value = "×"  # only a cross: nothing decided
    wb.save(tmp_path / "filled.xlsx")
    shutil.copy(tmp_path / "filled.xlsx", tmp_path / "again.xlsx")  # given twice
    (tmp_path / "m").mkdir()
    got = read_checks([tmp_path / "filled.xlsx", tmp_path / "again.xlsx"], tmp_path / "m")
    ticks = got.listed.set_index("key")[["在住", "已离开"]].astype(bool)
    assert ticks.to_dict("index") == {
        "C1": {"在住": False, "已离开": True},
        "C2": {"在住": True, "已离开": False},
        "C3": {"在住": False, "已离开": False},
    }
    said = [(p["row"], p["column"], p["problem"]) for p in got.problems]
    assert [(r, c) for r, c, _ in said] == [(row["C2"], "在住"), (row["C3"], "已离开")]
    assert "○" in said[0][2] and "只在「已离开」打了 ×" in said[1][2]
    assert json.loads(json.dumps(got.info)) == got.info

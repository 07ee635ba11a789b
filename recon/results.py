"""Filled worklists back in: `recon results` and `recon match --decisions`.

A clerk ticks the printed or electronic 入户核查单 and 待人工确认单 in Excel
or WPS -- √ ✓ ☑ ■ 1 是 对 Y, or the option's own word -- and may re-sort rows,
delete some, insert rows for people met at the door, or save as .xls. Rows
are found by their 记录号 / 配对号 and resolved through the workbook's hidden
record sheet (or, if that was lost, through the `recon match` result folder),
never by position. Each 居委 usually sends back its own copy of the whole
workbook: every copy is read and merged per 记录号. Whatever cannot be read,
or reads two ways, is listed with its file, sheet and row, never dropped
silently.

The copies are read by ``recon.forms`` (``read_form``: every line with its
place, the hidden record sheet, a file given twice read once;
``merge_copies``: filled beats blank, two different fills are a conflict);
what is particular to a visit -- the outcome of a row of marks, its
contradictions, values written over the printed ones, new people -- is read
here.

How marks are read (``recon.forms.mark_state``, re-exported here):

* a tick: √ ✓ ✔ ☑ ☒ ■ ● 1 是 对 有 Y V, the option's own word, or a mark
  written over the printed box (√□);
* "no": × ✗ X 否 N 不 -- beside a tick in another box it only says "not
  this one"; alone on a row it is listed as a question (no decision read);
* ○: a circle drawn in place of the printed □. Forms use it both as "chosen"
  (a box circled) and as an empty box, so: beside a clear tick it is an empty
  box; as the only mark on a row it is read as the choice and the row is
  listed in 问题 to be confirmed; in several boxes it decides nothing and
  is listed. A decision is never silently lost either way.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from recon import __version__
from recon.csvio import read_csv, write_csv
from recon.errors import InputError, UsageError, Where
from recon.forms import (
    FilledForm,
    FormLine,
    mark_state,
    merge_copies,
    place,
    read_boxes,
    read_form,
    tick_state,
)
from recon.loaders import cell_text, file_sha256
from recon.modes import SEP_FORM
from recon.normalize.address import parse_address
from recon.normalize.ids import parse_id
from recon.outdir import SUMMARY_NAME, check_out_dir, record_written, staged
from recon.resultdir import MATCH_TABLES, RESULTS_WORKBOOK, SEP_WORKLIST, VISITS
from recon.separation import SEP_NEW_ADDRESS, SEP_OPTIONS
from recon.worklists import (
    CHECK_OPTIONS,
    NEW_KEY,
    NEW_PEOPLE_TITLE,
    REVIEW_FORM,
    REVIEW_OPTIONS,
    VISIT_FORM,
    record_key,
)
from recon.writers import Col, WorkbookWriter

__all__ = [
    "Decisions",
    "FieldResults",
    "changed_items",
    "mark_state",
    "read_decisions",
    "read_filled_worklists",
    "tick_state",
    "write_results",
]


@dataclass
class FieldResults:
    """What the filled 入户核查单 say, and what could not be read."""

    visits: pd.DataFrame  # one row per worklist record, merged over every copy read
    new_people: pd.DataFrame  # people written on the sheets, not registered
    records: pd.DataFrame  # every record of the worklists (the hidden sheets)
    problems: pd.DataFrame  # file, sheet, row, column, problem
    files: list[Path] = field(default_factory=list)  # the workbooks read
    copies: pd.DataFrame = field(default_factory=pd.DataFrame)  # 居委, file, filled (per sheet)

    def progress(self) -> pd.DataFrame:
        """Per 居委: listed, visited, each outcome, not yet visited, new people,
        and how many copies of its sheet were read (and how many had anything
        written in them)."""
        listed = self.records.groupby("居委").size() if len(self.records) else pd.Series(dtype=int)
        v = self.visits
        separation = len(v) and v["结果"].isin(SEP_OPTIONS).any()
        options = SEP_OPTIONS if separation else CHECK_OPTIONS
        committees = sorted(set(listed.index) | set(v["居委"] if len(v) else []))
        copies = self.copies
        rows = []
        for c in committees:
            mine = v[v["居委"] == c] if len(v) else v
            outcome = mine["结果"] if len(mine) else pd.Series(dtype=object)
            n = int(listed.get(c, 0))
            done = int(outcome.isin(options).sum())
            theirs = copies[copies["居委"] == c] if len(copies) else copies
            rows.append(
                {
                    "居委": c,
                    "名单人数": n,
                    "已核查": done,
                    **{o: int((outcome == o).sum()) for o in options},
                    "未核查": n - done,
                    "新发现未登记": int((self.new_people["居委"] == c).sum())
                    if len(self.new_people)
                    else 0,
                    "读到份数": int(theirs["file"].nunique()) if len(theirs) else 0,
                    "有填写的份数": int(theirs.loc[theirs["filled"], "file"].nunique())
                    if len(theirs)
                    else 0,
                }
            )
        frame = pd.DataFrame(rows)
        if len(frame):
            total = frame.drop(columns=["居委"]).sum()
            total["读到份数"] = int(copies["file"].nunique()) if len(copies) else 0
            total["有填写的份数"] = (
                int(copies.loc[copies["filled"], "file"].nunique()) if len(copies) else 0
            )
            frame.loc[len(frame)] = {"居委": "合计", **total.to_dict()}
        return frame


VISIT_FORMS = (VISIT_FORM, SEP_FORM)  # a sheet is read as the first whose header it shows
CONFLICT = "结果不一致"
VISIT_COLUMNS = [
    "记录号", "居委", "姓名", "性别", "身份证号", "户籍地址", "登记住址", "登记日期",
    "联系电话", "人员编号", "系统文件", "系统工作表", "系统行号", "结果", "去向/现住址",
    "备注", "说明", "改写", "文件", "工作表", "行",
]  # fmt: skip
NEW_PEOPLE_COLUMNS = [
    "居委", "姓名", "性别", "身份证号", "证件说明", "现住址", "联系电话", "备注", "文件",
    "工作表", "行",
]  # fmt: skip


@dataclass
class _Row:
    """One row with a 记录号, as one copy shows it."""

    key: str
    outcome: str
    whereabouts: str
    remark: str
    filled: bool  # anything written in it beyond the printed □
    file: str
    sheet: str
    row: int
    note: str = ""  # how an unticked or contradictory row was read
    problems: list[dict[str, Any]] = field(default_factory=list)
    # the person's cells as found: text, and whether an ID-like cell was a number
    printed: dict[str, tuple[str, bool]] = field(default_factory=dict)
    edits: dict[str, str] = field(default_factory=dict)  # column -> value written over ours

    def reading(self) -> tuple[object, ...]:
        edits = tuple(sorted((k, _plain(v)) for k, v in self.edits.items()))
        return (self.outcome, _plain(self.whereabouts), _plain(self.remark), edits)

    def place(self) -> str:
        return place(self.file, self.sheet, self.row)


def _plain(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


@dataclass
class _Read:
    """Everything read from the copies, before they are merged."""

    rows: list[_Row] = field(default_factory=list)
    new_people: list[dict[str, Any]] = field(default_factory=list)
    records: pd.DataFrame = field(default_factory=pd.DataFrame)  # the hidden record sheets
    problems: list[dict[str, Any]] = field(default_factory=list)
    sheet_keys: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)  # read (a second identical copy is not)


def read_filled_worklists(paths: list[Path], match_dir: Path | None = None) -> FieldResults:
    """Read filled 入户核查单 workbooks (files or folders): every copy given.

    Each 居委 usually returns its own copy of the whole workbook with only its
    own sheet filled. Per 记录号 a filled row beats a blank one; two copies
    that say different things about one person are a problem naming both, and
    neither is applied; a file given twice (same bytes) is read once.
    """
    got = _read_copies(read_form(VISIT_FORMS, paths))
    records, problems = got.records, got.problems
    if match_dir:
        fallback = _records_from_result(match_dir)
        _check_match_folder(match_dir, fallback, records, got.rows)
        records = pd.concat([records, fallback], ignore_index=True).drop_duplicates("记录号")
    if not len(records) and got.rows:
        raise InputError(
            "核查单里找不到隐藏的记录页（文件可能被另存为其他格式）",
            Where(file=got.files[0].name),
            "请加 --match 指定 recon match 的结果文件夹，或使用 recon 生成的原文件填写",
        )
    record_of: dict[str, dict[str, Any]] = {
        str(rec["记录号"]): {str(k): v for k, v in rec.items()}
        for rec in records.to_dict("records")
    }
    for r in got.rows:
        if r.key in record_of:
            _read_edits(r, record_of[r.key])
        else:
            problems.append(
                _problem(r.file, r.sheet, r.row, "记录号", f"记录号「{r.key}」不在名单中")
            )
    resolved = [
        {
            **record_of[r.key],
            "结果": r.outcome,
            "去向/现住址": r.whereabouts,
            "备注": r.remark,
            "说明": r.note,
            "改写": r.edits,
            "文件": r.file,
            "工作表": r.sheet,
            "行": r.row,
        }
        for r in _merge(got.rows, problems)
        if r.key in record_of
    ]
    committee_of_sheet = _sheet_committees(got.sheet_keys, record_of)
    for person in got.new_people:
        sheet = (person["文件"], person["工作表"])
        person["居委"] = committee_of_sheet.get(sheet, person["工作表"])
    return FieldResults(
        visits=pd.DataFrame(resolved, columns=VISIT_COLUMNS).astype(object),
        new_people=pd.DataFrame(
            _dedupe_new_people(got.new_people, problems), columns=NEW_PEOPLE_COLUMNS
        ).astype(object),
        records=records,
        problems=pd.DataFrame(
            problems, columns=["file", "sheet", "row", "column", "problem"]
        ).sort_values(["file", "sheet", "row"], kind="stable", ignore_index=True),
        files=got.files,
        copies=_copies_table(got, committee_of_sheet),
    )


def _read_copies(form: FilledForm) -> _Read:
    """Every line of every copy, as written (``read_form`` reads an identical
    file once: said here)."""

    got = _Read(records=form.records, files=form.files)
    for name, first in form.same_as.items():
        got.problems.append(_problem(name, "", 0, "", f"与「{first}」内容完全相同，只计一次"))
    got.problems.extend(form.problems)
    for sheet in form.sheets:
        got.sheet_keys[(sheet.file, sheet.sheet)] = []
    separation = SEP_FORM.workbook
    for line in form.lines():
        options = SEP_OPTIONS if line.form == separation else CHECK_OPTIONS
        found = _read_line(line, got.new_people, got.problems, options)
        if found is not None:
            got.rows.append(found)
            got.sheet_keys[(found.file, found.sheet)].append(found.key)
    return got


def _sheet_committees(
    sheet_keys: dict[tuple[str, str], list[str]], record_of: dict[str, dict[str, Any]]
) -> dict[tuple[str, str], str]:
    """The 居委 of each (file, sheet): that of most of its 记录号, else the sheet's name."""
    out = {}
    for where, keys in sheet_keys.items():
        named = pd.Series([record_of[k]["居委"] for k in keys if k in record_of], dtype=object)
        out[where] = str(named.mode().iloc[0]) if len(named) else where[1]
    return out


def _copies_table(got: _Read, committee_of_sheet: dict[tuple[str, str], str]) -> pd.DataFrame:
    """One row per sheet read: its 居委, file, and whether anything was written in it."""
    filled = {(r.file, r.sheet) for r in got.rows if r.filled}
    filled |= {(p["文件"], p["工作表"]) for p in got.new_people}
    return pd.DataFrame(
        [
            {"居委": c, "file": f, "sheet": sh, "filled": (f, sh) in filled}
            for (f, sh), c in committee_of_sheet.items()
        ],
        columns=["居委", "file", "sheet", "filled"],
    )


def _merge(rows: list[_Row], problems: list[dict[str, Any]]) -> list[_Row]:
    """One row per 记录号 over every copy (``merge_copies``): the filled one; a
    conflict if two copies were filled differently (then neither reading is
    applied)."""
    merged = []
    for same in merge_copies(rows):
        for r, row in same.repeats:
            problems.append(
                _problem(
                    r.file,
                    r.sheet,
                    r.row,
                    "记录号",
                    f"记录号与第{row}行相同（可能是复制的行）：新发现的人请写在空白行或"
                    "插入的空行里，不要带记录号",
                )
            )
        chosen = same.chosen
        if chosen is not None:
            if chosen.filled:
                problems.extend(chosen.problems)
            merged.append(chosen)
            continue
        filled = same.filled
        listed = "；".join(f"{r.place()}：{_shown(r)}" for r in filled)
        for r in filled:
            problems.extend(r.problems)
            problems.append(
                _problem(
                    r.file,
                    r.sheet,
                    r.row,
                    "记录号",
                    f"同一人在 {len(filled)} 处填写的结果不一致（{listed}），"
                    "都没有采用：请核实后只留一份",
                )
            )
        first = filled[0]
        merged.append(_Row(first.key, CONFLICT, "", "", True, first.file, first.sheet, first.row))
    return merged


def _shown(r: _Row) -> str:
    extra = "，写了去向" if r.whereabouts else ""
    extra += "，写了备注" if r.remark else ""
    return f"{r.outcome}{extra}"


def _dedupe_new_people(
    people: list[dict[str, Any]], problems: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each new person once: the same valid ID, or the same name at the same flat,
    written in two copies (or twice in one) is one person."""

    seen: dict[str, dict[str, Any]] = {}
    out = []
    for person in people:
        keys = []
        if person.get("_id_valid"):
            keys.append("id:" + person["身份证号"])
        name, address = _plain(person["姓名"]), person["现住址"]
        if name and address:
            keys.append(f"name:{name}|{parse_address(address).house_key or _plain(address)}")
        first = next((seen[k] for k in keys if k in seen), None)
        if first is not None:
            how = (
                "身份证号相同"
                if keys and keys[0] in seen and keys[0][:3] == "id:"
                else "姓名和地址相同"
            )
            problems.append(
                _problem(
                    person["文件"],
                    person["工作表"],
                    person["行"],
                    "姓名",
                    f"新发现人员与 {first['文件']}／{first['工作表']} 第{first['行']}行"
                    f"是同一人（{how}），只计一次",
                )
            )
            continue
        for k in keys:
            seen[k] = person
        out.append({k: v for k, v in person.items() if not k.startswith("_")})
    return out


def _check_match_folder(
    match_dir: Path, folder: pd.DataFrame, records: pd.DataFrame, rows: list[_Row]
) -> None:
    """Refuse a --match folder that is not the one the sheets came from (a
    人户分离 result, a --committee subset, another run): its lists would be
    merged into the results as if they belonged to these sheets."""

    theirs = set(folder["记录号"]) if len(folder) else set()
    for name in (VISIT_FORM.workbook, SEP_WORKLIST):  # the lists that run wrote, all of them
        path = Path(match_dir) / name
        if path.is_file():
            hidden = read_form(VISIT_FORMS, [path]).records
            theirs |= set(hidden["记录号"]) if len(hidden) else set()
    if len(records):
        ours = set(records["记录号"])
    else:
        ours = {r.key for r in rows}
        if len(ours & theirs) * 2 > len(ours):
            return  # no hidden sheet: a few unknown keys are typing slips, said row by row
    missing = ours - theirs
    if ours and missing:
        raise UsageError(
            f"--match 指定的文件夹不是这些核查单所出自的核对结果（核查单上有 {len(missing)} 个"
            f"记录号在其中找不到，共 {len(ours)} 个）",
            Where(file=str(match_dir)),
            "请指定生成这份核查单的那次 recon match 的结果文件夹"
            "（不是人户分离的结果，也不是只含部分居委的结果）",
        )


# --- reading one sheet ---------------------------------------------------------------

_LEFT_WORDS = (
    "查无此人",
    "无此人",
    "已搬走",
    "搬走",
    "已离开",
    "不在此居住",
    "不住了",
    "已故",
    "去世",
    "死亡",
)  # fmt: skip  (not 回老家: "回老家过年" in a 备注 is no departure)
_HEADING = re.compile(r"（\d+ ?人）$")


def _is_heading(name: str) -> bool:
    return bool(_HEADING.search(name)) or name == NEW_PEOPLE_TITLE


def _read_line(
    get: FormLine,
    new_people: list[dict[str, Any]],
    problems: list[dict[str, Any]],
    options: tuple[str, ...] = CHECK_OPTIONS,
) -> _Row | None:
    """A line with a 记录号 as a row; a new person (a blank line at the end, or
    a line inserted anywhere without a 记录号) goes to ``new_people``; a
    building's heading line, the title of the new-people block: None."""
    address_col = SEP_NEW_ADDRESS if options == SEP_OPTIONS else "去向/现住址"
    key, where = get.key, get.where
    if key == NEW_KEY or (not key and not _is_heading(get("姓名"))):
        person = _new_person(get, where, problems, address_col)
        written = read_boxes(get, options).filled or any(
            get(c) for c in ("性别", "登记住址", address_col, "联系电话", "备注")
        )
        if person is not None:
            new_people.append(person)
        elif written:
            problems.append(
                _problem(
                    *where,
                    "姓名",
                    "这一行写了内容，但没有姓名和身份证号（也没有记录号），无法使用：请补上",
                )
            )
        return None
    if not key:
        return None
    found = _read_row(key, get, where, options, address_col)
    found.printed = {c: (get(c), get.numeric(c)) for c in _EDITABLE if c in get}
    return found


def _read_row(
    key: str,
    get: FormLine,
    where: tuple[str, str, int],
    options: tuple[str, ...],
    address_col: str,
) -> _Row:
    """What one row says, read the way a person would, with its doubts."""
    boxes = read_boxes(get, options)
    whereabouts, remark = get(address_col), get("备注")
    found: list[dict[str, Any]] = []
    note = ""

    def say(column: str, text: str) -> None:
        found.append(_problem(*where, column, text))

    for opt in boxes.having("unknown"):
        say(opt, f"看不懂的标记「{boxes.texts[opt]}」：请打 √ 或留空")
    outcome, how = boxes.choice()
    if how == "several":
        say("核查结果", f"勾了多个结果：{'、'.join(boxes.ticked)}，请只选一个")
        outcome = "多个结果"
    elif how == "unknown":
        outcome = "标记不明"
    elif how == "circle":
        note = f"把「○」当作在「{outcome}」打勾"
        say(outcome, f"{note}（○ 也可能表示没选）：请核实")
    elif how == "circles":
        say("核查结果", f"{'、'.join(boxes.having('circle'))} 都画了 ○，看不出选了哪一栏：请打 √")
        outcome = "标记不明"
    elif not outcome:
        outcome = "未核查"
    crossed = boxes.having("no")
    if how == "no":
        say(crossed[0], f"只在「{'、'.join(crossed)}」打了 ×，没有打 √：按未核查计，请核实")
    left_word = next((w for w in _LEFT_WORDS if w in remark), "")
    if options == CHECK_OPTIONS:
        outcome, note = _check_contradictions(outcome, whereabouts, remark, left_word, note, say)
    elif outcome == "未核查" and whereabouts:
        outcome, note = "住址变动", "没有打勾，按写了变动后的现住址推断为住址变动"
        say("核查结果", f"{note}：请核实")
    if outcome == "住址变动" and not whereabouts:
        say(SEP_NEW_ADDRESS, "住址变动但没有写变动后的现住址，请补上")
    filled = boxes.filled or bool(whereabouts or remark)
    return _Row(key, outcome, whereabouts, remark, filled, *where, note=note, problems=found)


# the person's own cells: a value written over what recon printed is a correction
_EDITABLE = ("姓名", "性别", "身份证号", "户籍地址", "登记住址", "联系电话")


def _as_printed(cell: str, full: str) -> bool:
    """Whether ``cell`` is what recon printed for ``full``: the value itself,
    or the value with some characters masked (310112********1234)."""
    a, b = _plain(cell), _plain(full)
    if a == b:
        return True
    return len(a) == len(b) and all(x == y or not x.isalnum() for x, y in zip(a, b, strict=True))


def _read_edits(r: _Row, record: dict[str, Any]) -> None:
    """Values a clerk wrote over the printed ones (a new phone over the old):
    they are what the visit found, so the row says 信息有误, whatever was ticked
    -- said in 问题 unless 信息有误 was ticked."""

    where = (r.file, r.sheet, r.row)
    for column, (text, numeric) in r.printed.items():
        full = cell_text(record.get(column, ""))
        if not text or _as_printed(text, full):
            continue
        if numeric and len(text) > 15:
            r.problems.append(
                _problem(*where, column, f"{column}被 Excel 存成了数字，后几位已丢失：请核对")
            )
            r.filled = True
            continue
        r.edits[column] = text
    if not r.edits:
        return
    r.filled = True
    named = "、".join(r.edits)
    if r.outcome in ("未核查", "仍居住"):
        was = "没有打勾" if r.outcome == "未核查" else "打了「仍居住」"
        r.note = f"{was}，改写了{named}，按信息有误处理"
        r.problems.append(_problem(*where, next(iter(r.edits)), f"{r.note}：请核实"))
        r.outcome = "信息有误"
    elif r.outcome not in ("信息有误", "住址变动"):
        r.problems.append(
            _problem(*where, next(iter(r.edits)), f"{r.outcome}，却改写了{named}：请核实")
        )
    else:
        r.problems[:] = [p for p in r.problems if "没有写明哪一项有误" not in p["problem"]]


def _check_contradictions(
    outcome: str, whereabouts: str, remark: str, left_word: str, note: str, say: Any
) -> tuple[str, str]:
    """The contradictions a 入户核查单 row can hold, each said, with a best reading."""
    if outcome == "未核查" and whereabouts:
        note = "没有打勾，按写了去向推断为已离开"
        say("核查结果", f"{note}：请核实")
        return "已离开", note
    if outcome == "未核查" and left_word:
        note = f"没有打勾，按备注「{left_word}」推断为已离开"
        say("核查结果", f"{note}：请核实")
        return "已离开", note
    if outcome == "未核查" and remark:
        say("核查结果", "写了备注但没有打勾：按未核查计，请核实后打 √")
    if outcome == "仍居住" and whereabouts:
        say("去向/现住址", "打了「仍居住」却写了去向：按仍居住计，如已搬走请改勾「已离开」")
    if outcome == "仍居住" and left_word:
        say("备注", f"打了「仍居住」但备注写着「{left_word}」：按仍居住计，请核实")
    if outcome == "已离开" and not whereabouts:
        say("去向/现住址", "已离开但没有写去向（可以照样注销，建议补上）")
    if outcome == "信息有误" and not remark and not whereabouts:
        say("备注", "信息有误但备注没有写明哪一项有误：请补上")
    return outcome, note


def _new_person(
    get: FormLine,
    where: tuple[str, str, int],
    problems: list[dict[str, Any]],
    address_col: str,
) -> dict[str, Any] | None:
    """A person written on a blank line or an inserted row, or None."""

    name = get("姓名")
    text, numeric = get("身份证号"), get.numeric("身份证号")
    if not name and not text:
        return None
    info = parse_id(text, numeric=numeric)
    note = list(info.problems)
    shown_id = info.id if info.valid else text
    if (numeric and len(text) > 15) or info.kind == "damaged":
        problems.append(
            _problem(
                *where,
                "身份证号",
                "身份证号被 Excel 存成了数字，后几位已丢失：请对照证件补上"
                "（该列应为文本格式，输入时可先打一个英文单引号 '）",
            )
        )
        shown_id = ""
        if not info.problems:
            note.append("身份证号被存成了数字，后几位已丢失")
        if info.prefix:
            note.append(f"可信的前{len(info.prefix)}位：{info.prefix}")
    elif text and not info.valid:
        problems.append(_problem(*where, "身份证号", "新发现人员的身份证号无效：请核对"))
    phone, phone_numeric = get("联系电话"), get.numeric("联系电话")
    if phone_numeric and len(phone) not in (8, 11):
        problems.append(_problem(*where, "联系电话", "电话被存成了数字，可能丢了开头的 0：请核对"))
    return {
        "姓名": name,
        "性别": get("性别"),
        "身份证号": shown_id,
        "证件说明": "；".join(note),
        "现住址": get("登记住址") or get(address_col) or get("名单现居住地址"),
        "联系电话": phone,
        "备注": get("备注"),
        "文件": where[0],
        "工作表": where[1],
        "行": where[2],
        "_id_valid": info.valid,
    }


def _problem(file: str, sheet: str, row: int, column: str, text: str) -> dict[str, Any]:
    return {"file": file, "sheet": sheet, "row": row, "column": column, "problem": text}


def _records_from_result(match_dir: Path) -> pd.DataFrame:
    """The worklist records, rebuilt from a `recon match` result folder."""

    path = Path(match_dir) / MATCH_TABLES["system_only"]
    if not path.is_file():
        raise InputError(
            "这不是 recon 的核对结果文件夹（里面没有 system_only.csv）", Where(file=str(match_dir))
        )
    s = read_csv(path)

    def col(name: str) -> pd.Series:
        return s[name] if name in s else pd.Series([""] * len(s))

    keys = [
        record_key(f, sh, r, i)
        for f, sh, r, i in zip(
            col("system_file"),
            col("system_sheet"),
            col("system_row"),
            col("system_id"),
            strict=True,
        )
    ]
    return pd.DataFrame(
        {
            "记录号": keys,
            "居委": col("system_committee"),
            "姓名": col("system_name"),
            "性别": col("system_sex"),
            "身份证号": col("system_id"),
            "户籍地址": col("system_hukou_address"),
            "登记住址": col("system_address"),
            "登记日期": col("registered_on"),
            "联系电话": col("system_phone"),
            "人员编号": col("system_record_key"),
            "系统文件": col("system_file"),
            "系统工作表": col("system_sheet"),
            "系统行号": col("system_row"),
        }
    ).astype(object)


# --- review decisions ---------------------------------------------------------------


@dataclass
class Decisions:
    """Pairs a person has decided, by the two records' fingerprints."""

    same: set[tuple[str, str]] = field(default_factory=set)
    different: set[tuple[str, str]] = field(default_factory=set)
    problems: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Decision:
    """One line of a 待人工确认单 as one copy shows it."""

    key: str  # 配对号
    file: str
    sheet: str
    row: int
    choice: str = ""  # the one option ticked ("" when none, or both)
    problems: list[dict[str, Any]] = field(default_factory=list)

    @property
    def filled(self) -> bool:
        return bool(self.choice)

    def reading(self) -> str:
        return self.choice


def read_decisions(paths: list[Path]) -> Decisions:
    """Read filled 待人工确认单 workbooks (several copies, a file given twice).

    Marks as in ``mark_state``: a × beside a √ only says "not this one". A
    decision joins two records for good, so a lone ○, a cross alone, or two
    copies deciding one pair both ways decide nothing and are listed.
    """

    out = Decisions()
    form = read_form(REVIEW_FORM, paths)  # a file given twice: the same decisions
    for path in form.files:
        if path.name not in form.record_files:
            raise InputError(
                "不是 recon 生成的待人工确认单（找不到隐藏的配对页）",
                Where(file=path.name),
                "请使用 recon match 写出的「待人工确认单.xlsx」填写",
            )
    fps = {r["配对号"]: (r["采集表指纹"], r["系统指纹"]) for r in form.records.to_dict("records")}
    lines: list[_Decision] = []
    for get in form.lines():
        if not get.key:
            continue
        where = get.where
        line = _Decision(get.key, *where)
        lines.append(line)
        if line.key not in fps:
            line.problems.append(_problem(*where, "配对号", f"配对号「{line.key}」不认识"))
            continue
        boxes = read_boxes(get, REVIEW_OPTIONS)
        ticked = boxes.ticked
        for opt, st in boxes.states.items():
            if st == "unknown":
                line.problems.append(_problem(*where, opt, "看不懂的标记：请打 √ 或留空"))
            elif st == "circle" and not ticked:
                line.problems.append(
                    _problem(*where, opt, "画了 ○ 没有打 √，看不出是否选了这一栏：请打 √")
                )
        if not ticked and boxes.having("no"):
            line.problems.append(
                _problem(*where, "判断", "只打了 ×，没有打 √：这一对不处理，请核实")
            )
        if len(ticked) == 2:
            line.problems.append(_problem(*where, "判断", "两栏都打了勾，这一对不处理"))
        elif len(ticked) == 1:
            line.choice = ticked[0]
    for same in merge_copies(line for line in lines if line.key in fps):
        # a copy deciding otherwise than the one before it is said there (and
        # then every later copy: the pair stays undecided)
        filled = same.filled
        choice, earlier = (filled[0].choice, filled[0]) if filled else ("", None)
        for line in filled[1:]:
            if line.choice != choice and earlier is not None:
                line.problems.append(
                    _problem(
                        line.file,
                        line.sheet,
                        line.row,
                        "判断",
                        f"与 {place(earlier.file, earlier.sheet, earlier.row)} "
                        "对同一对的判断相反，这一对不处理",
                    )
                )
                choice, earlier = "", line
        chosen = same.chosen
        if chosen is not None and chosen.filled:
            pair = fps[same.key]
            (out.same if chosen.choice == REVIEW_OPTIONS[0] else out.different).add(pair)
    out.problems = [p for line in lines for p in line.problems]
    return out


# --- writing the results ---------------------------------------------------------------

VISITS_CSV = VISITS
RESULT_WORKBOOK = RESULTS_WORKBOOK


def _col(frame: pd.DataFrame, name: str) -> Any:

    wide = "地址" in name or name in ("备注", "问题", "去向", "核查单位置", "系统中", "核查到")
    if pd.api.types.is_integer_dtype(frame[name]):
        kind = "int"
    elif "号码" in name or "电话" in name or "编号" in name:
        kind = "id"
    else:
        kind = "text"
    # widths are least widths: the writer widens a column to its content
    return Col(name, name, 12 if wide else 6, kind, wrap=wide, max_width=28 if wide else None)


def _where(frame: pd.DataFrame) -> pd.Series:
    if not len(frame):
        return pd.Series([], dtype=object)
    return (
        frame["文件"].astype(str)
        + "／"
        + frame["工作表"].astype(str)
        + " 第"
        + frame["行"].astype(str)
        + "行"
    )


def _visits_table(visits: pd.DataFrame) -> pd.DataFrame:
    """``visits.csv``: each visited system record, by its place in the export,
    with what the visit found -- for ``recon audit`` and ``recon progress``."""
    outcome = {
        "仍居住": "living",
        "已离开": "left",
        "信息有误": "changed",
        "仍分离": "still",
        "已不分离": "back_home",
        "住址变动": "moved",
        "多个结果": "unclear",
        "标记不明": "unclear",
        CONFLICT: "unclear",
        "未核查": "not_visited",
    }
    return pd.DataFrame(
        {
            "key": visits.get("记录号", pd.Series(dtype=object)),
            "committee": visits.get("居委", ""),
            "system_file": visits.get("系统文件", ""),
            "system_sheet": visits.get("系统工作表", ""),
            "system_row": visits.get("系统行号", ""),
            "outcome": visits.get("结果", pd.Series(dtype=object)).map(outcome).fillna("unclear"),
            "file": visits.get("文件", ""),
            "sheet": visits.get("工作表", ""),
            "row": visits.get("行", ""),
        }
    ).astype(object)


def _cancel_table(visits: pd.DataFrame) -> pd.DataFrame:
    left = visits[visits["结果"].isin(["已离开", "已不分离"])] if len(visits) else visits
    reason = (
        left["结果"].map({"已离开": "离开本地", "已不分离": "已不分离（已在户籍地址居住）"})
        if len(left)
        else "离开本地"
    )
    return pd.DataFrame(
        {
            "姓名": left.get("姓名", ""),
            "性别": left.get("性别", ""),
            "公民身份号码": left.get("身份证号", ""),
            "暂住地址": left.get("登记住址", ""),
            "户籍地址": left.get("户籍地址", ""),
            "注销原因": reason,
            "去向": left.get("去向/现住址", ""),
            "所属居委": left.get("居委", ""),
            "人员编号": left.get("人员编号", ""),
            "备注": left.get("备注", ""),
            "核查单位置": _where(left),
            "说明": left.get("说明", ""),
        }
    ).astype(object)


# what a 备注 names, in the words a clerk writes -> the 变更项目 (first match wins per item)
_CHANGED_ITEMS: list[tuple[str, tuple[str, ...]]] = [
    ("联系电话", ("电话", "手机", "联系方式", "号码换", "换号")),
    ("姓名", ("姓名", "名字", "改名")),
    ("身份证号", ("身份证", "证件号")),
    ("性别", ("性别",)),
    ("出生日期", ("出生", "生日")),
    ("户籍地址", ("户籍", "户口")),
    ("现住址", ("住址", "地址", "搬到", "搬至", "现住", "门牌", "房号", "室号")),
    ("工作单位", ("工作", "单位")),
    ("婚姻状况", ("婚",)),
    ("文化程度", ("学历", "文化程度")),
]


def changed_items(remark: str, whereabouts: str = "") -> str:
    """The fields a 信息有误 row's 备注 names ("电话已换" -> 联系电话), joined by
    "、"; the written 现住址 counts as the address; "见备注" when none is named."""
    text = _plain(remark)
    items = [item for item, words in _CHANGED_ITEMS if any(w in text for w in words)]
    if whereabouts and "现住址" not in items:
        items.append("现住址")
    return "、".join(items) or "见备注"


def _change_table(visits: pd.DataFrame, match_dir: Path | None) -> pd.DataFrame:
    changed = visits[visits["结果"].isin(["信息有误", "住址变动"])] if len(visits) else visits
    item, in_system, found = [], [], []
    for rec in changed.to_dict("records"):
        raw = rec.get("改写")
        edits: dict[str, str] = raw if isinstance(raw, dict) else {}
        if rec["结果"] == "住址变动":
            items = ["现居住地址"]
        else:
            named = changed_items(str(rec.get("备注", "")), str(rec.get("去向/现住址", "")))
            items = [*edits, *(i for i in named.split("、") if i not in edits)]
            if edits and items[-1] == "见备注":
                items.pop()
        system_value = {
            "现住址": rec.get("登记住址", ""), "现居住地址": rec.get("登记住址", ""),
            **{c: rec.get(c, "") for c in _EDITABLE},
        }  # fmt: skip
        item.append("、".join(items))
        in_system.append(
            "；".join(str(system_value.get(i, "")) for i in items if i in system_value)
        )
        found.append(
            "；".join([*edits.values(), *[str(rec.get("去向/现住址", "") or "")]]).strip("；")
        )
    rows = pd.DataFrame(
        {
            "姓名": changed.get("姓名", ""),
            "公民身份号码": changed.get("身份证号", ""),
            "变更项目": pd.Series(item, index=changed.index, dtype=object),
            "系统中": pd.Series(in_system, index=changed.index, dtype=object),
            "核查到": pd.Series(found, index=changed.index, dtype=object),
            "备注": changed.get("备注", ""),
            "所属居委": changed.get("居委", ""),
            "人员编号": changed.get("人员编号", ""),
            "来源": "上门核查",
            "核查单位置": _where(changed),
            "说明": changed.get("说明", ""),
        }
    ).astype(object)
    if match_dir and (Path(match_dir) / MATCH_TABLES["differences"]).is_file():
        d = read_csv(Path(match_dir) / MATCH_TABLES["differences"])
        rows = pd.concat(
            [
                rows,
                pd.DataFrame(
                    {
                        "姓名": d.get("name", ""),
                        "公民身份号码": d.get("id", ""),
                        "变更项目": d.get("item", ""),
                        "系统中": d.get("system_value", ""),
                        "核查到": d.get("field_value", ""),
                        "备注": d.get("note", ""),
                        "所属居委": d.get("committee", ""),
                        "人员编号": "",
                        "来源": "采集表比对（信息变更）",
                    }
                ).astype(object),
            ],
            ignore_index=True,
        ).fillna("")
    return rows


def _entry_table(new_people: pd.DataFrame, match_dir: Path | None) -> pd.DataFrame:
    rows = pd.DataFrame(
        {
            "姓名": new_people.get("姓名", ""),
            "性别": new_people.get("性别", ""),
            "公民身份号码": new_people.get("身份证号", ""),
            "现住址": new_people.get("现住址", ""),
            "联系电话": new_people.get("联系电话", ""),
            "所属居委": new_people.get("居委", ""),
            "说明": new_people.get("证件说明", ""),
            "来源": "上门核查时新发现",
        }
    ).astype(object)
    if match_dir and (Path(match_dir) / MATCH_TABLES["field_only"]).is_file():
        f = read_csv(Path(match_dir) / MATCH_TABLES["field_only"])
        rows = pd.concat(
            [
                rows,
                pd.DataFrame(
                    {
                        "姓名": f.get("field_name", ""),
                        "性别": f.get("field_sex", ""),
                        "公民身份号码": f.get("field_id", ""),
                        "现住址": f.get("field_address", ""),
                        "联系电话": f.get("field_phone", ""),
                        "所属居委": f.get("field_committee", ""),
                        "说明": f.get("note", ""),
                        "来源": "采集表比对（人到机）",
                    }
                ).astype(object),
            ],
            ignore_index=True,
        )
    return rows


def write_results(
    results: FieldResults, out: Path, match_dir: Path | None = None, force: bool = False
) -> dict[str, int]:
    """注销表 / 变更表 / 待录入表 / 进度 / 问题: CSVs, one workbook and a manifest,
    written aside and moved into ``out`` when complete."""
    import datetime as dt

    check_out_dir(out, [*results.files, *([match_dir] if match_dir else [])], force)
    tables = {
        "注销表": _cancel_table(results.visits),
        "变更表": _change_table(results.visits, match_dir),
        "待录入表": _entry_table(results.new_people, match_dir),
        "进度": results.progress(),
        "问题": results.problems.rename(
            columns={
                "file": "文件",
                "sheet": "工作表",
                "row": "行号",
                "column": "列",
                "problem": "问题",
            }
        ),
    }
    counts = {name: len(frame) for name, frame in tables.items() if name != "进度"}
    visits = _visits_table(results.visits)
    with staged(out) as tmp:
        for name, frame in tables.items():
            write_csv(frame, tmp / f"{name}.csv")
        write_csv(visits, tmp / VISITS_CSV)
        wb = WorkbookWriter(tmp / RESULT_WORKBOOK)
        try:
            for name, frame in tables.items():
                wb.table(name, frame, [_col(frame, str(c)) for c in frame.columns], title=name)
        finally:
            wb.close()
        manifest = {
            "tool": "recon",
            "command": "results",
            "version": __version__,
            "created": dt.datetime.now().isoformat(timespec="seconds"),
            "inputs": [
                {
                    "side": "worklist",
                    "file": p.name,
                    "path": str(p.resolve()),
                    "sha256": file_sha256(p),
                    "size": p.stat().st_size,
                }
                for p in results.files
            ],
            "match_folder": str(Path(match_dir).resolve()) if match_dir else None,
            "files": {
                **{f"{name}.csv": len(frame) for name, frame in tables.items()},
                VISITS_CSV: len(visits),
                RESULT_WORKBOOK: None,
            },
            "counts": counts,
            "visits_read": len(results.visits),
            "written": record_written(tmp),
        }
        (tmp / SUMMARY_NAME).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
        )
    return counts

"""One raw sheet -> records: header found, columns mapped, rows classified."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import pandas as pd

from recon.loaders._columns import PART_ORDER, PART_UNITS, REGION_PARTS, SAMPLE, choose_columns
from recon.loaders._readers import RawSheet
from recon.normalize.values import normalize_dates
from recon.rules import HeaderRules

__all__ = ["ColumnInfo", "SheetReport", "read_sheet"]

DATE_FIELDS = ("birth_date", "collected_on", "registered_on", "arrived_on", "cancelled_on")
TEXT_FIELDS = (
    "name",
    "sex",
    "address",
    "hukou_address",
    "committee",
    "status",
    "cancel_flag",
    "phone",
    "collector",
    "kind",
    "ethnicity",
    "record_key",
    "remark",
)
PERSON_FIELDS = ("name", "id_number")

SKIP_REASONS = {
    "blank": "空行",
    "serial_only": "只有序号的空行",
    "total": "合计/小计行",
    "header": "重复的表头行",
    "note": "说明/签字行",
    "instruction": "表头下的填写说明行",
}


@dataclass
class ColumnInfo:
    index: int
    letter: str
    header: str
    field: str | None
    note: str = ""  # why a column is not used ("未识别，保留原值", "与第 B 列重复")
    reason: str = ""  # why it was taken: header and values ("表头同义词「姓名」；值：...")
    part: str = ""  # an address part joined with others ("province", "room", "detail")


@dataclass
class SheetReport:
    """What was understood of one sheet; shown by ``recon inspect``."""

    file: str
    sheet: str
    read: bool = False
    note: str = ""
    header_rows: list[int] = field(default_factory=list)
    columns: list[ColumnInfo] = field(default_factory=list)
    rows_read: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    committee: str = ""
    committee_source: str = ""
    encoding: str = ""
    runner_up: dict[str, str] = field(default_factory=dict)  # field -> next best column
    source_format: str = ""  # "html" when a .xls/.xlsx was an HTML table

    def missing(self, fields: tuple[str, ...]) -> list[str]:
        mapped = {c.field for c in self.columns if c.field}
        return [f for f in fields if f not in mapped]


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# --- cells ------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as the text a person sees in it (numbers without '.0')."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value != value:
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".15g")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, _dt.date | _dt.time):
        return value.isoformat()
    return str(value).strip()


def id_cell(value: Any) -> tuple[str, bool]:
    """An ID cell as text, and whether it was a number cell.

    A number keeps 15 significant digits in Excel; the digits beyond are
    shown as zeros, exactly as Excel shows them, and flagged by the caller.
    """
    if isinstance(value, bool) or value is None:
        return cell_text(value), False
    if isinstance(value, float):
        if value != value:
            return "", False
        try:
            return str(int(Decimal(format(value, ".15g")))), True
        except (InvalidOperation, OverflowError, ValueError):
            return cell_text(value), True
    if isinstance(value, int):
        return str(value), True
    return cell_text(value), False


# --- the header -------------------------------------------------------------------

_ID_LIKE = re.compile(r"\d{15,}|\d{17}[xX]")


def _row_hits(row: list[Any], rules: HeaderRules) -> dict[int, str]:
    hits: dict[int, str] = {}
    for j, cell in enumerate(row):
        if isinstance(cell, str) and cell.strip():
            f = rules.field_for(cell)
            if f and f not in hits.values():
                hits[j] = f
    return hits


def _merged_span(merged: list[Any], row: int, col: int) -> tuple[int, int] | None:
    for (r0, c0), (r1, c1) in merged:
        if r0 <= row <= r1 and c0 <= col <= c1 and c1 > c0:
            return c0, c1
    return None


@dataclass
class _Header:
    rows: list[int]  # 0-based row indexes of the header rows
    labels: list[str]  # display label per column ("户籍地/省" under a parent)
    subs: dict[int, str] = field(default_factory=dict)  # column -> sub-label
    parents: dict[int, str] = field(default_factory=dict)  # column -> parent label
    fields: dict[int, str] = field(default_factory=dict)  # column -> field
    parts: dict[int, str] = field(default_factory=dict)  # column -> address part
    notes: dict[int, str] = field(default_factory=dict)
    reasons: dict[int, str] = field(default_factory=dict)
    runner_up: dict[str, str] = field(default_factory=dict)
    instructions: list[int] = field(default_factory=list)  # 0-based rows of filling notes


def _spans(raw: RawSheet, row: int, labels: list[str]) -> dict[int, tuple[int, int]]:
    """Column -> (first, last) column of the label spanning it in a header row.

    A merged cell, or the same label repeated over adjacent cells (an HTML
    table's colspan, a CSV export writing the parent over each of its parts).
    """
    out: dict[int, tuple[int, int]] = {}
    for (r0, c0), (r1, c1) in raw.merged:
        if r0 <= row <= r1 and c1 > c0:
            for j in range(c0, c1 + 1):
                out[j] = (c0, c1)
    j = 0
    while j < len(labels):
        k = j
        while k + 1 < len(labels) and labels[j] and labels[k + 1] == labels[j]:
            k += 1
        if k > j and j not in out:
            for m in range(j, k + 1):
                out[m] = (j, k)
        j = k + 1
    return out


_INSTRUCTION = re.compile(
    r"必填|选填|非必填|必须填|格式|填写|请填|请选择|请输入|下拉|示例|例如|例：|如：|yyyy|YYYY|字典|代码表"
    r"|可为空|不能为空|不可为空|最多|长度|填报说明|注意事项"
)


def _instruction_rows(raw: RawSheet, start: int, width: int) -> list[int]:
    """Rows of filling instructions right under the header (at most three).

    A row whose filled cells mostly say 必填/选填/格式... or are long text, and
    that holds no ID number: a template's guidance, not a person.
    """
    found = []
    for i in range(start, min(start + 3, len(raw.head))):
        cells = [cell_text(v) for v in raw.head[i][:width]]
        filled = [c for c in cells if c]
        if not filled or any(_ID_LIKE.search(c) for c in filled):
            break
        said = sum(bool(_INSTRUCTION.search(c)) for c in filled)
        long = sum(len(c) > 15 for c in filled)
        if (
            said * 2 >= len(filled)
            or (long * 2 >= len(filled) and len(filled) >= 2)
            or (said and len(filled) == 1)
        ):
            found.append(i)
        else:
            break
    return found


def _find_header(raw: RawSheet, rules: HeaderRules) -> _Header | None:
    """The header row (and a sub-label row under it), by the names of its cells."""
    best, best_hits = -1, dict[int, str]()
    for i, row in enumerate(raw.head):
        hits = _row_hits(row, rules)
        found = set(hits.values())
        if len(found) >= 2 and found & set(PERSON_FIELDS) and len(hits) > len(best_hits):
            best, best_hits = i, hits
    if best < 0:
        return None
    row = raw.head[best]
    width = max(len(r) for r in raw.head)
    labels = [cell_text(row[j]) if j < len(row) else "" for j in range(width)]
    header = _Header(rows=[best], labels=list(labels))

    # a second header row below: sub-labels under a merged parent ("居住地址"
    # over 路/弄/号/室, "户籍地" over 省/市/区县) or under empty cells; never a
    # data row (the name and ID columns are empty in it). A cell repeating the
    # label above it is that label spanning two rows (an HTML rowspan).
    if best + 1 < len(raw.head):
        below = raw.head[best + 1]
        cells = {
            j: cell_text(v)
            for j, v in enumerate(below)
            if cell_text(v) and not (j < width and cell_text(v) == labels[j])
        }
        person_cols = [j for j, f in best_hits.items() if f in PERSON_FIELDS]
        spans = _spans(raw, best, labels)
        if (
            cells
            and not any(j in cells for j in person_cols)
            and not any(_ID_LIKE.search(v) for v in cells.values())
            and all(isinstance(below[j], str) for j in cells)
            and not _instruction_rows(raw, best + 1, width)
        ):
            header.rows.append(best + 1)
            for j, sub in cells.items():
                if j >= width:
                    continue
                span = spans.get(j)
                if span:
                    parent = labels[span[0]]
                    header.subs[j] = sub
                    header.parents[j] = parent
                    header.labels[j] = f"{parent}/{sub}"
                elif not labels[j]:
                    header.labels[j] = sub
    header.instructions = _instruction_rows(raw, header.rows[-1] + 1, width)
    return header


def _choose(header: _Header, text: pd.DataFrame, rules: HeaderRules) -> None:
    """Fields for the header's columns, from their labels and a sample of values."""
    sample = text.head(SAMPLE * 2)
    samples = {j: sample[j] for j in range(len(header.labels)) if j in sample.columns}
    choice = choose_columns(header.labels, header.subs, header.parents, samples, rules)
    header.fields = choice.fields
    header.parts = choice.parts
    header.reasons = choice.reasons
    header.runner_up = choice.runner_up
    header.notes = dict(choice.notes)
    for j, label in enumerate(header.labels):
        if j in header.fields or not label or j in header.notes:
            continue
        own = header.subs.get(j) or label
        if own.strip() in rules.columns:  # the user's mapping says: not used
            header.notes[j] = "按映射文件不使用"
        else:
            header.notes[j] = "未识别，保留原值"


def _no_header_note(raw: RawSheet, rules: HeaderRules) -> str:
    """Say where the most header-like row is, and what it holds if it is a header.

    Its cells are quoted only when one of them is a known column name (序号,
    电话...): without a header nobody knows whether a row is a header or a
    person, and a person's name must not reach a message.
    """
    best: list[str] = []
    best_row = -1
    for i, row in enumerate(raw.head):
        cells = [cell_text(v) for v in row if isinstance(v, str) and 0 < len(v.strip()) <= 20]
        if len(cells) >= 3 and len(cells) > len(best):
            best, best_row = cells, i
    if best_row < 0:
        return "未找到表头（像是说明页或非人员表）"
    if any(rules.field_for(c) for c in best):
        shown = "、".join(best[:12]) + ("…" if len(best) > 12 else "")
        return f"未找到「姓名」或「身份证号」列（第 {best_row + 1} 行像是表头：{shown}）"
    return (
        f"未找到「姓名」或「身份证号」列（第 {best_row + 1} 行有 {len(best)} 个文字格，"
        "但没有认得的列名）"
    )


# --- committee ------------------------------------------------------------------

_COMMITTEE_SUFFIX = re.compile(r"(居民委员会|村民委员会|居委会|村委会|居委|居民区|社区)$")
_COMMITTEE_LABELLED = re.compile(r"(?:居委会?|居民区|村委会?|社区)\s*[:：]\s*([^\s:：,，;；]+)")
_COMMITTEE_NAMED = re.compile(
    r"([\u4e00-\u9fff0-9A-Za-z]{2,12}?(?:居民委员会|村民委员会|居委会|村委会|居委|居民区))"
)
_COLLECTOR = re.compile(r"(?:采集人|采集员|登记人)\s*[:：]\s*([^\s:：,，;；]+)")


_ADMIN_HEAD = re.compile(r"^.+?(?:街道办事处|街道|镇|乡)(?=.{2,})")
_FORM_WORDS = re.compile(
    r"(?:来沪人员|外来人员|流动人口|实有人口|人户分离|暂住人口|本地户籍|户籍|人员)?"
    r"(?:信息)?(?:采集表|登记表|信息表|核查表|排查表|花名册|名单|汇总表|统计表)\S*$"
)
_VILLAGE_HEAD = re.compile(r"^(\S{2,10}?村)(?=\S)")


def committee_key(text: str) -> str:
    """'古美一村居委会' -> '古美一村' (the same 居委 however it is written)."""
    s = re.sub(r"\s+", "", text or "")
    s = _ADMIN_HEAD.sub("", s)  # "古美路街道古美一村居委会": the street office is not the 居委
    return _COMMITTEE_SUFFIX.sub("", s) or s


def _committee_from_stem(stem: str) -> str:
    """A 居委 named by a file name: '九星村来沪人员信息采集表' -> '九星村'."""
    s = re.sub(r"\s+", "", stem)
    m = _VILLAGE_HEAD.match(s)
    if m and _FORM_WORDS.search(s[m.end() :]):
        return m.group(1)
    return committee_key(_FORM_WORDS.sub("", s) or s)


def _sheet_committee(raw: RawSheet, header_row: int, stem: str, side: str) -> tuple[str, str]:
    above = " ".join(cell_text(v) for row in raw.head[:header_row] for v in row if cell_text(v))
    m = _COMMITTEE_LABELLED.search(above)
    if m:
        return committee_key(m.group(1)), "表头上方的信息行"
    m = _COMMITTEE_NAMED.search(above)
    if m:
        return committee_key(m.group(1)), "标题"
    if raw.sheet:
        m = _COMMITTEE_NAMED.search(raw.sheet)
        if m:
            return committee_key(m.group(1)), "工作表名"
    m = _COMMITTEE_NAMED.search(stem)
    if m:
        return committee_key(m.group(1)), "文件名"
    if side == "field":
        return _committee_from_stem(stem), "文件名"
    return "", ""


def _sheet_collector(raw: RawSheet, header_row: int) -> str:
    above = " ".join(cell_text(v) for row in raw.head[:header_row] for v in row if cell_text(v))
    m = _COLLECTOR.search(above)
    return m.group(1) if m else ""


# --- rows -----------------------------------------------------------------------

_TOTAL_WORDS = ("合计", "小计", "总计", "共计", "总数", "汇总")
_TOTAL = re.compile(f"^(?:{'|'.join(_TOTAL_WORDS)})")
_NOTE = re.compile(r"[:：]|^(?:注|说明|备注|填表|制表|审核|签字|签名|负责人|联系人|日期)")


def _text_frame(body: pd.DataFrame, cols: list[int], all_text: bool) -> pd.DataFrame:
    """Every cell as the text a person sees (CSV cells are text already)."""
    out = {}
    for j in cols:
        col = body[j] if j in body.columns else pd.Series([""] * len(body), index=body.index)
        if all_text:
            out[j] = col.astype(str).str.strip()
        else:
            out[j] = pd.Series([cell_text(v) for v in col.tolist()], index=body.index, dtype=object)
    return pd.DataFrame(out, index=body.index)


# What a row whose first filled cell reads 合计/小计/... starts with: its first
# character after any whitespace (Python's, written out: pyarrow's regex
# engine takes \s as ASCII only). A cheap test on whole columns; the rows
# it lets through are then checked exactly.
# (str.isspace holds for no character above U+3000; tests check it)
_SPACES = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
_TOTAL_START = f"[{_SPACES}]*[{''.join(sorted({w[0] for w in _TOTAL_WORDS}))}]"


def _classify(text: pd.DataFrame, header: _Header) -> pd.Series:
    """'' for a data row, else the reason the row is not a person.

    Whole-column tests pick the few rows that may be a 合计 or a note row;
    only those are looked at cell by cell.
    """
    n = len(text)
    reason = np.full(n, "", dtype=object)
    if n == 0:
        return pd.Series(reason, index=text.index, dtype=object)
    filled = text != ""
    filled_np = filled.to_numpy(dtype=bool)
    count = filled_np.sum(axis=1)
    serial_cols = [j for j, f in header.fields.items() if f == "serial"]
    person_cols = [j for j, f in header.fields.items() if f in PERSON_FIELDS]
    person_filled = (
        filled[person_cols].any(axis=1).to_numpy() if person_cols else np.zeros(n, dtype=bool)
    )
    blank = count == 0
    serial_only = np.zeros(n, dtype=bool)
    if serial_cols:
        numeric_serial = (
            text[serial_cols]
            .apply(lambda c: c.str.fullmatch(r"\d{1,6}(?:\.0)?") | c.eq(""))
            .all(axis=1)
        )
        serial_only = (
            (count == filled[serial_cols].sum(axis=1).to_numpy())
            & numeric_serial.to_numpy()
            & ~blank
        )
    # the first non-empty cell of the row: 合计 / 小计 ... (rows whose first
    # filled cell starts with none of their first characters cannot be one)
    first_col = filled_np.argmax(axis=1)
    maybe = np.zeros(n, dtype=bool)
    for k, col in enumerate(text.columns):
        rows = np.flatnonzero((first_col == k) & ~blank)
        if len(rows) == 0:
            continue
        cells = text[col] if len(rows) == n else text[col].iloc[rows]
        maybe[rows] = cells.str.match(_TOTAL_START).to_numpy(dtype=bool)
    total = np.zeros(n, dtype=bool)
    at = np.flatnonzero(maybe)
    if len(at):
        first_cells = [
            text.iat[i, k] for i, k in zip(at.tolist(), first_col[at].tolist(), strict=True)
        ]
        first = pd.Series(first_cells, dtype=object).astype(str)
        total[at] = first.str.replace(r"\s+", "", regex=True).str.match(_TOTAL).to_numpy()
    # the header repeated (print layouts repeat it on every page)
    same_as_header = np.zeros(n, dtype=int)
    for j, f in header.fields.items():
        if f in ("serial",):
            continue
        label = header.labels[j].split("/")[-1]
        same_as_header += (text[j] == label).to_numpy() if j in text.columns else 0
    repeated = same_as_header >= 2
    # a footer ("填表人：… 审核人：… 日期：…"): every filled cell reads like a note
    # (only rows without a name or ID number can be one)
    note = np.zeros(n, dtype=bool)
    at = np.flatnonzero(~person_filled & (count > 0))
    if len(at):
        sub = text.iloc[at]
        note_cells = np.zeros(len(at), dtype=int)
        for col in sub.columns:
            cell = sub[col].astype(str)
            note_cells += (cell.ne("") & cell.str.contains(_NOTE)).to_numpy(dtype=int)
        note[at] = note_cells == count[at]
    reason[note] = "note"
    reason[repeated] = "header"
    reason[total] = "total"
    reason[serial_only] = "serial_only"
    reason[blank] = "blank"
    return pd.Series(reason, index=text.index, dtype=object)


def _fill_merged(body: pd.DataFrame, merged: list[Any], last_header: int) -> None:
    """A cell merged down over several rows holds for every one of them.

    Collectors merge a family's address (or 居委, or 采集日期) over its
    members' rows; a spreadsheet stores the value in the top row only.
    """
    if not merged or body.empty:
        return
    position = {int(r) - 1: k for k, r in enumerate(body["_row"].tolist())}  # 0-based row -> row
    for (r0, c0), (r1, _c1) in merged:
        if r1 <= r0 or r0 <= last_header or c0 not in body.columns or r0 not in position:
            continue
        values = body[c0].to_numpy(dtype=object, copy=True)
        targets = [position[r] for r in range(r0 + 1, r1 + 1) if r in position]
        if targets:
            values[targets] = values[position[r0]]
            body[c0] = values


# --- the sheet ------------------------------------------------------------------


@dataclass
class SheetData:
    report: SheetReport
    records: pd.DataFrame  # canonical raw fields + provenance
    originals: pd.DataFrame  # columns not taken for a field, by header, index = row


def read_sheet(raw: RawSheet, rules: HeaderRules, side: str, stem: str) -> SheetData:
    """Find the header, map columns, classify rows, build records."""
    report = SheetReport(
        file=raw.file, sheet=raw.sheet, encoding=raw.encoding, source_format=raw.source_format
    )
    if raw.note:
        report.note = raw.note
        return SheetData(report, pd.DataFrame(), pd.DataFrame())
    if not any(cell_text(v) for row in raw.head for v in row):
        report.note = "空白工作表"
        return SheetData(report, pd.DataFrame(), pd.DataFrame())
    header = _find_header(raw, rules)
    if header is None:
        report.note = _no_header_note(raw, rules)
        return SheetData(report, pd.DataFrame(), pd.DataFrame())
    report.header_rows = [r + 1 for r in header.rows]
    report.committee, report.committee_source = _sheet_committee(raw, header.rows[0], stem, side)
    collector = _sheet_collector(raw, header.rows[0])

    body = raw.body(header.rows[-1] + 1)
    for j in range(len(header.labels)):
        if j not in body.columns:  # a header with no row below: empty columns
            body[j] = pd.Series([""] * len(body), index=body.index, dtype=object)
    _fill_merged(body, raw.merged, header.rows[-1])
    cols = [int(c) for c in body.columns if c != "_row"]
    text = _text_frame(body, cols, all_text=raw.all_text)
    instruction = body["_row"].isin([i + 1 for i in header.instructions]).to_numpy()
    top = len(header.instructions) + SAMPLE * 2  # the sample: rows at the top, not all
    _choose(header, text.head(top)[~instruction[:top]], rules)
    report.runner_up = dict(header.runner_up)
    report.columns = [
        ColumnInfo(
            j,
            column_letter(j),
            header.labels[j],
            header.fields.get(j),
            header.notes.get(j, ""),
            header.reasons.get(j, ""),
            header.parts.get(j, ""),
        )
        for j in range(len(header.labels))
        if header.labels[j] or j in header.fields
    ]
    reason = _classify(text, header)
    reason[instruction] = "instruction"
    for key in SKIP_REASONS:
        count = int((reason == key).sum())
        if count:
            report.skipped[key] = count
    keep = (reason == "").to_numpy()
    body, text = body[keep], text[keep]
    report.rows_read = int(keep.sum())
    report.read = True
    if raw.source_format == "html":
        report.note = "该文件实为网页表格（HTML，常见于公安网页系统导出），已按表格读取"

    rows = body["_row"].astype("int64").to_numpy()
    records = _records(body, text, header, raw.all_text)
    records.insert(0, "row", rows)
    records.insert(0, "sheet", raw.sheet)
    records.insert(0, "file", raw.file)
    if "committee" not in records or not records["committee"].astype(bool).any():
        records["committee"] = report.committee
    else:
        names = records["committee"].astype(object)
        table = {v: (committee_key(v) if v else report.committee) for v in pd.unique(names)}
        if names.hasnans:
            records["committee"] = names.map(table)
        else:  # the same as map, through the codes of the distinct names
            codes, distinct = pd.factorize(names)
            keys = np.asarray([table[v] for v in distinct], dtype=object)
            records["committee"] = pd.Series(keys[codes], index=names.index)
    if collector and ("collector" not in records or not records["collector"].astype(bool).any()):
        records["collector"] = collector
    # the columns no field was taken from, by their own headers (the others
    # are in the records already, as the raw text of their field)
    extra = [j for j in cols if j not in header.fields]
    originals = text[extra].copy()
    originals.columns = [
        (header.labels[j] if j < len(header.labels) else "") or column_letter(j) for j in extra
    ]
    originals.index = rows
    return SheetData(report, records, originals)


def _join_parts(columns: list[pd.Series], parts: list[str]) -> pd.Series:
    """One address from its parts, in address order (region, house parts, detail).

    A bare number gets its part's unit ("12" under 幢 -> "12幢"); a region
    part the detail already holds is not repeated ("湖南省" before
    "湖南省长沙市…").
    """
    rank = {p: i for i, p in enumerate(PART_ORDER)}
    order = sorted(range(len(parts)), key=lambda k: (rank.get(parts[k], len(rank)), k))
    detail = next((columns[k] for k in order if parts[k] == "detail"), None)
    out = pd.Series("", index=columns[0].index, dtype=object)
    for k in order:
        values = columns[k].astype(str)
        unit = PART_UNITS.get(parts[k], "")
        if unit:
            bare = values.str.fullmatch(r"\d+[A-Za-z]?")
            values = values.where(~bare, values + unit)
        if parts[k] in REGION_PARTS and detail is not None:
            inside = pd.Series(
                [bool(v) and v in d for v, d in zip(values, detail.astype(str), strict=True)],
                index=values.index,
            )
            values = values.where(~inside, "")
        out = out + values
    return out


def _records(
    body: pd.DataFrame, text: pd.DataFrame, header: _Header, all_text: bool
) -> pd.DataFrame:
    data: dict[str, Any] = {}
    by_field: dict[str, list[int]] = {}
    for j, f in sorted(header.fields.items()):
        by_field.setdefault(f, []).append(j)
    n = len(body)
    for f, cols in by_field.items():
        if f == "serial":
            continue
        if f == "id_number" and all_text:
            data["id_number"] = text[cols[0]].reset_index(drop=True)
            data["id_numeric"] = False
        elif f == "id_number":
            pairs = [id_cell(v) for v in body[cols[0]].tolist()]
            data["id_number"] = [p[0] for p in pairs]
            data["id_numeric"] = [p[1] for p in pairs]
        elif f in DATE_FIELDS:
            data[f] = normalize_dates(body[cols[0]]).reset_index(drop=True)
            data[f + "_text"] = text[cols[0]].reset_index(drop=True)
        elif len(cols) > 1 and any(j in header.parts for j in cols):
            parts = [header.parts.get(j, "detail") for j in cols]
            joined = _join_parts([text[j].reset_index(drop=True) for j in cols], parts)
            data[f] = joined
        else:
            data[f] = text[cols[0]].reset_index(drop=True)
    frame = pd.DataFrame(data, index=range(n))
    for f in ("name", "id_number", "sex", "address", "hukou_address", "phone"):
        if f not in frame:
            frame[f] = ""
    if "id_numeric" not in frame:
        frame["id_numeric"] = False
    return frame

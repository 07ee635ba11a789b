"""Workbooks of the 人户分离 mode: the result sheets, the prefilled 采集表 and
the printable check list of everyone on the separation list."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from recon.forms import (
    BLANK_BOX,
    RECORD_SHEET,
    FormColumn,
    FormSpec,
    record_key,
    write_form,
)
from recon.matchers import MatchResult, Outcome
from recon.normalize.address import normalize_addresses, walk_order
from recon.resultdir import SEP_FORMS_WORKBOOK, SEP_WORKLIST
from recon.rules import OutputRules
from recon.separation import FORMS, SEP_LABELS, SEP_NEW_ADDRESS, SEP_OPTIONS, SEP_TYPES, Sep
from recon.worklists import form_rows, record_sheet
from recon.writers import Col, WorkbookWriter, where_text, with_total
from recon.writers.worklist_pdf import PdfColumn, PdfForm, write_form_pdfs

__all__ = [
    "FORMS_WORKBOOK",
    "SEP_WORKLIST",
    "separation_visits",
    "write_forms",
    "write_separation_pdfs",
    "write_separation_sheets",
    "write_separation_worklist",
]

FORMS_WORKBOOK = SEP_FORMS_WORKBOOK  # the name is the result folder's

_FOUND = {
    Sep.STILL: "仍分离",
    Sep.BACK_HOME: "已在户籍地居住",
    Sep.MOVED: "住址有变动",
    Sep.UNKNOWN: "排查表缺地址",
}


# --- the result workbook ---------------------------------------------------------


def _overview(result: MatchResult) -> pd.DataFrame:
    F, S = result.field, result.system
    committees = sorted(
        set(F["committee"].astype(str)) | set(S["committee"].astype(str)),
        key=lambda c: (c == "", c),
    )
    rows = []
    for c in committees:
        f = F[F["committee"].astype(str) == c]
        s = S[S["committee"].astype(str) == c]
        sep = f["separation"]
        unreg = f[sep == Sep.UNREGISTERED]
        rows.append(
            {
                "committee": c or "（未识别居委）",
                "swept": len(f),
                "still": int((sep == Sep.STILL).sum()),
                "back_home": int((sep == Sep.BACK_HOME).sum()),
                "moved": int((sep == Sep.MOVED).sum()),
                "unreg_here": int((unreg["sep_type"] == SEP_TYPES[0]).sum()),
                "unreg_away": int((unreg["sep_type"] == SEP_TYPES[1]).sum()),
                "not_separated": int((sep == Sep.NOT_SEPARATED).sum()),
                "unknown": int((sep == Sep.UNKNOWN).sum()),
                "listed": int(s["outcome"].ne(Outcome.UNUSABLE).sum()),
                "to_visit": int(s["outcome"].eq(Outcome.SYSTEM_ONLY).sum()),
                "review": int(s["outcome"].eq(Outcome.REVIEW).sum()),
                "dup": int(s["outcome"].eq(Outcome.DUPLICATE).sum()),
            }
        )
    return with_total(pd.DataFrame(rows))


_OVERVIEW_COLS = [
    Col("committee", "居委", 16),
    Col("swept", "排查人数", 9, "int"),
    Col("still", "仍分离", 8, "int"),
    Col("back_home", "已不分离", 9, "int"),
    Col("moved", "住址变动", 9, "int"),
    Col("unreg_here", "未登记：人在户不在", 12, "int"),
    Col("unreg_away", "未登记：户在人不在", 12, "int"),
    Col("not_separated", "未分离", 8, "int"),
    Col("unknown", "无法判断", 9, "int"),
    Col("listed", "名单人数", 9, "int"),
    Col("to_visit", "未排查到（待核查）", 12, "int"),
    Col("review", "待人工确认", 10, "int"),
    Col("dup", "名单重复", 9, "int"),
]

_PAIR_COLS = [
    Col("field_committee", "居委", 12),
    Col("system_name", "姓名", 10),
    Col("system_id_show", "身份证号", 21, "id"),
    Col("sep_type", "类型", 11),
    Col("system_hukou_address", "户籍地址", 26, wrap=True),
    Col("system_address", "名单：现居住地址", 26, wrap=True),
    Col("field_address", "排查：现居住地址", 26, wrap=True),
    Col("field_where", "排查表位置", 22),
    Col("system_where", "名单位置", 20),
]


def write_separation_sheets(
    wb: WorkbookWriter, result: MatchResult, tables: dict[str, pd.DataFrame], notes: list[str]
) -> None:
    guide = pd.DataFrame(
        {
            "sheet": [
                "仍分离",
                "已不分离_待注销",
                "住址变动_待变更",
                "未登记_待登记",
                "机到人_待核查",
                "信息变更",
                "待人工确认",
                "重复登记",
                "数据问题",
            ],
            "what": [
                "名单上的人，排查时仍人户分离、住址与名单相同",
                "名单上的人，排查时已住在户籍地址：从人户分离名单中注销",
                "名单上的人，仍分离但现居住地址变了：按排查到的地址变更",
                "排查到人户分离、名单上没有的人：按类型填写对应的采集表（见 人户分离采集表.xlsx）",
                "名单上的人，这次排查没有遇到：用「人户分离核查单.xlsx」上门核查",
                "对上的人中姓名、性别等不一致的项目",
                "证据不足、需要人来判断是否同一人的配对",
                "同一人在排查表或名单中出现多次",
                "身份证号有误、缺地址等，按文件、工作表、行号列出",
            ],
        }
    )
    wb.key_values(
        "概况",
        "人户分离核对结果",
        [
            ("按居委统计", _overview(result), _OVERVIEW_COLS),
            ("各工作表说明", guide, [Col("sheet", "工作表", 16), Col("what", "内容", 40, "wrap")]),
        ],
        notes,
    )
    m = tables["matches"]
    if len(m):
        m = m.assign(field_where=where_text(m, "field_"), system_where=where_text(m, "system_"))
    for code, name, title in (
        (Sep.STILL, "仍分离", "仍人户分离（与名单一致）"),
        (Sep.BACK_HOME, "已不分离_待注销", "已不分离：已在户籍地址居住，请从名单中注销"),
        (Sep.MOVED, "住址变动_待变更", "仍分离、现居住地址有变动：请按排查到的地址变更"),
    ):
        part = m[m["separation"] == code] if len(m) else m
        wb.table(name, part, _PAIR_COLS, title=title)
    fo = tables["field_only"]
    if len(fo):
        fo = fo.assign(field_where=where_text(fo, "field_"))
        fo = fo[fo["separation"].isin([Sep.UNREGISTERED, Sep.UNKNOWN])].copy()
        fo["label"] = fo["separation"].map(SEP_LABELS)
    wb.table(
        "未登记_待登记",
        fo,
        [
            Col("field_committee", "居委", 12),
            Col("field_name", "姓名", 10),
            Col("field_sex", "性别", 5),
            Col("field_id_show", "身份证号", 21, "id"),
            Col("sep_type", "类型", 11),
            Col("form", "应填采集表", 24),
            Col("field_hukou_address", "户籍地址", 26, wrap=True),
            Col("field_address", "现居住地址", 26, wrap=True),
            Col("label", "说明", 18, wrap=True),
            Col("field_where", "排查表位置", 22),
        ],
        title="未登记的人户分离：请填写采集表后登记",
    )
    so = tables["system_only"]
    so = so.assign(system_where=where_text(so, "system_"), seq=np.arange(1, len(so) + 1))
    wb.table(
        "机到人_待核查",
        so,
        [
            Col("seq", "序号", 6, "int"),
            Col("system_committee", "居委", 12),
            Col("system_name", "姓名", 10),
            Col("system_id_show", "身份证号", 21, "id"),
            Col("sep_type", "类型", 11),
            Col("system_hukou_address", "户籍地址", 26, wrap=True),
            Col("system_address", "现居住地址", 26, wrap=True),
            Col("system_where", "名单位置", 20),
        ],
        title="名单上、这次排查没有遇到的人：请上门核查",
    )


# --- the prefilled 采集表 -------------------------------------------------------------

_FORM_COLS = [
    Col("seq", "序号", 6, "int"),
    Col("field_committee", "居委", 12),
    Col("field_name", "姓名", 10),
    Col("field_sex", "性别", 5),
    Col("field_id_show", "公民身份号码", 21, "id"),
    Col("field_hukou_address", "户籍地址", 28, wrap=True),
    Col("field_address", "现居住地址", 28, wrap=True),
    Col("field_phone", "联系电话", 13, "id"),
    Col("blank1", "分离原因", 12),
    Col("blank2", "分离起始时间", 12),
    Col("blank3", "采集人", 9),
    Col("blank4", "采集日期", 11),
]


def write_forms(field_only: pd.DataFrame, path: Path) -> int:
    """人户分离采集表.xlsx: one sheet per type, the unregistered people prefilled
    with what the sweep knows; the rest of each line is left for the collector."""
    unreg = (
        field_only[field_only["separation"] == Sep.UNREGISTERED]
        if len(field_only) and "separation" in field_only
        else field_only.iloc[:0]
    )
    wb = WorkbookWriter(path)
    try:
        for kind in SEP_TYPES:
            part = unreg[unreg["sep_type"] == kind] if len(unreg) else unreg
            part = part.assign(seq=np.arange(1, len(part) + 1))
            wb.table(
                kind,
                part,
                _FORM_COLS,
                title=FORMS[kind],
                notes=["已按排查表预先填好，请补全空白栏后交民警录入。"],
                page_header=f'&L&"宋体,Bold"{FORMS[kind]}&R第 &P 页 共 &N 页',
                autofilter=False,
            )
    finally:
        wb.close()
    return len(unreg)


# --- the check list of everyone on the separation list ------------------------------


def separation_visits(result: MatchResult) -> pd.DataFrame:
    """Every active list entry, with what the sweep found, in walking order of the
    address in the street (人在户不在: the residence; 户在人不在: the hukou address)."""
    S, F = result.system, result.field
    active = (
        S["outcome"]
        .isin([Outcome.MATCHED, Outcome.SYSTEM_ONLY, Outcome.REVIEW, Outcome.DUPLICATE])
        .to_numpy()
    )
    idx = np.flatnonzero(active)
    partner = np.full(len(S), -1, dtype=np.int64)
    partner[result.pairs["s"].to_numpy(dtype=np.int64)] = result.pairs["f"].to_numpy(np.int64)

    def col(frame: pd.DataFrame, name: str, at: np.ndarray) -> np.ndarray:
        if name not in frame:
            return np.full(len(at), "", dtype=object)
        values = frame[name].to_numpy(dtype=object)[at]
        return np.where(pd.isna(values), "", values)

    outcome = S["outcome"].to_numpy(dtype=object)[idx]
    sep = S["separation"].to_numpy(dtype=object)[idx]
    found = np.where(
        outcome == Outcome.MATCHED,
        [_FOUND.get(c, "") for c in sep],
        np.where(
            outcome == Outcome.SYSTEM_ONLY,
            "未排查到",
            np.where(outcome == Outcome.REVIEW, "待人工确认", "名单重复"),
        ),
    )
    p = partner[idx]
    swept = np.where(p >= 0, col(F, "address", np.where(p >= 0, p, 0)), "")
    sep_type = col(S, "sep_type", idx)
    hukou, address = col(S, "hukou_address", idx), col(S, "address", idx)
    here = np.where(sep_type == "户在人不在", hukou, address)
    frame = pd.DataFrame(
        {
            "committee": col(S, "committee", idx),
            "name": col(S, "name", idx),
            "sex": np.where(col(S, "sex", idx) != "", col(S, "sex", idx), col(S, "id_sex", idx)),
            "id": np.where(
                S["id_valid"].to_numpy(dtype=bool)[idx], col(S, "id", idx), col(S, "id_number", idx)
            ),
            "sep_type": sep_type,
            "hukou_address": hukou,
            "address": address,
            "found": found,
            "swept_address": swept,
            "system_file": col(S, "file", idx),
            "system_sheet": col(S, "sheet", idx),
            "system_row": S["row"].to_numpy(dtype=np.int64)[idx],
            "here": here,
        }
    ).astype(object)
    keys = normalize_addresses(frame["here"])
    frame["building"] = keys["addr_building"].to_numpy()
    frame = frame.iloc[walk_order(keys["addr_key"], frame["committee"])].reset_index(drop=True)
    frame["key"] = [
        record_key(str(f), str(s), r, str(i))
        for f, s, r, i in zip(
            frame["system_file"], frame["system_sheet"], frame["system_row"], frame["id"],
            strict=True,
        )
    ]  # fmt: skip
    return frame


SEP_LAYOUT: list[tuple[str, str, float, str]] = [
    ("seq", "序号", 5, "int"),
    ("name", "姓名", 9, "text"),
    ("sex", "性别", 4, "check"),
    ("id_print", "身份证号", 19, "id"),
    ("sep_type", "类型", 9, "text"),
    ("hukou_address", "户籍地址", 22, "wrap"),
    ("address", "名单现居住地址", 22, "wrap"),
    ("found", "排查情况", 10, "wrap"),
    ("c0", SEP_OPTIONS[0], 6, "check"),
    ("c1", SEP_OPTIONS[1], 7, "check"),
    ("c2", SEP_OPTIONS[2], 7, "check"),
    ("new_address", SEP_NEW_ADDRESS, 18, "wrap"),
    ("remark", "备注", 10, "wrap"),
    ("key", "记录号", 10, "key"),
]
SEP_HEADERS = [h for _, h, _, _ in SEP_LAYOUT]


def _rows(people: pd.DataFrame, output: OutputRules) -> tuple[pd.DataFrame, np.ndarray]:
    """One 居委's print rows: a heading per building (``kind`` "heading", its
    text in ``label`` and ``name``), then its people (``kind`` "person"); and
    the workbook's row format per row."""
    rows: list[dict[str, object]] = []
    formats: list[str] = []
    seq = 0
    for building, group in people.groupby("building", sort=False, dropna=False):
        name = building if isinstance(building, str) and building else "（地址未能识别）"
        label = f"{name}（{len(group)} 人）"
        rows.append({"kind": "heading", "label": label, "name": label})
        formats.append("heading")
        for person in group.itertuples(index=False):
            seq += 1
            rows.append(
                {
                    "kind": "person",
                    "seq": str(seq),
                    "name": person.name,
                    "sex": person.sex,
                    "id_print": output.mask_id(str(person.id)),
                    "sep_type": person.sep_type,
                    "hukou_address": person.hukou_address,
                    "address": person.address,
                    "found": person.found,
                    "c0": BLANK_BOX,
                    "c1": BLANK_BOX,
                    "c2": BLANK_BOX,
                    "key": person.key,
                }
            )
            formats.append("")
    columns = ["kind", "label", *(c for c, _, _, _ in SEP_LAYOUT)]
    frame = pd.DataFrame(rows, columns=columns).astype(object)
    return frame.where(frame.notna(), ""), np.asarray(formats, dtype=object)


_SEP_PDF = PdfForm(
    title="人户分离核查单",
    short="人户分离核查单",
    columns=[
        PdfColumn("seq", "序号", 3.2, "center"),
        PdfColumn("name", "姓名", 6),
        PdfColumn("sex", "性别", 2.8, "center"),
        PdfColumn("id_print", "身份证号", 12.5, wrap=False),
        PdfColumn("sep_type", "类型", 6.5),
        PdfColumn("hukou_address", "户籍地址", 16.2),
        PdfColumn("address", "名单现居住地址", 15),
        PdfColumn("found", "排查情况", 7.5),
        PdfColumn("c0", SEP_OPTIONS[0], 4.5, "center"),
        PdfColumn("c1", SEP_OPTIONS[1], 5, "center"),
        PdfColumn("c2", SEP_OPTIONS[2], 5, "center"),
        PdfColumn("new_address", SEP_NEW_ADDRESS, 13),
        PdfColumn("remark", "备注", 6),
        PdfColumn("key", "记录号", 7.8, wrap=False),
    ],
    group_header="门牌（人数）",
    group_width=10,
    note=(
        "请逐人核对：在「仍分离」「已不分离」「住址变动」中选一栏打 √；住址变动的写明"
        "变动后的现住址。「排查情况」是这次排查的结果，供参考；「记录号」不要改动。"
    ),
)


def write_separation_pdfs(visits: pd.DataFrame, folder: Path, output: OutputRules) -> list[Path]:
    """人户分离核查单 as PDF: one file per 居委 in ``folder``; returns the files."""
    groups = visits.groupby("committee", sort=False) if len(visits) else ()
    return write_form_pdfs(((str(c), _rows(p, output)[0]) for c, p in groups), _SEP_PDF, folder)


SEP_FORM = FormSpec(
    workbook=SEP_WORKLIST,
    title="{group} 人户分离核查单",
    columns=tuple(
        FormColumn(c, h, w, kind, tick=c in ("c0", "c1", "c2")) for c, h, w, kind in SEP_LAYOUT
    ),
    notes=(
        "请逐人核对：在「仍分离」「已不分离」「住址变动」中选一栏打 √；住址变动的写明"
        "变动后的现住址。「排查情况」是这次排查的结果，供参考；「记录号」不要改动。"
    ),
    centre="人户分离核查单",
    record_sheet=RECORD_SHEET,
)


def write_separation_worklist(visits: pd.DataFrame, path: Path, output: OutputRules) -> None:
    """人户分离核查单.xlsx: a printable sheet per 居委 and the hidden record."""
    groups = list(visits.groupby("committee", sort=False)) if len(visits) else [("", visits)]
    record = record_sheet(visits)
    rows = [(str(c), form_rows(*_rows(people, output))) for c, people in groups]
    write_form(SEP_FORM, rows, record, path)

"""``changes.csv`` and ``变动与逾期.xlsx``: the changes of a round, written out."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from recon.csvio import write_csv
from recon.rounds._changes import CHANGE_KINDS, COLUMNS, ChangeReport

__all__ = ["CHANGES_CSV", "CHANGES_WORKBOOK", "write_changes"]

CHANGES_CSV = "changes.csv"
CHANGES_WORKBOOK = "变动与逾期.xlsx"

_NOTES = {
    "arrived": "登记库以前没有见过、本轮出现在采集表或系统中的人。",
    "left": "上门核查打了「已离开」的人：请在系统中注销。",
    "changed": "核查打了「信息有误」，或与上一轮相比信息出现了新的差异：请核实后变更。",
    "entry_done": "列入待录入后，本轮系统导出中已有有效记录：已办结（用时按登记日期计）。",
    "entry_overdue": "列入待录入、超过录入时限仍未见有效记录：请尽快录入。",
    "cancel_done": "核查为已离开后，本轮系统导出中已无有效记录：已办结。",
    "cancel_overdue": "核查为已离开、超过注销时限仍有有效记录：请尽快注销。",
    "visit_overdue": "列入机到人待核查名单后，超过核查时限仍没有核查结果：请尽快上门。",
    "reappeared": "所有记录都已注销的人，又出现在采集表上或有了新的有效记录：请核实。",
    "cancelled_unvisited": "上一轮有效、本轮已注销，却没有任何上门核查结果：请抽查核实。",
}


def _walking_key(text: object) -> tuple[object, ...]:
    """Natural order of an address key (路 12 弄 before 路 102 弄)."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", str(text)))


def _ordered(table: pd.DataFrame) -> pd.DataFrame:
    if not len(table):
        return table
    key = table["house"].map(_walking_key)
    return (
        table.assign(_w=key)
        .sort_values(["committee", "_w", "name"], kind="stable")
        .drop(columns="_w")
    )


def write_changes(report: ChangeReport, out: Path) -> tuple[Path, Path]:
    """Write ``changes.csv`` and ``变动与逾期.xlsx`` into ``out``."""
    from recon.writers import Col, WorkbookWriter

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    table = report.table
    csv_path = out / CHANGES_CSV
    write_csv(table[COLUMNS], csv_path)
    book = out / CHANGES_WORKBOOK
    wb = WorkbookWriter(book)
    try:
        counts = (
            report.counts().reset_index().rename(columns={"committee": "居委", "index": "居委"})
        )
        counts.columns = ["居委", *counts.columns[1:]]
        span = f"{report.since:%Y-%m-%d} 之后" if report.since else "首轮"
        wb.table(
            "汇总",
            counts,
            [Col("居委", "居委", 14), *[Col(c, c, 10, "int") for c in counts.columns[1:]]],
            title=(
                f"变动与逾期（{span}，截至 {report.day:%Y-%m-%d}，"
                f"本轮核对 {report.round_day:%Y-%m-%d}）"
            ),
            notes=[
                "期限按工作日计算（节假日、调休按国家安排）；「超期工作日」为超过期限的工作日数。"
            ],
            autofilter=False,
        )
        cols = [
            Col("committee", "居委", 12),
            Col("name", "姓名", 10),
            Col("id_masked", "身份证号", 20, "id"),
            Col("house", "地址", 26, wrap=True),
            Col("since", "起始日期", 11),
            Col("due", "期限", 11),
            Col("working_days", "用时（工作日）", 9),
            Col("working_days_over", "超期工作日", 9),
            Col("where", "位置（文件／工作表／行）", 30, wrap=True),
            Col("note", "处理情况", 14),
        ]
        for kind, label in CHANGE_KINDS.items():
            part = _ordered(table[table["kind"] == kind]).copy()
            part["where"] = [
                f"{f}／{s} 第{r}行" if s else (f"{f} 第{r}行" if f else "")
                for f, s, r in zip(part["file"], part["sheet"], part["row"], strict=True)
            ]
            part["note"] = ""
            wb.table(
                label,
                part,
                cols,
                title=f"{label}（{len(part)} 人）",
                notes=[_NOTES[kind]],
                page_footer="&L经办人签名：____________&R日期：____________",
            )
    finally:
        wb.close()
    return csv_path, book

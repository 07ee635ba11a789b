"""``recon progress``: the progress report sent upward on the 10th and 25th.

Per 居委, as of a date: people collected, matched, to enter, to visit,
visited, found gone, cancelled -- counted from the match result's rows and
the visits read back, nothing else.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from recon.audit._data import TOTAL, read_audit_data
from recon.audit._workbook import _Book
from recon.csvio import write_csv
from recon.outdir import replace_file
from recon.register import Register
from recon.resultdir import PROGRESS_CSV, PROGRESS_WORKBOOK
from recon.rounds import register_progress
from recon.rules import load_audit_rules

__all__ = ["PROGRESS_CSV", "PROGRESS_WORKBOOK", "ProgressReport", "next_report_day", "progress"]

REGISTER_PROGRESS_CSV = "进度表_登记库.csv"
COLUMNS = [
    "居委", "采集人数", "已匹配", "人到机待录入", "待人工确认", "机到人待核查", "已上门核查",
    "仍居住", "已离开", "信息有误", "未核查", "已注销", "核查后待注销", "核查完成率",
]  # fmt: skip


@dataclass
class ProgressReport:
    table: pd.DataFrame
    as_of: dt.date
    out: Path
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    register_table: pd.DataFrame | None = None  # from the register: cumulative / since
    register_since: dt.date | None = None


def next_report_day(day: dt.date) -> dt.date:
    """The next 10th or 25th on or after ``day`` (the reporting days of seed 000)."""
    for d in (10, 25):
        if day.day <= d:
            return day.replace(day=d)
    month = day.replace(day=1) + dt.timedelta(days=32)
    return month.replace(day=10)


def _count(frame: pd.DataFrame, mask: pd.Series) -> pd.Series:
    return frame[mask].groupby("committee").size()


def progress_table(match_dir: Path, results: list[Path] | None, as_of: dt.date) -> pd.DataFrame:
    data = read_audit_data(match_dir, results)
    day = as_of.isoformat()
    f = data.field
    f = f[(f["collected_on"] == "") | (f["collected_on"] <= day)]  # collected by then
    s, v = data.system, data.visits
    living = f["outcome"].isin(["matched", "field_only", "review"])
    cancelled = s["outcome"].eq("inactive") & (
        (s["cancelled_on"] == "") | (s["cancelled_on"] <= day)
    )
    columns = {
        "采集人数": _count(f, living),
        "已匹配": _count(f, f["outcome"].eq("matched")),
        "人到机待录入": _count(f, f["outcome"].eq("field_only")),
        "待人工确认": _count(f, f["outcome"].eq("review")),
        "机到人待核查": _count(s, s["outcome"].eq("system_only")),
        "已上门核查": _count(v, v["outcome"].isin(["living", "left", "changed"])),
        "仍居住": _count(v, v["outcome"].eq("living")),
        "已离开": _count(v, v["outcome"].eq("left")),
        "信息有误": _count(v, v["outcome"].eq("changed")),
        "已注销": _count(s, cancelled),
        "核查后待注销": _count(v, v["outcome"].eq("left")),
    }
    committees = sorted(set(data.ledger["committee"]))
    table = pd.DataFrame({k: c.reindex(committees, fill_value=0) for k, c in columns.items()})
    table = table.fillna(0).astype(int)
    table["未核查"] = table["机到人待核查"] - table["已上门核查"]
    total = table.sum()
    table.loc[TOTAL] = total
    table["核查完成率"] = (table["已上门核查"] / table["机到人待核查"]).where(
        table["机到人待核查"] > 0
    )
    return table.rename_axis("居委").reset_index()[COLUMNS]


def progress(
    match_dir: Path,
    results: list[Path] | None = None,
    as_of: dt.date | None = None,
    out: Path | None = None,
    register: Path | None = None,
) -> ProgressReport:
    """Write 进度表.csv and 进度表.xlsx into ``out`` (default: the result folder);
    with ``register``, also the register's cumulative / since-last-report sheet
    and 进度表_登记库.csv."""

    as_of = as_of or dt.date.today()
    table = progress_table(match_dir, results, as_of)
    target = Path(out) if out else Path(match_dir)
    target.mkdir(parents=True, exist_ok=True)
    report = ProgressReport(table, as_of, target)
    report.notes.append(
        f"下一个上报日：{next_report_day(as_of):%Y年%m月%d日}（每月10日、25日上报）"
    )
    if not results:
        report.notes.append("没有提供上门核查结果（--visits），核查列均为 0")
    if register is not None:
        with Register.open(register, create=False) as reg:
            report.register_table, report.register_since = register_progress(
                reg, as_of, load_audit_rules()
            )
    stage = target / f".progress.part-{os.getpid()}"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir()
    try:
        write_csv(table, stage / PROGRESS_CSV)
        _workbook(report, stage / PROGRESS_WORKBOOK)
        names = [PROGRESS_CSV, PROGRESS_WORKBOOK]
        if report.register_table is not None:
            write_csv(report.register_table, stage / REGISTER_PROGRESS_CSV)
            names.append(REGISTER_PROGRESS_CSV)
        for name in names:
            replace_file(stage / name, target / name)
            report.files.append(target / name)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return report


def _workbook(report: ProgressReport, path: Path) -> None:

    book = _Book(path)
    try:
        title = f"实有人口核对工作进度表（截至 {report.as_of:%Y年%m月%d日}）"
        ws, row = book.sheet(
            "进度表", title, ["填报单位：____________  填报人：________  联系电话：____________"]
        )
        kinds = {c: "int" for c in COLUMNS[1:]}
        kinds["核查完成率"] = "pct"
        widths = {"居委": 14, **{c: 9 for c in COLUMNS[1:]}}
        end = book.table(ws, row, report.table, kinds, widths)
        for i, note in enumerate(report.notes):
            ws.write_string(end + 1 + i, 0, note, book.f["note"])
        if report.register_table is not None and report.register_since is not None:
            since = report.register_since
            ws, row = book.sheet(
                "登记库累计",
                f"实有人口工作进度（登记库，截至 {report.as_of:%Y年%m月%d日}）",
                [
                    f"「本期」为上次上报日 {since:%Y年%m月%d日} 之后；"
                    "「累计」为登记库中的全部轮次；「当前逾期」按最近一轮核对计。"
                ],
            )
            frame = report.register_table
            book.table(ws, row, frame, {c: "int" for c in frame.columns[1:]},
                       {"居委": 14, **{c: 9 for c in frame.columns[1:]}})  # fmt: skip
    finally:
        book.book.close()

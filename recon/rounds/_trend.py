"""Rates over time: 来登率, 去销率, 采集录入率, 录入及时率 per 居委 per round.

Every rate of round *k* is counted from the register, so it can be re-counted
from that round's ``changes.csv`` and ``rows.csv``:

- 来登率: of the people found living here in the round (field rows matched,
  to enter or in review), the share with an active record (matched);
- 采集录入率: of the people whose entry was due by the round (录入已办结 +
  录入逾期 of the round), the share entered (录入已办结);
- 录入及时率: of the entries done in the round, the share done within the
  deadline (listed day -> the record's 登记日期, or the first export holding
  it when the date is missing);
- 去销率: of the people whose cancellation was due or done by the round
  (注销已办结 + 注销逾期), the share cancelled.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from recon.csvio import write_csv
from recon.register import Register
from recon.rounds._changes import changes
from recon.rules import AuditRules
from recon.workdays import WorkCalendar

__all__ = ["TREND_CSV", "TREND_RATES", "TREND_WORKBOOK", "trend", "write_trend"]

TREND_CSV = "trend.csv"
TREND_WORKBOOK = "考核趋势.xlsx"
TREND_RATES = ("来登率", "采集录入率", "录入及时率", "去销率")
TOTAL = "合计"


def _living(reg: Register, run_id: int) -> pd.DataFrame:
    rows = pd.read_sql_query(
        "SELECT person, committee, outcome FROM person_rows"
        " WHERE run_id = ? AND side = 'field' AND person != ''"
        " AND outcome IN ('matched', 'field_only', 'review')",
        reg.conn,
        params=(run_id,),
    )
    rows["matched"] = rows["outcome"].eq("matched")
    return rows.groupby("person", sort=False).agg(
        committee=("committee", "first"), matched=("matched", "any")
    )


def _rate_rows(day: dt.date, label: str, by: pd.DataFrame) -> list[dict[str, object]]:
    """``by``: committee -> num, den. Adds the 合计 line."""
    out = []
    total = by.sum()
    for committee, r in [*by.iterrows(), (TOTAL, total)]:
        den = int(r["den"])
        out.append(
            {
                "轮次": day.isoformat(),
                "居委": committee,
                "指标": label,
                "分子": int(r["num"]),
                "分母": den,
                "比率": (int(r["num"]) / den) if den else None,
            }
        )
    return out


def _share(
    table: pd.DataFrame, committees: list[str], num: pd.Series, den: pd.Series
) -> pd.DataFrame:
    """Per 居委: how many rows of ``table`` are in ``num`` and in ``den``."""
    by = table["committee"]
    return (
        pd.DataFrame(
            {"num": num.astype(int).groupby(by).sum(), "den": den.astype(int).groupby(by).sum()}
        )
        .reindex(committees, fill_value=0)
        .fillna(0)
    )


def trend(
    reg: Register, day: dt.date, rules: AuditRules, calendar: WorkCalendar | None = None
) -> pd.DataFrame:
    """One row per round (up to ``day``), 居委 and rate: 分子, 分母, 比率."""
    calendar = calendar or WorkCalendar.load()
    rounds = pd.read_sql_query(
        "SELECT run_id, day FROM runs WHERE kind = 'match' AND day <= ? ORDER BY day, run_id",
        reg.conn,
        params=(day.isoformat(),),
    )
    out: list[dict[str, object]] = []
    for run_id, text in zip(rounds["run_id"], rounds["day"], strict=True):
        rday = dt.date.fromisoformat(str(text))
        living = _living(reg, int(run_id))
        registered = living.groupby("committee").agg(
            num=("matched", "sum"), den=("matched", "size")
        )
        out += _rate_rows(rday, "来登率", registered)
        table = changes(reg, rday, rules, calendar=calendar).table
        committees = sorted(set(living["committee"]) | set(table["committee"]))

        k = table["kind"]
        done = k.eq("entry_done")
        entered = _share(table, committees, done, done | k.eq("entry_overdue"))
        out += _rate_rows(rday, "采集录入率", entered)
        on_time = done & pd.to_numeric(table["working_days_over"], errors="coerce").eq(0)
        out += _rate_rows(rday, "录入及时率", _share(table, committees, on_time, done))
        cancelled = k.eq("cancel_done")
        gone = _share(table, committees, cancelled, cancelled | k.eq("cancel_overdue"))
        out += _rate_rows(rday, "去销率", gone)
    return pd.DataFrame(out, columns=["轮次", "居委", "指标", "分子", "分母", "比率"])


def write_trend(table: pd.DataFrame, out: Path) -> tuple[Path, Path]:
    """``trend.csv`` and ``考核趋势.xlsx``: the table, and per rate a sheet with
    the rate per round and 居委 and a native Excel line chart."""
    import xlsxwriter

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    csv_path = out / TREND_CSV
    shown = table.copy()
    shown["比率"] = shown["比率"].astype(float).round(6)
    write_csv(shown, csv_path)
    book_path = out / TREND_WORKBOOK
    book = xlsxwriter.Workbook(
        str(book_path),
        {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    try:
        head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        pct = book.add_format({"num_format": "0.0%", "border": 1})
        cell = book.add_format({"border": 1})
        ws = book.add_worksheet("趋势表")
        for j, name in enumerate(table.columns):
            ws.write_string(0, j, str(name), head)
        for i, row in enumerate(table.itertuples(index=False), start=1):
            for j, value in enumerate(row):
                if j == 5:
                    if value is None or pd.isna(value):
                        ws.write_blank(i, j, None, cell)
                    else:
                        ws.write_number(i, j, float(value), pct)
                elif isinstance(value, int):
                    ws.write_number(i, j, value, cell)
                else:
                    ws.write_string(i, j, str(value), cell)
        ws.set_column(0, 2, 14)
        ws.autofilter(0, 0, len(table), len(table.columns) - 1)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        for label in TREND_RATES:
            part = table[table["指标"] == label]
            wide = part.pivot_table(
                index="轮次", columns="居委", values="比率", aggfunc="first", dropna=False
            )
            order = [c for c in wide.columns if c != TOTAL] + ([TOTAL] if TOTAL in wide else [])
            wide = wide[order]
            sheet = book.add_worksheet(label)
            sheet.write_string(0, 0, "轮次", head)
            for j, c in enumerate(wide.columns, start=1):
                sheet.write_string(0, j, str(c), head)
            for i, (rday, values) in enumerate(wide.iterrows(), start=1):
                sheet.write_string(i, 0, str(rday), cell)
                for j, v in enumerate(values, start=1):
                    if pd.isna(v):
                        sheet.write_blank(i, j, None, cell)
                    else:
                        sheet.write_number(i, j, float(v), pct)
            sheet.set_column(0, len(wide.columns), 12)
            chart = book.add_chart({"type": "line"})
            n = len(wide)
            for j, c in enumerate(wide.columns, start=1):
                chart.add_series(
                    {
                        "name": [label, 0, j],
                        "categories": [label, 1, 0, n, 0],
                        "values": [label, 1, j, n, j],
                        "marker": {"type": "circle"},
                        "line": {"width": 2.5 if c == TOTAL else 1.0},
                    }
                )
            chart.set_title({"name": f"{label}（按轮次）"})
            chart.set_y_axis({"num_format": "0%", "min": 0, "max": 1})
            chart.set_x_axis({"name": "轮次（核对日期）"})
            chart.set_size({"width": 720, "height": 360})
            sheet.insert_chart(n + 3, 0, chart)
    finally:
        book.close()
    return csv_path, book_path

"""The 10th/25th progress report filled from the register: cumulative and since
the last report day, per 居委.

Counted from the changes of every round up to the day (so each figure can be
re-counted from the rounds' ``changes.csv``) and from the visit results:

- 新来, 已录入 (录入已办结), 已注销 (注销已办结): by the day of the round that
  showed them; 已上门核查 (仍居住 / 已离开 / 信息有误 ticked): by the day of
  the ``recon results`` run;
- 录入逾期, 注销逾期, 核查逾期: what is overdue as of the latest round.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from recon.register import Register
from recon.rounds._changes import changes
from recon.rules import AuditRules
from recon.workdays import WorkCalendar

__all__ = ["REGISTER_PROGRESS_COLUMNS", "last_report_day", "register_progress"]

_EVENTS = {"arrived": "新来", "entry_done": "已录入", "cancel_done": "已注销"}
_OPEN = {"entry_overdue": "录入逾期", "cancel_overdue": "注销逾期", "visit_overdue": "核查逾期"}
REGISTER_PROGRESS_COLUMNS = [
    "居委",
    *[f"{p}{label}" for label in [*_EVENTS.values(), "已上门核查"] for p in ("累计", "本期")],
    *[f"当前{label}" for label in _OPEN.values()],
]


def last_report_day(day: dt.date) -> dt.date:
    """The last 10th or 25th strictly before ``day`` (the previous report)."""
    for d in (25, 10):
        if day.day > d:
            return day.replace(day=d)
    previous = day.replace(day=1) - dt.timedelta(days=1)
    return previous.replace(day=25)


def register_progress(
    reg: Register, day: dt.date, rules: AuditRules, calendar: WorkCalendar | None = None
) -> tuple[pd.DataFrame, dt.date]:
    """Per 居委 (and 合计): events cumulative and since the last report day."""
    calendar = calendar or WorkCalendar.load()
    since = last_report_day(day)
    rounds = [
        dt.date.fromisoformat(d)
        for (d,) in reg.conn.execute(
            "SELECT DISTINCT day FROM runs WHERE kind = 'match' AND day <= ? ORDER BY day",
            (day.isoformat(),),
        )
    ]
    parts = [changes(reg, d, rules, calendar=calendar).table.assign(day=d) for d in rounds]
    table = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=["kind", "committee", "day"])
    )
    visits = pd.read_sql_query(
        "SELECT v.committee, u.day FROM visit_results v JOIN runs u ON u.run_id = v.run_id"
        " WHERE u.day <= ? AND v.outcome IN ('living', 'left', 'changed')",
        reg.conn,
        params=(day.isoformat(),),
    )
    visits["day"] = pd.to_datetime(visits["day"]).dt.date
    columns: dict[str, pd.Series] = {}
    for kind, label in _EVENTS.items():
        hit = table[table["kind"] == kind]
        columns[f"累计{label}"] = hit.groupby("committee").size()
        columns[f"本期{label}"] = hit[hit["day"] > since].groupby("committee").size()
    columns["累计已上门核查"] = visits.groupby("committee").size()
    columns["本期已上门核查"] = visits[visits["day"] > since].groupby("committee").size()
    latest = table[table["day"] == rounds[-1]] if rounds else table
    for kind, label in _OPEN.items():
        columns[f"当前{label}"] = latest[latest["kind"] == kind].groupby("committee").size()
    committees = sorted(
        {str(c) for s in columns.values() for c in s.index}
        | set(
            c
            for (c,) in reg.conn.execute(
                "SELECT DISTINCT committee FROM person_rows WHERE committee != ''"
            )
        )
    )
    out = pd.DataFrame({k: s.reindex(committees, fill_value=0) for k, s in columns.items()})
    out = out.fillna(0).astype(int)
    out.loc["合计"] = out.sum()
    return out.rename_axis("居委").reset_index()[REGISTER_PROGRESS_COLUMNS], since

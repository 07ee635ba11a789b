"""Deadline statistics (seed 003): collected within 3 working days of a change,
entered into the police system within 2 working days of collection.

Input: one row per matched or to-enter field record, with the columns

* ``committee``     居委;
* ``arrived_on``    来沪日期, the date of the change (arrival, change, departure);
* ``collected_on``  采集日期;
* ``registered_on`` 系统登记日期, empty when the person is not in the system yet.

Dates are ISO strings (other forms :func:`recon.normalize.values.parse_date`
accepts are read too); empty or unreadable means unknown. Working days are
counted by :meth:`WorkCalendar.workdays_after`: the working days strictly
after the first date up to and including the second.

Collection on time (采集及时)
    Base: rows with both ``arrived_on`` and ``collected_on``, with
    ``arrived_on >= since`` when ``since`` is given, and ``collected_on >=
    arrived_on``. On time when ``workdays_after(arrived_on, collected_on) <=
    collect_days``. Rows collected before the change happened are 日期矛盾:
    counted apart, never on time, not in the base.

Entry on time (录入及时)
    Base: rows with ``collected_on`` and ``registered_on`` and ``registered_on
    >= collected_on`` (an entry made for this collection), on time when
    ``workdays_after(collected_on, registered_on) <= enter_days``; plus rows
    collected but not registered (未录入) once more than ``enter_days``
    working days have passed since collection as of ``as_of``: those are
    late. Not registered and not yet past the deadline: 未到期, not in the
    base. Registered before collection: an existing registration, not a new
    entry: 采集前已登记, not in the base. ``since`` does not apply here.

Rates are 及时数 / 应及时数, NaN when the base is 0.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from recon.normalize.values import parse_date
from recon.workdays import WorkCalendar

__all__ = ["DEADLINE_COLUMNS", "NO_COMMITTEE", "deadline_note", "deadline_stats"]

INPUT_COLUMNS = ("committee", "arrived_on", "collected_on", "registered_on")
DEADLINE_COLUMNS = [
    "居委",
    "采集应及时数",
    "采集及时数",
    "采集及时率",
    "录入应及时数",
    "录入及时数",
    "录入及时率",
    "日期矛盾",
    "采集前已登记",
    "未到期",
]
_COUNTS = [c for c in DEADLINE_COLUMNS if c != "居委" and not c.endswith("率")]
TOTAL = "合计"
NO_COMMITTEE = "（未识别居委）"


def deadline_note(
    collect_days: int = 3,
    enter_days: int = 2,
    since: _dt.date | None = None,
    as_of: _dt.date | None = None,
) -> str:
    """The definitions behind :func:`deadline_stats`, in Chinese, for printing."""
    as_of = as_of or _dt.date.today()
    scope = f"，且变动日期在 {since.isoformat()} 及以后" if since else ""
    return "\n".join(
        [
            "说明：",
            "1. 工作日按国家法定节假日和调休安排计算（含 --workdays 文件补充的日期）；"
            "“N 个工作日内”从变动（或采集）的次日算起，当天或下一个工作日完成都算及时。",
            f"2. 采集及时：统计同时有来沪（变动）日期和采集日期{scope}的记录，"
            f"采集日期在变动日期后 {collect_days} 个工作日内为及时；"
            "采集日期早于变动日期的计为「日期矛盾」，不计入及时率。",
            f"3. 录入及时：统计有采集日期和系统登记日期、且登记不早于采集的记录，"
            f"登记日期在采集日期后 {enter_days} 个工作日内为及时；"
            "登记早于采集的是原有登记，计为「采集前已登记」，不计入。"
            f"尚未录入系统的记录：截至 {as_of.isoformat()} 已超过 {enter_days} 个工作日的"
            "计为录入不及时，未超过的计为「未到期」，不计入。",
            "4. 及时率 = 及时数 ÷ 应及时数；应及时数为 0 时留空。",
        ]
    )


def _days(values: pd.Series) -> np.ndarray:
    """datetime64[D] from a column of date texts (NaT where empty or unreadable)."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return np.asarray(values.to_numpy(), dtype="datetime64[D]")
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    parsed = np.array(
        [np.datetime64(iso or "NaT", "D") for iso in (parse_date(v) for v in uniques)]
        + [np.datetime64("NaT", "D")],  # where code -1 (a missing value) points
        dtype="datetime64[D]",
    )
    return parsed[codes]


def _only(rows: np.ndarray, days: np.ndarray) -> np.ndarray:
    """``days`` where ``rows`` holds, NaT elsewhere: rows left out of a count do not
    widen the calendar's span (nor add fallback years to its warning)."""
    return np.where(rows, days, np.datetime64("NaT", "D"))


def deadline_stats(
    frame: pd.DataFrame,
    calendar: WorkCalendar,
    collect_days: int = 3,
    enter_days: int = 2,
    since: _dt.date | None = None,
    as_of: _dt.date | None = None,
) -> pd.DataFrame:
    """Per 居委 and a 合计 row: collection and entry on time (see the module doc).

    Columns: :data:`DEADLINE_COLUMNS`. Committees are sorted, the unnamed
    one (:data:`NO_COMMITTEE`) last, then 合计. ``as_of`` (default today)
    decides whether a record not yet entered is late or not yet due.
    """
    missing = [c for c in INPUT_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"deadline_stats: missing input columns {missing}")
    if collect_days < 0 or enter_days < 0:
        raise ValueError("deadline_stats: collect_days and enter_days must be >= 0")
    as_of = as_of or _dt.date.today()

    arrived = _days(frame["arrived_on"])
    collected = _days(frame["collected_on"])
    registered = _days(frame["registered_on"])
    has_arrived, has_collected, has_registered = (
        ~np.isnat(arrived),
        ~np.isnat(collected),
        ~np.isnat(registered),
    )

    # collection
    collection = has_arrived & has_collected
    if since is not None:
        collection &= arrived >= np.datetime64(since, "D")
    contradiction = collection & (collected < arrived)
    collect_due = collection & (collected >= arrived)
    collect_ok = collect_due & (
        calendar.workdays_after_many(_only(collect_due, arrived), collected) <= collect_days
    )

    # entry: registered after collection, or still waiting
    both = has_collected & has_registered
    registered_before = both & (registered < collected)
    entered = both & (registered >= collected)
    enter_ok = entered & (
        calendar.workdays_after_many(_only(entered, collected), registered) <= enter_days
    )
    waiting = has_collected & ~has_registered
    today = np.full(len(frame), np.datetime64(as_of, "D"), dtype="datetime64[D]")
    waited = calendar.workdays_after_many(_only(waiting, collected), today)
    overdue = waiting & (waited > enter_days)
    not_due = waiting & ~overdue

    flags = pd.DataFrame(
        {
            "采集应及时数": collect_due,
            "采集及时数": collect_ok,
            "录入应及时数": entered | overdue,
            "录入及时数": enter_ok,
            "日期矛盾": contradiction,
            "采集前已登记": registered_before,
            "未到期": not_due,
        }
    )
    committee = frame["committee"].astype("string").fillna("").str.strip().to_numpy(dtype=object)
    counts = flags.groupby(committee, sort=False).sum()
    order = sorted(counts.index, key=lambda c: (c == "", c))
    per_committee = counts.reindex(order).reindex(columns=_COUNTS).astype("int64")
    total = per_committee.sum().to_frame().T  # zeros when there are no rows
    table = pd.concat([per_committee, total]).astype("int64")
    table.index = pd.Index([c or NO_COMMITTEE for c in order] + [TOTAL])
    for what in ("采集", "录入"):
        base = table[f"{what}应及时数"]
        table[f"{what}及时率"] = (table[f"{what}及时数"] / base.where(base > 0)).astype("float64")
    table = table.rename_axis("居委").reset_index()
    return table[DEADLINE_COLUMNS]

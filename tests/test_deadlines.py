"""Deadline statistics: collected within 3 working days, entered within 2.

Generated rows are checked against counts computed here independently: a
plain loop over the rows that asks ``chinese_calendar`` about each day.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from functools import cache

import chinese_calendar
import numpy as np
import pandas as pd
import pytest

from recon.audit._deadlines import DEADLINE_COLUMNS, deadline_note, deadline_stats
from recon.workdays import WorkCalendar

D = dt.date
CALENDAR = WorkCalendar()


def library_knows_2027() -> bool:
    try:
        chinese_calendar.is_workday(D(2027, 1, 1))
    except NotImplementedError:
        return False
    return True


COUNTS = [c for c in DEADLINE_COLUMNS if c != "居委" and not c.endswith("率")]


def rows(*records: tuple[str, str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        records, columns=["committee", "arrived_on", "collected_on", "registered_on"]
    )


def line(table: pd.DataFrame, committee: str = "合计") -> dict[str, object]:
    return table.set_index("居委").loc[committee].to_dict()


# --- generated rows with known truth ----------------------------------------------------


@cache
def count_workdays(start: dt.date, end: dt.date) -> int:
    """Working days d with start < d <= end, straight from chinese_calendar."""
    n, day = 0, start + dt.timedelta(days=1)
    while day <= end:
        n += chinese_calendar.is_workday(day)
        day += dt.timedelta(days=1)
    return n


def expected_table(
    records: list[tuple[str, dt.date | None, dt.date | None, dt.date | None]],
    collect_days: int,
    enter_days: int,
    since: dt.date | None,
    as_of: dt.date,
) -> pd.DataFrame:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    for committee, arrived, collected, registered in records:
        c = counts[committee]
        if arrived and collected and (since is None or arrived >= since):
            if collected < arrived:
                c["日期矛盾"] += 1
            else:
                c["采集应及时数"] += 1
                c["采集及时数"] += count_workdays(arrived, collected) <= collect_days
        if collected and registered:
            if registered < collected:
                c["采集前已登记"] += 1
            else:
                c["录入应及时数"] += 1
                c["录入及时数"] += count_workdays(collected, registered) <= enter_days
        elif collected:
            if count_workdays(collected, as_of) > enter_days:
                c["录入应及时数"] += 1
            else:
                c["未到期"] += 1
    order = sorted(counts, key=lambda k: (k == "", k))
    out = [{"居委": k or "（未识别居委）", **counts[k]} for k in order]
    out.append({"居委": "合计", **{col: sum(counts[k][col] for k in order) for col in COUNTS}})
    table = pd.DataFrame(out, columns=["居委", *COUNTS])
    for what in ("采集", "录入"):
        table[f"{what}及时率"] = [
            ok / base if base else math.nan
            for ok, base in zip(table[f"{what}及时数"], table[f"{what}应及时数"], strict=True)
        ]
    return table[DEADLINE_COLUMNS].astype({c: "int64" for c in COUNTS})


def random_records(seed: int, n: int) -> list[tuple[str, D | None, D | None, D | None]]:
    rng = np.random.default_rng(seed)
    committees = ["古美一居", "古美二居", "平阳三居", "万源四居", ""]
    # around National Day 2024, Spring Festival 2025 and the end of 2026
    anchors = [D(2024, 9, 20), D(2025, 1, 15), D(2026, 11, 10)]
    records = []
    for _ in range(n):
        anchor = anchors[rng.integers(len(anchors))]
        arrived = anchor + dt.timedelta(days=int(rng.integers(0, 25)))
        collected = arrived + dt.timedelta(days=int(rng.integers(-3, 15)))
        registered = collected + dt.timedelta(days=int(rng.integers(-6, 10)))
        records.append(
            (
                str(committees[rng.integers(len(committees))]),
                None if rng.random() < 0.1 else arrived,
                None if rng.random() < 0.1 else collected,
                None if rng.random() < 0.3 else registered,
            )
        )
    return records


def as_frame(records: list[tuple[str, D | None, D | None, D | None]]) -> pd.DataFrame:
    return rows(*((c, *(d.isoformat() if d else "" for d in ds)) for c, *ds in records))


@pytest.mark.parametrize(
    ("seed", "collect_days", "enter_days", "since", "as_of"),
    [
        (1, 3, 2, None, D(2026, 11, 21)),
        (2, 3, 2, D(2025, 1, 20), D(2026, 12, 4)),
        (3, 1, 0, None, D(2025, 2, 6)),
        (4, 5, 4, D(2024, 10, 1), D(2026, 12, 10)),
    ],
)
def test_generated_rows_match_an_independent_count(seed, collect_days, enter_days, since, as_of):
    records = random_records(seed, 1500)
    got = deadline_stats(
        as_frame(records), CALENDAR, collect_days, enter_days, since=since, as_of=as_of
    )
    want = expected_table(records, collect_days, enter_days, since, as_of)
    pd.testing.assert_frame_equal(got, want)
    # the generator reaches every kind of row
    total = line(got)
    assert all(total[c] > 0 for c in COUNTS), total


# --- hand cases --------------------------------------------------------------------------


def test_collection_boundary_across_national_day():
    table = deadline_stats(
        rows(
            ("甲居委", "2024-09-30", "2024-10-09", ""),  # 2 working days
            ("甲居委", "2024-09-30", "2024-10-10", ""),  # 3: the last day within
            ("甲居委", "2024-09-30", "2024-10-11", ""),  # 4: late
            ("甲居委", "2024-09-30", "2024-09-30", ""),  # the same day
        ),
        CALENDAR,
        as_of=D(2024, 10, 11),
    )
    got = line(table, "甲居委")
    assert (got["采集应及时数"], got["采集及时数"], got["采集及时率"]) == (4, 3, 0.75)


def test_collected_before_the_change_is_a_contradiction_not_on_time():
    table = deadline_stats(
        rows(("甲居委", "2024-10-10", "2024-10-08", "2024-10-08")), CALENDAR, as_of=D(2024, 12, 1)
    )
    got = line(table)
    assert got["日期矛盾"] == 1
    assert got["采集应及时数"] == 0 and got["采集及时数"] == 0
    assert math.isnan(got["采集及时率"])
    # entry is judged on its own: entered on the day of collection
    assert (got["录入应及时数"], got["录入及时数"]) == (1, 1)


def test_registered_before_collection_is_not_a_new_entry():
    table = deadline_stats(
        rows(
            ("甲居委", "2024-10-08", "2024-10-09", "2021-03-01"),
            ("甲居委", "2024-10-08", "2024-10-09", "2024-10-09"),  # the same day: an entry
        ),
        CALENDAR,
        as_of=D(2024, 12, 1),
    )
    got = line(table)
    assert got["采集前已登记"] == 1
    assert (got["录入应及时数"], got["录入及时数"], got["录入及时率"]) == (1, 1, 1.0)


@pytest.mark.parametrize(
    ("as_of", "due", "not_due"),
    [
        (D(2024, 9, 30), 0, 1),  # the day of collection
        (D(2024, 10, 7), 0, 1),  # holidays only
        (D(2024, 10, 9), 0, 1),  # 2 working days: still in time
        (D(2024, 10, 10), 1, 0),  # 3: overdue
        (D(2024, 9, 1), 0, 1),  # as_of before collection
    ],
)
def test_not_entered_is_overdue_only_after_the_deadline(as_of, due, not_due):
    table = deadline_stats(rows(("甲居委", "", "2024-09-30", "")), CALENDAR, as_of=as_of)
    got = line(table)
    assert (got["录入应及时数"], got["录入及时数"], got["未到期"]) == (due, 0, not_due)
    assert got["录入及时率"] == 0.0 if due else math.isnan(got["录入及时率"])


def test_as_of_defaults_to_today():
    long_ago = rows(("甲居委", "", "2020-01-02", ""))
    assert line(deadline_stats(long_ago, CALENDAR))["录入应及时数"] == 1
    today = rows(("甲居委", "", dt.date.today().isoformat(), ""))
    assert line(deadline_stats(today, CALENDAR))["未到期"] == 1


def test_since_limits_collection_only():
    table = deadline_stats(
        rows(
            ("甲居委", "2019-05-01", "2024-10-09", "2024-10-10"),  # an old resident
            ("甲居委", "2024-09-30", "2024-10-09", "2024-10-10"),
            ("甲居委", "2024-09-01", "2024-08-30", ""),  # arrived on `since`: a contradiction
        ),
        CALENDAR,
        since=D(2024, 9, 1),
        as_of=D(2024, 8, 30),
    )
    got = line(table)
    assert (got["采集应及时数"], got["采集及时数"], got["日期矛盾"]) == (1, 1, 1)
    assert (got["录入应及时数"], got["录入及时数"], got["未到期"]) == (2, 2, 1)
    without = line(deadline_stats(rows(("甲", "2019-05-01", "2024-10-09", "")), CALENDAR))
    assert (without["采集应及时数"], without["采集及时数"]) == (1, 0)


def test_unknown_dates_are_left_out():
    table = deadline_stats(
        rows(
            ("甲居委", "", "2024-10-09", "2024-10-10"),  # no arrival date
            ("甲居委", "2024-10-08", "", "2024-10-10"),  # no collection date
            ("甲居委", "不详", "2024-10-09", ""),  # unreadable: unknown
        ),
        CALENDAR,
        as_of=D(2024, 10, 9),
    )
    got = line(table)
    assert got["采集应及时数"] == 0
    assert (got["录入应及时数"], got["录入及时数"], got["未到期"]) == (1, 1, 1)


def test_other_date_forms_and_datetime_columns():
    frame = rows(("甲居委", "2024年9月30日", "2024.10.09", "20241011"))
    got = line(deadline_stats(frame, CALENDAR, as_of=D(2024, 12, 1)))
    assert (got["采集及时数"], got["录入应及时数"], got["录入及时数"]) == (1, 1, 1)
    typed = frame.assign(
        arrived_on=pd.to_datetime(["2024-09-30"]),
        collected_on=pd.to_datetime(["2024-10-09"]),
        registered_on=pd.to_datetime(["2024-10-14"]),  # 4 (make-up Saturday): late
    )
    got = line(deadline_stats(typed, CALENDAR, as_of=D(2024, 12, 1)))
    assert (got["采集及时数"], got["录入应及时数"], got["录入及时数"]) == (1, 1, 0)


@pytest.mark.skipif(
    library_knows_2027(), reason="chinesecalendar now knows 2027: use a later year here"
)
def test_user_days_change_the_result():
    frame = rows(("甲居委", "2026-12-30", "2027-01-04", ""))
    assert line(deadline_stats(frame, WorkCalendar(), collect_days=2))["采集及时数"] == 0
    holiday = WorkCalendar({D(2027, 1, 1): False})
    assert line(deadline_stats(frame, holiday, collect_days=2))["采集及时数"] == 1


def test_rows_left_out_do_not_add_fallback_years():
    frame = rows(
        ("甲居委", "1900-01-01", "2024-10-09", "2024-10-10"),  # a typo, before `since`
        ("甲居委", "2024-10-09", "2024-10-08", "2023-01-01"),  # contradiction, registered before
    )
    calendar = WorkCalendar()
    deadline_stats(frame, calendar, since=D(2024, 1, 1), as_of=D(2024, 12, 1))
    assert calendar.fallback_years == frozenset()
    deadline_stats(frame, calendar, as_of=D(2024, 12, 1))  # now the 1900 row counts
    assert 1900 in calendar.fallback_years


def test_committees_sorted_unnamed_last_total_at_the_end():
    frame = rows(
        ("乙居委", "2024-09-30", "2024-10-09", ""),
        ("", "2024-09-30", "2024-10-09", ""),
        (None, "2024-09-30", "2024-10-09", ""),
        ("甲居委 ", "2024-09-30", "2024-10-09", ""),
        ("甲居委", "2024-09-30", "2024-10-20", ""),
    )
    table = deadline_stats(frame, CALENDAR, as_of=D(2024, 10, 9))
    assert table["居委"].tolist() == ["乙居委", "甲居委", "（未识别居委）", "合计"]
    assert line(table, "甲居委")["采集应及时数"] == 2
    assert line(table, "（未识别居委）")["采集应及时数"] == 2
    assert line(table)["采集应及时数"] == 5
    assert list(table.columns) == DEADLINE_COLUMNS
    assert all(table[c].dtype == "int64" for c in COUNTS)
    assert table["采集及时率"].dtype == "float64" and table["录入及时率"].dtype == "float64"


def test_empty_input_gives_a_zero_total():
    table = deadline_stats(rows(), CALENDAR)
    assert table["居委"].tolist() == ["合计"]
    got = line(table)
    assert all(got[c] == 0 for c in COUNTS)
    assert math.isnan(got["采集及时率"]) and math.isnan(got["录入及时率"])


def test_missing_input_column_is_a_programming_error():
    with pytest.raises(ValueError, match="registered_on"):
        deadline_stats(rows().drop(columns=["registered_on"]), CALENDAR)


def test_note_names_the_parameters():
    note = deadline_note(collect_days=3, enter_days=2, since=D(2026, 1, 1), as_of=D(2026, 11, 21))
    assert note.startswith("说明：")
    assert "3 个工作日内为及时" in note and "2 个工作日内为及时" in note
    assert "2026-01-01" in note and "截至 2026-11-21" in note
    assert "日期矛盾" in note and "采集前已登记" in note and "未到期" in note


def test_a_million_rows():
    rng = np.random.default_rng(7)
    n = 1_000_000
    base = np.datetime64("2024-01-01", "D")
    arrived = base + rng.integers(0, 1000, n).astype("timedelta64[D]")
    collected = arrived + rng.integers(-2, 20, n).astype("timedelta64[D]")
    registered = collected + rng.integers(-5, 10, n).astype("timedelta64[D]")
    frame = pd.DataFrame(
        {
            "committee": rng.choice(["甲", "乙", "丙"], n),
            "arrived_on": arrived.astype(str),
            "collected_on": collected.astype(str),
            "registered_on": np.where(rng.random(n) < 0.2, "", registered.astype(str)),
        }
    )
    table = deadline_stats(frame, WorkCalendar(), as_of=D(2026, 11, 21))
    assert len(table) == 4
    assert line(table)["采集应及时数"] + line(table)["日期矛盾"] == n

"""Working days: China's official calendar, the weekday fallback, the user's file.

The dates in the tables were checked by hand against the State Council's
holiday notices for 2024, 2025 and 2026, and each is checked against
``chinese_calendar`` itself as well.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import chinese_calendar
import numpy as np
import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from recon.errors import InputError
from recon.workdays import WorkCalendar, read_extra_days

D = dt.date


def library_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(D(year, 1, 1))
    except NotImplementedError:
        return False
    return True


# chinesecalendar 1.11 stops at 2026. A release that knows 2027 skips (not fails)
# the cases written for 2027 as an unknown year: move them to the next unknown one.
UNKNOWN_2027 = pytest.mark.skipif(
    library_knows(2027), reason="chinesecalendar now knows 2027: move these cases to a later year"
)

# --- the official calendar ------------------------------------------------------------

OFFICIAL = [
    # 2024
    ("2024 New Year's Day (Monday)", D(2024, 1, 1), False),
    ("2024 Spring Festival make-up Sunday", D(2024, 2, 4), True),
    ("2024 Spring Festival holiday (Monday)", D(2024, 2, 12), False),
    ("2024 Spring Festival make-up Sunday after", D(2024, 2, 18), True),
    ("2024 Labour Day make-up Saturday", D(2024, 5, 11), True),
    ("2024 Mid-Autumn make-up Saturday", D(2024, 9, 14), True),
    ("2024 Mid-Autumn holiday (Tuesday)", D(2024, 9, 17), False),
    ("2024 National Day make-up Sunday", D(2024, 9, 29), True),
    ("2024 the Monday before National Day", D(2024, 9, 30), True),
    ("2024 National Day (Tuesday)", D(2024, 10, 1), False),
    ("2024 National Day holiday (Friday)", D(2024, 10, 4), False),
    ("2024 National Day holiday (Saturday)", D(2024, 10, 5), False),
    ("2024 National Day holiday (Monday)", D(2024, 10, 7), False),
    ("2024 first working day after National Day", D(2024, 10, 8), True),
    ("2024 National Day make-up Saturday", D(2024, 10, 12), True),
    ("2024 an ordinary Sunday", D(2024, 10, 13), False),
    # 2025
    ("2025 New Year's Day (Wednesday)", D(2025, 1, 1), False),
    ("2025 Spring Festival make-up Sunday", D(2025, 1, 26), True),
    ("2025 Spring Festival's Eve (Tuesday)", D(2025, 1, 28), False),
    ("2025 Spring Festival holiday (Tuesday)", D(2025, 2, 4), False),
    ("2025 first working day after Spring Festival", D(2025, 2, 5), True),
    ("2025 Spring Festival make-up Saturday", D(2025, 2, 8), True),
    ("2025 Labour Day make-up Sunday", D(2025, 4, 27), True),
    ("2025 Labour Day holiday (Monday)", D(2025, 5, 5), False),
    ("2025 Dragon Boat holiday (Monday)", D(2025, 6, 2), False),
    ("2025 National Day make-up Sunday", D(2025, 9, 28), True),
    ("2025 National Day / Mid-Autumn holiday (Wednesday)", D(2025, 10, 8), False),
    ("2025 National Day make-up Saturday", D(2025, 10, 11), True),
    # 2026
    ("2026 New Year holiday (Friday)", D(2026, 1, 2), False),
    ("2026 New Year make-up Sunday", D(2026, 1, 4), True),
    ("2026 Spring Festival make-up Saturday before", D(2026, 2, 14), True),
    ("2026 Spring Festival holiday (Monday)", D(2026, 2, 16), False),
    ("2026 Spring Festival holiday (Monday after)", D(2026, 2, 23), False),
    ("2026 first working day after Spring Festival", D(2026, 2, 24), True),
    ("2026 Spring Festival make-up Saturday after", D(2026, 2, 28), True),
    ("2026 Qingming holiday (Monday)", D(2026, 4, 6), False),
    ("2026 Labour Day holiday (Tuesday)", D(2026, 5, 5), False),
    ("2026 Labour Day make-up Saturday", D(2026, 5, 9), True),
    ("2026 Dragon Boat Festival (Friday)", D(2026, 6, 19), False),
    ("2026 National Day make-up Sunday", D(2026, 9, 20), True),
    ("2026 Mid-Autumn Festival (Friday)", D(2026, 9, 25), False),
    ("2026 National Day holiday (Wednesday)", D(2026, 10, 7), False),
    ("2026 National Day make-up Saturday", D(2026, 10, 10), True),
    ("2026 an ordinary Friday", D(2026, 11, 20), True),
    ("2026 an ordinary Saturday", D(2026, 11, 21), False),
    ("2026 the last day the library knows (Thursday)", D(2026, 12, 31), True),
]


@pytest.mark.parametrize(("description", "day", "expected"), OFFICIAL)
def test_official_days(description, day, expected):
    assert chinese_calendar.is_workday(day) is expected, "the table disagrees with the library"
    calendar = WorkCalendar.load()
    assert calendar.is_workday(day) is expected
    assert calendar.fallback_years == frozenset()


def test_every_day_the_library_knows_agrees_with_it():
    calendar = WorkCalendar()
    day = D(2004, 1, 1)
    while day <= D(2026, 12, 31):
        assert calendar.is_workday(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)
    assert calendar.fallback_years == frozenset()


AFTER = [
    ("same day", D(2024, 9, 30), D(2024, 9, 30), 0),
    ("end before start", D(2024, 10, 9), D(2024, 9, 30), 0),
    ("next working day", D(2024, 9, 30), D(2024, 10, 8), 1),
    ("across National Day 2024: Oct 8 and 9 only", D(2024, 9, 30), D(2024, 10, 9), 2),
    ("the last day within 3", D(2024, 9, 30), D(2024, 10, 10), 3),
    ("one day late", D(2024, 9, 30), D(2024, 10, 11), 4),
    ("the make-up Saturday counts", D(2024, 9, 30), D(2024, 10, 12), 5),
    ("Friday to the make-up Sunday", D(2024, 9, 27), D(2024, 9, 29), 1),
    ("a plain weekend", D(2024, 11, 22), D(2024, 11, 25), 1),
    ("Spring Festival 2025", D(2025, 1, 24), D(2025, 2, 5), 3),
    ("Spring Festival 2026", D(2026, 2, 13), D(2026, 2, 24), 2),
    ("a whole ordinary week", D(2024, 11, 17), D(2024, 11, 24), 5),
    ("across a year end", D(2025, 12, 30), D(2026, 1, 5), 3),  # Dec 31, Jan 4 (Sun), Jan 5
]


@pytest.mark.parametrize(("description", "start", "end", "expected"), AFTER)
def test_workdays_after(description, start, end, expected):
    calendar = WorkCalendar.load()
    assert calendar.workdays_after(start, end) == expected
    many = calendar.workdays_after_many(
        np.array([start], dtype="datetime64[D]"), np.array([end], dtype="datetime64[D]")
    )
    assert many.tolist() == [expected]


def test_datetimes_count_as_their_day():
    calendar = WorkCalendar()
    assert calendar.workdays_after(dt.datetime(2024, 9, 30, 18), dt.datetime(2024, 10, 9, 8)) == 2
    assert calendar.is_workday(dt.datetime(2024, 10, 12, 9)) is True


# --- years the library does not know ---------------------------------------------------


@UNKNOWN_2027
def test_2027_falls_back_to_weekdays_and_is_reported():
    calendar = WorkCalendar.load()
    assert calendar.fallback_years == frozenset()
    assert calendar.fallback_warning() == ""
    assert calendar.is_workday(D(2027, 1, 1)) is True  # a Friday, whatever the notice says
    assert calendar.is_workday(D(2027, 1, 2)) is False  # a Saturday
    assert calendar.fallback_years == {2027}
    assert calendar.fallback_warning() == (
        "2027 年的节假日安排不在日历库中，按周一至周五计算；可用 --workdays 文件补充"
    )
    # Dec 31 2026 (library) + Jan 1 and Jan 4 2027 (weekdays)
    assert calendar.workdays_after(D(2026, 12, 30), D(2027, 1, 4)) == 3


def test_a_year_no_library_will_know_falls_back():
    calendar = WorkCalendar()
    assert not library_knows(2100)
    assert calendar.is_workday(D(2100, 1, 1)) is True  # a Friday
    assert calendar.workdays_after(D(2100, 1, 1), D(2100, 1, 8)) == 5
    assert calendar.fallback_years == {2100}
    assert calendar.fallback_warning().startswith("2100 年的节假日安排不在日历库中")


@UNKNOWN_2027
def test_years_before_the_library_fall_back_too():
    calendar = WorkCalendar()
    assert calendar.is_workday(D(2003, 10, 1)) is True  # a Wednesday, no data
    calendar.workdays_after(D(2027, 12, 30), D(2029, 1, 2))
    assert calendar.fallback_years == {2003, 2027, 2028, 2029}
    assert calendar.fallback_warning().startswith("2003、2027–2029 年的节假日安排")


@UNKNOWN_2027
def test_many_reports_fallback_years_of_the_span():
    calendar = WorkCalendar()
    calendar.workdays_after_many(
        np.array(["2026-12-01", "NaT"], dtype="datetime64[D]"),
        np.array(["2027-01-15", "2030-01-01"], dtype="datetime64[D]"),
    )
    assert calendar.fallback_years == {2027}


# --- the user's file -------------------------------------------------------------------


def write_csv(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes("\r\n".join(lines).encode(encoding) + b"\r\n")
    return path


USER_LINES = [
    "日期,类型,备注",
    "2027-01-01,放假,元旦",
    "2027年2月6日,调休上班,春节前补班",
    "2027.02.08,节假日,",
    "",  # a blank row is skipped
    "20261001,上班,一个改成上班的国庆日",
    "2026/11/20,休息,一个改成休息的周五",
    "46387,休息,Excel 序列号 = 2026-12-31",
]


def check_user_days(calendar: WorkCalendar) -> None:
    assert calendar.is_workday(D(2027, 1, 1)) is False  # a Friday the user made a holiday
    assert calendar.is_workday(D(2027, 2, 6)) is True  # a Saturday the user made a working day
    assert calendar.is_workday(D(2027, 2, 8)) is False
    assert calendar.is_workday(D(2027, 2, 9)) is True  # not listed: Monday-Friday
    assert calendar.is_workday(D(2026, 10, 1)) is True  # the user beats the library
    assert calendar.is_workday(D(2026, 11, 20)) is False
    assert calendar.is_workday(D(2026, 12, 31)) is False
    assert calendar.is_workday(D(2026, 10, 2)) is False  # not listed: the library
    # Dec 30 2026 -> Jan 4 2027: Dec 31 and Jan 1 are off, Jan 4 works
    assert calendar.workdays_after(D(2026, 12, 30), D(2027, 1, 4)) == 1
    # the user covered 2027: no warning for it
    assert calendar.fallback_years == frozenset()
    assert len(calendar.extra_days) == 6


@UNKNOWN_2027
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_user_csv_beats_library_and_fallback(tmp_path, encoding):
    path = write_csv(tmp_path / f"节假日_{encoding}.csv", USER_LINES, encoding)
    check_user_days(WorkCalendar.load(path))


@UNKNOWN_2027
def test_user_xlsx_with_date_cells(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2027年安排"
    ws.append(["日期", "类型", "备注"])
    ws.append([dt.datetime(2027, 1, 1), "放假", "元旦"])
    ws.append(["2027年2月6日", " 调休上班 ", None])
    ws.append([20270208, "节假日", None])
    ws.append([None, None, None])
    ws.append([dt.date(2026, 10, 1), "上班", None])
    ws.append(["2026-11-20", "休息", None])
    ws.append([46387, "休息", "序列号"])
    path = tmp_path / "节假日补充.xlsx"
    wb.save(path)
    check_user_days(WorkCalendar.load(path))


@UNKNOWN_2027
def test_user_year_covered_only_by_the_file_is_not_a_fallback(tmp_path):
    path = write_csv(tmp_path / "days.csv", ["日期,类型", "2027-10-01,放假"])
    calendar = WorkCalendar.load(path)
    calendar.workdays_after(D(2026, 12, 1), D(2028, 1, 3))
    assert calendar.fallback_years == {2028}


def test_same_day_listed_twice_with_the_same_kind_is_fine(tmp_path):
    path = write_csv(tmp_path / "days.csv", ["日期,类型", "2027-10-01,放假", "2027/10/1,节假日"])
    assert read_extra_days(path) == {D(2027, 10, 1): False}


def test_columns_in_another_order_with_a_title_row(tmp_path):
    path = write_csv(
        tmp_path / "days.csv", ["2027年节假日补充,,", "说明,类型,日期", ",上班,2027-02-06"]
    )
    assert read_extra_days(path) == {D(2027, 2, 6): True}


@pytest.mark.parametrize(
    ("word", "work"),
    [
        ("放假", False),
        ("休息", False),
        ("节假日", False),
        ("休假", False),
        ("上班", True),
        ("调休上班", True),
        ("工作日", True),
        ("补班", True),
        (" 上 班 ", True),  # spaces do not matter
    ],
)
def test_kind_words(tmp_path, word, work):
    path = write_csv(tmp_path / "days.csv", ["日期,类型", f"2027-05-01,{word}"])
    assert read_extra_days(path) == {D(2027, 5, 1): work}


def test_sheets_without_the_header_are_ignored_and_bad_rows_name_the_sheet(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "填写说明"
    wb.active.append(["每行一个日期"])
    ws = wb.create_sheet("2027")
    ws.append(["日期", "类型"])
    ws.append(["2027-01-01", "放假"])
    ws.append(["2027-01-32", "放假"])
    path = tmp_path / "two_sheets.xlsx"
    wb.save(path)
    message = error_of(path)
    assert "工作表「2027」" in message and "第 3 行：日期「2027-01-32」无法识别" in message
    ws.delete_rows(3)
    wb.save(path)
    assert read_extra_days(path) == {D(2027, 1, 1): False}


# --- bad user files --------------------------------------------------------------------


def error_of(path: Path) -> str:
    with pytest.raises(InputError) as info:
        WorkCalendar.load(path)
    message = str(info.value)
    assert f"文件「{path.name}」" in message
    return message


def test_every_bad_row_is_reported_at_once(tmp_path):
    path = write_csv(
        tmp_path / "bad_rows.csv",
        [
            "日期,类型",
            "2027-01-01,放假",
            "2027-13-01,放假",  # row 3: no such month
            "2027-02-06,调休",  # row 4: ambiguous word
            "2027-02-07,",  # row 5: no kind
            ",上班",  # row 6: no date
            "明天,休",  # row 7: both bad
            "2027/1/1,上班",  # row 8: contradicts row 2
        ],
    )
    message = error_of(path)
    assert "有 6 行无法使用" in message
    assert "第 3 行：日期「2027-13-01」无法识别" in message
    assert "第 4 行：类型「调休」分不清是放假还是上班" in message
    assert "第 5 行：类型为空" in message
    assert "第 6 行：日期为空" in message
    assert "第 7 行：日期「明天」无法识别，类型「休」无法识别" in message
    assert "第 8 行：日期 2027-01-01 与第 2 行的类型相反" in message
    assert "放假/休息/节假日" in message and "上班/调休上班/工作日" in message  # what to do
    assert "第 2 行" not in message.split("第 8 行")[0]  # the good row is not blamed


def test_bad_rows_in_an_xlsx_are_excel_rows(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["日期", "类型"])
    ws.append([dt.date(2027, 1, 1), "放假"])
    ws.append([None, None])
    ws.append(["2027-02-30", "上班"])
    path = tmp_path / "bad_date.xlsx"
    wb.save(path)
    message = error_of(path)
    assert "第 4 行：日期「2027-02-30」无法识别" in message


def test_missing_column_lists_the_columns_found(tmp_path):
    path = write_csv(tmp_path / "missing_column.csv", ["日期,备注", "2027-01-01,元旦"])
    message = error_of(path)
    assert "找不到列「类型」" in message
    assert "日期、备注" in message


def test_no_header_at_all(tmp_path):
    path = write_csv(tmp_path / "no_header.csv", ["2027-01-01,放假"])
    message = error_of(path)
    assert "找不到列「日期」、「类型」" in message
    assert "2027-01-01、放假" in message


def test_empty_csv(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert "文件是空的" in error_of(path)


def test_empty_xlsx(tmp_path):
    path = tmp_path / "empty_sheet.xlsx"
    openpyxl.Workbook().save(path)
    assert "没有内容" in error_of(path)


def test_header_only(tmp_path):
    path = write_csv(tmp_path / "header_only.csv", ["日期,类型"])
    assert "只有表头" in error_of(path)


def test_missing_file(tmp_path):
    assert "找不到" in error_of(tmp_path / "nowhere.csv")


def test_unsupported_suffix(tmp_path):
    path = tmp_path / "days.docx"
    path.write_bytes(b"x")
    assert "不支持的文件类型" in error_of(path)


# --- the vectorised count ---------------------------------------------------------------

SHARED = WorkCalendar()
maybe_day = st.one_of(st.none(), st.dates(min_value=D(2023, 1, 1), max_value=D(2028, 12, 31)))


def as_array(days: list[dt.date | None]) -> np.ndarray:
    return np.array([np.datetime64(d, "D") if d else np.datetime64("NaT") for d in days])


@given(st.lists(st.tuples(maybe_day, maybe_day), max_size=40))
def test_many_equals_scalar(pairs):
    starts = [a for a, _ in pairs]
    ends = [b for _, b in pairs]
    got = SHARED.workdays_after_many(as_array(starts), as_array(ends))
    expected = [-1 if a is None or b is None else SHARED.workdays_after(a, b) for a, b in pairs]
    assert got.dtype == np.int64
    assert got.tolist() == expected


def test_many_accepts_other_units_and_rejects_mismatched_shapes():
    calendar = WorkCalendar()
    got = calendar.workdays_after_many(
        np.array(["2024-09-30T10:00"], dtype="datetime64[m]"),
        np.array(["2024-10-09T23:59"], dtype="datetime64[ns]"),
    )
    assert got.tolist() == [2]
    assert calendar.workdays_after_many(np.array([], "datetime64[D]"), []).tolist() == []
    with pytest.raises(ValueError):
        calendar.workdays_after_many(np.array(["2024-01-01"], "datetime64[D]"), [])


@UNKNOWN_2027
def test_200k_rows():
    rng = np.random.default_rng(3)
    n = 200_000
    base = np.datetime64("2023-01-01", "D")
    starts = base + rng.integers(0, 4 * 365, n).astype("timedelta64[D]")
    ends = starts + rng.integers(-5, 60, n).astype("timedelta64[D]")
    starts[::97] = np.datetime64("NaT")
    calendar = WorkCalendar()
    got = calendar.workdays_after_many(starts, ends)
    assert got.shape == (n,)
    assert (got[::97] == -1).all()
    for i in range(1, n, 4001):
        if np.isnat(starts[i]):
            continue
        a, b = starts[i].astype(dt.date), ends[i].astype(dt.date)
        assert got[i] == calendar.workdays_after(a, b)
    assert calendar.fallback_years == {2027}

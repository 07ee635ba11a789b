"""Working days in China: official holidays and make-up working days (调休).

Which days are working days is decided, in this order:

1. the user's extra-days file (``--workdays``), when it lists the day;
2. ``chinesecalendar`` (import ``chinese_calendar``), for the years it knows
   (2004-2026 in version 1.11; it raises ``NotImplementedError`` outside);
3. plain Monday-Friday. Such a year is remembered in
   :attr:`WorkCalendar.fallback_years` so the caller can warn, unless the
   user's file lists at least one day of that year (the user has then taken
   care of that year's holidays).

Counting: ``workdays_after(start, end)`` is the number of working days ``d``
with ``start < d <= end``. "Collected within 3 working days" means
``workdays_after(arrived, collected) <= 3``: the same day and the next
working day both count as within.

The extra-days file is a CSV (UTF-8 with or without BOM, or GBK/GB18030) or
an Excel workbook with the columns 日期 and 类型; 类型 is 放假/休息/节假日 (no
work) or 上班/调休上班/工作日 (work). Dates may be written in any form
:func:`recon.normalize.values.parse_date` accepts.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import chinese_calendar
import numpy as np

from recon.errors import InputError, Where
from recon.loaders import RawSheet, read_file
from recon.normalize.values import parse_date

__all__ = [
    "REST_WORDS",
    "WORK_WORDS",
    "WorkCalendar",
    "read_extra_days",
]

#: 类型 words of the extra-days file: a day off / a working day.
REST_WORDS = ("放假", "休息", "节假日", "休假")
WORK_WORDS = ("上班", "调休上班", "工作日", "补班")

DATE_COLUMN = "日期"
KIND_COLUMN = "类型"

_EPOCH = _dt.date(1970, 1, 1)
_ONE_DAY = _dt.timedelta(days=1)


def _as_date(value: _dt.date) -> _dt.date:
    return value.date() if isinstance(value, _dt.datetime) else value


def _day_number(day: _dt.date) -> int:
    """Days since 1970-01-01, as numpy's datetime64[D] counts them."""
    return (day - _EPOCH).days


def _from_day_number(number: int) -> _dt.date:
    return _EPOCH + _dt.timedelta(days=number)


def _library_year(year: int) -> np.ndarray | None:
    """The library's working-day flags for every day of ``year``, or None."""
    first = _dt.date(year, 1, 1)
    try:
        chinese_calendar.is_workday(first)
    except NotImplementedError:
        return None
    n = (_dt.date(year + 1, 1, 1) - first).days
    return np.fromiter(
        (chinese_calendar.is_workday(first + _dt.timedelta(days=i)) for i in range(n)),
        dtype=bool,
        count=n,
    )


class WorkCalendar:
    """China's working days, with user overrides and a weekday fallback.

    Build it with :meth:`load`; ``WorkCalendar(extra)`` takes the overrides
    as a mapping ``date -> is working day`` directly (tests, callers that
    read the days elsewhere).
    """

    def __init__(self, extra: Mapping[_dt.date, bool] | None = None) -> None:
        self._extra: dict[_dt.date, bool] = {_as_date(d): bool(w) for d, w in (extra or {}).items()}
        self._extra_years = frozenset(d.year for d in self._extra)
        self._years: dict[int, np.ndarray] = {}
        self._fallback: set[int] = set()

    @classmethod
    def load(cls, extra: Path | None = None) -> WorkCalendar:
        """The official calendar, plus the user's extra-days file when given."""
        return cls(read_extra_days(extra) if extra is not None else None)

    # --- what the caller reports ------------------------------------------------------

    @property
    def extra_days(self) -> Mapping[_dt.date, bool]:
        """The user's days (``True`` = working day), read-only."""
        return MappingProxyType(self._extra)

    @property
    def fallback_years(self) -> frozenset[int]:
        """Years looked at so far that neither the library nor the user's file covers.

        For those, plain Monday-Friday was used.
        """
        return frozenset(self._fallback)

    def fallback_warning(self) -> str:
        """The Chinese warning for :attr:`fallback_years`, or '' when there is none."""
        if not self._fallback:
            return ""
        years = _year_runs(sorted(self._fallback))
        return f"{years} 年的节假日安排不在日历库中，按周一至周五计算；可用 --workdays 文件补充"

    # --- single days ------------------------------------------------------------------

    def is_workday(self, d: _dt.date) -> bool:
        """Whether ``d`` is a working day (user file > library > Monday-Friday)."""
        d = _as_date(d)
        return bool(self._year(d.year)[d.timetuple().tm_yday - 1])

    def add(self, start: _dt.date, n: int) -> _dt.date:
        """The ``n``-th working day after ``start`` (a deadline of ``n`` working days)."""
        d, left = _as_date(start), n
        while left > 0:
            d += _dt.timedelta(days=1)
            if self.is_workday(d):
                left -= 1
        return d

    def workdays_after(self, start: _dt.date, end: _dt.date) -> int:
        """The number of working days ``d`` with ``start < d <= end`` (0 if ``end <= start``)."""
        start, end = _as_date(start), _as_date(end)
        if end <= start:
            return 0
        return int(self._flags(_day_number(start) + 1, _day_number(end)).sum())

    # --- whole columns ----------------------------------------------------------------

    def workdays_after_many(self, starts: Any, ends: Any) -> np.ndarray:
        """Element-wise :meth:`workdays_after` over two date arrays.

        ``starts`` and ``ends`` are array-likes of ``datetime64`` (any unit;
        taken as days) of the same length. Returns int64: the count, 0 where
        ``end <= start``, and -1 where either date is NaT (unknown).

        One pass builds the working-day flags over the span of dates present
        and their running total; each row is then one subtraction.
        """
        s = np.asarray(starts, dtype="datetime64[D]")
        e = np.asarray(ends, dtype="datetime64[D]")
        if s.shape != e.shape:
            raise ValueError(f"starts and ends differ in shape: {s.shape} != {e.shape}")
        out = np.full(s.shape, -1, dtype=np.int64)
        known = ~(np.isnat(s) | np.isnat(e))
        if not known.any():
            return out
        si = s[known].astype(np.int64)
        ei = e[known].astype(np.int64)
        lo = int(min(si.min(), ei.min()))
        hi = int(max(si.max(), ei.max()))
        # running[i] = working days in lo .. lo + i (inclusive)
        running = np.cumsum(self._flags(lo, hi), dtype=np.int64)
        counts = running[ei - lo] - running[si - lo]
        out[known] = np.where(ei > si, counts, 0)
        return out

    # --- internals --------------------------------------------------------------------

    def _year(self, year: int) -> np.ndarray:
        """Working-day flags for each day of ``year`` (index = day of year - 1)."""
        flags = self._years.get(year)
        if flags is not None:
            return flags
        library = _library_year(year)
        if library is None:
            first = _dt.date(year, 1, 1).toordinal()
            n = _dt.date(year, 12, 31).toordinal() - first + 1
            weekday = (np.arange(first, first + n) - 1) % 7  # 0001-01-01 was a Monday
            flags = weekday < 5
            if year not in self._extra_years:
                self._fallback.add(year)
        else:
            flags = library
        for day, work in self._extra.items():
            if day.year == year:
                flags[day.timetuple().tm_yday - 1] = work
        flags.setflags(write=False)
        self._years[year] = flags
        return flags

    def _flags(self, lo: int, hi: int) -> np.ndarray:
        """Working-day flags for day numbers ``lo .. hi`` (inclusive; days since 1970)."""
        if hi < lo:
            return np.zeros(0, dtype=bool)
        first, last = _from_day_number(lo), _from_day_number(hi)
        parts = []
        for year in range(first.year, last.year + 1):
            flags = self._year(year)
            a = first.timetuple().tm_yday - 1 if year == first.year else 0
            b = last.timetuple().tm_yday if year == last.year else len(flags)
            parts.append(flags[a:b])
        return np.concatenate(parts)


def _year_runs(years: Iterable[int]) -> str:
    """2004、2027–2028: consecutive years joined into ranges."""
    runs: list[list[int]] = []
    for y in years:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return "、".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)


# --- the user's extra-days file --------------------------------------------------------

_KINDS = {**dict.fromkeys(REST_WORDS, False), **dict.fromkeys(WORK_WORDS, True)}
_SPACE = re.compile(r"\s+")
_HINT = (
    f"请把日期写成 2027-10-01 这样的格式，类型填「{'/'.join(REST_WORDS)}」（不上班）"
    f"或「{'/'.join(WORK_WORDS)}」（上班），改好后重试"
)


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return _SPACE.sub("", unicodedata.normalize("NFKC", str(value)))


def _header_at(raw: RawSheet) -> int | None:
    """0-based index of the row holding 日期 and 类型, among the first rows."""
    for i, row in enumerate(raw.head):
        cells = {_cell(v) for v in row}
        if DATE_COLUMN in cells and KIND_COLUMN in cells:
            return i
    return None


def _first_row(raw: RawSheet) -> tuple[int, list[str]] | None:
    """The first non-empty row: its Excel row number and its non-empty cells."""
    for i, row in enumerate(raw.head):
        cells = [c for c in (_cell(v) for v in row) if c]
        if cells:
            return i + 1, cells
    return None


def read_extra_days(path: Path) -> dict[_dt.date, bool]:
    """The days of a user's extra-days file: ``date -> is a working day``.

    Every bad row (unreadable date, unknown 类型, one of the two empty, the
    same date given both kinds) is reported at once in one :class:`InputError`
    naming the file and the rows as Excel shows them (header = row 1).
    """
    path = Path(path)
    where = Where(file=path.name)
    if not path.is_file():
        raise InputError("找不到节假日补充文件", where, "请检查 --workdays 后面的文件路径")
    sheets = [raw for raw in read_file(path) if not raw.note]
    used = [(raw, h) for raw in sheets if (h := _header_at(raw)) is not None]
    if not used:
        for raw in sheets:
            first = _first_row(raw)
            if first is None:
                continue
            row, cells = first
            missing = "、".join(f"「{c}」" for c in (DATE_COLUMN, KIND_COLUMN) if c not in cells)
            place = f"工作表「{raw.sheet}」第 {row} 行" if raw.sheet else f"第 {row} 行"
            raise InputError(
                f"找不到列{missing}（{place}的列为：{'、'.join(cells)}）",
                where,
                f"请在第一行写上表头「{DATE_COLUMN}」和「{KIND_COLUMN}」，下面每行一个日期",
            )
        raise InputError("文件里没有内容", where, f"请填写「{DATE_COLUMN}」「{KIND_COLUMN}」两列")

    days: dict[_dt.date, bool] = {}
    first_seen: dict[_dt.date, str] = {}
    problems: list[str] = []
    many = len(used) > 1
    for raw, header in used:
        body = raw.body(header + 1)
        columns = {_cell(v): i for i, v in reversed(list(enumerate(raw.head[header])))}
        date_col, kind_col = columns[DATE_COLUMN], columns[KIND_COLUMN]
        dates = body[date_col].tolist() if date_col in body.columns else [None] * len(body)
        kinds = body[kind_col].tolist() if kind_col in body.columns else [None] * len(body)
        for row, date_value, kind_value in zip(body["_row"].tolist(), dates, kinds, strict=True):
            place = f"工作表「{raw.sheet}」第 {row} 行" if many else f"第 {row} 行"
            date_text, kind_text = _cell(date_value), _cell(kind_value)
            if not date_text and not kind_text:
                continue  # a blank row
            iso = parse_date(date_value) if date_text else ""
            bad = []
            if not date_text:
                bad.append("日期为空")
            elif not iso:
                bad.append(f"日期「{date_text}」无法识别")
            if not kind_text:
                bad.append("类型为空")
            elif kind_text == "调休":
                bad.append("类型「调休」分不清是放假还是上班")
            elif kind_text not in _KINDS:
                bad.append(f"类型「{kind_text}」无法识别")
            if bad:
                problems.append(f"{place}：{'，'.join(bad)}")
                continue
            day = _dt.date.fromisoformat(iso)
            work = _KINDS[kind_text]
            if day in days and days[day] != work:
                problems.append(f"{place}：日期 {iso} 与{first_seen[day]}的类型相反")
                continue
            days[day] = work
            first_seen.setdefault(day, place)
    if problems:
        if not many and len(sheets) > 1:  # name the one sheet read among several
            where = Where(file=path.name, sheet=used[0][0].sheet)
        raise InputError(f"有 {len(problems)} 行无法使用：{'；'.join(problems)}", where, _HINT)
    if not days:
        raise InputError("文件里只有表头，没有日期", where, "请在表头下面每行填写一个日期和类型")
    return days

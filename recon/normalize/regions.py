"""Names of ID region codes, by year, from python-stdnum's ``cn/loc`` table.

Source: ``stdnum/cn/loc.dat`` as installed with python-stdnum (2.2 and later,
LGPL-2.1; its data is downloaded by stdnum's ``update/cn_loc.py`` from the
Chinese Wikipedia pages 中华人民共和国行政区划代码 (1区)–(8区)). Nothing of it
is copied into recon: the installed table is read at run time.

The table, as stdnum writes it: a line per province (``31 province="上海市"``)
and under it a line per code of that province, its last four digits and the
names it has had, each with the years it was in use::

    0103 county="[-2011]卢湾区"                    retired in 2011
    0112 county="[1981-]闵行区"                    in use since 1981
    0110 county="[-1991]东郊区,[1992-]东丽区"      renamed in 1992
    0621 county="[-1982]丽水县,[1982-1986]临海县"  given to another county
    0502 county="[1983-1987]城区,[2003-]吴兴区"    unused for years, then reused
    0311 county="[1983-1982]郊区,[1983-1995]旧堡区,[1996-]千山区"

Years are inclusive; an open side means "since the first list" or "still in
use". ``[1983-1982]`` is what stdnum's converter makes of a name used only
for part of 1983 (Wikipedia's "1983-1983年"): read as the year 1983. Names
are listed in string order, not by date. A code's ``XXYY00`` line names its
prefecture (地区/市/州/盟, or a placeholder such as 市辖区) and ``XX0000`` its
province, each with its own years. A few names came from Wikipedia in
traditional characters (加格達奇區): they are shown in simplified characters.

Which year's name? A number's region code is the one in use where the person
was registered when the number was first given -- at birth registration or
later, and never before resident ID numbers began (:data:`NUMBERS_SINCE`).
So the name is the code's name in the birth year, or in 1984 for people
born before then: the same county in all but a few dozen codes, but not for
codes given to another county before 1984 (3326xx was 丽水地区 until 1982,
台州地区 after). A code that came into use after the birth year is normal (the
number was given later); a code retired before the birth year is unusual
(registration after birth would have used the new code) -- a soft finding,
never a rejection, since local offices did keep old codes for a while. (It is
not a typing slip: one wrong digit breaks the check character. Numbers made
up from a full code list, retired codes included, do show it.)
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "NUMBERS_SINCE",
    "Period",
    "RegionName",
    "RegionStatus",
    "code_periods",
    "county_codes",
    "name_breaks",
    "region_known",
    "region_name",
    "same_name_since",
]

# The first resident ID numbers were given in 1984 (the pilot issue of
# 居民身份证 that led to the 1985 regulation); no number carries a code as it
# stood before then.
NUMBERS_SINCE = 1984

_NOW = 9999  # a year after every change: the names in use today

# Prefecture-level lines that are not a place name of their own.
_PLACEHOLDERS = frozenset({"市辖区", "县", "林区"})


@dataclass(frozen=True)
class Period:
    """One name of a code and the years it was in use (inclusive; None: open)."""

    name: str
    start: int | None
    end: int | None

    def holds(self, year: int) -> bool:
        return (self.start is None or self.start <= year) and (self.end is None or year <= self.end)


class RegionStatus:
    """Values of ``RegionName.status`` (plain strings, stable in outputs)."""

    IN_USE = "in_use"  # the code was in use in the year its name is given for
    ISSUED_LATER = "issued_later"  # first used after the birth year: normal
    RETIRED = "retired"  # no longer used in the birth year: a soft finding
    RETIRED_EARLY = "retired_early"  # retired before ID numbers began (1984)
    LATEST = "latest"  # birth year unknown: the code's last name
    UNKNOWN = "unknown"  # not in the table


@dataclass(frozen=True)
class RegionName:
    """The name of a region code for one birth year, in words for a clerk.

    ``name`` is the full name (province, prefecture, county) without any of
    the table's markup; ``year`` the year whose name it is; ``note`` says in
    plain words what else is worth knowing (renamed, retired, given later);
    ``finding`` is a soft warning for the problems list, or "". Without a
    birth year, the code's last name is given, marked （现名） when the code
    has had other names, （停用前的名称） when it is no longer used.
    """

    code: str
    name: str
    status: str
    year: int | None = None
    note: str = ""
    finding: str = ""
    mark: str = ""  # 现名 / 停用前的名称: a name given without a birth year

    @property
    def label(self) -> str:
        """The name as shown to a person, marked when it is not the birth year's."""
        return f"{self.name}（{self.mark}）" if self.name and self.mark else self.name


# --- the table ---------------------------------------------------------------------


def _simplified(name: str) -> str:
    """Traditional characters outside GB 2312 -> simplified (加格達奇區 -> 加格达奇区).

    Characters inside GB 2312 stay: 乾县 and 乾安县 are the real names, which a
    whole-text conversion would turn into 干县. Rare simplified characters
    outside GB 2312 (埇, 硚, 猇 …) are left alone by OpenCC.
    """
    if _in_gb2312(name):  # every character (the codec keeps no state)
        return name
    from recon.normalize._opencc import t2s

    convert = t2s().convert
    return "".join(ch if _in_gb2312(ch) else convert(ch) for ch in name)


def _in_gb2312(text: str) -> bool:
    try:
        text.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _parse_names(value: str) -> tuple[Period, ...]:
    """'[-1991]东郊区,[1992-]东丽区' -> periods in date order, markup removed."""
    periods = []
    for part in value.split(","):
        part = part.strip()
        start = end = None
        if part.startswith("[") and "]" in part:
            years, part = part[1:].split("]", 1)
            low, _, high = years.partition("-")
            start = int(low) if low.strip().isdigit() else None
            end = int(high) if high.strip().isdigit() else None
            if start is not None and end is not None and end < start:
                end = start  # '[1983-1982]': used for part of 1983 only
        name = _simplified(part.strip())
        if name:
            periods.append(Period(name, start, end))
    # by date: open starts first; at equal starts the longer-lasting name last
    big = 10**4
    periods.sort(
        key=lambda p: (
            -big if p.start is None else p.start,
            big if p.end is None else p.end,
        )
    )
    return tuple(periods)


@lru_cache(maxsize=1)
def _table() -> dict[str, tuple[Period, ...]]:
    """Every 6-digit code of the table -> its periods (province lines as XX0000)."""
    from stdnum import numdb

    table: dict[str, tuple[Period, ...]] = {}

    def walk(prefixes: list, head: str, province: str) -> None:
        for length, low, high, props, children in prefixes:
            for n in range(int(low), int(high) + 1):
                code = head + f"{n:0{length}d}"
                prov = props.get("province", province)
                if "province" in props and len(code) >= 2:
                    table.setdefault(code[:2] + "0000", _parse_names(prov))
                if "prefecture" in props and len(code) >= 4:  # stdnum before 2.2
                    table.setdefault(code[:4] + "00", _parse_names(props["prefecture"]))
                if len(code) == 6 and "county" in props:
                    table[code] = _parse_names(props["county"])
                if len(code) < 6:
                    walk(children, code, prov)

    walk(numdb.get("cn/loc").prefixes, "", "")
    return {code: periods for code, periods in table.items() if periods}


def _periods(code: str) -> tuple[Period, ...]:
    return _table().get(code, ())


def code_periods(code: str) -> tuple[Period, ...]:
    """The names a 6-digit code has had, in date order ('' -> ())."""
    return _periods(code)


def county_codes() -> list[str]:
    """Every code of the table that is not a province or prefecture line."""
    return sorted(c for c in _table() if not c.endswith("00"))


def region_known(code: str) -> bool:
    """Whether the table has the 6-digit code (a province code XX0000 always counts)."""
    return code in _table() or (len(code) == 6 and code[2:] == "0000")


# --- a name for a year ---------------------------------------------------------------


def _pick(periods: tuple[Period, ...], year: int) -> tuple[Period, str]:
    """The period for ``year``: in use, else the next to start, else the last.

    Returns the period and how it relates to the year: "in", "later" (the
    code started after the year) or "earlier" (it ended before). When two
    names share a year (a change during it), the newer one is taken.
    """
    holding = [p for p in periods if p.holds(year)]
    if holding:
        return holding[-1], "in"
    later = [p for p in periods if p.start is not None and p.start > year]
    if later:
        return min(later, key=lambda p: p.start or 0), "later"
    return periods[-1], "earlier"


def _part(code: str, year: int) -> str:
    periods = _periods(code)
    if not periods:
        return ""
    name = _pick(periods, year)[0].name
    return "" if name in _PLACEHOLDERS or "直辖" in name else name


def _full(code: str, own: str, year: int) -> str:
    """Province + prefecture + ``own`` (the code's name), as they were in ``year``."""
    parts: list[str] = []
    for head in (code[:2] + "0000", code[:4] + "00"):
        if head == code:
            break
        name = _part(head, year)
        if name and name not in parts:
            parts.append(name)
    if own not in parts:
        parts.append(own)
    return "".join(parts)


def _name_of(code: str, period: Period, year: int) -> str:
    """The full name of a code's period, the parents taken within that period."""
    if period.holds(year):
        at = year
    elif period.start is not None and year < period.start:
        at = period.start
    else:
        at = period.end if period.end is not None else year
    return _full(code, period.name, at)


def _afterwards(code: str, name: str, retired_said: bool) -> str:
    """What the code stood for later, when that differs from ``name``.

    Neutral words: the table does not tell a renamed county from a code
    given to another one (3326xx), so the note says what the code is now,
    not that the place was renamed.
    """
    last = _periods(code)[-1]
    if last.end is None:
        now = _full(code, last.name, _NOW)
        return "" if now == name else f"该代码现为{now}"
    final = _full(code, last.name, last.end)
    if retired_said:
        return "" if final == name else f"停用前为{final}"
    if final != name:
        return f"该代码{last.end}年后停用，停用前为{final}（旧号码仍然有效）"
    return f"该代码{last.end}年后停用（旧号码仍然有效）"


def _ever_named_otherwise(code: str, name: str) -> bool:
    """Whether the code's full name was ever other than ``name`` since 1984."""
    years = {NUMBERS_SINCE}
    for head in (code[:2] + "0000", code[:4] + "00", code):
        for p in _periods(head):
            years.update(y for y in (p.start, p.end) if y is not None and y >= NUMBERS_SINCE)
    return any(_name_of(code, _pick(_periods(code), y)[0], y) != name for y in years)


@lru_cache(maxsize=8192)
def name_breaks(code: str) -> tuple[int, ...]:
    """Years from which the code's name, notes or findings may change (sorted).

    Those are the years the code, its prefecture or its province started or
    stopped being used, and 1984; see :func:`same_name_since`.
    """
    years = {NUMBERS_SINCE}
    for head in (code[:2] + "0000", code[:4] + "00", code):
        for p in _periods(head):
            years.update(y for y in (p.start, p.end and p.end + 1) if y)
    return tuple(sorted(years))


def same_name_since(code: str, year: int) -> int:
    """A birth year for which ``code`` is named exactly as for ``year``.

    Between two years where the code or the prefecture or province above it
    changed (and 1984), every birth year gets the same name, notes and
    findings: callers over a column work once per (code, this year), not
    once per birth year -- a few spans per code instead of ~80 years.
    """
    breaks = name_breaks(code)
    i = bisect_right(breaks, year)
    return breaks[i - 1] if i else breaks[0] - 1


@lru_cache(maxsize=65536)
def region_name(code: str, birth_year: int | None = None) -> RegionName:
    """The name of a region code for a holder born in ``birth_year``.

    Cached per (code, year): callers over a column pass each distinct pair once.
    """
    periods = _periods(code)
    if not periods:
        heads = (_part(h, birth_year or _NOW) for h in (code[:2] + "0000", code[:4] + "00"))
        partial = "".join(dict.fromkeys(h for h in heads if h))
        note = f"代码表中没有这个区县，只认出{partial}" if partial else "代码表中没有这个地区码"
        return RegionName(code, partial, RegionStatus.UNKNOWN, note=note)
    if birth_year is None:
        last = periods[-1]
        name = _name_of(code, last, _NOW)
        if last.end is not None:
            note = f"出生年份不详，显示停用前的名称（该代码{last.end}年后停用，旧号码仍然有效）"
            return RegionName(code, name, RegionStatus.LATEST, note=note, mark="停用前的名称")
        if _ever_named_otherwise(code, name):
            note = "出生年份不详，显示现名"
            return RegionName(code, name, RegionStatus.LATEST, note=note, mark="现名")
        return RegionName(code, name, RegionStatus.LATEST)

    ref = max(birth_year, NUMBERS_SINCE)
    period, how = _pick(periods, ref)
    notes: list[str] = []
    finding = ""
    year: int | None
    if how == "in":
        status, year = RegionStatus.IN_USE, ref
        name = _name_of(code, period, ref)
        if birth_year < ref:
            at_birth, how_b = _pick(periods, birth_year)
            then = _name_of(code, at_birth, birth_year) if how_b == "in" else ""
            if then and then != name:
                notes.append(
                    f"出生那年该代码名为{then}；身份证号码{NUMBERS_SINCE}年起才编发，"
                    f"这里显示{NUMBERS_SINCE}年的名称"
                )
    elif how == "later":
        status = RegionStatus.ISSUED_LATER
        year = period.start
        name = _name_of(code, period, ref)
        notes.append(f"该代码{period.start}年起使用，晚于出生年份：号码是出生后才编发的，属正常")
    else:  # every name of the code ended before ``ref``
        end = period.end if period.end is not None else ref
        at_birth, how_b = _pick(periods, birth_year)
        if how_b != "earlier":  # in use at or after the birth, but retired before 1984
            status = RegionStatus.RETIRED_EARLY
            year = birth_year if how_b == "in" else at_birth.start
            name = _name_of(code, at_birth, birth_year)
            notes.append(
                f"该代码{end}年后停用，早于身份证号码开始编发的{NUMBERS_SINCE}年；"
                "号码仍按有效处理，如有疑问请核对证件"
            )
        else:
            status, year = RegionStatus.RETIRED, end
            name = _name_of(code, period, end)
            notes.append(f"该代码{end}年后停用")
            finding = (
                f"旧行政区划代码：该地区码{end}年后已停用，而持证人在此之后出生，"
                "一般不会再编到这个码；可能是当地改码滞后，请核对证件原件（号码仍按有效处理）"
            )
    if status != RegionStatus.RETIRED:
        later = _afterwards(code, name, retired_said=status == RegionStatus.RETIRED_EARLY)
        if later:
            notes.append(later)
    return RegionName(code, name, status, year=year, note="；".join(notes), finding=finding)

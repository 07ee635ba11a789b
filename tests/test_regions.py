"""Region names by birth year: real renamed and retired codes, the whole table, the CLI.

The expected names are python-stdnum's ``cn/loc`` table (2.2, from the
Chinese Wikipedia's 行政区划代码 pages) as a person reads it; the whole-table
tests compare with stdnum's own reader, ``stdnum.cn.ric.get_birth_place``.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric
from stdnum.exceptions import ValidationError
from typer.testing import CliRunner

import recon.normalize.ids as ids_module
from recon.cli import app
from recon.normalize import normalize_ids, parse_id
from recon.normalize.ids import check_char
from recon.normalize.regions import (
    NUMBERS_SINCE,
    Period,
    RegionStatus,
    code_periods,
    county_codes,
    region_known,
    region_name,
    same_name_since,
)

MARKUP = re.compile(r"[\[\],0-9A-Za-z\-]")
CHINESE = re.compile(r"^[\u4e00-\u9fff（）]+$")


def an_id(code: str, year: int, md: str = "0101") -> str:
    body = f"{code}{year}{md}123"
    return body + check_char(body)


def stdnum_county(code: str, year: int) -> str | None:
    try:
        return ric.get_birth_place(f"{code}{year}01010000")["county"]
    except ValidationError:
        return None


# --- the table as read ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("description", "code", "expected"),
    [
        ("always the same name", "310104", (Period("徐汇区", None, None),)),
        ("in use since", "310112", (Period("闵行区", 1981, None),)),
        ("retired", "310103", (Period("卢湾区", None, 2011),)),
        (
            "renamed",
            "120110",
            (Period("东郊区", None, 1991), Period("东丽区", 1992, None)),
        ),
        ("used for some years", "320502", (Period("沧浪区", 1983, 2012),)),
        (
            "three names, the first for part of 1983 ('[1983-1982]')",
            "210311",
            (
                Period("郊区", 1983, 1983),
                Period("旧堡区", 1983, 1995),
                Period("千山区", 1996, None),
            ),
        ),
        (
            "given to another county",
            "332621",
            (Period("丽水县", None, 1982), Period("临海县", 1982, 1986)),
        ),
        (
            "unused for years, then reused",
            "330502",
            (Period("城区", 1983, 1987), Period("吴兴区", 2003, None)),
        ),
        (
            "traditional characters in the source",
            "232701",
            (Period("加格达奇区", 1981, 2018), Period("漠河市", 2018, None)),
        ),
        ("乾 is a real simplified name, not 干", "610424", (Period("乾县", 1983, None),)),
        ("a rare simplified character kept", "420104", (Period("硚口区", 1983, None),)),
        ("province line", "310000", (Period("上海市", None, None),)),
    ],
)
def test_code_periods(description, code, expected):
    assert code_periods(code) == expected, description


def test_no_name_in_the_table_keeps_markup_or_traditional_characters():
    codes = county_codes()
    assert len(codes) > 6000
    for code in codes:
        periods = code_periods(code)
        assert periods, code
        for p in periods:
            assert CHINESE.match(p.name), (code, p)
            assert p.start is None or p.end is None or p.start <= p.end, (code, p)
    assert not region_known("990101")
    assert region_known("310103") and region_known("990000")  # a province code always counts


# --- names for a birth year: real cases --------------------------------------------------

IN, LATER, GONE = RegionStatus.IN_USE, RegionStatus.ISSUED_LATER, RegionStatus.RETIRED
EARLY, LATEST, UNKNOWN = RegionStatus.RETIRED_EARLY, RegionStatus.LATEST, RegionStatus.UNKNOWN

# fmt: off
CASES = [
    # Tianjin's four 郊区 renamed in 1992 (stdnum: [-1991]东郊区,[1992-]东丽区)
    ("东郊区 before 1992", "120110", 1980, "天津市东郊区", IN, "现为天津市东丽区"),
    ("东丽区 from 1992", "120110", 1992, "天津市东丽区", IN, ""),
    ("year unknown: latest, marked", "120110", None, "天津市东丽区（现名）", LATEST, "现名"),
    ("西青区 from 1992", "120111", 2000, "天津市西青区", IN, ""),
    # 卢湾区 merged into 黄浦区 in 2011: its numbers stay valid
    ("卢湾 born while in use", "310103", 1980, "上海市卢湾区", IN, "2011年后停用"),
    ("卢湾 in its last year", "310103", 2011, "上海市卢湾区", IN, "2011年后停用"),
    ("卢湾 after retirement", "310103", 2012, "上海市卢湾区", GONE, "2011年后停用"),
    ("卢湾 year unknown", "310103", None, "上海市卢湾区（停用前的名称）", LATEST, "2011"),
    ("闵行 born 1975: in use by 1984", "310112", 1975, "上海市闵行区", IN, ""),
    ("浦东 born 1975: given later", "310115", 1975, "上海市浦东新区", LATER, "1992年起"),
    ("南汇区 2001-2009", "310119", 2005, "上海市南汇区", IN, "2009年后停用"),
    # Suzhou: 沧浪/平江/金阊 -> 姑苏 (2012); 吴江县 -> 吴江市 (1992) -> 吴江区 (2012)
    ("沧浪区", "320502", 1990, "江苏省苏州市沧浪区", IN, "2012年后停用"),
    ("平江区 after 2012", "320503", 2013, "江苏省苏州市平江区", GONE, "2012年后停用"),
    ("金阊区", "320504", 2000, "江苏省苏州市金阊区", IN, "2012年后停用"),
    ("姑苏区 given later", "320508", 1990, "江苏省苏州市姑苏区", LATER, "2012年起"),
    ("姑苏区", "320508", 2015, "江苏省苏州市姑苏区", IN, ""),
    ("吴江县", "320525", 1985, "江苏省苏州市吴江县", IN, "1992年后停用"),
    ("吴江市", "320584", 1995, "江苏省苏州市吴江市", IN, "2012年后停用"),
    ("吴江区", "320509", 2013, "江苏省苏州市吴江区", IN, ""),
    # 周口地区 became 周口市 in 2000, its counties renumbered (4127xx -> 4116xx)
    ("周口地区西华县", "412722", 1990, "河南省周口地区西华县", IN, "2000年后停用"),
    ("周口地区周口市", "412701", 1970, "河南省周口地区周口市", IN, "2000年后停用"),
    ("4127xx after 2000", "412722", 2003, "河南省周口地区西华县", GONE, "2000"),
    ("项城县 until 1993", "412729", 1990, "河南省周口地区项城县", IN, "1993年后停用"),
    # 富阳县 (330123) -> 富阳市 (330183, 1994-2014) -> 富阳区 (330111)
    ("富阳县", "330123", 1990, "浙江省杭州市富阳县", IN, "1994年后停用"),
    ("富阳市", "330183", 2000, "浙江省杭州市富阳市", IN, "2014年后停用"),
    ("富阳市 after 2014", "330183", 2016, "浙江省杭州市富阳市", GONE, "2014"),
    ("富阳区", "330111", 2016, "浙江省杭州市富阳区", IN, ""),
    # 平谷县 110226 -> 平谷区 110117 (2001)
    ("平谷县", "110226", 1990, "北京市平谷县", IN, "2001年后停用"),
    ("平谷区 given later", "110117", 1990, "北京市平谷区", LATER, "2001年起"),
    ("平谷区", "110117", 2005, "北京市平谷区", IN, ""),
    # 3326xx: 丽水地区 until 1982, 台州地区 after; ID numbers began in 1984
    ("台州 code, born 1960", "332621", 1960, "浙江省台州地区临海县", IN, "丽水县"),
    ("台州 code, born 1985", "332621", 1985, "浙江省台州地区临海县", IN, "1986年后停用"),
    ("涪陵 code, later 眉山", "511402", 1996, "四川省涪陵市枳城区", IN, "眉山市东坡区"),
    ("眉山 code", "511402", 2005, "四川省眉山市东坡区", IN, ""),
    ("years unused: next name", "330502", 1995, "浙江省湖州市吴兴区", LATER, "2003年起"),
    ("renumbered in 1982", "110201", 1950, "北京市昌平县", EARLY, "1984"),
    ("renumbered in 1982, born after", "110201", 1990, "北京市昌平县", GONE, "1982"),
    ("traditional in the source", "232701", 2000, "黑龙江省大兴安岭地区加格达奇区", IN, "漠河市"),
    ("year of change: the newer", "232701", 2018, "黑龙江省大兴安岭地区漠河市", IN, ""),
    ("Hong Kong", "810000", 1960, "香港特别行政区", LATER, "1997年起"),
    ("province-level city", "310000", 1990, "上海市", IN, ""),
    ("prefecture code", "320500", 1990, "江苏省苏州市", IN, ""),
    ("provincial county-level city", "429004", 2000, "湖北省仙桃市", IN, ""),
    ("unknown county, known province", "310199", 1990, "上海市", UNKNOWN, "只认出上海市"),
    ("unknown province", "990101", 1990, "", UNKNOWN, "没有这个地区码"),
]
# fmt: on


@pytest.mark.parametrize(("description", "code", "year", "name", "status", "note_has"), CASES)
def test_region_name_cases(description, code, year, name, status, note_has):
    got = region_name(code, year)
    assert got.label == name, description
    assert got.status == status, description
    assert note_has in got.note, (description, got.note)
    if not note_has:
        assert got.note == "", (description, got.note)
    assert bool(got.finding) == (status == GONE), description
    if got.finding:
        assert got.finding.startswith("旧行政区划代码"), description
        assert "请核对" in got.finding and "仍按有效处理" in got.finding


# --- the whole table ---------------------------------------------------------------------


def _years_worth_checking(code: str) -> set[int]:
    years = {1930, NUMBERS_SINCE - 1, NUMBERS_SINCE, 2010}
    for p in code_periods(code):
        for y in (p.start, p.end):
            if y is not None:
                years.update({y - 1, y, y + 1})
    return {y for y in years if 1930 <= y <= 2010}


def _gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _same_county(full: str, county: str) -> bool:
    """``full`` ends with ``county``, up to traditional characters stdnum kept."""
    tail = full[-len(county) :]
    return len(tail) == len(county) and all(
        a == b or not _gb2312(b) for a, b in zip(tail, county, strict=True)
    )


def _check_against_stdnum(code: str, year: int) -> str:
    """'' when recon's name is stdnum's county for the year recon names, else why not.

    That year is the birth year, or 1984 for people born before numbers
    began; the first year of use for a code given later; the last for one
    retired. In a year two names share, stdnum takes the first listed, recon
    the newer: both are accepted.
    """
    got = region_name(code, year)
    if MARKUP.search(got.label) or not CHINESE.match(got.label):
        return f"markup {code} {year}: {got.label}"
    if got.year is None:
        return f"no year {code} {year}"
    if got.status == RegionStatus.IN_USE and got.year != max(year, NUMBERS_SINCE):
        return f"wrong year {code} {year}: {got.year}"
    want = stdnum_county(code, got.year)
    if want is None:
        return f"not in use {code} {got.year}"
    shared = [p.name for p in code_periods(code) if p.holds(got.year)]
    if _same_county(got.name, want) or (len(shared) > 1 and got.name.endswith(shared[-1])):
        return ""
    return f"wrong {code} {year}: {got.name} (stdnum: {want})"


def test_every_code_at_every_change_matches_stdnum():
    """Every county code, at each year its name changed (±1), 1930, 1983/84 and 2010."""
    wrong = [
        problem
        for code in county_codes()
        for year in sorted(_years_worth_checking(code))
        if (problem := _check_against_stdnum(code, year))
    ]
    assert wrong == []


@pytest.mark.slow
def test_every_code_in_every_birth_year_matches_stdnum():
    """The whole grid: every county code, every birth year 1930-2010 (~35 s)."""
    wrong = [
        problem
        for code in county_codes()
        for year in range(1930, 2011)
        if (problem := _check_against_stdnum(code, year))
    ]
    assert wrong == []


@given(st.sampled_from(county_codes()), st.integers(1900, 2030))
def test_status_agrees_with_the_periods(code, year):
    got = region_name(code, year)
    periods = code_periods(code)
    ref = max(year, NUMBERS_SINCE)
    assert CHINESE.match(got.label)
    assert not re.search(r"[\[\],]", got.note + got.finding)
    if got.status == RegionStatus.IN_USE:
        assert any(p.holds(ref) for p in periods)
    elif got.status == RegionStatus.ISSUED_LATER:
        assert not any(p.holds(ref) for p in periods)
        assert got.year is not None and got.year > year
    elif got.status == RegionStatus.RETIRED:
        assert all(p.end is not None and p.end < year for p in periods)
    else:
        assert got.status == RegionStatus.RETIRED_EARLY
        assert all(p.end is not None and p.end < NUMBERS_SINCE for p in periods)
    assert bool(got.finding) == (got.status == RegionStatus.RETIRED)


# --- through parse_id and normalize_ids -----------------------------------------------------


@pytest.mark.parametrize(
    ("description", "text", "name", "problem"),
    [
        ("renamed code, born before", an_id("120110", 1980), "天津市东郊区", None),
        ("renamed code, born after", an_id("120110", 1992), "天津市东丽区", None),
        (
            "retired before birth: valid, a finding",
            an_id("310103", 2012),
            "上海市卢湾区",
            "旧行政区划代码",
        ),
        ("given after birth: no finding", an_id("310115", 1975), "上海市浦东新区", None),
        ("15-digit number", "120110800101123", "天津市东郊区", None),
        ("damaged: no year, latest name", "3.10103E+17", "上海市卢湾区（停用前的名称）", None),
        ("wrong check: name, no finding", an_id("310103", 2012)[:17] + "0", "上海市卢湾区", None),
    ],
)
def test_parse_id_names_the_region(description, text, name, problem):
    info = parse_id(text)
    assert info.region_name == name, description
    if problem:
        assert info.valid, description
        assert any(p.startswith(problem) for p in info.problems), description
    else:
        assert not any("旧行政区划代码" in p for p in info.problems), description


def test_column_path_gives_the_same_region_as_parse_id():
    texts = [
        an_id("120110", 1980),
        an_id("120110", 1992),
        an_id("310103", 2012),
        an_id("310103", 1980),
        an_id("310115", 1975),
        an_id("990101", 1990),
        "120110800101123",
        "3.10103E+17",
        "",
    ]
    frame = normalize_ids(pd.Series(texts * 3))
    for i, text in enumerate(texts * 3):
        info = parse_id(text)
        row = frame.iloc[i]
        assert row["id_region_name"] == info.region_name, text
        assert row["id_region_note"] == info.region_note, text
        assert row["id_problems"] == "；".join(info.problems), text


def test_region_work_is_done_once_per_code_and_span_of_years(monkeypatch):
    """A million rows must not mean a million look-ups: one per code and span."""
    calls: list[tuple[str, int | None]] = []
    real = ids_module._region_span.__wrapped__

    def counting(region, year):
        calls.append((region, year))
        return real(region, year)

    monkeypatch.setattr(ids_module, "_region_span", counting)
    # 120110: one name for everyone born before 1984, then 东郊区 to 1991, 东丽区 after
    years = {"120110": [1950, 1970, 1983, 1985, 1990, 1992, 2005], "310103": [2012, 2015]}
    texts = [
        an_id(code, year, f"{m:02d}01") for code, ys in years.items() for year in ys for m in (1, 6)
    ]
    frame = normalize_ids(pd.Series(texts * 20))
    assert len(calls) == 4
    assert len({c for c, _ in calls}) == 2
    for text, row in zip(texts, frame.itertuples(), strict=False):
        assert row.id_region_name == parse_id(text).region_name


@given(st.sampled_from(county_codes()), st.integers(1900, 2030))
def test_every_year_of_a_span_is_named_alike(code, year):
    since = same_name_since(code, year)
    assert same_name_since(code, since) == since
    a, b = region_name(code, year), region_name(code, since)
    assert (a.label, a.status, a.note, a.finding) == (b.label, b.status, b.note, b.finding)


# --- recon id ---------------------------------------------------------------------------------


def _all_codes() -> list[str]:
    """County codes and the prefecture codes above them."""
    return [
        c
        for c in sorted({*county_codes(), *(c[:4] + "00" for c in county_codes())})
        if code_periods(c)
    ]


@pytest.mark.parametrize("year", [1960, 1990, 2015])
def test_recon_id_json_names_every_code_in_chinese_without_markup(year):
    codes = _all_codes()
    result = CliRunner().invoke(app, ["id", "--json", *(an_id(c, year) for c in codes)])
    assert result.exit_code == 0
    assert result.stderr == ""
    objs = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(objs) == len(codes)
    for code, obj in zip(codes, objs, strict=True):
        assert obj["valid"] and obj["region"] == code
        assert CHINESE.match(obj["region_name"]), obj
        assert obj["region_name"] == region_name(code, year).label
        for text in (obj["region_note"], *obj["problems"]):
            assert "[" not in text and "]" not in text and "," not in text, obj


def test_recon_id_text_shows_names_and_notes_for_renamed_codes():
    renamed = [c for c in county_codes() if len(code_periods(c)) > 1]
    assert len(renamed) > 200
    texts = [an_id(c, 1990) for c in renamed] + [an_id("310103", 2012), "3.10103E+17"]
    result = CliRunner().invoke(app, ["id", *texts], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert result.stderr == ""
    out = result.stdout
    assert "[" not in out and "]" not in out
    for c in renamed[:50]:
        assert region_name(c, 1990).name in "".join(out.split())
    assert "地区说明" in out
    assert "旧行政区划代码" in out
    assert "上海市卢湾区（停用前的名称）" in out

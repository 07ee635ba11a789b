"""Sex, dates and phone numbers as sheets write them."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recon.normalize.values import normalize_dates, normalize_phone, normalize_sex, parse_date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("男", "男"),
        ("女", "女"),
        (" 男 ", "男"),
        ("男性", "男"),
        ("女性", "女"),
        ("1", "男"),
        ("2", "女"),
        (1, "男"),
        (2.0, "女"),
        ("1.0", "男"),
        ("M", "男"),
        ("f", "女"),
        ("Male", "男"),
        ("female", "女"),
        ("１", "男"),
        ("", ""),
        ("未知", ""),
        ("3", ""),
        (None, ""),
    ],
)
def test_sex(value, expected):
    assert normalize_sex(value) == expected


@pytest.mark.parametrize(
    ("description", "value", "expected"),
    [
        ("iso", "2023-05-01", "2023-05-01"),
        ("dots", "2023.05.01", "2023-05-01"),
        ("dots, no padding", "2023.5.1", "2023-05-01"),
        ("slashes", "2023/5/1", "2023-05-01"),
        ("Chinese", "2023年5月1日", "2023-05-01"),
        ("Chinese with 号", "2023年5月1号", "2023-05-01"),
        ("compact", "20230501", "2023-05-01"),
        ("with time", "2023-05-01 10:20:30", "2023-05-01"),
        ("full-width", "２０２３－０５－０１", "2023-05-01"),
        ("excel serial number", 45047, "2023-05-01"),
        ("excel serial float", 45047.0, "2023-05-01"),
        ("excel serial as text", "45047", "2023-05-01"),
        ("compact as number", 20230501, "2023-05-01"),
        ("date cell", dt.date(2023, 5, 1), "2023-05-01"),
        ("datetime cell", dt.datetime(2023, 5, 1, 8, 0), "2023-05-01"),
        ("impossible date", "2023-02-30", ""),
        ("text", "五月一日", ""),
        ("blank", "", ""),
        ("none", None, ""),
        ("nan", float("nan"), ""),
        ("bool", True, ""),
    ],
)
def test_dates(description, value, expected):
    assert parse_date(value) == expected, description


def test_dates_column():
    s = pd.Series(["2023.05.01", 45047, None, "x"], index=[4, 5, 6, 7])
    out = normalize_dates(s)
    assert out.tolist() == ["2023-05-01", "2023-05-01", "", ""]
    assert list(out.index) == [4, 5, 6, 7]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 13812345678", "13812345678"),
        (13812345678.0, "13812345678"),
        ("021-64123456", "02164123456"),
        ("无", ""),
        ("", ""),
    ],
)
def test_phone(value, expected):
    assert normalize_phone(value) == expected


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_every_date_spelling_agrees(day):
    iso = day.isoformat()
    spellings = [
        iso,
        f"{day.year}.{day.month:02d}.{day.day:02d}",
        f"{day.year}年{day.month}月{day.day}日",
        f"{day.year}{day.month:02d}{day.day:02d}",
        day,
    ]
    assert {parse_date(s) for s in spellings} == {iso}


@given(st.one_of(st.text(max_size=20), st.floats(), st.integers()))
def test_parse_date_never_raises(value):
    out = parse_date(value)
    assert out == "" or len(out) == 10


_DATE_TEXTS = st.one_of(
    st.dates(min_value=dt.date(1, 1, 1)).map(lambda d: d.isoformat()),
    st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True),
    st.from_regex(r"(19|20|21)[0-9]{2}[01][0-9][0-3][0-9]", fullmatch=True),
    st.from_regex(r"(19|20)[0-9]{2}年[0-9]{1,2}月[0-9]{1,2}[日号]?", fullmatch=True),
    st.from_regex(r"[0-9０-９]{4}[-/.年][0-9]{1,2}[-/.月][0-9]{1,2}日?", fullmatch=True),
    st.sampled_from(
        [
            "",
            " 2023-05-01",
            "2023-05-01 ",
            "45047",
            "2024-02-29",
            "2023-02-29",
            "1900/2/29",
            "2000.2.29",
            "2100-12-31",
            "2101-01-01",
            "1899-12-31",
            "2023-5-1 08:00",
            "２０２３-05-01",
        ]
    ),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_DATE_TEXTS, max_size=40))
def test_date_column_is_parse_date(texts: list[str]) -> None:
    """The column path (whole arrays for 'YYYY-MM-DD') gives what parse_date gives."""
    column = normalize_dates(pd.Series(texts, dtype="str"))
    assert column.tolist() == [parse_date(t) for t in texts]

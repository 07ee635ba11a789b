"""The column path of the address normaliser agrees with its one-text parts.

The speed work behind ``address_keys`` rests on two claims: the plain-shape
pattern may be matched in two steps (the numbers on every text, the names
once per distinct head), and a column's keys are the parser's keys. Both
are held here on generated texts.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recon.normalize import _address_grammar as g
from recon.normalize.address import (
    _FAST,
    _FAST_HEAD,
    _FAST_NUMBERS,
    ADDRESS_COLUMNS,
    _read_and_key,
    _read_plain,
    address_keys,
    normalize_addresses,
    parse_address,
)

PIECES = [
    "上海市", "上海", "闵行区", "古美街道", "七宝镇", "古美", "莘朱", "北京西", "九星",
    "路", "街", "巷", "大道", "村", "弄", "号", "号楼", "幢", "栋", "室", "楼", "-",
    "1", "12", "0302", "1255", "3", "一二", "〇", "A", " ", "(古美西苑)", "閔行區", "號",
]  # fmt: skip

texts = st.lists(st.sampled_from(PIECES), max_size=10).map("".join)
plain = st.tuples(
    st.sampled_from(
        ["", "上海市", "上海", "上海市闵行区", "闵行区古美街道", "七宝镇", "上海市北京"]
    ),
    st.sampled_from(
        ["", "古美路", "莘朱路", "北京西路", "中山北一路", "九星大道", "閔行路", "七宝镇路"]
    ),
    st.sampled_from(["1255", "0012", "3", "99999", "123456"]),
    st.sampled_from(["弄12号", "弄3幢", "弄0012栋", "弄12-", "弄12号楼", "号12号"]),
    st.sampled_from(["", "3楼", "12楼", "03楼"]),
    st.sampled_from(["302", "0302", "1203", "12", "30"]),
    st.sampled_from(["", "室"]),
).map("".join)


def _groups(found: pa.Array, i: int) -> dict[str, str] | None:
    row = found[i].as_py()
    return None if row is None else {k: v or "" for k, v in row.items()}


@settings(max_examples=300, deadline=None)
@given(st.lists(texts | plain, min_size=1, max_size=20))
def test_plain_shape_in_two_steps_is_the_one_pattern(values):
    arr = pa.array(values, type=pa.string())
    whole = pc.extract_regex(arr, _FAST)
    numbers = pc.extract_regex(arr, _FAST_NUMBERS)
    for i, text in enumerate(values):
        one = _groups(whole, i)
        num = _groups(numbers, i)
        if num is None:
            assert one is None, text
            continue
        head = pc.extract_regex(pa.array([num.pop("head")]), _FAST_HEAD)
        names = _groups(head, 0)
        if names is None:
            assert one is None, text
        else:
            assert one == {**names, **num}, text


@settings(max_examples=200, deadline=None)
@given(st.lists(texts | plain, min_size=1, max_size=12, unique=True))
def test_column_keys_are_the_parsers_but_for_estates(values):
    keys, buildings, localities, _ = address_keys(values)
    for text, key, building, locality in zip(values, keys, buildings, localities, strict=True):
        a = parse_address(text)
        if (key, building, locality) != (a.house_key, a.building_key, a.locality):
            assert "estate" in a.parts, text  # keyed by the road another text ties it to


@pytest.mark.parametrize(
    ("description", "values"),
    [
        (
            "plain shapes and others",
            ["古美路1255弄12号302室", "九星村3组138", "古美路一二五五弄十二号"],
        ),
        (
            "an estate tied to its road by another text",
            ["文三路90号东部软件园1号楼", "东部软件园2号楼"],
        ),
        ("empty and prefix only", ["", "上海市闵行区", "安徽省"]),
    ],
)
def test_address_keys_are_the_column_keys(description, values):
    frame = normalize_addresses(pd.Series(values, dtype=object))
    columns = address_keys(values)
    for name, got in zip(ADDRESS_COLUMNS, columns, strict=True):
        assert frame[name].tolist() == got, description


@settings(max_examples=300, deadline=None)
@given(texts)
def test_reading_splits_into_prefix_and_rest(text):
    s = g.clean(text)
    parts, leftovers = g.read(s)
    admin, rest = g.split_admin(s)
    head, body, rest_leftovers = g.read_rest(rest)
    assert parts == {**dict(head), **admin, **dict(body)}
    assert leftovers == list(rest_leftovers)
    if s:
        # no key looks at the administrative parts: the rest alone gives it
        without = g.compose_both({**dict(head), **dict(body)})
        assert without == (g.compose(parts, True), g.compose(parts, False))
        a = parse_address(text)
        assert {k: v for k, v in a.parts.items() if k in g.ADMIN_LEVELS} == admin


# names before a plain rest's numbers: villages, roads, towns, estates and
# names the grammar reads more into (新村, 村委会, a numeral, a unit word)
REST_NAMES = [
    "九星村", "五一村", "民主村", "张湾村", "联明", "联明村委会", "九星村民委员会", "曹杨新村",
    "建北村顾家头", "古美路", "平阳路", "九星大道", "南京东路", "向阳乡", "七宝镇", "古美街道",
    "金发小区", "御景华庭", "三村", "孙楼村", "陈楼村", "石门乡五一村", "闵行区九星村", "号村",
    "组村", "第一村", "七宝", "北京西", "十八里店村", "万科城", "东区", "新村", "一村", "中山",
]  # fmt: skip
numbers = st.one_of(
    st.integers(1, 9).map(str),
    st.integers(10, 999).map(str),
    st.integers(1000, 999_999).map(str),
    st.sampled_from(["01", "007", "100", "101", "601", "1001", "1234567"]),
)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(REST_NAMES), st.one_of(st.none(), numbers), numbers, st.booleans())
def test_plain_rests_are_read_as_the_parser_reads_them(name, group, number, hao):
    """A rest read by its shape ('九星村3组138号') is read as the grammar reads it."""
    rest = name + (f"{group}组" if group else "") + number + ("号" if hao else "")
    plain = _read_plain(rest)
    if plain is not None:
        assert plain == _read_and_key.__wrapped__(rest)


def test_plain_rests_cover_the_common_rural_forms():
    """The shape does take the forms a hukou column is full of."""
    for rest in ("九星村3组138号", "张湾村45号", "平阳路585号", "九星村3组138"):
        assert _read_plain(rest) == _read_and_key.__wrapped__(rest)
        assert _read_plain(rest) is not None


ESTATE_PIECES = [*PIECES, "古美西苑", "东部软件园", "金发小区", "华尔街大厦", "文三", "90号"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(ESTATE_PIECES), max_size=10).map("".join))
def test_an_estate_is_among_the_first_two_parts(text):
    """address_keys looks for an estate in the first two parts only: the parts
    of a rest come in PART_NAMES order and only a road may precede it."""
    parts = dict(_read_and_key.__wrapped__(g.split_admin(g.clean(text))[1])[0])
    if "estate" in parts:
        assert "estate" in list(parts)[:2]


@given(st.lists(texts | plain, max_size=12))
def test_clean_in_batches_is_clean(values):
    """clean_many (OpenCC over a batch of texts at once) is clean of each text."""
    saved = g.BATCH
    g.BATCH = 5
    try:
        assert g.clean_many(values) == [g.clean(v) for v in values]
    finally:
        g.BATCH = saved

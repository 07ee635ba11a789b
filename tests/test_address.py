"""Address normaliser: one house key for every spelling of a flat."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from recon.normalize.address import normalize_addresses, parse_address

FLAT = "古美路1255弄12号302室"


@pytest.mark.parametrize(
    ("description", "text"),
    [
        ("standard", "古美路1255弄12号302室"),
        ("dash", "古美路1255弄12-302"),
        ("floor written, room without 室", "古美路1255弄12号3楼302"),
        ("floor and short room", "古美路1255弄12号3楼2室"),
        ("digit-by-digit Chinese numerals", "古美路一二五五弄十二号三〇二室"),
        ("positional Chinese numerals", "古美路一千二百五十五弄十二号三百零二室"),
        ("零 instead of 〇", "古美路一二五五弄十二号三零二室"),
        ("with city and district", "上海市闵行区古美路1255弄12号302室"),
        ("with city, district and street office", "上海市闵行区古美街道古美路1255弄12号302室"),
        ("city without 市", "上海闵行区古美路1255弄12号302室"),
        ("full-width digits", "古美路１２５５弄１２号３０２室"),
        ("幢", "古美路1255弄12幢302室"),
        ("栋", "古美路1255弄12栋302"),
        ("号楼", "古美路1255弄12号楼302室"),
        ("traditional characters", "上海市閔行區古美路1255弄12號302室"),
        ("estate name in brackets", "古美路1255弄（古美西苑）12号302室"),
        ("spaces", "古美路 1255弄 12号 302室"),
        ("lane-number-room dashes", "古美路1255-12-302"),
        ("ordinal 第", "古美路1255弄第12号302室"),
        ("hash for 号", "古美路1255弄12#302"),
        ("trailing punctuation", "古美路1255弄12号302室。"),
    ],
)
def test_same_flat_same_key(description, text):
    assert parse_address(text).house_key == FLAT, description


@pytest.mark.parametrize(
    ("description", "left", "right"),
    [
        ("other room", "古美路1255弄12号302室", "古美路1255弄12号303室"),
        ("other building", "古美路1255弄12号302室", "古美路1255弄13号302室"),
        ("other lane", "古美路1255弄12号302室", "古美路1256弄12号302室"),
        ("other road", "古美路1255弄12号302室", "平阳路1255弄12号302室"),
        ("lane vs number on the road", "古美路1255弄12号", "古美路1255号12幢"),
        ("building floor only vs a room", "古美路1255弄12号3楼", "古美路1255弄12号302室"),
        ("other unit", "古美路1255弄12号1单元302室", "古美路1255弄12号2单元302室"),
        ("other group", "九星村3组45号", "九星村4组45号"),
        ("other village", "九星村3组45号", "华漕村3组45号"),
        ("unknown trailing text kept", "古美路1255弄12号302室", "古美路1255弄12号302室东间"),
        ("sub-lane", "虹梅南路2000弄3支弄5号201室", "虹梅南路2000弄5号201室"),
    ],
)
def test_different_flats_different_keys(description, left, right):
    assert parse_address(left).house_key != parse_address(right).house_key, description


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        (
            "上海市闵行区古美路1255弄12号302室",
            {"road": "古美路", "lane": "1255", "number": "12", "floor": "3", "room": "302"},
        ),
        (
            "古美路100号5幢301室",
            {"road": "古美路", "number": "100", "building": "5", "floor": "3", "room": "301"},
        ),
        ("古美路45号6楼601室", {"road": "古美路", "number": "45", "floor": "6", "room": "601"}),
        (
            "七莘路88弄3号1801室",
            {"road": "七莘路", "lane": "88", "number": "3", "floor": "18", "room": "1801"},
        ),
        ("九星村三组45号", {"village": "九星村", "group": "3", "number": "45"}),
        ("闵行区七宝镇九星村3组45号", {"village": "九星村", "group": "3", "number": "45"}),
        (
            "古美路1255弄12-2-302",
            {"road": "古美路", "lane": "1255", "number": "12", "unit": "2", "room": "302"},
        ),
        ("镇宁路100号", {"road": "镇宁路", "number": "100"}),
        ("古美西苑12号302室", {"estate": "古美西苑", "building": "12", "room": "302"}),
    ],
)
def test_parts(text, parts):
    found = parse_address(text).parts
    for key, value in parts.items():
        assert found.get(key) == value, (text, key)


def test_admin_parts_are_recorded_not_keyed():
    a = parse_address("上海市闵行区古美街道古美路1255弄12号302室")
    assert a.parts["province"] == "上海市"
    assert a.parts["district"] == "闵行区"
    assert a.parts["town"] == "古美街道"
    assert "闵行" not in a.house_key


def test_road_names_with_numerals_are_not_converted():
    a = parse_address("七莘路88弄3号1801室")
    assert a.parts["road"] == "七莘路"
    assert parse_address("中山北一路100号").parts["road"] == "中山北一路"


def test_unparsed_text_is_reported():
    a = parse_address("古美路1255弄12号302室东间")
    assert a.leftover
    assert "有无法识别的部分" in a.problems


def test_floor_disagreeing_with_room_is_reported():
    a = parse_address("古美路1255弄12号5楼302室")
    assert "楼层与室号不一致" in a.problems
    assert a.parts["room"] == "302"


def test_normalize_addresses_column_keeps_index():
    frame = normalize_addresses(pd.Series(["古美路1255弄12-302", ""], index=[3, 9]))
    assert list(frame.index) == [3, 9]
    assert frame.loc[3, "addr_key"] == FLAT
    assert frame.loc[3, "addr_building"] == "古美路1255弄12号"
    assert frame.loc[9, "addr_key"] == ""


# --- properties -------------------------------------------------------------------

roads = st.sampled_from(["古美路", "平阳路", "顾戴路", "莲花南路", "七莘路", "万源路", "虹梅南路"])
CN = "〇一二三四五六七八九"


def _cn_digits(n: int) -> str:
    return "".join(CN[int(c)] for c in str(n))


@st.composite
def flats(draw):
    road = draw(roads)
    lane = draw(st.integers(1, 2000))
    number = draw(st.integers(1, 80))
    floor = draw(st.integers(1, 18))
    door = draw(st.integers(1, 4))
    return road, lane, number, floor * 100 + door


def _spell(draw, flat) -> str:
    road, lane, number, room = flat
    floor = room // 100
    style = draw(st.integers(0, 8))
    full = str.maketrans("0123456789", "０１２３４５６７８９")
    return [
        f"{road}{lane}弄{number}号{room}室",
        f"{road}{lane}弄{number}-{room}",
        f"{road}{lane}弄{number}号{floor}楼{room}",
        f"上海市闵行区{road}{lane}弄{number}号{room}室",
        f"{road}{_cn_digits(lane)}弄{_cn_digits(number)}号{_cn_digits(room)}室",
        f"{road}{lane}弄{number}幢{room}室",
        f"{road}{lane}弄{number}栋{room}",
        f"{road}{lane}弄{number}号楼{room}室".translate(full),
        f"{road}{lane}-{number}-{room}",
    ][style]


@given(flats(), st.data())
def test_every_spelling_gives_the_canonical_key(flat, data):
    road, lane, number, room = flat
    canonical = f"{road}{lane}弄{number}号{room}室"
    assert parse_address(_spell(data.draw, flat)).house_key == canonical


@given(flats(), flats(), st.data())
def test_different_flats_never_share_a_key(a, b, data):
    if a == b:
        return
    ka = parse_address(_spell(data.draw, a)).house_key
    kb = parse_address(_spell(data.draw, b)).house_key
    assert ka != kb


@given(st.text(max_size=40))
def test_any_text_parses_and_key_is_a_fixed_point(text):
    a = parse_address(text)
    if a.house_key and not a.leftover:
        assert parse_address(a.house_key).house_key == a.house_key


def test_chinese_numbers_agree_with_cn2an():
    import cn2an

    from recon.normalize.address import chinese_number

    for n in range(0, 10_000):
        assert chinese_number(cn2an.an2cn(n, "low")) == n
        assert chinese_number("".join("〇一二三四五六七八九"[int(c)] for c in str(n))) == n


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("两百", 200),
        ("幺三", 13),
        ("一百零一", 101),
        ("十", 10),
        ("三零二", 302),
        ("十百", None),
        ("一二三十", None),
        ("路", None),
    ],
)
def test_chinese_number_cases(text, value):
    from recon.normalize.address import chinese_number

    assert chinese_number(text) == value

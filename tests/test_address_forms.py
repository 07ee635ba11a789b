"""Address forms used across China: parts and house keys, one table per form.

The cases are hand-written, modelled on the forms found in the labelled
corpus of Li & Lu, "Neural Chinese Address Parsing" (NAACL 2019; delivery
addresses, mostly Zhejiang and Jiangsu), which is not committed (no
licence); ``benchmarks/real_addresses.py`` measures the parser on it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recon.normalize.address import normalize_addresses, parse_address


def _parts_are(text: str, expected: dict[str, str]) -> None:
    found = parse_address(text).parts
    numeric = ("lane", "number", "phase", "zone", "row", "building", "unit", "floor", "room")
    for key, value in expected.items():
        assert found.get(key) == value, (text, key, found)
    for key in numeric:  # no number the table does not expect
        if key not in expected and key != "floor":
            assert key not in found, (text, key, found)


# --- urban: 幢 / 栋 / 号楼 / 座, 单元 / 门, dash triples ---------------------------------

URBAN = [
    (
        "estate, 幢, 单元, 室",
        "浙江省杭州市西湖区翠苑新村12幢3单元502室",
        {"estate": "翠苑新村", "building": "12", "unit": "3", "room": "502", "floor": "5"},
    ),
    (
        "dash triple with no 弄: 幢-单元-室",
        "杭州市拱墅区和睦新村10-5-1638",
        {"estate": "和睦新村", "building": "10", "unit": "5", "room": "1638"},
    ),
    (
        "bare dash triple",
        "10-5-1638",
        {"building": "10", "unit": "5", "room": "1638"},
    ),
    (
        "号楼 and 门 (an entrance, not the room)",
        "北京市朝阳区安贞西里8号楼2门366",
        {"estate": "安贞西里", "building": "8", "unit": "2", "room": "366"},
    ),
    (
        "座",
        "宁波市江北区天水家园B座1203室",
        {"estate": "天水家园", "building": "B", "room": "1203"},
    ),
    (
        "road, its number, then the building",
        "杭州市文三路90号东部软件园1号楼5楼",
        {"road": "文三路", "number": "90", "estate": "东部软件园", "building": "1", "floor": "5"},
    ),
    (
        "N号 after an estate is the building",
        "绍兴市越城区镜湖新村23号301室",
        {"estate": "镜湖新村", "building": "23", "room": "301"},
    ),
    (
        "letters in a dash triple",
        "杭州市登云路和睦院82-B-1405",
        {"estate": "和睦院", "building": "82", "unit": "B", "room": "1405"},
    ),
    (
        "a lettered building before a dash",
        "温州市新城大道华星时代广场A-2666",
        {"estate": "华星时代广场", "building": "A", "room": "2666"},
    ),
    (
        "floor and room as a dash pair after 幢 and 单元",
        "嘉兴市南湖区景宜小区40幢7单元2-4",
        {"estate": "景宜小区", "building": "40", "unit": "7", "floor": "2", "room": "4"},
    ),
    (
        "Shanghai: 弄-号-室 after a road stays",
        "古美路1255-12-302",
        {"road": "古美路", "lane": "1255", "number": "12", "room": "302"},
    ),
    (
        "Shanghai: 号-单元-室 after a 弄",
        "古美路1255弄12-2-302",
        {"road": "古美路", "lane": "1255", "number": "12", "unit": "2", "room": "302"},
    ),
    (
        "a named lane (a road ending in 弄)",
        "杭州市上城区西园弄10号西丽社区9幢800室",
        {"road": "西园弄", "number": "10", "estate": "西丽社区", "building": "9", "room": "800"},
    ),
]


@pytest.mark.parametrize(("description", "text", "parts"), URBAN)
def test_urban_parts(description, text, parts):
    _parts_are(text, parts)


# --- estates with 期 / 区 / 组团 ------------------------------------------------------

ESTATES = [
    (
        "期 is its own slot, not the room",
        "御景华庭5期23幢3056室",
        {"estate": "御景华庭", "phase": "5", "building": "23", "room": "3056"},
    ),
    (
        "区 is its own slot",
        "义乌市银海三区68-8-1202",
        {"estate": "银海", "zone": "3", "building": "68", "unit": "8", "room": "1202"},
    ),
    (
        "lettered 区",
        "宁波市鄞州区研发园B区6幢2433室",
        {"estate": "研发园", "zone": "B", "building": "6", "room": "2433"},
    ),
    (
        "期 and 区 together",
        "温州市鞋都二期A区3幢208室",
        {"estate": "鞋都", "phase": "2", "zone": "A", "building": "3", "room": "208"},
    ),
    (
        "组团 is a zone, not a rural group",
        "温州市鹿城区黄龙康城5组团131栋1820室",
        {"estate": "黄龙康城", "zone": "5", "building": "131", "room": "1820"},
    ),
    (
        "a named part of an estate stays in its name",
        "绍兴市越城区望花东区8幢764室",
        {"estate": "望花东区", "building": "8", "room": "764"},
    ),
]


@pytest.mark.parametrize(("description", "text", "parts"), ESTATES)
def test_estate_parts(description, text, parts):
    _parts_are(text, parts)


# --- markets and office towers: an explicit floor wins -----------------------------

MARKETS = [
    (
        "explicit floor kept, the room does not give it",
        "义乌国际商贸城11楼3403",
        {"estate": "义乌国际商贸城", "floor": "11", "room": "3403"},
    ),
    (
        "zone, floor, stall",
        "柯桥联合市场C区4楼451号",
        {"estate": "柯桥联合市场", "zone": "C", "floor": "4", "room": "451"},
    ),
    (
        "a stall numbered N号 in a market",
        "嘉兴市汽车东站小商品市场3348号",
        {"estate": "汽车东站小商品市场", "room": "3348"},
    ),
    (
        "office tower, road number, floor and room",
        "杭州市钱江路332号气象大楼7楼1029",
        {"road": "钱江路", "number": "332", "floor": "7", "room": "1029"},
    ),
    (
        "F for the floor",
        "温州市信河街名品广场9F1145",
        {"road": "信河街", "estate": "名品广场", "floor": "9", "room": "1145"},
    ),
]


@pytest.mark.parametrize(("description", "text", "parts"), MARKETS)
def test_market_parts(description, text, parts):
    _parts_are(text, parts)


def test_an_explicit_floor_is_in_the_key_when_the_room_does_not_give_it():
    a = parse_address("义乌国际商贸城11楼3403")
    assert a.house_key == "国际商贸城11楼3403室"  # the estate keyed without its place
    assert parse_address("义乌国际商贸城12楼3403").house_key != a.house_key
    # a floor the room gives is not: "3楼302" is "302室"
    assert parse_address("古美路1255弄12号3楼302").house_key == "古美路1255弄12号302室"


# --- rural: 镇 / 村 optional, Chinese numerals in 组, 号 optional ------------------------

RURAL_HOME = "联明村1组120号"
RURAL = [
    ("canonical", "联明村1组120号"),
    ("no 村", "联明1组120号"),
    ("town and 村, Chinese numeral", "七宝镇联明村一组120号"),
    ("town, no 村", "七宝镇联明1组120号"),
    ("district, town, no 号", "闵行区七宝镇联明村1组120"),
    ("full prefix", "上海市闵行区七宝镇联明村一组120号"),
    ("村委会 for the village", "联明村委会1组120号"),
    ("full-width digits", "联明村１组１２０号"),
    ("positional numeral above ten", "联明十一组120号"),
]


@pytest.mark.parametrize(("description", "text"), RURAL[:-1])
def test_rural_spellings_share_one_key(description, text):
    assert parse_address(text).house_key == RURAL_HOME, description


def test_rural_parts():
    _parts_are("七宝镇联明一组120号", {"village": "联明村", "group": "1", "number": "120"})
    assert parse_address("联明十一组120号").parts["group"] == "11"
    # a 镇 named before its numbers is the place itself
    assert parse_address("向阳乡3组12号").house_key == "向阳乡3组12号"


@pytest.mark.parametrize(
    ("description", "left", "right"),
    [
        ("other group", "联明村1组120号", "联明1组121号"),
        ("other group number", "联明村一组120号", "联明村二组120号"),
        ("other village", "联明村1组120号", "九星村1组120号"),
        ("other house", "七宝镇联明村1组120号", "联明1组12号"),
    ],
)
def test_rural_homes_differ(description, left, right):
    assert parse_address(left).house_key != parse_address(right).house_key, description


# --- one flat, many spellings; the next room, another key -------------------------

SPELLINGS = [
    (
        "杭州市西湖区翠苑新村12幢3单元502室",
        [
            "翠苑新村12-3-502",
            "浙江省杭州市西湖区翠苑新村十二幢三单元五〇二室",
            "翠苑新村12栋3单元502",
            "翠苑新村12号楼3门502室",
            "翠苑新村12号3单元5楼502室",
            "杭州翠苑新村１２幢３单元５０２室",
        ],
        ["翠苑新村12幢3单元503室", "翠苑新村12幢4单元502室", "翠苑新村13幢3单元502室"],
    ),
    (
        "御景华庭5期23幢3056室",
        ["御景华庭五期23栋3056", "御景华庭5期23号3056室", "御景华庭5期23-3056"],
        ["御景华庭6期23幢3056室", "御景华庭5期23幢3057室", "御景华庭23幢3056室"],
    ),
    (
        "古美路1255弄12号302室",
        [
            "古美路1255弄12-302",
            "上海市闵行区古美路一二五五弄十二号三〇二室",
            "闵行古美路1255弄12栋302",
        ],
        ["古美路1255弄12号303室", "古美路1255弄13号302室"],
    ),
    (
        "名湖人家小区8幢597室",
        ["名湖人家8幢597室", "名湖人家小区8-597", "嘉兴市名湖人家小区八栋597室"],
        ["名湖人家小区8幢598室", "名湖人家小区9幢597室"],
    ),
]


@pytest.mark.parametrize(("canonical", "spellings", "others"), SPELLINGS)
def test_spellings_of_one_flat_share_its_key(canonical, spellings, others):
    key = parse_address(canonical).house_key
    for text in spellings:
        assert parse_address(text).house_key == key, text
    for text in others:
        assert parse_address(text).house_key != key, text


# --- estate names: never keyed beside a road, resolved by the column ----------------


def test_estate_names_are_not_keyed_beside_a_road_number():
    with_estate = parse_address("文三路90号东部软件园1号楼502室")
    without = parse_address("文三路90号1幢502室")
    assert with_estate.house_key == without.house_key == "文三路90号1幢502室"
    assert with_estate.parts["estate"] == "东部软件园"


def test_an_estate_alone_is_keyed_by_the_road_the_column_ties_it_to():
    column = pd.Series(
        [
            "文三路90号东部软件园1号楼502室",  # ties the estate to 文三路90号
            "东部软件园1号楼502室",
            "东部软件园1幢503室",
            "古美路1255弄古美西苑12号302室",  # under a 弄 the estate's building is the 号
            "古美西苑12号302室",
            "阳光花园3幢101室",  # no road for this estate in the column: stays
        ],
        dtype=object,
    )
    keys = normalize_addresses(column)["addr_key"].tolist()
    assert keys[1] == keys[0] == "文三路90号1幢502室"
    assert keys[2] == "文三路90号1幢503室"
    assert keys[4] == keys[3] == "古美路1255弄12号302室"
    assert keys[5] == "阳光花园3幢101室"
    assert normalize_addresses(column)["addr_locality"].tolist()[1] == "文三路"


def test_an_estate_at_two_road_numbers_is_left_alone():
    column = pd.Series(
        ["文三路90号东部软件园1幢", "学院路5号东部软件园2幢", "东部软件园1幢"], dtype=object
    )
    assert normalize_addresses(column)["addr_key"].tolist()[2] == "东部软件园1幢"


@pytest.mark.parametrize(
    "text",
    [
        "嘉定紫藤路1弄2号301室",
        "上海市嘉定区紫藤路1弄2号301室",
        "莘庄镇1弄2号301室",
        "平阳路1弄2号301室",
    ],
)
def test_the_column_path_and_the_parser_agree_on_place_names(text):
    column = normalize_addresses(pd.Series([text], dtype=object))["addr_key"].tolist()
    assert column == [parse_address(text).house_key]


def test_the_column_path_and_the_parser_agree_on_floors():
    texts = ["古美路1255弄12号3楼302室", "古美路1255弄12号5楼302室", "古美路1255弄12号302室"]
    keys = normalize_addresses(pd.Series(texts, dtype=object))["addr_key"].tolist()
    assert keys == [parse_address(t).house_key for t in texts]
    assert keys[0] == keys[2] != keys[1]


# --- place names without their suffix --------------------------------------------


@pytest.mark.parametrize(
    ("description", "left", "right"),
    [
        ("city without 市 before a road", "杭州文三路598号", "浙江省杭州市文三路598号"),
        ("district without 区", "闵行古美路1255弄12号302室", "古美路1255弄12号302室"),
        ("county-level city", "浙江省杭州市富阳市金苑路1601号", "金苑路1601号"),
        ("city without 市 before an estate", "深圳广西外贸大厦10幢2721室", "广西外贸大厦10幢2721"),
        ("a 市 in a town's name", "乐清市柳市镇捷达西路7号", "捷达西路7号"),
    ],
)
def test_place_names_are_not_keyed(description, left, right):
    assert parse_address(left).house_key == parse_address(right).house_key, description


@pytest.mark.parametrize(
    ("text", "road"),
    [
        ("北京西路12号", "北京西路"),
        ("宁波南路5号", "宁波南路"),
        ("中山北一路100号", "中山北一路"),
        ("海盐塘路10号", "海盐塘路"),
        ("延安东路1号", "延安东路"),
    ],
)
def test_a_road_named_after_a_place_keeps_its_name(text, road):
    assert parse_address(text).parts["road"] == road


def test_an_estate_named_after_a_place_keeps_its_name():
    assert parse_address("杭州大厦A座1201室").parts["estate"] == "杭州大厦"
    assert parse_address("浙江大学12幢301室").parts["estate"] == "浙江大学"


# --- fixed points found by fuzzing ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["0弄第", "A_´", "第-7街", "〇区第6路0东浙道团一", "组巷厦街会12幢", "二栋六组", "门二第-"],
)
def test_keys_are_fixed_points(text):
    a = parse_address(text)
    if a.house_key and not a.leftover:
        assert parse_address(a.house_key).house_key == a.house_key


# --- the generated 人户分离 street with a rural 村委 -------------------------------------


def test_generated_village_addresses_key_to_their_home():
    """The sweep writes the village's homes in the optional forms (no 村, a
    town, Chinese numerals, no 号); each keys to the flat it stands for."""
    from recon.sample import SeparationSpec, generate_separation

    sep = generate_separation(SeparationSpec(seed=5, committees=3, residents_per_committee=200))
    places = sep.places.set_index("place_id")
    sweep = sep.sweep
    rural = sweep[places.loc[sweep["flat_id"], "village"].to_numpy() != ""]
    labels = set(";".join(rural["noise"]).split(";"))
    assert {"addr_no_cun", "addr_optional"} <= labels
    persons = sep.persons.set_index("person_id")
    for column, place in (("address", "live_place"), ("hukou_address", "hukou_place")):
        at = persons.loc[rural["person_id"], place].to_numpy(np.int64)
        in_street = places.loc[at, "in_street"].to_numpy(bool)
        truth = places.loc[at, "local"].to_numpy(object)[in_street]
        written = rural[column].to_numpy(object)[in_street]
        got = normalize_addresses(pd.Series(written, dtype=object))["addr_key"].tolist()
        want = [parse_address(t).house_key for t in truth]
        assert got == want, column

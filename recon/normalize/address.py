"""Addresses: parts (road, lane, number, ... room; village, group) and a house key.

The same flat is written many ways -- 古美路1255弄12号302室, 古美路1255弄12-302,
1255弄12号3楼302, 古美路一二五五弄十二号三〇二室, with or without 上海市闵行区,
号/幢/栋/号楼 -- and all of them must give one **house key**; two different
flats must never share one. The key is itself a readable standard address
(``古美路1255弄12号302室``), so a clerk can see why two records agree.

The grammar is the street's own (路/弄/支弄/号/幢/单元/楼/室; rural 村/组/号):

* the administrative prefix (省/市/区/县/镇/街道) is recorded, not keyed;
* Chinese numerals before a unit are converted (一二五五弄, 一千二百五十五弄);
* with 弄 present, 号/幢/栋/号楼 all name the building: ``number``;
* without 弄, ``100号5幢301室`` is number 100, building 5, room 301;
* dash forms fill the next open slots: ``1255弄12-302`` -> number 12, room
  302; ``古美路1255-12-302`` -> lane 1255, number 12, room 302;
* a room gives its floor (601 -> 6), so ``6楼601`` is ``601室``; ``3楼2室``
  is ``302室``;
* text the grammar does not understand stays in the key (in 〔〕), so that it
  can only make two keys differ, never equal.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from recon.normalize._opencc import simplified, t2s

__all__ = [
    "ADDRESS_COLUMNS",
    "PART_NAMES",
    "Address",
    "chinese_number",
    "normalize_addresses",
    "parse_address",
    "same_flat",
    "walk_order",
]

PART_NAMES = (
    "province",
    "city",
    "district",
    "town",
    "road",
    "place",
    "village",
    "group",
    "lane",
    "sublane",
    "number",
    "building",
    "unit",
    "floor",
    "room",
)

ADDRESS_COLUMNS = ["addr_key", "addr_building", "addr_locality", "addr_flat"]


@dataclass(frozen=True)
class Address:
    """A parsed address; ``parts`` holds only the parts found."""

    text: str
    parts: dict[str, str] = field(default_factory=dict)
    house_key: str = ""
    building_key: str = ""  # the key without unit, floor and room
    locality: str = ""  # road, village or place name
    leftover: str = ""
    problems: tuple[str, ...] = ()


# --- cleaning ------------------------------------------------------------------

_CN_DIGITS = "零〇一二三四五六七八九十百千两幺"
_CN_NUM_BEFORE_UNIT = re.compile(
    f"(?<![{_CN_DIGITS}])([{_CN_DIGITS}]+)(?=支弄|弄|号|幢|栋|座|单元|楼|层|室|户|房|组|队|-|$)"
)
_DASHES = re.compile(r"[－—–―~～_]+|(?<=\d)[、](?=\d)")
_BRACKETS = re.compile(r"[（(【\[［〔][^）)】\]］〕]*[）)】\]］〕]")
_ORDINAL = re.compile(r"第(?=\d)")
_HASH = re.compile(r"(?<=\d)#")


_CN_VALUE = {
    "零": 0, "〇": 0, "一": 1, "幺": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}


def chinese_number(text: str) -> int | None:
    """一二五五 / 一千二百五十五 / 三〇二 / 十二 / 两百 -> the number; None if not one.

    Digit by digit when there is no unit (十百千), else positional. Only what
    addresses hold (below 10,000); the tests hold it to cn2an.
    """
    if not text or any(ch not in _CN_VALUE and ch not in _CN_UNIT for ch in text):
        return None
    if not any(ch in _CN_UNIT for ch in text):
        return int("".join(str(_CN_VALUE[ch]) for ch in text))
    total, digit, last_unit = 0, None, 10_000
    for ch in text:
        if ch in _CN_VALUE:
            if digit is not None and _CN_VALUE[ch] != 0:
                return None  # two digits in a row: not a positional number
            digit = _CN_VALUE[ch] or None
        else:
            unit = _CN_UNIT[ch]
            if unit >= last_unit:
                return None  # 十百, 百千...: not a number
            total += (digit if digit is not None else 1) * unit
            digit, last_unit = None, unit
    return total + (digit or 0)


def _cn_to_digits(m: re.Match[str]) -> str:
    value = chinese_number(m.group(1))
    return m.group(1) if value is None or m.group(1) in {"两", "千", "百"} else str(value)


def _clean(text: str) -> str:
    s = unicodedata.normalize("NFKC", text)
    s = simplified(s)
    s = unicodedata.normalize("NFKC", re.sub(r"\s+", "", s))
    s = _BRACKETS.sub("", s)
    s = _DASHES.sub("-", s)
    s = _HASH.sub("号", s).replace("#", "")
    s = s.replace("衖", "弄").replace("號", "号")
    s = _CN_NUM_BEFORE_UNIT.sub(_cn_to_digits, s)
    s = _ORDINAL.sub("", s)
    return s.upper().strip("-,，。.;；")


# --- administrative prefix ------------------------------------------------------

_NOT_ROAD = "(?![路街弄巷号村组道])"
_NO_ADMIN = "※"  # starts a house key whose start reads like a province or district
_ADMIN = re.compile(
    r"^(?:中国|中华人民共和国)?"
    rf"(?P<province>[^\d\-]{{2,7}}?(?:省|自治区){_NOT_ROAD}|上海市?|北京市?|天津市?|重庆市?)?"
    rf"(?P<city>[^\d\-]{{2,9}}?(?:市|自治州|地区|盟){_NOT_ROAD})?"
    rf"(?P<district>[^\d\-]{{1,7}}?(?<![小社园校])(?:新区|区|县|旗){_NOT_ROAD})?"
    rf"(?P<town>[^\d\-]{{1,7}}?(?:镇|乡|街道){_NOT_ROAD})?"
)

# --- the street grammar -----------------------------------------------------------

_ROAD = re.compile(r"^(?P<road>.+?(?:大道|公路|大街|路|街|巷))(?P<rest>.*)$")
_VILLAGE = re.compile(r"^(?P<village>.+?村)(?=\d+(?:组|队))")
_TOKEN = re.compile(
    r"(?P<num>[A-Z]?\d+[A-Z]?|[A-Z])(?P<unit>支弄|弄|号楼|号|幢|栋|座|单元|楼|层|室|户|房|组|队|)"
)
_UNIT_SLOT = {
    "弄": "lane",
    "支弄": "sublane",
    "号楼": "building",
    "幢": "building",
    "栋": "building",
    "座": "building",
    "单元": "unit",
    "楼": "floor",
    "层": "floor",
    "室": "room",
    "户": "room",
    "房": "room",
    "组": "group",
    "队": "group",
}


def _assign_run(parts: dict[str, str], run: list[str], leftovers: list[str]) -> None:
    """Place a run of bare numbers ("12-302", "302") into the open slots."""
    if not run:
        return
    has_lane = "lane" in parts
    rural = "village" in parts or "group" in parts
    below_number = any(k in parts for k in ("building", "unit", "floor", "room"))
    if len(run) == 1:
        if "number" not in parts and not below_number:
            slot_order = ["number"]
        elif "room" not in parts:
            slot_order = ["room"]
        else:
            slot_order = []
    elif len(run) == 2:
        if "number" not in parts:
            slot_order = ["number", "room"]
        elif "building" not in parts and not has_lane and not rural:
            slot_order = ["building", "room"]
        elif "unit" not in parts and not rural:
            slot_order = ["unit", "room"]
        else:
            slot_order = []
    elif len(run) == 3:
        if not has_lane and "number" not in parts and not rural:
            slot_order = ["lane", "number", "room"]
        elif "number" not in parts:
            slot_order = ["number", "unit", "room"]
        elif not has_lane and "building" not in parts and not rural:
            slot_order = ["building", "unit", "room"]
        else:
            slot_order = []
    elif len(run) == 4 and not has_lane and "number" not in parts and not rural:
        slot_order = ["lane", "number", "unit", "room"]
    else:
        slot_order = []
    if len(slot_order) != len(run) or any(s in parts for s in slot_order):
        leftovers.append("-".join(run))
        return
    for slot, value in zip(slot_order, run, strict=True):
        parts[slot] = value


def _strip_zeros(value: str) -> str:
    if value.isdigit():
        return str(int(value))
    return value


@lru_cache(maxsize=500_000)
def parse_address(text: str) -> Address:
    """Parse one address into parts and a house key (see the module text)."""
    raw = "" if text is None else str(text)
    s = _clean(raw)
    if not s:
        return Address(text=raw, problems=("地址为空",))
    parts: dict[str, str] = {}
    marked = s.startswith(_NO_ADMIN)  # a house key that must not lose its start
    if marked:
        s = s[len(_NO_ADMIN) :]
    admin = None if marked else _ADMIN.match(s)
    if admin:
        rest = s[admin.end() :]
        # a 乡/镇 with nothing but numbers after it is the place itself
        # ("向阳乡3组12号"): kept, so that a house key parses to itself
        keep_town = bool(admin.group("town")) and (not rest or rest[0].isdigit() or rest[0] == "-")
        for name in ("province", "city", "district", "town"):
            if admin.group(name) and not (name == "town" and keep_town):
                parts[name] = admin.group(name)
        s = (admin.group("town") if keep_town else "") + rest
    leftovers: list[str] = []

    # leading locality: a road, a village (followed by 组) or a place name
    head_end = 0
    while head_end < len(s) and not (s[head_end].isdigit() or s[head_end] in "-"):
        if s[head_end].isascii() and s[head_end].isalpha() and _TOKEN.match(s, head_end):
            m = _TOKEN.match(s, head_end)
            if m and m.group("unit"):
                break
        head_end += 1
    head, body = s[:head_end], s[head_end:]
    if head:
        village = _VILLAGE.match(head + body[:6])
        road = _ROAD.match(head)
        if village and len(village.group("village")) <= len(head):
            parts["village"] = village.group("village")
            if len(village.group("village")) < len(head):
                parts["place"] = head[len(village.group("village")) :]
        elif road:
            parts["road"] = road.group("road")
            if road.group("rest"):
                parts["place"] = road.group("rest")
        else:
            parts["place"] = head

    pos = 0
    run: list[str] = []
    while pos < len(body):
        ch = body[pos]
        if ch == "-":
            pos += 1
            continue
        m = _TOKEN.match(body, pos)
        if m and (m.group("num")[0].isdigit() or m.group("unit")):
            num, unit = m.group("num"), m.group("unit")
            pos = m.end()
            if not unit:
                run.append(num)
                continue
            _assign_run(parts, run, leftovers)
            run = []
            if unit == "号":
                slot = "number" if "number" not in parts else "building"
            elif unit == "弄" and "lane" in parts and "sublane" not in parts:
                slot = "sublane"
            else:
                slot = _UNIT_SLOT[unit]
            if slot in parts:
                leftovers.append(num + unit)
            else:
                parts[slot] = num
            continue
        # text between tokens: an estate name ("1255弄古美西苑12号") or noise
        end = pos
        while end < len(body) and not body[end].isdigit() and body[end] != "-":
            end += 1
        chunk = body[pos:end] if end > pos else body[pos]
        pos = max(end, pos + 1)
        _assign_run(parts, run, leftovers)
        run = []
        if chunk in {"号", "室", "楼"}:
            continue
        if (
            "place" not in parts
            and "road" in parts
            and not any(k in parts for k in ("lane", "number", "room"))
        ) or ("place" not in parts and "lane" in parts and "number" not in parts):
            parts["place"] = chunk
        else:
            leftovers.append(chunk)
    _assign_run(parts, run, leftovers)
    return _finish(raw, parts, leftovers)


def _finish(raw: str, parts: dict[str, str], leftovers: list[str]) -> Address:
    problems: list[str] = []
    for slot in ("lane", "sublane", "number", "building", "unit", "floor", "room", "group"):
        if slot in parts:
            parts[slot] = _strip_zeros(parts[slot])
    if "lane" in parts and "number" not in parts and "building" in parts:
        parts["number"] = parts.pop("building")
    room, floor = parts.get("room", ""), parts.get("floor", "")
    if room.isdigit() and floor.isdigit():
        if int(room) < 100:
            parts["room"] = room = str(int(floor) * 100 + int(room))
        elif int(room) // 100 != int(floor):
            problems.append("楼层与室号不一致")
    if room.isdigit() and int(room) >= 101:
        parts["floor"] = str(int(room) // 100)
    locality = parts.get("road") or parts.get("village") or parts.get("place", "")
    if not locality:
        problems.append("缺少路名或村名")
    if leftovers:
        problems.append("有无法识别的部分")

    key = _compose(parts, with_flat=True)
    building = _compose(parts, with_flat=False)
    if leftovers:
        key += "〔" + "|".join(leftovers) + "〕"
    ordered = {name: parts[name] for name in PART_NAMES if name in parts}
    return Address(
        text=raw,
        parts=ordered,
        house_key=key,
        building_key=building,
        locality=locality,
        leftover="|".join(leftovers),
        problems=tuple(problems),
    )


def _reads_as_admin(key: str) -> bool:
    """Whether parsing ``key`` would take its start for a province, city,
    district or town (a town followed by a number stays the place)."""
    m = _ADMIN.match(key)
    if not m or not m.end():
        return False
    if m.group("province") or m.group("city") or m.group("district"):
        return True
    rest = key[m.end() :]
    return bool(rest) and not (rest[0].isdigit() or rest[0] == "-")


def _compose(parts: dict[str, str], with_flat: bool) -> str:
    head = [parts[name] for name in ("road", "village") if name in parts]
    place = (
        [parts["place"]] if "place" in parts and not ("road" in parts and "lane" in parts) else []
    )
    tail = []
    for slot, unit in (
        ("group", "组"),
        ("lane", "弄"),
        ("sublane", "支弄"),
        ("number", "号"),
        ("building", "幢"),
    ):
        if slot in parts:
            tail.append(parts[slot] + unit)
    if with_flat:
        if "unit" in parts:
            tail.append(parts["unit"] + "单元")
        if "room" in parts:
            tail.append(parts["room"] + "室")
        elif "floor" in parts:
            tail.append(parts["floor"] + "楼")
    key = "".join(head + place + tail)
    if _reads_as_admin(key):
        # the key would parse with its start taken for a province, district or
        # town (":路" + "省", "某乡某路"): marked, so that it parses to itself
        key = _NO_ADMIN + key
    return key


# --- the column path --------------------------------------------------------------
#
# Most addresses in a register have one plain shape: an optional 上海市/XX区/XX
# 街道 prefix, a road, then 弄/号/室 in digits. For that shape the parser above
# gives road + lane + number + room and nothing else, so those strings are
# keyed by one RE2 pattern over the whole column (pyarrow), and only the rest
# goes through parse_address. The shape is kept narrow on purpose -- no
# character the grammar treats specially may appear in a name -- so both paths
# agree by construction; a property test holds them to it.

_NAME_CHAR = (
    r"[^\x00-\x{2FFF}\x{3000}-\x{303F}\x{FF00}-\x{FFEF}"
    "路街巷道省市区县镇乡旗盟州村组队弄衖号幢栋座楼层室户房单元支第小社园校]"
)
_FAST = (
    r"^(?P<pre>(?:上海市?)?(?:" + _NAME_CHAR + r"{2,4}区)?(?:" + _NAME_CHAR + r"{2,6}(?:镇|街道))?)"
    r"(?P<road>(?:" + _NAME_CHAR + r"{1,10}(?:路|街|巷|大道)))?"
    r"(?P<lane>[0-9]{1,5})弄(?P<number>[0-9]{1,4})(?:号楼|号|幢|栋|-)"
    r"(?:[0-9]{1,2}楼)?(?P<room>[0-9]{3,4})室?$"
)


def _fast_keys(uniques: list[str]) -> tuple[list[bool], list[str], list[str], list[str]]:
    """Keys of the plain-shape addresses (see above); others left to the parser."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(uniques, type=pa.string())
    clean = pc.replace_substring_regex(pc.utf8_normalize(arr, "NFKC"), r"\s+", "")
    found = pc.extract_regex(clean, _FAST)
    ok = found.is_valid().to_pylist()
    if not any(ok):
        n = len(uniques)
        return [False] * n, [""] * n, [""] * n, [""] * n
    pre, road, lane, number, room = (
        found.field(name).to_pylist() for name in ("pre", "road", "lane", "number", "room")
    )
    converter = t2s()
    simple: dict[str, bool] = {}
    keys, buildings, localities = [], [], []
    for i, good in enumerate(ok):
        if not good:
            keys.append("")
            buildings.append("")
            localities.append("")
            continue
        head = (pre[i] or "") + (road[i] or "")
        plain = simple.get(head)
        if plain is None:  # a traditional character anywhere: the parser decides
            plain = simple[head] = converter.convert(head) == head
        if not plain:
            ok[i] = False
            keys.append("")
            buildings.append("")
            localities.append("")
            continue
        r = road[i] or ""
        building = f"{r}{int(lane[i])}弄{int(number[i])}号"
        buildings.append(building)
        keys.append(f"{building}{int(room[i])}室")
        localities.append(r)
    return ok, keys, buildings, localities


def normalize_addresses(values: pd.Series) -> pd.DataFrame:
    """House key, building key, locality and flat for a column of addresses.

    ``addr_flat`` is the house key without its road or village
    ("1255弄12号302室"), for when one side left the road out; "" when what
    remains does not start with a number. Done once per distinct text;
    plain-shape texts in one vectorised pass.
    """
    codes, found = pd.factorize(values.fillna("").astype(str))
    uniques = [str(u) for u in found]
    ok, keys, buildings, localities = _fast_keys(uniques)
    for i, good in enumerate(ok):
        if not good:
            a = parse_address(uniques[i])
            keys[i], buildings[i], localities[i] = a.house_key, a.building_key, a.locality
    flats = [_flat_part(k, c) for k, c in zip(keys, localities, strict=True)]
    return pd.DataFrame(
        {
            col: pd.Series(np.asarray(vals, dtype=object)[codes], index=values.index, dtype=object)
            for col, vals in (
                ("addr_key", keys),
                ("addr_building", buildings),
                ("addr_locality", localities),
                ("addr_flat", flats),
            )
        }
    )


def _flat_part(key: str, locality: str) -> str:
    tail = key[len(locality) :] if locality and key.startswith(locality) else key
    return tail if tail[:1].isdigit() else ""


def same_flat(key_a: str, key_b: str) -> bool:
    """Two house keys of one flat: equal, or equal but for a missing road.

    "1255弄12号302室" (the road left out) and "古美路1255弄12号302室" are one
    flat; a key that starts with a name is never shortened to match.
    """
    if key_a == key_b:
        return bool(key_a)
    short, long_ = sorted((key_a, key_b), key=len)
    return bool(short) and short[0].isdigit() and long_.endswith(short)


_KEY_PARTS = re.compile(
    r"^(?P<loc>[^\d〔]*)"
    r"(?:(?P<group>\d+)组)?(?:(?P<lane>\d+)弄)?(?:(?P<sublane>\d+)支弄)?"
    r"(?:(?P<number>\d+)号)?(?:(?P<building>[0-9A-Z]+)幢)?(?:(?P<unit>\d+)单元)?"
    r"(?:(?P<room>[0-9A-Z]+)室|(?P<floor>\d+)楼)?(?P<rest>.*)$"
)
_SORT_NUMBERS = ("group", "lane", "sublane", "number", "building", "unit", "room", "floor")


def walk_order(house_keys: pd.Series, groups: pd.Series | None = None) -> np.ndarray:
    """Positions that sort rows the way a person walks, by their house keys.

    Within each group (居委): road or village, then group, lane, building,
    unit, room -- numerically, so 2弄 comes before 10弄. A house key is
    already the canonical address, so each distinct key is split by one
    pattern (RE2, whole column) rather than parsed again, and the sort runs
    on integer ranks.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    codes, uniques = pd.factorize(pd.Series(house_keys, dtype=object).fillna(""))
    keys = pa.array([str(u) for u in uniques], type=pa.string())
    parts = pc.extract_regex(keys, _KEY_PARTS.pattern)  # RE2: \d is ASCII, as in keys

    def rank(values: Sequence[object]) -> np.ndarray:
        # position of each value in sorted order (ties share a rank)
        text = np.array(["" if v is None else str(v) for v in values], dtype=object)
        r, _ = pd.factorize(text, sort=True)
        return np.asarray(r)

    columns: list[np.ndarray] = []  # most significant first
    committee = (
        np.zeros(len(codes), dtype=np.int64)
        if groups is None
        else rank(pd.Series(groups, dtype=object).astype(str).tolist())
    )
    columns.append(committee)
    columns.append((np.asarray(uniques, dtype=object) == "")[codes])  # unknown addresses last
    columns.append(rank(parts.field("loc").to_pylist())[codes])
    for name in _SORT_NUMBERS:
        text = parts.field(name)
        digits = pc.extract_regex(text, r"(?P<d>[0-9]+)").field("d").to_pylist()
        number = np.array([int(d) if d else -1 for d in digits], dtype=np.int64)
        columns.append(number[codes])
        columns.append(rank(text.to_pylist())[codes])
    columns.append(rank(parts.field("rest").to_pylist())[codes])
    columns.append(rank(list(uniques))[codes])
    columns.append(np.arange(len(codes)))  # stable
    return np.lexsort(columns[::-1])

"""The address grammar behind :mod:`recon.normalize.address` (see its docstring).

Three steps: :func:`clean` (width, traditional characters, brackets, dashes,
Chinese numerals before a unit word), :func:`read` (administrative prefix,
the leading name, then numbered tokens placed into slots) and
:func:`compose` (the house key from the parts). Everything here is pure
and works on one string; the column path and the estate links live in
``address.py``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from recon.normalize._opencc import BATCH, simplified, simplified_many

# --- Chinese numerals -------------------------------------------------------------

CN_DIGITS = "零〇一二三四五六七八九十百千两幺"
_CN_VALUE = {
    "零": 0, "〇": 0, "一": 1, "幺": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}
_CN_CHARS = "".join((*_CN_VALUE, *_CN_UNIT))
_CN_DIGIT_TABLE = str.maketrans({ch: str(v) for ch, v in _CN_VALUE.items()})


def chinese_number(text: str) -> int | None:
    """一二五五 / 一千二百五十五 / 三〇二 / 十二 / 两百 -> the number; None if not one.

    Digit by digit when there is no unit (十百千), else positional. Only what
    addresses hold (below 10,000); the tests hold it to cn2an.
    """
    if not text or text.strip(_CN_CHARS):
        return None
    if "十" not in text and "百" not in text and "千" not in text:
        return int(text.translate(_CN_DIGIT_TABLE))
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


# --- cleaning ------------------------------------------------------------------------

_CN = f"[{CN_DIGITS}]"
# a numeral is converted only before a word that numbers something; 区 and 门
# only when a number or the end follows (二七区, 三门县 are names)
_CN_NUM_BEFORE_UNIT = re.compile(
    f"(?<!{_CN})({_CN}+)"
    r"(?=支弄|弄|号|幢|栋|座|单元|楼|层|室|户|房|组团|组|队|期|排|-|$"
    rf"|[区门](?:\d|{_CN}|-|[A-Za-z]|$))"
)
_DASHES = re.compile(r"[－—–―~～_]+|(?<=\d)[、一](?=\d)")
_LOOSE_DASH = re.compile(r"(?<![0-9A-Z])-+|-+(?![0-9A-Z])")  # not between two numbers
_BRACKETS = re.compile(r"[（(【\[［〔][^）)】\]］〕]*[）)】\]］〕]")
_ORDINAL = re.compile(r"第(?=\d)")
_HASH = re.compile(r"(?<=\d)#")
_FLOOR_F = re.compile(r"(?<=\d)[Ff](?=\d|$|-)")  # "5F", "9F1145": a floor
_SPACE = re.compile(r"\s+")
# quick tests: a character without which the pattern named cannot match
_BRACKET_OPEN = re.compile(r"[（(【\[［〔]")  # _BRACKETS
_DASH_LIKE = re.compile(r"[－—–―~～_、一]")  # _DASHES
# _CN_NUM_BEFORE_UNIT: only a whole run of numerals can be followed by a unit
# word (none starts with a numeral), so one numeral before one is enough
_CN_BEFORE_UNIT = re.compile(_CN + _CN_NUM_BEFORE_UNIT.pattern.split(f"({_CN}+)", 1)[1])


def _cn_to_digits(m: re.Match[str]) -> str:
    value = chinese_number(m.group(1))
    return m.group(1) if value is None or m.group(1) in {"两", "千", "百"} else str(value)


def clean(text: str) -> str:
    """One canonical character string: widths, simplified characters, digits.

    A fixed point (``clean(clean(s)) == clean(s)``): one numeral read can
    make another readable ("两三区第十座" -> "两三区10座" -> "23区10座"), so
    the numeric steps repeat until nothing changes. Each pattern runs only
    where a character it needs is present (most addresses need none).
    """
    return _clean_simplified(simplified(unicodedata.normalize("NFKC", text)))


def clean_many(texts: list[str]) -> list[str]:
    """:func:`clean` of each text, OpenCC run over a batch of them at once."""
    out: list[str] = []
    for k in range(0, len(texts), BATCH):
        simple = simplified_many([unicodedata.normalize("NFKC", t) for t in texts[k : k + BATCH]])
        out.extend(_clean_simplified(s) for s in simple)
    return out


def _clean_simplified(s: str) -> str:
    """:func:`clean` of a text already NFKC-normalised and simplified."""
    if " " in s or not s.isprintable():  # any other white space is unprintable
        s = _SPACE.sub("", s)
    s = unicodedata.normalize("NFKC", s)
    if _BRACKET_OPEN.search(s):
        s = _BRACKETS.sub("", s)
    if _DASH_LIKE.search(s):
        s = _DASHES.sub("-", s)
    if "#" in s:
        s = _HASH.sub("号", s).replace("#", "")
    if "衖" in s or "號" in s:
        s = s.replace("衖", "弄").replace("號", "号")
    for _ in range(4):
        before = s
        if "第" in s:
            s = _ORDINAL.sub("", s)
        if "F" in s or "f" in s:
            s = _FLOOR_F.sub("楼", s)
        if _CN_BEFORE_UNIT.search(s):
            s = _CN_NUM_BEFORE_UNIT.sub(_cn_to_digits, s)
        s = s.upper()
        if _DASH_LIKE.search(s):
            s = _DASHES.sub("-", s)  # 一 between digits, once the numerals are read
        if "-" in s:
            s = _LOOSE_DASH.sub("", s)
        if "第" in s:
            s = _ORDINAL.sub("", s)
        if not s.isascii():  # a dash taken out may let two characters compose
            s = unicodedata.normalize("NFKC", s)
        s = s.strip(",，。.;；")
        if s == before:
            break
    return s


# --- administrative prefix -------------------------------------------------------

_NOT_ROAD = "(?![路街弄巷号村组道场])"
# what follows a 市 or 区 that names an estate, not a city ("城市广场")
_NOT_ESTATE = (
    "(?!广场|花园|花苑|家园|名苑|华庭|华府|公馆|山庄|大院|中心|大厦|公寓|小区|新村|社区|市场"
    "|商城|东区|西区|南区|北区|中区)"
)
NO_ADMIN = "※"  # starts a house key whose start reads like a province or district
# a character of an administrative name (a 镇 or 乡 only first: "镇海区")
_A1 = r"[^\dA-Z\-]"
_A = r"(?:(?!街道)[^\dA-Z\-镇乡])"
_AC = r"(?:(?!街道)[^\dA-Z\-镇乡县区])"  # nor, in a province's or city's, a 区 or 县
_TOWN = rf"[^\dA-Z\-]{{1,7}}?(?:(?:镇|乡)(?![镇乡市])|街道){_NOT_ROAD}"
ADMIN = re.compile(
    r"^(?:中国|中华人民共和国)?"
    rf"(?P<province>{_A1}{_AC}{{1,6}}?(?:省|自治区){_NOT_ROAD}|(?:上海|北京|天津|重庆)市?)?"
    rf"(?P<city>{_A1}{_AC}{{1,8}}?(?:市|自治州|地区|盟){_NOT_ROAD}{_NOT_ESTATE})?"
    rf"(?P<district>{_A1}{_A}{{0,8}}?(?<![小社园校])(?:新区|区|县|旗|市)(?![区县]){_NOT_ROAD}"
    rf"{_NOT_ESTATE})?"
    rf"(?P<town>{_TOWN})?"
)
_MORE_TOWN = re.compile(_TOWN)  # "鹤城镇油竹街道": a second town word
ADMIN_LEVELS = ("province", "city", "district", "town")


# a name that starts a road ("宁波南路", "中山北一路", "海盐塘路") or is only
# an estate word ("杭州大厦") is not stripped of the place name it starts with
_KEEPS_NAME = re.compile(
    r"^(?:(?:[东西南北中][一二三四五六七八九十]?|.)?(?:路|街|巷|弄|道|大道|大街|公路)"
    r"|[村组号镇乡]|街道)"
)
_GENERIC = frozenset(
    (
        "大厦", "广场", "花园", "新村", "小区", "公寓", "中心", "大楼", "商城", "市场", "新城",
        "公园", "家园", "大学", "中学", "小学", "医院", "车站", "宾馆", "饭店", "酒店", "银行",
        "大酒店", "商场", "体育馆", "苑", "园", "城", "湾", "里", "村",
        "东区", "西区", "南区", "北区", "中区",
    )
)  # fmt: skip
_ADMIN_SUFFIXES = (
    "特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "新区", "矿区", "林区",
    "省", "市", "区", "县", "旗", "盟",
)  # fmt: skip
_NOT_BARE = frozenset(
    ("城中", "城东", "城西", "城南", "城北", "市中", "市南", "市北", "新城", "新华", "和平",
     "朝阳", "长安", "白云")
)  # fmt: skip


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[dict[str, str], int]:
    """Province, city and county names, with and without their suffix (杭州市,
    杭州), from python-stdnum's table of ID region codes; name -> level."""
    from stdnum import numdb

    names: dict[str, str] = {}

    def walk(prefixes: list[Any], depth: int) -> None:
        for _length, low, _high, props, children in prefixes:
            level = "province" if not depth else "city" if low.endswith("00") else "district"
            for raw in props.values():
                for piece in raw.split(","):
                    name = simplified(re.sub(r"^\[[^\]]*\]", "", piece))
                    if len(name) < 2 or name in ("市辖区", "县", "省直辖县级行政区划"):
                        continue
                    names.setdefault(name, level)
                    for suffix in _ADMIN_SUFFIXES:
                        bare = name.removesuffix(suffix)
                        if bare != name:
                            if len(bare) >= 2 and bare not in _NOT_BARE:
                                names.setdefault(bare, level)
                            break
            walk(children, depth + 1)

    walk(numdb.get("cn/loc").prefixes, 0)
    return names, max(map(len, names))


@lru_cache(maxsize=1)
def _sizes() -> dict[str, tuple[int, ...]]:
    """The lengths of the region names (longest first) that start with each
    pair of characters: the only lengths worth trying at a place."""
    sizes: dict[str, set[int]] = {}
    for name in _gazetteer()[0]:
        sizes.setdefault(name[:2], set()).add(len(name))
    return {start: tuple(sorted(s, reverse=True)) for start, s in sizes.items()}


_BARE_CITIES = frozenset(("上海", "北京", "天津", "重庆"))


_ROAD_WORD = re.compile(r"路|街|巷|弄|大道|公路|(?<!新)村|镇|乡|街道")
_LEAD = re.compile(r"[^\dA-Z\-]*")  # the name a text starts with
_GROUPED = re.compile(r"[^\dA-Z\-]*\d+(?:组(?!团)|队)")  # a name, then a group


def strip_places(name: str, before_estate: bool = True) -> tuple[list[tuple[str, str]], str]:
    """Place names taken off the start of ``name``, and the rest (see
    :func:`_strip_places`)."""
    found, rest = _strip_places(name, before_estate)
    return list(found), rest


@lru_cache(maxsize=65_536)
def _strip_places(name: str, before_estate: bool) -> tuple[tuple[tuple[str, str], ...], str]:
    """Place names (with or without their suffix: 杭州市, 杭州) taken off the
    start of ``name``: [(level, place)], the rest. A place that starts a road
    or estate name is kept ("宁波南路", "杭州大厦", "浙江大学"). With
    ``before_estate`` False, a name without its suffix is taken off only
    before another place, a road or a village ("杭州文三路"): an estate's
    name is recorded as written ("黄龙康城") and keyed without the place
    (:func:`canonical_estate`), so that "东阳金发小区" and "金发小区" agree.
    """
    found: list[tuple[str, str]] = []
    names = _gazetteer()[0]
    sizes_at = _sizes()
    stripped = True
    while stripped and len(name) > 2 and name[:2] in sizes_at:
        stripped = False
        top = len(name) - 1
        for k in sizes_at[name[:2]]:
            if k > top:
                continue
            level = names.get(name[:k])
            if level and not _keeps_word(_LEAD.match(name, k).group(0)):  # type: ignore[union-attr]
                if not before_estate and name[k - 1] not in "省市区县旗盟州":
                    word = _LEAD.match(name, k).group(0)  # type: ignore[union-attr]
                    follows = any(
                        word[:j] in names for j in sizes_at.get(word[:2], ()) if j <= len(word)
                    )
                    grouped = _GROUPED.match(name, k) is not None
                    if not (follows or grouped or _ROAD_WORD.search(word)):
                        continue
                found.append((level, name[:k]))
                name = name[k:]
                stripped = True
                break
    return tuple(found), name


def _keeps_name(rest: str) -> bool:
    """Whether a place name followed by ``rest`` belongs to the name after it
    (not when another place name follows: "台州市路桥区")."""
    return _keeps_word(_LEAD.match(rest).group(0))  # type: ignore[union-attr]


@lru_cache(maxsize=65_536)
def _keeps_word(word: str) -> bool:
    """:func:`_keeps_name` of a rest that starts with the name ``word``."""
    if not word or word in _GENERIC:
        return True
    if not _KEEPS_NAME.match(word):
        return False
    names = _gazetteer()[0]
    return not any(
        word[:k] in names and word[k - 1] in "省市区县旗盟州"
        for k in _sizes().get(word[:2], ())
        if 2 < k <= len(word)
    )


def admin_prefix(s: str) -> tuple[dict[str, str], str]:
    """The province, city, district and town at the start of ``s``, and the rest.

    Names with their suffix are read by pattern (any 某某市, 某某区); names
    written without it (杭州, 闵行) from the table of region names. A name is
    given back to the rest when a number follows it at once (nothing
    administrative is numbered: "向阳乡3组12号" is the place 向阳乡,
    "望花东区8幢" an estate) or when it starts a road or an estate name
    ("北京西路", "杭州大厦").
    """
    found: list[tuple[str, str]] = []
    rest = s
    m = ADMIN.match(s)
    if m and m.end():
        province, city, district, town_name = m.groups()  # ADMIN_LEVELS, in order
        if province:
            found.append(("province", province))
        if city:
            found.append(("city", city))
        if district:
            found.append(("district", district))
        if town_name:
            found.append(("town", town_name))
    if found:
        assert m is not None
        rest = s[m.end() :]
        if found[-1][1] in _BARE_CITIES and _keeps_name(rest):  # "北京西路"
            rest = found.pop()[1] + rest
        names = _gazetteer()[0]
        while found and found[-1][0] != "town" and found[-1][1] not in names:
            # "柳市镇" is a town, "都市阳光广场" an estate: not a city "柳市", "都市"
            last = found[-1][1]
            if not (rest[:1] in ("镇", "乡") or last.endswith(("都市", "城市", "超市", "夜市"))):
                break
            rest = found.pop()[1] + rest
        town = _MORE_TOWN.match(rest)
        if town and not _keeps_name(rest[town.end() :]):
            found.append(("town", town.group(0)))
            rest = rest[town.end() :]
    places, rest = strip_places(rest, before_estate=False)
    found += places
    if found and rest and (rest[0].isdigit() or rest[0] == "-" or "A" <= rest[0] <= "Z"):
        rest = found.pop()[1] + rest
    parts: dict[str, str] = {}
    for level, name in found:
        parts.setdefault(level, name)
    return parts, rest


def reads_as_admin(key: str) -> bool:
    """Whether parsing ``key`` would take its start for a province, city,
    district or town."""
    name = _LEAD.match(key).group(0)  # type: ignore[union-attr]
    # only the name and whether a number follows it matter: asked once per name
    return _name_reads_as_admin(name + ("0" if len(name) < len(key) else ""))


@lru_cache(maxsize=65_536)
def _name_reads_as_admin(text: str) -> bool:
    return bool(admin_prefix(text)[0])


# --- names ----------------------------------------------------------------------

# the road is the longest name ending in a road word ("上街村老街支路"), not
# a 弄 or 街 that ends a village's name ("王家弄村")
_ROAD = re.compile(r"^(?P<road>.+(?:大道|公路|大街|路|街|巷|弄)(?!村))(?P<rest>.*)$")
# a place above the road: a village, a community, a development zone
_ABOVE_ROAD = re.compile(r"^(?P<above>.+?(?<!新)村|.+?社区|.+?(?:开发|工业|园)区)(?P<road>.{2,})$")
_ESTATE_TAIL = re.compile(
    r"(?:小区|新村|花园|家园|公寓|大厦|大楼|广场|中心|苑|园|庭|府|邸|阁|轩|居|坊|里|湾|城|座"
    r"|公馆|山庄|别墅|华庭|名都|国际|商城|市场)$"
)
# N号 naming a road ("下沙1号大街"), read as part of the name
_NUMBERED_ROAD = re.compile(r"\d+号?(?:大街|大道|路|街)")


def canonical_village(name: str) -> str:
    """联明 / 联明村 / 联明村委会 -> 联明村; a town or community stays as written."""
    for tail in ("村民委员会", "村委会", "村委"):
        if name.endswith(tail) and len(name) > len(tail):
            return name[: -len(tail)] + "村"
    if name.endswith(("村", "乡", "镇", "街道", "社区", "居委", "居委会")):
        return name
    return name + "村"


def written_estate(name: str) -> str:
    """An estate name as recorded in the parts: as written, less a trailing 第."""
    return name.rstrip("第之-")


@lru_cache(maxsize=65_536)
def canonical_estate(name: str) -> str:
    """An estate name as keyed: 名湖人家小区 and 名湖人家 are one estate."""
    name = strip_places(name.rstrip("第之-"))[1]
    if name.endswith("小区") and len(name) > 3:
        name = name[:-2]
    return name


# --- numbered tokens ---------------------------------------------------------------

TOKEN = re.compile(
    r"(?P<num>[A-Z]?\d+[A-Z]?|[A-Z])"
    r"(?P<unit>支弄|弄|号楼|号|幢|栋|座|单元|门|楼|层|室|户|房间|房|组团|组|队|期|区|排|)"
)
_ROOM_WORDS = {"室", "户", "房", "房间"}
_BUILDING_AHEAD = re.compile(r"[0-9A-Z](?:幢|栋|号楼|座)")
_MARKET = re.compile(r"(?:市场|商城|城|广场|大厦|大楼|商厦|中心)$")
_BELOW_WORDS = {"单元", "门", "楼", "层", *_ROOM_WORDS}
_ROOM_SLOTS = ("unit", "floor", "room")


class _Reader:
    """Slots filled left to right; ``leftovers`` keeps what found no slot."""

    def __init__(self) -> None:
        self.parts: dict[str, str] = {}
        self.leftovers: list[str] = []
        self.in_estate = False  # the last name read was an estate
        self.hao_building = False  # the building was an estate's N号
        self.building_ahead = False  # a 幢/栋/号楼/座 comes later

    # -- context
    def _has(self, *slots: str) -> bool:
        return any(s in self.parts for s in slots)

    def _road_only(self) -> bool:
        """A road with no number yet, and no estate since."""
        return (
            "road" in self.parts
            and not self._has("lane", "number", "phase", "zone", "row", "building")
            and not self.in_estate
        )

    def _rural(self) -> bool:
        """In a village (a 村, or a town with a group): its houses are numbered."""
        p = self.parts
        village = p.get("village", "")
        if not village or self.in_estate:
            return False
        if "road" in p and VILLAGE_FIRST not in p and self._has("lane", "number"):
            return False
        return village.endswith("村") or "group" in p

    def _put(self, slot: str, value: str, text: str) -> None:
        if slot in self.parts:
            self.leftovers.append(text)
        else:
            self.parts[slot] = value

    # -- a number with its word
    def unit(self, num: str, unit: str) -> None:
        p = self.parts
        text = num + unit
        if unit == "弄":
            self._put("lane" if "lane" not in p else "sublane", num, text)
        elif unit == "支弄":
            self._put("sublane", num, text)
        elif unit == "号":
            self._put(self._hao_slot(), num, text)
        elif unit in ("号楼", "幢", "栋", "座"):
            # under a lane, and in a village, the house is its number
            open_number = "number" not in p and ("lane" in p or self._rural())
            self._put("number" if open_number else "building", num, text)
        elif unit in ("单元", "门"):
            self._put("unit", num, text)
        elif unit in ("楼", "层"):
            self._put("floor", num, text)
        elif unit in _ROOM_WORDS:
            self._put("room", num, text)
        elif unit in ("组", "队"):
            self._put("group", num, text)
        elif unit == "期":
            self._put("phase", num, text)
        elif unit in ("区", "组团"):
            self._put("zone", num, text)
        elif unit == "排":
            self._put("row", num, text)
        else:  # pragma: no cover - TOKEN has no other word
            self.leftovers.append(text)

    def _hao_slot(self) -> str:
        p = self.parts
        if "lane" in p and "number" not in p:
            return "number"
        if self._has(*_ROOM_SLOTS):
            return "room"
        if self._rural() and "number" not in p:
            return "number"
        if self._road_only():
            return "number"
        if self.in_estate or self._has("phase", "zone", "row"):
            if "building" in p:
                return "room"
            if self.building_ahead and "number" not in p:
                return "number"  # "双流665号A6幢": the place's number, then its building
            self.hao_building = True
            return "building"
        if "number" not in p and "building" not in p:
            return "number"
        if "building" not in p:
            return "building"
        return "room"

    # -- bare numbers joined by dashes ("12-302", "10-5-1638")
    def run(self, run: list[str], before: str = "") -> None:
        """``before``: the word of the token that closes the run, if any."""
        if not run:
            return
        p = self.parts
        lane_open = "lane" in p and "number" not in p
        road_only = self._road_only()
        rural_open = self._rural() and "number" not in p
        below = self._has(*_ROOM_SLOTS)
        n = len(run)
        order: list[str] = []
        if n == 1:
            if below:
                order = ["room"]
            elif lane_open or road_only or rural_open:
                order = ["number"]
            elif before in _BELOW_WORDS and "building" not in p:
                order = ["building"]  # "2509号A7-10楼"
            elif self.in_estate and "building" not in p:
                order = ["room" if len(run[0]) >= 3 else "building"]
            elif not self._has("number", "building", "lane"):
                order = ["number"]
            elif "room" not in p:
                order = ["room"]
        elif n == 2:
            if road_only and len(run[1]) < 3:
                order = ["number", "building"]  # "冶山路483-8"
            elif lane_open or road_only or rural_open:
                order = ["number", "room"]
            elif not below and "building" not in p:
                anchored = self.in_estate or self._has(
                    "number", "lane", "village", "phase", "zone", "row"
                )
                order = ["building", "room"] if anchored else ["number", "room"]
            elif "building" in p and not below:
                order = ["unit", "room"]
            elif "building" in p and "unit" in p and not self._has("floor", "room"):
                order = ["floor", "room"]
        elif n == 3:
            if lane_open or rural_open:
                order = ["number", "unit", "room"]
            elif road_only:
                order = ["lane", "number", "room"]
            elif not below and "building" not in p:
                order = ["building", "unit", "room"]
            elif "building" in p and not below:
                order = ["unit", "floor", "room"]
        elif n == 4 and road_only:
            order = ["lane", "number", "unit", "room"]
        if len(order) != n or any(s in p for s in order):
            self.leftovers.append("-".join(run))
            return
        for slot, value in zip(order, run, strict=True):
            p[slot] = value

    # -- a name between numbers ("1255弄古美西苑12号", "文三路90号东部软件园1号楼")
    def name(self, chunk: str, trailing: bool) -> None:
        p = self.parts
        if chunk in {"号", "室", "楼", "之"}:
            return
        estate_like = bool(_ESTATE_TAIL.search(chunk))
        # an estate comes after a road, a lane or a group, or first; after a
        # house number without a road it would lead a key that reads back
        # otherwise ("12号某苑3幢")
        numbered = self._has("number", "phase", "zone", "row") and "road" not in p
        opens_estate = (
            "estate" not in p
            and not numbered
            and not self._has("building", *_ROOM_SLOTS)
            and (not trailing or estate_like)
        )
        if opens_estate and canonical_estate(chunk):
            p["estate"] = written_estate(chunk)
            self.in_estate = not trailing
        else:
            self.leftovers.append(chunk)


_GROUP_FIRST = re.compile(r"[0-9]+(?:组(?!团)|队)")
_VILLAGE_IN = re.compile(r"^(?P<village>.+?(?<!新)村)(?:民委员会|委会|委)?(?P<rest>.*)$")


def _split_head(head: str, body: str, parts: dict[str, str]) -> bool:
    """The name before the first number: road, estate or village. True when
    the reader starts inside an estate."""
    village = _VILLAGE_IN.match(head)
    if _GROUP_FIRST.match(body):  # "联明1组", "建北村顾家头4组"
        if village:
            parts["village"] = village.group("village")
            if village.group("rest"):
                parts["place"] = village.group("rest")
        else:
            parts["village"] = canonical_village(head)
        return False
    if head.endswith(("乡", "镇", "街道")):
        parts["village"] = head  # a town named before its numbers ("向阳乡3组12号")
        return False
    road = _ROAD.match(head)
    if road:
        name, rest = road.group("road"), road.group("rest")
        above = _ABOVE_ROAD.match(name)
        if above and _ROAD.match(above.group("road")):
            where = above.group("above")
            key = "village" if where.endswith("村") else "estate"
            parts[key] = where if key == "village" else written_estate(where)
            name = above.group("road")
        if rest in _GENERIC:  # "华尔街大厦": the road names the estate
            parts["estate"] = written_estate(head)
            return True
        parts["road"] = name
        village = _VILLAGE_IN.match(rest)
        if village and not village.group("rest"):  # "芸海北路新许村": the village leads
            parts["village"] = village.group("village")
            parts[VILLAGE_FIRST] = "1"
            return False
        if rest and canonical_estate(rest):
            parts["estate"] = written_estate(rest)
            return True
        return False
    if village:  # "白浦村1269", "占坂村留公坞138", "夏演村综合市场55号"
        parts["village"] = village.group("village")
        rest = village.group("rest")
        if rest and _ESTATE_TAIL.search(rest) and canonical_estate(rest):
            parts["estate"] = written_estate(rest)
            return True
        if rest:
            parts["place"] = rest
        return False
    if canonical_estate(head):
        parts["estate"] = written_estate(head)
        return True
    return False


def _number_at(s: str, i: int) -> re.Match[str] | None:
    """The numbered token starting at ``s[i]``: digits, or a letter with a
    word ("A座") or between dashes ("82-B-1405")."""
    m = TOKEN.match(s, i)
    if m is None:
        return None
    if any(c.isdigit() for c in m.group("num")) or m.group("unit"):
        return m
    after = m.end()
    dashed_before = i > 0 and s[i - 1] == "-"
    dashed_after = after + 1 < len(s) and s[after] == "-" and s[after + 1].isalnum()
    return m if dashed_before or dashed_after else None


def split_admin(s: str) -> tuple[dict[str, str], str]:
    """The administrative prefix of a cleaned address and the rest (nothing
    taken from a house key marked with :data:`NO_ADMIN`)."""
    if s.startswith(NO_ADMIN):  # a house key that must not lose its start
        return {}, s[len(NO_ADMIN) :]
    return admin_prefix(s)


def read(s: str) -> tuple[dict[str, str], list[str]]:
    """Parts and leftovers of a cleaned address (see :func:`clean`)."""
    admin, rest = split_admin(s)
    head, body, leftovers = read_rest(rest)
    parts = dict(head)
    parts.update({k: v for k, v in admin.items() if k not in parts})
    parts.update(body)
    return parts, list(leftovers)


Items = tuple[tuple[str, str], ...]


def read_rest(s: str) -> tuple[Items, Items, tuple[str, ...]]:
    """An address without its administrative prefix: the parts its leading
    name gives, the parts its numbers give (in the order found) and the
    leftovers. The prefix plays no part in reading the rest (no slot and no
    rule looks at a province, city, district or town), so a caller may read
    a rest once however many prefixes it comes with (address.py does)."""
    # the leading name: up to the first number (a numbered road stays in it)
    head_end = 0
    while head_end < len(s):
        ch = s[head_end]
        if ch.isdigit():
            m = _NUMBERED_ROAD.match(s, head_end)
            if not m:
                break
            head_end = m.end()
            continue
        if ch == "-" or ("A" <= ch <= "Z" and _number_at(s, head_end)):
            break
        head_end += 1
    head, body = s[:head_end], s[head_end:]
    reader = _Reader()
    if head:
        reader.in_estate = _split_head(head, body, reader.parts)
    head_items = tuple(reader.parts.items())

    pos = 0
    run: list[str] = []
    while pos < len(body):
        if body[pos] == "-":
            pos += 1
            continue
        m = _number_at(body, pos)
        if m:
            num, unit = m.group("num"), m.group("unit")
            joined = pos > 0 and body[pos - 1] == "-" and bool(run)
            pos = m.end()
            if not unit:
                run.append(num)
            elif unit in _ROOM_WORDS and joined:
                run.append(num)  # "10-5-1638室": the last of the run
                reader.run(run)
                run = []
            else:
                reader.run(run, before=unit)
                run = []
                reader.building_ahead = unit == "号" and bool(_BUILDING_AHEAD.search(body, pos))
                reader.unit(num, unit)
            continue
        end = pos + 1
        while end < len(body) and not (
            body[end].isdigit()
            or body[end] == "-"
            or ("A" <= body[end] <= "Z" and _number_at(body, end))
        ):
            end += 1
        chunk = body[pos:end]
        pos = end
        reader.run(run)
        run = []
        reader.name(chunk, trailing=pos >= len(body))
    reader.run(run)
    p = reader.parts
    if (
        reader.hao_building
        and _MARKET.search(p.get("estate", ""))
        and not any(k in p for k in _ROOM_SLOTS)
    ):
        p["room"] = p.pop("building")  # "汽配城2671号", "兴舟大厦1521号": a stall, an office
    body_items = tuple(p.items())[len(head_items) :]  # the numbers never unset a name
    return head_items, body_items, tuple(reader.leftovers)


# --- the house key ------------------------------------------------------------------

NUMBER_SLOTS = (
    "group", "lane", "sublane", "number", "phase", "zone", "row",
    "building", "unit", "floor", "room",
)  # fmt: skip
_WORD = {
    "group": "组",
    "lane": "弄",
    "sublane": "支弄",
    "number": "号",
    "phase": "期",
    "zone": "区",
    "row": "排",
    "building": "幢",
    "unit": "单元",
}


def tidy(parts: dict[str, str]) -> list[str]:
    """Leading zeros off, a lane's building as its number; problems found."""
    problems: list[str] = []
    for slot in NUMBER_SLOTS:
        if slot in parts and parts[slot].isdigit():
            parts[slot] = str(int(parts[slot]))
    if "lane" in parts and "number" not in parts and "building" in parts:
        parts["number"] = parts.pop("building")
    room, floor = parts.get("room", ""), parts.get("floor", "")
    if room.isdigit() and floor.isdigit():
        if int(room) >= 100 and int(room) // 100 != int(floor):
            problems.append("楼层与室号不一致")
    elif room.isdigit() and int(room) >= 101:
        parts["floor"] = str(int(room) // 100)
    return problems


def key_room(parts: dict[str, str]) -> tuple[str, str]:
    """(floor, room) as keyed: "3楼2室" is 302室; an explicit floor the room
    does not imply is kept ("11楼3403室"); a floor the room implies is not."""
    room, floor = parts.get("room", ""), parts.get("floor", "")
    if not room:
        return floor, ""
    if floor.isdigit() and room.isdigit():
        if int(room) < 100:
            return "", str(int(floor) * 100 + int(room))
        return ("" if int(room) // 100 == int(floor) else floor), room
    return floor, room


def estate_key(parts: dict[str, str]) -> str:
    """The estate's name as keyed (see :func:`canonical_estate`)."""
    return canonical_estate(parts.get("estate", ""))


VILLAGE_FIRST = "_village_first"  # a private mark: the village after a road leads


def head_of(parts: dict[str, str]) -> str:
    """Which name leads the key: ``road`` (with its number), ``estate``,
    ``village``, a numberless ``road``, ``place`` or "" (numbers alone)."""
    if VILLAGE_FIRST in parts:
        return "village"
    if "road" in parts and ("lane" in parts or "number" in parts):
        return "road"
    for name in ("estate", "village", "road", "place"):
        if name in parts:
            return name
    return ""


def compose(parts: dict[str, str], with_flat: bool) -> str:
    """The house key (``with_flat``) or the building key of parsed parts."""
    return compose_both(parts)[0 if with_flat else 1]


def compose_both(parts: dict[str, str]) -> tuple[str, str]:
    """The house key and the building key of parsed parts (see :func:`compose`)."""
    head = head_of(parts)
    if head == "estate":
        building = estate_key(parts)
    elif head:
        building = parts[head]
        if head == "village" and "place" in parts:
            building += parts["place"]
    else:
        building = ""
    for slot in ("group", "lane", "sublane", "number", "phase", "zone", "row", "building"):
        if slot == "group" and head not in ("village", ""):
            continue
        if slot in parts:
            building += parts[slot] + _WORD[slot]
    key = building
    if "unit" in parts:
        key += parts["unit"] + "单元"
    floor, room = key_room(parts)
    if floor:
        key += floor + "楼"
    if room:
        key += room + "室"
    # a key that would parse with its start taken for a province, district or
    # town (":路" + "省", "某乡某路") is marked, so that it parses to itself
    if reads_as_admin(key):
        key = NO_ADMIN + key
    if reads_as_admin(building):
        building = NO_ADMIN + building
    return key, building

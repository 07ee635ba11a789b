"""Addresses: parts (road, lane, number, ... room; village, group) and a house key.

The same flat is written many ways -- 古美路1255弄12号302室, 古美路1255弄12-302,
1255弄12号3楼302, 古美路一二五五弄十二号三〇二室, with or without 上海市闵行区,
号/幢/栋/号楼 -- and all of them must give one **house key**; two different
flats must never share one. The key is itself a readable standard address
(``古美路1255弄12号302室``), so a clerk can see why two records agree.

The grammar (:mod:`recon.normalize._address_grammar`) covers the forms used
across China, Shanghai's 路/弄/号/室 among them:

* the administrative prefix (省/市/区/县/镇/街道) is recorded, not keyed;
  a province, city or county written without its suffix (杭州, 闵行) is
  known from python-stdnum's table of region names;
* Chinese numerals before a unit word are converted (一二五五弄, 十二幢, 三期);
* a road or an estate, then buildings (号/号楼/幢/栋/座: ``building``),
  entrances (单元/门: ``unit``), floors (层/楼/F: ``floor``), rooms (室/房/户:
  ``room``); parts of an estate (期: ``phase``; 区/组团: ``zone``; 排:
  ``row``) have slots of their own and are never the room;
* with 弄 present, 号/幢/栋/号楼 all name the building: ``number``;
  without 弄, ``100号5幢301室`` is number 100, building 5, room 301; ``N号``
  after an estate name is its building (``御景华庭23号`` = ``御景华庭23幢``);
* dash forms: ``幢-单元-室`` (``10-5-1638``) unless a 弄 or a bare road comes
  first (Shanghai: ``古美路1255-12-302`` is 弄-号-室, ``1255弄12-2-302``
  号-单元-室); pairs fill the next open slots (``1255弄12-302``);
* a room gives its floor (601 -> 6), so ``6楼601`` is ``601室`` and ``3楼2室``
  is ``302室``; an **explicit floor the room does not imply wins** and
  stays in the key (``11楼3403`` -> floor 11, key ``11楼3403室``: in markets
  and office towers the room does not encode the floor);
* rural: 镇/乡 and 村 are optional, the 组 may be in Chinese numerals, 号
  after the house may be left out: ``联明1组120号`` = ``七宝镇联明村一组120号``
  (key ``联明村1组120号``); in a village 号/幢 both number the house;
* text the grammar does not understand stays in the key (in 〔〕), so that it
  can only make two keys differ, never equal.

**Estate names** (…苑, …小区, …大厦, …新村) are keyed only when they are
what locates the building. Beside a road and its number or 弄 they are
recorded (``estate``) but never keyed: ``文三路90号东部软件园1号楼`` and
``文三路90号1号楼`` give ``文三路90号1幢``. Without a road number the
estate leads the key, written without a leading place name and without
``小区`` (``东阳金发小区``, ``金发小区`` -> ``金发``). An estate written
alone is resolved by the data the run has: :func:`normalize_addresses`
keys it by the road and number (or 弄) that other addresses of the same
column give it, when they give exactly one.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from recon.normalize import _address_grammar as _g
from recon.normalize._address_grammar import chinese_number

__all__ = [
    "ADDRESS_COLUMNS",
    "PART_NAMES",
    "Address",
    "address_keys",
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
    "estate",
    "village",
    "place",
    "group",
    "lane",
    "sublane",
    "number",
    "phase",
    "zone",
    "row",
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
    locality: str = ""  # the name the key starts with: road, estate or village
    leftover: str = ""
    problems: tuple[str, ...] = ()


# --- parsing --------------------------------------------------------------------


@lru_cache(maxsize=500_000)
def parse_address(text: str) -> Address:
    """Parse one address into parts and a house key (see the module text)."""
    raw = "" if text is None else str(text)
    s = _g.clean(raw)
    if not s:
        return Address(text=raw, problems=("地址为空",))
    admin, rest = _g.split_admin(s)
    parts, key, building, locality, leftover, problems = _read_and_key(rest)
    ordered = {name: admin[name] for name in _g.ADMIN_LEVELS if name in admin}
    ordered.update(parts)
    return Address(
        text=raw,
        parts=ordered,
        house_key=key,
        building_key=building,
        locality=locality,
        leftover=leftover,
        problems=problems,
    )


@lru_cache(maxsize=500_000)
def _read_and_key(rest: str) -> tuple[_g.Items, str, str, str, str, tuple[str, ...]]:
    """Everything but the administrative parts, for an address without its
    prefix: read and keyed once however many prefixes it comes with (neither
    the reading nor the key looks at a province, city, district or town)."""
    head, body, leftovers = _g.read_rest(rest)
    return _finish(dict(head + body), list(leftovers))


# characters that can make a name read back otherwise when it leads a key
_RISKY = re.compile("[路街巷弄道村组队号幢栋座楼层室户房期区排团门省市县镇乡旗盟州第之A-Z0-9]")


def _risky(parts: dict[str, str], head: str, locality: str, key: str) -> bool:
    """Whether the names leading ``key`` hold a character the grammar reads (a
    village's final 村 aside): only then is the key read again to check it."""
    name = locality
    if head == "village":
        name = name.removesuffix("村") + parts.get("place", "")
    # a Chinese numeral is read only before a unit word (risky already) or last
    risky = bool(_RISKY.search(name)) or name[-1:] in _g.CN_DIGITS
    return risky or "-" in key or key.startswith(_g.NO_ADMIN)


@lru_cache(maxsize=65_536)
def _key_of(key: str) -> str:
    """The house key of a house key, read again ("" if anything is left over)."""
    parts, leftovers = _g.read(_g.clean(key))
    _g.tidy(parts)
    return "" if leftovers else _g.compose(parts, with_flat=True)


def _finish(
    parts: dict[str, str], leftovers: list[str]
) -> tuple[_g.Items, str, str, str, str, tuple[str, ...]]:
    """(parts in their order, house key, building key, locality, leftover,
    problems) of parts read without their administrative prefix."""
    problems = _g.tidy(parts)
    head = _g.head_of(parts)
    locality = _g.estate_key(parts) if head == "estate" else parts.get(head, "")
    if not locality:
        problems.append("缺少路名或村名")
    if leftovers:
        problems.append("有无法识别的部分")
    key, building = _g.compose_both(parts)
    if (
        head not in ("road", "")
        and not leftovers
        and _risky(parts, head, locality, key)
        and _key_of(key) != key
    ):
        # a name that reads back otherwise ("组巷厦街会"): kept, but as text
        # the grammar does not understand, so the key cannot meet another
        leftovers.append(parts.pop(head))
        parts.pop("place", None)
        parts.pop(_g.VILLAGE_FIRST, None)
        key, building = _g.compose_both(parts)
    if leftovers:
        key += "〔" + "|".join(leftovers) + "〕"
    ordered = tuple((name, parts[name]) for name in PART_NAMES if name in parts)
    return ordered, key, building, locality, "|".join(leftovers), tuple(problems)


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
    "路街巷道省市区县镇乡旗盟州村组队弄衖号幢栋座楼层室户房单元支第小社园校场门期排]"
)
_FAST_HEAD = (  # the prefix and road: no digit in them
    r"^(?P<pre>(?:上海市?)?(?:" + _NAME_CHAR + r"{2,4}区)?(?:" + _NAME_CHAR + r"{2,6}(?:镇|街道))?)"
    r"(?P<road>(?:" + _NAME_CHAR + r"{1,10}(?:路|街|巷|大道)))?$"
)
_FAST_NUMBERS = (  # the numbers, after everything up to the first digit
    r"^(?P<head>[^0-9]*)(?P<lane>[0-9]{1,5})弄(?P<number>[0-9]{1,4})(?:号楼|号|幢|栋|-)"
    r"(?:(?P<floor>[0-9]{1,2})楼)?(?P<room>[0-9]{3,4})室?$"
)
# The plain shape is the two run one after the other. No character of the
# prefix or the road is a digit, so the lane starts at the first digit: a
# text has the shape when its numbers do and the text before them (the
# head) is a prefix and road. The numbers are matched on every text, the
# costly name pattern once per distinct head.
_FAST = _FAST_HEAD.removesuffix("$") + _FAST_NUMBERS.removeprefix(r"^(?P<head>[^0-9]*)")


def _fast_keys(uniques: list[str]) -> tuple[np.ndarray, list[str], list[str], list[str]]:
    """Keys of the plain-shape addresses (see above); others left to the parser.

    Returns a mask of the texts keyed here and the keys, building keys and
    localities ("" where not keyed), all built column-wise.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(uniques)
    arr = pa.array(uniques, type=pa.string())
    clean = pc.replace_substring_regex(pc.utf8_normalize(arr, "NFKC"), r"\s+", "")
    found = pc.extract_regex(clean, _FAST_NUMBERS)
    ok = np.asarray(found.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    keys = np.full(n, "", dtype=object)
    buildings = np.full(n, "", dtype=object)
    localities = np.full(n, "", dtype=object)
    if ok.any():
        rows = np.flatnonzero(ok)
        got = pc.filter(found, pa.array(ok))
        heads = pc.dictionary_encode(got.field("head"))
        named = pc.extract_regex(heads.dictionary, _FAST_HEAD)
        pre_of = pc.fill_null(named.field("pre"), "").to_pylist()
        road_of = pc.fill_null(named.field("road"), "").to_pylist()
        plain_of = np.array(
            [
                shaped and _plain_head(pre, road)
                for shaped, pre, road in zip(
                    named.is_valid().to_pylist(), pre_of, road_of, strict=True
                )
            ],
            dtype=bool,
        )
        head = np.asarray(heads.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
        room = np.asarray(pc.cast(got.field("room"), pa.int64()).to_numpy())
        floor = pc.fill_null(got.field("floor"), "")
        has_floor = np.asarray(pc.not_equal(floor, "").to_numpy(zero_copy_only=False), dtype=bool)
        floor_no = np.asarray(pc.cast(pc.if_else(has_floor, floor, "0"), pa.int64()).to_numpy())
        # a floor the room does not imply is kept in the key: the parser's case
        good = (~has_floor | (floor_no == room // 100)) & plain_of[head]
        road = pc.take(pa.array(road_of, type=pa.string()), pa.array(head))
        lane_s = pc.cast(pc.cast(got.field("lane"), pa.int64()), pa.string())
        number_s = pc.cast(pc.cast(got.field("number"), pa.int64()), pa.string())
        building = pc.binary_join_element_wise(road, lane_s, "弄", number_s, "号", "")
        key = pc.binary_join_element_wise(building, pc.cast(pa.array(room), pa.string()), "室", "")
        mask = pa.array(good)
        kept = rows[good]
        keys[kept] = pc.filter(key, mask).to_pylist()
        buildings[kept] = pc.filter(building, mask).to_pylist()
        localities[kept] = pc.filter(road, mask).to_pylist()
        ok[rows[~good]] = False
    return ok, keys.tolist(), buildings.tolist(), localities.tolist()


@lru_cache(maxsize=4096)
def _plain_head(pre: str, road: str) -> bool:
    """Whether the parser reads this prefix and road the way the plain shape
    does (no traditional character, no place name starting the road)."""
    probe = parse_address(pre + road + "1弄1号101室")
    return probe.house_key == f"{road}1弄1号101室" and not probe.leftover


def normalize_addresses(values: pd.Series) -> pd.DataFrame:
    """House key, building key, locality and flat for a column of addresses.

    ``addr_flat`` is the house key without its road or village
    ("1255弄12号302室"), for when one side left the road out; "" when what
    remains does not start with a number. Done once per distinct text;
    plain-shape texts in one vectorised pass.
    """
    codes, found = pd.factorize(values.fillna("").astype(str))
    columns = address_keys([str(u) for u in found.tolist()])
    return pd.DataFrame(
        {
            col: pd.Series(np.asarray(vals, dtype=object)[codes], index=values.index, dtype=object)
            for col, vals in zip(ADDRESS_COLUMNS, columns, strict=True)
        }
    )


def address_keys(texts: list[str]) -> tuple[list[str], list[str], list[str], list[str]]:
    """:func:`normalize_addresses` of distinct texts, as four lists in the
    order of :data:`ADDRESS_COLUMNS` (key, building, locality, flat)."""
    ok, keys, buildings, localities = _fast_keys(texts)
    todo = np.flatnonzero(~ok).tolist()
    with gc_paused():
        found = _parse_keys([texts[i] for i in todo])
    # the addresses that name an estate: only they are tied to a road or
    # keyed by one (parts are in PART_NAMES order, the administrative ones
    # left out: an estate comes first, or second after a road)
    parsed: dict[int, tuple[dict[str, str], str]] = {}
    for i, (key, building, locality, parts, leftover) in zip(todo, found, strict=True):
        keys[i], buildings[i], localities[i] = key, building, locality
        if any(name == "estate" for name, _ in parts[:2]):
            parsed[i] = (dict(parts), leftover)
    links = _estate_links(p for p, _ in parsed.values())
    if links:
        for i, (p, leftover) in parsed.items():
            linked = _linked(p, leftover, links)
            if linked is not None:
                keys[i], buildings[i], localities[i] = linked
    flats = [_flat_part(k, c) for k, c in zip(keys, localities, strict=True)]
    return keys, buildings, localities, flats


TextKeys = tuple[str, str, str, _g.Items, str]
# texts keyed in this process (the other side, a later worklist): the same
# person's address is met more than once
_KEYED: dict[str, TextKeys] = {}
_KEYED_MAX = 2_000_000


def _parse_keys(texts: list[str]) -> list[TextKeys]:
    """(house key, building key, locality, parts but the administrative ones,
    leftover) of :func:`parse_address` for each text, without making the
    Address. Step by step over all texts -- clean them all, then split off
    their prefixes, then read the rests -- rather than text by text: each
    step's code and tables stay warm (a fifth faster)."""
    new = list(dict.fromkeys(t for t in texts if t not in _KEYED))
    if new:
        if len(_KEYED) + len(new) > _KEYED_MAX:
            _KEYED.clear()
        cleaned = _g.clean_many(new)
        rests = [_g.split_admin(s)[1] if s else None for s in cleaned]
        of_rest = {
            r: _read_plain(r) or _read_and_key(r) for r in dict.fromkeys(rests) if r is not None
        }
        read = [of_rest[r] if r is not None else None for r in rests]
        for text, got in zip(new, read, strict=True):
            if got is None:
                _KEYED[text] = ("", "", "", (), "")
            else:
                parts, key, building, locality, leftover, _ = got
                _KEYED[text] = (key, building, locality, parts, leftover)
    return [_KEYED[t] for t in texts]


# A rest of one plain shape: a name of Han characters, then numbers in ASCII
# digits (no leading zero) -- a group and a house number, or a house number
# ("九星村3组138号", "五一村54号", "平阳路585号"). The reading of such a rest
# depends on its name, on which numbers it has and on how many digits each
# has (see _Reader.run), never on their values: it is read once per name and
# shape, with ones for digits, and that reading is used when it is the plain
# one (the name, then the numbers as written, nothing else).
_PLAIN_REST = re.compile(
    r"(?P<name>[\u4e00-\u9fff]+)(?:(?P<group>[1-9][0-9]{0,3})组)?(?P<number>[1-9][0-9]{0,5})(?P<hao>号?)"
)
_PLAIN_HEADS = ("road", "village")
RestKeys = tuple[_g.Items, str, str, str, str, tuple[str, ...]]


def _read_plain(rest: str) -> RestKeys | None:
    """:func:`_read_and_key` of a rest of the plain shape above; None for
    any other rest, or when the shape is not read plainly after its name."""
    m = _PLAIN_REST.fullmatch(rest)
    if m is None:
        return None
    name, group, number, hao = m.group("name", "group", "number", "hao")
    head = _plain_shape(name, len(group) if group else 0, len(number), hao)
    if head is None:
        return None
    slot, locality = head
    if group:
        key = f"{locality}{group}组{number}号"
        parts: _g.Items = ((slot, locality), ("group", group), ("number", number))
    else:
        key = f"{locality}{number}号"
        parts = ((slot, locality), ("number", number))
    return parts, key, key, locality, "", ()


@lru_cache(maxsize=65_536)
def _plain_shape(name: str, group: int, number: int, hao: str) -> tuple[str, str] | None:
    """(slot, locality) of the name when the parser reads the plain shape
    with these digit counts plainly; None when not."""
    g, n = "1" * group, "1" * number
    probe = f"{name}{g}组{n}{hao}" if group else f"{name}{n}{hao}"
    parts, key, building, locality, leftover, problems = _read_and_key(probe)
    if leftover or problems or not parts or parts[0][0] not in _PLAIN_HEADS:
        return None
    slot = parts[0][0]
    expect: _g.Items = (
        ((slot, locality), ("group", g), ("number", n))
        if group
        else (
            (slot, locality),
            ("number", n),
        )
    )
    written = f"{locality}{g}组{n}号" if group else f"{locality}{n}号"
    if parts != expect or key != written or building != key or not locality:
        return None
    # a village name the parser would read back (see _finish): not plain
    if slot != "road" and _risky(dict(parts), slot, locality, key):
        return None
    return slot, locality


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off for a block that makes many small
    objects and no cycles (parsing a column of addresses): in a process that
    already holds a million rows each of its passes walks them all, a third of
    the parsing time at 1M rows. Turned back on (if it was on) on leaving."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _estate_links(addresses: Iterable[dict[str, str]]) -> dict[str, dict[str, str]]:
    """Estate name -> its road and number, where the column ties it to one.

    An address that names both ("文三路90号东部软件园1号楼") says where the
    estate is; one that names the estate alone ("东部软件园1号楼") is then
    keyed by the road. An estate seen at two road numbers is left alone.
    """
    seen: dict[str, set[tuple[tuple[str, str], ...]]] = {}
    for p in addresses:  # the parts of each address
        if "estate" in p and "road" in p and ("lane" in p or "number" in p):
            # under a lane the number is the building: the lane places the estate
            slots = ("road", "lane", "sublane") if "lane" in p else ("road", "number")
            head = tuple((k, p[k]) for k in slots if k in p)
            seen.setdefault(_g.estate_key(p), set()).add(head)
    return {e: dict(next(iter(h))) for e, h in seen.items() if len(h) == 1}


def _linked(
    p: dict[str, str], leftover: str, links: dict[str, dict[str, str]]
) -> tuple[str, str, str] | None:
    """(house key, building key, locality) of an estate-only address (its
    parts and leftover) keyed by the road its estate is tied to; None when it
    is not such an address."""
    head = links.get(_g.estate_key(p)) if "estate" in p else None
    if head is None or any(k in p for k in ("lane", "sublane", "number")):
        return None
    if p.get("road", head["road"]) != head["road"]:
        return None
    parts = {**p, **head}
    _g.tidy(parts)
    key, building = _g.compose_both(parts)
    if leftover:
        key += "〔" + leftover + "〕"
    return key, building, head["road"]


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
    r"(?:(?P<number>\d+)号)?(?:(?P<phase>[0-9A-Z]+)期)?(?:(?P<zone>[0-9A-Z]+)区)?"
    r"(?:(?P<row>[0-9A-Z]+)排)?(?:(?P<building>[0-9A-Z]+)幢)?(?:(?P<unit>[0-9A-Z]+)单元)?"
    r"(?:(?P<floor>[0-9A-Z]+)楼)?(?:(?P<room>[0-9A-Z]+)室)?(?P<rest>.*)$"
)
_SORT_NUMBERS = (
    "group", "lane", "sublane", "number", "phase", "zone", "row",
    "building", "unit", "floor", "room",
)  # fmt: skip


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

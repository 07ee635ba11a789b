"""Comparisons: for a batch of candidate pairs, one level per item.

Each comparison is a small named strategy (as Splink's comparison levels):
it says what it compares, returns a level per pair, and words each level for
a clerk. Weights come from ``rules/matching.toml``, never from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
from rapidfuzz.distance import OSA

from recon.matchers._records import Records, combine_codes
from recon.normalize.address import same_flat
from recon.normalize.ids import IdKind
from recon.normalize.names import compare_names

__all__ = ["COMPARISONS", "Comparison", "compare_pairs"]

_USABLE = (IdKind.VALID, IdKind.UPGRADED, IdKind.SUSPECT)


@dataclass(frozen=True)
class Comparison:
    """What one item says about a pair: levels and their Chinese words."""

    item: str  # key in matching.toml's [weights]
    label: str  # Chinese name of the item
    words: ClassVar[dict[str, str]] = {}

    def levels(self, a: pd.DataFrame, b: pd.DataFrame) -> np.ndarray:
        """The level of each pair of rows (a[i], b[i]) of two record frames."""
        recs = Records.from_sides(a, b)
        n = len(a)
        codes, names = self.levels_coded(
            recs, np.arange(n, dtype=np.int64), n + np.arange(len(b), dtype=np.int64)
        )
        return names[codes]

    def levels_at(self, recs: Records, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """:meth:`levels` for pairs of rows (a[i], b[i]) of ``recs``."""
        codes, names = self.levels_coded(recs, a, b)
        return names[codes]

    def levels_coded(
        self, recs: Records, a: np.ndarray, b: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The levels of :meth:`levels_at` as (small integer codes, level names).

        Comparisons override it to work on whole columns of the records; one
        that does not gives its levels by :meth:`levels`, row by row.
        """
        values = self.levels(recs.rows(a), recs.rows(b))  # type: ignore[arg-type]
        codes, names = pd.factorize(values)
        return codes, np.asarray(names, dtype=object)


class _Out:
    """Levels of a batch of pairs being decided, as small integer codes:
    ``out[rows] = level`` as on an array of level names."""

    def __init__(self, n: int, default: str) -> None:
        self.names = [default]
        self.codes = np.zeros(n, dtype=np.int8)

    def code(self, level: str) -> int:
        if level not in self.names:
            self.names.append(level)
        return self.names.index(level)

    def __setitem__(self, rows: np.ndarray | int, level: str) -> None:
        self.codes[rows] = self.code(level)

    def is_(self, level: str) -> np.ndarray:
        return self.codes == self.code(level)

    def coded(self) -> tuple[np.ndarray, np.ndarray]:
        return self.codes, np.asarray(self.names, dtype=object)


# --- ID ---------------------------------------------------------------------------


def _one_edit(x: str, y: str) -> bool:
    """One substitution or one adjacent transposition apart (same length)."""
    if len(x) != len(y) or x == y:
        return False
    diff = [i for i in range(len(x)) if x[i] != y[i]]
    if len(diff) == 1:
        return True
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and x[diff[0]] == y[diff[1]]
        and x[diff[1]] == y[diff[0]]
    )


def _two_edits(x: str, y: str) -> bool:
    """At most two edits apart, a swap of neighbours counting as one."""
    return len(x) == len(y) and OSA.distance(x, y) <= 2


def _prefix_level(prefix: str, other: str) -> str:
    """A damaged ID's trusted digits against another ID's first digits.

    The trusted digits may themselves carry a typo made before the damage:
    one edit away is weak evidence for, more is evidence against.
    """
    head = other[: len(prefix)]
    if head == prefix:
        return "prefix_agrees"
    if len(head) == len(prefix) and OSA.distance(prefix, head) == 1:
        return "prefix_one_error"
    return "prefix_differs"


class IdComparison(Comparison):
    words: ClassVar[dict[str, str]] = {
        "exact": "身份证号一致",
        "one_error": "身份证号有一位录入错误",
        "same_invalid": "身份证号相同（但校验位不符）",
        "two_errors": "身份证号有两位不同",
        "prefix_agrees": "证件号受损，可信部分一致",
        "prefix_one_error": "证件号受损，可信部分有一位不同",
        "prefix_differs": "证件号受损，可信部分不一致",
        "different": "身份证号不同",
        "different_valid": "两个不同的有效身份证号",
        "unknown": "缺少可比的身份证号",
    }

    def levels(self, a: pd.DataFrame, b: pd.DataFrame) -> np.ndarray:
        out = []
        for ka, ia, pa, kb, ib, pb in zip(
            a["id_kind"].tolist(),
            a["id"].tolist(),
            a["id_prefix"].tolist(),
            b["id_kind"].tolist(),
            b["id"].tolist(),
            b["id_prefix"].tolist(),
            strict=True,
        ):
            out.append(_id_level(ka, ia, pa, kb, ib, pb))
        return np.array(out, dtype=object)


def _as_damaged(kind: str, id_: str, prefix: str) -> str | None:
    """The trusted prefix of a damaged (or suspect) ID, else None."""
    if kind == IdKind.DAMAGED:
        return prefix
    if kind == IdKind.SUSPECT:
        return id_[:14]
    return None


def _id_level(ka: str, ia: str, pa: str, kb: str, ib: str, pb: str) -> str:
    ua, ub = ka in _USABLE, kb in _USABLE
    if ua and ub:
        if ia == ib:
            return "exact"
        da, db = _as_damaged(ka, ia, pa), _as_damaged(kb, ib, pb)
        # a valid ID ending in 000 may be a damaged one: compare its first 14
        for prefix, other in ((da, ib), (db, ia)):
            if prefix is not None:
                level = _prefix_level(prefix, other)
                return "different_valid" if level == "prefix_differs" else level
        return "different_valid"
    if ka == IdKind.DAMAGED or kb == IdKind.DAMAGED:
        da = pa if ka == IdKind.DAMAGED else None
        db = pb if kb == IdKind.DAMAGED else None
        if da is not None and db is not None:
            short, long_ = sorted((da, db), key=len)
            return _prefix_level(short, long_)
        prefix, other_kind, other = (da, kb, ib) if da is not None else (db, ka, ia)
        assert prefix is not None
        if other_kind in _USABLE or other_kind == IdKind.INVALID:
            level = _prefix_level(prefix, other)
            # an invalid ID has a typo somewhere: disagreement is no evidence
            if other_kind == IdKind.INVALID and level == "prefix_differs":
                return "unknown"
            return level
        return "unknown"
    if ka == IdKind.INVALID and kb == IdKind.INVALID:
        if ia == ib:
            return "same_invalid"
        return "two_errors" if _two_edits(ia, ib) else "different"
    if (ka == IdKind.INVALID and ub) or (kb == IdKind.INVALID and ua):
        if _one_edit(ia, ib):
            return "one_error"
        return "two_errors" if _two_edits(ia, ib) else "different"
    return "unknown"


# --- name, birth, sex, address ------------------------------------------------------------


class NameComparison(Comparison):
    words: ClassVar[dict[str, str]] = {
        "exact": "姓名一致",
        "simplified": "姓名一致（繁简不同）",
        "unknown_char": "姓名一致（含无法显示的字）",
        "homophone": "姓名同音（可能是同音字）",
        "one_char": "姓名有一字不同",
        "different": "姓名不同",
        "missing": "缺少姓名",
    }

    def levels_coded(
        self, recs: Records, a: np.ndarray, b: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        ka, kb, _known, equal = _eq(recs, "name_key", a, b)
        out = _Out(len(a), "")
        same = equal & (ka != "")
        out[same] = "exact"
        cache: dict[tuple[str, str], str] = {}
        for i in np.flatnonzero(~same).tolist():
            key = (ka[i], kb[i])
            level = cache.get(key)
            if level is None:
                level = cache[key] = compare_names(ka[i], kb[i])
            out[i] = level
        # an exact key holding "?" is not a real agreement
        rows = np.flatnonzero(same)
        unknown = np.fromiter(("?" in k for k in ka[rows]), dtype=bool, count=len(rows))
        out[rows[unknown]] = "unknown_char"
        return out.coded()


class BirthComparison(Comparison):
    words: ClassVar[dict[str, str]] = {
        "equal": "出生日期一致",
        "different": "出生日期不同",
        "different_weak": "出生日期不同（取自有错的证件号）",
        "unknown": "缺少出生日期",
    }

    def levels_coded(
        self, recs: Records, a: np.ndarray, b: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        known, equal = _eq_coded(recs, "birth", a, b)
        weak_col = recs.full("birth_weak")
        weak = weak_col[a] | weak_col[b]
        out = _Out(len(a), "unknown")
        out[known & equal] = "equal"
        out[known & ~equal] = "different"
        out[known & ~equal & weak] = "different_weak"
        return out.coded()


class SexComparison(Comparison):
    words: ClassVar[dict[str, str]] = {
        "equal": "性别一致",
        "different": "性别不同",
        "unknown": "缺少性别",
    }

    def levels_coded(
        self, recs: Records, a: np.ndarray, b: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        _ca, _cb, known, equal = _eq(recs, "sex_eff", a, b)
        out = _Out(len(a), "unknown")
        out[known & equal] = "equal"
        out[known & ~equal] = "different"
        return out.coded()


class AddressComparison(Comparison):
    words: ClassVar[dict[str, str]] = {
        "same_flat": "住址为同一套房",
        "same_flat_no_road": "住址为同一套房（一方未写路名）",
        "same_building": "住址在同一幢楼",
        "same_road": "住址在同一条路/村",
        "different": "住址不同",
        "unknown": "缺少住址",
    }

    def levels_coded(
        self, recs: Records, a: np.ndarray, b: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        known, same_key = _eq_coded(recs, "addr_key", a, b)
        ga, _gb, _g, same_building = _eq(recs, "addr_building", a, b)
        la, lb, _l, same_locality = _eq(recs, "addr_locality", a, b)
        out = _Out(len(a), "unknown")
        out[known] = "different"
        out[known & same_locality & (la != "")] = "same_road"
        out[known & same_building & (ga != "")] = "same_building"
        out[known & same_key] = "same_flat"
        # "1255弄12号302室" against "古美路1255弄12号302室": one side left out the road
        partial = known & out.is_("different") & ((la == "") | (lb == ""))
        rows = np.flatnonzero(partial)
        pa_, pb_ = recs.take("addr_key", a[rows]), recs.take("addr_key", b[rows])
        for i, x, y in zip(rows.tolist(), pa_, pb_, strict=True):
            if same_flat(x, y):
                out[i] = "same_flat_no_road"
        return out.coded()


# --- what both sides carry besides: hukou address, phone, dates, ethnicity -----------


def _eq_coded(
    recs: Records, name: str, a: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(both known, equal) of one text column, by its codes: for the columns
    whose codes are made anyway (blocking keys, the region's parts)."""
    codes = recs.codes(name)[0]
    ca, cb = codes[a], codes[b]
    return (ca >= 0) & (cb >= 0), ca == cb


def _eq(recs: Records, name: str, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, ...]:
    """(values of a, values of b, both known, equal) of one text column."""
    va, vb = recs.take(name, a), recs.take(name, b)
    return va, vb, (va != "") & (vb != ""), va == vb


def _distinct_at(
    fn: Callable[..., str], recs: Records, cols: list[tuple[str, np.ndarray]]
) -> tuple[np.ndarray, np.ndarray]:
    """``fn`` of the values of (column, rows) per pair, once per distinct
    combination: (codes per pair, fn's value per code)."""
    key = combine_codes([recs.codes(name)[0][rows] + 1 for name, rows in cols])
    codes, first = _first_of(key)
    made = np.asarray(
        [fn(*(recs.value(name, int(rows[i])) for name, rows in cols)) for i in first.tolist()],
        dtype=object,
    )
    return codes, made


def _first_of(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of ``key`` (in order of first appearance) and each code's first position."""
    codes, _uniques = pd.factorize(key)
    _values, first = np.unique(codes, return_index=True)
    return codes.astype(np.int64), first.astype(np.int64)


def _per_value(recs: Records, name: str, fn: Callable[[str], object]) -> np.ndarray:
    """``fn`` of every row's value of one column, called once per distinct value."""
    codes, uniques = recs.codes(name)
    made = np.asarray([*(fn(str(u)) for u in uniques), fn("")], dtype=object)
    return made[codes]  # code -1 ('') takes the last


def _recode(values: np.ndarray) -> np.ndarray:
    """Codes of an object array, '' as -1."""
    codes, uniques = pd.factorize(values)
    empty = np.flatnonzero(np.asarray(uniques, dtype=object) == "")
    codes = codes.astype(np.int64)
    if len(empty):
        codes[codes == int(empty[0])] = -1
    return codes


class HukouComparison(Comparison):
    """户籍地址: normalised once by the loader (house key, village or road,
    county and province named at its head). Both records of one person
    carry the same hukou address however it is spelt; co-tenants of one
    name rarely do."""

    words: ClassVar[dict[str, str]] = {
        "same_flat": "户籍地址为同一套房",
        "same_locality": "户籍地址在同一村/路",
        "same_county": "户籍地在同一县/区",
        "different": "户籍地址不同",
        "unknown": "缺少可比的户籍地址",
    }

    def levels_coded(
        self, recs: Records, a: np.ndarray, b: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        _k, same_key = _eq_coded(recs, "hukou_key", a, b)
        _la, _lb, places, same_locality = _eq(recs, "hukou_locality", a, b)
        fa = recs.take("hukou_flat", a)
        county_known, same_county = _eq_coded(recs, "hukou_county", a, b)
        province_known, same_province = _eq_coded(recs, "hukou_province", a, b)
        contradicts = (county_known & ~same_county) | (province_known & ~same_province)
        out = _Out(len(a), "unknown")
        out[county_known & same_county] = "same_county"
        out[places & ~contradicts & same_locality] = "same_locality"
        out[places & ~contradicts & same_key & (fa != "")] = "same_flat"
        out[contradicts | (places & ~same_locality)] = "different"
        return out.coded()


def _region_level(county: str, province: str, id_counties: str, id_province: str) -> str:
    """One record's hukou county and province against the other's ID region."""
    if county and id_counties and county in id_counties.split("|"):
        return "agrees"
    if province and id_province:
        return "same_province" if province == id_province else "contradicts"
    return "unknown"


class RegionComparison(Comparison):
    """The county a hukou address names against the region code of the other
    record's ID (soft: the code is where the number was first issued)."""

    words: ClassVar[dict[str, str]] = {
        "agrees": "户籍地与身份证号地区一致",
        "same_province": "户籍地与身份证号同省",
        "contradicts": "户籍地与身份证号地区不符",
        "unknown": "无法比对户籍地与身份证号地区",
    }

    _RANK: ClassVar[dict[str, int]] = {
        "contradicts": 3,
        "agrees": 2,
        "same_province": 1,
        "unknown": 0,
    }

    def levels_coded(
        self, recs: Records, a: np.ndarray, b: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        # a level's code is its rank
        names = np.array(sorted(self._RANK, key=self._RANK.__getitem__), dtype=object)
        if not len(a):
            return np.zeros(0, dtype=np.int8), names
        rank = self._RANK
        found = []
        for x, y in ((a, b), (b, a)):
            codes, made = _distinct_at(
                _region_level,
                recs,
                [("hukou_county", x), ("hukou_province", x), ("id_county", y), ("id_province", y)],
            )
            ranks = np.fromiter((rank[v] for v in made), dtype=np.int8, count=len(made))
            found.append(ranks[codes])
        first, second = found
        # either direction contradicting outweighs the other agreeing
        return np.where(first >= second, first, second), names


class PhoneComparison(Comparison):
    """联系电话: one mobile number is one person's (strong); a landline is a
    household's (weak); people change numbers (a difference says little)."""

    words: ClassVar[dict[str, str]] = {
        "same_mobile": "手机号一致",
        "same_landline": "固定电话一致",
        "different": "联系电话不同",
        "unknown": "缺少联系电话",
    }

    def levels_coded(
        self, recs: Records, a: np.ndarray, b: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        pa, pb, _p, same_number = _eq(recs, "phone", a, b)
        ta, tb, known, _same_kind = _eq(recs, "phone_kind", a, b)
        out = _Out(len(a), "unknown")
        out[known] = "different"
        out[known & (ta == "mobile") & same_number] = "same_mobile"
        # a landline with or without its area code: the last 7 digits
        both = known & (ta == "landline") & (tb == "landline")
        if both.any():
            hit = np.flatnonzero(both)
            tail_a = np.array([p[-7:] for p in pa[hit]], dtype=object)
            tail_b = np.array([p[-7:] for p in pb[hit]], dtype=object)
            out[hit[tail_a == tail_b]] = "same_landline"
        return out.coded()


_NAT = np.iinfo(np.int64).min
_DAY = 86_400  # seconds


def _dates(recs: Records, name: str) -> np.ndarray:
    """A date column as seconds (``_NAT`` where it is not a date), per distinct value."""
    codes, uniques = recs.codes(name)
    parsed = pd.to_datetime(
        pd.Series([*uniques, ""], dtype=object), format="%Y-%m-%d", errors="coerce"
    )
    seconds = parsed.to_numpy().astype("datetime64[s]").view(np.int64)
    return seconds[codes]


class ArrivalComparison(Comparison):
    """来沪日期 on the field sheet against 登记日期 in the system: a person is
    registered soon after arriving (weak: the record may be of a stay before)."""

    words: ClassVar[dict[str, str]] = {
        "close": "登记日期在来沪日期后不久",
        "far": "登记日期与来沪日期相隔较远",
        "unknown": "无法比对来沪日期与登记日期",
    }

    def levels_coded(
        self, recs: Records, a: np.ndarray, b: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        arrived = recs.derived("arrived_on@", lambda r: _dates(r, "arrived_on"))
        registered = recs.derived("registered_on@", lambda r: _dates(r, "registered_on"))
        out = _Out(len(a), "unknown")
        for x, y in ((a, b), (b, a)):
            arr, reg = arrived[x], registered[y]
            ok = (arr != _NAT) & (reg != _NAT)
            days = np.where(ok, reg - arr, 0) // _DAY
            open_ = out.is_("unknown") & ok
            out[open_] = "far"
            out[open_ & (days >= -3) & (days <= 60)] = "close"
        return out.coded()


_NO_ETHNICITY = {"", "无", "不详", "未知", "/", "-"}


def _ethnicity_key(value: str) -> str:
    """'汉' / '汉族' / ' 汉 族' -> '汉族'; '' for blanks and placeholders."""
    v = "".join(str(value).split())
    if v in _NO_ETHNICITY:
        return ""
    return v if v.endswith("族") else v + "族"


class EthnicityComparison(Comparison):
    words: ClassVar[dict[str, str]] = {
        "equal": "民族一致",
        "different": "民族不同",
        "unknown": "缺少民族",
    }

    def levels_coded(
        self, recs: Records, a: np.ndarray, b: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        keys = recs.derived(
            "ethnicity_key", lambda r: _recode(_per_value(r, "ethnicity", _ethnicity_key))
        )
        ea, eb = keys[a], keys[b]
        known = (ea >= 0) & (eb >= 0)
        out = _Out(len(a), "unknown")
        out[known] = "different"
        out[known & (ea == eb)] = "equal"
        return out.coded()


COMPARISONS: tuple[Comparison, ...] = (
    IdComparison("id", "身份证号"),
    NameComparison("name", "姓名"),
    BirthComparison("birth", "出生日期"),
    SexComparison("sex", "性别"),
    AddressComparison("address", "住址"),
    HukouComparison("hukou", "户籍地址"),
    RegionComparison("hukou_region", "户籍地与身份证号地区"),
    PhoneComparison("phone", "联系电话"),
    ArrivalComparison("arrival", "来沪日期与登记日期"),
    EthnicityComparison("ethnicity", "民族"),
)


def compare_pairs(
    recs: pd.DataFrame | Records,
    a: np.ndarray,
    b: np.ndarray,
    skip: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Levels of every comparison (but ``skip``) for pairs (a[i], b[i]) of rows of ``recs``."""
    return compare_pairs_coded(recs, a, b, skip)[0]


def compare_pairs_coded(
    recs: pd.DataFrame | Records,
    a: np.ndarray,
    b: np.ndarray,
    skip: tuple[str, ...] = (),
) -> tuple[pd.DataFrame, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """:func:`compare_pairs`, and each item's levels as (codes, names)."""
    if isinstance(recs, pd.DataFrame):
        recs = Records.from_frame(recs)
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    coded = {c.item: c.levels_coded(recs, a, b) for c in COMPARISONS if c.item not in skip}
    frame = pd.DataFrame(
        {item: pd.Series(names[codes], dtype=object) for item, (codes, names) in coded.items()}
    )
    return frame, coded

"""Raw canonical fields -> normalised keys, plus findings about each row."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from recon.normalize.address import address_keys, gc_paused, normalize_addresses
from recon.normalize.ids import IdKind, normalize_ids
from recon.normalize.names import UNKNOWN, normalize_names
from recon.normalize.values import normalize_phones, normalize_sex
from recon.rules import StatusRules

__all__ = [
    "FINDINGS",
    "HUKOU_COLUMNS",
    "PROBLEM_COLUMNS",
    "TRACKED_FIELDS",
    "HukouParts",
    "hukou_columns",
    "hukou_parts",
    "id_region_columns",
    "phone_kind",
    "phone_kinds",
    "prepare_records",
]

PROBLEM_COLUMNS = ["side", "file", "sheet", "row", "column", "problem"]

# Fields whose absence a record notes in its ``missing`` column (for the
# audit's completeness rate), and the codes of its ``findings`` column (for
# its accuracy rate); both are ';'-separated lists, in this order.
TRACKED_FIELDS = (
    "name",
    "sex",
    "id_number",
    "birth_date",
    "address",
    "hukou_address",
    "phone",
    "collected_on",
    "arrived_on",
    "registered_on",
    "ethnicity",
    "collector",
)
FINDINGS = {
    "id_invalid": "身份证号无效（校验位或出生日期不对、位数不对）",
    "id_damaged": "身份证号受损（后几位丢失）",
    "sex_vs_id": "性别与身份证号不符",
    "birth_vs_id": "出生日期与身份证号不符",
    "sex_unknown": "性别无法识别",
    "address_unparsed": "地址缺少路名或村名",
}


def _obj(values: object, index: pd.Index) -> pd.Series:
    """An object column: pandas would otherwise re-encode every string."""
    return pd.Series(values, index=index, dtype=object)


def _per_unique(values: pd.Series, fn: Callable[[Any], str]) -> np.ndarray:
    codes, uniques = pd.factorize(values)
    return np.asarray([fn(v) for v in uniques], dtype=object)[codes]


def _on_distinct(values: pd.Series, fn: Callable[[pd.Series], pd.Series]) -> np.ndarray:
    """``fn`` -- whole-column pandas operations, value by value -- run over
    the distinct values only and spread back to every row (over every row
    when the column has a missing value, which pandas may treat apart)."""
    if values.hasnans:
        return np.asarray(fn(values))
    codes, uniques = pd.factorize(values)
    return np.asarray(fn(pd.Series(uniques, dtype=values.dtype)))[codes]


def _status(records: pd.DataFrame, rules: StatusRules) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Active flags, rows with an unknown status word, rows with an unknown flag."""
    n = len(records)
    active = np.ones(n, dtype=bool)
    unknown = np.zeros(n, dtype=bool)
    unknown_flag = np.zeros(n, dtype=bool)
    if "status" in records:

        def word(values: pd.Series) -> pd.Series:
            return values.astype(str).str.replace(r"\s+", "", regex=True).str.lower()

        has = _on_distinct(records["status"], lambda v: word(v).ne(""))
        inactive = _on_distinct(records["status"], lambda v: word(v).isin(rules.inactive))
        known = inactive | _on_distinct(records["status"], lambda v: word(v).isin(rules.active))
        active &= ~(has & inactive)
        unknown |= has & ~known
    if "cancel_flag" in records:

        def flag(values: pd.Series) -> pd.Series:
            text = values.astype(str).str.replace(r"\s+", "", regex=True).str.lower()
            return text.str.replace(r"\.0$", "", regex=True)

        true = _on_distinct(records["cancel_flag"], lambda v: flag(v).isin(rules.flag_true))
        active &= ~true
        false = _on_distinct(records["cancel_flag"], lambda v: flag(v).isin(rules.flag_false))
        unknown_flag |= ~true & ~false
    if "status" not in records and "cancel_flag" not in records and "cancelled_on" in records:
        active &= records["cancelled_on"].astype(str).eq("").to_numpy()
    return active, unknown, unknown_flag


def prepare_records(
    records: pd.DataFrame,
    side: str,
    status_rules: StatusRules,
    labels: dict[tuple[str, str, str], str],
    hukou: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add normalised columns; return (records, problems).

    ``labels`` maps (file, sheet, field) to the header text a person sees,
    so that every finding names the column as it is written in the file.
    ``hukou=False`` leaves out the hukou columns (``HUKOU_COLUMNS``): the
    caller adds them with ``hukou_columns`` -- for a big run, once for the
    hukou addresses of both sides together and on both cores.
    """
    df = records.reset_index(drop=True)
    n, idx = len(df), df.index
    df["name_raw"] = df["name"].fillna("").astype(str)
    df = pd.concat([df.drop(columns=["name"]), normalize_names(df["name_raw"])], axis=1)
    ids = normalize_ids(df["id_number"], df["id_numeric"].astype(bool))
    df = pd.concat([df, ids], axis=1)

    df["sex_raw"] = df["sex"].fillna("").astype(str)
    df["sex"] = _obj(_per_unique(df["sex_raw"], normalize_sex), idx)
    id_birth = df["id_birth"].to_numpy(dtype=object)
    birth_col = (
        df["birth_date"].fillna("").to_numpy(dtype=object)
        if "birth_date" in df
        else np.full(n, "", dtype=object)
    )
    df["birth"] = _obj(np.where(id_birth != "", id_birth, birth_col), idx)
    df["birth_from_id"] = id_birth != ""
    df = pd.concat([df, normalize_addresses(df["address"])], axis=1)
    if hukou:
        texts = df["hukou_address"] if "hukou_address" in df else pd.Series("", index=idx)
        df = pd.concat([df, hukou_columns(texts)], axis=1)
    df = pd.concat([df, id_region_columns(df["id"], df["id_kind"], df["id_prefix"])], axis=1)
    df["phone_raw"] = df["phone"].fillna("").astype(str)
    df["phone"] = _obj(normalize_phones(df["phone_raw"]).to_numpy(dtype=object), idx)
    df["phone_kind"] = _obj(phone_kinds(df["phone"]), idx)
    if side == "system":
        active, unknown_status, unknown_flag = _status(df, status_rules)
    else:
        active = np.ones(n, dtype=bool)
        unknown_status = unknown_flag = np.zeros(n, dtype=bool)
    df["active"] = active
    df["usable"] = (df["name_key"].to_numpy(dtype=object) != "") | (
        df["id_kind"].to_numpy(dtype=object) != IdKind.MISSING
    )
    birth_series = pd.Series(birth_col, index=idx, dtype=object)
    checks = _checks(df, birth_series)
    present = {"birth_date": "birth"}  # a birth date is known from the ID number too
    df["missing"] = _joined(
        {
            f: _blank(df[present.get(f, f)]) if present.get(f, f) in df else np.ones(n, bool)
            for f in TRACKED_FIELDS
        },
        n,
    )
    df["findings"] = _joined(checks, n)
    return df, _problems(df, side, checks, (unknown_status, unknown_flag), labels)


# --- hukou address, ID region, phone kind (made once, compared by the matcher) -----

HUKOU_COLUMNS = (
    "hukou_key",
    "hukou_locality",
    "hukou_flat",
    "hukou_county",
    "hukou_province",
)

_LONG_PROVINCES = ("内蒙古", "黑龙江")


def _province_short(name: str) -> str:
    """'河南省' / '新疆维吾尔自治区' / '上海市' -> '河南' / '新疆' / '上海'."""
    return name[:3] if name.startswith(_LONG_PROVINCES) else name[:2]


_PLACEHOLDER_NAMES = frozenset(
    ("市辖区", "市区", "郊区", "矿区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")
)


def _all_names(raw: str) -> list[str]:
    """'[1983-2001]东市区,[2002-]瑶海区' -> every name the code has had."""
    names = (re.sub(r"^\[[^\]]*\]", "", n).strip() for n in raw.split(","))
    return [n for n in names if n and n not in _PLACEHOLDER_NAMES]


@lru_cache(maxsize=1)
def _region_names() -> tuple[
    dict[str, tuple[str, tuple[str, ...]]], frozenset[str], frozenset[str]
]:
    """python-stdnum's cn/loc table: 6-digit code -> (province, the names of
    its county and prefecture, old and new); every such name; every province.
    Retired codes stay: people keep the number they were first given."""
    from stdnum import numdb

    table: dict[str, tuple[str, tuple[str, ...]]] = {}
    provinces: set[str] = set()
    for _len, lo, hi, props, children in numdb.get("cn/loc").prefixes:
        if lo != hi:
            continue
        province = props.get("province", "")
        provinces.add(province)
        names = {
            lo + lo2: _all_names(p2.get("county", ""))
            for _l2, lo2, hi2, p2, _c2 in children
            if lo2 == hi2
        }
        for code, county in names.items():
            if code.endswith("0000"):
                continue
            table[code] = (province, (*county, *names.get(code[:4] + "00", [])))
    every = frozenset(n for _, names_ in table.values() for n in names_)
    return table, every, frozenset(provinces)


@lru_cache(maxsize=1)
def _province_shorts() -> frozenset[str]:
    return frozenset(_province_short(p) for p in _region_names()[2] if p)


@lru_cache(maxsize=1)
def _name_sizes() -> dict[str, tuple[int, ...]]:
    """The lengths (2-10, longest first) of the administrative names that
    start with each pair of characters: the sizes worth trying at a place."""
    _, counties, provinces = _region_names()
    sizes: dict[str, set[int]] = {}
    for name in (*counties, *provinces, *_province_shorts()):
        if 2 <= len(name) <= 10:
            sizes.setdefault(name[:2], set()).add(len(name))
    return {start: tuple(sorted(s, reverse=True)) for start, s in sizes.items()}


def _admin_parts(text: str) -> tuple[str, str, bool]:
    """(county, province) named at the head of a hukou address ('' if none),
    and whether that is all the text says.

    Reads the leading run of known administrative names (longest first at
    each place): '河南省许昌市长葛市石门乡…' -> ('长葛市', '河南'); the county
    is the last county- or prefecture-level name of the run.
    """
    _, counties, provinces = _region_names()
    shorts = _province_shorts()
    sizes_at = _name_sizes()
    county = province = ""
    pos, end = 0, len(text)
    while pos < end:
        for size in sizes_at.get(text[pos : pos + 2], ()):
            if size > end - pos:
                continue
            token = text[pos : pos + size]
            if token in shorts or token in provinces:
                province = province or _province_short(token)
            elif token in counties:
                county = token
            else:
                continue
            pos += size
            break
        else:
            break
    return county, province, pos >= end


# hukou texts already normalised in this process: both sides carry the same
# person's hukou address, so the second side mostly finds its texts here
_HUKOU_DONE: dict[str, tuple[str, str, str, str, str]] = {}
_HUKOU_DONE_MAX = 2_000_000


HukouParts = tuple[str, str, str, str, str]


def hukou_parts(texts: list[str]) -> list[HukouParts]:
    """The ``HUKOU_COLUMNS`` values of each hukou text (a worker can run this
    over a share of the distinct texts of a big run)."""
    return _hukou_parts(texts)


def _hukou_parts(texts: list[str]) -> list[HukouParts]:
    todo = [t for t in texts if t not in _HUKOU_DONE]
    if todo:
        if len(_HUKOU_DONE) + len(todo) > _HUKOU_DONE_MAX:
            _HUKOU_DONE.clear()
        keys, _, localities, flats = address_keys(todo)  # todo: distinct texts
        with gc_paused():
            for text, key, locality, flat in zip(todo, keys, localities, flats, strict=True):
                county, province, only_admin = _admin_parts(text)
                if only_admin:  # '安徽省': no place in it
                    key = locality = flat = ""
                _HUKOU_DONE[text] = (key, locality, flat, county, province)
    return [_HUKOU_DONE[t] for t in texts]


def hukou_columns(values: pd.Series, known: dict[str, HukouParts] | None = None) -> pd.DataFrame:
    """The hukou address normalised once: house key, locality (village or
    road), flat (the key without its locality), county and province named at
    its head ('' where unknown). Per distinct text; ``known``: texts already
    normalised (by ``hukou_parts``, perhaps in another process)."""
    codes, uniques = pd.factorize(values.fillna("").astype(str))
    texts = [str(u) for u in uniques.tolist()]
    parts = [known[t] for t in texts] if known is not None else _hukou_parts(texts)
    return pd.DataFrame(
        {
            name: pd.Series(
                np.asarray([p[i] for p in parts], dtype=object)[codes]
                if parts
                else np.full(len(values), "", dtype=object),
                index=values.index,
                dtype=object,
            )
            for i, name in enumerate(HUKOU_COLUMNS)
        }
    )


def id_region_columns(ids: pd.Series, kinds: pd.Series, prefixes: pd.Series) -> pd.DataFrame:
    """The county names ('|'-joined, old names too) and province of the
    region code an ID starts with (its first six digits, where trustworthy)."""
    table = _region_names()[0]
    kind = kinds.to_numpy(dtype=object)
    text = np.where(
        kind == IdKind.DAMAGED, prefixes.to_numpy(dtype=object), ids.to_numpy(dtype=object)
    )
    has = np.isin(
        kind, [IdKind.VALID, IdKind.UPGRADED, IdKind.SUSPECT, IdKind.INVALID, IdKind.DAMAGED]
    )
    region = pd.Series(np.where(has, text, ""), dtype=object).str.slice(0, 6)

    codes, distinct = pd.factorize(region)
    hits = [table.get(code) for code in distinct]
    names = np.asarray(["|".join(hit[1]) if hit else "" for hit in hits], dtype=object)
    province = np.asarray([_province_short(hit[0]) if hit else "" for hit in hits], dtype=object)
    return pd.DataFrame(
        {
            "id_county": _obj(names[codes], ids.index),
            "id_province": _obj(province[codes], ids.index),
        }
    )


_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")


def phone_kind(phone: str) -> str:
    """'mobile' (11 digits, 13x-19x), 'landline' (7-12 other digits) or ''."""
    if _MOBILE.match(phone):
        return "mobile"
    return "landline" if 7 <= len(phone) <= 12 else ""


def phone_kinds(phones: pd.Series) -> np.ndarray:
    """:func:`phone_kind` of each phone (the digits ``normalize_phones``
    gives): whole-array tests, one by one only for a text with a line break
    (where Python's ``$`` and pyarrow's differ)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = phones.astype(str)
    arr = pa.array(text, type=pa.string())
    mobile = pc.match_substring_regex(arr, _MOBILE.pattern).to_numpy(zero_copy_only=False)
    size = pc.utf8_length(arr).to_numpy(zero_copy_only=False)
    landline = (size >= 7) & (size <= 12)
    kind = np.where(mobile.astype(bool), 2, np.where(landline, 1, 0))
    out = np.asarray(["", "landline", "mobile"], dtype=object)[kind]  # one text object each
    odd = np.flatnonzero(pc.match_substring(arr, "\n").to_numpy(zero_copy_only=False).astype(bool))
    out[odd] = [phone_kind(t) for t in text.iloc[odd].tolist()]
    return out


# What people write in a cell for "nothing": the cell counts as not filled.
_PLACEHOLDERS = ["", "无", "暂无", "不详", "未知", "null", "none", "nan", "/", "-", "—", "空"]


def _blank(values: pd.Series) -> np.ndarray:
    text = values.astype(str).str.strip().str.lower()
    return values.isna().to_numpy() | text.isin(_PLACEHOLDERS).to_numpy()


def _joined(flags: dict[str, np.ndarray], n: int) -> pd.Series:
    """Per row, the ';'-joined names whose flag is set ('' when none).

    Built through a bit mask: a street has a handful of distinct
    combinations, so the strings are made once per combination.
    """
    names = list(flags)
    mask = np.zeros(n, dtype=np.int64)
    for bit, name in enumerate(names):
        mask |= flags[name].astype(np.int64) << bit
    codes, uniques = pd.factorize(mask)
    text = [";".join(nm for b, nm in enumerate(names) if int(u) >> b & 1) for u in uniques]
    return pd.Series(np.asarray(text, dtype=object)[codes], dtype=object)


def _checks(df: pd.DataFrame, birth_col: pd.Series) -> dict[str, np.ndarray]:
    """Accuracy findings of each row, one boolean array per code of FINDINGS."""
    kind = df["id_kind"].to_numpy(dtype=object)
    sex = df["sex"].to_numpy(dtype=object)
    id_sex = df["id_sex"].to_numpy(dtype=object)
    birth = birth_col.astype(str).reset_index(drop=True).to_numpy(dtype=object)
    id_birth = df["id_birth"].to_numpy(dtype=object)
    address = df["address"].astype(str).to_numpy(dtype=object)
    return {
        "id_invalid": np.isin(kind, [IdKind.INVALID, IdKind.MALFORMED]),
        "id_damaged": kind == IdKind.DAMAGED,
        "sex_vs_id": (sex != "") & (id_sex != "") & (sex != id_sex),
        "birth_vs_id": (birth != "") & (id_birth != "") & (birth != id_birth),
        "sex_unknown": (sex == "") & df["sex_raw"].ne("").to_numpy(),
        "address_unparsed": (address != "") & df["addr_locality"].eq("").to_numpy(),
    }


def _problems(
    df: pd.DataFrame,
    side: str,
    checks: dict[str, np.ndarray],
    unknown: tuple[np.ndarray, np.ndarray],
    labels: dict[tuple[str, str, str], str],
) -> pd.DataFrame:
    parts: list[pd.DataFrame] = []
    # the header a person sees, per (file, sheet): a handful of pairs
    file_at, files = pd.factorize(df["file"])
    sheet_at, sheets = pd.factorize(df["sheet"])
    pair_at = file_at.astype(np.int64) * max(len(sheets), 1) + sheet_at

    def add(
        mask: np.ndarray | pd.Series,
        field: str,
        problem: str | pd.Series,
        before: str = "",
        after: str = "",
    ) -> None:
        """Rows of ``mask``: ``problem``, or ``before`` + its text + ``after``."""
        m = np.asarray(mask, dtype=bool)
        if not m.any():
            return
        sub = df.loc[m, ["file", "sheet", "row"]].copy()
        pairs, at = np.unique(pair_at[m], return_inverse=True)
        width = max(len(sheets), 1)
        named = [labels.get((files[p // width], sheets[p % width], field), "") for p in pairs]
        sub["column"] = np.asarray(named, dtype=object)[at].tolist()
        if isinstance(problem, pd.Series):
            text = problem[m]
            if before or after:
                text = before + text.astype(str) + after
            sub["problem"] = text.to_numpy()
        else:
            sub["problem"] = problem
        parts.append(sub)

    unusable = ~df["usable"].to_numpy()
    add(unusable, "name", "缺少姓名和身份证号，无法核对")
    has_id = df["id_problems"].ne("").to_numpy() & ~unusable
    add(has_id, "id_number", df["id_problems"])
    repaired = df["id_repairs"].ne("").to_numpy() & ~unusable
    add(repaired, "id_number", df["id_repairs"], before="已自动修正：")
    no_name = df["name_key"].eq("").to_numpy() & ~unusable
    add(no_name, "name", "未填写姓名")
    rare = _on_distinct(df["name_key"], lambda v: v.str.contains(re.escape(UNKNOWN), regex=True))
    add(rare, "name", "姓名含无法显示的字（生僻字），按未知字处理")
    add(checks["sex_unknown"], "sex", "性别无法识别（应为 男/女 或 1/2）")
    add(checks["sex_vs_id"], "sex", "性别与身份证号不符")
    add(checks["birth_vs_id"], "birth_date", "出生日期与身份证号不符")
    no_addr = df["address"].astype(str).eq("").to_numpy() & ~unusable
    add(no_addr, "address", "未填写现居住地址")
    add(checks["address_unparsed"], "address", "地址缺少路名或村名")
    if side == "system":
        unknown_status, unknown_flag = unknown
        if "status" in df:
            add(unknown_status, "status", df["status"], "状态「", "」不在规则中，按有效处理")
        if "cancel_flag" in df:
            add(
                unknown_flag,
                "cancel_flag",
                df["cancel_flag"],
                "注销标识「",
                "」不在规则中，按有效处理",
            )
    if not parts:
        out = pd.DataFrame(columns=PROBLEM_COLUMNS)
    else:
        out = pd.concat(parts, ignore_index=True)
        out.insert(0, "side", side)
    return out[PROBLEM_COLUMNS]

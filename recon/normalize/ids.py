"""Resident ID numbers (GB 11643-1999): cleaning, checking, 15->18, damage.

An ID is 17 digits (6 region, 8 birth date, 3 sequence whose last digit is odd
for men) and an ISO 7064 MOD 11-2 check character. A single wrong digit or two
swapped neighbours always break the check, so two *valid* IDs that differ are
two people; an invalid one may be repaired against a register.

Damage done by spreadsheets is detected, not repaired: a number cell keeps 15
significant digits ("...000"), a CSV saved from Excel may keep only six
("3.10112E+17"). What stays trustworthy is kept as ``prefix``.

The region code is a soft warning only: retired codes (310103 卢湾) stay
valid for life. Its name is the one of the holder's birth year (see
:mod:`recon.normalize.regions`), worked out once per distinct (code, year).
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from recon.normalize.regions import (
    RegionName,
    name_breaks,
    region_known,
    region_name,
    same_name_since,
)

__all__ = [
    "ID_COLUMNS",
    "IdInfo",
    "IdKind",
    "check_char",
    "check_chars",
    "normalize_ids",
    "parse_id",
    "repair_candidates",
    "repair_candidates_many",
    "upgrade_15",
]

_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_WEIGHT_LIST = tuple(_WEIGHTS.tolist())
_CHECK = "10X98765432"


class IdKind:
    """Values of ``IdInfo.kind`` (plain strings, stable in outputs)."""

    VALID = "valid"  # 18 characters, check and birth date correct
    UPGRADED = "upgraded"  # a valid 15-digit number, upgraded to 18
    SUSPECT = "suspect"  # valid, but ends in 000 as a truncated number would
    INVALID = "invalid"  # 18 characters, wrong check or impossible birth date
    DAMAGED = "damaged"  # digits lost to a number cell / scientific notation
    MALFORMED = "malformed"  # wrong length or stray characters
    MISSING = "missing"  # blank


USABLE_KINDS = frozenset({IdKind.VALID, IdKind.UPGRADED, IdKind.SUSPECT})

ID_COLUMNS = [
    "id",
    "id_kind",
    "id_valid",
    "id_prefix",
    "id_birth",
    "id_sex",
    "id_problems",
    "id_repairs",
    "id_region_name",
    "id_region_note",
]


@dataclass(frozen=True)
class IdInfo:
    """What an ID text tells, in the words `recon id` shows a clerk."""

    text: str
    id: str = ""
    kind: str = IdKind.MISSING
    prefix: str = ""
    birth_date: str = ""
    sex: str = ""
    region: str = ""
    region_name: str = ""  # full name as in the birth year, no markup (see regions.py)
    region_note: str = ""  # renamed, retired, given later ... in plain words
    problems: tuple[str, ...] = field(default_factory=tuple)
    repairs: tuple[str, ...] = field(default_factory=tuple)

    @property
    def valid(self) -> bool:
        return self.kind in USABLE_KINDS


def check_char(body17: str) -> str:
    """The MOD 11-2 check character of 17 digits."""
    total = sum(int(c) * w for c, w in zip(body17, _WEIGHT_LIST, strict=True))
    return _CHECK[total % 11]


def check_chars(bodies17: pd.Series | list[str]) -> list[str]:
    """Check characters of many 17-digit bodies at once (vectorised)."""
    bodies = list(bodies17)
    if not bodies:
        return []
    arr = np.frombuffer("".join(bodies).encode("ascii"), dtype=np.uint8).reshape(-1, 17) - 48
    total = (arr.astype(np.int64) * _WEIGHTS).sum(axis=1) % 11
    return [_CHECK[t] for t in total.tolist()]


def upgrade_15(id15: str) -> str:
    """Old 15-digit number -> 18 (insert the century 19, append the check)."""
    body = id15[:6] + "19" + id15[6:]
    return body + check_char(body)


def _digits(s: str) -> bool:
    return s.isascii() and s.isdigit()


def _birth(digits8: str) -> str:
    """'YYYYMMDD' -> 'YYYY-MM-DD' if a real date between 1900 and today."""
    try:
        day = _dt.date(int(digits8[:4]), int(digits8[4:6]), int(digits8[6:8]))
    except ValueError:
        return ""
    if day.year < 1900 or day > _dt.date.today():
        return ""
    return day.isoformat()


def _sex(id18: str) -> str:
    return "男" if int(id18[16]) % 2 else "女"


# --- cleaning --------------------------------------------------------------

_WRAPPERS = re.compile(r'^=?\s*"(.*)"$')
_SEPARATORS = re.compile(r"[\s\-_./\\·,，、]+")
_SCI = re.compile(r"^(\d)(?:\.(\d+))?E\+?(\d{1,2})$")
_PLACEHOLDERS = frozenset({"", "无", "暂无", "不详", "未知", "NULL", "NONE", "NAN", "/", "-", "—"})


def _clean(text: str) -> tuple[str, list[str]]:
    """Strip the formatting noise every sheet has; say what was removed."""
    repairs: list[str] = []
    raw = text.strip()
    s = unicodedata.normalize("NFKC", raw)
    if s != raw:
        repairs.append("全角字符已转为半角")
    s = s.strip()
    while True:  # wrappers may nest: '="…", ''…
        before = s
        m = _WRAPPERS.match(s)
        if m:
            s = m.group(1).strip()
            if '去除了 ="…" 包裹' not in repairs:
                repairs.append('去除了 ="…" 包裹')
        if s[:1] in {"'", "‘", "’", "`"}:
            s = s[1:].strip()
            if "去除了开头的单引号" not in repairs:
                repairs.append("去除了开头的单引号")
        if s == before:
            break
    if _SCI.match(s.upper()):
        return s.upper(), repairs  # scientific notation: the dot is meaningful
    cleaned = _SEPARATORS.sub("", s)
    if cleaned != s:
        repairs.append("去除了空格或分隔符")
    if "x" in cleaned:
        repairs.append("小写x已改为X")
    return cleaned.upper(), repairs


# --- the scalar parser (the reference; the column path must agree) --------------


_UNKNOWN_REGION = "地区码不在已知列表中（仅提示）"
_WRONG_CHECK = "校验位不符（有录入错误）"
_NO_BIRTH = "出生日期无效"


def _region(region: str, year: int | None) -> tuple[RegionName, tuple[str, ...]]:
    """The region's name for a birth year and the soft findings it gives."""
    return _region_span(region, None if year is None else same_name_since(region, year))


@lru_cache(maxsize=65536)
def _region_span(region: str, year: int | None) -> tuple[RegionName, tuple[str, ...]]:
    """:func:`_region` for the first year of a span of years named alike."""
    name = region_name(region, year)
    if not region_known(region):
        return name, (_UNKNOWN_REGION,)
    return name, (name.finding,) if name.finding else ()


def _region_text(region: str, birth: str) -> tuple[str, str]:
    """``region_name`` and ``region_note`` of an IdInfo (the birth year's name)."""
    if len(region) != 6:
        return "", ""
    name = _region(region, int(birth[:4]) if birth else None)[0]
    return name.label, name.note


def _region_problems(region: str, birth: str) -> tuple[str, ...]:
    return _region(region, int(birth[:4]))[1]


def _number_damage(cleaned: str, numeric: bool) -> tuple[str, str] | None:
    """Detect digits lost to a number cell; return (digits, trusted_prefix)."""
    sci = _SCI.match(cleaned)
    if sci:
        head, frac, exp = sci.group(1), sci.group(2) or "", int(sci.group(3))
        if exp not in (14, 17):
            return None
        kept = head + frac
        # rounding may have changed the last kept digit -- except at six digits,
        # where the next one is the century (1 or 2) and rounds down.
        trusted = kept if len(kept) == 6 else kept[: max(len(kept) - 1, 0)]
        digits = kept.ljust(exp + 1, "0")
        return digits, trusted
    if _digits(cleaned) and len(cleaned) in (16, 17, 18, 19) and numeric:
        return cleaned, cleaned[:14]
    if _digits(cleaned) and len(cleaned) == 18 and cleaned.endswith("000"):
        return cleaned, cleaned[:14]
    return None


def parse_id(text: object, numeric: bool = False) -> IdInfo:
    """Everything one ID text tells. ``numeric``: the cell held a number."""
    raw = "" if text is None else str(text)
    if raw.strip().upper() in _PLACEHOLDERS:
        return IdInfo(text=raw, kind=IdKind.MISSING, problems=("未填写身份证号",))
    cleaned, repairs = _clean(raw)
    if cleaned in _PLACEHOLDERS:
        return IdInfo(text=raw, kind=IdKind.MISSING, problems=("未填写身份证号",))
    if numeric:
        repairs = [r for r in repairs if r != "去除了空格或分隔符"]

    if len(cleaned) == 18 and _digits(cleaned[:17]) and cleaned[17] in "0123456789X":
        info = _parse_18(raw, cleaned, repairs, numeric)
        if info is not None:
            return info
    damage = _number_damage(cleaned, numeric)
    if damage is not None:
        digits, trusted = damage
        birth = _birth(trusted[6:14]) if len(trusted) >= 14 else ""
        where = "数字格式单元格" if numeric else "表格软件转换"
        region = trusted[:6] if len(trusted) >= 6 else ""
        region_name_, region_note = _region_text(region, birth)
        return IdInfo(
            text=raw,
            id=digits,
            kind=IdKind.DAMAGED,
            prefix=trusted,
            birth_date=birth,
            region=region,
            region_name=region_name_,
            region_note=region_note,
            problems=(f"身份证号受损（{where}，后几位已丢失，仅前{len(trusted)}位可信）",),
            repairs=tuple(repairs),
        )
    if len(cleaned) == 15 and _digits(cleaned):
        birth = _birth("19" + cleaned[6:12])
        if birth:
            id18 = upgrade_15(cleaned)
            region_name_, region_note = _region_text(id18[:6], birth)
            return IdInfo(
                text=raw,
                id=id18,
                kind=IdKind.UPGRADED,
                prefix=id18[:17],
                birth_date=birth,
                sex=_sex(id18),
                region=id18[:6],
                region_name=region_name_,
                region_note=region_note,
                problems=_region_problems(id18[:6], birth),
                repairs=(*repairs, "15位旧号码已升级为18位"),
            )
        return IdInfo(
            text=raw,
            id=cleaned,
            kind=IdKind.MALFORMED,
            problems=("15位旧号码中的出生日期无效",),
            repairs=tuple(repairs),
        )
    if len(cleaned) == 18 and _digits(cleaned[:17]):
        detail = "最后一位只能是数字或X"
    elif cleaned.isascii() and cleaned.isalnum():
        detail = f"{len(cleaned)}位"
    else:
        detail = "含有非数字字符"
    return IdInfo(
        text=raw,
        id=cleaned,
        kind=IdKind.MALFORMED,
        problems=(f"身份证号格式不对（{detail}）",),
        repairs=tuple(repairs),
    )


def _parse_18(raw: str, cleaned: str, repairs: list[str], numeric: bool) -> IdInfo | None:
    birth = _birth(cleaned[6:14])
    check_ok = check_char(cleaned[:17]) == cleaned[17]
    region_name_, region_note = _region_text(cleaned[:6], birth)
    if numeric and (not check_ok or cleaned.endswith("000")):
        return None  # digits lost in a number cell: reported as damage
    if check_ok and birth:
        problems: list[str] = []
        kind = IdKind.VALID
        if cleaned.endswith("000"):
            kind = IdKind.SUSPECT
            problems.append("末三位为000，可能被表格软件截断（已按有效号码处理）")
        problems.extend(_region_problems(cleaned[:6], birth))
        return IdInfo(
            text=raw,
            id=cleaned,
            kind=kind,
            prefix=cleaned[:17],
            birth_date=birth,
            sex=_sex(cleaned),
            region=cleaned[:6],
            region_name=region_name_,
            region_note=region_note,
            problems=tuple(problems),
            repairs=tuple(repairs),
        )
    if not check_ok and cleaned.endswith("000"):
        return None  # the "...000" tail of a truncated number: damage
    problems = []
    if not check_ok:
        problems.append(_WRONG_CHECK)
    if not birth:
        problems.append(_NO_BIRTH)
    return IdInfo(
        text=raw,
        id=cleaned,
        kind=IdKind.INVALID,
        prefix="",
        birth_date=birth,
        sex=_sex(cleaned) if birth else "",
        region=cleaned[:6],
        region_name=region_name_,
        region_note=region_note,
        problems=tuple(problems),
        repairs=tuple(repairs),
    )


def repair_candidates(id18: str) -> list[tuple[str, str]]:
    """Valid IDs one substitution or one adjacent swap away from ``id18``.

    Returns ``(candidate, what_was_wrong)`` pairs; the description is Chinese
    and free of the digits themselves.
    """
    if len(id18) != 18 or not _digits(id18[:17]):
        return []
    out: dict[str, str] = {}
    chars = list(id18)

    def consider(cand: list[str], why: str) -> None:
        text = "".join(cand)
        if text != id18 and check_char(text[:17]) == text[17] and _birth(text[6:14]):
            out.setdefault(text, why)

    for i in range(17):
        original = chars[i]
        for d in "0123456789":
            if d != original:
                chars[i] = d
                consider(chars, f"第{i + 1}位录错")
        chars[i] = original
    consider([*chars[:17], check_char(id18[:17])], "第18位（校验位）录错")
    for i in range(17):
        if chars[i] != chars[i + 1]:
            swapped = chars.copy()
            swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
            if _digits("".join(swapped[:17])):
                consider(swapped, f"第{i + 1}、{i + 2}位前后颠倒")
    return list(out.items())


def repair_candidates_many(ids: list[str]) -> pd.DataFrame:
    """:func:`repair_candidates` for many IDs at once (whole-array operations).

    Returns columns ``i`` (position in ``ids``), ``candidate`` and ``why``;
    IDs that are not 17 digits and a check character give no rows.
    """
    keep = np.array(
        [k for k, x in enumerate(ids) if len(x) == 18 and _digits(x[:17]) and x[17] in _CHECK],
        dtype=np.int64,
    )
    if not len(keep):
        return pd.DataFrame({"i": [], "candidate": [], "why": []})
    text = "".join(ids[k] for k in keep.tolist()).replace("X", ":")
    raw = np.frombuffer(text.encode("ascii"), dtype=np.uint8).reshape(-1, 18)
    arr = raw.astype(np.int64) - 48
    n = len(arr)
    check_of = np.array([_CHECK.index(c) for c in "0123456789"] + [_CHECK.index("X")])
    check_digit = np.array([10 if c == "X" else int(c) for c in _CHECK])  # index -> digit
    want = check_of[arr[:, 17]]
    total = (arr[:, :17] * _WEIGHTS).sum(axis=1)
    rows, kinds, pos, digit = [], [], [], []

    def add(r: np.ndarray, kind: int, p: int, d: int = 0) -> None:
        rows.append(r)
        kinds.append(np.full(len(r), kind, dtype=np.int64))
        pos.append(np.full(len(r), p, dtype=np.int64))
        digit.append(np.full(len(r), d, dtype=np.int64))

    for p in range(17):
        w = int(_WEIGHTS[p])
        for d in range(10):
            ok = ((total + w * (d - arr[:, p])) % 11 == want) & (arr[:, p] != d)
            add(np.flatnonzero(ok), 0, p, d)
    for p in range(16):
        a, b = arr[:, p], arr[:, p + 1]
        wa, wb = int(_WEIGHTS[p]), int(_WEIGHTS[p + 1])
        add(np.flatnonzero(((total + wa * (b - a) + wb * (a - b)) % 11 == want) & (a != b)), 1, p)
    add(np.arange(n), 2, 17)  # a wrong check character
    last = arr[:, 17]
    swap_ok = (last <= 9) & (last != arr[:, 16])
    new_total = total + int(_WEIGHTS[16]) * (last - arr[:, 16])
    swap_ok &= check_of[np.clip(arr[:, 16], 0, 10)] == new_total % 11
    add(np.flatnonzero(swap_ok), 3, 16)

    r_a = np.concatenate(rows)
    k_a = np.concatenate(kinds)
    p_a = np.concatenate(pos)
    d_a = np.concatenate(digit)
    cand = arr[r_a].copy()
    sub = k_a == 0
    cand[np.flatnonzero(sub), p_a[sub]] = d_a[sub]
    sw = np.flatnonzero(k_a == 1)
    left, right = cand[sw, p_a[sw]].copy(), cand[sw, p_a[sw] + 1].copy()
    cand[sw, p_a[sw]], cand[sw, p_a[sw] + 1] = right, left
    chk = np.flatnonzero(k_a == 2)
    cand[chk, 17] = check_digit[total[r_a[chk]] % 11]
    s3 = np.flatnonzero(k_a == 3)
    cand[s3, 16], cand[s3, 17] = arr[r_a[s3], 17], arr[r_a[s3], 16]
    y = cand[:, 6] * 1000 + cand[:, 7] * 100 + cand[:, 8] * 10 + cand[:, 9]
    m = cand[:, 10] * 10 + cand[:, 11]
    dd = cand[:, 12] * 10 + cand[:, 13]
    ok = _valid_dates(y, m, dd) & np.any(cand != arr[r_a], axis=1)
    cand, r_a, k_a, p_a = cand[ok], r_a[ok], k_a[ok], p_a[ok]
    chars = (cand + 48).astype(np.uint8)
    chars[chars == 58] = ord("X")
    strings = chars.view("S18").ravel().astype(str).tolist() if len(chars) else []
    why = [
        f"第{q + 1}位录错"
        if kk == 0
        else f"第{q + 1}、{q + 2}位前后颠倒"
        if kk in (1, 3)
        else "第18位（校验位）录错"
        for kk, q in zip(k_a.tolist(), p_a.tolist(), strict=True)
    ]
    out = pd.DataFrame({"i": keep[r_a], "candidate": strings, "why": why})
    return out.drop_duplicates(["i", "candidate"]).reset_index(drop=True)


# --- the column path -----------------------------------------------------------


def _valid_dates(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    mdays = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    ok_m = (m >= 1) & (m <= 12)
    dim = mdays[np.clip(m, 0, 12)] + ((m == 2) & leap)
    today = _dt.date.today()
    ymd = y * 10000 + m * 100 + d
    today_n = today.year * 10000 + today.month * 100 + today.day
    return ok_m & (d >= 1) & (d <= dim) & (y >= 1900) & (ymd <= today_n)


def _regions_of(codes: np.ndarray, years: np.ndarray) -> tuple[np.ndarray, ...]:
    """Region name, note and findings of many (code, birth year) rows.

    The work is done once per distinct code and span of birth years named
    alike (see :func:`~recon.normalize.regions.same_name_since`): a few
    thousand calls for a million rows. Years are 1900..today (real dates).
    """
    code_at, distinct = pd.factorize(codes)
    first = 1900
    grid = np.empty((len(distinct), _dt.date.today().year - first + 1), dtype=np.int64)
    every_year = np.arange(first, first + grid.shape[1])
    for k, code in enumerate(distinct.tolist()):
        breaks = np.array(name_breaks(f"{code:06d}"), dtype=np.int64)
        i = np.searchsorted(breaks, every_year, side="right")
        grid[k] = np.where(i > 0, breaks[np.maximum(i - 1, 0)], breaks[0] - 1)
    span = grid[code_at, years - first]
    at, keys = pd.factorize(code_at.astype(np.int64) * 10000 + span)
    found = [_region_span(f"{distinct[k // 10000]:06d}", int(k % 10000)) for k in keys.tolist()]
    label = np.array([r.label for r, _ in found], dtype=object)
    note = np.array([r.note for r, _ in found], dtype=object)
    problems = np.array(["；".join(f) for _, f in found], dtype=object)
    return label[at], note[at], problems[at]


_PLAIN_ID = re.compile("[0-9]{17}[0-9X]")


def _cleaned_plain(text: str) -> tuple[str, str] | None:
    """(the cleaned text, the repairs '；'-joined) of a text that cleaning
    turns into 18 plain characters not ending in 000 -- what parse_id reads
    with _parse_18 alone; None for any other text."""
    if text.strip().upper() in _PLACEHOLDERS:
        return None
    cleaned, repairs = _clean(text)
    if _PLAIN_ID.fullmatch(cleaned) is None or cleaned.endswith("000"):
        return None
    return cleaned, "；".join(repairs)


def normalize_ids(values: pd.Series, numeric: pd.Series | None = None) -> pd.DataFrame:
    """Normalise a column of ID texts; one output row per input row.

    Columns: ``id`` (canonical 18 characters where usable, else the cleaned
    text), ``id_kind`` (see :class:`IdKind`), ``id_valid``, ``id_prefix``
    (the trustworthy leading digits of a damaged ID; "" otherwise, where the
    ``id`` itself says all), ``id_birth`` (YYYY-MM-DD), ``id_sex``
    (男/女), ``id_problems`` and ``id_repairs`` ("；"-joined short Chinese
    findings, and what formatting noise was removed), ``id_region_name``
    (the region as named in the birth year; see :mod:`recon.normalize.regions`)
    and ``id_region_note`` (renamed, retired, given later, in plain words).

    Clean valid IDs -- nearly all of them -- are handled with whole-column
    operations; the rest goes through :func:`parse_id`, once per distinct
    value, so both paths give the same answer by construction.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    filled = values.fillna("").astype(str)
    text = np.asarray(filled.tolist(), dtype=object)
    n = len(text)
    num = np.zeros(n, dtype=bool) if numeric is None else numeric.fillna(False).to_numpy(dtype=bool)
    arrow = pa.array(filled, type=pa.string())
    fast = pc.match_substring_regex(arrow, r"^[0-9]{17}[0-9X]$").to_numpy(zero_copy_only=False)
    fast = fast.astype(bool) & ~num
    fast &= ~pc.ends_with(arrow, "000").to_numpy(zero_copy_only=False).astype(bool)
    out_id = text.copy()
    kind = np.full(n, IdKind.VALID, dtype=object)
    valid = np.ones(n, dtype=bool)
    prefix = np.full(n, "", dtype=object)  # kept for damaged IDs only (see above)
    birth = np.full(n, "", dtype=object)
    sex = np.full(n, "", dtype=object)
    problems = np.full(n, "", dtype=object)
    repairs = np.full(n, "", dtype=object)
    region_name_ = np.full(n, "", dtype=object)
    region_note = np.full(n, "", dtype=object)
    # texts that cleaning turns into such 18 characters ('="3101…"', a
    # lowercase x, spaces): read on whole arrays as their cleaned text, with
    # the repairs parse_id reports (see parse_id and _parse_18)
    read = text
    cleanable = np.flatnonzero(~fast & ~num)
    if len(cleanable):
        at, written = pd.factorize(text[cleanable])
        found = [_cleaned_plain(t) for t in written.tolist()]
        ok = np.asarray([f is not None for f in found], dtype=bool)
        rows = cleanable[ok[at]]
        if len(rows):
            cleaned = np.asarray([f[0] if f else "" for f in found], dtype=object)
            said = np.asarray([f[1] if f else "" for f in found], dtype=object)
            read = text.copy()
            read[rows] = cleaned[at[ok[at]]]
            out_id[rows] = read[rows]
            repairs[rows] = said[at[ok[at]]]
            fast[rows] = True
    idx_fast = np.flatnonzero(fast)
    if len(idx_fast):
        # 18 characters needing no cleaning: read on whole arrays, valid or
        # not (what parse_id says of them, see _parse_18)
        sub = read[idx_fast].tolist()
        joined = "".join(sub).replace("X", ":")
        raw = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(-1, 18)
        arr = raw.astype(np.int32) - 48
        checks = np.frombuffer(_CHECK.replace("X", ":").encode(), dtype=np.uint8) - 48
        total = (arr[:, :17] @ _WEIGHTS.astype(np.int32)) % 11
        ok_check = checks[total] == arr[:, 17]
        y = arr[:, 6] * 1000 + arr[:, 7] * 100 + arr[:, 8] * 10 + arr[:, 9]
        m = arr[:, 10] * 10 + arr[:, 11]
        d = arr[:, 12] * 10 + arr[:, 13]
        ok_date = _valid_dates(y, m, d)
        ok = ok_check & ok_date
        dated = idx_fast[ok_date]
        at, days = pd.factorize(y[ok_date] * 10000 + m[ok_date] * 100 + d[ok_date])
        day_text = [f"{v // 10000:04d}-{v // 100 % 100:02d}-{v % 100:02d}" for v in days.tolist()]
        birth[dated] = np.asarray(day_text, dtype=object)[at]
        sex[dated] = np.where(arr[ok_date, 16] % 2 == 1, "男", "女")
        names, notes, findings = _regions_of(
            arr[ok_date, :6].astype(np.int64) @ (10 ** np.arange(5, -1, -1, dtype=np.int64)),
            y[ok_date],
        )
        region_name_[dated], region_note[dated] = names, notes
        problems[idx_fast[ok]] = findings[ok[ok_date]]  # an invalid ID: no region findings
        bad = np.flatnonzero(~ok)
        if len(bad):
            rows = idx_fast[bad]
            kind[rows] = IdKind.INVALID
            valid[rows] = False
            flaws = np.asarray(
                ["", _WRONG_CHECK, _NO_BIRTH, f"{_WRONG_CHECK}；{_NO_BIRTH}"], dtype=object
            )
            problems[rows] = flaws[(~ok_check[bad]).astype(int) + 2 * (~ok_date[bad]).astype(int)]
            undated = rows[~ok_date[bad]]  # named as for no birth year
            codes = np.asarray([t[:6] for t in read[undated].tolist()], dtype=object)
            for code in sorted(set(codes.tolist())):
                name = _region_span(code, None)[0]
                at_code = undated[codes == code]
                region_name_[at_code], region_note[at_code] = name.label, name.note
    slow = np.flatnonzero(~fast)
    cache: dict[tuple[str, bool], IdInfo] = {}
    for i in slow.tolist():
        key = (text[i], bool(num[i]))
        info = cache.get(key)
        if info is None:
            info = cache[key] = parse_id(key[0], key[1])
        out_id[i] = info.id
        kind[i] = info.kind
        valid[i] = info.valid
        prefix[i] = info.prefix if info.kind == IdKind.DAMAGED else ""
        birth[i] = info.birth_date
        sex[i] = info.sex
        problems[i] = "；".join(info.problems)
        repairs[i] = "；".join(info.repairs)
        region_name_[i] = info.region_name
        region_note[i] = info.region_note
    cols = {
        "id": out_id,
        "id_kind": kind,
        "id_valid": valid,
        "id_prefix": prefix,
        "id_birth": birth,
        "id_sex": sex,
        "id_problems": problems,
        "id_repairs": repairs,
        "id_region_name": region_name_,
        "id_region_note": region_note,
    }
    return pd.DataFrame(
        {
            c: pd.Series(v, index=values.index, dtype=bool if c == "id_valid" else object)
            for c, v in cols.items()
        }
    )

"""Which column holds which field: header and values scored together.

Every column is scored for every field its header may name (exact synonym >
weak synonym > a synonym inside a longer header, see ``HeaderRules``) and
by a sample of its values (up to ``SAMPLE`` non-blank cells): 18-character
IDs, detailed addresses (路/弄/号/室/幢/单元, 村/组), 2–5 character names,
dates, mobile numbers, 男/女. The best column per field wins; a field whose
values contradict it loses (a column holding only "居民身份证" is never the
ID number, one holding only 区/街道 or 派出所 names is never the address).

Address parts that a template spreads over several columns are kept as
parts of their field and joined: 省/市/区县 sub-columns under a merged 户籍地
and a 户籍详址 column; a 现住地区划 column before 现住地详址; stand-alone
小区/楼栋/单元/房间号 (or 路/弄/号/室) columns when no column holds the whole
address.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from recon.rules import HeaderMatch, HeaderRules, header_label

__all__ = ["SAMPLE", "Choice", "ColumnScore", "choose_columns", "profile"]

SAMPLE = 200  # non-blank cells per column looked at
MIN_SCORE = 0.45  # below this a column is not taken for a field

ADDRESS_FIELDS = ("address", "hukou_address")
DATE_FIELDS = ("birth_date", "collected_on", "registered_on", "arrived_on", "cancelled_on")
# the value test each field is held to (fields not named here: header only)
VALUE_KIND = {
    "name": "name",
    "collector": "name",
    "id_number": "id",
    "sex": "sex",
    "address": "address",
    "hukou_address": "address",
    "phone": "phone",
    **{f: "date" for f in DATE_FIELDS},
}
# how much the values weigh against the header: an 18-character ID or a house
# number says a lot, 2–5 Chinese characters little (dictionary words look alike)
VALUE_WEIGHT = {"id": 0.6, "address": 0.6, "phone": 0.5, "date": 0.5, "sex": 0.5, "name": 0.3}
KIND_LABELS = {
    "id": "18位身份证号",
    "name": "2–5字姓名",
    "address": "详细地址",
    "region": "省/市/区/街道名",
    "police": "派出所名",
    "date": "日期",
    "phone": "手机号",
    "sex": "男/女",
    "word": "同一个词",
}
# region parts of an address, before the detail (省 市 区县 乡镇)
REGION_PARTS = ("province", "city", "county", "town")
PART_ORDER = (
    *REGION_PARTS,
    "village",
    "road",
    "lane",
    "estate",
    "number",
    "building",
    "unit",
    "floor",
    "room",
    "group",
)
# the unit a bare number in a part column gets ("12" under 幢 -> "12幢")
PART_UNITS = {
    "lane": "弄",
    "number": "号",
    "building": "幢",
    "unit": "单元",
    "floor": "楼",
    "room": "室",
    "group": "组",
}

# --- value tests (whole sample at once) -----------------------------------------------

_ID = r"^\d{17}[\dX]$|^\d{15}$"
_NAME = (
    r"^[\u4e00-\u9fff]{2,5}$|^[\u4e00-\u9fff]{1,8}[·•‧・･⋅∙．.][\u4e00-\u9fff·•‧・･⋅∙．.]{1,14}$"
)
_HOUSE = r"[路街巷弄号室幢栋楼座]|单元|[0-9一二三四五六七八九十]+组|村.+|[0-9]+-[0-9]+"
_REGION_END = (
    r"(?:省|市|自治区|自治州|州|地区|盟|区|县|旗|镇|乡|街道|街道办事处|办事处|社区|村|居委会)$"
)
_POLICE = r"(?:派出所|公安局|分局|警务室|警务站|公安处|治安大队)$"
_DATE = (
    r"^\d{4}[-/.年]\d{1,2}(?:[-/.月]\d{1,2}日?)?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
    r"|^(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:[0-2]\d|3[01])?$|^[2-5]\d{4}(?:\.\d+)?$"
)
_PHONE = r"^(?:\+?86)?1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$|^\d{7,8}$"
_SEX = {"男", "女", "1", "2", "男性", "女性", "M", "F", "未知", "0", "9"}
_CHECK_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_CHECK_CHARS = np.array(list("10X98765432"))


def _valid_ids(ids: pd.Series) -> pd.Series:
    """Which 18-character IDs carry a valid check character (vectorised)."""
    long = ids[ids.str.len() == 18]
    if long.empty:
        return pd.Series(False, index=ids.index)
    digits = np.array([list(s[:17]) for s in long], dtype=np.int64)
    expected = _CHECK_CHARS[(digits @ _CHECK_WEIGHTS) % 11]
    ok = pd.Series(expected == long.str[-1].to_numpy(), index=long.index)
    return ok.reindex(ids.index, fill_value=False)


@dataclass
class Profile:
    """What a column's sample of values looks like: fractions of the sample."""

    n: int = 0
    fractions: dict[str, float] = field(default_factory=dict)
    distinct: int = 0
    digits: float = 0.0  # share of cells with a digit

    def get(self, kind: str) -> float:
        return self.fractions.get(kind, 0.0)


_ID_RE = re.compile(_ID)
_NAME_RE = re.compile(_NAME)
_NOT_NAME_RE = re.compile(_REGION_END + "|" + _POLICE)
_HOUSE_RE = re.compile(_HOUSE)
_REGION_END_RE = re.compile(_REGION_END)
_NOT_REGION_RE = re.compile(r"\d|号|室|弄|幢|栋|单元|组")
_POLICE_RE = re.compile(_POLICE)
_DATE_RE = re.compile(_DATE)
_PHONE_RE = re.compile(_PHONE)
_NUMERIC_RE = re.compile(r"[\d.,:/\-]+")
_DIGIT_RE = re.compile(r"\d")
_NOISE_RE = re.compile(r"^[='\"]+|[\"\s]+")


def profile(values: pd.Series) -> Profile:
    """Fractions of a column's non-blank sample that look like each kind of value.

    Each test runs once per distinct value of the sample, weighted by count
    (a few hundred texts: plain Python, no pandas call per test).
    """
    s = values[values != ""].head(SAMPLE)
    n = len(s)
    if n == 0:
        return Profile()
    counts = s.value_counts(sort=False)
    weights = counts.to_numpy(dtype=float) / n
    t = [_NOISE_RE.sub("", unicodedata.normalize("NFKC", str(v))).upper() for v in counts.index]

    def share(flags: list[bool]) -> float:
        return float(weights[np.asarray(flags, dtype=bool)].sum())

    is_id = [_ID_RE.match(v) is not None for v in t]
    valid = [False] * len(t)
    if any(is_id):
        at = [k for k, hit in enumerate(is_id) if hit]
        found = _valid_ids(pd.Series([t[k] for k in at], index=at, dtype=object))
        for k, ok in zip(at, found.tolist(), strict=True):
            valid[k] = bool(ok)
    police = [_POLICE_RE.search(v) is not None for v in t]
    region = [_REGION_END_RE.search(v) is not None and _NOT_REGION_RE.search(v) is None for v in t]
    house = [
        _HOUSE_RE.search(v) is not None and len(v) >= 4 and not p
        for v, p in zip(t, police, strict=True)
    ]
    fr = {
        "id": share(is_id),
        "id_valid": share(valid),
        "name": share(
            [_NAME_RE.match(v) is not None and _NOT_NAME_RE.search(v) is None for v in t]
        ),
        "address": share(house),
        "region": share(region),
        "police": share(police),
        "date": share([_DATE_RE.match(v) is not None for v in t]),
        "phone": share([_PHONE_RE.match(v) is not None for v in t]),
        "sex": share([v in _SEX for v in t]),
        "numeric": share([_NUMERIC_RE.fullmatch(v) is not None for v in t]),
    }
    distinct = len(t)
    if n >= 3 and distinct == 1:
        fr["word"] = 1.0
    return Profile(
        n=n,
        fractions=fr,
        distinct=distinct,
        digits=share([_DIGIT_RE.search(v) is not None for v in t]),
    )


def value_fit(fld: str, p: Profile) -> float | None:
    """How well the values fit the field, 0..1; None when values cannot tell."""
    kind = VALUE_KIND.get(fld)
    if kind is None or p.n == 0:
        return None
    if kind == "id":
        return 0.6 * p.get("id") + 0.4 * p.get("id_valid")
    if kind == "name":
        fit = p.get("name")
        if p.n >= 8 and p.distinct <= 2:  # a name column repeats few names
            fit *= 0.3
        return fit
    return p.get(kind)


def ruled_out(fld: str, p: Profile) -> bool:
    """The values say the column cannot hold the field.

    An ID, phone or date column without a single digit ("居民身份证", "汉族");
    a name column of numbers or IDs; an address column of 派出所 names, IDs
    or dates; a one-word column (all "居民身份证") for anything typed.
    """
    kind = VALUE_KIND.get(fld)
    if kind is None or p.n == 0:
        return False
    if kind in ("id", "phone", "date"):
        return p.digits == 0 or (kind == "id" and p.get("word") == 1.0 and p.get("id") == 0)
    if kind == "name":
        return p.get("id") > 0.5 or p.get("numeric") > 0.8
    if kind == "address":
        return p.get("police") > 0.5 or p.get("id") > 0.5 or p.get("date") > 0.5
    return False


# --- choosing ---------------------------------------------------------------------------


@dataclass
class ColumnScore:
    """One column scored for one field."""

    column: int
    field: str
    header: HeaderMatch
    fit: float | None
    score: float
    part: str = ""  # an address part ("province", "room"...) or "" for a whole value

    def reason(self, p: Profile | None) -> str:
        how = {
            "exact": f"表头同义词「{self.header.synonym}」",
            "weak": f"表头近义词「{self.header.synonym}」",
            "pattern": "表头格式",
            "inside": f"表头含「{self.header.synonym}」",
            "mapping": "映射文件指定",
            "part": f"地址的一部分（{self.header.synonym}）",
        }.get(self.header.how, self.header.how)
        return how + "；" + describe_values(p, self.field)


def describe_values(p: Profile | None, fld: str) -> str:
    """'值：18位身份证号 100%' / '无数据' — shares only, never a value."""
    if p is None or p.n == 0:
        return "值：无数据"
    kind = VALUE_KIND.get(fld)
    shown = []
    if kind:
        share = p.get(kind)
        shown.append(f"{KIND_LABELS[kind]} {share:.0%}")
    for other in ("word", "police", "region"):
        if p.get(other) >= 0.5 and other != kind:
            shown.append(f"{KIND_LABELS[other]} {p.get(other):.0%}")
    if not shown:
        return f"值：{p.n} 个样本"
    return "值：" + "，".join(shown)


@dataclass
class Choice:
    """What was chosen: field per column, parts, reasons and runners-up."""

    fields: dict[int, str] = field(default_factory=dict)
    parts: dict[int, str] = field(default_factory=dict)  # column -> part name
    reasons: dict[int, str] = field(default_factory=dict)
    runner_up: dict[str, str] = field(default_factory=dict)  # field -> description
    scores: dict[int, float] = field(default_factory=dict)
    notes: dict[int, str] = field(default_factory=dict)


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# the start of a region column's header says whose region it is
_REGION_OWNERS = (
    ("hukou_address", ("户籍", "户口"), ("hj",)),
    ("address", ("现住", "现居", "居住", "暂住"), ("xzz", "xzd", "jzd", "zzd")),
)


def _region_owner(stem: str) -> str | None:
    """'户籍地区划' -> hukou_address, 'xzzqhmc' -> address, '其它住址省市县区' -> None."""
    for fld, words, pinyin in _REGION_OWNERS:
        if any(w in stem for w in words) or stem.startswith(pinyin):
            return fld
    return None


def _part_of(label: str, sub: str, rules: HeaderRules) -> str | None:
    """The address part a column names by its sub-label or by the end of its header."""
    for text in (sub, label):
        if not text:
            continue
        part = rules.part_for(text)
        if part:
            return part
    norm = header_label(label)
    # "现住地区划", "户籍地省市县": a region word at the end of the header
    for size in range(min(len(norm) - 1, 5), 0, -1):
        part = rules.parts.get(norm[-size:])
        if part in REGION_PARTS and size >= 2:
            return part
    return None


def choose_columns(
    labels: list[str],
    subs: dict[int, str],
    parents: dict[int, str],
    samples: dict[int, pd.Series],
    rules: HeaderRules,
) -> Choice:
    """Fields for the columns of one sheet.

    ``labels``: the header text per column (for display only); ``subs``: the
    sub-label of the columns of a two-row header; ``parents``: column -> the
    text of the (merged) parent label above its sub-label; ``samples``: the
    text values per column (blank cells are skipped).
    """
    profiles: dict[int, Profile] = {}

    def profile_of(j: int) -> Profile:
        if j not in profiles:
            profiles[j] = profile(samples[j]) if j in samples else Profile()
        return profiles[j]

    scored: list[ColumnScore] = []
    part_cols: list[ColumnScore] = []
    vetoed: dict[int, str] = {}  # column -> why the values rule its header's field out
    for j, label in enumerate(labels):
        if not label:
            continue
        sub = subs.get(j, "")
        own = sub or label
        matches = rules.candidates(own)
        stem = header_label(own)
        # the values are looked at for columns whose header names a field, and
        # for region columns ("XZZQHMC" holds 区 names)
        needed = bool(matches) or bool(sub) or _region_owner(stem) is not None
        p = profile_of(j) if needed else Profile()
        if sub and j in parents:
            parent_matches = rules.candidates(parents[j])
            part = _part_of("", sub, rules)
            if parent_matches and not any(m.how == "mapping" for m in matches):
                pf = parent_matches[0]
                if pf.field in ADDRESS_FIELDS and part:
                    part_cols.append(
                        ColumnScore(j, pf.field, HeaderMatch(pf.field, pf.score, "part", sub),
                                    None, pf.score, part)
                    )  # fmt: skip
                    continue
                if pf.field in ADDRESS_FIELDS and any(m.field in ADDRESS_FIELDS for m in matches):
                    # "详址" / "详细地址" under 户籍地: the detail of the parent's field
                    matches = [HeaderMatch(pf.field, pf.score, "exact", f"{parents[j]}/{sub}")]
                # sub-labels under any other parent ("人员类型" over 闲散青少年 /
                # 留守儿童 ..., "有效期" over 开始/结束) are a group of their own:
                # only what they name themselves counts
        for m in matches:
            if m.how != "mapping" and ruled_out(m.field, p):
                name = rules.field_labels.get(m.field, m.field)
                vetoed[j] = f"表头像「{name}」，但{describe_values(p, m.field)}，未使用"
                continue
            fit = value_fit(m.field, p)
            weight = VALUE_WEIGHT.get(VALUE_KIND.get(m.field, ""), 0.5)
            score = m.score if fit is None else m.score * (1 - weight + weight * fit)
            if m.field in ADDRESS_FIELDS:
                part = _part_of(own, "", rules)
                region_values = p.n > 0 and p.get("region") >= 0.5 and p.get("address") < 0.3
                if part in REGION_PARTS or (part is None and region_values and m.how != "exact"):
                    part_cols.append(ColumnScore(j, m.field, m, fit, score, part or "county"))
                    continue
            scored.append(ColumnScore(j, m.field, m, fit, score))
        if not matches and not sub:
            # a region column of an address: "现住地区划" by its header, "XZZQHMC"
            # (pinyin) by its values
            part = _part_of(own, "", rules)
            by_values = p.n > 0 and p.get("region") >= 0.8
            owner = _region_owner(stem) if part in REGION_PARTS or by_values else None
            if owner:
                hm = HeaderMatch(owner, 0.5, "part", own)
                part_cols.append(ColumnScore(j, owner, hm, None, 0.5, part or "county"))
        # stand-alone house parts (小区/楼栋/单元/房间号): joined when no whole address
        if not matches and not sub:
            part = rules.part_for(own)
            if part and part not in REGION_PARTS:
                hm = HeaderMatch("address", 0.5, "part", own)
                part_cols.append(ColumnScore(j, "address", hm, None, 0.5, part))

    choice = Choice()
    taken_fields: set[str] = set()
    # best first; on a tie the column further left
    order = sorted(scored, key=lambda c: (-c.score, c.column))
    for c in order:
        if c.header.score < MIN_SCORE or c.column in choice.fields or c.field in taken_fields:
            continue
        choice.fields[c.column] = c.field
        choice.scores[c.column] = c.score
        choice.reasons[c.column] = c.reason(profile_of(c.column))
        taken_fields.add(c.field)
    # parts: region parts join the field's detail column; house parts make the
    # address only when no column holds it whole
    by_field: dict[str, list[ColumnScore]] = {}
    for c in part_cols:
        if c.column not in choice.fields:
            by_field.setdefault(c.field, []).append(c)
    for fld, cols in by_field.items():
        main = next((j for j, f in choice.fields.items() if f == fld), None)
        house = [c for c in cols if c.part not in REGION_PARTS]
        region = [c for c in cols if c.part in REGION_PARTS]
        if main is None and not house and len(region) < 2:
            continue  # a region alone is not an address
        use = region + (house if main is None else [])
        for c in use:
            if c.column in choice.fields:
                continue
            choice.fields[c.column] = fld
            choice.parts[c.column] = c.part
            choice.scores[c.column] = c.score
            choice.reasons[c.column] = c.reason(profile_of(c.column))
        if main is not None and use:
            choice.parts.setdefault(main, "detail")
    # runner-up per field: the best candidate not taken for it
    for fld in set(choice.fields.values()):
        taken = [j for j, f in choice.fields.items() if f == fld]
        rest = [c for c in order if c.field == fld and c.column not in taken]
        if rest:
            r = rest[0]
            choice.runner_up[fld] = (
                f"第 {_letter(r.column)} 列「{labels[r.column]}」"
                f"（{r.reason(profile_of(r.column))}，得分 {r.score:.2f}）"
            )
    # why a column that names a field was not taken
    for j, text in vetoed.items():
        if j not in choice.fields:
            choice.notes[j] = text
    for c in order:
        j = c.column
        if j in choice.fields or j in choice.notes:
            continue
        holder = next((k for k, f in choice.fields.items() if f == c.field), None)
        if holder is not None:
            name = rules.field_labels.get(c.field, c.field)
            letter = _letter(holder)
            choice.notes[j] = (
                f"与第 {letter} 列重复（都像「{name}」，第 {letter} 列更合适），未使用"
            )
    return choice

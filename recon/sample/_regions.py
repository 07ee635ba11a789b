"""Region codes of ID numbers, taken from python-stdnum's ``cn/loc`` table.

Only county-level codes (not provinces, prefectures or "市辖区" placeholders)
of the provinces that send most migrants to Shanghai are used. Retired codes
stay in: people keep the number they were first given.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import numpy as np
import pandas as pd

# Province code -> share of migrants (rough, for Shanghai).
MIGRANT_PROVINCES = {
    "34": 0.24,  # 安徽
    "32": 0.12,  # 江苏
    "41": 0.13,  # 河南
    "51": 0.09,  # 四川
    "36": 0.08,  # 江西
    "42": 0.07,  # 湖北
    "37": 0.06,  # 山东
    "33": 0.06,  # 浙江
    "43": 0.05,  # 湖南
    "35": 0.03,  # 福建
    "50": 0.04,  # 重庆
    "52": 0.02,  # 贵州
    "62": 0.01,  # 甘肃
}
MINORITY_PROVINCE = "65"  # 新疆, for the Uyghur-style names

_PLACEHOLDER_NAMES = {
    "市辖区",
    "市区",
    "郊区",
    "矿区",
    "县",
    "省直辖县级行政区划",
    "自治区直辖县级行政区划",
}
_BRACKET = re.compile(r"^\[[^\]]*\]")


def _latest_name(raw: str) -> str:
    """'[1983-2001]东市区,[2002-]瑶海区' -> '瑶海区' (the latest name)."""
    return _BRACKET.sub("", raw.split(",")[-1]).strip()


@lru_cache(maxsize=1)
def region_table() -> pd.DataFrame:
    """All county-level codes of stdnum's table with their names.

    Columns: ``code`` (6 digits), ``province_code``, ``province``,
    ``prefecture`` (may be empty) and ``county``.
    """
    from stdnum import numdb

    rows = []
    for _len, lo, hi, props, children in numdb.get("cn/loc").prefixes:
        if lo != hi:
            continue
        province = props.get("province", "")
        names = {
            lo + lo2: _latest_name(p2.get("county", ""))
            for _l2, lo2, hi2, p2, _c2 in children
            if lo2 == hi2
        }
        for code, county in names.items():
            if code.endswith("00") or county in _PLACEHOLDER_NAMES or not county:
                continue
            prefecture = names.get(code[:4] + "00", "")
            if prefecture in _PLACEHOLDER_NAMES or prefecture == province:
                prefecture = ""
            rows.append((code, lo, province, prefecture, county))
    return pd.DataFrame(rows, columns=["code", "province_code", "province", "prefecture", "county"])


def pick_regions(
    rng: np.random.Generator, provinces: dict[str, float], per_province: int = 25
) -> tuple[pd.DataFrame, np.ndarray]:
    """A street's home counties: a few dozen per province, Zipf-weighted.

    Migration runs along chains (people follow relatives from the same
    county), so a street sees a limited set of counties, some very often.
    Returns the chosen rows of :func:`region_table` and their probabilities.
    """
    table = region_table()
    chosen = []
    weights = []
    for code, share in provinces.items():
        sub = table[table["province_code"] == code]
        take = min(per_province, len(sub))
        idx = rng.choice(len(sub), size=take, replace=False)
        chosen.append(sub.iloc[np.sort(idx)])
        w = 1.0 / np.arange(1, take + 1) ** 1.1
        weights.append(rng.permutation(w) / w.sum() * share)
    regions = pd.concat(chosen, ignore_index=True)
    p = np.concatenate(weights)
    return regions, p / p.sum()


_USABLE_STATUS = ("in_use", "issued_later")  # RegionStatus values that raise no finding


@cache
def _usable(code: str, year: int) -> bool:
    from recon.normalize.regions import region_name

    return region_name(code, year).status in _USABLE_STATUS


@cache
def _successor(code: str, year: int) -> str:
    """A county code in use in ``year`` near ``code``: the same prefecture if it
    has one, else the same province (the code a number got after a rename)."""
    table = region_table()["code"].tolist()
    for prefix in (code[:4], code[:2]):
        for other in table:
            if other.startswith(prefix) and _usable(other, year):
                return other
    return code  # pragma: no cover - every province has a county in use


def codes_in_use(codes: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Region codes as a number born in ``years`` would carry them.

    A number is given with the code in use where the holder was registered,
    never one retired before the birth year (nor before 1984, when numbers
    began): such a code is replaced by a code of the same prefecture (else
    province) in use that year. Children keep the head's county this way
    unless it was retired before they were born.
    """
    frame = pd.DataFrame({"code": codes.astype(str), "year": years.astype(np.int64)})
    pairs = frame.drop_duplicates()
    fixed = {
        (c, y): (c if _usable(c, y) else _successor(c, y))
        for c, y in zip(pairs["code"].tolist(), pairs["year"].tolist(), strict=True)
    }
    keys = zip(frame["code"].tolist(), frame["year"].tolist(), strict=True)
    return np.array([fixed[k] for k in keys], dtype=object)

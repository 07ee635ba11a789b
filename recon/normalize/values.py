"""Small values: sex, dates and phone numbers, as sheets write them."""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from functools import lru_cache

import numpy as np
import pandas as pd

__all__ = [
    "normalize_dates",
    "normalize_phone",
    "normalize_phones",
    "normalize_sex",
    "parse_date",
]

_SEX = {
    "男": "男",
    "男性": "男",
    "1": "男",
    "M": "男",
    "MALE": "男",
    "女": "女",
    "女性": "女",
    "2": "女",
    "F": "女",
    "FEMALE": "女",
}


def normalize_sex(value: object) -> str:
    """男/女 from 男/女/男性/1/2/M/F/male/female (numbers too); else ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = unicodedata.normalize("NFKC", str(value)).strip().upper()
    if s.endswith(".0"):
        s = s[:-2]
    return _SEX.get(s, "")


_EXCEL_EPOCH = _dt.date(1899, 12, 30)
_DATE_RES = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_MIN_DATE = _dt.date(1900, 1, 1)
_MAX_DATE = _dt.date(2100, 12, 31)


def _from_serial(serial: float) -> str:
    if not 1 <= serial < 80000:
        return ""
    return (_EXCEL_EPOCH + _dt.timedelta(days=int(serial))).isoformat()


@lru_cache(maxsize=100_000)
def _parse_date_text(s: str) -> str:
    s = unicodedata.normalize("NFKC", s).strip()
    if not s:
        return ""
    for rx in _DATE_RES:
        m = rx.match(s)
        if m:
            try:
                day = _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return ""
            return day.isoformat() if _MIN_DATE <= day <= _MAX_DATE else ""
    if re.fullmatch(r"\d{5}(?:\.\d+)?", s):  # an Excel serial that became text
        return _from_serial(float(s))
    return ""


def parse_date(value: object) -> str:
    """'YYYY-MM-DD' from a date cell, an Excel serial or a date text; else ''.

    Accepts 2023-05-01, 2023/5/1, 2023.05.01, 2023年5月1日, 20230501,
    datetimes, and serial numbers (45047 is 2023-05-01).
    """
    if value is None or value == "":
        return ""
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return ""
    if isinstance(value, int | float):
        if isinstance(value, float) and value != value:  # NaN
            return ""
        if 19000101 <= value <= 21001231:
            return _parse_date_text(str(int(value)))
        try:
            return _from_serial(float(value))
        except OverflowError:  # an int beyond any date (no spreadsheet makes one)
            return ""
    return _parse_date_text(str(value))


def normalize_dates(values: pd.Series) -> pd.Series:
    """Column version of :func:`parse_date` (once per distinct value)."""
    if isinstance(values.dtype, pd.StringDtype):  # text (CSV): once per distinct text
        codes, uniques = pd.factorize(values.fillna(""))
        return pd.Series(
            np.asarray([parse_date(v) for v in uniques], dtype=object)[codes],
            index=values.index,
            dtype=object,
        )
    cache: dict[object, str] = {}
    out = []
    for v in values.tolist():
        # the type is part of the key: the number 45047 and the text "45047"
        # are both a date, but True == 1 must not share a cache entry with 1
        key = (type(v), v) if not isinstance(v, float) or v == v else (float, "nan")
        hit = cache.get(key)
        if hit is None:
            hit = cache[key] = parse_date(v)
        out.append(hit)
    return pd.Series(out, index=values.index, dtype=object)


def normalize_phones(values: pd.Series) -> pd.Series:
    """Column version of :func:`normalize_phone` for text (whole-column ops)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(values.astype(str).fillna("").tolist(), type=pa.string())
    # RE2's \s is ASCII only: add what Python's \s also takes (the scalar path)
    s = pc.replace_substring_regex(pc.utf8_normalize(arr, "NFKC"), _PHONE_NOISE_RE2, "")
    s = pc.replace_substring_regex(s, r"\.0$", "")
    s = pc.if_else(
        pc.and_(pc.equal(pc.utf8_length(s), 13), pc.starts_with(s, "86")),
        pc.utf8_slice_codeunits(s, 2),
        s,
    )
    s = pc.if_else(pc.match_substring_regex(s, r"^[0-9]+$"), s, "")
    return pd.Series(s.to_pylist(), index=values.index, dtype=object)


_PHONE_NOISE = re.compile(r"[\s\-()（）+]")
_PHONE_NOISE_RE2 = r"[\s\x0b\x1c-\x1f\x85\p{Z}\-()（）+]"


def normalize_phone(value: object) -> str:
    """Digits only; a leading +86/86 dropped from mobile numbers."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:
            return ""
        if value.is_integer():
            value = int(value)
    s = _PHONE_NOISE.sub("", unicodedata.normalize("NFKC", str(value)))
    if s.endswith(".0"):
        s = s[:-2]
    if len(s) == 13 and s.startswith("86"):
        s = s[2:]
    return s if s.isascii() and s.isdigit() else ""

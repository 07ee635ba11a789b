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


def _ymd(day: _dt.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


# The date texts of _DATE_RES in ASCII digits, no time, no blanks around:
# the forms nearly every sheet uses, read on whole arrays (RE2 needs names)
_DATE_FORMS_RE2 = (
    r"^(?P<y>[0-9]{4})[-/.](?P<m>[0-9]{1,2})[-/.](?P<d>[0-9]{1,2})$",
    r"^(?P<y>[0-9]{4})年(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})[日号]?$",
    r"^(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})$",
)


def _plain_dates(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The texts of ``texts`` in a plain date form (see ``_DATE_FORMS_RE2``),
    read on whole arrays: (the date or '' -- what :func:`parse_date` gives
    them --, which texts are of such a form). The others get '' here; the
    caller parses them one by one.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    out = np.full(len(texts), "", dtype=object)
    plain = np.zeros(len(texts), dtype=bool)
    if not len(texts):
        return out, plain
    arr = pa.array(texts, type=pa.string())
    month_days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    for pattern in _DATE_FORMS_RE2:
        hit = pc.match_substring_regex(arr, pattern).to_numpy(zero_copy_only=False)
        at = np.flatnonzero(hit.astype(bool) & ~plain)
        if not len(at):
            continue
        plain[at] = True
        parts = pc.extract_regex(arr.take(pa.array(at)), pattern)
        y_text, m_text, d_text = (parts.field(k) for k in ("y", "m", "d"))
        y, m, d = (pc.cast(t, pa.int64()).to_numpy() for t in (y_text, m_text, d_text))
        leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
        in_month = month_days[np.clip(m, 0, 12)] + ((m == 2) & leap)
        ymd = y * 10000 + m * 100 + d
        ok = (m >= 1) & (m <= 12) & (d >= 1) & (d <= in_month)
        ok &= (ymd >= _ymd(_MIN_DATE)) & (ymd <= _ymd(_MAX_DATE))
        if ok.any():
            keep = pa.array(ok)
            days = pc.binary_join_element_wise(
                y_text.filter(keep),
                pc.utf8_lpad(m_text.filter(keep), 2, "0"),
                pc.utf8_lpad(d_text.filter(keep), 2, "0"),
                "-",
            )
            out[at[ok]] = days.to_numpy(zero_copy_only=False)
    return out, plain


def normalize_dates(values: pd.Series) -> pd.Series:
    """Column version of :func:`parse_date` (once per distinct value)."""
    if isinstance(values.dtype, pd.StringDtype):  # text (CSV): once per distinct text
        codes, uniques = pd.factorize(values.fillna(""))
        texts = np.asarray(uniques, dtype=object)
        days, plain = _plain_dates(texts)
        rest = np.flatnonzero(~plain)
        if len(rest):
            days[rest] = [parse_date(v) for v in texts[rest].tolist()]
        return pd.Series(days[codes], index=values.index, dtype=object)
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

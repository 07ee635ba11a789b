"""String helpers: numerals, widths, date styles, and the ID/name slips.

Everything works on numpy object arrays of ``str`` (elementwise ``+`` is
cheap) or on small subsets row by row; nothing here loops over a whole
million-row column in Python except list comprehensions.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from recon.normalize import check_char
from recon.sample._pools import HOMOPHONES

_CN_DIGITS = "〇一二三四五六七八九"
DIGITWISE = str.maketrans("0123456789", _CN_DIGITS)
FULLWIDTH = str.maketrans("0123456789Xx-", "０１２３４５６７８９Ｘｘ－")
_CHECK = "0123456789X"


def obj(values: object) -> np.ndarray:
    """Any sequence of strings as a numpy object array (for elementwise +)."""
    return np.asarray(values, dtype=object)


def digits(values: np.ndarray, width: int = 0) -> np.ndarray:
    """Integers as decimal strings, optionally zero-padded."""
    if width:
        return obj([f"{v:0{width}d}" for v in values.tolist()])
    return obj([str(v) for v in values.tolist()])


@lru_cache(maxsize=4096)
def cn_number(n: int) -> str:
    """Positional Chinese numeral for 0..9999: 12 -> 十二, 105 -> 一百零五."""
    if n == 0:
        return "零"
    units = ["", "十", "百", "千"]
    text = ""
    zero = False
    for power in range(3, -1, -1):
        d, n = divmod(n, 10**power)
        if d:
            if zero:
                text += "零"
            text += _CN_DIGITS[d] + units[power]
            zero = False
        elif text:
            zero = True
    return text[1:] if text.startswith("一十") else text


def translate(values: np.ndarray, table: dict[int, int]) -> np.ndarray:
    """``str.translate`` over an object array."""
    return obj([v.translate(table) for v in values.tolist()])


def positional(values: np.ndarray) -> np.ndarray:
    """Digit strings as positional Chinese numerals."""
    return obj([cn_number(int(v)) for v in values.tolist()])


# --- dates -------------------------------------------------------------------


def iso_dates(days: np.ndarray) -> np.ndarray:
    """Day numbers since 1970-01-01 as 'YYYY-MM-DD' strings (formatted once per day)."""
    unique, inverse = np.unique(np.asarray(days, dtype=np.int64), return_inverse=True)
    text = obj(np.datetime_as_string(unique.astype("datetime64[D]"), unit="D"))
    return text[inverse.reshape(-1)]


def ymd_ints(days: np.ndarray) -> np.ndarray:
    """Day numbers since 1970-01-01 as integers YYYYMMDD."""
    unique, inverse = np.unique(np.asarray(days, dtype=np.int64), return_inverse=True)
    text = np.datetime_as_string(unique.astype("datetime64[D]"), unit="D")
    values = np.array([int(t.replace("-", "")) for t in text.tolist()], dtype=np.int64)
    return values[inverse.reshape(-1)]


def styled_dates(iso: np.ndarray, style: str) -> np.ndarray:
    """Render ISO dates the way a template writes them.

    Styles: ``iso`` / ``excel`` (2023-05-01; ``excel`` becomes a real date
    cell in a workbook), ``dots`` (2023.05.01), ``compact`` (20230501),
    ``cn`` (2023年5月1日).
    """
    if style in ("iso", "excel"):
        return iso
    if style == "dots":
        return obj([v.replace("-", ".") for v in iso.tolist()])
    if style == "compact":
        return obj([v.replace("-", "") for v in iso.tolist()])
    if style == "cn":
        return obj([f"{v[:4]}年{int(v[5:7])}月{int(v[8:10])}日" if v else "" for v in iso.tolist()])
    raise ValueError(f"unknown date style {style!r}")


# --- ID slips --------------------------------------------------------------------


def id_typo(ids: list[str], pos: np.ndarray, shift: np.ndarray) -> list[str]:
    """One wrong character at ``pos`` (a digit, or a wrong check character)."""
    out = []
    for s, p, k in zip(ids, pos.tolist(), shift.tolist(), strict=True):
        if p < 17:
            c = str((int(s[p]) + 1 + k % 9) % 10)
        else:
            c = _CHECK[(_CHECK.index(s[17]) + 1 + k % 10) % 11]
        out.append(s[:p] + c + s[p + 1 :])
    return out


def id_swap(ids: list[str], start: np.ndarray) -> list[str]:
    """Two different adjacent characters swapped (the first such pair from ``start``)."""
    out = []
    for s, st in zip(ids, start.tolist(), strict=True):
        last = 16 if s[17] != "X" else 15  # never move an X into the body
        for k in range(last + 1):
            p = (st + k) % (last + 1)
            if s[p] != s[p + 1]:
                out.append(s[:p] + s[p + 1] + s[p] + s[p + 2 :])
                break
        else:  # pragma: no cover - 18 equal digits cannot carry a valid check
            out.append(s)
    return out


def id_spaces(ids: list[str], how: np.ndarray) -> list[str]:
    """Spaces inside an ID: 6-8-4 groups, one stray space, or padding."""
    out = []
    for s, h in zip(ids, how.tolist(), strict=True):
        if h == 0:
            out.append(f"{s[:6]} {s[6:14]} {s[14:]}")
        elif h == 1:
            out.append(f"{s[:10]} {s[10:]}")
        else:
            out.append(f" {s} ")
    return out


def id_is_valid18(s: str) -> bool:
    """True for 17 ASCII digits followed by the right check character."""
    return len(s) == 18 and s[:17].isascii() and s[:17].isdigit() and check_char(s[:17]) == s[17]


def sci_notation(id18: str) -> str:
    """What a CSV saved from Excel keeps of an 18-digit number: '3.10112E+17'."""
    mantissa = id18[1:6].rstrip("0")
    return f"{id18[0]}.{mantissa}E+17" if mantissa else f"{id18[0]}E+17"


# --- name slips ------------------------------------------------------------------


def homophone_slip(given: str, pick: int) -> str | None:
    """Replace one character of a given name by a homophone, or None if none has one."""
    spots = [i for i, c in enumerate(given) if c in HOMOPHONES]
    if not spots:
        return None
    i = spots[pick % len(spots)]
    return given[:i] + HOMOPHONES[given[i]] + given[i + 1 :]


def stray_space(name: str, pick: int) -> str:
    """A space inside a name ('张 伟'), or a doubled one in a longer name."""
    if len(name) < 2:
        return name + " "
    i = 1 + pick % (len(name) - 1)
    sep = " " if pick % 4 else "  "
    return name[:i] + sep + name[i:]


def series(values: np.ndarray) -> pd.Series:
    """An object array as a pandas string Series."""
    return pd.Series(values, dtype="str")

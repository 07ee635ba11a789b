"""Person names: a display form, comparison keys and how alike two names are.

Three keys, compared in order of strength:

* ``key`` -- the raw name without spaces and dots, full-width folded;
* ``simp`` -- ``key`` converted traditional -> simplified by OpenCC. The
  conversion is lossy for some surnames (乾->干, 於->于, 鍾->钟), so it is
  a weaker agreement than ``key``, never a replacement for it;
* sound -- per character, every pinyin reading (heteronyms included, so the
  surname readings 曾 zeng, 单 shan, 仇 qiu, 解 xie, 区 ou, 朴 piao are there),
  folded by the input-method confusions z/zh, c/ch, s/sh, n/l, -n/-ng.

Rare characters that arrive as "?", boxes or private-use code points are
unknown, not text: they match any character and never count as agreement.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np
import pandas as pd
from rapidfuzz.distance import Levenshtein

from recon.normalize._opencc import simplified as _to_simplified
from recon.normalize._opencc import simplified_many

__all__ = [
    "NAME_COLUMNS",
    "NameAgreement",
    "clean_name",
    "compare_names",
    "name_key",
    "normalize_names",
    "simplified",
    "sound_key",
    "sounds",
]

NAME_COLUMNS = ["name", "name_key", "name_simp"]

UNKNOWN = "?"
_DOTS = "·•‧・･⋅∙．.。﹒˙･•●"
_DOT_RE = re.compile(f"[{re.escape(_DOTS)}]+")
_SPACE_RE = re.compile(r"\s+")
_UNKNOWN_RE = re.compile(r"[?？□■�*＊〓\ue000-\uf8ff]")
# CJK Unified Ideographs and Extension A: no compatibility decompositions
_HAN_ONLY_RE2 = r"^[\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}]+$"
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def clean_name(text: object) -> str:
    """The name as it should be displayed: NFKC, one standard middle dot.

    Spaces inside a Han name are dropped ("张 伟" -> "张伟"); in a long name
    whose parts are two characters or more they separate the parts of a
    minority name and become "·" ("买买提 艾力" -> "买买提·艾力").
    """
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text)).strip()
    if not s:
        return ""
    s = _DOT_RE.sub("·", s).strip("·")
    if _SPACE_RE.search(s):
        parts = [p for p in _SPACE_RE.split(s) if p]
        minority = (
            "·" not in s
            and len(parts) >= 2
            and all(len(p) >= 2 for p in parts)
            and sum(len(p) for p in parts) >= 5
            and all(_HAN.search(p) for p in parts)
        )
        s = "·".join(parts) if minority else "".join(parts)
    # joining parts may bring combining marks together: normalise once more;
    # and a dot left at an end by the joining goes (the result is a fixed point)
    s = unicodedata.normalize("NFKC", re.sub("·+", "·", s))
    return s.strip("·").strip()


def name_key(display: str) -> str:
    """Comparison key: no dots, unknown characters as ``?``."""
    return _UNKNOWN_RE.sub(UNKNOWN, display.replace("·", "")).lower()


def simplified(key: str) -> str:
    """Traditional -> simplified (OpenCC); lossy for a few surnames."""
    return _to_simplified(key) if key else ""


def normalize_names(values: pd.Series) -> pd.DataFrame:
    """Display name, raw key and simplified key for a column of names.

    Work is done once per distinct value (a street has far fewer distinct
    names than rows).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    codes, uniques = pd.factorize(values.fillna("").astype(str))
    texts = np.asarray(uniques, dtype=object)
    # a name of Han characters only is its own display form and key
    # (NFKC leaves these blocks alone; no dot, space or unknown mark)
    han = pc.match_substring_regex(pa.array(uniques, type=pa.string()), _HAN_ONLY_RE2)
    other = np.flatnonzero(~han.to_numpy(zero_copy_only=False).astype(bool))
    displays = texts.copy()
    keys = texts.copy()
    for k in other.tolist():
        displays[k] = clean_name(texts[k])
        keys[k] = name_key(displays[k])
    simps = simplified_many(keys.tolist())
    return pd.DataFrame(
        {
            col: pd.Series(np.asarray(vals, dtype=object)[codes], index=values.index, dtype=object)
            for col, vals in (("name", displays), ("name_key", keys), ("name_simp", simps))
        }
    )


# --- sound --------------------------------------------------------------------

_FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("l", "n"))
_FUZZY_FINALS = (("iang", "ian"), ("uang", "uan"), ("ang", "an"), ("eng", "en"), ("ing", "in"))


def _fold(syllable: str) -> str:
    for a, b in _FUZZY_INITIALS:
        if syllable.startswith(a):
            syllable = b + syllable[len(a) :]
            break
    for a, b in _FUZZY_FINALS:
        if syllable.endswith(a):
            syllable = syllable[: -len(a)] + b
            break
    return syllable


@lru_cache(maxsize=200_000)
def sounds(char: str) -> frozenset[str]:
    """Every folded reading of one character (empty when it has none)."""
    from pypinyin import Style, pinyin

    if char == UNKNOWN or not _HAN.match(char):
        return frozenset()
    readings = pinyin(char, style=Style.NORMAL, heteronym=True, errors="ignore")
    if not readings:
        return frozenset()
    return frozenset(_fold(r) for r in readings[0] if r)


@lru_cache(maxsize=200_000)
def _primary(char: str) -> str:
    from pypinyin import Style, lazy_pinyin

    if char == UNKNOWN or not _HAN.match(char):
        return char
    reading = lazy_pinyin(char, style=Style.NORMAL, errors="ignore")
    return _fold(reading[0]) if reading else char


def sound_key(key: str) -> str:
    """A blocking key by sound: each character's usual reading, folded."""
    return "-".join(_primary(ch) for ch in simplified(key))


# --- agreement ------------------------------------------------------------------


class NameAgreement:
    """Levels of name agreement, strongest first (stable strings)."""

    EXACT = "exact"
    SIMPLIFIED = "simplified"
    UNKNOWN_CHAR = "unknown_char"
    HOMOPHONE = "homophone"
    ONE_CHAR = "one_char"
    DIFFERENT = "different"
    MISSING = "missing"


def _wildcard_equal(a: str, b: str) -> bool:
    return len(a) == len(b) and all(x == y or UNKNOWN in (x, y) for x, y in zip(a, b, strict=True))


def _homophone(a: str, b: str) -> bool:
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        if x == y:
            continue
        sx, sy = sounds(x), sounds(y)
        if not sx or not sy or not (sx & sy):
            return False
    return True


def compare_names(key_a: str, key_b: str) -> str:
    """How alike two name keys are (see :class:`NameAgreement`).

    Symmetric by construction. Works on keys (see :func:`name_key`).
    """
    if not key_a or not key_b or key_a == UNKNOWN * len(key_a) or key_b == UNKNOWN * len(key_b):
        return NameAgreement.MISSING
    if key_a == key_b:
        return NameAgreement.EXACT if UNKNOWN not in key_a else NameAgreement.UNKNOWN_CHAR
    sa, sb = simplified(key_a), simplified(key_b)
    if sa == sb:
        return NameAgreement.SIMPLIFIED
    if _wildcard_equal(sa, sb):
        return NameAgreement.UNKNOWN_CHAR
    if _homophone(sa, sb):
        return NameAgreement.HOMOPHONE
    if len(sa) >= 3 and len(sb) >= 3 and Levenshtein.distance(sa, sb) == 1:
        return NameAgreement.ONE_CHAR
    return NameAgreement.DIFFERENT

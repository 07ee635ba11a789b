"""人户分离: the separation list checked both ways, on the same engine as 来沪人员.

The police keep a list of local-hukou people whose hukou address and
residence differ -- 人在户不在 (living in the street, hukou elsewhere) and 户在人不在
(hukou in the street, living elsewhere). A door-to-door sweep writes down
every local-hukou resident with both addresses. ``recon match --mode 人户分离``
matches the sweep (field side) to the list (system side) with the usual
engine -- IDs, names, one to one, review, duplicates -- and then compares the
house keys of the two addresses:

* a listed person found living at the hukou address: 已不分离 (to cancel from
  the list);
* found separated at another residence than listed: 住址变动 (to update);
* found separated where listed: 仍分离;
* a swept resident separated and not on the list: 未登记 (to register, with
  the 采集表 of the type: 人在户不在人员情况信息采集表 / 户在人不在人员情况信息采集表);
* a swept resident living at the hukou address and not on the list: 未分离
  (outcome ``not_separated``: nothing to do, counted);
* a listed person the sweep did not find: 机到人, visited with both addresses.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from recon.matchers import MatchResult, Outcome
from recon.normalize.address import normalize_addresses

__all__ = [
    "FORMS",
    "MODE",
    "SEP_LABELS",
    "SEP_NEW_ADDRESS",
    "SEP_OPTIONS",
    "SEP_TYPES",
    "Sep",
    "classify_separation",
    "separation_type",
]

MODE = "人户分离"
# the tick columns of the separation check list, and where a new residence is written
SEP_OPTIONS = ("仍分离", "已不分离", "住址变动")
SEP_NEW_ADDRESS = "变动后现住址"
SEP_TYPES = ("人在户不在", "户在人不在")
FORMS = {
    "人在户不在": "人在户不在人员情况信息采集表",
    "户在人不在": "户在人不在人员情况信息采集表",
}


class Sep:
    """What the sweep says about a person's separation (stable codes)."""

    STILL = "still"
    BACK_HOME = "back_home"
    MOVED = "moved"
    UNREGISTERED = "unregistered"
    NOT_SEPARATED = "not_separated"
    UNKNOWN = "unknown"


SEP_LABELS = {
    Sep.STILL: "仍分离",
    Sep.BACK_HOME: "已不分离（待从名单注销）",
    Sep.MOVED: "住址变动（待变更）",
    Sep.UNREGISTERED: "未登记的人户分离（待登记）",
    Sep.NOT_SEPARATED: "未分离（无需登记）",
    Sep.UNKNOWN: "无法判断（缺户籍地址或现居住地址）",
}


def separation_type(value: object) -> str:
    """人在户不在 / 户在人不在 from a 类型 cell ('' when it says neither)."""
    text = "" if value is None else str(value)
    for kind in SEP_TYPES:
        if kind in text:
            return kind
    return ""


Keys = tuple[np.ndarray, np.ndarray, np.ndarray]


# the loader's normalised columns of each address column
_MADE = {
    "address": ("addr_key", "addr_locality", "addr_flat"),
    "hukou_address": ("hukou_key", "hukou_locality", "hukou_flat"),
}


def _keys(frame: pd.DataFrame, column: str) -> Keys:
    """House keys, localities and flats (the key without its road) of an address
    column ('' where unknown): the loader's, made once."""
    if column not in frame or not len(frame):
        blank = np.full(len(frame), "", dtype=object)
        return blank, blank.copy(), blank.copy()
    made = _MADE[column]
    if all(c in frame for c in made):
        return tuple(frame[c].fillna("").to_numpy(dtype=object) for c in made)  # type: ignore[return-value]
    parts = normalize_addresses(frame[column].fillna("").astype(str))
    return (
        parts["addr_key"].to_numpy(dtype=object),
        parts["addr_locality"].to_numpy(dtype=object),
        parts["addr_flat"].to_numpy(dtype=object),
    )


def _same_flat(a: Keys, b: Keys) -> np.ndarray:
    """One flat: the same house key, or -- where one address lacks its road or
    village -- the same lane, number and room (as the matcher's comparison)."""
    key_a, loc_a, flat_a = a
    key_b, loc_b, flat_b = b
    no_road = (loc_a == "") | (loc_b == "")
    return ((key_a == key_b) & (key_a != "")) | (no_road & (flat_a == flat_b) & (flat_a != ""))


def _at(keys: Keys, idx: np.ndarray) -> Keys:
    return keys[0][idx], keys[1][idx], keys[2][idx]


def _types(values: pd.Series | None, n: int) -> np.ndarray:
    if values is None:
        return np.full(n, "", dtype=object)
    return np.asarray([separation_type(v) for v in values.tolist()], dtype=object)


def classify_separation(result: MatchResult) -> MatchResult:
    """Add ``separation``, ``sep_type`` and ``form`` to both sides; field rows
    living at their hukou address and not on the list become ``not_separated``."""
    F, S = result.field.copy(), result.system.copy()
    f_home, f_hukou, s_home = _keys(F, "address"), _keys(F, "hukou_address"), _keys(S, "address")
    (f_res, f_res_loc, _), (f_huk, f_huk_loc, _) = f_home, f_hukou
    s_res_loc = s_home[1]
    s_type = _types(S.get("kind"), len(S))
    s_huk_loc = _keys(S, "hukou_address")[1]

    known = (f_res != "") & (f_huk != "")
    separated = known & ~_same_flat(f_home, f_hukou)

    # the street: the localities of the list's addresses in it
    here = set(s_res_loc[s_type == "人在户不在"]) | set(s_huk_loc[s_type == "户在人不在"])
    here.discard("")
    f_type = _types(F.get("kind"), len(F))
    res_here, huk_here = np.isin(f_res_loc, list(here)), np.isin(f_huk_loc, list(here))
    # 户在人不在 when only the hukou is in the street -- or, the hukou address
    # lacking its road, when the home is known to be outside it
    away = ~res_here & (huk_here | ((f_huk_loc == "") & (f_res_loc != "")))
    guess = np.where(away, "户在人不在", "人在户不在")
    f_type = np.where(f_type != "", f_type, np.where(separated, guess, ""))

    f_sep = np.full(len(F), "", dtype=object)
    s_sep = np.full(len(S), "", dtype=object)
    pairs = result.pairs
    fi = pairs["f"].to_numpy(dtype=np.int64)
    si = pairs["s"].to_numpy(dtype=np.int64)
    where_listed = np.where(_same_flat(_at(f_home, fi), _at(s_home, si)), Sep.STILL, Sep.MOVED)
    code = np.where(~known[fi], Sep.UNKNOWN, np.where(~separated[fi], Sep.BACK_HOME, where_listed))
    f_sep[fi] = code
    s_sep[si] = code
    # a matched person keeps the list's type unless the sweep found another
    f_type[fi] = np.where(s_type[si] != "", s_type[si], f_type[fi])

    open_f = F["outcome"].eq(Outcome.FIELD_ONLY).to_numpy()
    f_sep[open_f & separated] = Sep.UNREGISTERED
    f_sep[open_f & ~known] = Sep.UNKNOWN
    gone = open_f & known & ~separated
    f_sep[gone] = Sep.NOT_SEPARATED
    outcome = F["outcome"].to_numpy(dtype=object).copy()
    outcome[gone] = Outcome.NOT_SEPARATED
    F["outcome"] = outcome
    F["separation"] = f_sep
    F["sep_type"] = np.where(f_sep == Sep.NOT_SEPARATED, "", f_type)
    F["form"] = np.where(f_sep == Sep.UNREGISTERED, [FORMS.get(t, "") for t in f_type], "")
    S["separation"] = s_sep
    S["sep_type"] = s_type
    return replace(result, field=F, system=S)

"""Candidate pairs for the records an exact ID join could not settle.

Blocking keys bring together records that share something a typo, a damaged
ID or a missing ID leaves intact. Each rule is a name and a key function over
the combined record frame; a key shared by too many records (``max_block``)
is skipped rather than compared all-against-all.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from recon.normalize.ids import IdKind, repair_candidates
from recon.normalize.names import sound_key

__all__ = ["BLOCKING_RULES", "candidate_pairs"]

_USABLE = (IdKind.VALID, IdKind.UPGRADED, IdKind.SUSPECT)


def _join(*cols: pd.Series) -> pd.Series:
    out = cols[0].astype(str)
    empty = out.eq("")
    for c in cols[1:]:
        c = c.astype(str)
        empty |= c.eq("")
        out = out + "|" + c
    return out.mask(empty, "")


def _id14(r: pd.DataFrame) -> pd.Series:
    usable = r["id_kind"].isin(_USABLE)
    damaged = r["id_kind"].eq(IdKind.DAMAGED) & r["id_prefix"].str.len().ge(14)
    out = pd.Series("", index=r.index, dtype=object)
    out[usable] = r.loc[usable, "id"].str.slice(0, 14)
    out[damaged] = r.loc[damaged, "id_prefix"].str.slice(0, 14)
    return out


def _id6_name(r: pd.DataFrame) -> pd.Series:
    has = r["id_kind"].isin((*_USABLE, IdKind.INVALID, IdKind.DAMAGED))
    six = (
        r["id"]
        .str.slice(0, 6)
        .where(r["id_kind"].ne(IdKind.DAMAGED), r["id_prefix"].str.slice(0, 6))
    )
    six = six.where(has & six.str.len().eq(6), "")
    return _join(six, r["name_simp"])


def _name_birth(r: pd.DataFrame) -> pd.Series:
    return _join(r["name_simp"], r["birth"])


def _name_house(r: pd.DataFrame) -> pd.Series:
    return _join(r["name_simp"], r["addr_key"])


def _name_locality(r: pd.DataFrame) -> pd.Series:
    return _join(r["name_simp"], r["committee"], r["addr_locality"])


def _house_birth(r: pd.DataFrame) -> pd.Series:
    return _join(r["addr_key"], r["birth"])


def _sounds(r: pd.DataFrame) -> pd.Series:
    names = r["name_simp"]
    uniques = pd.unique(names)
    table = {n: (sound_key(n) if n else "") for n in uniques}
    return names.map(table)


def _sound_birth(r: pd.DataFrame) -> pd.Series:
    return _join(_sounds(r), r["birth"])


def _sound_house(r: pd.DataFrame) -> pd.Series:
    return _join(_sounds(r), r["addr_key"])


def _name_flat(r: pd.DataFrame) -> pd.Series:
    """Name and the flat without its road ("1255弄12号302室"): one side may omit the road."""
    keys = r["addr_key"].astype(str)
    loc = r["addr_locality"].astype(str)
    tails = [k[len(c) :] if c and k.startswith(c) else k for k, c in zip(keys, loc, strict=True)]
    tail = pd.Series(tails, index=r.index, dtype=object)
    tail = tail.where(tail.str.match(r"^\d"), "")
    return _join(r["name_simp"], tail)


BLOCKING_RULES: tuple[tuple[str, Callable[[pd.DataFrame], pd.Series]], ...] = (
    ("id14", _id14),
    ("id6_name", _id6_name),
    ("name_birth", _name_birth),
    ("name_house", _name_house),
    ("house_birth", _house_birth),
    ("sound_birth", _sound_birth),
    ("sound_house", _sound_house),
    ("name_flat", _name_flat),
    ("name_locality", _name_locality),
)


def _repair_pairs(recs: pd.DataFrame, left: np.ndarray, right: np.ndarray) -> pd.DataFrame:
    """Pairs (invalid ID, valid ID one typo away), in both directions."""
    kinds = recs["id_kind"].to_numpy(dtype=object)
    ids = recs["id"].to_numpy(dtype=object)
    frames = []
    for src, dst in ((left, right), (right, left)):
        inv = src[kinds[src] == IdKind.INVALID]
        usable = dst[np.isin(kinds[dst], _USABLE)]
        if not len(inv) or not len(usable):
            continue
        wanted_a, wanted_id = [], []
        for i in inv.tolist():
            for cand, _why in repair_candidates(ids[i]):
                wanted_a.append(i)
                wanted_id.append(cand)
        if not wanted_a:
            continue
        want = pd.DataFrame({"x": wanted_a, "id": wanted_id})
        have = pd.DataFrame({"y": usable, "id": ids[usable]})
        hit = want.merge(have, on="id")[["x", "y"]]
        if src is left:
            frames.append(hit.rename(columns={"x": "a", "y": "b"}))
        else:
            frames.append(hit.rename(columns={"y": "a", "x": "b"}))
    if not frames:
        return pd.DataFrame({"a": [], "b": []}, dtype="int64")
    return pd.concat(frames, ignore_index=True)


def candidate_pairs(
    recs: pd.DataFrame, left: np.ndarray, right: np.ndarray, max_block: int
) -> pd.DataFrame:
    """Distinct pairs (a in left, b in right, a != b) sharing a blocking key.

    Returns columns ``a``, ``b`` (row positions in ``recs``) and ``rule`` (the
    first rule that proposed the pair).
    """
    frames = [_repair_pairs(recs, left, right).assign(rule="repair")]
    sub_l = recs.iloc[left]
    sub_r = recs.iloc[right]
    for name, key_fn in BLOCKING_RULES:
        kl = key_fn(sub_l)
        kr = key_fn(sub_r)
        kl = pd.DataFrame({"a": left, "key": kl.to_numpy()})
        kr = pd.DataFrame({"b": right, "key": kr.to_numpy()})
        kl = kl[kl["key"].ne("")]
        kr = kr[kr["key"].ne("")]
        if kl.empty or kr.empty:
            continue
        sizes = kr["key"].value_counts()
        common = sizes[sizes <= max_block].index
        kr = kr[kr["key"].isin(common)]
        pairs = kl.merge(kr, on="key")[["a", "b"]]
        frames.append(pairs.assign(rule=name))
    pairs = pd.concat(frames, ignore_index=True)
    pairs = pairs[pairs["a"].to_numpy() != pairs["b"].to_numpy()]
    pairs = pairs.drop_duplicates(["a", "b"], keep="first").reset_index(drop=True)
    return pairs.astype({"a": "int64", "b": "int64"})

"""Candidate pairs for the records an exact ID join could not settle.

Blocking keys bring together records that share something a typo, a damaged
ID or a missing ID leaves intact. Each rule names the record parts its key
joins; a key shared by more than ``max_block`` records is too common to say
anything (think 张伟 born in 1990) and is skipped rather than compared
all-against-all.

Two valid IDs that differ are two people, so a row with a valid ID is only
paired with rows whose ID is not valid (or may be damaged): that keeps the
work proportional to the residue, not to the register.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from recon.normalize.ids import IdKind, repair_candidates_many
from recon.normalize.names import sound_key

__all__ = ["BLOCKING_RULES", "Blocker"]

_USABLE = (IdKind.VALID, IdKind.UPGRADED, IdKind.SUSPECT)
_SURE = (IdKind.VALID, IdKind.UPGRADED)  # valid and not possibly damaged
_HAS_SIX = (*_USABLE, IdKind.INVALID, IdKind.DAMAGED)

# A rule: its name and the parts whose values make its key.
BLOCKING_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("id14", ("id14",)),
    ("id6_name", ("id6", "name_simp")),
    ("name_birth", ("name_simp", "birth")),
    ("name_house", ("name_simp", "addr_key")),
    ("house_birth", ("addr_key", "birth")),
    ("sound_birth", ("sound", "birth")),
    ("sound_house", ("sound", "addr_key")),
    ("name_flat", ("name_simp", "flat")),
    ("name_locality", ("name_simp", "committee", "addr_locality")),
)


@lru_cache(maxsize=500_000)
def _sound(name: str) -> str:
    return sound_key(name) if name else ""


def _flat(key: str, locality: str) -> str:
    """The flat without its road ("1255弄12号302室"): one side may omit the road."""
    tail = key[len(locality) :] if locality and key.startswith(locality) else key
    return tail if tail[:1].isdigit() else ""


class Blocker:
    """Key parts of the combined record frame, each made once, on demand."""

    def __init__(self, recs: pd.DataFrame, max_block: int) -> None:
        self.max_block = max_block
        self.cols = {c: recs[c].to_numpy(dtype=object) for c in recs.columns}
        self.kinds = self.cols["id_kind"]
        self.sure = np.isin(self.kinds, _SURE)
        self._derived: dict[str, np.ndarray] = {}
        self._repairs: pd.DataFrame | None = None

    # --- parts -----------------------------------------------------------------

    def part(self, name: str) -> np.ndarray:
        if name in self._derived:
            return self._derived[name]
        if name in self.cols and name not in ("id14", "id6"):
            return self.cols[name]
        ids, prefix, kinds = self.cols["id"], self.cols["id_prefix"], self.kinds
        if name == "id14":
            source = np.where(kinds == IdKind.DAMAGED, prefix, ids)
            ok = np.isin(kinds, _USABLE) | ((kinds == IdKind.DAMAGED) & (_lengths(prefix) >= 14))
            values = _slice(source, 14, ok)
        elif name == "id6":
            source = np.where(kinds == IdKind.DAMAGED, prefix, ids)
            ok = np.isin(kinds, _HAS_SIX) & (_lengths(source) >= 6)
            values = _slice(source, 6, ok)
        elif name == "sound":
            names = self.cols["name_simp"]
            codes, uniques = pd.factorize(pd.Series(names, dtype=object))
            values = np.asarray([_sound(n) for n in uniques], dtype=object)[codes]
        elif name == "flat":
            keys, locs = self.cols["addr_key"], self.cols["addr_locality"]
            values = np.asarray(
                [_flat(k, c) for k, c in zip(keys, locs, strict=True)], dtype=object
            )
        else:
            raise KeyError(name)
        self._derived[name] = values
        return values

    def _keys(self, names: tuple[str, ...], rows: np.ndarray) -> np.ndarray:
        """Keys of ``rows`` ("" where a part is missing), as an object array."""
        columns = [self.part(n)[rows] for n in names]
        out = columns[0]
        ok = out != ""
        for col in columns[1:]:
            ok &= col != ""
            out = out + "|" + col  # elementwise on object arrays, in C
        return np.where(ok, out, "")

    # --- pairs -----------------------------------------------------------------

    def _repair_candidates(self) -> pd.DataFrame:
        """Every invalid ID's one-typo corrections (made once per match)."""
        if self._repairs is None:
            inv = np.flatnonzero(self.kinds == IdKind.INVALID)
            cands = repair_candidates_many(self.cols["id"][inv].tolist())
            self._repairs = pd.DataFrame(
                {"x": inv[cands["i"].to_numpy(dtype=np.int64)], "id": cands["candidate"].to_numpy()}
            )
        return self._repairs

    def _repair_pairs(self, left: np.ndarray, right: np.ndarray) -> pd.DataFrame:
        """Pairs (invalid ID, valid ID one typo away), in both directions."""
        cands = self._repair_candidates()
        ids = self.cols["id"]
        frames = []
        for src, dst, flip in ((left, right, False), (right, left, True)):
            usable = dst[np.isin(self.kinds[dst], _USABLE)]
            mine = cands[np.isin(cands["x"].to_numpy(), src)]
            if mine.empty or not len(usable):
                continue
            have = pd.DataFrame({"y": usable, "id": ids[usable]}).astype({"id": object})
            hit = mine.astype({"id": object}).merge(have, on="id")
            a, b = (hit["y"], hit["x"]) if flip else (hit["x"], hit["y"])
            frames.append(pd.DataFrame({"a": a.to_numpy(), "b": b.to_numpy()}, dtype="int64"))
        if not frames:
            return pd.DataFrame({"a": [], "b": []}, dtype="int64")
        return pd.concat(frames, ignore_index=True)

    def _rule_pairs(
        self, parts: tuple[str, ...], left: np.ndarray, right: np.ndarray
    ) -> pd.DataFrame:
        empty = pd.DataFrame({"a": [], "b": []}, dtype="int64")
        if not len(left) or not len(right):
            return empty
        lkeys = self._keys(parts, left)
        has = lkeys != ""
        if not has.any():
            return empty
        lframe = pd.DataFrame({"a": left[has], "key": pd.Series(lkeys[has], dtype=object)})
        # right rows whose first part could give a wanted key (a hash lookup
        # in C), then whose whole key is wanted
        heads = pd.unique(pd.Series(self.part(parts[0])[left[has]], dtype=object))
        first = pd.Series(self.part(parts[0])[right], dtype=object)
        sub = right[first.isin(heads).to_numpy()]
        rkeys = pd.Series(self._keys(parts, sub), dtype=object)
        wanted = rkeys.isin(lframe["key"]).to_numpy()
        rframe = pd.DataFrame({"b": sub[wanted], "key": rkeys[wanted].to_numpy()})
        if rframe.empty:
            return empty
        sizes = rframe.groupby("key", sort=False)["b"].transform("size")
        rframe = rframe[sizes.to_numpy() <= self.max_block]
        pairs = lframe.merge(rframe, on="key")[["a", "b"]]
        return pairs.astype("int64")

    def pairs(self, left: np.ndarray, right: np.ndarray) -> pd.DataFrame:
        """Distinct pairs (a in left, b in right, a != b) sharing a blocking key.

        A left row with a sure valid ID is only paired with right rows whose
        ID is not sure. Returns columns ``a``, ``b`` (positions in the frame)
        and ``rule`` (the first rule that proposed the pair).
        """
        left_open, left_sure = left[~self.sure[left]], left[self.sure[left]]
        right_open = right[~self.sure[right]]
        frames = [self._repair_pairs(left, right).assign(rule="repair")]
        for name, parts in BLOCKING_RULES:
            for lft, rgt in ((left_open, right), (left_sure, right_open)):
                frames.append(self._rule_pairs(parts, lft, rgt).assign(rule=name))
        pairs = pd.concat(frames, ignore_index=True)
        a, b = pairs["a"].to_numpy(dtype=np.int64), pairs["b"].to_numpy(dtype=np.int64)
        # a pair of two left rows is found from both ends: keep one orientation
        keep = (a != b) & ~(np.isin(b, left) & (a > b))
        pairs = pairs[keep].drop_duplicates(["a", "b"], keep="first").reset_index(drop=True)
        return pairs.astype({"a": "int64", "b": "int64"})


def _lengths(values: np.ndarray) -> np.ndarray:
    return np.fromiter((len(v) for v in values), dtype=np.int64, count=len(values))


def _slice(values: np.ndarray, size: int, ok: np.ndarray) -> np.ndarray:
    out = np.full(len(values), "", dtype=object)
    idx = np.flatnonzero(ok)
    out[idx] = [v[:size] for v in values[idx].tolist()]
    return out

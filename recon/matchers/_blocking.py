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
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from recon.normalize.ids import IdKind, repair_candidates_many
from recon.normalize.names import sound_key

if TYPE_CHECKING:
    from recon.rules import BlockingRule

__all__ = ["BLOCK_ONLY", "BLOCK_PARTS", "Blocker"]

_USABLE = (IdKind.VALID, IdKind.UPGRADED, IdKind.SUSPECT)
_SURE = (IdKind.VALID, IdKind.UPGRADED)  # valid and not possibly damaged
_HAS_SIX = (*_USABLE, IdKind.INVALID, IdKind.DAMAGED)

# The rules themselves are data (matching.toml's [[blocking]]): a rule names
# the parts whose values make its key and the rows it is for -- a pair is
# proposed only when at least one of its rows is such a row ("" = any).
# These are the parts and row kinds a rule may name.
BLOCK_PARTS = (
    "id14",
    "id6",
    "sound",
    "name_simp",
    "name_key",
    "birth",
    "committee",
    "addr_key",
    "addr_flat",
    "addr_building",
    "addr_locality",
    "hukou_key",
    "hukou_locality",
    "phone",
)
BLOCK_ONLY = ("short_damaged", "no_birth")
_MADE_PARTS = ("sound", "id14", "id6")  # parts made on demand, not columns


@lru_cache(maxsize=500_000)
def _sound(name: str) -> str:
    return sound_key(name) if name else ""


def _hash(frame: pd.DataFrame, parts: tuple[str, ...]) -> np.ndarray:
    h = np.zeros(len(frame), dtype=np.uint64)
    for n in parts:
        h = (h * np.uint64(1_000_003)) ^ pd.util.hash_array(frame[n].to_numpy(dtype=object))
    return h


class Blocker:
    """Key parts of the combined record frame, made for the rows that need them."""

    def __init__(self, recs: pd.DataFrame, max_block: int, rules: tuple[BlockingRule, ...]) -> None:
        self.max_block = max_block
        self.rules = rules
        self.cols = {c: recs[c].to_numpy(dtype=object) for c in recs.columns}
        self.kinds = self.cols["id_kind"]
        self.sure = np.isin(self.kinds, _SURE)
        self._repairs: pd.DataFrame | None = None
        self._id14: np.ndarray | None = None
        prefix_len = np.fromiter((len(p) for p in self.cols["id_prefix"]), dtype=np.int64)
        self.only = {
            "short_damaged": (self.kinds == IdKind.DAMAGED) & (prefix_len < 14),
            "no_birth": self.cols["birth"] == "",
        }

    # --- parts -----------------------------------------------------------------

    def part(self, name: str, rows: np.ndarray) -> np.ndarray:
        """Values of one key part for ``rows`` ("" where the part is missing)."""
        if name in self.cols and name not in ("id14", "id6"):
            return self.cols[name][rows]
        if name == "id14":  # wanted for most of the register: made once
            if self._id14 is None:
                self._id14 = self._cut(np.arange(len(self.kinds)), "id14")
            return self._id14[rows]
        if name == "sound":  # once per distinct name
            codes, uniques = pd.factorize(pd.Series(self.cols["name_simp"][rows], dtype=object))
            return np.array([_sound(n) for n in uniques], dtype=object)[codes]
        if name == "id6":
            return self._cut(rows, "id6")
        raise KeyError(name)

    def _cut(self, rows: np.ndarray, name: str) -> np.ndarray:
        """The first 14 or 6 trustworthy digits of the IDs of ``rows``."""
        kinds = self.kinds[rows]
        size = 14 if name == "id14" else 6
        damaged = kinds == IdKind.DAMAGED
        source = np.where(damaged, self.cols["id_prefix"][rows], self.cols["id"][rows])
        allowed = _USABLE if name == "id14" else _HAS_SIX
        ok = np.isin(kinds, allowed) | (damaged & (name == "id14"))
        text = pa.array(source.tolist(), type=pa.string())
        long_enough = pc.greater_equal(pc.utf8_length(text), size).to_numpy(zero_copy_only=False)
        cut = np.asarray(pc.utf8_slice_codeunits(text, 0, size).to_pylist(), dtype=object)
        return np.where(ok & long_enough, cut, "")

    def _frame(self, parts: tuple[str, ...], rows: np.ndarray, pos: str) -> pd.DataFrame:
        """Rows with every part of a key present, one column per part."""
        data = {pos: rows}
        keep = np.ones(len(rows), dtype=bool)
        for n in parts:
            values = self.part(n, rows)
            keep &= values != ""
            data[n] = values
        return pd.DataFrame(
            {
                k: (pd.Series(v[keep], dtype=object) if k != pos else v[keep])
                for k, v in data.items()
            }
        )

    # --- pairs -----------------------------------------------------------------

    def _repair_candidates(self) -> pd.DataFrame:
        """Every invalid ID's one-typo corrections (made once per match)."""
        if self._repairs is None:
            inv = np.flatnonzero(self.kinds == IdKind.INVALID)
            cands = repair_candidates_many(self.cols["id"][inv].tolist())
            self._repairs = pd.DataFrame(
                {
                    "x": inv[cands["i"].to_numpy(dtype=np.int64)],
                    "id": pd.Series(cands["candidate"].to_numpy(dtype=object), dtype=object),
                }
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
            have = pd.DataFrame({"y": usable, "id": pd.Series(ids[usable], dtype=object)})
            hit = mine.merge(have, on="id")
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
        lframe = self._frame(parts, left, "a")
        if lframe.empty:
            return empty
        # right rows whose stored parts could all match (hash lookups in C):
        # only they need the made parts (sound, id prefixes...) made
        keep = np.ones(len(right), dtype=bool)
        for n in parts:
            if n in self.cols and n not in ("id14", "id6"):
                values = pd.Series(self.cols[n][right], dtype=object)
                keep &= values.isin(lframe[n].unique()).to_numpy()
        sub = right[keep]
        rframe = self._frame(parts, sub, "b")
        if rframe.empty:
            return empty
        # join on a 64-bit hash of the key: a collision (about 1e-7 here) can
        # only propose a pair, which scoring then rejects
        lframe = pd.DataFrame({"a": lframe["a"].to_numpy(), "h": _hash(lframe, parts)})
        rframe = pd.DataFrame({"b": rframe["b"].to_numpy(), "h": _hash(rframe, parts)})
        sizes = rframe.groupby("h", sort=False)["b"].transform("size").to_numpy()
        rframe = rframe[sizes <= self.max_block]
        return lframe.merge(rframe, on="h")[["a", "b"]].astype("int64")

    def different_people(self, left: np.ndarray, right: np.ndarray) -> pd.DataFrame:
        """Pairs (a in left, b in right) sharing a blocking key while both have
        a sure valid ID, and the two IDs differ: two people for certain, who
        look like a candidate pair (the error estimate learns from them)."""
        left, right = left[self.sure[left]], right[self.sure[right]]
        frames = [pd.DataFrame({"a": [], "b": []}, dtype="int64")]
        for rule in self.rules:
            if rule.only or any(p not in self.cols and p not in _MADE_PARTS for p in rule.parts):
                continue
            frames.append(self._rule_pairs(rule.parts, left, right))
        pairs = pd.concat(frames, ignore_index=True).drop_duplicates(["a", "b"])
        ids = self.cols["id"]
        a, b = pairs["a"].to_numpy(dtype=np.int64), pairs["b"].to_numpy(dtype=np.int64)
        return pairs[ids[a] != ids[b]].reset_index(drop=True)

    def pairs(self, left: np.ndarray, right: np.ndarray) -> pd.DataFrame:
        """Distinct pairs (a in left, b in right, a != b) sharing a blocking key.

        A left row with a sure valid ID is only paired with right rows whose
        ID is not sure. Returns columns ``a``, ``b`` (positions in the frame)
        and ``rule`` (the first rule that proposed the pair).
        """
        left_open, left_sure = left[~self.sure[left]], left[self.sure[left]]
        right_open = right[~self.sure[right]]
        frames = [self._repair_pairs(left, right).assign(rule="repair")]
        for rule in self.rules:
            name, parts, only = rule.name, rule.parts, rule.only
            if any(p not in self.cols and p not in _MADE_PARTS for p in parts):
                continue  # a rule for columns this match does not have
            if not only:
                joins = [(left_open, right), (left_sure, right_open)]
            else:  # at least one row of the pair must be one the rule is for
                mark = self.only[only]
                joins = [
                    (left_open[mark[left_open]], right),
                    (left_open[~mark[left_open]], right[mark[right]]),
                    (left_sure, right_open[mark[right_open]]),
                ]
            for lft, rgt in joins:
                frames.append(self._rule_pairs(parts, lft, rgt).assign(rule=name))
        pairs = pd.concat(frames, ignore_index=True)
        a, b = pairs["a"].to_numpy(dtype=np.int64), pairs["b"].to_numpy(dtype=np.int64)
        # a pair of two left rows is found from both ends: keep one orientation
        keep = (a != b) & ~(np.isin(b, left) & (a > b))
        pairs = pairs[keep].drop_duplicates(["a", "b"], keep="first").reset_index(drop=True)
        return pairs.astype({"a": "int64", "b": "int64"})

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

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from recon.matchers._records import _OTHER, Records, combine_codes, id_numbers, prefix_numbers
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


def _sound(name: str) -> str:
    return sound_key(name) if name else ""


def _join(
    left: np.ndarray,
    left_key: np.ndarray,
    right: np.ndarray,
    right_key: np.ndarray,
    max_block: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (left row, right row) of equal keys, as an inner join orders
    them: by left row, then by right row. Keys held by more than
    ``max_block`` right rows are left out."""
    lc, uniques = pd.factorize(left_key)
    rc = pd.Index(uniques).get_indexer(right_key)
    keep = rc >= 0  # right rows with a key some left row has
    right, rc = right[keep], rc[keep]
    count = np.bincount(rc, minlength=len(uniques))
    if max_block is not None:
        ok = count[rc] <= max_block
        right, rc = right[ok], rc[ok]
        count = np.bincount(rc, minlength=len(uniques))
    order = np.argsort(rc, kind="stable")  # right rows grouped by key, in order
    start = np.concatenate([[0], np.cumsum(count)])
    per_left = count[lc]
    total = int(per_left.sum())
    a = np.repeat(left, per_left)
    # the k-th pair of a left row takes the k-th right row of its key
    first = np.cumsum(per_left) - per_left
    k = np.arange(total, dtype=np.int64) - np.repeat(first, per_left)
    b = right[order[np.repeat(start[lc], per_left) + k]]
    return a.astype(np.int64), b.astype(np.int64)


class Blocker:
    """Key parts of the combined records as integer codes, made for the rows that need them."""

    def __init__(self, recs: Records, max_block: int, rules: tuple[BlockingRule, ...]) -> None:
        self.max_block = max_block
        self.rules = rules
        self.recs = recs
        self.kinds = recs.full("id_kind")
        self.sure = np.isin(self.kinds, _SURE)
        self.usable = np.isin(self.kinds, _USABLE)
        self._repairs: pd.DataFrame | None = None
        self._made: dict[str, np.ndarray] = {}
        # sound codes per name_simp code, made as names come up (-2: not yet)
        self._sound_of_name: np.ndarray | None = None
        self._sound_ids: dict[str, int] = {}
        damaged = np.flatnonzero(self.kinds == IdKind.DAMAGED)
        short = np.zeros(len(self.kinds), dtype=bool)
        short[damaged] = [len(p) < 14 for p in recs.take("id_prefix", damaged)]
        self.only = {
            "short_damaged": short,
            "no_birth": recs.codes("birth")[0] < 0,
        }

    # --- parts -----------------------------------------------------------------

    def part(self, name: str, rows: np.ndarray) -> np.ndarray:
        """Codes of one key part for ``rows`` (-1 where the part is missing)."""
        if name in ("id14", "id6"):
            made = self._made.get(name)
            if made is None:
                made = self._made[name] = self._cut(name)
            return made[rows]
        if name == "sound":
            return self._sounds(rows)
        if name in self.recs:
            return self.recs.codes(name)[0][rows]
        raise KeyError(name)

    def _sounds(self, rows: np.ndarray) -> np.ndarray:
        """Sound-key codes of the names of ``rows``, each distinct name keyed once."""
        names, uniques = self.recs.codes("name_simp")
        if self._sound_of_name is None:
            self._sound_of_name = np.full(len(uniques), -2, dtype=np.int64)
        table = self._sound_of_name
        codes = names[rows]
        want = np.zeros(len(table), dtype=bool)
        want[codes[codes >= 0]] = True
        todo = np.flatnonzero(want & (table == -2))
        ids = self._sound_ids
        for c in todo.tolist():
            key = _sound(str(uniques[c]))
            table[c] = -1 if key == "" else ids.setdefault(key, len(ids))
        return np.where(codes >= 0, table[np.maximum(codes, 0)], -1)

    def _cut(self, name: str) -> np.ndarray:
        """Codes of the first 14 or 6 trustworthy digits of every row's ID."""
        size = 14 if name == "id14" else 6
        damaged = self.kinds == IdKind.DAMAGED
        allowed = _USABLE if name == "id14" else _HAS_SIX
        ok = np.isin(self.kinds, allowed) | (damaged & (name == "id14"))
        out = np.full(len(self.kinds), -1, dtype=np.int64)
        # 17 digits and a check character: the first digits of its number
        keys = self.recs.id_keys()
        read = ok & ~damaged & (keys >= 0) & (keys < _OTHER)
        out[read] = keys[read] // 11 // 10 ** (17 - size)
        rest = np.flatnonzero(ok & ~read)
        source = np.where(
            damaged[rest], self.recs.take("id_prefix", rest), self.recs.take("id", rest)
        )
        out[rest] = prefix_numbers(source, size)
        return out

    def _keys(self, parts: tuple[str, ...], rows: np.ndarray) -> np.ndarray:
        """One code per row for the whole key (-1 where a part is missing)."""
        return combine_codes([self.part(n, rows) for n in parts])

    # --- pairs -----------------------------------------------------------------

    def _repair_candidates(self) -> pd.DataFrame:
        """Every invalid ID's one-typo corrections (made once per match), as
        (x = the row, code = the candidate's ID code among the rows' IDs)."""
        if self._repairs is None:
            inv = np.flatnonzero(self.kinds == IdKind.INVALID)
            cands = repair_candidates_many(self.recs.take("id", inv).tolist())
            self._repairs = pd.DataFrame(
                {
                    "x": inv[cands["i"].to_numpy(dtype=np.int64)],
                    "code": id_numbers(cands["candidate"].to_numpy(dtype=object)),
                }
            )
        return self._repairs

    def _repair_pairs(self, left: np.ndarray, right: np.ndarray) -> pd.DataFrame:
        """Pairs (invalid ID, valid ID one typo away), in both directions."""
        cands = self._repair_candidates()
        ids = self.recs.id_keys()
        frames = []
        for src, dst, flip in ((left, right, False), (right, left, True)):
            usable = dst[self.usable[dst]]
            mark = np.zeros(len(self.kinds), dtype=bool)
            mark[src] = True
            mine = cands[mark[cands["x"].to_numpy()]]
            if mine.empty or not len(usable):
                continue
            x, y = _join(
                mine["x"].to_numpy(dtype=np.int64),
                mine["code"].to_numpy(dtype=np.int64),
                usable,
                ids[usable],
            )
            a, b = (y, x) if flip else (x, y)
            frames.append(pd.DataFrame({"a": a, "b": b}, dtype="int64"))
        if not frames:
            return pd.DataFrame({"a": [], "b": []}, dtype="int64")
        return pd.concat(frames, ignore_index=True)

    def _rule_pairs(
        self, parts: tuple[str, ...], left: np.ndarray, right: np.ndarray
    ) -> pd.DataFrame:
        empty = pd.DataFrame({"a": [], "b": []}, dtype="int64")
        if not len(left) or not len(right):
            return empty
        # right rows whose stored parts could all match: only they need the
        # made parts (sound...) made
        stored = [n for n in parts if n in self.recs and n not in _MADE_PARTS]
        keep = np.ones(len(right), dtype=bool)
        for n in stored:
            codes, uniques = self.recs.codes(n)
            lc = codes[left]
            present = np.zeros(len(uniques) + 1, dtype=bool)
            present[lc[lc >= 0]] = True  # index -1 (the last) stays False
            keep &= present[codes[right]]
        sub = right[keep]
        both = self._keys(parts, np.concatenate([left, sub]))
        lk, rk = both[: len(left)], both[len(left) :]
        lmask, rmask = lk >= 0, rk >= 0
        if not lmask.any() or not rmask.any():
            return empty
        # a key shared by more than max_block rows says nothing
        a, b = _join(left[lmask], lk[lmask], sub[rmask], rk[rmask], self.max_block)
        return pd.DataFrame({"a": a, "b": b}, dtype="int64")

    def different_people(self, left: np.ndarray, right: np.ndarray) -> pd.DataFrame:
        """Pairs (a in left, b in right) sharing a blocking key while both have
        a sure valid ID, and the two IDs differ: two people for certain, who
        look like a candidate pair (the error estimate learns from them)."""
        left, right = left[self.sure[left]], right[self.sure[right]]
        frames = [pd.DataFrame({"a": [], "b": []}, dtype="int64")]
        for rule in self.rules:
            if rule.only or any(p not in self.recs and p not in _MADE_PARTS for p in rule.parts):
                continue
            frames.append(self._rule_pairs(rule.parts, left, right))
        pairs = pd.concat(frames, ignore_index=True).drop_duplicates(["a", "b"])
        ids = self.recs.id_keys()
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
            if any(p not in self.recs and p not in _MADE_PARTS for p in parts):
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
        in_left = np.zeros(len(self.kinds), dtype=bool)
        in_left[left] = True
        keep = (a != b) & ~(in_left[b] & (a > b))
        pairs = pairs[keep].drop_duplicates(["a", "b"], keep="first").reset_index(drop=True)
        return pairs.astype({"a": "int64", "b": "int64"})

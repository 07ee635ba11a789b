"""Both sides' records as one set of columns, and integer codes of their values.

The matcher works on positions of the combined frame (field rows first, then
system rows). Joins and equality tests run on integer codes -- each column
factorised once over both sides, "" coded -1 -- rather than on the text, so
that a million rows a side cost array operations, not string hashing per
step. Values still travel as text where a person reads them (reasons, levels).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd

from recon.normalize.ids import IdKind

__all__ = ["Records", "combine_codes"]

# the record parts the matcher reads
REC_COLS = (
    "addr_flat",
    "name_key",
    "name_simp",
    "id",
    "id_kind",
    "id_prefix",
    "birth",
    "addr_key",
    "addr_building",
    "addr_locality",
    "committee",
)
# what the loader made of the columns a side may lack ('' where it does)
MORE_COLS = (
    "hukou_key",
    "hukou_locality",
    "hukou_flat",
    "hukou_county",
    "hukou_province",
    "id_county",
    "id_province",
    "phone",
    "phone_kind",
    "arrived_on",
    "registered_on",
    "ethnicity",
)


def _text(frame: pd.DataFrame, col: str) -> np.ndarray:
    """One column as an object array, '' for missing values (and for a lacking column)."""
    if col not in frame:
        return np.full(len(frame), "", dtype=object)
    values = frame[col].to_numpy(dtype=object)
    missing = pd.isna(values)
    if missing.any():
        values = np.where(missing, "", values)
    return values


class Records:
    """The combined records: ``cols[name]`` is an object array over every row."""

    def __init__(self, cols: dict[str, np.ndarray]) -> None:
        self.cols = cols
        self.n = len(next(iter(cols.values()))) if cols else 0
        self._codes: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._derived: dict[str, np.ndarray] = {}

    @classmethod
    def from_sides(cls, field: pd.DataFrame, system: pd.DataFrame) -> Records:
        cols: dict[str, np.ndarray] = {}
        for col in (*REC_COLS, *MORE_COLS):
            cols[col] = np.concatenate([_text(field, col), _text(system, col)])
        sex = [
            _text(pd.DataFrame({"v": f["sex"].where(f["sex"].ne(""), f["id_sex"])}), "v")
            for f in (field, system)
        ]
        cols["sex_eff"] = np.concatenate(sex)
        weak = []
        for frame in (field, system):
            # a birth date read from a mistyped or damaged ID may carry the typo
            weak.append(
                frame["id_kind"]
                .isin((IdKind.INVALID, IdKind.DAMAGED, IdKind.SUSPECT))
                .to_numpy(dtype=bool)
                & frame["birth_from_id"].astype(bool).to_numpy(dtype=bool)
            )
        cols["birth_weak"] = np.concatenate(weak)
        return cls(cols)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Records:
        """Records of a frame that already has the matcher's columns."""
        cols = {c: _text(frame, c) for c in frame.columns if c != "birth_weak"}
        if "birth_weak" in frame:
            cols["birth_weak"] = frame["birth_weak"].to_numpy(dtype=bool)
        return cls(cols)

    def __len__(self) -> int:
        return self.n

    def __contains__(self, name: str) -> bool:
        return name in self.cols

    def __getitem__(self, name: str) -> np.ndarray:
        return self.cols[name]

    def codes(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(codes, uniques) of a text column over every row; '' is -1."""
        hit = self._codes.get(name)
        if hit is None:
            codes, uniques = pd.factorize(self.cols[name])
            uniques = np.asarray(uniques, dtype=object)
            empty = np.flatnonzero(uniques == "")
            codes = codes.astype(np.int64, copy=False)
            if len(empty):
                e = int(empty[0])
                codes = np.where(codes == e, -1, np.where(codes > e, codes - 1, codes))
                uniques = np.delete(uniques, e)
            hit = self._codes[name] = (codes, uniques)
        return hit

    def derived(self, name: str, make: Callable[[Records], np.ndarray]) -> np.ndarray:
        """A per-row array made once (``make`` is called with these records)."""
        hit = self._derived.get(name)
        if hit is None:
            hit = self._derived[name] = make(self)
        return hit

    def rows(self, idx: np.ndarray) -> _Rows:
        return _Rows(self, np.asarray(idx, dtype=np.int64))


class _Rows:
    """Some rows of the records, read like a frame: ``rows[col]`` is a Series."""

    def __init__(self, recs: Records, idx: np.ndarray) -> None:
        self.recs = recs
        self.idx = idx

    def __len__(self) -> int:
        return len(self.idx)

    def __contains__(self, name: str) -> bool:
        return name in self.recs.cols

    def __iter__(self) -> Iterator[str]:
        return iter(self.recs.cols)

    def __getitem__(self, name: str) -> pd.Series:
        return pd.Series(self.recs.cols[name][self.idx], dtype=self.recs.cols[name].dtype)


def combine_codes(columns: list[np.ndarray]) -> np.ndarray:
    """One int64 code per row for a tuple of non-negative code columns.

    Equal tuples get equal codes; -1 where any column is -1.
    """
    missing = np.zeros(len(columns[0]), dtype=bool)
    for c in columns:
        missing |= c < 0
    key = np.where(missing, 0, columns[0]).astype(np.int64)
    card = int(key.max()) + 1 if len(key) else 1
    for c in columns[1:]:
        size = int(c.max()) + 1 if len(c) else 1
        size = max(size, 1)
        if card * size >= 2**62:
            key = pd.factorize(key)[0].astype(np.int64)
            card = int(key.max()) + 1 if len(key) else 1
        key = key * size + np.where(c < 0, 0, c)
        card *= size
    return np.where(missing, -1, key)

"""Both sides' records read by combined position, and integer codes of their values.

The matcher works on positions of both sides at once (field rows first, then
system rows). Each side's columns are read in place from its frame, made
only when a step needs them. Joins run on integer codes -- a column
factorised once over both sides, "" coded -1 -- and IDs on numbers read from
their digits, rather than on the text, so that a million rows a side cost
array operations, not string hashing per step. Equality tests that need no
codes compare the text arrays directly. Values still travel as text where a
person reads them (reasons, levels).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.types import infer_dtype

from recon.normalize.ids import IdKind

__all__ = ["Records", "combine_codes", "filled", "id_numbers", "prefix_numbers"]

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
    return filled(frame[col].to_numpy(dtype=object))


def filled(values: np.ndarray) -> np.ndarray:
    """``values`` with '' for missing ones (all text is checked for in one pass)."""
    if infer_dtype(values, skipna=False) in ("string", "empty"):
        return values
    missing = pd.isna(values)
    return np.where(missing, "", values) if missing.any() else values


class _Columns(Mapping[str, np.ndarray]):
    """Columns made on first use (most steps read only a few)."""

    def __init__(self, makers: dict[str, Callable[[], np.ndarray]]) -> None:
        self._makers = makers
        self._made: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        hit = self._made.get(name)
        if hit is None:
            hit = self._made[name] = self._makers[name]()
        return hit

    def __contains__(self, name: object) -> bool:
        return name in self._makers

    def __iter__(self) -> Iterator[str]:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)


class Records:
    """The combined records of both sides (field rows first, then system rows).

    Each side's columns are kept apart and made on first use; ``take`` reads
    rows by combined position, ``full`` a whole column (made for the call,
    kept only for the small ID-kind columns), ``codes`` integer codes of a
    column's values over both sides.
    """

    _KEEP = frozenset({"id_kind", "birth_weak"})

    def __init__(self, parts: list[Mapping[str, np.ndarray]], sizes: list[int]) -> None:
        self.parts = parts
        self.sizes = sizes
        self.n = sum(sizes)
        self._full: dict[str, np.ndarray] = {}
        self._codes: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._derived: dict[str, np.ndarray] = {}

    @classmethod
    def from_sides(cls, field: pd.DataFrame, system: pd.DataFrame) -> Records:
        def side(frame: pd.DataFrame) -> _Columns:
            def text(col: str) -> Callable[[], np.ndarray]:
                return lambda: _text(frame, col)

            def sex() -> np.ndarray:
                sex = filled(frame["sex"].to_numpy(dtype=object))
                return np.where(sex != "", sex, filled(frame["id_sex"].to_numpy(dtype=object)))

            def birth_weak() -> np.ndarray:
                # a birth date read from a mistyped or damaged ID may carry the typo
                weak = (IdKind.INVALID, IdKind.DAMAGED, IdKind.SUSPECT)
                return frame["id_kind"].isin(weak).to_numpy(dtype=bool) & frame[
                    "birth_from_id"
                ].astype(bool).to_numpy(dtype=bool)

            makers = {col: text(col) for col in (*REC_COLS, *MORE_COLS)}
            makers["sex_eff"] = sex
            makers["birth_weak"] = birth_weak
            return _Columns(makers)

        return cls([side(field), side(system)], [len(field), len(system)])

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Records:
        """Records of a frame that already has the matcher's columns."""
        cols = {c: _text(frame, c) for c in frame.columns if c != "birth_weak"}
        if "birth_weak" in frame:
            cols["birth_weak"] = frame["birth_weak"].to_numpy(dtype=bool)
        return cls([cols], [len(frame)])

    def __len__(self) -> int:
        return self.n

    def __contains__(self, name: str) -> bool:
        return name in self.parts[0]

    def columns(self) -> list[str]:
        return list(self.parts[0])

    def full(self, name: str) -> np.ndarray:
        """A whole column over both sides."""
        hit = self._full.get(name)
        if hit is not None:
            return hit
        if len(self.parts) == 1:
            return self.parts[0][name]
        made = np.concatenate([p[name] for p in self.parts])
        if name in self._KEEP:
            self._full[name] = made
        return made

    def take(self, name: str, idx: np.ndarray) -> np.ndarray:
        """A column's values at combined positions ``idx``."""
        idx = np.asarray(idx, dtype=np.int64)
        first = self.parts[0][name]
        if len(self.parts) == 1 or not len(idx):
            return first[idx]
        nf = self.sizes[0]
        second = self.parts[1][name]
        if idx.max() < nf:
            return first[idx]
        if idx.min() >= nf:
            return second[idx - nf]
        out = np.empty(len(idx), dtype=first.dtype)
        mine = idx < nf
        out[mine] = first[idx[mine]]
        out[~mine] = second[idx[~mine] - nf]
        return out

    def value(self, name: str, i: int) -> Any:
        """One value at combined position ``i``."""
        nf = self.sizes[0]
        return self.parts[0][name][i] if i < nf else self.parts[1][name][i - nf]

    def codes(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(codes, uniques) of a text column over every row; '' is -1."""
        hit = self._codes.get(name)
        if hit is None:
            codes, uniques = pd.factorize(self.full(name))
            uniques = np.asarray(uniques, dtype=object)
            empty = np.flatnonzero(uniques == "")
            codes = codes.astype(np.int32 if len(uniques) < 2**31 - 1 else np.int64)
            if len(empty):
                e = int(empty[0])
                codes[codes == e] = -1
                codes[codes > e] -= 1
                uniques = np.delete(uniques, e)
            hit = self._codes[name] = (codes, uniques)
        return hit

    def derived(self, name: str, make: Callable[[Records], np.ndarray]) -> np.ndarray:
        """A per-row array made once (``make`` is called with these records)."""
        hit = self._derived.get(name)
        if hit is None:
            hit = self._derived[name] = make(self)
        return hit

    def id_keys(self) -> np.ndarray:
        """One int64 per row's ID (equal IDs, equal keys; -1 where there is none)."""
        return self.derived("id#", lambda r: id_numbers(r.full("id")))

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
        return name in self.recs

    def __iter__(self) -> Iterator[str]:
        return iter(self.recs.columns())

    def __getitem__(self, name: str) -> pd.Series:
        values = self.recs.take(name, self.idx)
        return pd.Series(values, dtype=values.dtype)


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


_OTHER = 2 * 10**18  # numbers of IDs that are not 17 digits and a check character


def id_numbers(values: np.ndarray) -> np.ndarray:
    """One int64 per ID text (equal texts, equal numbers; '' is -1).

    17 digits and a check character are read as a number (the check as 0-10);
    any other text gets a number of its own above ``_OTHER``.
    """
    out = np.full(len(values), -1, dtype=np.int64)
    if not len(values):
        return out
    text = pa.array(values, type=pa.string(), from_pandas=True)
    # texts of 18 bytes, read as rows of an 18-column byte matrix
    size = pc.fill_null(pc.binary_length(text), 0).to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(size == 18)
    good = np.zeros(len(values), dtype=bool)
    if len(rows):
        sub = text.filter(pa.array(size == 18))
        offsets = np.frombuffer(sub.buffers()[1], dtype=np.int32)[: len(sub) + 1]
        data = np.frombuffer(sub.buffers()[2], dtype=np.uint8)
        raw = data[offsets[0] : offsets[0] + 18 * len(sub)].reshape(-1, 18)
        # column by column (no byte matrix copied): '0'-'9' are 0-9, 'X' is 40
        number = np.zeros(len(sub), dtype=np.int64)
        ok = np.ones(len(sub), dtype=bool)
        for k in range(17):
            digit = raw[:, k] - np.uint8(48)
            ok &= digit <= 9
            number *= 10
            number += digit
        last = raw[:, 17] - np.uint8(48)
        ok &= (last <= 9) | (last == 40)
        number *= 11
        number += np.where(last == 40, 10, last)
        out[rows[ok]] = number[ok]
        good[rows[ok]] = True
    rest = np.flatnonzero(~good & (size > 0))
    if len(rest):
        out[rest] = _OTHER + pd.factorize(values[rest])[0]
    return out


def prefix_numbers(values: np.ndarray, size: int) -> np.ndarray:
    """One int64 per text's first ``size`` characters (-1 if it is shorter).

    Digits are read as a number; other prefixes get numbers above ``_OTHER``.
    """
    out = np.full(len(values), -1, dtype=np.int64)
    if not len(values):
        return out
    text = pa.array(values, type=pa.string(), from_pandas=True)
    long_enough = pc.fill_null(pc.greater_equal(pc.utf8_length(text), size), False)
    head = pc.utf8_slice_codeunits(text, 0, size)
    digits = pc.fill_null(pc.and_(long_enough, pc.utf8_is_digit(head)), False)
    # utf8_is_digit takes other scripts' digits too: only ASCII ones are read
    ascii_ = pc.fill_null(pc.match_substring_regex(head, r"^[0-9]*$"), False)
    digits = pc.and_(digits, ascii_)
    digits_np = digits.to_numpy(zero_copy_only=False)
    if digits_np.any():
        out[digits_np] = pc.cast(head.filter(digits), pa.int64()).to_numpy()
    rest = np.flatnonzero(long_enough.to_numpy(zero_copy_only=False) & ~digits_np)
    if len(rest):
        cut = np.asarray(head.take(pa.array(rest)).to_pylist(), dtype=object)
        out[rest] = _OTHER + pd.factorize(cut)[0]
    return out

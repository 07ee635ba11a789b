"""Noise machinery shared by the field and system sides.

Slips are applied to exactly ``round(share * rows)`` rows chosen at random,
so small streets stay close to the spec, and each applied slip is recorded
as a label in the row's ``noise`` column.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from recon.sample._text import homophone_slip, id_swap, id_typo, obj, stray_space


class Tags:
    """Noise labels per row, accumulated as ';label' and joined at the end."""

    def __init__(self, n: int) -> None:
        self.values = obj([""] * n)

    def add(self, idx: np.ndarray, label: str | np.ndarray) -> None:
        if len(idx):
            self.values[idx] = self.values[idx] + ";" + label

    def done(self) -> np.ndarray:
        return obj([v[1:] for v in self.values.tolist()])


@lru_cache(maxsize=1)
def _s2t() -> Any:
    import opencc

    return opencc.OpenCC("s2t")


def to_traditional(text: str) -> str:
    """Simplified -> traditional characters (OpenCC s2t)."""
    return str(_s2t().convert(text))


def take(perm: np.ndarray, share: float, n_total: int, start: int) -> tuple[np.ndarray, int]:
    """The next ``round(share * n_total)`` entries of a permutation."""
    k = min(round(share * n_total), len(perm) - start)
    return np.sort(perm[start : start + k]), start + k


def name_slips(
    names: np.ndarray,
    surnames: np.ndarray,
    rows: np.ndarray,
    shares: tuple[float, float, float],
    n_total: int,
    tags: Tags,
    rng: np.random.Generator,
) -> None:
    """Homophone, traditional and stray-space slips on disjoint rows (in place)."""
    k_homo, k_trad, k_space = (round(s * n_total) for s in shares)
    perm = rng.permutation(rows)
    picks = rng.integers(0, 1 << 30, size=len(perm))
    found: dict[str, list[int]] = {"name_homophone": [], "name_trad": [], "name_space": []}
    for i, pick in zip(perm.tolist(), picks.tolist(), strict=True):
        name, surname = names[i], surnames[i]
        if len(found["name_homophone"]) < k_homo:
            slip = homophone_slip(name[len(surname) :], pick)
            if slip is not None:
                names[i] = surname + slip
                found["name_homophone"].append(i)
                continue
        if len(found["name_trad"]) < k_trad:
            trad = to_traditional(name)
            if trad != name:
                names[i] = trad
                found["name_trad"].append(i)
                continue
        if len(found["name_space"]) < k_space:
            names[i] = stray_space(name, pick)
            found["name_space"].append(i)
            continue
        if all(
            len(found[k]) >= want for k, want in zip(found, (k_homo, k_trad, k_space), strict=True)
        ):
            break
    for label, idx in found.items():
        tags.add(np.array(sorted(idx), dtype=np.int64), label)


def id_typos(ids: np.ndarray, idx: np.ndarray, rng: np.random.Generator) -> None:
    """One wrong character in each of ``ids[idx]`` (in place)."""
    if len(idx):
        pos = rng.integers(0, 18, size=len(idx))
        ids[idx] = obj(id_typo(ids[idx].tolist(), pos, rng.integers(0, 90, size=len(idx))))


def id_swaps(ids: np.ndarray, idx: np.ndarray, rng: np.random.Generator) -> None:
    """Two adjacent different characters swapped in each of ``ids[idx]`` (in place)."""
    if len(idx):
        ids[idx] = obj(id_swap(ids[idx].tolist(), rng.integers(0, 17, size=len(idx))))

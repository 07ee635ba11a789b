"""One OpenCC traditional -> simplified converter for the whole process."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

__all__ = ["simplified", "simplified_many", "t2s"]


@lru_cache(maxsize=1)
def t2s() -> Any:
    """The shared converter (loading its dictionaries costs ~50 ms once)."""
    import opencc

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """``text`` in simplified characters, converted until it no longer changes.

    OpenCC's t2s is not idempotent for a few characters (薴 -> 苧 -> 苎): keys
    must be a fixed point, so that two spellings of one name meet.
    """
    convert = t2s().convert
    for _ in range(4):
        new = convert(text)
        if new == text:
            break
        text = new
    return text


# joins the texts of one conversion: no dictionary entry holds a line break,
# so OpenCC's longest-match segments never cross one and each line converts
# as it would alone
_SEP = "\n"


# texts per OpenCC call: the per-call cost is gone long before this, and the
# joined text and its split copy stay small whatever the column's size
BATCH = 20_000


def simplified_many(texts: list[str]) -> list[str]:
    """:func:`simplified` of each text, the texts converted together (one
    call into OpenCC per round and batch instead of one per text)."""
    out: list[str] = []
    for k in range(0, len(texts), BATCH):
        out.extend(_simplified_batch(texts[k : k + BATCH]))
    return out


def _simplified_batch(texts: list[str]) -> list[str]:
    import numpy as np

    joined = _SEP.join(texts)
    if joined.count(_SEP) != max(len(texts) - 1, 0):  # a text holds a line break
        return [simplified(t) for t in texts]
    convert = t2s().convert
    out = np.asarray(texts, dtype=object)
    todo = np.arange(len(texts))
    for _ in range(4):
        if not len(todo):
            break
        new = np.asarray(convert(joined).split(_SEP), dtype=object)
        if len(new) != len(todo):  # never seen; the one-by-one path then
            return [simplified(t) for t in texts]
        changed = np.flatnonzero(new != out[todo])
        todo = todo[changed]
        out[todo] = new[changed]
        joined = _SEP.join(out[todo].tolist())
    return out.tolist()

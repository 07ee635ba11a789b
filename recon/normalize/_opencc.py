"""One OpenCC traditional -> simplified converter for the whole process."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

__all__ = ["simplified", "t2s"]


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

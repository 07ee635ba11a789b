"""One OpenCC traditional -> simplified converter for the whole process."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

__all__ = ["t2s"]


@lru_cache(maxsize=1)
def t2s() -> Any:
    """The shared converter (loading its dictionaries costs ~50 ms once)."""
    import opencc

    return opencc.OpenCC("t2s")

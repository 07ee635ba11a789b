"""CSV files for scripts and checks: UTF-8 with a BOM, injection-safe."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["neutralise", "write_csv"]

# A cell a spreadsheet would read as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(values: pd.Series) -> pd.Series:
    """Prefix text that a spreadsheet would take for a formula with a quote.

    Only text columns are touched; a number such as -3.5 stays a number.
    """
    text = values.astype(str)
    risky = text.str.startswith(_FORMULA_START)
    if not risky.any():
        return values
    return text.mask(risky, "'" + text)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path`` (UTF-8 with BOM, header line, no index)."""
    safe = frame.copy()
    for col in safe.columns:
        if safe[col].dtype == object or pd.api.types.is_string_dtype(safe[col]):
            safe[col] = neutralise(safe[col].fillna(""))
    safe.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")

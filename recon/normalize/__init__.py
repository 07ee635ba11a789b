"""Normalisers: pure functions from messy cell text to comparable keys."""

from recon.normalize.ids import (
    ID_COLUMNS,
    IdInfo,
    IdKind,
    check_char,
    check_chars,
    normalize_ids,
    parse_id,
    repair_candidates,
    upgrade_15,
)

__all__ = [
    "ID_COLUMNS",
    "IdInfo",
    "IdKind",
    "check_char",
    "check_chars",
    "normalize_ids",
    "parse_id",
    "repair_candidates",
    "upgrade_15",
]

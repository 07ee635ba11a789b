"""Registers: what differs between the 来沪人员 register and the 人户分离 list.

A run works on one register, picked once (``get_mode(name)``) by the
pipeline. The mode object supplies everything that differs -- the evidence
the engine compares, how results are classified, the result workbook's own
sheets, the worklists printed for visits, the summary's extra counts and the
labels a clerk reads -- so that no other module asks "which register is
this?" by looking for a DataFrame column.
"""

from __future__ import annotations

from typing import Any

from recon.errors import UsageError
from recon.modes._base import Mode
from recon.modes._resident import RESIDENT
from recon.modes._separation import SEPARATION
from recon.modes._separation_sheets import SEP_FORM

__all__ = ["MODES", "RESIDENT", "SEPARATION", "SEP_FORM", "Mode", "get_mode", "mode_of"]

MODES: dict[str, Mode] = {m.name: m for m in (RESIDENT, SEPARATION)}


def get_mode(name: str | None) -> Mode:
    """The mode called ``name`` ("" or None: 来沪人员); UsageError for an unknown name."""
    mode = MODES.get(name or "")
    if mode is None:
        others = "、".join(n for n in MODES if n)
        raise UsageError(f"不认识的核对类型：{name}", hint=f"可选：{others}（不写则为来沪人员）")
    return mode


def mode_of(summary: dict[str, Any]) -> Mode:
    """The mode a result folder was made in (from its summary.json)."""
    return get_mode(str(summary.get("mode", "") or ""))

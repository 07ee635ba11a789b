"""来沪人员 (the 暂住人口 register): the default mode."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from recon.modes._base import Mode
from recon.worklists import Worklists, write_worklists
from recon.writers.match_outputs import csv_view, write_resident_sheets

if TYPE_CHECKING:
    import pandas as pd

    from recon.matchers import MatchResult
    from recon.rules import OutputRules
    from recon.writers import WorkbookWriter

__all__ = ["RESIDENT", "ResidentMode"]


class ResidentMode(Mode):
    def write_sheets(
        self,
        wb: WorkbookWriter,
        result: MatchResult,
        tables: dict[str, pd.DataFrame],
        notes: list[str],
    ) -> None:
        write_resident_sheets(wb, result, tables, notes)

    def write_worklists(
        self,
        result: MatchResult,
        tables: dict[str, pd.DataFrame],
        out: Path,
        output: OutputRules,
    ) -> Worklists:
        return write_worklists(
            csv_view(tables["system_only"]), csv_view(tables["review"]), out, output
        )


RESIDENT = ResidentMode(name="", label="来沪人员")

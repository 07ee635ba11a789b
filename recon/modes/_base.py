"""The mode interface and the registry of modes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from recon.matchers import MatchResult
    from recon.rules import OutputRules
    from recon.worklists import Worklists
    from recon.writers import WorkbookWriter

__all__ = ["Mode"]


@dataclass(frozen=True)
class Mode:
    """One register. Subclasses override what differs; the defaults are the
    plain 来沪人员 behaviour."""

    name: str  # as written after --mode ("" for the default register)
    label: str  # Chinese name of the register
    # the engine also compares (and blocks on) the hukou flat
    household: bool = False
    # record columns the mode adds, carried from the records into the tables
    pair_columns: tuple[str, ...] = ()  # from the field row onto each matched pair
    field_only_columns: tuple[str, ...] = ()
    system_only_columns: tuple[str, ...] = ()
    # matches.csv keeps the hukou addresses (they decide this register's outcomes)
    hukou_in_matches: bool = False
    # outcome labels that read differently in this register
    outcome_labels: dict[str, str] = field(default_factory=dict)
    # later commands that work on this register's results
    audits: bool = True  # recon audit / sample / progress
    regenerates_worklists: bool = True  # recon worklist
    # what the CLI says when the visit list was too long for a PDF
    pdf_hint: str = "需要时用 recon worklist 结果文件夹 生成"

    def classify(self, result: MatchResult) -> MatchResult:
        """The register's own outcomes on top of the engine's."""
        return result

    def summary(self, result: MatchResult) -> dict[str, Any]:
        """Extra items of summary.json."""
        return {}

    def write_sheets(
        self,
        wb: WorkbookWriter,
        result: MatchResult,
        tables: dict[str, pd.DataFrame],
        notes: list[str],
    ) -> None:
        """The result workbook's sheets before the common ones (review, duplicates, problems)."""
        raise NotImplementedError

    def write_worklists(
        self,
        result: MatchResult,
        tables: dict[str, pd.DataFrame],
        out: Path,
        output: OutputRules,
    ) -> Worklists:
        """The sheets printed for visits, written into ``out``."""
        raise NotImplementedError

    def summary_rows(self, summary: dict[str, Any]) -> list[tuple[str, int]]:
        """Extra (label, count) lines of the terminal summary."""
        return []

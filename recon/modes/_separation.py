"""人户分离: the separation list checked both ways (see ``recon.separation``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from recon.modes._base import Mode
from recon.modes._separation_sheets import (
    separation_visits,
    write_forms,
    write_separation_pdfs,
    write_separation_sheets,
    write_separation_worklist,
)
from recon.resultdir import REVIEW_WORKBOOK, SEP_FORMS_WORKBOOK, SEP_PDF_FOLDER, SEP_WORKLIST
from recon.separation import MODE, SEP_LABELS, classify_separation
from recon.worklists import Worklists, review_frame, write_review_workbook
from recon.writers.match_outputs import csv_view, write_differences_sheet

if TYPE_CHECKING:
    import pandas as pd

    from recon.matchers import MatchResult
    from recon.rules import OutputRules
    from recon.writers import WorkbookWriter

__all__ = ["SEPARATION", "SeparationMode"]


class SeparationMode(Mode):
    def classify(self, result: MatchResult) -> MatchResult:
        return classify_separation(result)

    def summary(self, result: MatchResult) -> dict[str, Any]:
        counts = result.field["separation"].value_counts()
        return {"mode": MODE, "separation": {str(k): int(v) for k, v in counts.items() if k}}

    def summary_rows(self, summary: dict[str, Any]) -> list[tuple[str, int]]:
        found = summary.get("separation", {})
        return [
            (f"人户分离：{label}", int(found[code]))
            for code, label in SEP_LABELS.items()
            if found.get(code)
        ]

    def write_sheets(
        self,
        wb: WorkbookWriter,
        result: MatchResult,
        tables: dict[str, pd.DataFrame],
        notes: list[str],
    ) -> None:
        write_separation_sheets(wb, result, tables, notes)
        write_differences_sheet(wb, tables)

    def write_worklists(
        self,
        result: MatchResult,
        tables: dict[str, pd.DataFrame],
        out: Path,
        output: OutputRules,
    ) -> Worklists:
        """人户分离核查单 (everyone on the list), the prefilled 采集表, 待人工确认单."""
        visits = separation_visits(result)
        write_separation_worklist(visits, out / SEP_WORKLIST, output)
        want_pdf = len(visits) <= output.pdf_max_rows
        pdfs = (
            write_separation_pdfs(visits, out / SEP_PDF_FOLDER, output)
            if want_pdf and len(visits)
            else []
        )
        write_forms(tables["field_only"], out / SEP_FORMS_WORKBOOK)
        pairs = review_frame(csv_view(tables["review"]))
        review_path = None
        if len(pairs):
            review_path = out / REVIEW_WORKBOOK
            write_review_workbook(pairs, review_path)
        return Worklists(
            visit_workbook=out / SEP_WORKLIST,
            pdfs=pdfs,
            review_workbook=review_path,
            visits=len(visits),
            reviews=len(pairs),
            pdf_skipped=not want_pdf and len(visits) > 0,
        )


SEPARATION = SeparationMode(
    name=MODE,
    label="人户分离",
    household=True,
    pair_columns=("separation", "sep_type"),
    field_only_columns=("separation", "sep_type", "form"),
    system_only_columns=("sep_type",),
    hukou_in_matches=True,
    outcome_labels={
        "field_only": "未登记的人户分离（待登记）",
        "system_only": "名单上未排查到（待核查）",
    },
    audits=False,
    regenerates_worklists=False,
    pdf_hint="请在 Excel/WPS 中打印核查单",
)

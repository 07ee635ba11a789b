"""Printing a form: a sheet per group, headings, boxes, blank lines, the record."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from recon.forms._spec import BLANK_BOX, FormSpec, RowKind
from recon.writers import Col, WorkbookWriter

__all__ = ["sheet_name", "write_form"]


def sheet_name(group: str, used: set[str], empty: str = "未识别居委") -> str:
    """A valid, unique Excel sheet name for a group (a 居委)."""
    name = re.sub(r"[\[\]:*?/\\]", "", group or empty)[:28] or empty
    candidate, n = name, 2
    while candidate in used:
        candidate, n = f"{name}{n}", n + 1
    used.add(candidate)
    return candidate


def write_form(
    spec: FormSpec,
    groups: Iterable[tuple[str, pd.DataFrame]],
    records: pd.DataFrame,
    path: Path,
    hidden: dict[str, pd.DataFrame] | None = None,
) -> None:
    """Write ``spec`` to ``path``: one sheet per (group, rows).

    ``rows`` holds the form's column keys and ``_kind`` (:class:`RowKind`);
    person lines get empty boxes. ``records`` is the hidden record sheet
    (its first column the key); ``hidden`` any further hidden sheets.
    """
    cols = [Col(c.key, c.header, c.width, "check" if c.tick else c.kind) for c in spec.columns]
    keys = [c.key for c in spec.columns]
    wb = WorkbookWriter(path)
    try:
        used: set[str] = set()
        for group, rows in groups:
            frame = rows.reindex(columns=[*keys, "_kind"]).astype(object)
            frame = frame.where(frame.notna(), "")
            kind = frame["_kind"].astype(str).to_numpy()
            for c in spec.columns:
                if c.tick:
                    frame[c.key] = np.where(kind == RowKind.PERSON, BLANK_BOX, "")
            shown = str(group) or "未识别居委"
            page = spec.centre.replace("&", "&&")
            wb.table(
                sheet_name(shown, used),
                frame,
                cols,
                title=spec.title.format(group=shown),
                notes=[spec.notes] if spec.notes else None,
                row_format=np.where(kind == RowKind.HEADING, "heading", ""),
                row_height=np.where(kind == RowKind.BLANK, spec.blank_height, 0.0),
                page_header=(
                    f'&L&"宋体,Bold"{shown.replace("&", "&&")}&C{page}&R第 &P 页 共 &N 页'
                ),
                page_footer=spec.footer,
                autofilter=False,
            )
        wb.hidden(spec.record_sheet, records.astype(object))
        for name, frame in (hidden or {}).items():
            wb.hidden(name, frame.astype(object))
    finally:
        wb.close()

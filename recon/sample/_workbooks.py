"""Field workbooks, one per 居委, in the templates of ``_templates``.

A sheet is first planned (which Excel row holds the title, the header, each
data record, the 合计 row) and then rendered by openpyxl (.xlsx) or xlwt
(.xls); the truth comes from the plan, so it cannot drift from the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from recon.sample._pools import INSTRUCTIONS
from recon.sample._spec import Street
from recon.sample._templates import TEMPLATES, Template

_MAX_ROWS = {"xls": 65_536, "xlsx": 1_048_576}
_WIDTHS = {
    "id_number": 22,
    "address": 30,
    "hukou_address": 36,
    "phone": 14,
    "collected_on": 14,
    "arrived_on": 14,
}


@dataclass
class SheetPlan:
    """Where everything goes on one sheet (Excel row numbers, 1-based; 0 = none)."""

    name: str
    records: np.ndarray  # indices into Street.field, in row order
    rows: np.ndarray  # the Excel row of each record
    title_row: int = 0
    info_row: int = 0
    group_row: int = 0
    header_row: int = 0
    total_row: int = 0


def _plan_sheet(
    name: str, records: np.ndarray, template: Template, rng: np.random.Generator
) -> SheetPlan:
    plan = SheetPlan(name=name, records=records, rows=np.zeros(0, np.int64))
    r = 1
    if template.title:
        plan.title_row, r = r, r + 1
    if template.info_row:
        plan.info_row, r = r, r + 2  # the info row, then a blank row
    if template.groups:
        plan.group_row, r = r, r + 1
    plan.header_row, r = r, r + 1
    n = len(records)
    gaps = np.zeros(n, dtype=np.int64)
    if template.blank_rows and n > 1:
        gap = rng.random(n) < 0.04
        gap[0] = False
        gaps[gap] = rng.integers(1, 3, size=gap.sum())
    plan.rows = r + np.arange(n, dtype=np.int64) + np.cumsum(gaps)
    if template.total_row:
        plan.total_row = int(plan.rows[-1]) + 1 if n else r
    return plan


def _plan_workbook(
    records: np.ndarray, collectors: np.ndarray, template: Template, rng: np.random.Generator
) -> list[SheetPlan]:
    """Sheets of one workbook: one per collector (T5) or one, split at the row limit."""
    if template.per_collector and len(records):
        names = list(dict.fromkeys(collectors.tolist()))
        groups = [(name, records[collectors == name]) for name in names]
    else:
        groups = [(template.sheet, records)]
    limit = _MAX_ROWS["xls" if template.xls else "xlsx"] - 10
    plans = []
    for name, recs in groups:
        chunks = [recs[i : i + limit] for i in range(0, max(len(recs), 1), limit)]
        for k, chunk in enumerate(chunks):
            sheet = name if k == 0 else f"{name}({k + 1})"
            plans.append(_plan_sheet(sheet, chunk, template, rng))
    return plans


def _cell_values(
    field: pd.DataFrame, plan: SheetPlan, template: Template, date_cells: bool
) -> list[list[Any]]:
    """The values of each data row, typed as they sit in the cells."""
    sub = field.iloc[plan.records]
    columns = []
    for key, _header in template.columns:
        if key == "serial":
            columns.append(list(range(1, len(sub) + 1)))
            continue
        values: list[Any] = [v if v != "" else None for v in sub[key].tolist()]
        if key == "id_number":
            numeric = sub["id_is_number"].tolist()
            values = [int(v) if num else v for v, num in zip(values, numeric, strict=True)]
        elif key in ("collected_on", "arrived_on") and date_cells:
            values = [dt.date.fromisoformat(v) if v else None for v in values]
        elif key in ("sex", "phone") and template.numeric_codes:
            values = [int(v) if v is not None and v.isdigit() else v for v in values]
        columns.append(values)
    return [list(row) for row in zip(*columns, strict=True)]


def _info_text(committee: str, collectors: str) -> str:
    return f"居委：{committee}    采集人：{collectors}    日期：2023年5月"


def _write_xlsx(
    path: Path, rows: pd.DataFrame, c: pd.Series, template: Template, plans: list[SheetPlan]
) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.properties.creator = "recon sample"
    wb.properties.created = dt.datetime(2023, 6, 1, 9, 0, 0)
    first = wb.active
    assert first is not None
    if template.instructions:
        first.title = "填表说明"
        for line in INSTRUCTIONS:
            first.append([line])
        first.column_dimensions["A"].width = 80
        first = None
    ncol = len(template.columns)
    date_cells = c["date_style"] == "excel"
    for plan in plans:
        ws = first if first is not None else wb.create_sheet()
        first = None
        ws.title = plan.name
        values = _cell_values(rows, plan, template, date_cells)
        merges = []
        row = 0
        lines: list[tuple[int, list[Any]]] = []
        if plan.title_row:
            lines.append((plan.title_row, [template.title.format(c=c["committee"])]))
            merges.append((plan.title_row, 1, ncol))
        if plan.info_row:
            lines.append((plan.info_row, [_info_text(c["committee"], c["collectors"])]))
            merges.append((plan.info_row, 1, ncol))
        if plan.group_row:
            start = 1
            cells: list[Any] = []
            for label, span in template.groups:
                cells += [label] + [None] * (span - 1)
                merges.append((plan.group_row, start, start + span - 1))
                start += span
            lines.append((plan.group_row, cells))
        lines.append((plan.header_row, [h for _k, h in template.columns]))
        lines += list(zip(plan.rows.tolist(), values, strict=True))
        if plan.total_row:
            lines.append((plan.total_row, ["合计", f"共{len(plan.records)}人"]))
        for r, cells in lines:
            while row < r - 1:
                ws.append([])
                row += 1
            ws.append(cells)
            row += 1
        bold = Font(bold=True)
        for cell in ws[plan.header_row]:
            cell.font = bold
        if plan.title_row:
            title = ws.cell(plan.title_row, 1)
            title.font = Font(bold=True, size=14)
            title.alignment = Alignment(horizontal="center")
        for r, c1, c2 in merges:
            if c2 > c1:
                ws.merge_cells(start_row=r, start_column=c1, end_row=r, end_column=c2)
        for j, (key, _h) in enumerate(template.columns, start=1):
            ws.column_dimensions[get_column_letter(j)].width = _WIDTHS.get(key, 10)
    wb.save(path)


def _write_xls(
    path: Path, rows: pd.DataFrame, c: pd.Series, template: Template, plans: list[SheetPlan]
) -> None:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    title_style = xlwt.easyxf("font: bold on, height 280; align: horiz center")
    header_style = xlwt.easyxf("font: bold on")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    plain = xlwt.Style.default_style
    ncol = len(template.columns)
    date_cells = c["date_style"] == "excel"
    for plan in plans:
        ws = wb.add_sheet(plan.name)
        if plan.title_row:
            text = template.title.format(c=c["committee"])
            ws.write_merge(plan.title_row - 1, plan.title_row - 1, 0, ncol - 1, text, title_style)
        for j, (key, header) in enumerate(template.columns):
            ws.write(plan.header_row - 1, j, header, header_style)
            ws.col(j).width = 256 * _WIDTHS.get(key, 10)
        values = _cell_values(rows, plan, template, date_cells)
        for r, cells in zip(plan.rows.tolist(), values, strict=True):
            for j, v in enumerate(cells):
                if v is not None:
                    ws.write(r - 1, j, v, date_style if isinstance(v, dt.date) else plain)
        if plan.total_row:
            ws.write(plan.total_row - 1, 0, "合计")
            ws.write(plan.total_row - 1, 1, f"共{len(plan.records)}人")
    wb.save(str(path))


def write_workbooks(street: Street, field_dir: Path) -> tuple[list[Path], pd.DataFrame]:
    """One workbook per 居委; returns the files and the truth of their data rows."""
    return write_committee_books(
        street.field,
        street.committees,
        field_dir,
        TEMPLATES,
        "来沪人员信息采集表",
        street.spec.seed,
        7,
    )


def write_committee_books(
    rows: pd.DataFrame,
    committees: pd.DataFrame,
    folder: Path,
    templates: Mapping[str, Template],
    stem: str,
    seed: int,
    salt: int,
) -> tuple[list[Path], pd.DataFrame]:
    """One workbook per 居委 of ``rows`` (field-like rows with ``committee``, ``collector``).

    ``committees`` gives each 居委's ``template`` (a key of ``templates``),
    ``collectors`` and ``date_style``; an optional ``label`` column is the
    name shown in titles, info rows and file names (``{label}{stem}.xlsx``),
    else the 居委 name. Layout randomness comes from ``[seed, k, salt]``.
    Returns the files and the truth of their data rows (``file``, ``sheet``,
    ``row``, ``record`` = index into ``rows``).
    """
    committee = rows["committee"].to_numpy()
    collectors = rows["collector"].to_numpy()
    files: list[Path] = []
    truth: list[pd.DataFrame] = []
    for k, (_i, c) in enumerate(committees.iterrows()):
        template = templates[c["template"]]
        rng = np.random.default_rng([seed, k, salt])
        records = np.flatnonzero(committee == c["committee"])
        plans = _plan_workbook(records, collectors[records], template, rng)
        shown = c.copy()
        if "label" in c:
            shown["committee"] = c["label"]
        path = folder / f"{shown['committee']}{stem}{'.xls' if template.xls else '.xlsx'}"
        if template.xls:
            _write_xls(path, rows, shown, template, plans)
        else:
            _write_xlsx(path, rows, shown, template, plans)
        files.append(path)
        for plan in plans:
            truth.append(
                pd.DataFrame(
                    {
                        "file": path.name,
                        "sheet": plan.name,
                        "row": plan.rows,
                        "record": plan.records,
                    }
                )
            )
    return files, pd.concat(truth, ignore_index=True) if truth else pd.DataFrame()

"""Workbooks for people: text cells for IDs, frozen headers, ready to print.

Written with xlsxwriter in constant-memory mode: rows stream to disk, so a
sheet of a hundred thousand rows costs little memory. Every text cell is
written with ``write_string``, so nothing can ever become a live formula,
and ID and phone columns carry the text format "@" so that editing a cell in
Excel or WPS keeps it text.

Printing: a column's ``width`` is its minimum; the writer widens it to its
header and content (measured on a sample of rows, in column units: a Chinese
character counts two), up to a maximum beyond which the text wraps. ID and
phone columns always show 18 digits. Headers wrap and their row is as tall
as the longest; titles and notes are merged across the table; heading rows
(``row_format`` "heading", e.g. a building in a worklist) are merged across
and kept on the page of the rows that follow them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import xlsxwriter

from recon.writers._rows import PendingRows, inject_rows, placeholder

__all__ = [
    "LINE_HEIGHT",
    "PAD",
    "ROW_HEIGHT",
    "TITLE_HEIGHT",
    "Col",
    "WorkbookWriter",
    "display_units",
    "fit",
]


@dataclass(frozen=True)
class Col:
    """One column of an output sheet.

    ``width`` is the least width (Excel's column units); the writer widens
    the column to its header and content up to ``max_width`` (default: the
    width itself for wrapping columns, ``MAX_WIDTH`` for others) and wraps
    the text beyond.
    """

    key: str  # column of the frame
    header: str  # Chinese header
    width: float = 12
    kind: str = (
        "text"  # text | wrap | id (text, 18 digits always shown) | number | int | check | key
    )
    wrap: bool = False
    max_width: float | None = None


LINE_HEIGHT = (
    15.0  # points per line of the 10-point font (宋体 13.5; LibreOffice's CJK fallback 15)
)
ROW_HEIGHT = 15.0  # a row of one line
PAD = 2.0  # column units beside the text
# 18 digits of 10-point 宋体 need 17.2 units in Excel; in LibreOffice (Calibri's
# metrics, 宋体 replaced by DejaVu Sans) 19.5
ID_WIDTH = 21.0
MAX_WIDTH = 32.0  # a text column wider than this wraps
SAMPLE = 2000  # rows measured for a column's width (the head and an even spread)
TITLE_HEIGHT = 21.0
KEEP_WITH_HEADING = 2  # rows that must follow a heading on its page
# the page (A4 landscape, the margins of _print_setup), in points
PAGE_WIDTH = 841.89 - 0.8 * 72
PAGE_HEIGHT = 595.28 - 1.4 * 72
PAGE_SAFETY = 0.95  # of the page height used when placing page breaks ourselves


def display_units(values: Any) -> np.ndarray:
    """Width of each text in column units: a narrow character 1.1, a wide (CJK) one 2."""
    # UTF-8: ASCII is one byte, CJK three; a digit of 10-point 宋体 or its
    # stand-ins is up to 1.1 units wide, a CJK character up to 2
    if len(values) < 256:  # headers, titles, samples: no pandas round trip
        texts = ["" if v is None or v is pd.NA or v is pd.NaT or v != v else str(v) for v in values]
        return np.array([1.1 * len(t) + 0.45 * (len(t.encode()) - len(t)) for t in texts])
    try:  # text (or missing) only: straight to arrow, in C
        text = pa.array(np.asarray(values, dtype=object), pa.string(), from_pandas=True)
        text = text.fill_null("")
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        shown = pd.Series(values, dtype=object).fillna("").astype(str)
        text = pa.array(shown.tolist(), pa.string())
    chars = pc.utf8_length(text).to_numpy(zero_copy_only=False).astype(float)
    raw = pc.binary_length(text).to_numpy(zero_copy_only=False).astype(float)
    return 1.1 * chars + 0.45 * (raw - chars)


def _number(value: Any) -> float:
    """``value`` as a number (NaN for none): one cell of a summary table."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    num = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return float(num) if num == num else math.nan


def _sample(values: np.ndarray) -> np.ndarray:
    n = len(values)
    if n <= SAMPLE:
        return values
    half = SAMPLE // 2
    spread = np.linspace(half, n - 1, half).astype(int)
    return np.concatenate([values[:half], values[spread]])


def _shown(values: np.ndarray, kind: str) -> np.ndarray:
    """The sample as the cells show it (numbers as formatted)."""
    if kind not in ("number", "int"):
        return values
    nums = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
    fmt = "{:.1f}" if kind == "number" else "{:.0f}"
    return np.array([fmt.format(v) if v == v else "" for v in nums.tolist()], dtype=object)


def header_need(header: str) -> float:
    """Least width for a header: on one line when short, else on two."""
    units = float(display_units([header])[0])
    return (units if units <= 8 else math.ceil(units / 2)) + PAD


def fit(c: Col, values: np.ndarray | None) -> Col:
    """``c`` with the width its header and (a sample of) its values need."""
    least = max(c.width, header_need(c.header))
    if c.kind == "id":
        least = max(least, ID_WIDTH)
    if values is None or not len(values) or c.kind in ("check", "key"):
        return replace(c, width=least)
    units = display_units(_shown(_sample(values), c.kind))
    need = float(units.max()) + PAD if len(units) else 0.0
    if c.kind in ("id", "number", "int"):  # never wrapped
        return replace(c, width=max(least, need))
    wraps = c.wrap or c.kind == "wrap"
    cap = max(least, c.max_width or (c.width if wraps else MAX_WIDTH))
    return replace(c, width=min(max(least, need), cap), wrap=wraps or need > cap)


def _lines(units: np.ndarray, width: float) -> np.ndarray:
    return np.maximum(1.0, np.ceil(units / max(width - PAD, 1.0)))


def _wrapped_heights(columns: list[np.ndarray], cols: list[Col]) -> np.ndarray:
    """Row heights that show every line of the wrapped cells.

    Excel and WPS do not re-measure rows of a file they did not write, so a
    wrapped address would be cut off. A row of one line keeps no height of
    its own (0): it grows when someone types more into it.
    """
    n = len(columns[0]) if columns else 0
    lines = np.ones(n)
    for values, c in zip(columns, cols, strict=True):
        if not (c.wrap or c.kind == "wrap") or not n:
            continue
        lines = np.maximum(lines, _lines(display_units(values), c.width))
    return np.where(lines > 1, lines * LINE_HEIGHT + 2, 0.0)


def _column_points(width: float) -> float:
    """A column's width on paper (Excel: 7 pixels a unit plus 5, at 96 dpi)."""
    pixels = int(width * 7 + 5) if width >= 1 else int(width * 12 + 0.5)
    return pixels * 0.75


def _fit_scale(widths: list[float]) -> float:
    """The print scale at which the columns fill the page width (never above 1)."""
    total = sum(_column_points(w) for w in widths)
    return min(1.0, math.floor(100 * PAGE_WIDTH / total) / 100) if total else 1.0


# A sheet that runs over one page by less than this share of a page is shrunk
# onto one page rather than printing a page that holds a line or two.
ONE_PAGE_SLACK = 0.25


def page_breaks(
    heights: np.ndarray, heading: np.ndarray, widths: list[float], repeated: float
) -> list[int]:
    """Rows (0-based, from the first data row) before which a page starts, such
    that no heading ends a page: a heading and the rows after it move to the
    next page together.

    The page holds ``PAGE_SAFETY`` of what fits at the fit-to-width scale, so
    that no program breaks a page earlier than we do.
    """
    room = PAGE_HEIGHT * PAGE_SAFETY / _fit_scale(widths) - repeated
    room = max(room, 3 * ROW_HEIGHT)
    heights = np.maximum(heights, ROW_HEIGHT)  # a row of its default height (0) holds one line
    breaks: list[int] = []
    used = 0.0
    n = len(heights)
    run_end = n  # the row after the run of headings the current one belongs to
    for i in range(n):
        h = float(heights[i])
        if heading[i]:
            if i >= run_end or i == 0 or not heading[i - 1]:
                run_end = i
                while run_end < n and heading[run_end]:
                    run_end += 1
            h = float(heights[i : run_end + KEEP_WITH_HEADING].sum())
        if used and used + h > room:
            breaks.append(i)
            used = 0.0
        used += float(heights[i])
    return breaks


def _spans(cols: list[Col], widths: list[float]) -> list[tuple[int, int]]:
    """The sheet columns (first, last) each of a table's columns covers, left to
    right: a text column takes as many as it needs, the last text column runs
    to the sheet's last column; a table as wide as the sheet takes one each."""
    spans: list[tuple[int, int]] = []
    at, total = 0, len(widths)
    for j, c in enumerate(cols):
        after = len(cols) - j - 1  # columns still to place
        end = at + 1
        if after == 0 and c.kind not in ("number", "int"):
            end = total
        elif c.kind not in ("number", "int"):
            while end < total - after and sum(widths[at:end]) < c.width:
                end += 1
        spans.append((at, end - 1))
        at = end
    return spans


class WorkbookWriter:
    """A thin layer over xlsxwriter that knows our sheet conventions."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._pending: list[
            tuple[
                int,
                int,
                int,
                list[np.ndarray],
                list[str],
                list[Any],
                np.ndarray | None,
                np.ndarray | None,
            ]
        ] = []
        self.book = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
        self.fmt = {
            "header": self.book.add_format(
                {
                    **base,
                    "bold": True,
                    "bg_color": "#DDEBF7",
                    "border": 1,
                    "text_wrap": True,
                    "align": "center",
                }
            ),
            "text": self.book.add_format({**base, "border": 1}),
            "wrap": self.book.add_format({**base, "border": 1, "text_wrap": True}),
            "id": self.book.add_format({**base, "border": 1, "num_format": "@"}),
            "number": self.book.add_format({**base, "border": 1, "num_format": "0.0"}),
            "int": self.book.add_format({**base, "border": 1, "num_format": "0"}),
            "title": self.book.add_format({**base, "bold": True, "font_size": 14}),
            "note": self.book.add_format(
                {**base, "italic": True, "font_color": "#595959", "text_wrap": True}
            ),
            "bold": self.book.add_format({**base, "bold": True, "border": 1}),
            "heading": self.book.add_format(
                {**base, "bold": True, "bg_color": "#F2F2F2", "border": 1}
            ),
            "check": self.book.add_format({**base, "border": 1, "align": "center"}),
            "key": self.book.add_format(
                {**base, "border": 1, "font_size": 7, "font_color": "#808080"}
            ),
            "blank": self.book.add_format({**base, "border": 1}),
            "block": self.book.add_format({**base, "bold": True, "font_size": 12}),
        }
        # every format's style index, fixed now: rows made column-wise (see
        # _rows.py) use formats no xlsxwriter call has touched, and formats
        # with equal properties share one index
        self.xf = {id(fmt): int(fmt._get_xf_index()) for fmt in self.fmt.values()}

    def _print_setup(
        self, ws: Any, title: str, header_row: int, page_header: str = "", page_footer: str = ""
    ) -> None:
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)  # all columns on the page width, as many pages as needed
        ws.repeat_rows(0, header_row)
        ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.7)
        safe = title.replace("&", "&&")
        ws.set_header(page_header or f'&L&"宋体,Bold"{safe}&R第 &P 页 共 &N 页')
        ws.set_footer(page_footer or "&L打印日期：&D&R核对人签名：____________")

    def _across(self, ws: Any, row: int, last: int, text: str, fmt: str) -> None:
        """``text`` in a cell merged over columns 0..last of ``row``."""
        if last > 0:
            ws.merge_range(row, 0, row, last, "", self.fmt[fmt])
        ws.write_string(row, 0, text, self.fmt[fmt])

    def _title_and_notes(
        self, ws: Any, title: str, notes: list[str], widths: list[float], row: int = 0
    ) -> tuple[int, float]:
        """Title and notes merged over the table's width; returns the next row
        and the height of the rows written."""
        last = len(widths) - 1
        height = 0.0
        if title:
            ws.set_row(row, TITLE_HEIGHT)
            self._across(ws, row, last, title, "title")
            row += 1
            height += TITLE_HEIGHT
        total = sum(widths)
        for note in notes:
            h = max(ROW_HEIGHT, float(_lines(display_units([note]), total)[0]) * LINE_HEIGHT + 3)
            ws.set_row(row, h)
            self._across(ws, row, last, note, "note")
            row += 1
            height += h
        return row, height

    def _header(self, ws: Any, row: int, cols: list[Col]) -> float:
        """The header row, as tall as its longest wrapped header; returns its height."""
        units = display_units([c.header for c in cols])
        lines = max(
            (float(_lines(units[j : j + 1], c.width)[0]) for j, c in enumerate(cols)), default=1.0
        )
        height = max(2 * ROW_HEIGHT, lines * LINE_HEIGHT + 6)
        ws.set_row(row, height)
        for j, c in enumerate(cols):
            ws.write_string(row, j, c.header, self.fmt["header"])
        return height

    def _column_format(self, c: Col) -> Any:
        return self.fmt[
            "wrap" if c.wrap or c.kind == "wrap" else c.kind if c.kind in self.fmt else "text"
        ]

    def table(
        self,
        name: str,
        frame: pd.DataFrame,
        cols: list[Col],
        title: str = "",
        notes: list[str] | None = None,
        max_rows: int | None = None,
        overflow_note: str = "",
        row_format: np.ndarray | None = None,
        row_height: np.ndarray | None = None,
        page_header: str = "",
        page_footer: str = "",
        autofilter: bool = True,
    ) -> None:
        """A sheet: optional title and notes, a header row, one row per record.

        ``row_format``: per row, a format name that overrides the columns'
        ("" for none), e.g. a building's heading line in a worklist: a
        "heading" row is merged from its text to the last column and never
        ends a page.
        """
        ws = self.book.add_worksheet(name)
        total = len(frame)
        shown = not (max_rows is not None and total > max_rows) and total > 0
        columns: list[np.ndarray] = []
        for c in cols:
            values = frame[c.key] if c.key in frame else pd.Series([""] * total)
            columns.append(values.to_numpy(dtype=object))
        body = slice(None)
        if row_format is not None:  # headings are merged across: not measured in a column
            body = np.asarray(row_format, dtype=object) != "heading"
        cols = [fit(c, v[body] if shown else None) for c, v in zip(cols, columns, strict=True)]
        widths = [c.width for c in cols]
        header_row, repeated = self._title_and_notes(ws, title, notes or [], widths)
        for j, c in enumerate(cols):
            ws.set_column(j, j, c.width, self._column_format(c))
        repeated += self._header(ws, header_row, cols)
        ws.freeze_panes(header_row + 1, 0)
        self._print_setup(ws, title or name, header_row, page_header, page_footer)
        if max_rows is not None and total > max_rows:
            ws.write_string(header_row + 1, 0, overflow_note.format(total=total), self.fmt["note"])
        elif total:
            # the rows themselves are made column-wise after closing (see _rows.py)
            key = len(self._pending)
            ws.write_string(header_row + 1, 0, placeholder(key), self.fmt["text"])
            if autofilter:
                ws.autofilter(header_row, 0, header_row + total, len(cols) - 1)
            kinds = ["number" if c.kind in ("number", "int") else "text" for c in cols]
            fmts = [self._column_format(c) for c in cols]
            heights = _wrapped_heights(columns, cols)
            if row_height is not None:
                heights = np.maximum(heights, np.asarray(row_height, dtype=float))
            if row_format is not None:
                formats = np.asarray(row_format, dtype=object)
                heading = formats == "heading"
                heights[heading] = 0.0
                self._headings(ws, header_row, columns, formats)
                self._keep_headings(ws, header_row, formats, heights, widths, repeated)
            index = len(self.book.worksheets())
            self._pending.append(
                (index, key, header_row + 1, columns, kinds, fmts, row_format, heights)
            )

    def _headings(
        self, ws: Any, header_row: int, columns: list[np.ndarray], row_format: np.ndarray
    ) -> None:
        """Merge each heading row from its text to the last column."""
        first, last = header_row + 1, len(columns) - 1
        for i in np.flatnonzero(row_format == "heading").tolist():
            filled = [j for j, v in enumerate(columns) if v[i] is not None and str(v[i]) != ""]
            if len(filled) == 1 and filled[0] < last:
                # the rows are injected after closing (_rows.py), so the range is
                # recorded the way merge_range records it, without writing cells
                ws.merge.append([first + i, filled[0], first + i, last])

    def _keep_headings(
        self,
        ws: Any,
        header_row: int,
        row_format: np.ndarray,
        heights: np.ndarray,
        widths: list[float],
        repeated: float,
    ) -> None:
        """Page breaks such that no heading row is the last line of a page."""
        heading = row_format == "heading"
        if heading.any():
            breaks = page_breaks(heights, heading, widths, repeated)
            ws.set_h_pagebreaks([header_row + 1 + b for b in breaks])

    def key_values(
        self,
        name: str,
        title: str,
        blocks: list[tuple[str, pd.DataFrame, list[Col]]],
        notes: list[str],
    ) -> None:
        """A summary sheet: a title, several small tables one under another,
        then the notes.

        The tables share the sheet's columns: each column is as wide as its
        widest table needs, and a table with fewer columns than the widest
        has its last column merged to the right edge (wrapping there), so
        that a long explanation does not widen the page.
        """
        ws = self.book.add_worksheet(name)
        span = max((len(cols) for _, _, cols in blocks), default=1)
        fitted = [
            [fit(c, frame[c.key].to_numpy(dtype=object) if c.key in frame else None) for c in cols]
            for _, frame, cols in blocks
        ]
        widths = [0.0] * span
        for cols in fitted:
            if len(cols) == span:
                widths = [max(w, c.width) for w, c in zip(widths, cols, strict=True)]
        widths = [w or 12.0 for w in widths]
        for cols in fitted:  # a narrower table that needs more room widens the last column
            need = sum(min(c.width, MAX_WIDTH) for c in cols)
            widths[-1] += max(0.0, need - sum(widths))
        for j, w in enumerate(widths):
            ws.set_column(j, j, w)
        row, height = self._title_and_notes(ws, title, [], widths)
        for (heading, frame, _), cols in zip(blocks, fitted, strict=True):
            row += 1
            ws.set_row(row, TITLE_HEIGHT)
            height += ROW_HEIGHT + TITLE_HEIGHT
            self._across(ws, row, span - 1, heading, "block")
            row += 1
            spans = _spans(cols, widths)
            room = [sum(widths[a : b + 1]) for a, b in spans]
            units = display_units([c.header for c in cols])
            lines = max(float(_lines(units[j : j + 1], room[j])[0]) for j in range(len(cols)))
            ws.set_row(row, max(ROW_HEIGHT + 5, lines * LINE_HEIGHT + 6))
            height += max(ROW_HEIGHT + 5, lines * LINE_HEIGHT + 6)
            for (a, b), c in zip(spans, cols, strict=True):
                self._cell(ws, row, a, b, c.header, "header")
            row += 1
            values = [frame[c.key].tolist() if c.key in frame else [""] * len(frame) for c in cols]
            for record in zip(*values, strict=True):
                texts = ["" if v is None else str(v) for v in record]
                lines = 1.0
                for j, (c, text) in enumerate(zip(cols, texts, strict=True)):
                    if c.kind not in ("number", "int"):
                        lines = max(lines, float(_lines(display_units([text]), room[j])[0]))
                ws.set_row(row, ROW_HEIGHT if lines <= 1 else lines * LINE_HEIGHT + 2)
                height += ROW_HEIGHT if lines <= 1 else lines * LINE_HEIGHT + 2
                for (a, b), c, v, text in zip(spans, cols, record, texts, strict=True):
                    if c.kind in ("number", "int"):
                        self._cell(ws, row, a, b, v, c.kind)
                    else:
                        self._cell(ws, row, a, b, text, "wrap" if lines > 1 else "text")
                row += 1
        row += 1
        height += ROW_HEIGHT + self._title_and_notes(ws, "", notes, widths, row)[1]
        ws.set_landscape()
        ws.set_paper(9)
        # the notes (or a last table row) alone on a second page: shrink onto one
        one_page = height <= PAGE_HEIGHT * PAGE_SAFETY / _fit_scale(widths) * (1 + ONE_PAGE_SLACK)
        ws.fit_to_pages(1, 1 if one_page else 0)
        ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.7)
        ws.set_header(f'&L&"宋体,Bold"{title.replace("&", "&&")}&R第 &P 页 共 &N 页')

    def _cell(self, ws: Any, row: int, first: int, last: int, value: Any, fmt: str) -> None:
        """One cell, merged over columns first..last."""
        if last > first:
            ws.merge_range(row, first, row, last, "", self.fmt[fmt])
        if fmt in ("number", "int"):
            num = _number(value)
            if num == num:
                ws.write_number(row, first, float(num), self.fmt[fmt])
        elif value or last == first:
            ws.write_string(row, first, value, self.fmt[fmt])

    def hidden(self, name: str, frame: pd.DataFrame) -> None:
        """A very hidden sheet of plain text rows (never printed, not shown)."""
        cols = [Col(str(c), str(c)) for c in frame.columns]
        self.table(name, frame, cols, autofilter=False)
        self.book.worksheets()[-1].very_hidden()

    def close(self) -> None:
        self.book.close()
        pending = []
        for index, key, first, columns, kinds, fmts, row_format, heights in self._pending:
            row_styles = None
            if row_format is not None:
                names = np.asarray(row_format, dtype=object)
                row_styles = np.full(len(names), -1, dtype=np.int64)
                for name in set(names.tolist()) - {""}:
                    row_styles[names == name] = self.xf[id(self.fmt[name])]
            styles = [self.xf[id(f)] for f in fmts]
            text_format = [f is self.fmt["id"] for f in fmts]  # "@" must hold in empty cells
            pending.append(
                PendingRows(
                    index, key, first, columns, kinds, styles, row_styles, heights, text_format
                )
            )
        inject_rows(self.path, pending)

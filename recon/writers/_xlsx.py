"""Workbooks for people: text cells for IDs, frozen headers, ready to print.

Written with xlsxwriter in constant-memory mode: rows stream to disk, so a
sheet of a hundred thousand rows costs little memory. Every text cell is
written with ``write_string``, so nothing can ever become a live formula,
and ID and phone columns carry the text format "@" so that editing a cell in
Excel or WPS keeps it text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter

from recon.writers._rows import PendingRows, inject_rows, placeholder

__all__ = ["Col", "WorkbookWriter"]


@dataclass(frozen=True)
class Col:
    """One column of an output sheet."""

    key: str  # column of the frame
    header: str  # Chinese header
    width: float = 12
    kind: str = "text"  # text | id (text, monospaced digits) | number | int
    wrap: bool = False


LINE_HEIGHT = 13.5  # points per line of the 10-point font


def _wrapped_heights(columns: list[np.ndarray], cols: list[Col]) -> np.ndarray:
    """Row heights that show every line of the wrapped cells.

    Excel and WPS do not re-measure rows of a file they did not write, so a
    wrapped address would be cut off. A Chinese character is counted two
    column units wide (a little generous for digits: better a tall row than
    a cut one).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(columns[0]) if columns else 0
    lines = np.ones(n)
    for values, c in zip(columns, cols, strict=True):
        if not (c.wrap or c.kind == "wrap") or not n:
            continue
        text = pa.array(pd.Series(values, dtype=object).fillna("").astype(str).tolist())
        units = pc.utf8_length(text).to_numpy(zero_copy_only=False) * 2.0
        lines = np.maximum(lines, np.ceil(units / max(c.width - 1, 1)))
    return np.where(lines > 1, lines * LINE_HEIGHT + 2, 0.0)


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
            "note": self.book.add_format({**base, "italic": True, "font_color": "#595959"}),
            "bold": self.book.add_format({**base, "bold": True, "border": 1}),
            "heading": self.book.add_format(
                {**base, "bold": True, "bg_color": "#F2F2F2", "border": 1}
            ),
            "check": self.book.add_format({**base, "border": 1, "align": "center"}),
            "key": self.book.add_format(
                {**base, "border": 1, "font_size": 7, "font_color": "#808080"}
            ),
            "blank": self.book.add_format({**base, "border": 1}),
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
        ("" for none), e.g. a building's heading line in a worklist.
        """
        ws = self.book.add_worksheet(name)
        row = 0
        if title:
            ws.write_string(row, 0, title, self.fmt["title"])
            row += 1
        for note in notes or []:
            ws.write_string(row, 0, note, self.fmt["note"])
            row += 1
        header_row = row
        for j, c in enumerate(cols):
            ws.set_column(
                j,
                j,
                c.width,
                self.fmt["wrap" if c.wrap else c.kind if c.kind in self.fmt else "text"],
            )
        ws.set_row(header_row, 30)
        for j, c in enumerate(cols):
            ws.write_string(header_row, j, c.header, self.fmt["header"])
        ws.freeze_panes(header_row + 1, 0)
        self._print_setup(ws, title or name, header_row, page_header, page_footer)
        total = len(frame)
        if max_rows is not None and total > max_rows:
            ws.write_string(header_row + 1, 0, overflow_note.format(total=total), self.fmt["note"])
        elif total:
            # the rows themselves are made column-wise after closing (see _rows.py)
            key = len(self._pending)
            ws.write_string(header_row + 1, 0, placeholder(key), self.fmt["text"])
            if autofilter:
                ws.autofilter(header_row, 0, header_row + total, len(cols) - 1)
            columns, kinds, fmts = [], [], []
            for c in cols:
                values = frame[c.key] if c.key in frame else pd.Series([""] * total)
                columns.append(values.to_numpy(dtype=object))
                kinds.append("number" if c.kind in ("number", "int") else "text")
                fmts.append(self.fmt["wrap" if c.wrap or c.kind == "wrap" else c.kind])
            heights = _wrapped_heights(columns, cols)
            if row_height is not None:
                heights = np.maximum(heights, np.asarray(row_height, dtype=float))
            index = len(self.book.worksheets())
            self._pending.append(
                (index, key, header_row + 1, columns, kinds, fmts, row_format, heights)
            )

    def _rows(self, ws: Any, frame: pd.DataFrame, cols: list[Col], first: int) -> None:
        if frame.empty:
            return
        fmts = [self.fmt["wrap" if c.wrap else c.kind] for c in cols]
        kinds = [c.kind for c in cols]
        columns = []
        for c in cols:
            values = frame[c.key] if c.key in frame else pd.Series([""] * len(frame))
            if c.kind in ("number", "int"):
                columns.append(pd.to_numeric(values, errors="coerce").tolist())
            else:
                columns.append(values.fillna("").astype(str).tolist())
        write_string, write_number = ws.write_string, ws.write_number
        for i, row in enumerate(zip(*columns, strict=True)):
            r = first + i
            for j, v in enumerate(row):
                if kinds[j] in ("number", "int"):
                    if v == v and v is not None:  # not NaN
                        write_number(r, j, v, fmts[j])
                elif v:
                    write_string(r, j, v, fmts[j])

    def key_values(
        self,
        name: str,
        title: str,
        blocks: list[tuple[str, pd.DataFrame, list[Col]]],
        notes: list[str],
    ) -> None:
        """A summary sheet: a title, notes, then several small tables."""
        ws = self.book.add_worksheet(name)
        ws.write_string(0, 0, title, self.fmt["title"])
        row = 1
        for note in notes:
            ws.write_string(row, 0, note, self.fmt["note"])
            row += 1
        widths: dict[int, float] = {}
        for heading, frame, cols in blocks:
            row += 1
            ws.write_string(row, 0, heading, self.fmt["title"])
            row += 1
            for j, c in enumerate(cols):
                widths[j] = max(widths.get(j, 0), c.width)
                ws.write_string(row, j, c.header, self.fmt["header"])
            row += 1
            self._rows(ws, frame, cols, row)
            row += len(frame)
        for j, w in widths.items():
            ws.set_column(j, j, w)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.set_header(f'&L&"宋体,Bold"{title.replace("&", "&&")}&R第 &P 页 共 &N 页')

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

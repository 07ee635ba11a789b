"""Worklists as PDF: one file per 居委, A4 landscape, ready to print --
the 入户核查单 (机到人) and the 人户分离核查单.

Chinese is rendered with reportlab's built-in CID font STSong-Light (an
Adobe-GB1 font every PDF reader has), so nothing needs to be installed.
Every page carries the 居委's name, 第 x 页 共 y 页 and a line for the
checker's signature and the date; the header row repeats on every page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from recon.rules import OutputRules
from recon.separation import SEP_NEW_ADDRESS, SEP_OPTIONS

__all__ = ["FONT", "write_separation_pdfs", "write_visit_pdfs"]

FONT = "STSong-Light"
PAGE = landscape(A4)
MARGIN = 10 * mm
TOP_MARGIN = 12 * mm  # the page's header line, above the drawn header row
CHUNK = 40  # rows per body table (see _numbered_canvas)


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


HEADER_HEIGHT = 9 * mm


Columns = list[tuple[str, str, float, bool]]  # (frame column, header, relative width, wrap)


def _numbered_canvas(
    committee: str, title: str, columns: Columns, widths: list[float]
) -> type[Canvas]:
    """A canvas that writes 第 x 页 共 y 页 once it knows y (two passes), and
    draws the table's header row at the top of every page.

    Drawing the header here, rather than as a repeated table row, lets the
    body be many small tables: reportlab re-measures a table each time it
    splits one across pages, which for one long table is quadratic.
    """

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for page in self._pages:
                self.__dict__.update(page)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            width, height = PAGE
            self.setFont(FONT, 10)
            self.drawString(MARGIN, height - 7 * mm, f"{committee}  {title}")
            self.drawRightString(
                width - MARGIN, height - 7 * mm, f"第 {self._pageNumber} 页 共 {total} 页"
            )
            self.setFont(FONT, 9)
            self.drawString(MARGIN, 6 * mm, "核查人签名：____________________")
            self.drawRightString(width - MARGIN, 6 * mm, "核查日期：____________________")
            # the header row, just above the frame the body flows in
            top = height - TOP_MARGIN - HEADER_HEIGHT
            x = MARGIN
            self.setLineWidth(0.4)
            for (_, label, _, _), w in zip(columns, widths, strict=True):
                self.setFillColor(colors.HexColor("#DDEBF7"))
                self.setStrokeColor(colors.grey)
                self.rect(x, top, w, HEADER_HEIGHT, stroke=1, fill=1)
                self.setFillColor(colors.black)
                self.setFont(FONT, 7.5)
                self.drawCentredString(x + w / 2, top + HEADER_HEIGHT / 2 - 2.5, label)
                x += w

    return NumberedCanvas


_PDF_COLUMNS: Columns = [
    ("seq", "序号", 4, False),
    ("name", "姓名", 8, True),
    ("sex", "性别", 4, False),
    ("id_print", "身份证号", 17, False),
    ("hukou_address", "户籍地址", 20, True),
    ("address", "登记住址", 20, True),
    ("registered_on", "登记日期", 9, False),
    ("c0", "仍居住", 5.5, False),
    ("c1", "已离开", 5.5, False),
    ("c2", "信息有误", 6.5, False),
    ("whereabouts", "去向/现住址", 15, True),
    ("phone_print", "联系电话", 10.5, False),
    ("remark", "备注", 10, True),
    ("key", "记录号", 9, False),
]
_SEP_PDF_COLUMNS: Columns = [
    ("seq", "序号", 4, False),
    ("name", "姓名", 8, True),
    ("sex", "性别", 4, False),
    ("id_print", "身份证号", 17, False),
    ("sep_type", "类型", 8, False),
    ("hukou_address", "户籍地址", 19, True),
    ("address", "名单现居住地址", 19, True),
    ("found", "排查情况", 10, True),
    ("c0", SEP_OPTIONS[0], 5.5, False),
    ("c1", SEP_OPTIONS[1], 6.5, False),
    ("c2", SEP_OPTIONS[2], 6.5, False),
    ("new_address", SEP_NEW_ADDRESS, 15, True),
    ("remark", "备注", 8, True),
    ("key", "记录号", 9, False),
]


def _file_name(committee: str, used: set[str]) -> str:
    name = re.sub(r'[\\/:*?"<>|]', "", committee or "未识别居委") or "未识别居委"
    candidate, n = name, 2
    while candidate in used:
        candidate, n = f"{name}{n}", n + 1
    used.add(candidate)
    return candidate + ".pdf"


def write_visit_pdfs(visits: pd.DataFrame, folder: Path, output: OutputRules) -> list[Path]:
    """入户核查单: one PDF per 居委 in ``folder``; returns the files written."""
    from recon.worklists import NEW_KEY, _committee_rows

    return _write_pdfs(
        visits,
        folder,
        lambda people: _committee_rows(people, output),
        _PDF_COLUMNS,
        ("入户核查单（机到人）", "入户核查单"),
        tall_key=NEW_KEY,
    )


def write_separation_pdfs(visits: pd.DataFrame, folder: Path, output: OutputRules) -> list[Path]:
    """人户分离核查单: one PDF per 居委 in ``folder``; returns the files written."""
    from recon.writers._separation import _rows

    return _write_pdfs(
        visits,
        folder,
        lambda people: _rows(people, output),
        _SEP_PDF_COLUMNS,
        ("人户分离核查单", "人户分离核查单"),
    )


def _write_pdfs(
    visits: pd.DataFrame,
    folder: Path,
    make_rows: Callable[[pd.DataFrame], tuple[pd.DataFrame, Any]],
    columns: Columns,
    titles: tuple[str, str],
    tall_key: str | None = None,
) -> list[Path]:
    """One PDF per 居委: ``make_rows`` gives a 居委's rows and their formats
    ("heading" or ""); the tick columns are those named c0, c1, c2; rows whose
    key is ``tall_key`` get room to write in by hand."""
    font = _font()
    folder.mkdir(parents=True, exist_ok=True)
    cell = ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=9)
    usable = PAGE[0] - 2 * MARGIN
    scale = usable / sum(w for _, _, w, _ in columns)
    widths = [w * scale for _, _, w, _ in columns]
    names = [c for c, _, _, _ in columns]
    ticks = (names.index("c0"), names.index("c2"))
    written: list[Path] = []
    used: set[str] = set()
    for committee, people in visits.groupby("committee", sort=False):
        frame, formats = make_rows(people)
        rows: list[list[Any]] = []
        styles: list[tuple[Any, ...]] = []
        heights: list[float | None] = []
        for record, fmt in zip(frame.to_dict("records"), formats, strict=True):
            i = len(rows)
            if fmt == "heading":
                title = Paragraph(_escape(str(record["name"])), cell)
                rows.append([title] + [""] * (len(columns) - 1))
                styles += [
                    ("SPAN", (0, i), (-1, i)),
                    ("BACKGROUND", (0, i), (-1, i), colors.HexColor("#F2F2F2")),
                ]
                heights.append(None)
                continue
            row = []
            for (col, _, _, wrap), width in zip(columns, widths, strict=True):
                value = record.get(col, "")
                text = "" if value is None or value == "" else str(value)
                row.append(_wrap(text, width) if wrap else text)
            rows.append(row)
            tall = tall_key is not None and record.get("key") == tall_key
            heights.append(8 * mm if tall else None)
        story: list[Any] = []
        for start in range(0, len(rows), CHUNK):
            part = rows[start : start + CHUNK]
            table = Table(part, colWidths=widths, rowHeights=heights[start : start + CHUNK])
            local = [
                (name, (a[0], a[1] - start), (b[0], b[1] - start), *rest)
                for name, a, b, *rest in styles
                if start <= a[1] < start + CHUNK
            ]
            table.setStyle(
                TableStyle(
                    [
                        ("FONT", (0, 0), (-1, -1), font, 7.5),
                        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                        ("ALIGN", (ticks[0], 0), (ticks[1], -1), "CENTER"),
                        *local,
                    ]
                )
            )
            story.append(table)
        shown = str(committee) or "未识别居委"
        path = folder / _file_name(shown, used)
        doc = SimpleDocTemplate(
            str(path),
            pagesize=PAGE,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=TOP_MARGIN + HEADER_HEIGHT,
            bottomMargin=12 * mm,
            title=f"{shown} {titles[1]}",
            author="recon",
        )
        doc.build(story, canvasmaker=_numbered_canvas(shown, titles[0], columns, widths))
        written.append(path)
    return written


def _wrap(text: str, width: float, size: float = 7.5) -> str:
    """Line breaks so that ``text`` fits ``width`` points (plain table cells
    take "\n"; a Paragraph per cell would cost ten times as much)."""
    if not text:
        return text
    lines: list[str] = []
    line: list[str] = []
    used = 0.0
    room = width - 5  # the cell's padding
    for ch in text:
        w = pdfmetrics.stringWidth(ch, FONT, size)
        if used + w > room and line:
            lines.append("".join(line))
            line, used = [], 0.0
        line.append(ch)
        used += w
    lines.append("".join(line))
    return "\n".join(lines)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

"""入户核查单 as PDF: one file per 居委, A4 landscape, ready to print.

Chinese is rendered with reportlab's built-in CID font STSong-Light (an
Adobe-GB1 font every PDF reader has), so nothing needs to be installed.
Every page carries the 居委's name, 第 x 页 共 y 页 and a line for the
checker's signature and the date; the header row repeats on every page.
"""

from __future__ import annotations

import re
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
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from recon.rules import OutputRules

__all__ = ["FONT", "write_visit_pdfs"]

FONT = "STSong-Light"
PAGE = landscape(A4)
MARGIN = 10 * mm


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _numbered_canvas(committee: str) -> type[Canvas]:
    """A canvas that writes 第 x 页 共 y 页 once it knows y (two passes)."""

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
            self.drawString(MARGIN, height - 7 * mm, f"{committee}  入户核查单（机到人）")
            self.drawRightString(
                width - MARGIN, height - 7 * mm, f"第 {self._pageNumber} 页 共 {total} 页"
            )
            self.setFont(FONT, 9)
            self.drawString(MARGIN, 6 * mm, "核查人签名：____________________")
            self.drawRightString(width - MARGIN, 6 * mm, "核查日期：____________________")

    return NumberedCanvas


# (frame column, header, relative width, wrap)
_PDF_COLUMNS: list[tuple[str, str, float, bool]] = [
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


def _file_name(committee: str, used: set[str]) -> str:
    name = re.sub(r'[\\/:*?"<>|]', "", committee or "未识别居委") or "未识别居委"
    candidate, n = name, 2
    while candidate in used:
        candidate, n = f"{name}{n}", n + 1
    used.add(candidate)
    return candidate + ".pdf"


def write_visit_pdfs(visits: pd.DataFrame, folder: Path, output: OutputRules) -> list[Path]:
    """One PDF per 居委 in ``folder``; returns the files written."""
    from recon.worklists import NEW_KEY, NEW_PEOPLE_TITLE, _committee_rows

    font = _font()
    folder.mkdir(parents=True, exist_ok=True)
    cell = ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=9)
    head = ParagraphStyle("head", fontName=font, fontSize=8, leading=10, alignment=1)
    usable = PAGE[0] - 2 * MARGIN
    scale = usable / sum(w for _, _, w, _ in _PDF_COLUMNS)
    widths = [w * scale for _, _, w, _ in _PDF_COLUMNS]
    written: list[Path] = []
    used: set[str] = set()
    for committee, people in visits.groupby("committee", sort=False):
        frame, formats = _committee_rows(people, output)
        data: list[list[Any]] = [[Paragraph(h, head) for _, h, _, _ in _PDF_COLUMNS]]
        style = [
            ("FONT", (0, 0), (-1, -1), font, 7.5),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDEBF7")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (7, 1), (9, -1), "CENTER"),
        ]
        for i, (record, fmt) in enumerate(zip(frame.to_dict("records"), formats, strict=True), 1):
            if fmt == "heading":
                text = str(record["name"])
                data.append([Paragraph(text, cell)] + [""] * (len(_PDF_COLUMNS) - 1))
                style += [
                    ("SPAN", (0, i), (-1, i)),
                    ("BACKGROUND", (0, i), (-1, i), colors.HexColor("#F2F2F2")),
                ]
                if text == NEW_PEOPLE_TITLE:
                    style.append(("TOPPADDING", (0, i), (-1, i), 6))
                continue
            row = []
            for col, _, _, wrap in _PDF_COLUMNS:
                value = record.get(col, "")
                text = "" if value is None or value == "" else str(value)
                row.append(Paragraph(_escape(text), cell) if wrap and text else text)
            data.append(row)
        heights = [None] + [8 * mm if k == NEW_KEY else None for k in frame["key"]]
        table = Table(data, colWidths=widths, rowHeights=heights, repeatRows=1)
        table.setStyle(TableStyle(style))
        shown = str(committee) or "未识别居委"
        path = folder / _file_name(shown, used)
        doc = SimpleDocTemplate(
            str(path),
            pagesize=PAGE,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=12 * mm,
            bottomMargin=12 * mm,
            title=f"{shown} 入户核查单",
            author="recon",
        )
        note = Paragraph(
            "在「仍居住」「已离开」「信息有误」中选一栏打 √；已离开的写明去向；"
            "「记录号」不要改动。",
            cell,
        )
        doc.build([note, Spacer(1, 2 * mm), table], canvasmaker=_numbered_canvas(shown))
        written.append(path)
    return written


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

"""Printed worklists as PDF: one file per 居委, A4 landscape, ready to print.

The writer is handed the rows to print and knows no sheet: per 居委 a frame
of print rows in order, whose ``kind`` column says what each row is --
"heading" (a building; its text in ``label``), "person" or "blank" -- and a
:class:`PdfForm` saying which columns to show and the titles. The
入户核查单 (recon.worklists) and the 人户分离核查单 (recon.modes._separation_sheets)
build their rows and call :func:`write_form_pdfs` -- or :func:`plan_form_pdfs`
and :func:`write_planned_pdfs` for a plan's files in parts (recon.worklists
writes part of them in a second process, with the font it cut).

The pages are laid out here, not by platypus: every row's height is known
once its cells are wrapped, so page breaks are computed directly, and the
canvas draws lines and strings: each page's cells as one text object, each
distinct string encoded once per document (about 8,000 rows a second).

* The first column is the building, printed in a cell merged over its
  people on the page (repeated with （续） when a building runs over a page),
  so a building's heading is always on the page of its first person and no
  row is spent on headings.
* ``blank_rows_per_page`` empty rows close every page, for people met at the
  doors of that page who are not on the list; a page never holds only them.
* Text wraps between tokens, never inside a number: a run of digits or
  letters with the unit after it (13号, 101室, 2单元) is kept whole; numbers
  that must not wrap at all (ID numbers, phones, 记录号) are set smaller
  when they do not fit, never cut.
* Chinese is set in Noto Sans SC (SIL OFL 1.1, shipped as a variable
  TrueType font by the ``justmytype-intl-cjk`` package). fontTools cuts it
  to the characters printed and fixes its weight to regular (the same
  bytes for the same characters); reportlab embeds that as a subset, so
  every reader shows the same glyphs.
"""

from __future__ import annotations

import hashlib
import io
import re
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

import pandas as pd
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

from recon.errors import ReconError

__all__ = [
    "FONT_FAMILY",
    "PdfColumn",
    "PdfForm",
    "PdfPlan",
    "font_program",
    "page_rows",
    "plan_form_pdfs",
    "register_font",
    "wrap_text",
    "write_form_pdfs",
    "write_planned_pdfs",
]

FONT_FAMILY = "NotoSansSC"
_FONT_PACKAGE = "justmytype_intl_cjk"
_FONT_FILE = ("fonts", "ofl", "notosanssc", "NotoSansSC[wght].ttf")
# characters every file may print besides its rows' (titles, footer, digits)
_ALWAYS = string.ascii_letters + string.digits + string.punctuation + " □√×（）：，。、／—…·"

PAGE = landscape(A4)
MARGIN = 8 * mm
TITLE_SIZE = 10.0
SIZE = 7.5  # body text
LEADING = 8.6
PAD = 1.8  # above and below a cell's text
HPAD = 2.0  # left and right
HEADER_HEIGHT = 15.0
MIN_ROW = 16.0  # room to tick and write a word by hand
BLANK_ROW = 19.0
TOP = PAGE[1] - 11 * mm  # the header row's top
BOTTOM = 11 * mm  # the body's bottom; the signature line is below
NOTE_SIZE = 7.0

HEADING, PERSON, BLANK = "heading", "person", "blank"


@dataclass(frozen=True)
class PdfColumn:
    """A printed column: the frame column ``key`` under ``header``.

    ``width`` is relative (the columns fill the page's width); ``wrap=False``
    keeps the value on one line, set smaller if need be (ID numbers).
    """

    key: str
    header: str
    width: float
    align: str = "left"  # or "center"
    wrap: bool = True


@dataclass(frozen=True)
class PdfForm:
    """What one kind of printed list shows."""

    title: str  # at the top of each page, after the 居委: 入户核查单（机到人）
    short: str  # the PDF's document title: 入户核查单
    columns: list[PdfColumn]
    group_header: str = "门牌"  # the merged first column (a heading row's label)
    group_width: float = 10.0
    note: str = ""  # under the title of the first page
    blank_rows_per_page: int = 0
    blank_label: str = "新发现的未登记人员"
    blank_values: Mapping[str, str] = field(default_factory=dict)  # e.g. 记录号 = 新增


# --- the font ---------------------------------------------------------------------


def _font_data() -> bytes:
    """The variable Noto Sans SC, as the font package ships it."""
    from importlib.resources import files

    try:
        return files(_FONT_PACKAGE).joinpath(*_FONT_FILE).read_bytes()
    except (ModuleNotFoundError, OSError):
        raise ReconError(
            "找不到生成 PDF 所需的中文字体",
            hint="请重新安装 recon（pip install justmytype-intl-cjk），或加 --no-pdf 不生成 PDF",
        ) from None


def register_font(texts: Iterable[str]) -> str:
    """Register (once) a regular-weight Noto Sans SC holding the characters of
    ``texts``; returns its reportlab font name."""
    return _register_font(_characters(texts))


def _characters(texts: Iterable[str]) -> str:
    chars = set(_ALWAYS)
    for text in texts:
        chars.update(text)
    chars.discard("\n")
    return "".join(sorted(chars))


def _font_name(wanted: str) -> str:
    return f"{FONT_FAMILY}-{hashlib.sha1(wanted.encode()).hexdigest()[:10]}"


def _register_font(wanted: str, program: bytes | None = None) -> str:
    """Register (once) the font of the characters ``wanted`` (sorted, as
    _characters has them), cut here unless its ``program`` is given (the
    same bytes: :func:`font_program` of ``wanted``, e.g. from another process)."""
    name = _font_name(wanted)
    if name not in pdfmetrics.getRegisteredFontNames():
        data = program if program is not None else font_program(wanted)
        pdfmetrics.registerFont(TTFont(name, io.BytesIO(data), shapable=False))
    return name


def font_program(wanted: str) -> bytes:
    """A regular-weight Noto Sans SC holding the characters ``wanted``, as a
    TrueType file (the same bytes for the same characters)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont as FTFont
    from fontTools.varLib import instancer

    # the same bytes for the same characters (no fresh timestamp in head)
    font = FTFont(io.BytesIO(_font_data()), lazy=True, recalcTimestamp=False)
    # glyphs by number: the font has no glyph names (post format 3), and
    # making them up from cmap and the Adobe glyph list costs a third of the cut
    font.setGlyphOrder([".notdef", *(f"g{i}" for i in range(1, font["maxp"].numGlyphs))])
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.notdef_outline = True
    # reportlab reads none of these; without HVAR the instancer takes the
    # advance widths from the outlines' phantom points, the same widths
    # (checked for every glyph of the font), without subsetting HVAR's map
    # of all 31,000 glyphs
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "STAT", "vhea", "vmtx", "gasp", "HVAR"]
    cutter = subset.Subsetter(options)
    cutter.populate(text=wanted)
    cutter.subset(font)
    regular = instancer.instantiateVariableFont(font, {"wght": 400}, inplace=True)
    # reportlab takes fonts with one PostScript name for one font: each cut
    # has its own
    key = _font_name(wanted).rsplit("-", 1)[1]
    for record in regular["name"].names:
        if record.nameID == 6:
            record.string = f"NotoSansSC-Regular-{key}"
        elif record.nameID == 4:
            record.string = "Noto Sans SC Regular"
        elif record.nameID == 2:
            record.string = "Regular"
    buffer = io.BytesIO()
    regular.save(buffer)
    return buffer.getvalue()


# --- wrapping ---------------------------------------------------------------------

# a number (with letters, dashes) and the unit after it is one token, and so
# is a short bracketed remark; any other character is a token of its own
_TOKEN = re.compile(
    r"（[^（）]{0,8}）|\([^()]{0,8}\)|"
    r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ#＃]+(?:[-－—][0-9A-Za-z０-９Ａ-Ｚａ-ｚ]+)*"
    r"(?:单元|[号弄室幢栋楼层组巷户座期区排])?|.",
    re.S,
)
_UNIT = re.compile(r"(?<=[0-9A-Za-z０-９Ａ-Ｚａ-ｚ])(?:单元|[号弄室幢栋楼层组巷户座期区排])$")


@lru_cache(maxsize=1 << 16)
def _width(text: str, font: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, font, size)


@lru_cache(maxsize=1 << 17)
def wrap_text(text: str, room: float, font: str, size: float = SIZE) -> tuple[str, ...]:
    """``text`` as lines no wider than ``room`` points, broken between tokens
    (a number and its unit stay whole); a token wider than a line is cut."""
    if "\n" not in text and pdfmetrics.stringWidth(text, font, size) <= room - 1e-6:
        return (text,)  # fits (the margin covers summing token by token below)
    lines: list[str] = []
    for para in text.split("\n"):
        line, used = "", 0.0
        for token in _TOKEN.findall(para):
            w = _width(token, font, size)
            if w > room:  # on lines of its own: the number, its unit; cut what fits on no line
                if line:
                    lines.append(line.rstrip())
                    line, used = "", 0.0
                unit = _UNIT.search(token)
                for piece in (token[: unit.start()], unit.group()) if unit else (token,):
                    pw = _width(piece, font, size)
                    if used + pw > room and line:
                        lines.append(line)
                        line, used = "", 0.0
                    if pw <= room:
                        line += piece
                        used += pw
                        continue
                    for ch in piece:
                        cw = _width(ch, font, size)
                        if used + cw > room and line:
                            lines.append(line)
                            line, used = "", 0.0
                        line += ch
                        used += cw
                continue
            if used + w > room and line:
                lines.append(line.rstrip())
                line, used = "", 0.0
                if token.isspace():
                    continue
            line += token
            used += w
        lines.append(line)
    return tuple(lines)


# --- layout -----------------------------------------------------------------------


@dataclass
class _Row:
    cells: list[tuple[str, ...]]  # lines per column
    sizes: list[float]  # font size per column
    height: float
    kind: str


@dataclass
class _Span:
    """The merged first-column cell over rows ``first``..``last`` of a page."""

    lines: tuple[str, ...]
    first: int
    last: int
    blank: bool = False


@dataclass
class _Page:
    rows: list[_Row] = field(default_factory=list)
    spans: list[_Span] = field(default_factory=list)


class _Layout:
    def __init__(self, form: PdfForm, font: str) -> None:
        self.form, self.font = form, font
        usable = PAGE[0] - 2 * MARGIN
        total = form.group_width + sum(c.width for c in form.columns)
        self.group_width = form.group_width * usable / total
        self.widths = [c.width * usable / total for c in form.columns]
        # a column's cell per distinct text: (lines, font size); most repeat
        # (tick boxes, addresses, dates) and wrapping is the costly part
        self._cells: list[dict[str, tuple[tuple[str, ...], float]]] = [
            {"": ((), SIZE)} for _ in form.columns
        ]

    def _cell(self, j: int, text: str) -> tuple[tuple[str, ...], float]:
        col = self.form.columns[j]
        room = self.widths[j] - 2 * HPAD
        size = SIZE
        if col.wrap:
            cell = wrap_text(text, room, self.font, SIZE)
        else:
            w = _width(text, self.font, SIZE)
            if w > room:
                size = SIZE * room / w
            cell = (text,)
        self._cells[j][text] = (cell, size)
        return cell, size

    def row(self, values: Sequence[object], kind: str) -> _Row:
        """A row from its values in the form's column order."""
        cells: list[tuple[str, ...]] = []
        sizes: list[float] = []
        lines = 1
        for j, (value, known) in enumerate(zip(values, self._cells, strict=True)):
            text = value if isinstance(value, str) else _text(value)
            hit = known.get(text)
            cell, size = self._cell(j, text) if hit is None else hit
            cells.append(cell)
            sizes.append(size)
            if len(cell) > lines:
                lines = len(cell)
        floor = BLANK_ROW if kind == BLANK else MIN_ROW
        return _Row(cells, sizes, max(floor, lines * LEADING + 2 * PAD), kind)

    def label(self, text: str) -> tuple[str, ...]:
        return wrap_text(text, self.group_width - 2 * HPAD, self.font, SIZE) if text else ()


def _text(value: object) -> str:
    missing = value is None or (isinstance(value, float) and value != value)  # NaN
    return "" if missing else str(value)


def _groups(frame: pd.DataFrame, form: PdfForm) -> list[tuple[str, list[tuple[tuple, str]]]]:
    """The frame's rows as (building label, its rows) in order; a row is its
    values in the form's column order, and its kind."""
    n = len(frame)
    kinds = frame["kind"].astype(str).tolist() if "kind" in frame else [PERSON] * n
    labels = frame["label"].astype(str).tolist() if "label" in frame else [""] * n
    columns = [frame[c.key].tolist() if c.key in frame else [""] * n for c in form.columns]
    groups: list[tuple[str, list[tuple[tuple, str]]]] = []
    for values, kind, label in zip(zip(*columns, strict=True), kinds, labels, strict=True):
        if kind == HEADING:
            groups.append((label, []))
            continue
        if not groups:
            groups.append(("", []))
        groups[-1][1].append((values, kind))
    return [g for g in groups if g[1]]  # a heading without rows prints nothing


def page_rows(frame: pd.DataFrame, form: PdfForm, font: str) -> list[_Page]:
    """The pages of one 居委's list: rows, and the merged building cells."""
    layout = _Layout(form, font)
    blank = [form.blank_values.get(c.key, "") for c in form.columns]
    blanks = [layout.row(blank, BLANK) for _ in range(form.blank_rows_per_page)]
    reserve = sum(r.height for r in blanks)
    note_height = _note_lines(form, font).__len__() * (NOTE_SIZE + 2)
    pages: list[_Page] = []
    page = _Page()
    used = 0.0

    def room() -> float:
        body = TOP - HEADER_HEIGHT - BOTTOM - (note_height if not pages else 0.0)
        return body - reserve

    def close() -> None:
        nonlocal page, used
        if blanks:
            first = len(page.rows)
            page.rows.extend(_Row(list(b.cells), list(b.sizes), b.height, BLANK) for b in blanks)
            label = layout.label(form.blank_label)
            page.spans.append(_Span(label, first, len(page.rows) - 1, blank=True))
        pages.append(page)
        page, used = _Page(), 0.0

    for label, records in _groups(frame, form):
        rows = [layout.row(values, kind) for values, kind in records]
        i = 0
        while i < len(rows):
            lines = layout.label(label if i == 0 else f"{label}（续）" if label else "")
            need = len(lines) * LEADING + 2 * PAD
            start, span = len(page.rows), 0.0
            while i < len(rows):
                h = rows[i].height
                grow = max(0.0, need - span - h)
                if used + h + grow > room() and page.rows:
                    break
                page.rows.append(rows[i])
                used += h
                span += h
                i += 1
            if len(page.rows) > start:
                if span < need:  # the label is taller than its rows: the last one grows
                    page.rows[-1].height += need - span
                    used += need - span
                page.spans.append(_Span(lines, start, len(page.rows) - 1))
            if i < len(rows):
                close()
    if page.rows:
        close()
    return pages


def _note_lines(form: PdfForm, font: str) -> tuple[str, ...]:
    if not form.note:
        return ()
    return wrap_text(form.note, PAGE[0] - 2 * MARGIN, font, NOTE_SIZE)


# --- drawing ----------------------------------------------------------------------

_GRID = 0.4
_GREY = (0.45, 0.45, 0.45)
_HEAD_FILL = (0.867, 0.922, 0.969)
_GROUP_FILL = (0.95, 0.95, 0.95)


def _draw_page(
    canvas: Canvas,
    layout: _Layout,
    page: _Page,
    number: int,
    total: int,
    committee: str,
    note: tuple[str, ...],
    strings: _Strings,
) -> None:
    form, font = layout.form, layout.font
    width, height = PAGE
    left, right = MARGIN, width - MARGIN
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(font, TITLE_SIZE)
    canvas.drawString(left, height - 7 * mm, f"{committee}  {form.title}")
    canvas.drawRightString(right, height - 7 * mm, f"第 {number} 页 共 {total} 页")
    top = TOP
    if number == 1 and note:
        canvas.setFont(font, NOTE_SIZE)
        y = top - NOTE_SIZE
        for line in note:
            canvas.drawString(left, y + 1, line)
            y -= NOTE_SIZE + 2
        top -= len(note) * (NOTE_SIZE + 2)
    canvas.setFont(font, 9)
    canvas.drawString(left, 5 * mm, "核查人签名：____________________")
    canvas.drawRightString(right, 5 * mm, "核查日期：____________________")

    # header row
    xs = [left, left + layout.group_width]
    for w in layout.widths:
        xs.append(xs[-1] + w)
    body_top = top - HEADER_HEIGHT
    canvas.setFillColorRGB(*_HEAD_FILL)
    canvas.rect(left, body_top, right - left, HEADER_HEIGHT, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    headers = [form.group_header] + [c.header for c in form.columns]
    for (x0, x1), label in zip(pairwise(xs), headers, strict=True):
        w = _width(label, font, SIZE)
        size = min(SIZE, SIZE * (x1 - x0 - 2) / w) if w else SIZE
        canvas.setFont(font, size)
        canvas.drawCentredString((x0 + x1) / 2, body_top + HEADER_HEIGHT / 2 - size * 0.35, label)

    # row tops
    tops = [body_top]
    for row in page.rows:
        tops.append(tops[-1] - row.height)
    bottom = tops[-1]

    # merged building cells: a light fill, then the lines
    canvas.setFillColorRGB(*_GROUP_FILL)
    for span in page.spans:
        y0, y1 = tops[span.last + 1], tops[span.first]
        canvas.rect(xs[0], y0, xs[1] - xs[0], y1 - y0, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)

    lines: list[tuple[float, float, float, float]] = []
    lines.append((left, top, right, top))
    for y in tops:
        lines.append((xs[1], y, right, y))
    for span in page.spans:
        lines.append((left, tops[span.first], xs[1], tops[span.first]))
    lines.append((left, bottom, xs[1], bottom))
    for x in xs:
        lines.append((x, top, x, bottom))
    canvas.setLineWidth(_GRID)
    canvas.setStrokeColorRGB(*_GREY)
    canvas.lines(lines)

    # text: one text object for the page's cells
    text = _CellText(canvas, strings)
    for span in page.spans:
        text.cell(SIZE, span.lines, xs[0], xs[1], tops[span.first], tops[span.last + 1], "left")
    aligns = [c.align for c in form.columns]
    for row, (y1, y0) in zip(page.rows, pairwise(tops), strict=True):
        for j, (cell, size) in enumerate(zip(row.cells, row.sizes, strict=True)):
            if cell:
                text.cell(size, cell, xs[j + 1], xs[j + 2], y1, y0, aligns[j])
    canvas.drawText(text)


class _Strings:
    """One document's encoding of the strings it prints, as reportlab's
    ``textOut`` encodes them (font subsets of one byte per character), each
    distinct string once.

    reportlab's ``splitString`` gives a character its code the first time
    the document prints it, so a line with a character not seen yet goes
    through it; the others are encoded with two ``str.translate`` tables
    built from its answers.
    """

    def __init__(self, canvas: Canvas, font: str) -> None:
        self.font_name = font
        self.font = pdfmetrics.getFont(font)
        self.doc = canvas._doc
        self.names: dict[int, str] = {}
        self.known: set[str] = set()  # characters with a code
        self.subset_of: dict[int, str] = {}  # ord(character) -> chr(its subset)
        self.byte_of: dict[int, str] = {}  # ord(character) -> chr(its byte in the subset)
        # (line, font operator) -> first and last subset, the line's operators
        # after a different subset and after its own first one
        self.shown: dict[tuple[str, str], tuple[int, int, str, str]] = {}

    def split(self, line: str) -> list[tuple[int, bytes]]:
        """``line`` as (subset, bytes) pieces, as ``splitString`` has it."""
        if self.known.issuperset(line):
            subsets = line.translate(self.subset_of)
            data = line.translate(self.byte_of)
            if subsets.count(subsets[0]) == len(line):  # the usual case: one subset
                return [(ord(subsets[0]), data.encode("latin-1"))]
            pieces = []
            start = 0
            for k in range(1, len(line) + 1):
                if k == len(line) or subsets[k] != subsets[start]:
                    pieces.append((ord(subsets[start]), data[start:k].encode("latin-1")))
                    start = k
            return pieces
        pieces = self.font.splitString(line, self.doc)
        chars = iter(line)
        for subset, piece in pieces:
            for byte in piece:  # one byte per character
                ch = next(chars)
                if ch not in self.known:
                    self.known.add(ch)
                    self.subset_of[ord(ch)] = chr(subset)
                    self.byte_of[ord(ch)] = chr(byte)
        return pieces

    def show(self, line: str, tf: str) -> tuple[int, int, str, str]:
        """What ``textOut(line)`` writes with font operator ``tf`` (size and
        leading): (first subset, last subset, the operators when the text
        object's subset is another, when it is the first)."""
        pieces = self.split(line)
        ops = []
        for k, (subset, data) in enumerate(pieces):
            if k == 0 or subset != pieces[k - 1][0]:
                ops.append(f"{self.subset_name(subset)} {tf}")
            ops.append(f"({escapePDF(data)}) Tj")
        first, last = pieces[0][0], pieces[-1][0]
        shown = (first, last, " ".join(ops), " ".join(ops[1:]))
        self.shown[line, tf] = shown
        return shown

    def subset_name(self, subset: int) -> str:
        name = self.names.get(subset)
        if name is None:
            name = self.names[subset] = self.font.getSubsetInternalName(subset, self.doc)
        return name


class _CellText(PDFTextObject):
    """A page's cells as one text object: the operators ``setFont``,
    ``setTextOrigin`` and ``textOut`` write, in the same order, from the
    document's encoded strings."""

    def __init__(self, canvas: Canvas, strings: _Strings) -> None:
        self._strings = strings
        super().__init__(canvas)
        self._subset = -1
        self._tf = f"{fp_str(self._fontsize)} Tf {fp_str(self._leading)} TL"

    def setFont(self, psfontname: str, size: float, leading: float | None = None) -> None:
        super().setFont(psfontname, size, leading)
        self._subset = -1
        self._tf = f"{fp_str(self._fontsize)} Tf {fp_str(self._leading)} TL"

    def cell(
        self,
        size: float,
        lines: tuple[str, ...],
        x0: float,
        x1: float,
        y_top: float,
        y_bottom: float,
        align: str,
    ) -> None:
        """``lines`` centred vertically in the cell."""
        strings = self._strings
        font = strings.font_name
        block = len(lines) * LEADING
        y = y_top - (y_top - y_bottom - block) / 2 - LEADING + (LEADING - size) / 2 + size * 0.22
        if self._fontsize != size:
            self.setFont(font, size)
        code, tf, shown = self._code, self._tf, strings.shown
        for line in lines:
            x = (x0 + x1 - _width(line, font, size)) / 2 if align == "center" else x0 + HPAD
            code.append(f"1 0 0 1 {fp_str(x, y)} Tm")
            y -= LEADING
            if not line:
                code.append("")
                continue
            first, last, switch, same = shown.get((line, tf)) or strings.show(line, tf)
            code.append(same if first == self._subset else switch)
            self._subset = last


def _file_name(committee: str, used: set[str]) -> str:
    name = re.sub(r'[\\/:*?"<>|]', "", committee or "未识别居委") or "未识别居委"
    candidate, n = name, 2
    while candidate in used:
        candidate, n = f"{name}{n}", n + 1
    used.add(candidate)
    return candidate + ".pdf"


def _texts(frames: list[tuple[str, pd.DataFrame]], form: PdfForm) -> Iterable[str]:
    yield form.title + form.short + form.note + form.group_header + form.blank_label
    yield "第页共核查人签名日期续"
    yield from (c.header for c in form.columns)
    yield from (str(v) for v in form.blank_values.values())
    for committee, frame in frames:
        yield committee
        for col in ["label", *(c.key for c in form.columns)]:
            if col in frame:
                yield "".join(frame[col].astype(str).unique().tolist())


@dataclass(frozen=True)
class PdfPlan:
    """One form's PDFs, ready to be written here or by another process: the
    characters they print (one font for all, the same in every process) and
    each file's 居委, print rows and path."""

    form: PdfForm
    chars: str
    files: list[tuple[str, pd.DataFrame, Path]]
    program: bytes | None = None  # the font, if already cut (font_program of chars)

    def split(self, share: float) -> tuple[PdfPlan, PdfPlan]:
        """The files as two plans, the first with about ``share`` of the rows
        (whole files, in order)."""
        total = sum(len(f) for _, f, _ in self.files)
        k, rows = 0, 0
        while k < len(self.files) and rows + len(self.files[k][1]) / 2 <= share * total:
            rows += len(self.files[k][1])
            k += 1
        return replace(self, files=self.files[:k]), replace(self, files=self.files[k:])


def plan_form_pdfs(
    rows_by_committee: Iterable[tuple[str, pd.DataFrame]], form: PdfForm, folder: Path
) -> PdfPlan:
    """The PDFs :func:`write_form_pdfs` writes, planned (nothing written yet)."""
    frames = [(str(c) or "未识别居委", f) for c, f in rows_by_committee]
    used: set[str] = set()
    files = [(c, f, folder / _file_name(c, used)) for c, f in frames]
    return PdfPlan(form, _characters(_texts(frames, form)) if frames else "", files)


def write_planned_pdfs(plan: PdfPlan) -> list[Path]:
    """Write the files of ``plan``; returns them."""
    if not plan.files:
        return []
    form = plan.form
    font = _register_font(plan.chars, plan.program)
    layout = _Layout(form, font)
    note = _note_lines(form, font)
    written: list[Path] = []
    for committee, frame, path in plan.files:
        path.parent.mkdir(parents=True, exist_ok=True)
        pages = page_rows(frame, form, font)
        canvas = Canvas(str(path), pagesize=PAGE, invariant=True, initialFontName=font)
        canvas.setTitle(f"{committee} {form.short}")
        canvas.setAuthor("recon")
        strings = _Strings(canvas, font)
        for number, page in enumerate(pages, 1):
            _draw_page(canvas, layout, page, number, len(pages), committee, note, strings)
            canvas.showPage()
        canvas.save()
        written.append(path)
    return written


def write_form_pdfs(
    rows_by_committee: Iterable[tuple[str, pd.DataFrame]], form: PdfForm, folder: Path
) -> list[Path]:
    """One PDF per 居委 in ``folder``, from each 居委's print rows (columns
    ``kind``, ``label`` and those of ``form.columns``); returns the files."""
    return write_planned_pdfs(plan_form_pdfs(rows_by_committee, form, folder))

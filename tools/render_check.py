"""Check that recon's workbooks print whole, by printing them.

    python tools/render_check.py RESULT_FOLDER... [--png DIR] [--keep DIR]

Every ``.xlsx`` recon wrote in the folders (recursively) is converted to PDF
by LibreOffice (``soffice --headless --convert-to pdf``: every visible sheet
is printed), its text extracted page by page with poppler's ``pdftotext``,
and checked against the workbook read with openpyxl:

* every ID number of the visible sheets (18 digits, or masked like
  ``330102********1234``) appears whole on the pages, as often as in the cells;
* every header (the blue header cells) appears whole, its wrapped lines joined;
* no page ends with a heading row (a building in a worklist: the grey bold
  row) whose people are on the next page;
* every position (``…第5行``) of the first rows appears whole.

``--png DIR`` also writes page images (``pdftoppm -r 60``) to look at.
Exit code 0 when every workbook passes, 1 otherwise. LibreOffice stands in
for Excel: install Calibri's metric twin (Debian: fonts-crosextra-carlito)
and a CJK font (fonts-noto-cjk) so that widths come out as Excel's.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

ID_HEADER = re.compile(r"身份证|身份号码|证件号")
ID_VALUE = re.compile(r"^[0-9]{6}[0-9*]{8}[0-9*]{3}[0-9Xx*]$")
POSITION = re.compile(r"第\s*\d+\s*行$")
HEADER_FILL = "DDEBF7"
HEADING_FILL = "F2F2F2"
FOOTER = re.compile(r"签名|打印日期|核查日期|检查日期")
POSITION_ROWS = 300  # rows per sheet whose positions are checked


@dataclass
class Expected:
    """What the visible sheets of one workbook must show when printed."""

    ids: Counter[str] = field(default_factory=Counter)
    where: dict[str, str] = field(default_factory=dict)  # an ID -> its first cell
    headers: Counter[str] = field(default_factory=Counter)
    positions: Counter[str] = field(default_factory=Counter)
    # a heading's text -> whether rows with text follow it in its sheet
    headings: dict[str, bool] = field(default_factory=dict)


@dataclass
class Report:
    workbook: Path
    pages: int = 0
    checked: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)


def _fill(cell: object) -> str:
    fill = getattr(cell, "fill", None)
    color = getattr(getattr(fill, "fgColor", None), "rgb", None)
    return str(color or "")[-6:].upper()


def expected(path: Path) -> Expected:
    """The IDs, headers, headings and positions of the visible sheets."""
    out = Expected()
    book = openpyxl.load_workbook(path)
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            continue
        id_cols: set[int] = set()
        pos_cols: set[int] = set()
        rows = list(ws.iter_rows())
        for r, row in enumerate(rows):
            texts = [str(c.value).strip() if c.value is not None else "" for c in row]
            fills = [_fill(c) for c in row]
            if any(f == HEADER_FILL for f in fills):
                for c, text, f in zip(row, texts, fills, strict=True):
                    if f == HEADER_FILL and text:
                        out.headers[text] += 1
                        if ID_HEADER.search(text):
                            id_cols.add(c.column)
                        if "位置" in text:
                            pos_cols.add(c.column)
                continue
            filled = [t for t in texts if t]
            if len(filled) == 1 and any(f == HEADING_FILL for f in fills):
                after = rows[r + 1] if r + 1 < len(rows) else ()
                people = any(c.value not in (None, "") for c in after) and not any(
                    _fill(c) == HEADING_FILL for c in after
                )
                out.headings[filled[0]] = out.headings.get(filled[0], False) or people
                continue
            for c, text in zip(row, texts, strict=True):
                if c.column in id_cols and ID_VALUE.match(text):
                    out.ids[text.upper()] += 1
                    out.where.setdefault(text.upper(), f"{ws.title}!{c.coordinate}")
                elif c.column in pos_cols and POSITION.search(text) and r < POSITION_ROWS:
                    out.positions[text] += 1
    return out


def to_pdf(workbooks: list[Path], outdir: Path) -> dict[Path, Path]:
    """Each workbook printed to PDF by LibreOffice, in a profile of its own."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise SystemExit("soffice (LibreOffice) not found")
    profile = (outdir / "profile").resolve().as_uri()
    pdfs: dict[Path, Path] = {}
    for i, book in enumerate(workbooks):
        target = outdir / str(i)
        target.mkdir(parents=True, exist_ok=True)
        cmd = [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf"]
        subprocess.run(
            [*cmd, "--outdir", str(target), str(book)], check=True, capture_output=True, timeout=600
        )
        pdfs[book] = target / (book.stem + ".pdf")
    return pdfs


def pages(pdf: Path, mode: str) -> list[str]:
    """The text of each page (``-layout`` or ``-raw``)."""
    text = subprocess.run(
        ["pdftotext", mode, "-enc", "UTF-8", str(pdf), "-"],
        check=True,
        capture_output=True,
        timeout=600,
    ).stdout.decode("utf-8")
    found = text.split("\f")
    return found[:-1] if found and not found[-1].strip() else found


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def check(book: Path, pdf: Path) -> Report:
    """The printed pages of ``book`` against its cells."""
    want = expected(book)
    layout, raw = pages(pdf, "-layout"), pages(pdf, "-raw")
    report = Report(book, pages=len(layout))
    shown = "\n".join(layout)
    cut = [value for value, n in want.ids.items() if shown.upper().count(value) < n]
    report.checked["身份证号"] += want.ids.total()
    if cut:  # where, never the number itself
        cells = "、".join(want.where[v] for v in cut[:5])
        report.problems.append(f"身份证号未完整打印：{len(cut)} 个，如 {cells}")
    joined = _squeeze("".join(raw))
    for text, _n in want.headers.items():
        report.checked["表头"] += 1
        if _squeeze(text) not in joined:
            report.problems.append(f"表头被截断：{text}")
    for text, n in want.positions.items():
        report.checked["位置"] += n
        if joined.count(_squeeze(text)) < n:
            report.problems.append(f"位置未完整打印：{text}")
    for page_no, page in enumerate(layout, start=1):
        body = [line for line in page.splitlines() if line.strip() and not FOOTER.search(line)]
        if not body:
            continue
        last = body[-1].strip()
        for heading, people in want.headings.items():
            if people and last.startswith(heading):
                report.problems.append(f"第 {page_no} 页以标题行结束，人员在下一页：{heading}")
    report.checked["标题行"] += sum(want.headings.values())
    return report


def workbooks(folders: list[Path]) -> list[Path]:
    found: list[Path] = []
    for folder in folders:
        if folder.is_file():
            found.append(folder)
        else:
            found.extend(p for p in sorted(folder.rglob("*.xlsx")) if not p.name.startswith("~$"))
    return found


def png(pdf: Path, outdir: Path, name: str) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(pdf), str(outdir / name)],
        check=True,
        timeout=600,
    )


def run(folders: list[Path], png_dir: Path | None = None, keep: Path | None = None) -> list[Report]:
    books = workbooks(folders)
    with tempfile.TemporaryDirectory(prefix="render_check") as tmp:
        work = keep or Path(tmp)
        pdfs = to_pdf(books, work)
        reports = [check(book, pdfs[book]) for book in books]
        if png_dir is not None:  # named after the folder too: two folders may share names
            for book, pdf in pdfs.items():
                png(pdf, png_dir, f"{book.parent.name}-{book.stem}")
    return reports


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--png", type=Path, help="write page images here")
    parser.add_argument("--keep", type=Path, help="keep the PDFs here")
    args = parser.parse_args(argv)
    reports = run(args.folders, args.png, args.keep)
    bad = 0
    for r in reports:
        counts = "，".join(f"{k} {v}" for k, v in sorted(r.checked.items()))
        status = "通过" if not r.problems else f"{len(r.problems)} 个问题"
        print(f"{r.workbook}: {r.pages} 页；检查了 {counts}：{status}")
        for p in r.problems[:20]:
            print(f"  - {p}")
        bad += bool(r.problems)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

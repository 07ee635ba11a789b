"""Files -> raw sheets: a head to find the header in, and a body as a frame.

Excel files (.xlsx/.xlsm/.xls) are read with python-calamine, which returns
cells as the spreadsheet stores them (numbers, text, dates). CSV/TXT files
are decoded as UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030, and
their separator is guessed from the first lines.

Row numbers are those a person sees: Excel's row number; for CSV the line
number, the first line being 1.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from recon.errors import InputError, Where

__all__ = ["EXCEL_SUFFIXES", "SUFFIXES", "RawSheet", "read_file"]

EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls"})
TEXT_SUFFIXES = frozenset({".csv", ".txt"})
SUFFIXES = EXCEL_SUFFIXES | TEXT_SUFFIXES
HEAD_ROWS = 40


@dataclass
class RawSheet:
    """One sheet (or a whole CSV file) before the header is known."""

    file: str
    sheet: str
    head: list[list[Any]]  # the first rows, row i is Excel row i + 1
    body: Callable[[int], pd.DataFrame]  # rows from a 0-based index on; column "_row"
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    note: str = ""  # why the sheet cannot hold data (chart sheet...)
    encoding: str = ""
    all_text: bool = False  # every cell is already text (CSV)
    # a text file read with the other separators that fit, best first: tried
    # in turn when no header is found (title lines may outvote the table)
    alternatives: list[RawSheet] = field(default_factory=list)
    source_format: str = ""  # "html" when a spreadsheet-named file was a web page


def read_file(path: Path) -> Iterator[RawSheet]:
    """The raw sheets of one input file, in workbook order."""
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        kind = _sniff_markup(path)
        if kind == "html":
            yield from _read_html(path)
        elif kind == "mhtml":
            yield from _read_mhtml(path)
        elif kind:
            raise InputError(
                _MARKUP_MESSAGES[kind],
                Where(file=path.name),
                "请用 Excel/WPS 打开后另存为 .xlsx 再试",
            )
        else:
            yield from _read_excel(path)
    elif suffix in TEXT_SUFFIXES:
        yield _read_text(path)
    else:
        raise InputError(
            f"不支持的文件类型「{path.suffix}」",
            Where(file=path.name),
            "请另存为 .xlsx、.xls 或 .csv 后再试",
        )


# --- Excel --------------------------------------------------------------------------


def _open_workbook(path: Path) -> Any:
    import python_calamine as pc

    where = Where(file=path.name)
    head = path.read_bytes()[:8]
    if not head:
        raise InputError("文件是空的（0 字节）", where, "请确认选对了文件")
    # an OLE container: a legacy .xls, or an encrypted workbook of any name
    if head.startswith(b"\xd0\xcf\x11\xe0") and _is_encrypted_ole(path):
        raise InputError(
            "工作簿设有打开密码，无法读取", where, "请在 Excel/WPS 中取消密码后另存再试"
        )
    if path.suffix.lower() in {".xlsx", ".xlsm"} and head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
        except zipfile.BadZipFile as exc:
            raise InputError("文件已损坏（压缩包不完整）", where, "请重新导出或另存后再试") from exc
        if "xl/workbook.xml" not in names:
            raise InputError("这不是 Excel 工作簿（压缩包里没有工作表）", where, "请确认文件类型")
    try:
        return pc.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several private error types
        if head.startswith(b"\xd0\xcf\x11\xe0") and _is_encrypted_ole(path):
            raise InputError(
                "工作簿设有打开密码，无法读取", where, "请在 Excel/WPS 中取消密码后另存再试"
            ) from exc
        raise InputError(
            "无法作为 Excel 工作簿打开（文件可能已损坏，或扩展名与内容不符）",
            where,
            "请用 Excel/WPS 打开后另存为 .xlsx 再试",
        ) from exc


def _is_encrypted_ole(path: Path) -> bool:
    data = path.read_bytes()
    return "EncryptedPackage".encode("utf-16-le") in data


def _read_excel(path: Path) -> Iterator[RawSheet]:
    wb = _open_workbook(path)
    metas = {m.name: m for m in wb.sheets_metadata}
    for name in wb.sheet_names:
        meta = metas.get(name)
        if meta is not None and "WorkSheet" not in str(meta.typ):
            yield RawSheet(path.name, name, [], _empty_body, note="图表页或非数据页")
            continue
        try:
            sheet = wb.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
            merged = list(getattr(sheet, "merged_cell_ranges", None) or [])
        except Exception as exc:
            raise InputError(
                "工作表内容无法读取（文件可能已损坏）",
                Where(file=path.name, sheet=name),
                "请用 Excel/WPS 打开后另存再试",
            ) from exc
        # the head starts at the first row with something in it: a table may
        # sit far below an empty top of the sheet
        first = next((i for i, row in enumerate(rows) if any(v not in ("", None) for v in row)), 0)
        yield RawSheet(
            file=path.name,
            sheet=name,
            head=rows[: first + HEAD_ROWS],
            body=_excel_body(rows),
            merged=merged,
        )


def _empty_body(start: int) -> pd.DataFrame:
    return pd.DataFrame({"_row": pd.Series([], dtype="int64")})


def _excel_body(rows: list[list[Any]]) -> Callable[[int], pd.DataFrame]:
    def body(start: int) -> pd.DataFrame:
        part = rows[start:]
        frame = pd.DataFrame(part, dtype=object) if part else pd.DataFrame(dtype=object)
        frame["_row"] = range(start + 1, start + 1 + len(part))
        return frame

    return body


# --- HTML tables named .xls (what police web systems export) ------------------------

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_MARKUP_MESSAGES = {
    "xml": "文件扩展名是 Excel，内容却是 XML 表格（Excel 2003 XML 格式），无法直接读取",
}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)


def _sniff_markup(path: Path) -> str:
    """'html', 'mhtml' or 'xml' when a spreadsheet-named file is one of these; else ''.

    Workbooks start with PK (.xlsx) or an OLE header (.xls); a web page saved
    as .xls starts with '<' (after a BOM or blanks), a single-file web page
    (MHTML) with MIME headers.
    """
    with path.open("rb") as fh:
        head = fh.read(4096)
    if head.startswith((b"PK", b"\xd0\xcf\x11\xe0")) or not head.strip():
        return ""
    start = head
    for bom in _BOMS:
        if start.startswith(bom):
            start = start[len(bom) :]
            break
    if start.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in start[:64]:
        try:  # UTF-16 text
            start = head.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            return ""
    lead = start.lstrip().lower()
    if lead.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        return "xml"
    if lead.startswith(b"<"):
        return "html"
    if lead.startswith(b"mime-version:") or b"\ncontent-type: multipart/related" in lead[:2048]:
        return "mhtml"
    return ""


def _decode_html(data: bytes, declared: str = "") -> tuple[str, str]:
    """The page's text: BOM, then the charset it declares (<meta>), then UTF-8 or GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    m = _META_CHARSET.search(data[:8192])
    name = declared or (m.group(1).decode("ascii").lower() if m else "")
    if name in ("gbk", "gb2312", "gb_2312-80", "x-gbk", "cp936", "euc-cn", "hz-gb-2312"):
        name = "gb18030"  # a superset: a GBK page with a rare character still decodes
    if name:
        try:
            return data.decode(name), name
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace"), "gb18030"


def _html_tables(text: str, where: Where) -> list[list[list[Any]]]:
    """Every table of a page as rows of cell texts (spanned cells repeated).

    pandas' read_html (lxml) does the parsing; each innermost table is read
    on its own so that its cells stay text (an ID or a 户号 "0012" as
    written), header rows included.
    """
    import lxml.html

    try:
        doc = lxml.html.document_fromstring(text)
    except Exception as exc:  # lxml raises ParserError / ValueError on junk
        raise InputError(
            "网页表格无法解析（文件可能已损坏）", where, "请用 Excel/WPS 打开后另存为 .xlsx 再试"
        ) from exc
    out = []
    for table in doc.xpath("//table[not(.//table)]"):
        html = lxml.html.tostring(table, encoding="unicode")
        try:
            (first,) = pd.read_html(io.StringIO(html), flavor="lxml", keep_default_na=False)
            width = first.shape[1]
            (frame,) = pd.read_html(
                io.StringIO(html),
                flavor="lxml",
                keep_default_na=False,
                converters={j: str for j in range(width)},
            )
        except (ValueError, IndexError):  # a table without cells
            continue
        rows: list[list[Any]] = []
        if isinstance(frame.columns, pd.MultiIndex):
            levels = [list(frame.columns.get_level_values(k)) for k in range(frame.columns.nlevels)]
        elif any(
            not str(c).startswith("Unnamed") and not isinstance(c, int) for c in frame.columns
        ):
            levels = [list(frame.columns)]
        else:
            levels = []
        for level in levels:
            rows.append(["" if str(c).startswith("Unnamed:") else str(c).strip() for c in level])
        for values in frame.itertuples(index=False):
            rows.append([_html_cell(v) for v in values])
        if any(any(c for c in r) for r in rows):
            out.append(rows)
    return out


def _html_cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).replace("\xa0", " ").strip()


def _html_sheets(path: Path, tables: list[list[list[Any]]], encoding: str) -> Iterator[RawSheet]:
    where = Where(file=path.name)
    if not tables:
        raise InputError("文件是网页（HTML），但里面没有表格", where, "请确认导出的是数据表")
    # the largest table first: a page may carry a small search form table too
    tables = sorted(tables, key=lambda rows: -len(rows) * max(len(r) for r in rows))
    for k, rows in enumerate(tables):
        first = next((i for i, row in enumerate(rows) if any(v for v in row)), 0)
        yield RawSheet(
            file=path.name,
            sheet="" if len(tables) == 1 else f"表格{k + 1}",
            head=rows[: first + HEAD_ROWS],
            body=_excel_body(rows),
            encoding=encoding,
            source_format="html",
        )


def _read_html(path: Path) -> Iterator[RawSheet]:
    text, encoding = _decode_html(path.read_bytes())
    yield from _html_sheets(path, _html_tables(text, Where(file=path.name)), encoding)


def _read_mhtml(path: Path) -> Iterator[RawSheet]:
    """A single-file web page (.mht saved as .xls): the tables of its HTML parts."""
    import email
    import email.policy

    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    tables: list[list[list[Any]]] = []
    encoding = ""
    for part in msg.walk():
        if part.get_content_type() != "text/html":
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        text, encoding = _decode_html(payload, part.get_content_charset() or "")
        if "<table" in text.lower():
            tables.extend(_html_tables(text, Where(file=path.name)))
    yield from _html_sheets(path, tables, encoding)


# --- CSV / TXT ----------------------------------------------------------------------


def _decode(path: Path) -> tuple[str, str]:
    data = path.read_bytes()
    where = Where(file=path.name)
    if not data.strip():
        raise InputError("文件是空的", where, "请确认选对了文件")
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(
            "文件扩展名是文本（.csv/.txt），内容却是 Excel 工作簿",
            where,
            "请把扩展名改回 .xlsx 或 .xls",
        )
    else:
        try:
            data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "gb18030"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"第 {line} 行有无法识别的字符（既不是 UTF-8 也不是 GBK/GB18030 编码）",
            where,
            "请用 Excel/WPS 打开后另存为「CSV UTF-8」再试",
        ) from exc
    if "\x00" in text[:4096]:
        raise InputError("文件含有二进制内容，不是文本表格", where, "请确认文件类型")
    return text, encoding


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def _lines(text: str) -> Iterator[str]:
    """``text`` line by line (CRLF, LF or a Mac's bare CR), lazily.

    csv.reader joins the lines of a quoted value that spans several.
    """
    for m in _LINE.finditer(text):
        yield m.group()


def _records(text: str, sep: str) -> list[list[str]]:
    """The first records of ``text``; quoted separators and line breaks stay in a value."""
    reader = csv.reader(_lines(text), delimiter=sep)
    records: list[list[str]] = []
    # HEAD_ROWS records after the blank lines at the top; a cell over the csv
    # module's size limit ends the head, the rows before it kept
    seen = 0
    with contextlib.suppress(csv.Error):
        for record in reader:
            records.append(record)
            seen += bool(seen or any(v.strip() for v in record))
            if seen >= HEAD_ROWS:
                break
    return records


def _separators(text: str) -> list[str]:
    """Separators by how many records they give of one common width (>1 column),
    best first; on a tie a tab beats the others, then the order written here.
    Separators that split nothing come last."""
    scored = []
    for order, sep in enumerate((",", "\t", ";", "|")):
        widths = [len(r) for r in _records(text, sep) if any(v.strip() for v in r)]
        top = max(widths, default=1)
        score = sum(1 for w in widths if w == top) if top > 1 else 0
        scored.append((-score, sep != "\t" or score == 0, order, sep))
    return [sep for *_, sep in sorted(scored)]


def _read_text(path: Path) -> RawSheet:
    text, encoding = _decode(path)
    first, *others = _separators(text)
    sheet = _text_sheet(path, text, encoding, first)
    sheet.alternatives = [_text_sheet(path, text, encoding, sep) for sep in others]
    return sheet


@dataclass
class _Lines:
    """The lines of a text file's UTF-8 bytes (broken at CRLF, LF or a bare CR)."""

    seps: np.ndarray  # separators on each line (a last empty line included)
    starts: np.ndarray  # the byte offset where each line starts
    ends_with_break: bool  # the last line is the empty one after a final break
    bare_cr: bool  # a CR not followed by LF breaks a line somewhere


def _lines_at(data: bytes, sep: str) -> _Lines:
    """Where the lines of ``data`` start and how many ``sep`` each holds, on
    whole arrays: neither a line break nor an ASCII separator byte occurs
    inside the bytes of a multi-byte UTF-8 character."""
    b = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(b == 10)  # the last byte of each break: LF, or a bare CR
    cr = np.flatnonzero(b == 13)
    after = cr + 1
    bare = cr[(after >= len(b)) | (b[np.minimum(after, len(b) - 1)] != 10)]
    if len(bare):
        ends = np.union1d(ends, bare)
    bounds = np.concatenate(([0], ends + 1, [len(b)]))
    seps = np.diff(np.searchsorted(np.flatnonzero(b == ord(sep)), bounds))
    return _Lines(
        seps=seps,
        starts=bounds[:-1],
        ends_with_break=bool(len(ends)) and int(ends[-1]) == len(b) - 1,
        bare_cr=bool(len(bare)),
    )


def _arrow_frame(data: bytes, begin: int, sep: str, width: int, start: int) -> pd.DataFrame:
    """Plain separated text (see ``_plain_body``) from byte ``begin`` on as a
    frame of text columns 0..width-1 and "_row", as ``pd.read_csv`` gives
    it: pyarrow's reader, over the bytes in place."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [str(j) for j in range(width)]
    table = pacsv.read_csv(
        pa.BufferReader(pa.py_buffer(data).slice(begin)),
        # one block (a chunk per column, as pandas would make one), up to 1 GB
        read_options=pacsv.ReadOptions(
            column_names=names,
            use_threads=False,
            block_size=min(max(len(data) - begin, 1 << 20), 1 << 30),
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=sep,
            quote_char=False,
            double_quote=False,
            escape_char=False,
            newlines_in_values=False,
            ignore_empty_lines=False,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            null_values=[],
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    frame = table.to_pandas()
    frame.columns = list(range(width))
    frame["_row"] = range(start + 1, start + 1 + len(frame))
    return frame


def _text_sheet(path: Path, text: str, encoding: str, sep: str) -> RawSheet:
    head = _records(text, sep)

    def body(start: int) -> pd.DataFrame:
        # UTF-8 bytes: the C parser's fast path (a text buffer is re-encoded
        # chunk by chunk, ten times slower), and the separators counted on them
        data = text.encode("utf-8")
        # the widest line decides the column count (a quoted separator only
        # adds an empty column), so that no line is refused for being too
        # wide; a record broken over lines by a quoted line break is wider
        # than any of its lines, hence the retry with the width pandas saw
        lines = _lines_at(data, sep)
        width = int(lines.seps.max()) + 1
        width = max(width, *(len(r) for r in head))
        plain = _plain_body(data, lines, start, width)
        if plain is not None:
            return plain
        for _ in range(8):
            try:
                return _parse(data, start, width)
            except pd.errors.ParserError as exc:
                m = re.search(r"saw (\d+)", str(exc))
                if not m or int(m.group(1)) <= width:
                    raise _too_wide(path, str(exc), 0) from exc
                width = int(m.group(1))
        return _parse(data, start, width)

    def _parse(data: bytes, start: int, width: int) -> pd.DataFrame:
        names = list(range(width))
        try:
            frame = pd.read_csv(
                io.BytesIO(data),
                encoding="utf-8",
                sep=sep,
                header=None,
                names=names,
                # no skiprows: pandas counts a bare CR differently while
                # skipping than while reading (a title line "\r0" is one
                # skipped line but two read ones); read all, then slice
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=False,
                engine="c",
                quoting=csv.QUOTE_MINIMAL,
            )
        except pd.errors.EmptyDataError:
            frame = pd.DataFrame(columns=names, dtype=str)
        if start:
            frame = frame.iloc[start:].reset_index(drop=True)
        frame["_row"] = range(start + 1, start + 1 + len(frame))
        return frame

    def _plain_body(data: bytes, lines: _Lines, start: int, width: int) -> pd.DataFrame | None:
        """The body read by pyarrow's CSV reader when it is plain: no quote,
        NUL or bare CR in the file, and every line from ``start`` on (but an
        empty last one) holds ``width`` cells. Each cell is then the text
        between two separators, as pandas reads it too, and line i is row i.
        None when the body is not plain (pandas reads it)."""
        seps = lines.seps[start:]
        if lines.ends_with_break:
            seps = seps[:-1]
        if (
            width < 2
            or not len(seps)
            or (seps != width - 1).any()
            or lines.bare_cr
            or b'"' in data
            or b"\0" in data
        ):
            return None
        begin = int(lines.starts[start])
        if data.startswith(b"\xef\xbb\xbf", begin):  # a BOM pandas would keep
            return None
        return _arrow_frame(data, begin, sep, width, start)

    return RawSheet(
        file=path.name, sheet="", head=head, body=body, encoding=encoding, all_text=True
    )


def _too_wide(path: Path, message: str, start: int) -> InputError:
    return InputError(
        f"表格结构不一致：{_parser_line(message, start)}",
        Where(file=path.name),
        "请检查该行是否多了分隔符，或用 Excel/WPS 打开后另存再试",
    )


def _parser_line(message: str, start: int) -> str:
    m = re.search(r"line (\d+), saw (\d+)", message)
    if m:
        return f"第 {int(m.group(1)) + start} 行的列数（{m.group(2)}）多于表头"
    return "有的行列数多于表头"

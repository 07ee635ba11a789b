"""Bulk cell rows for the workbook, made column by column.

xlsxwriter builds every part of our workbooks -- styles, column widths,
frozen panes, print set-up, header rows, autofilter -- but writing a hundred
thousand rows through it costs ~5 µs a cell in Python. So the data rows of a
big table are made here instead, with whole-column string operations
(pyarrow), in exactly the form xlsxwriter itself writes in constant-memory
mode (inline strings, ``_xHHHH_`` escapes for control characters,
``xml:space`` where spaces lead or trail, the 32,767-character cell limit),
and put into the sheet xlsxwriter wrote, in place of a one-cell placeholder.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["PendingRows", "column_letter", "inject_rows", "placeholder", "rows_xml"]

MAX_CELL = 32_767
_SPECIAL = r"[\x00-\x08\x0b-\x1f]|\x{FFFE}|\x{FFFF}|_x[0-9a-fA-F]{4}_"
_ESCAPE_1 = re.compile("(_x[0-9a-fA-F]{4}_)")
_ESCAPE_2 = re.compile(r"([\x00-\x08\x0b-\x1f])")


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def placeholder(key: int) -> str:
    return f"@@RECON-ROWS-{key}@@"


@dataclass
class PendingRows:
    """Rows to put into a sheet in place of its placeholder."""

    sheet_index: int  # 1-based, as in xl/worksheets/sheetN.xml
    key: int
    first_row: int  # 0-based row of the first data row
    columns: list[np.ndarray]  # one object array per column (str or number)
    kinds: list[str]  # "text" or "number" per column
    styles: list[int]  # xf index per column
    row_styles: np.ndarray | None = None  # xf index per row overriding the column's (-1: none)
    row_heights: np.ndarray | None = None  # points per row (0: Excel's default)
    # per column: write an empty cell as a styled empty cell <c r=".." s=".."/>
    # rather than leaving it out, so that its format (the text format "@" of an
    # ID or phone column) holds where a person types into it later
    keep_empty: list[bool] | None = None


def _control(text: str) -> str:
    """Excel's escapes, as xlsxwriter writes them: "\\0" -> _x0000_ etc."""
    text = _ESCAPE_1.sub(r"_x005F\1", text)
    text = _ESCAPE_2.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)
    return text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")


def _as_text(values: np.ndarray) -> pa.Array:
    try:  # text (or missing) only: straight to arrow, in C
        return pa.array(values, type=pa.string(), from_pandas=True).fill_null("")
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        pass
    s = pd.Series(values, dtype=object).fillna("")
    if not all(isinstance(v, str) for v in s.head(50)):
        s = s.astype(str)
    return pa.array(s.tolist(), type=pa.string())


def _style_attr(style: int, row_styles: np.ndarray | None) -> pa.Array | str:
    if row_styles is None:
        return str(style)
    return pa.array(np.where(row_styles >= 0, row_styles, style).astype(str).tolist())


def _cut(text: str | None) -> str:
    """``text`` cut to Excel's 32,767 UTF-16 units, never inside a surrogate pair."""
    if text is None or len(text) <= MAX_CELL // 2:
        return text or ""
    units = text.encode("utf-16-le")
    if len(units) <= 2 * MAX_CELL:
        return text
    return units[: 2 * MAX_CELL].decode("utf-16-le", errors="ignore")


def _buffers(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Offsets and UTF-8 bytes of a string array without nulls."""
    n = len(text)
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int32)[text.offset : text.offset + n + 1]
    data = text.buffers()[2]
    return offsets, (
        np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    )


_WHITESPACE = np.frombuffer(b"\t\n\f\r ", dtype=np.uint8)  # what \s is to the regex engine


def _text_cells(
    values: np.ndarray, ref: pa.Array, style: pa.Array | str, keep_empty: bool = False
) -> pa.Array:
    """The cells of a text column; an empty text is a missing (null) cell, or
    a styled empty cell with ``keep_empty``."""
    text = _as_text(values)
    # Checks on the raw bytes first: each pass over the texts that changes
    # nothing is skipped (a text's bytes are at least its characters; the
    # characters to escape are ASCII, or the bytes EF BF BE/BF of U+FFFE/F).
    offsets, data = _buffers(text)
    # Excel's limit counts UTF-16 units: a character beyond the BMP (𠮷) is two
    longest = int(np.diff(offsets).max()) if len(text) else 0
    if longest > MAX_CELL // 2 and pc.any(pc.greater(pc.utf8_length(text), MAX_CELL // 2)).as_py():
        text = pa.array([_cut(t) for t in text.to_pylist()], type=pa.string())
    odd = ((data < 0x20) & (data != 0x09) & (data != 0x0A)) | (data == 0x5F) | (data == 0xEF)
    if odd.any() and pc.any(pc.match_substring_regex(text, _SPECIAL)).as_py():
        text = pa.array([_control(t) for t in text.to_pylist()], type=pa.string())
    for raw, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        if (data == ord(raw)).any():
            text = pc.replace_substring(text, raw, entity)
    offsets, data = _buffers(text)
    starts, ends = offsets[:-1], offsets[1:]
    filled = ends > starts
    if not filled.any():
        cell = pa.nulls(len(text), pa.string())
        if not keep_empty:
            return cell
        return pc.binary_join_element_wise('<c r="', ref, '" s="', style, '"/>', "")
    last = len(data) - 1
    preserve = filled & (
        np.isin(data[np.clip(starts, 0, last)], _WHITESPACE)
        | np.isin(data[np.clip(ends - 1, 0, last)], _WHITESPACE)
    )
    t_open = pc.if_else(pa.array(preserve), '<t xml:space="preserve">', "<t>")
    # an empty text is made null (its bytes are none: only the validity
    # bitmap is new), so that its cell comes out null and is left out
    valid = np.concatenate([np.zeros(text.offset, dtype=bool), filled])
    validity = pa.py_buffer(np.packbits(valid, bitorder="little"))
    present = pa.StringArray.from_buffers(
        len(text), text.buffers()[1], text.buffers()[2], validity, offset=text.offset
    )
    cell = pc.binary_join_element_wise(
        '<c r="', ref, '" s="', style, '" t="inlineStr"><is>', t_open, present, "</t></is></c>", ""
    )
    if not keep_empty:
        return cell
    empty = pc.binary_join_element_wise('<c r="', ref, '" s="', style, '"/>', "")
    return pc.coalesce(cell, empty)


def _number_cells(values: np.ndarray, ref: pa.Array, style: pa.Array | str) -> pa.Array:
    nums = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
    ok = nums.notna().to_numpy()
    floats = nums.to_numpy(dtype=float, na_value=0.0)
    whole = (floats == np.floor(floats)) & (np.abs(floats) < 1e15) & ~np.signbit(floats)
    if whole.all():  # counts and row numbers: as "{:.16G}" shows them, in one go
        digits = floats.astype(np.int64).astype(str)
        shown = pa.array(np.where(ok, digits, ""), type=pa.string())
    else:
        shown = pa.array(
            [f"{v:.16G}" if o else "" for v, o in zip(nums.tolist(), ok, strict=True)],
            type=pa.string(),
        )
    cell = pc.binary_join_element_wise(
        '<c r="', ref, '" s="', style, '"><v>', shown, "</v></c>", ""
    )
    return pc.if_else(pa.array(ok), cell, pa.scalar(None, pa.string()))


def rows_xml(rows: PendingRows) -> bytes:
    """The ``<row>`` elements of ``rows``, as UTF-8 bytes."""
    return b"".join(buffer.to_pybytes() for buffer in _rows_buffers(rows))


CHUNK_ROWS = 50_000  # rows made (and held) at a time


def _rows_buffers(rows: PendingRows) -> Iterator[pa.Buffer]:
    """The rows' XML CHUNK_ROWS rows at a time (each row is made from its own
    cells alone, so the pieces end to end are the whole)."""
    n = len(rows.columns[0]) if rows.columns else 0
    for first in range(0, n, CHUNK_ROWS):
        part = slice(first, first + CHUNK_ROWS)
        yield _rows_buffer(
            replace(
                rows,
                first_row=rows.first_row + first,
                columns=[values[part] for values in rows.columns],
                row_styles=None if rows.row_styles is None else rows.row_styles[part],
                row_heights=None if rows.row_heights is None else rows.row_heights[part],
            )
        )


def _rows_buffer(rows: PendingRows) -> pa.Buffer:
    """The ``<row>`` elements of ``rows``, as a buffer of UTF-8 (no copy)."""
    n = len(rows.columns[0]) if rows.columns else 0
    if not n:
        return pa.py_buffer(b"")
    numbers = pa.array(np.arange(rows.first_row + 1, rows.first_row + 1 + n).astype(str).tolist())
    cells = []
    specs = zip(rows.columns, rows.kinds, rows.styles, strict=True)
    keep = rows.keep_empty or [False] * len(rows.columns)
    for j, (values, kind, style) in enumerate(specs):
        ref = pc.binary_join_element_wise(column_letter(j), numbers, "")
        attr = _style_attr(style, rows.row_styles)
        if kind == "number":
            cells.append(_number_cells(values, ref, attr))
        else:
            cells.append(_text_cells(values, ref, attr, keep_empty=keep[j]))
    height: pa.Array | str = ""
    if rows.row_heights is not None:
        heights = np.asarray(rows.row_heights, dtype=float)
        kinds, which = np.unique(heights, return_inverse=True)  # a few heights, many rows
        shown = [f' ht="{h:g}" customHeight="1"' if h > 0 else "" for h in kinds.tolist()]
        height = pa.array(shown, pa.string()).take(pa.array(which.reshape(-1)))
    # a null cell (an empty text, not a number) is left out of its row
    row = pc.binary_join_element_wise(
        '<row r="', numbers, '"', height, ">", *cells, "</row>", "", null_handling="replace"
    )
    if isinstance(row, pa.ChunkedArray):
        row = row.combine_chunks()
    # the rows end to end are exactly the array's value buffer
    offsets = np.frombuffer(row.buffers()[1], dtype=np.int32)[row.offset : row.offset + n + 1]
    return row.buffers()[2][offsets[0] : offsets[-1]]


def inject_rows(path: Path, pending: list[PendingRows]) -> None:
    """Replace each sheet's placeholder row by its rows; fix its dimension.

    A second thread compresses and writes while this one makes the next
    rows (zlib runs without Python's lock); a sheet's rows are made and
    written a chunk at a time, so memory holds a few chunks, not a sheet.
    """
    if not pending:
        return
    by_sheet = {f"xl/worksheets/sheet{p.sheet_index}.xml": p for p in pending}
    tmp = path.with_name(path.name + ".rows")
    with (
        zipfile.ZipFile(path) as src,
        zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="xlsx") as pool,
    ):
        jobs = _InOrder(pool)
        for info in src.infolist():
            data = src.read(info.filename)
            rows = by_sheet.get(info.filename)
            if rows is None:
                level = {"compress_type": zipfile.ZIP_DEFLATED, "compresslevel": 1}
                jobs.put(partial(dst.writestr, info, data, **level))
                continue
            head, tail = _around(data, rows)
            part: list[IO[bytes]] = []  # the open part, for the jobs that follow
            jobs.put(partial(_open_part, dst, info, part))
            jobs.put(partial(_write_piece, part, head))
            for buffer in _rows_buffers(rows):
                jobs.put(partial(_write_piece, part, buffer))
            jobs.put(partial(_write_piece, part, tail))
            jobs.put(partial(_close_part, part))
        jobs.wait()
    shutil.move(tmp, path)


class _InOrder:
    """Jobs run one after another by the pool's one thread; handing over a
    job waits for all but the last handed over (memory: two at most)."""

    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self.pool = pool
        self.last: Future[None] | None = None

    def put(self, job: Callable[[], None]) -> None:
        if self.last is not None:
            self.last.result()
        self.last = self.pool.submit(job)

    def wait(self) -> None:
        if self.last is not None:
            self.last.result()


def _open_part(dst: zipfile.ZipFile, info: zipfile.ZipInfo, part: list[IO[bytes]]) -> None:
    """Open a part to write, as xlsxwriter wrote it (deflated at level 1)."""
    entry = zipfile.ZipInfo(info.filename, info.date_time)
    entry.compress_type = zipfile.ZIP_DEFLATED
    # the level of one entry: public from Python 3.13, the same slot before
    setattr(entry, "compress_level" if hasattr(entry, "compress_level") else "_compresslevel", 1)
    entry.external_attr = info.external_attr
    part.append(dst.open(entry, "w"))


def _write_piece(part: list[IO[bytes]], piece: bytes | pa.Buffer) -> None:
    part[0].write(piece if isinstance(piece, bytes) else memoryview(piece))


def _close_part(part: list[IO[bytes]]) -> None:
    part.pop().close()


def _around(xml: bytes, rows: PendingRows) -> tuple[bytes, bytes]:
    """The sheet before and after its placeholder row, its dimension fixed."""
    marker = placeholder(rows.key).encode()
    at = xml.find(marker)
    if at < 0:
        raise RuntimeError(f"placeholder {rows.key} not found")
    start = xml.rfind(b"<row ", 0, at)
    end = xml.find(b"</row>", at) + len(b"</row>")
    last_row = rows.first_row + (len(rows.columns[0]) if rows.columns else 0)
    last_col = column_letter(max(len(rows.columns) - 1, 0))
    dimension = f'<dimension ref="A1:{last_col}{last_row}"/>'.encode()
    # the dimension comes before the rows: only the head is searched
    head = re.sub(rb'<dimension ref="[^"]*"/>', dimension, xml[:start], count=1)
    return head, xml[end:]

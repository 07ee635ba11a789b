"""CSV files for scripts and checks: UTF-8 with a BOM, injection-safe.

Written by `recon match` and the later commands, read back by every command
that works on a result folder (through :class:`recon.resultdir.ResultFolder`).
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

__all__ = [
    "BackgroundWriter",
    "frame_table",
    "guarded",
    "neutralise",
    "read_csv",
    "write_csv",
]

# A cell a spreadsheet would read as a formula (OWASP "CSV injection").
_FORMULA_START = r"^[=+\-@\t\r]"
BOM = "\ufeff".encode()


_FORMULA_BYTES = np.frombuffer(b"=+-@\t\r", dtype=np.uint8)


def _first_bytes(values: pa.Array) -> np.ndarray | None:
    """The first byte of each text (0 for an empty or missing one), read from
    the array's buffers; None for an array that is not plain UTF-8."""
    if not pa.types.is_string(values.type) or isinstance(values, pa.ChunkedArray):
        return None
    n = len(values)
    _, offsets_buf, data_buf = values.buffers()
    if data_buf is None or not n or data_buf.size == 0:
        return np.zeros(n, dtype=np.uint8)
    offsets = np.frombuffer(offsets_buf, dtype=np.int32)[values.offset : values.offset + n + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8)
    starts = offsets[:-1]
    first = data[np.minimum(starts, data.size - 1)]
    first = np.where(offsets[1:] > starts, first, 0)
    if values.null_count:
        first = np.where(values.is_valid().to_numpy(zero_copy_only=False), first, 0)
    return first


def neutralise(values: pa.Array) -> pa.Array:
    """Prefix text that a spreadsheet would take for a formula with a quote."""
    first = _first_bytes(values)
    if first is not None:  # the risky characters are ASCII: one byte tells
        at = np.isin(first, _FORMULA_BYTES)
        if not at.any():
            return values
        risky: pa.Array = pa.array(at)
    else:
        risky = pc.match_substring_regex(values, _FORMULA_START)
        if not pc.any(risky).as_py():
            return values
    return pc.if_else(risky, pc.binary_join_element_wise("'", values, ""), values)


def _column(values: pd.Series) -> pa.Array:
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        return pa.array(values, from_pandas=True)  # NaN -> null -> an empty field
    if isinstance(values.dtype, pd.StringDtype):
        text = pa.array(values, type=pa.string())
    else:
        try:  # object columns of text: straight to arrow, in C
            text = pa.array(values.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # something not text in it
            text = pa.array(values.astype(str).tolist(), type=pa.string())
    return neutralise(pc.fill_null(text, ""))


def read_csv(path: Path) -> pd.DataFrame:
    """One of our own CSV files back, as text, the formula guard undone."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for col in frame.columns:
        values = frame[col]
        guarded = values.str.match(r"^'[=+\-@\t\r]")
        if guarded.any():
            frame[col] = values.where(~guarded, values.str.slice(1))
    return frame


def frame_table(frame: pd.DataFrame) -> pa.Table:
    """``frame`` as the Arrow table :func:`write_csv` writes (text guarded)."""
    return pa.table({str(c): _column(frame[c]) for c in frame.columns})


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path``: UTF-8 with BOM, a header line, CRLF.

    Text cells that a spreadsheet would read as a formula (= + - @ tab CR)
    get a leading quote; numbers stay numbers (a score of -3.5 is no formula).
    """
    _write([frame_table(frame)], path)


def guarded(table: pa.Table) -> pa.Table:
    """``table`` with every text column formula-guarded, missing text empty."""
    for j, field in enumerate(table.schema):
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            column = table.column(j)
            safe = [
                neutralise(pc.fill_null(chunk, "") if chunk.null_count else chunk)
                for chunk in column.chunks
            ]
            table = table.set_column(j, field, pa.chunked_array(safe, field.type))
    return table


_OPTIONS = pacsv.WriteOptions(eol="\r\n", quoting_header="none")


def _write(parts: Iterable[pa.Table], path: Path) -> None:
    with path.open("wb") as fh:
        fh.write(BOM)
        writer: pacsv.CSVWriter | None = None
        for part in parts:
            if writer is None:
                writer = pacsv.CSVWriter(fh, part.schema, write_options=_OPTIONS)
            writer.write_table(part)
        if writer is not None:
            writer.close()


class BackgroundWriter:
    """CSV files written by a second thread while this one makes the next
    table: Arrow formats and writes without Python's lock, so on two cores
    the writing costs next to nothing. Tables go in already guarded
    (:func:`frame_table`, :func:`guarded`); the parts of one file in order.

        with BackgroundWriter() as out:
            out.write(path, table)            # a whole file
            out.part(path, table)             # a file in parts ...
            out.end(path)                     # ... and its end

    At most ``pending`` tables wait to be written: handing over one more
    waits for the oldest, so that memory holds a few parts, never a file.
    """

    def __init__(self, pending: int = 2) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="csv")
        self._jobs: list[Future[None]] = []
        self._open: dict[Path, tuple[BinaryIO, pacsv.CSVWriter]] = {}
        self._pending = max(pending, 1)

    def write(self, path: Path, table: pa.Table) -> None:
        self.part(path, table)
        self.end(path)

    def part(self, path: Path, table: pa.Table) -> None:
        waiting = [job for job in self._jobs if not job.done()]
        if len(waiting) >= self._pending:
            waiting[-self._pending].result()  # raises what writing it raised
        self._jobs.append(self._pool.submit(self._part, path, table))

    def end(self, path: Path) -> None:
        self._jobs.append(self._pool.submit(self._end, path))

    def _part(self, path: Path, table: pa.Table) -> None:
        if path not in self._open:
            fh = path.open("wb")
            fh.write(BOM)
            self._open[path] = (fh, pacsv.CSVWriter(fh, table.schema, write_options=_OPTIONS))
        self._open[path][1].write_table(table)

    def _end(self, path: Path) -> None:
        if path not in self._open:  # no part came: an empty file
            path.write_bytes(BOM)
            return
        fh, writer = self._open.pop(path)
        writer.close()
        fh.close()

    def wait(self) -> None:
        """Until every file is written; raises what writing one raised."""
        try:
            for job in self._jobs:
                job.result()
        finally:
            self._jobs.clear()
            for fh, _ in self._open.values():
                fh.close()
            self._open.clear()

    def __enter__(self) -> BackgroundWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.wait()
        finally:
            self._pool.shutdown(wait=True)

"""CSV files for scripts and checks: UTF-8 with a BOM, injection-safe.

Written by `recon match` and the later commands, read back by every command
that works on a result folder (through :class:`recon.resultdir.ResultFolder`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

__all__ = ["neutralise", "read_csv", "write_csv", "write_tables"]

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


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path``: UTF-8 with BOM, a header line, CRLF.

    Text cells that a spreadsheet would read as a formula (= + - @ tab CR)
    get a leading quote; numbers stay numbers (a score of -3.5 is no formula).
    """
    _write([pa.table({str(c): _column(frame[c]) for c in frame.columns})], path)


def _guarded(table: pa.Table) -> pa.Table:
    for j, field in enumerate(table.schema):
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            column = table.column(j)
            safe = [neutralise(pc.fill_null(chunk, "")) for chunk in column.chunks]
            table = table.set_column(j, field, pa.chunked_array(safe, field.type))
    return table


def write_tables(parts: Iterable[pa.Table], path: Path) -> None:
    """Write Arrow tables of one schema to ``path`` one after another, as one
    CSV file the way :func:`write_csv` writes a frame (a missing text is an
    empty field). Straight from Arrow: a million rows are never a frame, and
    only one part need be in memory at a time."""
    _write((_guarded(part) for part in parts), path)


def _write(parts: Iterable[pa.Table], path: Path) -> None:
    options = pacsv.WriteOptions(eol="\r\n", quoting_header="none")
    with path.open("wb") as fh:
        fh.write(BOM)
        writer: pacsv.CSVWriter | None = None
        for part in parts:
            if writer is None:
                writer = pacsv.CSVWriter(fh, part.schema, write_options=options)
            writer.write_table(part)
        if writer is not None:
            writer.close()

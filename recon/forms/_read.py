"""Reading filled forms back: every line of every sheet that shows the form's
header, with its place (file, sheet, the row Excel shows), its key and the
text of every column the form knows; the hidden record sheet; and each file's
fingerprint (so that a copy given twice is noticed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from recon.errors import InputError, Where
from recon.forms._spec import FormSpec
from recon.loaders import (
    EXCEL_SUFFIXES,
    RawSheet,
    cell_text,
    collect_files,
    file_sha256,
    id_cell,
    read_file,
)

__all__ = ["FilledForm", "read_form"]

PLACE = ["file", "sheet", "row"]


@dataclass
class FilledForm:
    """What the filled copies of one form hold."""

    rows: pd.DataFrame  # file, sheet, row, key, one text column per header found, numeric
    records: pd.DataFrame  # the hidden record sheets of every copy (duplicates dropped)
    hidden: dict[str, pd.DataFrame] = field(default_factory=dict)  # the other hidden sheets
    files: list[Path] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)  # file name -> SHA-256
    problems: list[dict[str, Any]] = field(default_factory=list)


def _table(raw: RawSheet) -> pd.DataFrame:
    """A hidden sheet as text: its first row the header."""
    body = raw.body(0)
    cols = [c for c in body.columns if c != "_row"]
    if body.empty or not cols:
        return pd.DataFrame()
    text = body[cols].map(cell_text)
    header = [str(v) for v in text.iloc[0].tolist()]
    data = text.iloc[1:]
    data = data[(data != "").any(axis=1)]
    frame = pd.DataFrame(data.to_numpy(), columns=header)
    return frame.loc[:, [h for h in header if h]].astype(object)


def _header(raw: RawSheet, needed: tuple[str, ...]) -> tuple[int, dict[str, int]] | None:
    for i, row in enumerate(raw.head):
        labels: dict[str, int] = {}
        for j, v in enumerate(row):
            text = cell_text(v)
            if text and text not in labels:
                labels[text] = j
        if all(n in labels for n in needed):
            return i, labels
    return None


def read_form(spec: FormSpec, paths: list[Path]) -> FilledForm:
    """Every filled copy of ``spec`` among ``paths`` (files or folders)."""
    out = FilledForm(rows=pd.DataFrame(), records=pd.DataFrame())
    frames: list[pd.DataFrame] = []
    records: list[pd.DataFrame] = []
    hidden_names = {spec.record_sheet, *spec.extra_sheets}
    id_headers = [c.header for c in spec.columns if c.kind == "id"]
    for path in collect_files(paths):
        if path.suffix.lower() not in EXCEL_SUFFIXES:
            raise InputError(
                f"「{spec.workbook}」应为 Excel 工作簿（.xlsx 或 .xls）",
                Where(file=path.name),
                "请用 recon 生成的文件，在 Excel/WPS 中填好后直接保存",
            )
        out.files.append(path)
        out.digests[path.name] = file_sha256(path)
        found = False
        for raw in read_file(path):
            if raw.sheet in hidden_names:
                table = _table(raw)
                if raw.sheet == spec.record_sheet:
                    records.append(table)
                else:
                    out.hidden[raw.sheet] = pd.concat(
                        [out.hidden.get(raw.sheet, pd.DataFrame()), table], ignore_index=True
                    )
                continue
            header = _header(raw, spec.needed())
            if header is None:
                continue
            found = True
            head, labels = header
            body = raw.body(head + 1)
            if body.empty:
                continue
            data: dict[str, Any] = {
                "file": path.name,
                "sheet": raw.sheet,
                "row": body["_row"].astype("int64").to_numpy(),
            }
            for c in spec.columns:
                j = labels.get(c.header)
                if j is None or j not in body.columns:
                    continue
                cells = body[j].tolist()
                if c.header in id_headers:
                    pairs = [id_cell(v) for v in cells]
                    data[c.header] = [p[0] for p in pairs]
                    data[c.header + "#numeric"] = [p[1] for p in pairs]
                else:
                    data[c.header] = [cell_text(v) for v in cells]
            frame = pd.DataFrame(data)
            text_cols = [c for c in frame.columns if c not in PLACE and not c.endswith("#numeric")]
            filled = (frame[text_cols] != "").any(axis=1) if text_cols else None
            frame = frame[filled] if filled is not None else frame.iloc[:0]
            frame = frame.rename(columns={spec.key: "key"})
            frames.append(frame)
        if not found:
            out.problems.append(
                {
                    "file": path.name,
                    "sheet": "",
                    "row": 0,
                    "column": "",
                    "problem": f"没有找到{spec.workbook.removesuffix('.xlsx')}"
                    f"（表头应含「{'」「'.join(spec.needed())}」）",
                }
            )
    empty = pd.DataFrame(columns=[*PLACE, "key"])
    out.rows = pd.concat(frames, ignore_index=True) if frames else empty
    if "key" not in out.rows:
        out.rows["key"] = ""
    out.rows = out.rows.fillna("").astype(object)
    if records:
        first = records[0].columns[0] if len(records[0].columns) else None
        joined = pd.concat(records, ignore_index=True)
        out.records = joined.drop_duplicates(first) if first else joined
    return out

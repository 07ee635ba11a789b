"""Reading filled forms back: every line of every sheet that shows a form's
header, with its place (file, sheet, the row Excel shows), its key and the
text of every column the form knows (ID-like columns also say whether the
cell was a number); the hidden record sheet; which sheets of which files
were read as the form; and each file's fingerprint -- a copy given twice
(the same bytes) is read once."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
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

__all__ = ["NUMERIC", "FilledForm", "FormLine", "FormSheet", "read_form"]

PLACE = ["file", "sheet", "row"]
NUMERIC = "#numeric"  # "<header>#numeric": the ID-like cell was a number (digits may be lost)


@dataclass(frozen=True)
class FormSheet:
    """One sheet of one file read as a form."""

    file: str
    sheet: str
    form: str  # the form's workbook name (which of several forms it showed)


class FormLine:
    """One line of a filled form: ``line(header)`` is a cell's text ("" when
    the sheet has no such column), ``line.numeric(header)`` whether an ID-like
    cell was a number (its digits beyond 15 lost)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def __call__(self, header: str) -> str:
        value = self.values.get(header, "")
        return value if isinstance(value, str) else str(value or "")

    def __contains__(self, header: str) -> bool:
        return header in self.values

    def numeric(self, header: str) -> bool:
        return bool(self.values.get(header + NUMERIC, False))

    @property
    def key(self) -> str:
        return self("key")

    @property
    def form(self) -> str:
        return self("form")

    @property
    def where(self) -> tuple[str, str, int]:
        """file, sheet, and the row Excel shows."""
        return self("file"), self("sheet"), int(self.values["row"])


@dataclass
class FilledForm:
    """What the filled copies of one form hold."""

    # file, sheet, row, key, form, one text column per header found, and
    # "<header>#numeric" for ID-like columns; every line with anything in it
    # (headings, lines inserted anywhere), in the order read
    rows: pd.DataFrame
    records: pd.DataFrame  # the hidden record sheets of every copy (duplicates dropped)
    hidden: dict[str, pd.DataFrame] = field(default_factory=dict)  # the other hidden sheets
    files: list[Path] = field(default_factory=list)  # read (a second identical copy is not)
    digests: dict[str, str] = field(default_factory=dict)  # file name -> SHA-256
    problems: list[dict[str, Any]] = field(default_factory=list)
    sheets: list[FormSheet] = field(default_factory=list)  # every sheet showing a header
    same_as: dict[str, str] = field(default_factory=dict)  # skipped file -> the identical one read
    record_files: list[str] = field(default_factory=list)  # files whose record sheet had rows

    def lines(self) -> Iterator[FormLine]:
        """Every line read, in order."""
        names = [str(c) for c in self.rows.columns]
        columns = [self.rows[c].tolist() for c in self.rows.columns]
        for values in zip(*columns, strict=True):
            yield FormLine(dict(zip(names, values, strict=True)))


def _table(raw: RawSheet) -> pd.DataFrame:
    """A hidden sheet as text: its first row the header."""
    body = raw.body(0)
    cols = [c for c in body.columns if c != "_row"]
    if body.empty or not cols:
        return pd.DataFrame()
    text = [[cell_text(v) for v in row] for row in body[cols].to_numpy(dtype=object).tolist()]
    header = text[0]
    data = [row for row in text[1:] if any(row)]
    keep = [j for j, h in enumerate(header) if h]
    return pd.DataFrame(
        [[row[j] for j in keep] for row in data], columns=[header[j] for j in keep], dtype=object
    )


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


def _shown_form(
    raw: RawSheet, specs: tuple[FormSpec, ...]
) -> tuple[FormSpec, int, dict[str, int]] | None:
    """The first form whose header the sheet shows, the header's row and its labels."""
    for spec in specs:
        header = _header(raw, spec.needed())
        if header is not None:
            return spec, *header
    return None


def _lines(spec: FormSpec, raw: RawSheet, head: int, labels: dict[str, int]) -> pd.DataFrame:
    """The lines below the header with anything in them."""
    body = raw.body(head + 1)
    if body.empty:
        return pd.DataFrame()
    text: dict[str, list[str]] = {}
    numeric: dict[str, list[bool]] = {}
    for c in spec.columns:
        j = labels.get(c.header)
        if j is None or j not in body.columns:
            continue
        cells = body[j].tolist()
        if c.kind == "id":
            pairs = [id_cell(v) for v in cells]
            text[c.header] = [p[0] for p in pairs]
            numeric[c.header + NUMERIC] = [p[1] for p in pairs]
        else:
            text[c.header] = [cell_text(v) for v in cells]
    if not text:
        return pd.DataFrame()
    keep = [i for i, cells in enumerate(zip(*text.values(), strict=True)) if any(cells)]
    rows = body["_row"].tolist()
    data: dict[str, list[Any]] = {
        "file": [raw.file] * len(keep),
        "sheet": [raw.sheet] * len(keep),
        "row": [int(rows[i]) for i in keep],
        **{h: [v[i] for i in keep] for h, v in text.items()},
        **{h: [v[i] for i in keep] for h, v in numeric.items()},
        "form": [spec.workbook] * len(keep),
    }
    return pd.DataFrame(data, dtype=object).rename(columns={spec.key: "key"})


def _not_found(spec: FormSpec) -> str:
    needed = spec.needed()
    shown = "」「".join(needed[:2])
    more = "等" if len(needed) > 2 else ""
    return f"没有找到{Path(spec.workbook).stem}（表头应含「{shown}」{more}列）"


def read_form(spec: FormSpec | Sequence[FormSpec], paths: list[Path]) -> FilledForm:
    """Every filled copy of ``spec`` among ``paths`` (files or folders).

    ``spec`` may be several forms read alike (入户核查单 and 人户分离核查单):
    each sheet is read as the first whose header it shows (``form`` says
    which). A file without any is listed in ``problems``; a file with the
    same bytes as one read before is not read again (``same_as``).
    """
    specs = (spec,) if isinstance(spec, FormSpec) else tuple(spec)
    first = specs[0]
    out = FilledForm(rows=pd.DataFrame(), records=pd.DataFrame())
    frames: list[pd.DataFrame] = []
    records: list[pd.DataFrame] = []
    record_names = {s.record_sheet for s in specs}
    hidden_names = record_names | {h for s in specs for h in s.extra_sheets}
    read: dict[str, str] = {}  # sha256 -> the file read
    for path in collect_files(paths):
        if path.suffix.lower() not in EXCEL_SUFFIXES:
            raise InputError(
                f"「{first.workbook}」应为 Excel 工作簿（.xlsx 或 .xls）",
                Where(file=path.name),
                "请用 recon 生成的文件，在 Excel/WPS 中填好后直接保存",
            )
        sha = file_sha256(path)
        if sha in read:
            out.same_as[path.name] = read[sha]
            continue
        read[sha] = path.name
        out.files.append(path)
        out.digests[path.name] = sha
        found = False
        for raw in read_file(path):
            if raw.sheet in hidden_names:
                table = _table(raw)
                if raw.sheet in record_names:
                    records.append(table)
                    if len(table) and path.name not in out.record_files:
                        out.record_files.append(path.name)
                else:
                    out.hidden[raw.sheet] = pd.concat(
                        [out.hidden.get(raw.sheet, pd.DataFrame()), table], ignore_index=True
                    )
                continue
            shown = _shown_form(raw, specs)
            if shown is None:
                continue
            found = True
            form, head, labels = shown
            out.sheets.append(FormSheet(path.name, raw.sheet, form.workbook))
            frame = _lines(form, raw, head, labels)
            if len(frame):
                frames.append(frame)
        if not found:
            problem = _not_found(first)
            out.problems.append(
                {"file": path.name, "sheet": "", "row": 0, "column": "", "problem": problem}
            )
    empty = pd.DataFrame(columns=[*PLACE, "key", "form"])
    out.rows = pd.concat(frames, ignore_index=True) if frames else empty
    if "key" not in out.rows:
        out.rows["key"] = ""
    out.rows = out.rows.fillna("").astype(object)
    if records:
        joined = pd.concat(records, ignore_index=True)
        key = joined.columns[0] if len(joined.columns) else None
        out.records = joined.drop_duplicates(key) if key else joined
    return out

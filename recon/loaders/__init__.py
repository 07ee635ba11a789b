"""Loaders: files and folders -> person records with provenance.

``load(paths, side)`` reads every ``.xlsx``/``.xls``/``.csv``/``.txt`` file
given (folders recursively, in sorted order), finds each sheet's header below
title and info rows, maps columns through the header synonyms, skips blank,
合计 and note rows (counting them), and returns one record per person row:

* provenance: ``side``, ``file`` (basename), ``sheet`` ("" for CSV), ``row``
  (the row number a person sees);
* raw canonical fields (``name_raw``, ``id_number``, ``address``, ...);
* normalised keys (``name_key``, ``id``, ``id_kind``, ``addr_key``, ...);
* ``active`` (system records: the status says it is not cancelled).

Columns taken for no field are kept, by their own headers, in
``LoadResult.originals``; a mapped column's raw text is in the records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from recon.errors import InputError, Where
from recon.files import file_sha256
from recon.loaders._prepare import (
    FINDINGS,
    HUKOU_COLUMNS,
    PROBLEM_COLUMNS,
    HukouParts,
    hukou_columns,
    hukou_parts,
    prepare_records,
)
from recon.loaders._readers import EXCEL_SUFFIXES, SUFFIXES, RawSheet, read_file
from recon.loaders._sheet import (
    SKIP_REASONS,
    ColumnInfo,
    SheetData,
    SheetReport,
    cell_text,
    committee_key,
    id_cell,
    read_sheet,
)
from recon.resultdir import MATCH_TABLES, SUMMARY
from recon.rules import Rules, load_rules

__all__ = [
    "EXCEL_SUFFIXES",
    "FINDINGS",
    "HUKOU_COLUMNS",
    "PROBLEM_COLUMNS",
    "SKIP_REASONS",
    "ColumnInfo",
    "FileInfo",
    "HukouParts",
    "LoadResult",
    "RawSheet",
    "SheetReport",
    "cell_text",
    "collect_files",
    "committee_key",
    "file_sha256",
    "hukou_columns",
    "hukou_parts",
    "id_cell",
    "load",
    "read_file",
]

# Files that are never inputs: Office lock files, our own results.
_IGNORED_PREFIXES = ("~$", ".~", ".")


@dataclass
class FileInfo:
    name: str  # as written in outputs: the basename (or a relative path if two collide)
    path: Path
    sha256: str
    size: int
    sheets: list[SheetReport] = field(default_factory=list)


@dataclass
class LoadResult:
    side: str
    records: pd.DataFrame
    files: list[FileInfo]
    originals: dict[tuple[str, str], pd.DataFrame]
    problems: pd.DataFrame
    errors: list[InputError] = field(default_factory=list)  # files skipped (strict=False)

    @property
    def sheets(self) -> list[SheetReport]:
        return [s for f in self.files for s in f.sheets]

    @property
    def rows_read(self) -> int:
        return len(self.records)


def collect_files(paths: Iterable[Path | str]) -> list[Path]:
    """Every input file named or inside a named folder (recursively, sorted)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if not p.exists():
            raise InputError("找不到这个文件或文件夹", Where(file=str(p)), "请检查路径是否写对")
        if p.is_dir():
            found = sorted(
                (
                    f
                    for f in p.rglob("*")
                    if f.is_file()
                    and f.suffix.lower() in SUFFIXES
                    and not f.name.startswith(_IGNORED_PREFIXES)
                    and not _inside_result(f, p)
                ),
                key=lambda f: f.relative_to(p).as_posix(),
            )
            if not found:
                raise InputError(
                    "文件夹里没有可读取的表格文件（.xlsx、.xls、.csv、.txt）",
                    Where(file=str(p)),
                    "请检查文件夹是否选对",
                )
            out.extend(found)
        else:
            out.append(p)
    seen: set[Path] = set()
    unique = []
    for f in out:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def _inside_result(f: Path, root: Path) -> bool:
    """A file inside a recon result folder (it has a summary.json of ours)."""
    for parent in f.relative_to(root).parents:
        folder = root / parent
        if (folder / SUMMARY).is_file() and (folder / MATCH_TABLES["matches"]).is_file():
            return True
    return False


def _display_names(files: Sequence[Path]) -> list[str]:
    names = [f.name for f in files]
    if len(set(names)) == len(names):
        return names
    counts = {n: names.count(n) for n in names}
    out = []
    for f in files:
        if counts[f.name] > 1:
            out.append(f"{f.parent.name}/{f.name}")
        else:
            out.append(f.name)
    return out


def load(
    paths: Iterable[Path | str] | Path | str,
    side: str = "field",
    rules: Rules | None = None,
    mapping: Path | None = None,
    on_file: Callable[[str], None] | None = None,
    strict: bool = True,
    hukou: bool = True,
) -> LoadResult:
    """Read files/folders of one side (``"field"`` or ``"system"``).

    ``strict``: a file that cannot be read, or of which no sheet holds
    people, is an error (exit 1); otherwise the error is collected in
    ``LoadResult.errors`` and the other files are still read (``recon inspect``).
    ``hukou=False``: without the hukou columns (see ``prepare_records``).
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    rules = rules or load_rules(mapping)
    files = collect_files(paths)
    names = _display_names(files)
    infos: list[FileInfo] = []
    frames: list[pd.DataFrame] = []
    originals: dict[tuple[str, str], pd.DataFrame] = {}
    labels: dict[tuple[str, str, str], str] = {}
    errors: list[InputError] = []
    for path, name in zip(files, names, strict=True):
        try:
            info, part = _load_file(path, name, side, rules)
        except InputError as exc:
            if strict:
                raise
            errors.append(exc)
            continue
        finally:
            if on_file:  # after the file: a progress bar then counts files done
                on_file(name)
        infos.append(info)
        for key, data in part.items():
            frames.append(data.records)
            originals[key] = data.originals
            for col in data.report.columns:
                if col.field:
                    labels.setdefault((key[0], key[1], col.field), col.header)
    if frames:
        records = pd.concat(frames, ignore_index=True)
        text_cols = [c for c in records.columns if c not in ("row", "id_numeric")]
        records[text_cols] = records[text_cols].fillna("")
        records["id_numeric"] = records["id_numeric"].fillna(False).astype(bool)
    else:
        records = pd.DataFrame(
            columns=[
                "file",
                "sheet",
                "row",
                "name",
                "id_number",
                "id_numeric",
                "sex",
                "address",
                "hukou_address",
                "phone",
                "committee",
            ]
        )
    records.insert(0, "side", side)
    records, problems = prepare_records(records, side, rules.status, labels, hukou=hukou)
    return LoadResult(
        side=side,
        records=records,
        files=infos,
        originals=originals,
        problems=problems,
        errors=errors,
    )


def _load_file(
    path: Path, name: str, side: str, rules: Rules
) -> tuple[FileInfo, dict[tuple[str, str], SheetData]]:
    """One file: its report and the sheets that hold people (all or nothing)."""
    info = FileInfo(name=name, path=path, sha256=file_sha256(path), size=path.stat().st_size)
    part: dict[tuple[str, str], SheetData] = {}
    for raw in read_file(path):
        raw.file = name
        data = read_sheet(raw, rules.headers, side, path.stem)
        for other in raw.alternatives if not data.report.read else []:
            other.file = name
            tried = read_sheet(other, rules.headers, side, path.stem)
            if tried.report.read:
                data = tried
                break
        info.sheets.append(data.report)
        if data.report.read:
            _check_columns(data.report)
            part[(name, raw.sheet)] = data
    if not any(s.read for s in info.sheets):
        notes = "；".join(
            (f"工作表「{s.sheet}」：{s.note}" if s.sheet else s.note) for s in info.sheets if s.note
        )
        raise InputError(
            f"没有找到人员表（{notes or '没有内容'}）",
            Where(file=name),
            "表头需含「姓名」「身份证号」等列名；如列名不同，请用 --mapping 指定映射文件",
        )
    return info, part


def _check_columns(report: SheetReport) -> None:
    """Note a missing address column: matching then leans on names and IDs."""
    if "address" in report.missing(("address",)):
        missing = "未找到现居住地址列：只能按姓名和身份证号核对，请检查列名或用 --mapping 指定"
        report.note = f"{report.note}；{missing}" if report.note else missing

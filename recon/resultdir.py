"""A result folder: the one owner of its file names, its manifest and its tables.

``recon match`` writes a folder; seven later commands read it back
(worklist, results, audit, sample, progress, verify, redact). Every file
name of such a folder is defined here once, the manifest (``summary.json``)
is read and checked here once, and tables are read and written through
:class:`ResultFolder`, so that no command knows another's private names::

    folder = ResultFolder.open(path)              # "not a result folder" -> InputError
    to_visit = folder.table("system_only")        # system_only.csv as text columns
    folder.summary["outcomes"]["field"]

Writers write into a staged folder through the same class
(``ResultFolder(tmp).write_table("matches", frame)``), so reading and writing
agree on every name.
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from recon.csvio import read_csv, write_csv
from recon.errors import InputError, Where
from recon.files import file_sha256

__all__ = [
    "AUDIT_CSV",
    "AUDIT_WORKBOOK",
    "CHECK_WORKBOOK",
    "FILLED_FORMS",
    "HOUSES_CSV",
    "HOUSES_WORKBOOK",
    "HOUSE_FORM_WORKBOOK",
    "HOUSE_PROGRESS_CSV",
    "LEDGER",
    "MATCH_TABLES",
    "PROGRESS_CSV",
    "PROGRESS_WORKBOOK",
    "RESIDENTS_CSV",
    "RESULTS_WORKBOOK",
    "REVIEW_WORKBOOK",
    "SEP_FORMS_WORKBOOK",
    "SEP_PDF_FOLDER",
    "SEP_WORKLIST",
    "SUMMARY",
    "VISITS",
    "VISIT_PDF_FOLDER",
    "VISIT_WORKBOOK",
    "WORKBOOK",
    "ResultFolder",
    "is_our_result",
]

SUMMARY = "summary.json"

# --- recon match ---------------------------------------------------------------
MATCH_TABLES = {
    "matches": "matches.csv",
    "field_only": "field_only.csv",
    "system_only": "system_only.csv",
    "review": "review.csv",
    "problems": "problems.csv",
    "duplicates": "duplicates.csv",
    "differences": "differences.csv",
}
LEDGER = "rows.csv"  # every input row and its outcome
WORKBOOK = "核对结果.xlsx"
VISIT_WORKBOOK = "入户核查单.xlsx"
VISIT_PDF_FOLDER = "入户核查单PDF"
REVIEW_WORKBOOK = "待人工确认单.xlsx"
SEP_WORKLIST = "人户分离核查单.xlsx"
SEP_PDF_FOLDER = "人户分离核查单PDF"
SEP_FORMS_WORKBOOK = "人户分离采集表.xlsx"

# --- recon results --------------------------------------------------------------
VISITS = "visits.csv"
RESULTS_WORKBOOK = "核查结果汇总.xlsx"

# --- recon audit / sample / progress (written into a match folder by default) ---
AUDIT_CSV = "audit.csv"
AUDIT_WORKBOOK = "考核统计.xlsx"
CHECK_WORKBOOK = "抽查单.xlsx"
PROGRESS_CSV = "进度表.csv"
PROGRESS_WORKBOOK = "进度表.xlsx"

# --- recon houses (written into a match folder by default) -----------------------
HOUSES_CSV = "houses.csv"
RESIDENTS_CSV = "residents.csv"
HOUSES_WORKBOOK = "房屋清册.xlsx"
HOUSE_PROGRESS_CSV = "房屋进度表.csv"
HOUSE_FORM_WORKBOOK = "居住房屋基础信息核对表.xlsx"

# Sheets a person fills in by hand: never overwritten once changed.
FILLED_FORMS = (
    VISIT_WORKBOOK,
    REVIEW_WORKBOOK,
    SEP_WORKLIST,
    CHECK_WORKBOOK,
    HOUSE_FORM_WORKBOOK,
)

_COMMAND_NAMES = {
    "match": "recon match",
    "results": "recon results",
    "worklist": "recon worklist",
}


def is_our_result(folder: Path) -> bool:
    """Whether ``folder`` holds a manifest written by recon."""
    try:
        data = json.loads((Path(folder) / SUMMARY).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("tool") == "recon"


class ResultFolder:
    """A folder recon wrote (or is writing): names, manifest, tables."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    @classmethod
    def open(cls, path: Path | str, command: str = "match") -> ResultFolder:
        """An existing result folder of ``command``; else a clear InputError.

        ``command`` "" accepts a folder of any recon command.
        """
        folder = cls(path)
        summary = folder.summary  # raises when missing or damaged
        made_by = summary.get("command", "match")
        if command and made_by != command:
            raise InputError(
                f"这是 recon {made_by} 的结果，不是 {_COMMAND_NAMES.get(command, command)} 的结果",
                Where(file=str(folder.path)),
                f"请指定 {_COMMAND_NAMES.get(command, command)} 的 --out 文件夹",
            )
        return folder

    # --- the manifest ----------------------------------------------------------

    @cached_property
    def summary(self) -> dict[str, Any]:
        path = self.path / SUMMARY
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise InputError(
                "这不是 recon 的结果文件夹（里面没有 summary.json）",
                Where(file=str(self.path)),
                "请指定 recon match 等命令的 --out 文件夹",
            ) from exc
        except (OSError, ValueError) as exc:
            raise InputError("summary.json 无法读取或已损坏", Where(file=str(path))) from exc
        if not isinstance(data, dict) or data.get("tool") != "recon":
            raise InputError("summary.json 不是 recon 写的", Where(file=str(path)))
        return data

    @property
    def mode(self) -> str:
        """The register: empty for 来沪人员, "人户分离" for the separation list."""
        return str(self.summary.get("mode", ""))

    def write_summary(self, data: dict[str, Any]) -> None:
        (self.path / SUMMARY).write_text(
            json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        self.__dict__["summary"] = data

    # --- files and tables ------------------------------------------------------

    def file(self, name: str) -> Path:
        """The path of a file of this folder (a table key or a file name)."""
        return self.path / MATCH_TABLES.get(name, name)

    def has(self, name: str) -> bool:
        return self.file(name).is_file()

    def table(self, name: str, required: bool = True) -> pd.DataFrame:
        """A CSV file of this folder as text columns (empty frame if absent and
        not ``required``)."""
        path = self.file(name)
        if not path.is_file():
            if not required:
                return pd.DataFrame()
            raise InputError(
                f"结果文件夹里没有 {path.name}（文件被删除，或是旧版本 recon 写的）",
                Where(file=str(self.path)),
                "请用当前版本重新运行生成这个文件夹的命令",
            )
        return read_csv(path)

    def write_table(self, name: str, frame: pd.DataFrame) -> Path:
        path = self.file(name)
        write_csv(frame, path)
        return path

    def form_fingerprints(self) -> dict[str, str]:
        """SHA-256 of the fill-in sheets present, as the manifest records them
        (to tell a filled copy from the one recon wrote)."""
        return {name: file_sha256(self.path / name) for name in FILLED_FORMS if self.has(name)}

    def changed_forms(self) -> list[str]:
        """Fill-in sheets that differ from what recon wrote (probably filled)."""
        recorded = self.summary.get("worklists", {}) if self.has(SUMMARY) else {}
        return [name for name, sha in self.form_fingerprints().items() if recorded.get(name) != sha]

"""What an audit reads: a ``recon match`` result folder and ``recon results`` folders.

Only recon's own files are read (``rows.csv``, ``differences.csv``,
``summary.json``; ``visits.csv`` of the visit results), never the original
inputs: an audit can run where only the result folder was copied to.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from recon.csvio import read_csv
from recon.errors import InputError, Where
from recon.modes import mode_of
from recon.resultdir import LEDGER, MATCH_TABLES, SUMMARY, VISITS

__all__ = ["TOTAL", "AuditData", "read_audit_data"]

TOTAL = "合计"
UNKNOWN_COMMITTEE = "未识别居委"

DIFFERENCES = MATCH_TABLES["differences"]


@dataclass
class AuditData:
    """The rows of a match, each with its outcome, and what the visits found."""

    ledger: pd.DataFrame  # rows.csv, plus the partner's registration date
    changed: set[tuple[str, str, str]]  # field rows of pairs with a difference
    visits: pd.DataFrame  # visits.csv of every results folder, one row per record
    summary: dict[str, Any]
    folder: Path
    results: list[Path] = field(default_factory=list)

    @property
    def field(self) -> pd.DataFrame:
        return self.ledger[self.ledger["side"] == "field"]

    @property
    def system(self) -> pd.DataFrame:
        return self.ledger[self.ledger["side"] == "system"]


def _summary(folder: Path, command: str) -> dict[str, Any]:
    path = folder / SUMMARY
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(
            "这不是 recon 的结果文件夹（里面没有 summary.json）",
            Where(file=str(folder)),
            f"请指定 recon {command} 的 --out 文件夹",
        ) from exc
    except (OSError, ValueError) as exc:
        raise InputError("summary.json 无法读取或已损坏", Where(file=str(path))) from exc
    if not isinstance(data, dict) or data.get("tool") != "recon":
        raise InputError("summary.json 不是 recon 写的", Where(file=str(path)))
    if data.get("command", "match") != command:
        raise InputError(
            f"这是 recon {data.get('command')} 的结果，不是 recon {command} 的结果",
            Where(file=str(folder)),
            f"请指定 recon {command} 的 --out 文件夹",
        )
    return data


def _key(frame: pd.DataFrame, prefix: str = "") -> pd.Series:
    """A row's place as one text: file, sheet, row."""
    return (
        frame[prefix + "file"].astype(str)
        + "\x1f"
        + frame[prefix + "sheet"].astype(str)
        + "\x1f"
        + frame[prefix + "row"].astype(str)
    )


def read_audit_data(match_dir: Path, results_dirs: list[Path] | None = None) -> AuditData:
    """Read a match result folder and any number of visit-result folders."""
    folder = Path(match_dir)
    summary = _summary(folder, "match")
    if not mode_of(summary).audits:
        raise InputError(
            "这是人户分离的核对结果；考核统计、抽查和进度表用于来沪人员的核对结果",
            Where(file=str(folder)),
            "人户分离的各项人数见结果文件夹里的「核对结果.xlsx」概况",
        )
    if not (folder / LEDGER).is_file():
        raise InputError(
            "结果文件夹里没有 rows.csv（它是旧版本 recon 写的）",
            Where(file=str(folder)),
            "请用当前版本重新运行 recon match",
        )
    ledger = read_csv(folder / LEDGER)
    ledger["committee"] = ledger["committee"].where(ledger["committee"] != "", UNKNOWN_COMMITTEE)
    # the matched partner's registration date, on the field row (for entry rates)
    system = ledger[ledger["side"] == "system"]
    registered = pd.Series(system["registered_on"].to_numpy(), index=_key(system).to_numpy())
    partner = _key(ledger, "partner_")
    has = ledger["partner_row"].ne("").to_numpy()
    ledger["partner_registered_on"] = np.where(
        has & ledger["side"].eq("field").to_numpy(),
        partner.map(registered).fillna("").to_numpy(dtype=object),
        "",
    )
    changed: set[tuple[str, str, str]] = set()
    if (folder / DIFFERENCES).is_file():
        d = read_csv(folder / DIFFERENCES)
        changed = set(zip(d["field_file"], d["field_sheet"], d["field_row"], strict=True))
    visits = _visits(folder, ledger, list(results_dirs or []))
    return AuditData(ledger, changed, visits, summary, folder, list(results_dirs or []))


def _visits(folder: Path, ledger: pd.DataFrame, results_dirs: list[Path]) -> pd.DataFrame:
    """Every visited system row once, with its outcome and its ledger committee."""
    columns = ["system_file", "system_sheet", "system_row", "outcome", "committee"]
    frames = []
    for d in results_dirs:
        _summary(Path(d), "results")
        path = Path(d) / VISITS
        if not path.is_file():
            raise InputError(
                "核查结果文件夹里没有 visits.csv（它是旧版本 recon 写的）",
                Where(file=str(d)),
                "请用当前版本重新运行 recon results",
            )
        frames.append(read_csv(path))
    if not frames:
        return pd.DataFrame(columns=columns)
    visits = pd.concat(frames, ignore_index=True)
    # the same record read back twice (two results folders): the later one counts
    visits = visits.drop_duplicates(["system_file", "system_sheet", "system_row"], keep="last")
    system = ledger[ledger["side"] == "system"]
    committee = pd.Series(system["committee"].to_numpy(), index=_key(system).to_numpy())
    keys = _key(visits, "system_")
    known = keys.isin(committee.index)
    if not known.all():
        first = visits[~known].iloc[0]
        raise InputError(
            f"核查结果中有 {int((~known).sum())} 条记录不属于这次核对结果"
            f"（例如 {first['file']} 第 {first['row']} 行）",
            Where(file=str(folder)),
            "请确认核查单是由这个结果文件夹生成的",
        )
    visits["committee"] = keys.map(committee).to_numpy()
    return visits[columns].reset_index(drop=True)

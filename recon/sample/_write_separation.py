"""``write_separation``: put a 人户分离 street on disk as sweep sheets, the list, truth."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from recon.errors import UsageError
from recon.sample._spec import SampleFiles, Separation
from recon.sample._templates import FLAT_SWEEP_COLUMNS, LIST_COLUMNS, SWEEP_TEMPLATES
from recon.sample._workbooks import write_committee_books
from recon.sample._write import TRUTH_COLUMNS, TRUTH_FILE, prepare_folder, write_csv

SWEEP_DIR = "现场排查表"
SWEEP_STEM = "人户分离排查表"  # after the 居委: 古美一村居委人户分离排查表.xlsx
FLAT_SWEEP_FILE = "sweep.csv"
LIST_FILE = "人户分离人员名单.csv"
_SALT = 8  # layout randomness of the sweep books (the field books use 7)


def write_separation(
    separation: Separation,
    folder: Path | str,
    layout: Literal["workbooks", "flat"] = "workbooks",
    *,
    overwrite: bool = False,
) -> SampleFiles:
    """Write the 人户分离 street under ``folder``: sweep sheets, the police list, truth.

    ``workbooks``: one sweep workbook per 居委 in ``现场排查表/``
    (``{居委}人户分离排查表.xlsx``, templates R1-R4); ``flat``: one
    ``现场排查表/sweep.csv`` (UTF-8 with BOM) with a 居委 column. Both write
    the GB18030 list ``系统导出/人户分离人员名单.csv`` and the truth
    ``答案/truth.csv``: one line per data row written, ``side`` ``field``
    (sweep) or ``system`` (list), its Excel row or CSV line number (header =
    1), ``record`` (the row's index in ``separation.sweep`` /
    ``separation.police_list``) and ``kind`` (人在户不在 / 户在人不在 / 无).

    Refuses a folder that already holds sample files unless ``overwrite``.
    """
    if layout not in ("workbooks", "flat"):
        raise UsageError(f"未知的样例数据格式：{layout}", hint="可选 workbooks 或 flat")
    folder = Path(folder)
    sweep_dir, system_dir, truth_dir = prepare_folder(folder, overwrite, SWEEP_DIR)
    sweep = separation.sweep
    if layout == "workbooks":
        sweep_files, sweep_located = write_committee_books(
            sweep,
            separation.committees,
            sweep_dir,
            SWEEP_TEMPLATES,
            SWEEP_STEM,
            separation.spec.seed,
            _SALT,
        )
    else:
        path = sweep_dir / FLAT_SWEEP_FILE
        write_csv(pd.DataFrame({h: sweep[k] for k, h in FLAT_SWEEP_COLUMNS}), path)
        sweep_files, sweep_located = [path], _lines(path, len(sweep))
    police = separation.police_list
    list_path = system_dir / LIST_FILE
    table = pd.DataFrame({h: police[k] for k, h in LIST_COLUMNS})
    write_csv(table, list_path, encoding="gb18030", eol="\r\n")
    truth = pd.concat(
        [
            _truth(separation, "field", sweep_located),
            _truth(separation, "system", _lines(list_path, len(police))),
        ],
        ignore_index=True,
    )
    truth_path = truth_dir / TRUTH_FILE
    write_csv(truth, truth_path)
    return SampleFiles(
        folder=folder,
        field_dir=sweep_dir,
        system_dir=system_dir,
        truth_path=truth_path,
        field_files=sweep_files,
        system_files=[list_path],
        truth_rows=len(truth),
    )


def _lines(path: Path, n: int) -> pd.DataFrame:
    """Where the ``n`` data rows of a CSV written by ``write_csv`` are."""
    return pd.DataFrame(
        {"file": path.name, "sheet": "", "row": np.arange(n) + 2, "record": np.arange(n)}
    )


def _truth(separation: Separation, side: str, located: pd.DataFrame) -> pd.DataFrame:
    """Truth rows for located records of one side, with their person's scenario and type."""
    frame = separation.sweep if side == "field" else separation.police_list
    rec = located["record"].to_numpy(np.int64)
    sub = frame.iloc[rec]
    person = sub["person_id"].to_numpy()
    persons = separation.persons
    return pd.DataFrame(
        {
            "side": side,
            "file": located["file"].to_numpy(),
            "sheet": located["sheet"].to_numpy(),
            "row": located["row"].to_numpy(),
            "person_id": person,
            "scenario": persons["scenario"].to_numpy()[person],
            "noise": sub["noise"].to_numpy(),
            "status": "",
            "record": rec,
            "kind": persons["kind"].to_numpy()[person],
        },
        columns=TRUTH_COLUMNS,
    )

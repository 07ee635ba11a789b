"""`recon worklist`: the worklists again, from a `recon match` result folder.

A command, not a form: it reads a result folder (through ``recon.resultdir``
names), asks the folder's register whether its worklists can be remade
(``recon.modes``), and writes them with ``recon.worklists`` -- so that the
worklist module itself depends on neither.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd

from recon.csvio import read_csv
from recon.errors import InputError, UsageError, Where
from recon.loaders import file_sha256
from recon.modes import mode_of
from recon.outdir import (
    SUMMARY_NAME,
    check_out_dir,
    keep_aside,
    record_written,
    replace_file,
    staged,
)
from recon.resultdir import MATCH_TABLES, REVIEW_WORKBOOK, VISIT_PDF_FOLDER, VISIT_WORKBOOK
from recon.rules import OutputRules
from recon.worklists import Worklists, write_worklists

__all__ = ["fingerprints", "regenerate"]


def fingerprints(folder: Path) -> dict[str, str]:
    """SHA-256 of the worklist workbooks in ``folder``, as the manifest records them."""
    return {
        name: file_sha256(folder / name)
        for name in (VISIT_WORKBOOK, REVIEW_WORKBOOK)
        if (folder / name).is_file()
    }


def regenerate(
    result: Path,
    out: Path | None,
    output: OutputRules,
    pdf: bool | None = None,
    force: bool = False,
) -> Worklists:
    """`recon worklist`: the worklists again, from a `recon match` result folder.

    Into ``out`` (a new folder, written aside and moved into place), or back
    into the result folder, file by file. There a worklist that was changed
    since recon wrote it -- most likely filled in -- stops the run unless
    ``force``; even then it is kept, as a dated 已填写 copy beside.
    """
    result = Path(result)
    needed = result / MATCH_TABLES["system_only"]
    if not needed.is_file():
        raise InputError(
            "这不是 recon 的核对结果文件夹（里面没有 system_only.csv）",
            Where(file=str(result)),
            "请指定 recon match 的 --out 文件夹",
        )

    summary_path = result / SUMMARY_NAME
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        summary = {}
    if not mode_of(summary).regenerates_worklists:
        raise UsageError(
            "这是人户分离的核对结果，它的核查单由 recon match 直接生成",
            Where(file=str(result)),
            "需要重新生成时，请重新运行 recon match --mode 人户分离",
        )
    review_path = result / MATCH_TABLES["review"]
    review = read_csv(review_path) if review_path.is_file() else pd.DataFrame()
    system_only = read_csv(needed)
    if out is not None:
        check_out_dir(out, [result], force)
        out = Path(out).resolve()
        with staged(out) as tmp:
            lists = write_worklists(system_only, review, tmp, output, pdf=pdf)
            manifest = {
                "tool": "recon",
                "command": "worklist",
                "source": str(result.resolve()),
                "files": {},
                "worklists": fingerprints(tmp),
                "written": record_written(tmp),
            }
            (tmp / SUMMARY_NAME).write_text(
                json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
            )
        return _moved(lists, tmp, out)

    recorded = summary.get("worklists", {})
    if not force:
        for name, sha in fingerprints(result).items():
            if recorded.get(name) != sha:
                raise UsageError(
                    f"「{name}」在生成之后被改动过（可能已经填写），重新生成会把它覆盖",
                    Where(file=str(result / name)),
                    "请用 --out 写到另一个文件夹；如要在原处重新生成，请加 --force"
                    f"（填过的这份会另存为「{Path(name).stem}（已填写 日期 时间）.xlsx」）",
                )
    stage = result / f".worklist.part-{os.getpid()}"
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir()
    try:
        lists = write_worklists(system_only, review, stage, output, pdf=pdf)
        for name in (VISIT_WORKBOOK, REVIEW_WORKBOOK):
            keep_aside(result / name, recorded.get(name))  # a filled copy is never lost
        for name in (VISIT_WORKBOOK, REVIEW_WORKBOOK, VISIT_PDF_FOLDER):
            if (stage / name).exists():
                replace_file(stage / name, result / name)
            elif name == VISIT_PDF_FOLDER and (result / name).exists():
                shutil.rmtree(result / name)  # PDFs of the old lists would disagree
            elif name == REVIEW_WORKBOOK and (result / name).exists():
                (result / name).unlink()
        if summary:
            summary["worklists"] = {**recorded, **fingerprints(result)}
            written = summary.get("written")
            if isinstance(written, dict):
                for name in (VISIT_WORKBOOK, REVIEW_WORKBOOK, VISIT_PDF_FOLDER):
                    written.pop(name, None)
                pdfs = [n for n in (VISIT_PDF_FOLDER,) if (result / n).exists()]
                written.update(dict.fromkeys(pdfs))
                written.update(fingerprints(result))
            part = summary_path.with_name(f".{SUMMARY_NAME}.part-{os.getpid()}")
            part.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
            replace_file(part, summary_path)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return _moved(lists, stage, result)


def _moved(lists: Worklists, old: Path, new: Path) -> Worklists:
    """``lists`` with its paths moved from folder ``old`` to folder ``new``."""

    def move(p: Path | None) -> Path | None:
        return None if p is None else new / p.relative_to(old)

    return Worklists(
        visit_workbook=move(lists.visit_workbook),
        pdfs=[new / p.relative_to(old) for p in lists.pdfs],
        review_workbook=move(lists.review_workbook),
        visits=lists.visits,
        reviews=lists.reviews,
        pdf_skipped=lists.pdf_skipped,
    )


# --- both -------------------------------------------------------------------------

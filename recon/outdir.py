"""Result folders: checked before, written aside, moved into place when complete.

Every command that writes a folder (``match``, ``results``, ``worklist
--out``, ``redact``) writes it under a temporary name beside its destination
and renames it into place only when complete, so an interrupted run (Ctrl-C,
a crash, a full disk) never leaves a folder that looks like a finished
result. An existing folder is replaced only with ``--force``, and only if it
is one of ours (its ``summary.json`` says ``"tool": "recon"``). A result
folder may not sit inside an input folder, where the next run would read it
as input.

Nothing a person may have written is ever deleted. A result folder's
``summary.json`` records what the run wrote (``"written"``: each name, with
the SHA-256 of each workbook). On ``--force`` only those are replaced:
anything else in the folder (a 抽查单 drawn into it, 考核统计, 进度表, a file
the user put there) is carried into the new folder, and a workbook whose
bytes changed since recon wrote it (a filled 入户核查单 / 待人工确认单) is
kept as a dated "（已填写 …）" copy. Each kept file is reported through
``keeping()`` so that the CLI can say so.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from recon.errors import InputError, UsageError, Where
from recon.resultdir import SUMMARY

__all__ = [
    "SUMMARY_NAME",
    "Kept",
    "check_out_dir",
    "dated_name",
    "files_to_keep",
    "is_our_result",
    "keep_aside",
    "keeping",
    "record_written",
    "remember_form",
    "replace_file",
    "staged",
    "swap_into_place",
]

SUMMARY_NAME = SUMMARY  # the manifest, named once in recon.resultdir


def is_our_result(folder: Path) -> bool:
    try:
        data = json.loads((folder / SUMMARY_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("tool") == "recon"


# --- what recon wrote, and what it must keep -------------------------------------

FILLED_MARK = "已填写"
OTHER_MARK = "原有"
_OUR_TEMP = re.compile(r"^\..+\.(part|old)-\d+$")
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")


@dataclass(frozen=True)
class Kept:
    """A file kept when its folder was rewritten."""

    name: str  # its name before
    path: Path  # where it is now
    filled: bool  # changed since recon wrote it (True) or not written by recon at all

    def message(self) -> str:
        if self.filled:
            what = f"「{self.name}」生成后被改动过（可能已经填写），没有覆盖"
        else:
            what = f"「{self.name}」不是上次运行写出的文件"
        if self.path.name != self.name:
            return f"{what}，另存为「{self.path.name}」"
        return f"{what}，原样保留"


_kept: ContextVar[list[Kept] | None] = ContextVar("recon_kept", default=None)


@contextmanager
def keeping() -> Iterator[list[Kept]]:
    """Collect the files kept aside inside the block (the CLI reports them)."""
    kept: list[Kept] = []
    token = _kept.set(kept)
    try:
        yield kept
    finally:
        _kept.reset(token)


def _notice(kept: Kept) -> None:
    sink = _kept.get()
    if sink is not None:
        sink.append(kept)


def _sha256(path: Path) -> str:
    from recon.loaders import file_sha256

    return file_sha256(path)


def record_written(folder: Path) -> dict[str, str | None]:
    """Everything in ``folder`` as a run wrote it: name -> SHA-256 of a workbook
    (the only kind of file a person fills), None for other files and folders."""
    written: dict[str, str | None] = {
        p.name: _sha256(p) if p.is_file() and p.suffix.lower() in _WORKBOOK_SUFFIXES else None
        for p in sorted(Path(folder).iterdir())
        if not _OUR_TEMP.match(p.name)
    }
    written[SUMMARY_NAME] = None
    return written


def _summary(folder: Path) -> dict[str, object]:
    try:
        data = json.loads((folder / SUMMARY_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _ours(folder: Path) -> dict[str, str | None]:
    """What the run that made ``folder`` wrote there (see ``record_written``)."""
    summary = _summary(folder)
    written = summary.get("written")
    if isinstance(written, dict):
        return {str(k): v if isinstance(v, str) else None for k, v in written.items()}
    # a summary from before "written": the files it lists, its worklists, its PDFs
    ours: dict[str, str | None] = {SUMMARY_NAME: None}
    files = summary.get("files")
    if isinstance(files, dict):
        ours.update({str(k): None for k in files})
    worklists = summary.get("worklists")
    if isinstance(worklists, dict):
        ours.update({str(k): str(v) for k, v in worklists.items()})
    for p in folder.iterdir():
        if p.is_dir() and p.name.endswith("PDF"):
            ours[p.name] = None
    return ours


def files_to_keep(folder: Path) -> list[tuple[str, bool]]:
    """What a rewrite of result ``folder`` must keep: (name, filled) for each
    entry recon did not write there, or wrote but whose bytes changed since."""
    folder = Path(folder)
    if not folder.is_dir() or not (folder / SUMMARY_NAME).is_file():
        return []
    ours = _ours(folder)
    keep = []
    for p in sorted(folder.iterdir()):
        if _OUR_TEMP.match(p.name):
            continue
        if p.name not in ours:
            keep.append((p.name, False))
        else:
            sha = ours[p.name]
            if sha is not None and p.is_file() and _sha256(p) != sha:
                keep.append((p.name, True))
    return keep


def dated_name(folder: Path, name: str, filled: bool = True) -> Path:
    """A free name beside ``name`` in ``folder``: 入户核查单（已填写 2026-11-30 0815）.xlsx."""
    p = Path(name)
    mark = FILLED_MARK if filled else OTHER_MARK
    stamp = f"{dt.datetime.now():%Y-%m-%d %H%M}"
    candidate = folder / f"{p.stem}（{mark} {stamp}）{p.suffix}"
    n = 2
    while candidate.exists():
        candidate = folder / f"{p.stem}（{mark} {stamp} {n}）{p.suffix}"
        n += 1
    return candidate


def keep_aside(path: Path, recorded_sha: str | None) -> Path | None:
    """Before ``path`` is overwritten: if it is not, byte for byte, what recon
    wrote (``recorded_sha``), move it to a dated 已填写 copy beside it."""
    path = Path(path)
    if not path.is_file() or (recorded_sha is not None and _sha256(path) == recorded_sha):
        return None
    target = dated_name(path.parent, path.name)
    try:
        path.rename(target)
    except OSError as exc:
        raise _in_use(path, exc) from exc
    _notice(Kept(path.name, target, True))
    return target


def remember_form(folder: Path, name: str) -> None:
    """Note in ``folder``'s summary the fingerprint of a sheet to fill written
    there later (抽查单, a regenerated 入户核查单), so that a later run can tell
    it from a filled copy. No summary (not a recon folder): nothing to do."""
    folder = Path(folder)
    summary = _summary(folder)
    if not summary or not (folder / name).is_file():
        return
    sha = _sha256(folder / name)
    worklists = summary.get("worklists")
    summary["worklists"] = {**(worklists if isinstance(worklists, dict) else {}), name: sha}
    written = summary.get("written")
    if isinstance(written, dict) and name in written:
        written[name] = sha
    part = folder / f".{SUMMARY_NAME}.part-{os.getpid()}"
    part.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    replace_file(part, folder / SUMMARY_NAME)


def check_out_dir(out: Path, inputs: Iterable[Path], force: bool) -> None:
    """Refuse a destination that would overwrite or sit among the inputs."""
    out = Path(out).resolve()
    for p in inputs:
        p = Path(p).resolve()
        if p == out or (p.is_dir() and out.is_relative_to(p)):
            raise UsageError(
                "结果文件夹不能放在输入文件夹里面（下次运行会把结果当成输入）",
                Where(file=str(out)),
                "请用 --out 指定输入文件夹以外的位置",
            )
        if out.is_dir() and p.is_relative_to(out):
            raise UsageError(
                "结果文件夹里有输入文件，不能覆盖", Where(file=str(out)), "请换一个 --out 位置"
            )
    if out.exists():
        if not out.is_dir():
            raise UsageError(
                "--out 指向的是一个文件，不是文件夹", Where(file=str(out)), "请换一个位置"
            )
        if any(out.iterdir()):
            if not force:
                raise UsageError(
                    "结果文件夹已存在且不是空的",
                    Where(file=str(out)),
                    "如要覆盖以前的结果，请加 --force；或换一个 --out 位置",
                )
            if not is_our_result(out):
                raise UsageError(
                    "这个文件夹不是 recon 的结果文件夹，即使加了 --force 也不会覆盖",
                    Where(file=str(out)),
                    "请换一个 --out 位置",
                )


def _in_use(path: Path, exc: OSError) -> InputError:
    return InputError(
        "原有的结果正在被使用，无法替换（可能其中的文件还在 Excel/WPS 中打开）",
        Where(file=str(path)),
        "请关闭打开的结果文件后再试",
    )


def swap_into_place(new: Path, out: Path) -> None:
    """Put the finished folder where the old result was, never half-way.

    The old result is moved aside first (on Windows that fails while one of
    its files is open in Excel or WPS: then nothing has changed and the user
    is told to close it), the new one moved in, and only then the old one
    deleted.
    """
    if not out.exists():
        new.rename(out)
        return
    keep = files_to_keep(out)
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    try:
        out.rename(old)
    except OSError as exc:
        raise _in_use(out, exc) from exc
    try:
        new.rename(out)
    except BaseException:
        old.rename(out)
        raise
    for name, filled in keep:
        # a filled sheet always under a dated name: never mistaken for the new run's
        target = out / name
        if filled or target.exists():
            target = dated_name(out, name, filled)
        (old / name).rename(target)  # on failure the old folder stays, nothing lost
        _notice(Kept(name, target, filled))
    shutil.rmtree(old, ignore_errors=True)


def replace_file(new: Path, target: Path) -> None:
    """Move one finished file (or folder) over ``target``."""
    if new.is_dir():
        swap_into_place(new, target)
        return
    try:
        os.replace(new, target)
    except PermissionError as exc:  # Windows: the file is open in Excel/WPS
        raise _in_use(target, exc) from exc


@contextmanager
def staged(out: Path) -> Iterator[Path]:
    """A temporary folder beside ``out``, moved into place if the block completes."""
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.part-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        yield tmp
        swap_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise

"""Result folders: checked before, written aside, moved into place when complete.

Every command that writes a folder (``match``, ``results``, ``worklist
--out``, ``redact``) writes it under a temporary name beside its destination
and renames it into place only when complete, so an interrupted run (Ctrl-C,
a crash, a full disk) never leaves a folder that looks like a finished
result. An existing folder is replaced only with ``--force``, and only if it
is one of ours (its ``summary.json`` says ``"tool": "recon"``). A result
folder may not sit inside an input folder, where the next run would read it
as input.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from recon.errors import InputError, UsageError, Where

__all__ = [
    "SUMMARY_NAME",
    "check_out_dir",
    "is_our_result",
    "replace_file",
    "staged",
    "swap_into_place",
]

SUMMARY_NAME = "summary.json"


def is_our_result(folder: Path) -> bool:
    try:
        data = json.loads((folder / SUMMARY_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("tool") == "recon"


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

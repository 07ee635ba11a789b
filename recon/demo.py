"""``recon generate`` and ``recon demo``: a simulated street, and a full run on it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Literal

from recon.console import StepProgress, err
from recon.errors import UsageError, Where
from recon.files import file_sha256
from recon.outdir import files_to_keep, is_our_result
from recon.sample import (
    SampleFiles,
    SeparationSpec,
    StreetSpec,
    generate_separation,
    generate_street,
    write_separation,
    write_street,
)

__all__ = ["DEMO_MARKER", "SEPARATION_DEMO", "generate", "run_demo"]

DEMO_MARKER = ".recon-demo"
SEPARATION = "人户分离"
SEPARATION_DEMO = "人户分离示例"  # the demo's second street, inside its folder
# field rows written so that a person must decide, for a trainee to meet the
# 待人工确认单 and --decisions (a sample street for tests has none by default)
REVIEW_PAIRS = 6


def generate(
    folder: Path,
    seed: int = 2024,
    committees: int = 8,
    residents: int = 400,
    flat: bool = False,
    mode: str = "",
) -> SampleFiles:
    """Write a simulated street (field sheets, system export, truth) to ``folder``.

    ``mode`` "人户分离": a door-to-door sweep and the police 人户分离 list
    instead of the 来沪人员 sheets and register.
    """
    if mode not in ("", SEPARATION):
        hint = f"可选：{SEPARATION}（不写则为来沪人员）"
        raise UsageError(f"不认识的数据类型：{mode}", hint=hint)
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()) and not (folder / DEMO_MARKER).exists():
        raise UsageError(
            "文件夹已存在且不是空的", Where(file=str(folder)), "请指定一个新的或空的文件夹"
        )
    if folder.exists():
        _check_nothing_of_a_person(folder)
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / DEMO_MARKER).write_text("recon sample data\n", encoding="utf-8")
    layout: Literal["workbooks", "flat"] = "flat" if flat else "workbooks"
    if mode == SEPARATION:
        sep = SeparationSpec(seed=seed, committees=committees, residents_per_committee=residents)
        files = write_separation(generate_separation(sep), folder, layout)
    else:
        spec = StreetSpec(
            seed=seed,
            committees=committees,
            residents_per_committee=residents,
            review_pairs=min(REVIEW_PAIRS, 2 * committees),
            house_list=not flat,  # the benchmark layout: persons only
        )
        files = write_street(generate_street(spec), folder, layout)
    write_marker(folder)
    return files


# --- the sample folder is rewritten only if nothing in it is a person's --------------


def write_marker(folder: Path) -> None:
    """Mark ``folder`` as sample data, listing every file in it as written now
    (SHA-256), so that a later run can tell a file a person changed or added."""
    files = {
        p.relative_to(folder).as_posix(): file_sha256(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != DEMO_MARKER
    }
    text = "recon sample data\n" + json.dumps(files, ensure_ascii=False, indent=0)
    (folder / DEMO_MARKER).write_text(text, encoding="utf-8")


def _marked_files(folder: Path) -> dict[str, str]:
    text = (folder / DEMO_MARKER).read_text(encoding="utf-8", errors="replace")
    try:
        files = json.loads(text.partition("\n")[2] or "{}")
    except ValueError:
        return {}
    return files if isinstance(files, dict) else {}


def persons_files(folder: Path) -> list[str]:
    """Files in a sample folder that recon did not write as they are now: added
    by a person, or changed (a filled 入户核查单). In a recon result folder inside
    it, what that folder's own record says is not recon's."""
    marked = _marked_files(folder)
    found: list[str] = []

    def walk(d: Path) -> None:
        for p in sorted(d.iterdir()):
            rel = p.relative_to(folder).as_posix()
            if p.is_dir() and is_our_result(p):
                found.extend(f"{rel}/{name}" for name, _filled in files_to_keep(p))
            elif p.is_dir():
                walk(p)
            elif p.name != DEMO_MARKER and marked.get(rel) != file_sha256(p):
                found.append(rel)

    walk(folder)
    return found


def _check_nothing_of_a_person(folder: Path) -> None:
    found = persons_files(folder)
    if found:
        shown = "、".join(found[:3]) + (f" 等 {len(found)} 个" if len(found) > 3 else "")
        raise UsageError(
            f"示例文件夹里有不是 recon 写出的或已被修改的文件：{shown}，不会删除",
            Where(file=str(folder)),
            "请先把这些文件移到别处（或另指定一个文件夹）再运行",
        )


def run_demo(folder: Path) -> Path:
    """Generate the sample street into ``folder``, run ``recon match`` on it and
    ``recon houses`` with its house list; then the same match for a 人户分离
    list and its sweep, in ``folder/人户分离示例``, and two monthly rounds
    recorded in a register, in ``folder/两轮示例``. Returns the first result folder."""
    from recon.pipeline import run_match
    from recon.report import MATCH_STEPS, render_match_summary
    from recon.worklists import REVIEW_WORKBOOK

    folder = Path(folder)
    err.print(f"正在生成示例数据：{folder}")
    files = generate(folder)
    out = folder / "核对结果"
    with StepProgress(MATCH_STEPS) as progress:
        run = run_match([files.field_dir], [files.system_dir], out, on_step=progress.step)
    err.print(render_match_summary(run.summary))
    if files.house_list is not None:
        from recon.houses import run_houses
        from recon.report import render_houses_summary

        err.print("正在建立实有房屋清册（按示例房屋清册）")
        houses = run_houses(out, [files.house_list])
        err.print(render_houses_summary(houses.overview))

    sep_folder = folder / SEPARATION_DEMO
    err.print(f"正在生成人户分离示例数据：{sep_folder}")
    sep_files = generate(sep_folder, committees=3, residents=200, mode=SEPARATION)
    sep_out = sep_folder / "核对结果"
    with StepProgress(MATCH_STEPS) as progress:
        sep_run = run_match(
            [sep_files.field_dir],
            [sep_files.system_dir],
            sep_out,
            on_step=progress.step,
            mode=SEPARATION,
        )
    err.print(render_match_summary(sep_run.summary))

    from recon.rounds import ROUNDS_DEMO, run_rounds_demo

    err.print(f"正在运行按月两轮的示例（登记库）：{folder / ROUNDS_DEMO}")
    changes_dir, changes = run_rounds_demo(folder / ROUNDS_DEMO)

    write_marker(folder)  # everything written above is the demo's, and may be rewritten
    err.print(f"示例采集表：{files.field_dir}")
    err.print(f"示例系统导出：{files.system_dir}")
    if files.house_list is not None:
        err.print(f"示例房屋清册：{files.house_list}")
    err.print(
        f"[bold]核对结果：{out}[/]（打开「核对结果.xlsx」查看；实有房屋见「房屋清册.xlsx」；"
        "CSV 文件供程序使用）"
    )
    reviews = run.summary["pairs"]["review_pairs"]
    if reviews:
        err.print(
            f"[bold]待人工确认：{reviews}对[/]（证据不足、需要人判断是不是同一人）："
            f"打开「{REVIEW_WORKBOOK}」逐对打勾，保存后用 --decisions 读回（见 README 第五节）："
        )
        err.print(
            f'  recon match "{files.field_dir}" --system "{files.system_dir}" '
            f'--out "{folder / "核对结果2"}" --decisions "{out / REVIEW_WORKBOOK}"',
            markup=False,
            soft_wrap=True,
        )
    err.print(
        f"[bold]人户分离核对结果：{sep_out}[/]（打开「核对结果.xlsx」查看；上门核查打印「人户分离核查单.xlsx」）"
    )
    err.print(
        f"[bold]两轮变动与逾期：{changes_dir}[/]（第二轮与第一轮相比 {len(changes.table)} 条；"
        "打开「变动与逾期.xlsx」查看）"
    )
    return out

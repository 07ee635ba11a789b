"""``recon generate`` and ``recon demo``: a simulated street, and a full run on it."""

from __future__ import annotations

import shutil
from pathlib import Path

from recon.console import StepProgress, err
from recon.errors import UsageError, Where
from recon.sample import SampleFiles, StreetSpec, generate_street, write_street

__all__ = ["DEMO_MARKER", "generate", "run_demo"]

DEMO_MARKER = ".recon-demo"


def generate(
    folder: Path,
    seed: int = 2024,
    committees: int = 8,
    residents: int = 400,
    flat: bool = False,
) -> SampleFiles:
    """Write a simulated street (field sheets, system export, truth) to ``folder``."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()) and not (folder / DEMO_MARKER).exists():
        raise UsageError(
            "文件夹已存在且不是空的", Where(file=str(folder)), "请指定一个新的或空的文件夹"
        )
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / DEMO_MARKER).write_text("recon sample data\n", encoding="utf-8")
    spec = StreetSpec(seed=seed, committees=committees, residents_per_committee=residents)
    street = generate_street(spec)
    return write_street(street, folder, layout="flat" if flat else "workbooks")


def run_demo(folder: Path) -> Path:
    """Generate the sample street into ``folder`` and run ``recon match`` on it."""
    from recon.pipeline import run_match
    from recon.report import MATCH_STEPS, render_match_summary

    folder = Path(folder)
    err.print(f"正在生成示例数据：{folder}")
    files = generate(folder)
    out = folder / "核对结果"
    with StepProgress(MATCH_STEPS) as progress:
        run = run_match([files.field_dir], [files.system_dir], out, on_step=progress.step)
    err.print(render_match_summary(run.summary))
    err.print(f"示例采集表：{files.field_dir}")
    err.print(f"示例系统导出：{files.system_dir}")
    err.print(f"[bold]核对结果：{out}[/]（打开「核对结果.xlsx」查看；CSV 文件供程序使用）")
    return out

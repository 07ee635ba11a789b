"""The demo's two rounds: a month of work on a generated street, with one register."""

from __future__ import annotations

from pathlib import Path

from recon.rounds._changes import ChangeReport
from recon.rounds._run import record_run, run_changes

__all__ = ["ROUNDS_DEMO", "run_rounds_demo"]

ROUNDS_DEMO = "两轮示例"


def run_rounds_demo(folder: Path, rounds: int = 2) -> tuple[Path, ChangeReport]:
    """Round 1: match, visit (the clerk's ticks simulated), results; round 2:
    match; then ``recon changes``. All recorded in ``folder/街道登记库.sqlite``.
    Returns the changes folder and report."""
    from recon.pipeline import run_match
    from recon.register import DEFAULT_NAME
    from recon.results import read_filled_worklists, write_results
    from recon.sample import RoundsSpec, fill_worklist, generate_rounds, write_round

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    street = generate_rounds(RoundsSpec())
    register = folder / DEFAULT_NAME
    for r in range(rounds):
        field, system = write_round(street, r, folder / f"第{r + 1}轮输入")
        out = folder / f"第{r + 1}轮核对"
        run_match([field], [system], out, force=True)
        record_run("match", out, register, street.days[r])
        if r + 1 < rounds:
            filled = folder / f"第{r + 1}轮核查单（已填）.xlsx"
            fill_worklist(street, r, out / "入户核查单.xlsx", filled)
            visits = folder / f"第{r + 1}轮核查结果"
            write_results(read_filled_worklists([filled], out), visits, out, force=True)
            record_run("results", visits, register, street.visit_days[r])
    report, target = run_changes(
        register, street.days[rounds - 1], out=folder / f"第{rounds}轮变动与逾期"
    )
    return target, report

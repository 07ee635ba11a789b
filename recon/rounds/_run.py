"""The commands' entry points: record a finished folder, compute and write changes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from recon.register import Register
from recon.resultdir import ResultFolder
from recon.rounds._changes import ChangeReport, changes
from recon.rounds._record import Recorded, record_match, record_results
from recon.rounds._write import write_changes

__all__ = ["record_run", "run_changes"]


def record_run(kind: str, folder: Path, register: Path, day: dt.date | None = None) -> Recorded:
    """Record the result folder of ``recon match`` or ``recon results`` into ``register``."""
    day = day or dt.date.today()
    result = ResultFolder.open(folder, kind)
    with Register.open(register) as reg:
        if kind == "match":
            return record_match(reg, result, day)
        return record_results(reg, result, day)


def run_changes(
    register: Path,
    day: dt.date | None = None,
    since: dt.date | None = None,
    out: Path | None = None,
    rules_path: Path | None = None,
    workdays: Path | None = None,
) -> tuple[ChangeReport, Path]:
    """``recon changes``: the changes of the round of ``day``, written into ``out``."""
    from recon.rules import load_audit_rules, load_rules
    from recon.workdays import WorkCalendar

    day = day or dt.date.today()
    rules = load_audit_rules(rules_path)
    output = load_rules().output
    with Register.open(register, create=False) as reg:
        report = changes(
            reg, day, rules, since, WorkCalendar.load(workdays), mask_id=output.mask_id
        )
    target = Path(out) if out else Path(register).resolve().parent / f"变动与逾期_{day:%Y%m%d}"
    write_changes(report, target)
    return report, target

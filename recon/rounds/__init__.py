"""The street register across rounds: record each run, then tell what changed.

``record_match(register, folder, day)`` and ``record_results(...)`` record a
finished result folder into the register (one transaction; the same run
twice changes nothing). ``changes(register, day, since)`` compares the round
of ``day`` with the previous one (or with ``since``) and lists, per 居委,
arrivals, departures, changed details, closed loops (entries and
cancellations done or overdue, visits overdue), reappearances and
cancellations nobody visited. ``write_changes`` writes ``changes.csv`` and
``变动与逾期.xlsx``.
"""

from recon.rounds._changes import CHANGE_KINDS, ChangeReport, changes
from recon.rounds._demo import ROUNDS_DEMO, run_rounds_demo
from recon.rounds._progress import register_progress
from recon.rounds._record import (
    Recorded,
    record_houses,
    record_match,
    record_results,
    run_fingerprint,
)
from recon.rounds._run import record_run, run_changes
from recon.rounds._trend import TREND_CSV, TREND_WORKBOOK, trend, write_trend
from recon.rounds._write import CHANGES_CSV, CHANGES_WORKBOOK, write_changes

__all__ = [
    "CHANGES_CSV",
    "CHANGES_WORKBOOK",
    "CHANGE_KINDS",
    "ROUNDS_DEMO",
    "TREND_CSV",
    "TREND_WORKBOOK",
    "ChangeReport",
    "Recorded",
    "changes",
    "record_houses",
    "record_match",
    "record_results",
    "record_run",
    "register_progress",
    "run_changes",
    "run_fingerprint",
    "run_rounds_demo",
    "trend",
    "write_changes",
    "write_trend",
]

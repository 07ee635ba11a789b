"""Audits: 来登去销 rates, sampling checks, deadlines, rewards and deductions.

Everything here reads a finished ``recon match`` result folder (and, when
given, ``recon results`` folders and filled check sheets); nothing reads the
original inputs again.
"""

from recon.audit._audit import AUDIT_CSV, AUDIT_WORKBOOK, AuditReport, run_audit
from recon.audit._checks import (
    CHECK_WORKBOOK,
    CheckResults,
    DrawnSample,
    check_rates,
    draw_and_write_sample,
    draw_sample,
    read_checks,
    wilson,
)
from recon.audit._data import AuditData, read_audit_data
from recon.audit._deadlines import deadline_stats
from recon.audit._money import compute_money
from recon.audit._progress import ProgressReport, next_report_day, progress
from recon.audit._rates import RATES, compute_rates
from recon.rules import AuditRules, load_audit_rules, rate_tier
from recon.workdays import WorkCalendar  # re-exported: audits count working days

__all__ = [
    "AUDIT_CSV",
    "AUDIT_WORKBOOK",
    "CHECK_WORKBOOK",
    "RATES",
    "AuditData",
    "AuditReport",
    "AuditRules",
    "CheckResults",
    "DrawnSample",
    "ProgressReport",
    "WorkCalendar",
    "check_rates",
    "compute_money",
    "compute_rates",
    "deadline_stats",
    "draw_and_write_sample",
    "draw_sample",
    "load_audit_rules",
    "next_report_day",
    "progress",
    "rate_tier",
    "read_audit_data",
    "read_checks",
    "run_audit",
    "wilson",
]

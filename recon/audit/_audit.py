"""``recon audit``: every rate, deadline, check and amount of money, written out.

Reads a match result folder (and visit results, filled check sheets), counts,
and writes ``audit.csv`` (machine-readable: 居委, 指标, 分子, 分母, 比率) and
``考核统计.xlsx`` (for people: rates against targets, charts, ranking,
deadlines, checks, money with its arithmetic) into the result folder or
``out``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from recon.audit._checks import CheckResults, check_rates, read_checks
from recon.audit._data import TOTAL, AuditData, read_audit_data
from recon.audit._deadlines import deadline_stats
from recon.audit._money import compute_money
from recon.audit._rates import TARGET_OF, compute_rates
from recon.audit._workbook import write_audit_workbook
from recon.csvio import write_csv
from recon.loaders import FINDINGS
from recon.outdir import replace_file
from recon.register import Register
from recon.resultdir import AUDIT_CSV, AUDIT_WORKBOOK
from recon.rounds import trend, write_trend
from recon.rules import AuditRules, load_audit_rules
from recon.workdays import WorkCalendar

__all__ = ["AUDIT_CSV", "AUDIT_WORKBOOK", "AuditReport", "run_audit"]


@dataclass
class AuditReport:
    rates: pd.DataFrame  # 居委, 指标, key, 分子, 分母, 比率, 目标, 差距 (long form)
    findings: pd.DataFrame  # 居委 x finding: counts on the field side
    deadlines: pd.DataFrame | None
    checks: pd.DataFrame | None  # check rates with Wilson intervals
    check_results: CheckResults | None
    money: pd.DataFrame | None
    rules: AuditRules
    out: Path
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _targets(rates: pd.DataFrame, rules: AuditRules) -> pd.DataFrame:
    key = rates["key"].map(lambda k: TARGET_OF.get(k, k))
    target = key.map(lambda k: rules.targets.get(k, np.nan)).astype(float) / 100
    rates = rates.assign(目标=target)
    lower = rates["key"].isin(rules.lower_is_better).to_numpy()
    gap = np.where(lower, target - rates["比率"], rates["比率"] - target)
    return rates.assign(差距=gap)  # negative: short of the target


def _findings(data: AuditData) -> pd.DataFrame:
    f = data.field[data.field["outcome"].isin(["matched", "field_only", "review"])]
    codes = f["findings"].fillna("").str.split(";")
    rows = []
    for committee, group in codes.groupby(f["committee"]):
        counts = {code: 0 for code in FINDINGS}
        for items in group:
            for code in items:
                if code in counts:
                    counts[code] += 1
        rows.append({"居委": committee, **{FINDINGS[c]: n for c, n in counts.items()}})
    frame = pd.DataFrame(rows, columns=["居委", *FINDINGS.values()])
    if len(frame):
        total = frame.drop(columns="居委").sum()
        frame = pd.concat([frame, pd.DataFrame([{"居委": TOTAL, **total}])], ignore_index=True)
    return frame


def _deadline_rates(stats: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for _, r in stats.iterrows():
        for key, label, num, den in (
            ("collect_on_time", "采集及时率", "采集及时数", "采集应及时数"),
            ("enter_on_time", "录入及时率", "录入及时数", "录入应及时数"),
        ):
            n, d = int(r[num]), int(r[den])
            rows.append(
                {
                    "居委": r["居委"],
                    "指标": label,
                    "key": key,
                    "分子": n,
                    "分母": d,
                    "比率": n / d if d else float("nan"),
                }
            )
    return pd.DataFrame(rows, columns=["居委", "指标", "key", "分子", "分母", "比率"])


def _deadlines(
    data: AuditData,
    calendar: WorkCalendar,
    rules: AuditRules,
    since: dt.date | None,
    as_of: dt.date,
) -> pd.DataFrame:
    """Collection deadlines over every person collected; entry deadlines over the
    people to enter and the matched ones whose record has a registration date
    (a matched record without one was entered at an unknown time: not counted)."""
    f = data.field[data.field["outcome"].isin(["matched", "field_only"])]

    def stats(rows: pd.DataFrame) -> pd.DataFrame:
        frame = pd.DataFrame(
            {
                "committee": rows["committee"].to_numpy(),
                "arrived_on": rows["arrived_on"].to_numpy(),
                "collected_on": rows["collected_on"].to_numpy(),
                "registered_on": rows["partner_registered_on"].to_numpy(),
            }
        )
        return deadline_stats(
            frame,
            calendar,
            collect_days=rules.collect_days,
            enter_days=rules.enter_days,
            since=since,
            as_of=as_of,
        ).set_index("居委")

    known = f["outcome"].eq("field_only") | f["partner_registered_on"].ne("")
    collect, enter = stats(f), stats(f[known])
    entry_cols = ["录入应及时数", "录入及时数", "录入及时率", "采集前已登记", "未到期"]
    out = collect.drop(columns=entry_cols).join(enter[entry_cols], how="left")
    for col in entry_cols:
        if not col.endswith("率"):
            out[col] = out[col].fillna(0).astype(int)
    return out.reset_index()[collect.reset_index().columns]


def _months(as_of: dt.date, months: int) -> list[str]:
    """The ``months`` calendar months up to and including ``as_of``'s, as YYYY-MM."""
    out = []
    year, month = as_of.year, as_of.month
    for _ in range(months):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def _money_input(
    data: AuditData, checks: pd.DataFrame | None, as_of: dt.date, months: int
) -> pd.DataFrame:
    f, s = data.field, data.system
    committees = sorted(set(data.ledger["committee"]))
    valid = f[f["outcome"].isin(["matched", "field_only"])].groupby("committee").size()
    period = _months(as_of, months)
    month = s["registered_on"].astype(str).str.slice(0, 7)
    entered = s[month.isin(period)].groupby(["committee", month[month.isin(period)]]).size()
    errors = (
        checks[checks["key"] == "check_errors"].set_index("居委")
        if checks is not None
        else pd.DataFrame(columns=["分子", "分母"])
    )
    rows = []
    for c in committees:
        rows.append(
            {
                "居委": c,
                "有效采集条数": int(valid.get(c, 0)),
                "信息员有效条数": 0,
                "抽查数": int(errors["分母"].get(c, 0)) if c in errors.index else 0,
                "抽查差错数": int(errors["分子"].get(c, 0)) if c in errors.index else 0,
                "日常检查无登记条数": 0,
                "倒查无登记条数": 0,
                "录入条数_按月": [int(entered.get((c, m), 0)) for m in period],
            }
        )
    return pd.DataFrame(rows)


def run_audit(
    match_dir: Path,
    out: Path | None = None,
    results: list[Path] | None = None,
    checks: list[Path] | None = None,
    rules_path: Path | None = None,
    workdays: Path | None = None,
    months: int = 3,
    as_of: dt.date | None = None,
    since: dt.date | None = None,
    register: Path | None = None,
) -> AuditReport:
    """Count everything and write audit.csv and 考核统计.xlsx (with ``register``:
    also the rates per round, trend.csv and 考核趋势.xlsx)."""
    rules = load_audit_rules(rules_path)
    data = read_audit_data(match_dir, results)
    as_of = as_of or dt.date.today()
    warnings: list[str] = []
    if not len(data.visits):
        warnings.append("没有提供上门核查结果（--visits），去销率无法计算")

    rates = compute_rates(data, rules.required)
    calendar = WorkCalendar.load(workdays)
    deadlines = _deadlines(data, calendar, rules, since, as_of)
    if calendar.fallback_warning():
        warnings.append(calendar.fallback_warning())
    long = [rates, _deadline_rates(deadlines)]
    check_table = check_results = None
    if checks:
        check_results = read_checks(checks, data.folder)
        check_table = check_rates(check_results, data)
        long.append(check_table[["居委", "指标", "key", "分子", "分母", "比率"]])
    all_rates = _targets(pd.concat(long, ignore_index=True), rules)
    money = compute_money(_money_input(data, check_table, as_of, months), rules, months)

    target = Path(out) if out else data.folder
    target.mkdir(parents=True, exist_ok=True)
    stage = target / f".audit.part-{os.getpid()}"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir()
    report = AuditReport(
        rates=all_rates,
        findings=_findings(data),
        deadlines=deadlines,
        checks=check_table,
        check_results=check_results,
        money=money,
        rules=rules,
        out=target,
        warnings=warnings,
    )
    try:
        shown = all_rates[["居委", "指标", "分子", "分母", "比率"]].copy()
        shown["比率"] = shown["比率"].round(6)
        write_csv(shown, stage / AUDIT_CSV)
        write_audit_workbook(report, stage / AUDIT_WORKBOOK, as_of)
        for name in (AUDIT_CSV, AUDIT_WORKBOOK):
            replace_file(stage / name, target / name)
            report.files.append(target / name)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    if register is not None:
        with Register.open(register, create=False) as reg:
            table = trend(reg, as_of, rules, calendar)
        report.files.extend(write_trend(table, target))
    return report

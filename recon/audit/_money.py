"""Rewards, deductions and allowances per 居委 for a period, with the arithmetic in words.

All money is computed in ``Decimal`` and rounded to 0.01 元 half up; the
``算式`` column spells each step so a clerk can re-check it by hand.
Deductions apply to the collection rewards and the 居委 subsidy, never to the
entry clerk's allowance (方案 四.2(2)).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

from recon.errors import InputError, UsageError
from recon.rules import AuditRules, ClerkAllowance, Deduction, rate_tier, round_rate

__all__ = ["INPUT_COLUMNS", "OUTPUT_COLUMNS", "TOTAL", "clerk_allowance", "compute_money"]

COMMITTEE = "居委"
RECORDS = "有效采集条数"
TIPS = "信息员有效条数"
CHECKED = "抽查数"
ERRORS = "抽查差错数"
DAILY = "日常检查无登记条数"
STRUCK = "倒查无登记条数"
ENTRIES = "录入条数_按月"
INPUT_COLUMNS = (COMMITTEE, RECORDS, TIPS, CHECKED, ERRORS, DAILY, STRUCK, ENTRIES)
_COUNTS = (RECORDS, TIPS, CHECKED, ERRORS, DAILY, STRUCK)

OUTPUT_COLUMNS = (
    "居委",
    "采集奖励(元)",
    "居委补贴(元)",
    "差错率",
    "倒扣比例",
    "倒扣金额(元)",
    "录入津贴(元)",
    "合计(元)",
    "算式",
)
TOTAL = "合计"  # label of the last row

_CENT = Decimal("0.01")
_RATE_SHOWN = Decimal("0.01")  # an error rate is shown to 2 decimals of a percent


def _yuan(value: Decimal) -> str:
    """Money for the formula: 818, 134.16, 134.10."""
    return str(int(value)) if value == value.to_integral_value() else f"{value:.2f}"


def _pct(value: Decimal) -> str:
    """A percent without trailing zeros: 12, 12.5, 6.67."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


# --- input -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Counts:
    committee: str
    records: int
    tips: int
    checked: int
    errors: int
    daily: int
    struck: int
    entries: tuple[int, ...]  # one per month of the period, missing months filled with 0


def _blank(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _shown(value: object) -> str:
    return f"「{value}」" if isinstance(value, str) else str(value)


def _count(value: object, column: str, committee: str, problems: list[str]) -> int:
    """A non-negative whole count; a blank cell counts as 0."""
    if _blank(value):
        return 0
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        number = None
    else:
        number = float(value)
    if number is None or not number.is_integer() or number < 0:
        problems.append(
            f"居委「{committee}」的「{column}」应为不小于 0 的整数，实为 {_shown(value)}"
        )
        return 0
    return int(number)


def _entries(value: object, committee: str, months: int, problems: list[str]) -> tuple[int, ...]:
    if _blank(value):
        value = ()
    if isinstance(value, str) or not isinstance(value, Sequence | np.ndarray | pd.Series):
        problems.append(
            f"居委「{committee}」的「{ENTRIES}」应为每月条数的列表，实为 {_shown(value)}"
        )
        return (0,) * months
    counts = [
        _count(v, f"{ENTRIES}（第{i}月）", committee, problems) for i, v in enumerate(value, 1)
    ]
    if len(counts) > months:
        problems.append(
            f"居委「{committee}」的「{ENTRIES}」有 {len(counts)} 个月，多于核算期的 {months} 个月"
        )
    return tuple(counts[:months]) + (0,) * (months - len(counts))


def _read_row(number: int, row: dict[Hashable, Any], months: int, problems: list[str]) -> _Counts:
    committee = "" if _blank(row[COMMITTEE]) else str(row[COMMITTEE]).strip()
    if not committee:
        problems.append(f"第 {number} 个居委没有名称")
        committee = f"第 {number} 个居委"
    counts = {c: _count(row[c], c, committee, problems) for c in _COUNTS}
    if counts[ERRORS] > counts[CHECKED]:
        problems.append(
            f"居委「{committee}」的{ERRORS}（{counts[ERRORS]}）大于{CHECKED}（{counts[CHECKED]}）"
        )
    return _Counts(
        committee=committee,
        records=counts[RECORDS],
        tips=counts[TIPS],
        checked=counts[CHECKED],
        errors=counts[ERRORS],
        daily=counts[DAILY],
        struck=counts[STRUCK],
        entries=_entries(row[ENTRIES], committee, months, problems),
    )


def _read(frame: pd.DataFrame, months: int) -> list[_Counts]:
    missing = [c for c in INPUT_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"核算表缺少列：{'、'.join(missing)}")
    problems: list[str] = []
    records = frame.to_dict("records")
    rows = [_read_row(i, row, months, problems) for i, row in enumerate(records, 1)]
    names = [r.committee for r in rows]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"居委「{name}」出现了 {names.count(name)} 次，每个居委只应有一行")
    if problems:
        raise InputError("；".join(problems))
    return rows


# --- the parts of the arithmetic ---------------------------------------------------------


def clerk_allowance(records: int, clerk: ClerkAllowance) -> Decimal:
    """The entry clerk's allowance for one month with ``records`` entries.

    The base up to ``base_up_to`` records; each further *full* ``step_records``
    adds ``step_amount``; never above ``cap``; nothing below ``min_records``.
    """
    if records < clerk.min_records:
        return Decimal(0)
    steps = max(0, records - clerk.base_up_to) // clerk.step_records
    return min(clerk.base + steps * clerk.step_amount, clerk.cap)


def _allowance(entries: tuple[int, ...], clerk: ClerkAllowance) -> tuple[Decimal, str]:
    parts = []
    total = Decimal(0)
    for month, records in enumerate(entries, 1):
        amount = clerk_allowance(records, clerk)
        total += amount
        note = f"（不足 {clerk.min_records} 条）" if records < clerk.min_records else ""
        parts.append(f"第{month}月 {records} 条 → {_yuan(amount)}元{note}")
    return total, f"录入津贴：{'，'.join(parts)}，共 {_yuan(total)}元"


def _tier_part(c: _Counts, deduction: Deduction) -> tuple[Decimal, str, str]:
    """(percent deducted for the periodic check, 差错率 as shown, formula part)."""
    if c.checked == 0:
        return Decimal(0), "未抽查", "未抽查，不按档倒扣"
    exact = Decimal(c.errors) * 100 / Decimal(c.checked)
    shown = _pct(exact.quantize(_RATE_SHOWN, rounding=ROUND_HALF_UP))
    rounded = round_rate(exact, deduction.precision)
    how = "取整" if deduction.precision == 0 else f"保留 {deduction.precision} 位小数"
    step = "" if rounded == exact else f"，{how} {_pct(rounded)}%"
    tier = rate_tier(exact, deduction)
    number = deduction.tiers.index(tier) + 1
    text = (
        f"抽查 {c.checked} 条差错 {c.errors} 条 = {shown}%{step}"
        f" → 第 {number} 档（{tier.describe()}）倒扣 {_pct(tier.deduct)}%"
    )
    return tier.deduct, f"{shown}%", text


@dataclass(frozen=True)
class _Deducted:
    rate: str  # 差错率 as shown, or 未抽查
    asked: Decimal  # percent the rules ask for before the cap
    percent: Decimal  # percent deducted
    parts: tuple[str, ...]  # formula, one part per reason


def _deduction(c: _Counts, deduction: Deduction) -> _Deducted:
    percent, rate, first = _tier_part(c, deduction)
    parts = [first]
    for label, count, each in (
        ("日常检查无登记", c.daily, deduction.per_unregistered_daily),
        ("倒查无登记", c.struck, deduction.per_unregistered_struck),
    ):
        if count:
            percent += count * each
            parts.append(f"{label} {count} 条×{_pct(each)}% = {_pct(count * each)}%")
    return _Deducted(rate, percent, min(percent, deduction.cap), tuple(parts))


def _deducted_text(d: _Deducted, base: tuple[Decimal, Decimal], amount: Decimal) -> str:
    if not d.percent:
        return "合计不倒扣"
    head = f"合计倒扣 {_pct(d.asked)}%"
    if d.asked > d.percent:
        head += f"，超过上限，按 {_pct(d.percent)}% 计"
    reward, subsidy = base
    return f"{head}：({_yuan(reward)}+{_yuan(subsidy)})×{_pct(d.percent)}% = {_yuan(amount)}元"


# --- one row -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    committee: str
    reward: Decimal
    subsidy: Decimal
    rate: str
    percent: str
    deducted: Decimal
    allowance: Decimal
    formula: str

    @property
    def total(self) -> Decimal:
        return self.reward + self.subsidy - self.deducted + self.allowance


def _money_row(c: _Counts, rules: AuditRules, months: int) -> _Row:
    r = rules.rewards
    reward = c.records * r.record + c.tips * r.tip
    subsidy = r.committee_monthly * months
    d = _deduction(c, rules.deduction)
    deducted = ((reward + subsidy) * d.percent / 100).quantize(_CENT, rounding=ROUND_HALF_UP)
    allowance, allowance_text = _allowance(c.entries, r.clerk)
    total = reward + subsidy - deducted + allowance
    minus = f"−{_yuan(deducted)}" if deducted else ""
    steps = (
        f"采集 {c.records} 条×{_yuan(r.record)}元 + 信息员 {c.tips} 条×{_yuan(r.tip)}元"
        f" = {_yuan(reward)}元",
        f"居委补贴 {_yuan(r.committee_monthly)}元×{months}个月 = {_yuan(subsidy)}元",
        *d.parts,
        _deducted_text(d, (reward, subsidy), deducted),
        allowance_text,
        f"合计 {_yuan(reward)}+{_yuan(subsidy)}{minus}+{_yuan(allowance)} = {_yuan(total)}元",
    )
    percent = f"{_pct(d.percent)}%"
    formula = "；".join(steps)
    return _Row(c.committee, reward, subsidy, d.rate, percent, deducted, allowance, formula)


def _total_row(rows: list[_Row]) -> _Row:
    reward = sum((r.reward for r in rows), Decimal(0))
    subsidy = sum((r.subsidy for r in rows), Decimal(0))
    deducted = sum((r.deducted for r in rows), Decimal(0))
    allowance = sum((r.allowance for r in rows), Decimal(0))
    total = reward + subsidy - deducted + allowance
    formula = (
        f"{len(rows)} 个居委各列相加：采集奖励 {_yuan(reward)}元，居委补贴 {_yuan(subsidy)}元，"
        f"倒扣 {_yuan(deducted)}元，录入津贴 {_yuan(allowance)}元；"
        f"合计 {_yuan(reward)}+{_yuan(subsidy)}−{_yuan(deducted)}+{_yuan(allowance)}"
        f" = {_yuan(total)}元"
    )
    return _Row(TOTAL, reward, subsidy, "", "", deducted, allowance, formula)


def _as_record(row: _Row) -> dict[str, object]:
    def yuan(value: Decimal) -> float:
        return float(value.quantize(_CENT, rounding=ROUND_HALF_UP))

    return {
        "居委": row.committee,
        "采集奖励(元)": yuan(row.reward),
        "居委补贴(元)": yuan(row.subsidy),
        "差错率": row.rate,
        "倒扣比例": row.percent,
        "倒扣金额(元)": yuan(row.deducted),
        "录入津贴(元)": yuan(row.allowance),
        "合计(元)": yuan(row.total),
        "算式": row.formula,
    }


def compute_money(frame: pd.DataFrame, rules: AuditRules, months: int) -> pd.DataFrame:
    """Rewards, deductions and allowances of each 居委 over ``months`` months, and their sum.

    ``frame`` has one row per 居委 with the columns of ``INPUT_COLUMNS``
    (blank counts are 0; ``录入条数_按月`` may be shorter than ``months``, the
    missing months counting as 0 entries). The result has ``OUTPUT_COLUMNS``,
    one row per 居委 in input order and a last row ``合计``.
    """
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise UsageError(f"核算月数应为正整数，实为 {months!r}")
    rows = [_money_row(c, rules, months) for c in _read(frame, months)]
    records = [_as_record(r) for r in [*rows, _total_row(rows)]]
    return pd.DataFrame(records, columns=list(OUTPUT_COLUMNS))

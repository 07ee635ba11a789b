"""Rewards, deductions and allowances: real-looking 居委 checked against sums done by hand."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from recon.audit._money import INPUT_COLUMNS, OUTPUT_COLUMNS, clerk_allowance, compute_money
from recon.errors import InputError, UsageError
from recon.rules import AuditRules, load_audit_rules

RULES = load_audit_rules()
MONEY = ["采集奖励(元)", "居委补贴(元)", "倒扣金额(元)", "录入津贴(元)", "合计(元)"]


def committee(
    name: str,
    records: int = 0,
    tips: int = 0,
    checked: int = 0,
    errors: int = 0,
    daily: int = 0,
    struck: int = 0,
    entries: object = (),
) -> dict[str, object]:
    values = (name, records, tips, checked, errors, daily, struck, entries)
    return dict(zip(INPUT_COLUMNS, values, strict=True))


def money(rows: list[dict[str, object]], months: int, rules: AuditRules = RULES) -> pd.DataFrame:
    return compute_money(pd.DataFrame(rows, columns=list(INPUT_COLUMNS)), rules, months)


# description, input row, months,
# (采集奖励, 居委补贴, 差错率, 倒扣比例, 倒扣金额, 录入津贴, 合计) worked out by hand
CASES = [
    (
        "the plan's worked example over a quarter: 2 of 30 wrong is 7%, plus 1 unregistered",
        committee("金杨一居", 812, 3, 30, 2, daily=1, entries=[230, 150]),
        3,
        (818, 300, "6.67%", "12%", 134.16, 150, 1133.84),
    ),
    (
        "no periodic check (未抽查): no tier deduction; allowance at 199/200/201 is the base",
        committee("金杨二居", 500, 10, entries=[199, 200, 201]),
        3,
        (520, 300, "未抽查", "0%", 0, 150, 970),
    ),
    (
        "allowance steps: 299 still 50, 300 is 60, 700 reaches the cap of 100",
        committee("金杨三居", entries=[299, 300, 700]),
        3,
        (0, 300, "未抽查", "0%", 0, 210, 510),
    ),
    (
        "allowance capped at 100 for 10000 entries in a single month",
        committee("金杨四居", 40, entries=np.array([10000])),
        1,
        (40, 100, "未抽查", "0%", 0, 100, 240),
    ),
    (
        "50% wrong (100%) plus 2 unregistered (4%) is capped at 100%",
        committee("罗山一居", 300, 0, 20, 10, daily=2),
        3,
        (300, 300, "50%", "100%", 600, 150, 150),
    ),
    (
        "2.5% rounds to 3% (tier 0-4, nothing); 3 struck persons unregistered deduct 30%",
        committee("罗山二居", 1234, 17, 40, 1, struck=3, entries=[412, 388, 95]),
        3,
        (1268, 300, "2.5%", "30%", 470.40, 180, 1277.60),
    ),
    (
        "exactly 5% is the 10% tier, one month",
        committee("罗山三居", 88, 2, 20, 1, entries=[200]),
        1,
        (92, 100, "5%", "10%", 19.20, 50, 222.80),
    ),
    (
        "4.5% rounds half up to 5% and deducts 10%",
        committee("罗山四居", 1000, 0, 200, 9, entries=[250, 260, 270]),
        3,
        (1000, 300, "4.5%", "10%", 130, 150, 1320),
    ),
    (
        "10.5% rounds up to 11% and deducts 30%, two months",
        committee("罗山五居", 0, 0, 200, 21, entries=[0, 0]),
        2,
        (0, 200, "10.5%", "30%", 60, 100, 240),
    ),
    (
        "25% is the 21-30 tier (the plan's 差错20%以上) and deducts 50%",
        committee("罗山六居", 200, 0, 20, 5, entries=[180, 220, 320]),
        3,
        (200, 300, "25%", "50%", 250, 160, 410),
    ),
    (
        "40.5% rounds to 41% and deducts everything",
        committee("罗山七居", 150, 5, 200, 81),
        3,
        (160, 300, "40.5%", "100%", 460, 150, 150),
    ),
    (
        "4% (nothing) + 3 unregistered in daily checks (6%) + 1 struck (10%) = 16%",
        committee("罗山八居", 600, 0, 50, 2, daily=3, struck=1, entries=[201, 0, 500]),
        3,
        (600, 300, "4%", "16%", 144, 180, 936),
    ),
]


@pytest.mark.parametrize(
    ("description", "row", "months", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_money_by_hand(description, row, months, expected):
    out = money([row], months)
    assert list(out.columns) == list(OUTPUT_COLUMNS)
    assert list(out["居委"]) == [row["居委"], "合计"]
    first = out.iloc[0]
    reward, subsidy, rate, percent, deducted, allowance, total = expected
    assert first["采集奖励(元)"] == reward
    assert first["居委补贴(元)"] == subsidy
    assert first["差错率"] == rate
    assert first["倒扣比例"] == percent
    assert first["倒扣金额(元)"] == pytest.approx(deducted, abs=1e-9)
    assert first["录入津贴(元)"] == allowance
    assert first["合计(元)"] == pytest.approx(total, abs=1e-9)
    shown = str(int(total)) if total == int(total) else f"{total:.2f}"
    assert first["算式"].endswith(f"= {shown}元")


def test_formula_spells_out_the_worked_example():
    out = money([CASES[0][1]], 3)
    assert out.iloc[0]["算式"] == (
        "采集 812 条×1元 + 信息员 3 条×2元 = 818元；"
        "居委补贴 100元×3个月 = 300元；"
        "抽查 30 条差错 2 条 = 6.67%，取整 7% → 第 2 档（5–10%）倒扣 10%；"
        "日常检查无登记 1 条×2% = 2%；"
        "合计倒扣 12%：(818+300)×12% = 134.16元；"
        "录入津贴：第1月 230 条 → 50元，第2月 150 条 → 50元，第3月 0 条 → 50元，共 150元；"
        "合计 818+300−134.16+150 = 1133.84元"
    )


def test_formula_for_unchecked_and_capped_committees():
    unchecked, capped = money([CASES[1][1], CASES[4][1]], 3)["算式"][:2]
    assert "未抽查，不按档倒扣；合计不倒扣" in unchecked
    assert "合计 520+300+150 = 970元" in unchecked
    assert "抽查 20 条差错 10 条 = 50% → 第 6 档（41–100%）倒扣 100%" in capped
    assert "合计倒扣 104%，超过上限，按 100% 计：(300+300)×100% = 600元" in capped


def test_total_row_sums_the_committee_rows():
    out = money([row for _, row, _, _ in CASES], 3)
    body, total = out.iloc[:-1], out.iloc[-1]
    assert total["居委"] == "合计"
    assert len(body) == len(CASES)
    for column in MONEY:
        expected = sum(Decimal(str(v)) for v in body[column])
        assert Decimal(str(total[column])) == expected, column
    assert (total["差错率"], total["倒扣比例"]) == ("", "")
    assert total["算式"].startswith(f"{len(CASES)} 个居委各列相加：")


def test_deduction_never_touches_the_clerk_allowance():
    out = money([committee("全扣", 100, 0, 10, 10, entries=[700, 700, 700])], 3)
    row = out.iloc[0]
    assert row["倒扣金额(元)"] == row["采集奖励(元)"] + row["居委补贴(元)"] == 400
    assert row["合计(元)"] == row["录入津贴(元)"] == 300


ALLOWANCE = [
    (0, 50),  # a month with nothing entered still gets the base (literal reading)
    (1, 50),
    (199, 50),
    (200, 50),
    (201, 50),
    (299, 50),
    (300, 60),
    (399, 60),
    (400, 70),
    (699, 90),
    (700, 100),
    (800, 100),
    (10000, 100),
]


@pytest.mark.parametrize(("records", "expected"), ALLOWANCE)
def test_clerk_allowance_steps(records, expected):
    assert clerk_allowance(records, RULES.rewards.clerk) == expected


def with_clerk(**changes: object) -> AuditRules:
    clerk = replace(RULES.rewards.clerk, **changes)
    return replace(RULES, rewards=replace(RULES.rewards, clerk=clerk))


def test_min_records_withholds_the_allowance_below_it():
    rules = with_clerk(min_records=10)
    assert clerk_allowance(9, rules.rewards.clerk) == 0
    assert clerk_allowance(10, rules.rewards.clerk) == 50
    row = money([committee("少录", entries=[9, 10])], 2, rules).iloc[0]
    assert row["录入津贴(元)"] == 50
    assert "第1月 9 条 → 0元（不足 10 条）" in row["算式"]


def test_half_a_fen_rounds_up(tmp_path):
    path = tmp_path / "cents.toml"
    path.write_text(
        "[rewards]\nrecord = 0.05\ncommittee_monthly = 0\n\n[rewards.clerk]\nbase = 0\n",
        encoding="utf-8",
    )
    row = money([committee("五分", 5, daily=1)], 1, load_audit_rules(path)).iloc[0]
    # 0.25 × 2% = 0.005 元: half up gives 0.01 (banker's rounding would give 0.00)
    assert row["倒扣金额(元)"] == 0.01
    assert row["合计(元)"] == 0.24
    assert "(0.25+0)×2% = 0.01元" in row["算式"]


def test_blank_counts_are_zero_and_months_default_to_zero_entries():
    row = committee("空白", 10, entries=None)
    row["日常检查无登记条数"] = float("nan")
    out = money([row], 2).iloc[0]
    assert out["倒扣金额(元)"] == 0
    assert out["录入津贴(元)"] == 100
    assert "第2月 0 条 → 50元" in out["算式"]


def test_no_committees_gives_a_zero_total():
    out = money([], 3)
    assert list(out["居委"]) == ["合计"]
    assert out.iloc[0]["合计(元)"] == 0


BAD_INPUT = [
    (
        "more errors than checked",
        committee("一居", checked=10, errors=11),
        ["抽查差错数（11）大于抽查数（10）"],
    ),
    ("negative count", committee("一居", records=-1), ["「有效采集条数」应为不小于 0 的整数"]),
    (
        "half a record",
        committee("一居", tips=2.5),
        ["「信息员有效条数」应为不小于 0 的整数，实为 2.5"],
    ),
    (
        "count as text",
        committee("一居", daily="三"),
        ["「日常检查无登记条数」应为不小于 0 的整数，实为 「三」"],
    ),
    (
        "more months of entries than the period",
        committee("一居", entries=[1, 2, 3, 4]),
        ["「录入条数_按月」有 4 个月，多于核算期的 3 个月"],
    ),
    ("entries as text", committee("一居", entries="230"), ["「录入条数_按月」应为每月条数的列表"]),
    ("a negative month", committee("一居", entries=[5, -1]), ["「录入条数_按月（第2月）」"]),
]


@pytest.mark.parametrize(
    ("description", "row", "expected"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT]
)
def test_bad_input_names_the_committee_and_column(description, row, expected):
    with pytest.raises(InputError) as info:
        money([row], 3)
    for part in expected:
        assert part in str(info.value)
    assert "居委「一居」" in str(info.value)


def test_every_bad_committee_is_reported_at_once():
    rows = [
        committee("一居", records=-1),
        committee("二居", checked=1, errors=2),
        committee("一居"),
    ]
    with pytest.raises(InputError) as info:
        money(rows, 3)
    text = str(info.value)
    assert "居委「一居」的「有效采集条数」" in text
    assert "居委「二居」的抽查差错数（2）大于抽查数（1）" in text
    assert "居委「一居」出现了 2 次" in text


def test_a_committee_without_a_name_is_refused():
    rows = [committee("一居"), committee(None), committee("  ")]
    with pytest.raises(InputError) as info:
        money(rows, 3)
    assert "第 2 个居委没有名称" in str(info.value)
    assert "第 3 个居委没有名称" in str(info.value)


def test_pandas_missing_values_count_as_zero():
    frame = pd.DataFrame([committee("一居", 10, entries=[250])], columns=list(INPUT_COLUMNS))
    frame["倒查无登记条数"] = pd.array([pd.NA], dtype="Int64")
    row = compute_money(frame, RULES, 1).iloc[0]
    assert (row["倒扣金额(元)"], row["合计(元)"]) == (0, 160)


def test_missing_columns_and_bad_months():
    frame = pd.DataFrame([committee("一居")]).drop(columns=["抽查数", "录入条数_按月"])
    with pytest.raises(InputError, match="核算表缺少列：抽查数、录入条数_按月"):
        compute_money(frame, RULES, 3)
    for months in (0, -1, True):
        with pytest.raises(UsageError, match="核算月数应为正整数"):
            money([committee("一居")], months)


counts = st.integers(min_value=0, max_value=5000)


@st.composite
def committee_rows(draw: st.DrawFn) -> dict[str, object]:
    checked = draw(st.integers(min_value=0, max_value=300))
    return committee(
        name=f"第{draw(st.integers(min_value=1, max_value=10**6))}居",
        records=draw(counts),
        tips=draw(counts),
        checked=checked,
        errors=draw(st.integers(min_value=0, max_value=checked)),
        daily=draw(st.integers(min_value=0, max_value=60)),
        struck=draw(st.integers(min_value=0, max_value=12)),
        entries=draw(st.lists(counts, max_size=3)),
    )


@given(st.lists(committee_rows(), max_size=6, unique_by=lambda r: r["居委"]))
def test_rows_add_up_and_deductions_stay_within_the_base(rows):
    out = money(rows, 3)
    cents = out[MONEY].map(lambda v: Decimal(str(v)))
    body, total = cents.iloc[:-1], cents.iloc[-1]
    for _, r in body.iterrows():
        base = r["采集奖励(元)"] + r["居委补贴(元)"]
        assert 0 <= r["倒扣金额(元)"] <= base
        assert r["合计(元)"] == base - r["倒扣金额(元)"] + r["录入津贴(元)"]
        assert 150 <= r["录入津贴(元)"] <= 300
    for column in MONEY:
        assert total[column] == sum(body[column], Decimal(0))

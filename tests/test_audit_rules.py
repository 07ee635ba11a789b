"""Audit rules (audit.toml): shipped values, user files merged on top, every bad file
reported at once naming its place, and error rates placed in their tier."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recon.errors import RulesError
from recon.rules._audit import (
    TARGETS,
    Deduction,
    Tier,
    load_audit_rules,
    rate_tier,
    round_rate,
)

SHIPPED = load_audit_rules()
SEED_TIERS = [(0, 4, 0), (5, 10, 10), (11, 20, 30), (21, 30, 50), (31, 40, 80), (41, 100, 100)]


def tiers(*rows: tuple[object, object, object]) -> str:
    """``[[deduction.tiers]]`` entries for (from, to, deduct) rows."""
    return "".join(
        f"[[deduction.tiers]]\nfrom = {a}\nto = {b}\ndeduct = {d}\n\n" for a, b, d in rows
    )


def load_text(tmp_path: Path, text: str, name: str = "my_audit.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_audit_rules(path)


def problems_of(tmp_path: Path, text: str, name: str = "my_audit.toml") -> RulesError:
    with pytest.raises(RulesError) as info:
        load_text(tmp_path, text, name)
    return info.value


# --- the shipped file --------------------------------------------------------------------


def test_shipped_rules_hold_the_seed_values():
    r = SHIPPED
    assert set(r.targets) == set(TARGETS)
    assert r.targets["registration"] == r.targets["cancellation"] == 100
    assert r.targets["completeness"] == r.targets["check_completeness"] == 98
    assert r.required == ("name", "sex", "id_number", "address")
    assert (r.collect_days, r.enter_days) == (3, 2)
    d = r.deduction
    assert d.precision == 0
    assert [(t.from_, t.to, t.deduct) for t in d.tiers] == [
        tuple(Decimal(x) for x in row) for row in SEED_TIERS
    ]
    assert (d.per_unregistered_daily, d.per_unregistered_struck, d.cap) == (2, 10, 100)
    assert (r.rewards.tip, r.rewards.record, r.rewards.committee_monthly) == (2, 1, 100)
    c = r.rewards.clerk
    assert (c.base, c.base_up_to, c.step_records, c.step_amount, c.cap, c.min_records) == (
        50,
        200,
        100,
        10,
        100,
        0,
    )
    assert [name for name, _ in r.sources] == ["audit.toml"]
    assert len(r.digest) == 64


def test_lower_is_better_is_data_and_checked(tmp_path):
    assert SHIPPED.lower_is_better == {"duplicates", "check_stale", "check_errors"}
    mine = load_text(tmp_path, '[rates]\nlower_is_better = ["duplicates"]\n')
    assert mine.lower_is_better == {"duplicates"}
    err = problems_of(tmp_path, '[rates]\nlower_is_better = ["duplicate", "check_errors"]\n')
    assert "rates.lower_is_better" in err.render() and "「duplicate」" in err.render()


def test_shipped_file_explains_the_overlap_in_chinese():
    text = resources.files("recon.rules").joinpath("audit.toml").read_text(encoding="utf-8")
    assert "差错20%以上，倒扣50%" in text
    assert "差错31-40%，倒扣80%" in text
    assert "min_records" in text


# --- bad files: every problem, naming its place ------------------------------------------

GOOD_TIERS = tiers(*SEED_TIERS)
LAYOUT = "[[deduction.tiers]] "

BAD_FILES = [
    (
        "gap between 5-10 and 12-20",
        tiers((0, 4, 0), (5, 10, 10), (12, 20, 30), (21, 100, 100)),
        [LAYOUT + "第 2 档（5–10%）与第 3 档（12–20%）之间有空缺：10 之后应从 11 开始"],
    ),
    (
        "overlap",
        tiers((0, 4, 0), (5, 10, 10), (11, 20, 30), (21, 30, 50), (25, 40, 80), (41, 100, 100)),
        [LAYOUT + "第 4 档（21–30%）与第 5 档（25–40%）重叠"],
    ),
    (
        "the seed read literally: 差错20%以上 50% overlaps 31-40% 80%",
        tiers((0, 4, 0), (5, 10, 10), (11, 20, 30), (21, 100, 50), (31, 40, 80), (41, 100, 100)),
        [LAYOUT + "第 4 档（21–100%）与第 5 档（31–40%）重叠"],
    ),
    (
        "the seed read as 20% and above",
        tiers((0, 4, 0), (5, 10, 10), (11, 20, 30), (20, 100, 50), (31, 40, 80), (41, 100, 100)),
        [
            LAYOUT + "第 3 档（11–20%）与第 4 档（20–100%）重叠",
            LAYOUT + "第 4 档（20–100%）与第 5 档（31–40%）重叠",
        ],
    ),
    (
        "first tier not from 0",
        tiers((1, 4, 0), (5, 100, 10)),
        [LAYOUT + "第一档应从 0 开始，实为 1"],
    ),
    (
        "last tier not to 100",
        tiers((0, 4, 0), (5, 99, 10)),
        [LAYOUT + "最后一档应到 100 为止，实为 99"],
    ),
    (
        "from above to (a typo for 5-10)",
        tiers((0, 4, 0), (10, 5, 10), (11, 100, 30)),
        [LAYOUT + "第 2 档 from 大于 to（10–5%）"],
    ),
    (
        "tiers not sorted",
        tiers((0, 4, 0), (11, 20, 30), (5, 10, 10), (21, 100, 50)),
        [LAYOUT + "第 2 档（11–20%）与第 3 档（5–10%）顺序颠倒"],
    ),
    (
        "a bound with decimals while rates are rounded to whole percents",
        tiers((0, 4.5, 0), (5, 100, 10)),
        [
            LAYOUT + "第 1 档 to 应为整数（差错率保留 0 位小数后对照档次，"
            "见 deduction.precision），实为 4.5"
        ],
    ),
    (
        "a tier without deduct and one with an unknown key",
        "[[deduction.tiers]]\nfrom = 0\nto = 4\n\n"
        "[[deduction.tiers]]\nfrom = 5\nto = 100\ndeduct = 10\nnote = 1\n",
        [LAYOUT + "第 1 档缺少 deduct", LAYOUT + "第 2 档中有未知的项「note」"],
    ),
    (
        "a deduction above 100%",
        tiers((0, 4, 0), (5, 100, 120)),
        [LAYOUT + "第 2 档 deduct 应为 0–100 之间的数字，实为 120"],
    ),
    (
        "no tiers at all",
        "[deduction]\ntiers = []\n",
        ["[[deduction.tiers]] 至少应有一档"],
    ),
    (
        "tiers that are not an array of tables",
        "[deduction]\ntiers = 5\n",
        ["[[deduction.tiers]] 应为表的数组"],
    ),
    (
        "target given as text",
        '[targets]\nregistration = "abc"\n',
        ['targets.registration 应为 0–100 之间的数字，实为 "abc"'],
    ),
    (
        "targets out of range and a boolean",
        "[targets]\nentry = 120\naccuracy = -1\ncompleteness = true\n",
        [
            "targets.entry 应为 0–100 之间的数字，实为 120",
            "targets.accuracy 应为 0–100 之间的数字，实为 -1",
            "targets.completeness 应为 0–100 之间的数字，实为 true",
        ],
    ),
    (
        "unknown keys at every level",
        "[target]\nregistration = 99\n\n[rewards]\ntipp = 3\n\n[targets]\nregistraton = 99\n",
        [
            "有未知的项「target」",
            "[rewards] 中有未知的项「tipp」（可用：tip、record、committee_monthly、clerk）",
            "[targets] 中有未知的项「registraton」",
        ],
    ),
    (
        "wrong types",
        'rewards = 5\n\n[deadlines]\ncollect_days = "3"\nenter_days = 2.0\n\n'
        '[completeness]\nrequired = "name"\n',
        [
            "[rewards] 应为表，实为 5",
            'deadlines.collect_days 应为正整数，实为 "3"',
            "deadlines.enter_days 应为正整数，实为 2.0",
            'completeness.required 应为字段名列表，实为 "name"',
        ],
    ),
    (
        "unknown and repeated required fields",
        '[completeness]\nrequired = ["nmae", "sex", "sex"]\n',
        ["completeness.required 中有未知字段「nmae」", "completeness.required 中字段「sex」重复"],
    ),
    (
        "negative money and money below a fen",
        "[rewards]\ntip = -1\nrecord = 1.005\n\n[rewards.clerk]\ncap = -5\n",
        [
            "rewards.tip 应为不小于 0 的金额（元，最多两位小数），实为 -1",
            "rewards.record 应为不小于 0 的金额（元，最多两位小数），实为 1.005",
            "rewards.clerk.cap 应为不小于 0 的金额",
        ],
    ),
    (
        "negative deductions and a zero step",
        "[deduction]\nper_unregistered_daily = -2\ncap = 150\n\n"
        "[rewards.clerk]\nstep_records = 0\n",
        [
            "deduction.per_unregistered_daily 应为不小于 0 的数字，实为 -2",
            "deduction.cap 应为 0–100 之间的数字，实为 150",
            "rewards.clerk.step_records 应为正整数，实为 0",
        ],
    ),
    (
        "TOML syntax error on line 3",
        "[targets]\nregistration = 100\nentry = \n",
        ["第 3 行第 9 列不符合 TOML 格式"],
    ),
    (
        "unclosed table header on line 1",
        "[targets\nregistration = 100\n",
        ["第 1 行第 9 列不符合 TOML 格式"],
    ),
]


@pytest.mark.parametrize(
    ("description", "text", "expected"), BAD_FILES, ids=[c[0] for c in BAD_FILES]
)
def test_bad_rules_file_names_every_place(tmp_path, description, text, expected):
    err = problems_of(tmp_path, text)
    assert len(err.problems) == len(expected), err.problems
    for part in expected:
        assert sum(part in p for p in err.problems) == 1, (part, err.problems)
    assert all(p.startswith("my_audit.toml：") for p in err.problems), err.problems
    assert "文件「my_audit.toml」" in str(err)
    assert f"规则文件有 {len(expected)} 处错误" in str(err)


def test_every_problem_in_one_file_is_reported_at_once(tmp_path):
    text = '[targets]\nregistration = "abc"\n\n[rewards]\ntip = -1\n\n' + tiers(
        (0, 4, 0), (5, 10, 10), (12, 100, 30)
    )
    err = problems_of(tmp_path, text, name="audit.toml")
    assert len(err.problems) == 3
    assert err.problems == [
        'audit.toml：targets.registration 应为 0–100 之间的数字，实为 "abc"',
        "audit.toml：rewards.tip 应为不小于 0 的金额（元，最多两位小数），实为 -1",
        "audit.toml：[[deduction.tiers]] 第 2 档（5–10%）与第 3 档（12–100%）之间有空缺："
        "10 之后应从 11 开始",
    ]


def test_changing_precision_alone_names_both_files(tmp_path):
    err = problems_of(tmp_path, "[deduction]\nprecision = 1\n", name="local.toml")
    gaps = [p for p in err.problems if p.startswith("audit.toml：")]
    assert len(gaps) == 5
    assert "第 1 档（0–4%）与第 2 档（5–10%）之间有空缺：4 之后应从 4.1 开始" in gaps[0]
    assert err.problems[-1] == (
        "local.toml：deduction.precision 改为 1 后，[[deduction.tiers]] 须在同一文件中"
        "按 1 位小数整张重写"
    )


def test_unreadable_rules_file(tmp_path):
    with pytest.raises(RulesError) as info:
        load_audit_rules(tmp_path / "missing.toml")
    assert "missing.toml：无法读取规则文件" in str(info.value)
    gbk = tmp_path / "gbk.toml"
    gbk.write_bytes("# 本地规则\n".encode("gbk"))
    with pytest.raises(RulesError):
        load_audit_rules(gbk)


# --- a user's file merged on top ---------------------------------------------------------


def test_user_targets_merge_over_the_shipped_file(tmp_path):
    rules = load_text(tmp_path, "\ufeff[targets]\nregistration = 95\ncompleteness = 97.5\n")
    assert rules.targets["registration"] == 95
    assert rules.targets["completeness"] == 97.5
    assert rules.targets["cancellation"] == 100
    assert rules.deduction == SHIPPED.deduction
    assert rules.rewards == SHIPPED.rewards
    assert [name for name, _ in rules.sources] == ["audit.toml", "my_audit.toml"]
    assert rules.digest != SHIPPED.digest


def test_user_tiers_replace_the_whole_list_and_clerk_merges(tmp_path):
    text = (
        "[deduction]\nprecision = 1\n\n"
        + tiers((0, 4.9, 0), (5, 10, 10), (10.1, 20, 30), (20.1, 100, 100))
        + "[rewards.clerk]\nmin_records = 10\n"
    )
    rules = load_text(tmp_path, text)
    d = rules.deduction
    assert [t.describe() for t in d.tiers] == ["0–4.9%", "5–10%", "10.1–20%", "20.1–100%"]
    assert d.per_unregistered_daily == SHIPPED.deduction.per_unregistered_daily
    assert rules.rewards.clerk.min_records == 10
    assert rules.rewards.clerk.base == SHIPPED.rewards.clerk.base
    cases = {4.94: "0–4.9%", 4.95: "5–10%", 10.04: "5–10%", 10.05: "10.1–20%", 20.05: "20.1–100%"}
    for rate, expected in cases.items():
        assert rate_tier(rate, d).describe() == expected, rate


def test_same_file_gives_same_digest(tmp_path):
    a = load_text(tmp_path, "[targets]\nentry = 99\n", name="a.toml")
    b = load_text(tmp_path, "[targets]\nentry = 99\n", name="a.toml")
    c = load_text(tmp_path, "[targets]\nentry = 98\n", name="a.toml")
    assert a.digest == b.digest != c.digest


# --- error rates and tiers ---------------------------------------------------------------

BOUNDARIES = [
    (0, "0–4%"),
    (4.4, "0–4%"),
    (4.49, "0–4%"),
    (4.5, "5–10%"),  # half up, not to even
    (5, "5–10%"),
    (10, "5–10%"),
    (10.4, "5–10%"),
    (10.5, "11–20%"),
    (20, "11–20%"),
    (20.5, "21–30%"),
    (30.49, "21–30%"),
    (30.5, "31–40%"),
    (40.5, "41–100%"),
    (100, "41–100%"),
    (Decimal(2) * 100 / Decimal(30), "5–10%"),  # 6.666...% is 7%
    (Decimal(9) * 100 / Decimal(200), "5–10%"),  # exactly 4.5%
]


@pytest.mark.parametrize(("rate", "expected"), BOUNDARIES)
def test_rate_tier_on_boundaries(rate, expected):
    assert rate_tier(rate, SHIPPED.deduction).describe() == expected


def test_round_rate_is_half_up():
    assert round_rate(2.5, 0) == 3  # Python's round(2.5) is 2
    assert round_rate(0.125, 2) == Decimal("0.13")
    assert round_rate(Decimal("6.6666"), 1) == Decimal("6.7")


@pytest.mark.parametrize("rate", [-0.6, 100.5, 150, float("nan")])
def test_rate_outside_every_tier_is_refused(rate):
    with pytest.raises(ValueError):
        rate_tier(rate, SHIPPED.deduction)


@given(
    st.one_of(
        st.floats(min_value=0, max_value=100, allow_nan=False),
        st.decimals(min_value=0, max_value=100, places=3),
        st.integers(min_value=0, max_value=100),
    )
)
def test_every_rate_lands_in_exactly_one_shipped_tier(rate):
    d = SHIPPED.deduction
    rounded = round_rate(rate, d.precision)
    holding = [t for t in d.tiers if t.from_ <= rounded <= t.to]
    assert len(holding) == 1
    assert rate_tier(rate, d) == holding[0]


@given(
    cuts=st.lists(st.integers(min_value=1, max_value=99), unique=True, max_size=8).map(sorted),
    precision=st.integers(min_value=0, max_value=2),
    rate=st.decimals(min_value=0, max_value=100, places=4),
)
def test_any_contiguous_layout_loads_and_covers_every_rate(tmp_path_factory, cuts, precision, rate):
    # tiers [0, c1 - step], [c1, c2 - step], ..., [ck, 100] for whole-number cuts
    step = Decimal(1).scaleb(-precision)
    starts = [Decimal(0), *(Decimal(c) for c in cuts)]
    ends = [*(Decimal(c) - step for c in cuts), Decimal(100)]
    rows = [(a, b, i) for i, (a, b) in enumerate(zip(starts, ends, strict=True))]
    text = f"[deduction]\nprecision = {precision}\n\n" + tiers(*rows)
    rules = load_text(tmp_path_factory.mktemp("layout"), text)
    d = rules.deduction
    assert len(d.tiers) == len(cuts) + 1
    rounded = round_rate(rate, precision)
    assert sum(t.from_ <= rounded <= t.to for t in d.tiers) == 1
    assert rate_tier(rate, d).from_ <= rounded


def test_tier_describes_itself():
    tier = Tier(from_=Decimal("10.1"), to=Decimal("20.0"), deduct=Decimal(30))
    assert tier.describe() == "10.1–20%"
    deduction = Deduction(0, (tier,), Decimal(0), Decimal(0), Decimal(100))
    with pytest.raises(ValueError, match="不在任何一档中"):
        rate_tier(5, deduction)

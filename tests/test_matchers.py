"""The matcher on its own: rules checked at load, comparisons level by level,
scores and outcomes of tiny record frames (no files, no pipeline).

In the manner of Splink's comparison-level tests: records in, level (and
score, outcome) out.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recon.errors import RulesError
from recon.loaders._prepare import prepare_records
from recon.matchers import COMPARISONS, match_records
from recon.matchers._estimate import estimate_errors, fit_mixture
from recon.normalize import check_char
from recon.rules import load_rules, matching_rules

SHIPPED = (Path(__file__).resolve().parents[1] / "recon" / "rules" / "matching.toml").read_text(
    encoding="utf-8"
)


# --- rules as data -----------------------------------------------------------------


def test_every_level_of_every_comparison_has_a_shipped_weight():
    rules = load_rules().matching
    for comp in COMPARISONS:
        assert set(rules.weights[comp.item]) == set(comp.words), comp.item


def test_same_invalid_has_a_weight_that_counts_for_the_pair():
    rules = load_rules().matching
    assert rules.weights["id"]["same_invalid"] > rules.weights["id"]["two_errors"]


def _edited(old: str, new: str) -> str:
    assert old in SHIPPED, old
    return SHIPPED.replace(old, new, 1)


@pytest.mark.parametrize(
    ("description", "text", "expected"),
    [
        (
            "a misspelt level (a weight for a level no comparison gives)",
            _edited("one_error = 8.0", "one_eror = 8.0"),
            [r"\[weights\.id\] 的 one_eror 不是该比对项的级别", r"缺少级别 one_error"],
        ),
        (
            "a level left out",
            re.sub(r"(?m)^same_invalid = .*\n", "", SHIPPED),
            [r"\[weights\.id\] 缺少级别 same_invalid 的权重"],
        ),
        (
            "an unknown comparison",
            SHIPPED + "\n[weights.shoe_size]\nequal = 1.0\n",
            [r"\[weights\.shoe_size\] 不是已知的比对项"],
        ),
        (
            "a weight that is not a number",
            _edited("equal = 5.0", 'equal = "5"'),
            [r"\[weights\.birth\] 的 equal 应为数字"],
        ),
        (
            "a threshold missing",
            re.sub(r"(?m)^margin = .*\n", "", SHIPPED),
            [r"\[thresholds\] 缺少 margin"],
        ),
        (
            "a blocking rule on an unknown part",
            SHIPPED + '\n[[blocking]]\nname = "shoe"\nparts = ["shoe_size"]\n',
            [r"（shoe）的 parts 中未知的项：shoe_size"],
        ),
        (
            "a blocking rule for an unknown kind of row",
            SHIPPED + '\n[[blocking]]\nname = "x"\nparts = ["birth"]\nonly = "tall"\n',
            [r"（x）的 only「tall」未知"],
        ),
    ],
)
def test_a_bad_matching_file_is_refused_naming_file_table_and_key(description, text, expected):
    with pytest.raises(RulesError) as err:
        matching_rules(text, "我的规则.toml")
    message = str(err.value)
    assert "我的规则.toml" in message, description
    for pattern in expected:
        assert re.search(pattern, message), (description, pattern, message)


def test_the_shipped_file_passes_and_keeps_its_blocking_order():
    rules = matching_rules(SHIPPED)
    assert rules.blocking[0].name == "id14"
    assert [r.name for r in rules.blocking] == [r.name for r in load_rules().matching.blocking]
    assert rules.match > rules.review > 0


# --- comparisons, level by level ------------------------------------------------------

_DEFAULTS = {
    "name": "刘洋",
    "id_number": "",
    "sex": "男",
    "birth_date": "",
    "address": "古美路1255弄12号302室",
    "hukou_address": "",
    "phone": "",
    "committee": "古美一村",
    "arrived_on": "",
    "registered_on": "",
    "ethnicity": "",
}


def _id(region: str, birth: str, seq: str) -> str:
    body = region + birth + seq
    return body + check_char(body)


LIU_A = _id("411082", "19920304", "111")  # 河南 长葛
LIU_B = _id("340828", "19921130", "131")  # 安徽 岳西


def records(rows: list[dict[str, str]], side: str) -> pd.DataFrame:
    """Prepared records (as the loader makes them) from a few canonical fields."""
    raw = pd.DataFrame([{**_DEFAULTS, **r} for r in rows])
    raw.insert(0, "file", f"{side}.csv")
    raw.insert(1, "sheet", "")
    raw.insert(2, "row", range(2, len(raw) + 2))
    raw["id_numeric"] = False
    status = load_rules().status
    prepared, _problems = prepare_records(raw, side, status, {})
    return prepared


def level(item: str, left: dict[str, str], right: dict[str, str]) -> str:
    comp = next(c for c in COMPARISONS if c.item == item)
    return str(comp.levels(records([left], "field"), records([right], "system"))[0])


HUKOU = "河南省许昌市长葛市石门乡五一村8组54号"


@pytest.mark.parametrize(
    ("description", "item", "left", "right", "expected"),
    [
        # hukou address
        ("the same text", "hukou", {"hukou_address": HUKOU}, {"hukou_address": HUKOU}, "same_flat"),
        (
            "another spelling: no province, Chinese numerals",
            "hukou",
            {"hukou_address": "长葛市石门乡五一村八组54号"},
            {"hukou_address": HUKOU},
            "same_flat",
        ),
        (
            "same village, another number",
            "hukou",
            {"hukou_address": "河南省许昌市长葛市石门乡五一村8组55号"},
            {"hukou_address": HUKOU},
            "same_locality",
        ),
        (
            "same flat key in another county: two places",
            "hukou",
            {"hukou_address": "河南省周口市项城市石门乡五一村8组54号"},
            {"hukou_address": HUKOU},
            "different",
        ),
        (
            "one side names only the county",
            "hukou",
            {"hukou_address": "河南省许昌市长葛市"},
            {"hukou_address": HUKOU},
            "same_county",
        ),
        (
            "another village",
            "hukou",
            {"hukou_address": "安徽省安庆市岳西县青山乡高台村115号"},
            {"hukou_address": HUKOU},
            "different",
        ),
        ("one side blank", "hukou", {"hukou_address": ""}, {"hukou_address": HUKOU}, "unknown"),
        # hukou against the other record's ID region
        (
            "hukou county is the ID's county",
            "hukou_region",
            {"hukou_address": HUKOU},
            {"id_number": LIU_A},
            "agrees",
        ),
        (
            "hukou in the ID's province, another county",
            "hukou_region",
            {"hukou_address": "河南省周口市项城市城关镇1号"},
            {"id_number": LIU_A},
            "same_province",
        ),
        (
            "hukou in another province than the ID",
            "hukou_region",
            {"hukou_address": HUKOU},
            {"id_number": LIU_B},
            "contradicts",
        ),
        (
            "either way round",
            "hukou_region",
            {"id_number": LIU_B},
            {"hukou_address": HUKOU},
            "contradicts",
        ),
        ("no hukou address", "hukou_region", {}, {"id_number": LIU_A}, "unknown"),
        # phone
        (
            "one mobile, two spellings",
            "phone",
            {"phone": "139 1234 5678"},
            {"phone": "+8613912345678"},
            "same_mobile",
        ),
        (
            "a landline with and without its area code",
            "phone",
            {"phone": "021-64561234"},
            {"phone": "64561234"},
            "same_landline",
        ),
        (
            "two mobiles",
            "phone",
            {"phone": "13912345678"},
            {"phone": "18687654321"},
            "different",
        ),
        ("one side blank", "phone", {"phone": ""}, {"phone": "13912345678"}, "unknown"),
        # arrival against registration
        (
            "registered a week after arriving",
            "arrival",
            {"arrived_on": "2023-05-01"},
            {"registered_on": "2023-05-08"},
            "close",
        ),
        (
            "registered years before",
            "arrival",
            {"arrived_on": "2023-05-01"},
            {"registered_on": "2019-02-01"},
            "far",
        ),
        ("no arrival date", "arrival", {}, {"registered_on": "2023-05-08"}, "unknown"),
        # ethnicity
        ("汉 and 汉族", "ethnicity", {"ethnicity": "汉"}, {"ethnicity": "汉族"}, "equal"),
        ("two peoples", "ethnicity", {"ethnicity": "回族"}, {"ethnicity": "汉族"}, "different"),
        ("a placeholder", "ethnicity", {"ethnicity": "不详"}, {"ethnicity": "汉族"}, "unknown"),
        # ID (two identical invalid IDs: the level that had no weight)
        (
            "the same invalid ID on both sides",
            "id",
            {"id_number": LIU_A[:-1] + ("0" if LIU_A[-1] != "0" else "1")},
            {"id_number": LIU_A[:-1] + ("0" if LIU_A[-1] != "0" else "1")},
            "same_invalid",
        ),
        ("two valid IDs", "id", {"id_number": LIU_A}, {"id_number": LIU_B}, "different_valid"),
    ],
)
def test_comparison_levels(description, item, left, right, expected):
    assert level(item, left, right) == expected, description


# --- records in, outcome out -------------------------------------------------------------


@pytest.mark.parametrize(
    ("description", "field", "system", "expected"),
    [
        (
            "no ID, no birth date: the hukou flat picks the co-tenant",
            [{"hukou_address": HUKOU}],
            [
                {"id_number": LIU_A, "hukou_address": HUKOU},
                {"id_number": LIU_B, "hukou_address": "安徽省安庆市岳西县青山乡高台村115号"},
            ],
            {(0, 0)},
        ),
        (
            "no ID, no hukou address: a person decides",
            [{}],
            [
                {"id_number": LIU_A, "hukou_address": HUKOU},
                {"id_number": LIU_B, "hukou_address": "安徽省安庆市岳西县青山乡高台村115号"},
            ],
            "review",
        ),
        (
            "no ID: the mobile number picks the co-tenant",
            [{"phone": "18687654321"}],
            [
                {"id_number": LIU_A, "phone": "13912345678"},
                {"id_number": _id("340828", "19920304", "151"), "phone": "18687654321"},
            ],
            {(0, 1)},
        ),
        (
            "two different valid IDs, all else equal: never one person",
            [{"id_number": LIU_A, "hukou_address": HUKOU, "phone": "13912345678"}],
            [
                {
                    "id_number": _id("411082", "19920304", "131"),
                    "hukou_address": HUKOU,
                    "phone": "13912345678",
                }
            ],
            set(),
        ),
    ],
)
def test_records_in_outcome_out(description, field, system, expected):
    result = match_records(
        records(field, "field"), records(system, "system"), load_rules().matching
    )
    got = set(zip(result.pairs["f"].tolist(), result.pairs["s"].tolist(), strict=True))
    if expected == "review":
        assert got == set() and len(result.review) == len(system), description
        assert (result.field["outcome"] == "review").all()
    else:
        assert got == expected, description
        assert result.review.empty, description


def test_scores_are_the_sum_of_the_level_weights():
    rules = load_rules().matching
    f = records([{"hukou_address": HUKOU, "phone": "13912345678"}], "field")
    s = records([{"id_number": LIU_A, "hukou_address": HUKOU, "phone": "13912345678"}], "system")
    result = match_records(f, s, rules)
    row = result.pairs.iloc[0]
    expected = sum(rules.weights[c.item][row["lv_" + c.item]] for c in COMPARISONS)
    assert row["score"] == pytest.approx(expected)
    assert row["lv_hukou"] == "same_flat" and row["lv_phone"] == "same_mobile"


# --- the error estimate's fit ---------------------------------------------------------


def test_the_mixture_fit_recovers_a_known_mixture():
    # pairs drawn from known m, u and share; the fit starts from the weights only
    rng = np.random.default_rng(5)
    truth = {
        "name": ({"exact": 0.9, "different": 0.1}, {"exact": 0.2, "different": 0.8}),
        "birth": ({"equal": 0.95, "different": 0.05}, {"equal": 0.1, "different": 0.9}),
        "address": ({"same": 0.8, "other": 0.2}, {"same": 0.3, "other": 0.7}),
    }
    n, share = 20_000, 0.3
    same = rng.random(n) < share
    levels = pd.DataFrame(
        {
            item: np.where(
                same,
                rng.choice(list(m), size=n, p=list(m.values())),
                rng.choice(list(u), size=n, p=list(u.values())),
            )
            for item, (m, u) in truth.items()
        }
    )
    weights = {
        "name": {"exact": 6.0, "different": -8.0},
        "birth": {"equal": 5.0, "different": -8.0},
        "address": {"same": 4.0, "other": -1.0},
    }
    fit = fit_mixture(levels, weights, start_share=0.5)
    assert fit.share == pytest.approx(share, abs=0.02)
    for item, (m, u) in truth.items():
        for lv in m:
            assert fit.m[item][lv] == pytest.approx(m[lv], abs=0.03), (item, lv)
            assert fit.u[item][lv] == pytest.approx(u[lv], abs=0.03), (item, lv)
    p = fit.match_probability(levels)
    assert ((p > 0.5) == same).mean() > 0.93  # about what the true parameters give


def _candidates(rng: np.random.Generator, n_true: int, n_other: int) -> pd.DataFrame:
    """Candidate pairs' levels of every shipped comparison: true pairs of a
    mistyped ID and other pairs of namesakes elsewhere, a little noise in each."""
    true = {
        "id": ["one_error", "unknown"],
        "name": ["exact", "homophone"],
        "birth": ["equal", "different_weak"],
        "sex": ["equal", "equal"],
        "address": ["same_flat", "same_road"],
        "hukou": ["same_flat", "same_locality"],
        "hukou_region": ["agrees", "same_province"],
        "phone": ["same_mobile", "unknown"],
    }
    other = {
        "id": ["different", "prefix_agrees"],
        "name": ["exact", "different"],
        "birth": ["different", "equal"],
        "sex": ["different", "equal"],
        "address": ["different", "same_road"],
        "hukou": ["different", "same_locality"],
        "hukou_region": ["contradicts", "same_province"],
        "phone": ["different", "unknown"],
    }

    def draw(levels: dict[str, list[str]], n: int) -> pd.DataFrame:
        frame = {k: np.where(rng.random(n) < 0.85, v[0], v[1]) for k, v in levels.items()}
        return pd.DataFrame(frame).assign(arrival="unknown", ethnicity="unknown")

    return pd.concat([draw(true, n_true), draw(other, n_other)], ignore_index=True)


@pytest.mark.parametrize(
    ("description", "id_level", "known_apart", "missed"),
    [
        ("an open pair like the true ones is most likely a missed pair", "one_error", False, 1),
        ("two valid IDs that differ are two people", "different_valid", False, 0),
        ("a pair whose other row already has its pair is two people", "one_error", True, 0),
        ("known apart, whatever its levels", "different_valid", True, 0),
    ],
)
def test_the_estimate_counts_an_open_pair_as_a_likely_miss_unless_known_apart(
    description, id_level, known_apart, missed
):
    rules = load_rules().matching
    rng = np.random.default_rng(7)
    cands = _candidates(rng, 3000, 2000)
    # one open pair that looks like a true pair but for its ID comparison
    probe = cands.iloc[[0]].assign(
        id=id_level, name="exact", birth="equal", address="same_flat", hukou="same_flat"
    )
    cands = pd.concat([cands, probe], ignore_index=True)
    n = len(cands)
    auto = np.zeros(n, dtype=bool)
    auto[:2000] = True  # most true pairs matched by the scored tier
    open_pair = np.zeros(n, dtype=bool)
    open_pair[-1] = True
    apart = np.zeros(n, dtype=bool)
    apart[-1] = known_apart
    est = estimate_errors(cands, rules.weights, 0.5, auto, open_pair, np.arange(n), apart=apart)
    assert est == {"false_matches": 0, "missed_matches": missed}, description


def test_pairs_known_apart_count_in_the_item_their_class_was_not_known_by():
    # known different pairs were selected on their IDs: their ID levels are
    # not counted; candidates known apart by other means are
    rng = np.random.default_rng(3)
    weights = {
        "id": {"one_error": 8.0, "different": -4.0, "different_valid": -100.0},
        "name": {"exact": 6.0, "different": -8.0},
    }
    n = 4000
    same = rng.random(n) < 0.5
    levels = pd.DataFrame(
        {
            "id": np.where(
                same, "one_error", np.where(rng.random(n) < 0.5, "different", "one_error")
            ),
            "name": np.where(same | (rng.random(n) < 0.2), "exact", "different"),
        }
    )
    known_different = pd.DataFrame({"id": ["different_valid"] * 500, "name": ["different"] * 500})
    known_apart = pd.DataFrame({"id": ["different"] * 500, "name": ["different"] * 500})
    without = fit_mixture(levels, weights, 0.5, known_different=known_different)
    with_apart = fit_mixture(
        levels, weights, 0.5, known_different=known_different, known_apart=known_apart
    )
    for fit in (without, with_apart):
        assert fit.u["id"]["different_valid"] < 1e-3  # selected on: not counted
        assert fit.u["name"]["different"] > 0.5  # counted where not selected on
    assert with_apart.u["id"]["different"] > without.u["id"]["different"]

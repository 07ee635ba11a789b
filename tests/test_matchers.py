"""The matcher on its own: rules checked at load, comparisons level by level,
scores and outcomes of tiny record frames (no files, no pipeline).

In the manner of Splink's comparison-level tests: records in, level (and
score, outcome) out.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from recon.errors import RulesError
from recon.matchers import COMPARISONS
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

"""Matchers: prepared records of both sides -> pairs, outcomes, reviews.

A matcher never opens a file: it takes the record frames the loaders made
and returns a :class:`MatchResult` for the writers.
"""

from recon.matchers._blocking import BLOCK_ONLY, BLOCK_PARTS
from recon.matchers._compare import COMPARISONS, Comparison, compare_pairs
from recon.matchers._engine import (
    METHOD_LABELS,
    OUTCOME_LABELS,
    MatchResult,
    Outcome,
    fingerprints,
    match_records,
    restrict_visits,
)

__all__ = [
    "BLOCK_ONLY",
    "BLOCK_PARTS",
    "COMPARISONS",
    "METHOD_LABELS",
    "OUTCOME_LABELS",
    "Comparison",
    "MatchResult",
    "Outcome",
    "compare_pairs",
    "fingerprints",
    "match_records",
    "restrict_visits",
]

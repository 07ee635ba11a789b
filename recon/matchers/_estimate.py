"""Each run estimates its own errors from its own candidate pairs.

The scored tier decides pairs by weights set by hand. How many of its
automatic matches are wrong, and how many true pairs it left unmatched,
is estimated the way Fellegi-Sunter linkers (Splink, fastLink) estimate
their parameters: an EM fit of a two-class mixture over the comparison
levels of the run's candidate (field, system) pairs --

    P(levels) = lambda * prod_k m_k(level_k) + (1 - lambda) * prod_k u_k(level_k)

with m the level probabilities among true pairs and u among other pairs,
the comparisons taken as independent within each class -- except those that
plainly are not among different people (name, birth date, home, hukou
address and phone: a family shares some, homonyms others), fitted as one
joint item. Pairs the run knows to be two people count in u with their
class fixed, so that the "other" class is what other pairs look like here,
not a catch-all for odd true pairs:

* candidates whose other row the ID tier already paired (unless the residue
  row turned out to be that person's double): found by the same blocking
  keys as every candidate, they count in every item, the ID included. They
  are most of the other pairs; without them the ID comparison's u came from
  the unlabelled pairs alone, and at 1M people the fit took homonyms with
  damaged IDs and the same birth date for true pairs (4 false / 57 missed
  estimated against 0 / 10 true);
* matched rows with two different valid IDs that a blocking key brings
  together: selected on their IDs, they count in every item but the ID's.

Candidates of two different valid IDs get probability 0 (the rules take
them as two people: a mistyped digit breaks the check digit), and so do
those known apart. The fit gives every other candidate pair a probability
of being a true pair; then

* false matches = the sum, over the scored tier's automatic matches, of the
  probability that the pair is not a true one;
* missed matches = per field row left unmatched (to enter, or in review),
  the probability that one of its candidates among the system rows left
  unmatched is its true partner, summed -- plus the false matches (the
  person of a wrong match has usually lost a true pair).

True pairs that no blocking key brought together are not seen, and the
exact-ID tier is taken as right: both are small next to the scored tier's
doubts, and the end-to-end test checks the estimate against the truth.
The fit runs over distinct level combinations (a few hundred), not pairs.

Checked with benchmarks/estimate_study.py against the generator's truth on
25 streets: plain ones of 5k, 20k and 85k people (3 seeds each) and the
100k and 1M benchmark streets; "noisy" ones (ten times the homonyms, missing
IDs and typos) of 5k, 12k, 20k, 50k (3-4 seeds each) and 85k people. All
but one are within +-3 pairs of the truth or a factor of 2: 1M 0 / 10
against 0 / 10 true; the worst, a noisy 50k street, 2 / 7 against 0 / 3.
(Before: 4 / 57 at 1M, and 5 of the 25 out of bounds.) The false matches
lean high on noisy streets (0-3 where there are 0-1), and the missed ones
with them: same-name flatmates with damaged IDs look like a true pair whose
birth date was read from a damaged ID. Tried and not kept: the ID tier's
pairs as known true pairs (their IDs and birth dates are unlike the
residue's: counted whole, the false matches doubled on noisy streets;
without those parts, no better), smaller joint items, priors towards the
weights, smoothing rare combinations towards their parts, the birth date's
weak level in the ID's joint item -- none did better on these streets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["MixtureFit", "estimate_errors", "fit_mixture"]

_FLOOR = 1e-6  # smallest probability of a level (none is impossible)
# the comparison level of two different valid IDs (rules/matching.toml)
_TWO_PEOPLE = ("id", "different_valid")


@dataclass(frozen=True)
class MixtureFit:
    """m and u probabilities per comparison level, and the share of true pairs."""

    share: float  # lambda: the share of candidate pairs that are true pairs
    m: dict[str, dict[str, float]]
    u: dict[str, dict[str, float]]
    iterations: int

    def match_probability(self, levels: pd.DataFrame) -> np.ndarray:
        """Probability that each pair (a row of comparison levels) is a true pair."""
        log_odds = np.full(len(levels), np.log(self.share) - np.log1p(-self.share))
        for item, m in self.m.items():
            u = self.u[item]
            ratio = {lv: np.log(m[lv]) - np.log(u[lv]) for lv in m}
            log_odds += levels[item].map(ratio).fillna(0.0).to_numpy(dtype=float)
        return 1.0 / (1.0 + np.exp(-np.clip(log_odds, -700, 700)))


def _codes(levels: pd.DataFrame, names: Mapping[str, list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct level combinations (one code column per item) and their counts."""
    cols = [
        pd.Categorical(levels[item], categories=lv).codes.astype(np.int64)
        for item, lv in names.items()
    ]
    key = np.zeros(len(levels), dtype=np.int64)
    for col, lv in zip(cols, names.values(), strict=True):
        key = key * (len(lv) + 1) + (col + 1)
    _, first, counts = np.unique(key, return_index=True, return_counts=True)
    return np.stack([c[first] for c in cols], axis=1), counts.astype(float)


def fit_mixture(
    levels: pd.DataFrame,
    weights: Mapping[str, Mapping[str, float]],
    start_share: float,
    known_same: pd.DataFrame | None = None,
    known_different: pd.DataFrame | None = None,
    selected_on: str = "id",
    max_iterations: int = 500,
    tolerance: float = 1e-9,
    known_apart: pd.DataFrame | None = None,
) -> MixtureFit:
    """EM fit of m, u and lambda over candidate pairs' comparison levels.

    ``weights`` (matching.toml's, log2 m/u as a person set them) name the
    levels and give the starting point: m leaning to the levels with high
    weights, u to the others, so that the "true pair" class starts as the
    one the rules mean. ``known_same`` / ``known_different``: levels of
    pairs whose class is known (the same valid ID; two different valid
    IDs): they count in m and u with their class fixed, and not in lambda,
    the share of true pairs among the unlabelled ``levels``. Their levels of
    ``selected_on`` (the item their class was known by) say nothing and are
    not counted. ``known_apart``: levels of pairs known to be two people by
    something outside their comparisons (candidates whose other row already
    has its pair): they count in u for every item, ``selected_on`` included.
    """
    names = {item: list(table) for item, table in weights.items() if item in levels}
    frames = [levels]
    fixed = [np.zeros(len(levels), dtype=np.int64)]
    # the source of each row: 0 unlabelled, 1 known same, 2 known different, 3 apart
    for frame, code in ((known_same, 1), (known_different, 2), (known_apart, 3)):
        if frame is not None and len(frame):
            frames.append(frame[list(names)])
            fixed.append(np.full(len(frame), code))
    every = pd.concat(frames, ignore_index=True) if len(frames) > 1 else levels
    source_of = np.concatenate(fixed).astype(np.int64)
    # distinct (levels, source) combinations: encode the source as one more item
    sources = ["?", "same", "different", "apart"]
    every = every.assign(_source=np.array(sources, dtype=object)[source_of])
    patterns, counts = _codes(every, {**names, "_source": sources})
    source = patterns[:, -1]
    label = np.array([np.nan, 1.0, 0.0, 0.0])[source]
    patterns = patterns[:, :-1]
    unlabelled = source == 0
    # rows whose class was not known by ``selected_on``: they count in that item
    unselected = unlabelled | (source == 3)
    share = float(np.clip(start_share, 1e-4, 1 - 1e-4))
    log_m, log_u = [], []
    for item, lv in names.items():
        w = np.array([weights[item][x] for x in lv], dtype=float) * np.log(2) / 2
        w = np.clip(w, -30, 30)
        m = np.exp(w) / np.exp(w).sum()
        u = np.exp(-w) / np.exp(-w).sum()
        log_m.append(np.log(np.maximum(m, _FLOOR)))
        log_u.append(np.log(np.maximum(u, _FLOOR)))
    seen = patterns >= 0
    iterations = 0
    while iterations < max_iterations:
        iterations += 1
        # E: each combination's probability of being a true pair
        lm = np.zeros(len(patterns))
        lu = np.zeros(len(patterns))
        for k in range(len(names)):
            col = patterns[:, k]
            lm += np.where(seen[:, k], log_m[k][np.maximum(col, 0)], 0.0)
            lu += np.where(seen[:, k], log_u[k][np.maximum(col, 0)], 0.0)
        odds = np.log(share) - np.log1p(-share) + lm - lu
        post = 1.0 / (1.0 + np.exp(-np.clip(odds, -700, 700)))
        post = np.where(unlabelled, post, label)
        # M: level frequencies within each class
        wm, wu = counts * post, counts * (1.0 - post)
        mine = counts[unlabelled].sum()
        new_share = float(np.clip(wm[unlabelled].sum() / max(mine, 1.0), 1e-6, 1 - 1e-6))
        for k, (item, lv) in enumerate(names.items()):
            col = patterns[:, k]
            ok = seen[:, k] & (unselected if item.startswith(selected_on) else True)
            fm = np.bincount(col[ok], weights=wm[ok], minlength=len(lv))
            fu = np.bincount(col[ok], weights=wu[ok], minlength=len(lv))
            log_m[k] = np.log(np.maximum(fm / max(fm.sum(), _FLOOR), _FLOOR))
            log_u[k] = np.log(np.maximum(fu / max(fu.sum(), _FLOOR), _FLOOR))
        done = abs(new_share - share) < tolerance
        share = new_share
        if done:
            break
    items = list(names.items())
    return MixtureFit(
        share=share,
        m={
            item: dict(zip(lv, np.exp(log_m[k]).tolist(), strict=True))
            for k, (item, lv) in enumerate(items)
        },
        u={
            item: dict(zip(lv, np.exp(log_u[k]).tolist(), strict=True))
            for k, (item, lv) in enumerate(items)
        },
        iterations=iterations,
    )


# Comparisons that depend on each other among different people are fitted as
# one joint item: two people share a hukou flat (and a phone) mostly when
# they share the home (a family: names and birth dates differ), a name and
# birth date mostly when they do not (homonyms elsewhere in the street); and
# the sex and region read from an ID carry its typos.
# Chosen on generated streets of 5k-85k people against their truth.
JOINT = (("name", "birth", "address", "hukou", "phone"), ("id", "sex", "hukou_region"))


def _joint(
    frames: list[pd.DataFrame | None], weights: Mapping[str, Mapping[str, float]]
) -> tuple[list[pd.DataFrame | None], dict[str, dict[str, float]]]:
    """Frames and weights with each group of JOINT as one item 'x*y'."""
    table = {k: dict(v) for k, v in weights.items()}
    out: list[pd.DataFrame | None] = [None if f is None else f.copy() for f in frames]
    for group in JOINT:
        if not all(g in table for g in group):
            continue
        name = "*".join(group)
        first, *rest = group
        combos = {k: w for k, w in table.pop(first).items()}
        for g in rest:
            more = table.pop(g)
            combos = {f"{a}|{b}": wa + wb for a, wa in combos.items() for b, wb in more.items()}
        table[name] = combos
        for f in out:
            if f is not None and len(f):
                joined = f[first].astype(str)
                for g in rest:
                    joined = joined + "|" + f[g].astype(str)
                f[name] = joined
    return out, table


def estimate_errors(
    candidates: pd.DataFrame,
    weights: Mapping[str, Mapping[str, float]],
    start_share: float,
    auto: np.ndarray,
    open_pair: np.ndarray,
    field_row: np.ndarray,
    known_same: pd.DataFrame | None = None,
    known_different: pd.DataFrame | None = None,
    apart: np.ndarray | None = None,
) -> dict[str, int]:
    """False and missed matches expected among the scored tier's candidates.

    ``candidates``: one row per candidate (field, system) pair with its
    comparison levels; ``auto``: the pair was matched automatically by the
    scored tier; ``open_pair``: both rows were left unmatched (to enter, to
    visit or in review); ``field_row``: the pair's field row (to count each
    unmatched field row once); ``apart``: the candidate is known to be two
    people (its other row already has its pair): it counts as such in the fit.
    """
    if candidates.empty:
        return {"false_matches": 0, "missed_matches": 0}
    if apart is None:
        apart = np.zeros(len(candidates), dtype=bool)
    (cands, same, different), joint = _joint([candidates, known_same, known_different], weights)
    assert cands is not None
    fit = fit_mixture(cands[~apart], joint, start_share, same, different, known_apart=cands[apart])
    p = fit.match_probability(cands)
    # two valid IDs that differ are two people (the rules' own premise: a
    # mistyped digit breaks the check digit), and so are the pairs known apart
    item, level = _TWO_PEOPLE
    if item in candidates:
        apart = apart | candidates[item].eq(level).to_numpy()
    p[apart] = 0.0
    false = float((1.0 - p[auto]).sum())
    if open_pair.any():
        # per field row: 1 - P(none of its open candidates is its partner)
        miss = pd.Series(np.log1p(-np.minimum(p[open_pair], 1 - 1e-12)))
        none = np.exp(miss.groupby(field_row[open_pair]).sum().to_numpy())
        missed = float((1.0 - none).sum())
    else:
        missed = 0.0
    return {"false_matches": round(false), "missed_matches": round(missed + false)}

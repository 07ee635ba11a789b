"""The reconciliation: field rows and system rows, each to exactly one outcome.

1. **Exact ID** (whole-column join): the same valid ID after normalisation
   (15-digit numbers upgraded). Several rows of one ID are paired one to one
   by how alike they are; the rest are duplicates.
2. **Residue**: rows an ID join could not settle (typo, damaged or missing
   ID, or a valid ID the other side lacks) get candidate pairs from blocking
   keys, scored by the comparisons of ``_compare`` with the weights of
   ``rules/matching.toml``. Two valid IDs that differ never match.
3. **One to one, with margins**: a pair is matched only if it clears the
   threshold *and* beats every alternative of both its rows by the margin;
   what the evidence cannot settle goes to review.
4. What is left: a residue row that is the same person as an already settled
   row is a duplicate; other field rows are to enter (人到机), other active
   system rows are to visit (机到人).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from recon.matchers._blocking import Blocker
from recon.matchers._compare import COMPARISONS, compare_pairs, compare_pairs_coded
from recon.matchers._estimate import estimate_errors
from recon.matchers._records import Records, combine_codes
from recon.normalize.ids import IdKind

if TYPE_CHECKING:
    from recon.rules import MatchingRules

__all__ = ["MatchResult", "Outcome", "match_records"]

_USABLE = (IdKind.VALID, IdKind.UPGRADED, IdKind.SUSPECT)


class Outcome:
    """Outcome of one input row (stable strings, used in outputs)."""

    MATCHED = "matched"
    FIELD_ONLY = "field_only"
    SYSTEM_ONLY = "system_only"
    REVIEW = "review"
    DUPLICATE = "duplicate"
    INACTIVE = "inactive"
    UNUSABLE = "unusable"
    OUT_OF_SCOPE = "out_of_scope"
    NOT_SEPARATED = "not_separated"  # 人户分离: lives at the hukou address, not listed


OUTCOME_LABELS = {
    Outcome.MATCHED: "已匹配",
    Outcome.FIELD_ONLY: "人到机：待录入",
    Outcome.SYSTEM_ONLY: "机到人：待核查",
    Outcome.REVIEW: "待人工确认",
    Outcome.DUPLICATE: "重复",
    Outcome.INACTIVE: "已注销（不参与比对）",
    Outcome.UNUSABLE: "无法核对",
    Outcome.OUT_OF_SCOPE: "不在本次核对的居委",
    Outcome.NOT_SEPARATED: "未分离（无需登记）",
}

METHOD_LABELS = {
    "decided": "人工确认为同一人",
    "exact_id": "身份证号一致",
    "repaired_id": "身份证号有录入错误，已修正",
    "damaged_id": "身份证号受损，按其他信息比对",
    "missing_id": "缺少身份证号，按其他信息比对",
    "scored": "按姓名、出生日期、住址比对",
}


@dataclass
class MatchResult:
    """Everything a writer needs; positions refer to the record frames."""

    field: pd.DataFrame  # field records + outcome, note, dup_of
    system: pd.DataFrame  # system records + outcome, note, dup_of
    pairs: pd.DataFrame  # f, s, method, score, reason
    review: pd.DataFrame  # f, s, score, reason
    differences: pd.DataFrame  # f, s, item, system_value, field_value
    # the scored tier's own estimate: {"false_matches": N, "missed_matches": M}
    estimated_errors: dict[str, int] = dataclasses.field(
        default_factory=lambda: {"false_matches": 0, "missed_matches": 0}
    )

    def counts(self) -> dict[str, dict[str, int]]:
        return {
            side: {str(k): int(v) for k, v in frame["outcome"].value_counts().items()}
            for side, frame in (("field", self.field), ("system", self.system))
        }


# --- scores ----------------------------------------------------------------------------


Coded = dict[str, tuple[np.ndarray, np.ndarray]]  # item -> (level codes, level names)


def _score(levels: pd.DataFrame, rules: MatchingRules, coded: Coded | None = None) -> np.ndarray:
    total = np.zeros(len(levels))
    for comp in COMPARISONS:
        # every level has a weight (checked when the rules were loaded)
        if coded is not None and comp.item in coded:
            codes, names = coded[comp.item]
        else:
            codes, names = pd.factorize(levels[comp.item].to_numpy(dtype=object))
        table = rules.weights[comp.item]
        weight = np.array([table.get(n, np.nan) for n in names] + [np.nan], dtype=float)
        total += weight[codes]
    if np.isnan(total).any():  # a comparison gave a level it does not declare
        raise ValueError("a comparison level without a weight")
    return total


# --- reasons ---------------------------------------------------------------------------


def _method(id_level: str, kind_f: str, kind_s: str) -> str:
    if id_level == "exact":
        return "exact_id"
    if id_level == "one_error":
        return "repaired_id"
    kinds = {kind_f, kind_s}
    if kinds & {IdKind.DAMAGED, IdKind.SUSPECT}:
        return "damaged_id"
    if kinds & {IdKind.MISSING, IdKind.MALFORMED}:
        return "missing_id"
    return "scored"


# What a reason says of each item: the levels worth saying as agreement, and
# as disagreement ("unknown" and the weak levels are left out).
_SAID = {
    "name": ({"exact", "simplified", "unknown_char", "homophone", "one_char"}, {"different"}),
    "birth": ({"equal"}, {"different", "different_weak"}),
    "sex": ({"equal"}, {"different"}),
    "address": (
        {"same_flat", "same_flat_no_road", "same_building", "same_road"},
        {"different"},
    ),
    "hukou": ({"same_flat", "same_locality"}, {"different"}),
    "phone": ({"same_mobile", "same_landline"}, set()),
    "hukou_region": (set(), {"contradicts"}),
    "ethnicity": (set(), {"different"}),
}


def _typo_position(x: str, y: str) -> str:
    diff = [i + 1 for i in range(min(len(x), len(y))) if x[i] != y[i]]
    if len(diff) == 1:
        return f"第{diff[0]}位"
    if len(diff) == 2:
        return f"第{diff[0]}、{diff[1]}位颠倒"
    return ""


def _reason(row: dict[str, str], f_id: str, s_id: str, kind_f: str, kind_s: str) -> str:
    words = {c.item: c.words for c in COMPARISONS}
    id_level = row["id"]
    if id_level == "exact":
        head = "身份证号一致"
        if kind_f == IdKind.UPGRADED or kind_s == IdKind.UPGRADED:
            head += "（15位旧号码已升级为18位）"
    elif id_level == "one_error":
        who = "采集表" if kind_f == IdKind.INVALID else "系统中"
        where = _typo_position(f_id, s_id)
        head = f"{who}的身份证号有一位录入错误（{where}），已按姓名确认"
    elif kind_f in (IdKind.DAMAGED, IdKind.SUSPECT) or kind_s in (IdKind.DAMAGED, IdKind.SUSPECT):
        who = "采集表" if kind_f in (IdKind.DAMAGED, IdKind.SUSPECT) else "系统中"
        head = f"{who}的证件号受损"
    elif kind_f in (IdKind.MISSING, IdKind.MALFORMED) or kind_s in (
        IdKind.MISSING,
        IdKind.MALFORMED,
    ):
        who = "采集表" if kind_f in (IdKind.MISSING, IdKind.MALFORMED) else "系统中"
        head = f"{who}缺少有效身份证号"
    else:
        head = words["id"].get(id_level, "")
    agree = [words[k][row[k]] for k, (good, _bad) in _SAID.items() if row.get(k) in good]
    differ = [words[k][row[k]] for k, (_good, bad) in _SAID.items() if row.get(k) in bad]
    text = head
    if id_level != "exact" or differ:
        if agree:
            text += "；" + "、".join(agree)
        if differ:
            text += "；但" + "、".join(differ)
    return text


# --- the engine ----------------------------------------------------------------------


class _State:
    """Outcomes being decided, by position on each side."""

    def __init__(self, nf: int, ns: int) -> None:
        self.nf, self.ns = nf, ns
        self.out = np.full(nf + ns, "", dtype=object)  # combined positions
        self.note = np.full(nf + ns, "", dtype=object)
        self.dup_of = np.full(nf + ns, -1, dtype=np.int64)
        self.partner = np.full(nf + ns, -1, dtype=np.int64)

    def is_field(self, g: np.ndarray | int) -> np.ndarray | bool:
        return np.asarray(g) < self.nf

    def open(self, g: int) -> bool:
        return self.out[g] == ""


def match_records(
    field: pd.DataFrame,
    system: pd.DataFrame,
    rules: MatchingRules,
    on_step: Callable[[str], None] | None = None,
    decided_same: set[tuple[str, str]] | None = None,
    decided_different: set[tuple[str, str]] | None = None,
    household: bool = False,
) -> MatchResult:
    """Reconcile prepared field and system records (see the module text).

    ``household``: the 人户分离 list (kept for callers; the hukou flat is
    compared and blocked on in every mode now).

    ``decided_same`` / ``decided_different``: (field, system) fingerprint
    pairs a person has judged (待人工确认单): the first are matched, the
    second never proposed again.
    """
    step = on_step or (lambda _name: None)
    field = field.reset_index(drop=True)
    system = system.reset_index(drop=True)
    nf, ns = len(field), len(system)
    recs = Records.from_sides(field, system)
    st = _State(nf, ns)
    usable = np.concatenate([field["usable"].to_numpy(bool), system["usable"].to_numpy(bool)])
    active = np.concatenate([np.ones(nf, bool), system["active"].to_numpy(bool)])
    st.out[~usable] = Outcome.UNUSABLE
    st.out[usable & ~active] = Outcome.INACTIVE

    step("exact")
    pair_rows: list[pd.DataFrame] = []
    review_rows: list[pd.DataFrame] = []
    _exact_tier(recs, st, rules, pair_rows, review_rows)

    fps: np.ndarray | None = None
    if decided_same or decided_different:
        fps = np.concatenate([fingerprints(field), fingerprints(system)])
    if decided_same and fps is not None:
        _apply_same(recs, st, fps, decided_same, rules, pair_rows)

    step("residue")
    open_g = np.flatnonzero(st.out == "")
    r_f = open_g[open_g < nf]
    r_s = open_g[open_g >= nf]
    matched_s = np.flatnonzero((st.out == Outcome.MATCHED) & (np.arange(nf + ns) >= nf))
    matched_f = np.flatnonzero((st.out == Outcome.MATCHED) & (np.arange(nf + ns) < nf))
    blocker = Blocker(recs, rules.max_block, rules.blocking)
    cands = [
        blocker.pairs(r_f, np.concatenate([r_s, matched_s, r_f])),
        blocker.pairs(r_s, np.concatenate([matched_f, r_s])),
    ]
    pairs = pd.concat(cands, ignore_index=True)
    # orient every pair as (a = residue row being decided, b = the other)
    candidates = pd.DataFrame()
    if len(pairs):
        levels, coded = compare_pairs_coded(recs, pairs["a"].to_numpy(), pairs["b"].to_numpy())
        pairs = pd.concat([pairs, levels], axis=1)
        pairs["score"] = _score(levels, rules, coded)
        # the (field, system) candidates, for the run's own error estimate
        candidates = pairs[(pairs["a"] < nf) != (pairs["b"] < nf)].reset_index(drop=True)
        pairs = pairs[pairs["score"] >= rules.review].reset_index(drop=True)
        if decided_different and fps is not None and len(pairs):
            a, b = pairs["a"].to_numpy(dtype=np.int64), pairs["b"].to_numpy(dtype=np.int64)
            f = np.where(a < nf, a, b)
            s = np.where(a < nf, b, a)
            ruled_out = np.array(
                [(fps[x], fps[y]) in decided_different for x, y in zip(f, s, strict=True)],
                dtype=bool,
            )
            pairs = pairs[~ruled_out].reset_index(drop=True)
    else:
        pairs = pd.DataFrame(columns=["a", "b", "rule", *[c.item for c in COMPARISONS], "score"])

    step("assign")
    _assign_residue(recs, st, pairs, rules, pair_rows, review_rows)

    step("finish")
    _finish(recs, st, field, system)
    result = _result(field, system, recs, st, pair_rows, review_rows)
    step("estimate")
    result.estimated_errors = _estimate(
        recs, st, candidates, r_f, rules, blocker, matched_f, matched_s
    )
    return result


# pairs of two different people looked at for the error estimate, at most
_KNOWN_SAMPLE = 20_000


def _estimate(
    recs: Records,
    st: _State,
    candidates: pd.DataFrame,
    residue_f: np.ndarray,
    rules: MatchingRules,
    blocker: Blocker,
    matched_f: np.ndarray,
    matched_s: np.ndarray,
) -> dict[str, int]:
    """The scored tier's expected false and missed matches (see ``_estimate``).

    Learns also from what the run knows for sure: (a sample of) matched rows
    that share a blocking key with another matched row of a different valid
    ID are two people -- what the other pairs look like among candidates.
    """
    if candidates.empty:
        return {"false_matches": 0, "missed_matches": 0}
    sample = matched_f
    if len(sample) > _KNOWN_SAMPLE:
        sample = np.sort(np.random.default_rng(0).choice(sample, _KNOWN_SAMPLE, replace=False))
    apart = blocker.different_people(sample, matched_s)
    known_different = compare_pairs(
        recs, apart["a"].to_numpy(dtype=np.int64), apart["b"].to_numpy(dtype=np.int64)
    )
    a = candidates["a"].to_numpy(dtype=np.int64)
    b = candidates["b"].to_numpy(dtype=np.int64)
    f, s = np.where(a < st.nf, a, b), np.where(a < st.nf, b, a)
    in_residue = np.isin(f, residue_f)
    auto = in_residue & (st.out[f] == Outcome.MATCHED) & (st.partner[f] == s)
    left = (Outcome.FIELD_ONLY, Outcome.SYSTEM_ONLY, Outcome.REVIEW)
    open_pair = np.isin(st.out[f], left) & np.isin(st.out[s], left)
    start = float((candidates["score"] >= rules.match).mean())
    # candidates whose other row the ID tier (or a person's decision) paired are
    # two people -- that row's person has their pair -- unless the residue row
    # was found to be that person's double
    settled = np.zeros(len(st.out), dtype=bool)
    settled[matched_f] = True
    settled[matched_s] = True
    dup = st.dup_of[a]
    double = (st.out[a] == Outcome.DUPLICATE) & (dup >= 0) & ((dup == b) | (dup == st.partner[b]))
    return estimate_errors(
        candidates,
        rules.weights,
        start,
        auto,
        open_pair,
        f,
        known_different=known_different,
        apart=settled[b] & ~double,
    )


def _exact_tier(
    recs: Records,
    st: _State,
    rules: MatchingRules,
    pair_rows: list[pd.DataFrame],
    review_rows: list[pd.DataFrame],
) -> None:
    nf = st.nf
    kinds = recs.full("id_kind")
    ids = recs.id_keys()
    g = np.arange(len(recs))
    ok = (st.out == "") & np.isin(kinds, _USABLE)
    # the IDs of these rows, numbered 0.. (usable IDs are never '')
    dense, id_names = pd.factorize(ids[ok])
    code = np.full(len(recs), -1, dtype=np.int64)
    code[ok] = dense
    fk = pd.DataFrame({"f": g[ok & (g < nf)], "id": code[ok & (g < nf)]})
    sk = pd.DataFrame({"s": g[ok & (g >= nf)], "id": code[ok & (g >= nf)]})
    # rows per ID on each side
    per_f = np.bincount(fk["id"].to_numpy(), minlength=len(id_names))
    per_s = np.bincount(sk["id"].to_numpy(), minlength=len(id_names))
    # an ID once on each side: its two rows, in field order (as a join keeps them)
    f_id = fk["id"].to_numpy()
    one = (per_f[f_id] == 1) & (per_s[f_id] == 1)
    s_of = np.full(len(id_names), -1, dtype=np.int64)
    s_id = sk["id"].to_numpy()
    lone_s = per_s[s_id] == 1
    s_of[s_id[lone_s]] = sk["s"].to_numpy()[lone_s]
    simple = pd.DataFrame({"f": fk["f"].to_numpy()[one], "s": s_of[f_id[one]], "id": f_id[one]})
    # IDs repeated on a side: every row with every row
    several = (per_f > 1) | (per_s > 1)
    multi = fk[several[f_id] & (per_s[f_id] > 0)].merge(
        sk[several[s_id] & (per_f[s_id] > 0)], on="id"
    )

    chosen = [simple[["f", "s"]]]
    if len(multi):
        levels = compare_pairs(recs, multi["f"].to_numpy(), multi["s"].to_numpy())
        scored = multi.assign(score=_score(levels, rules)).sort_values(
            ["score", "f", "s"], ascending=[False, True, True]
        )
        # one pair per ID: the other rows of that ID are duplicates, so that a
        # double registration is reported rather than paired away
        best = scored.drop_duplicates("id", keep="first")
        chosen.append(best[["f", "s"]])
    pairs = pd.concat(chosen, ignore_index=True)
    if len(pairs):
        levels, coded = compare_pairs_exact(recs, pairs["f"].to_numpy(), pairs["s"].to_numpy())
        pairs = pd.concat([pairs.reset_index(drop=True), levels], axis=1)
        pairs["score"] = _score(levels, rules, coded)
        # the same ID under a wholly different name: a person must look
        odd = pairs["name"].eq("different").to_numpy()
        if odd.any():
            bad = pairs[odd]
            review_rows.append(
                pd.DataFrame(
                    {
                        "f": bad["f"].to_numpy(),
                        "s": bad["s"].to_numpy(),
                        "score": bad["score"].to_numpy(),
                        "reason": "身份证号一致，但姓名不同：请核实是否填错了号码",
                    }
                )
            )
            st.out[bad["f"].to_numpy()] = Outcome.REVIEW
            st.out[bad["s"].to_numpy()] = Outcome.REVIEW
            pairs = pairs[~odd]
            coded = {k: (c[~odd], n) for k, (c, n) in coded.items()}
        _record_matches(recs, st, pairs, pair_rows, coded)

    # rows of an ID that is matched elsewhere, or repeated with no partner
    by_id_f = fk[st.out[fk["f"].to_numpy(dtype=np.int64)] == ""]
    by_id_s = sk[st.out[sk["s"].to_numpy(dtype=np.int64)] == ""]
    _same_id_duplicates(st, by_id_f, "f", ids)
    _same_id_duplicates(st, by_id_s, "s", ids)


def compare_pairs_exact(recs: Records, a: np.ndarray, b: np.ndarray) -> tuple[pd.DataFrame, Coded]:
    """Levels for pairs known to share an ID (the ID comparison is skipped)."""
    levels, coded = compare_pairs_coded(recs, a, b, skip=("id",))
    exact = np.empty(len(a), dtype=object)
    exact.fill("exact")  # one object (np.full would copy the text per row)
    levels.insert(0, "id", pd.Series(exact, dtype=object))
    coded = {"id": (np.zeros(len(a), dtype=np.int8), np.array(["exact"], dtype=object))} | coded
    return levels, coded


def _apply_same(
    recs: Records,
    st: _State,
    fps: np.ndarray,
    same: set[tuple[str, str]],
    rules: MatchingRules,
    pair_rows: list[pd.DataFrame],
) -> None:
    """Match the pairs a person said are one person (if both rows are open)."""
    nf = st.nf
    open_rows = np.flatnonzero(st.out == "")
    by_fp: dict[str, list[int]] = {}
    for g in open_rows.tolist():
        by_fp.setdefault(str(fps[g]), []).append(g)
    chosen: list[tuple[int, int]] = []
    for ff, sf in sorted(same):
        fs = [g for g in by_fp.get(ff, []) if g < nf and st.open(g)]
        ss = [g for g in by_fp.get(sf, []) if g >= nf and st.open(g)]
        if len(fs) == 1 and len(ss) == 1:
            chosen.append((fs[0], ss[0]))
            st.out[fs[0]] = st.out[ss[0]] = Outcome.MATCHED  # taken for this loop
    if not chosen:
        return
    f = np.array([c[0] for c in chosen], dtype=np.int64)
    s = np.array([c[1] for c in chosen], dtype=np.int64)
    levels = compare_pairs(recs, f, s)
    frame = pd.concat([pd.DataFrame({"f": f, "s": s}), levels], axis=1)
    frame["score"] = _score(levels, rules)
    _record_matches(recs, st, frame, pair_rows)
    last = pair_rows[-1]
    last["method"] = "decided"
    last["reason"] = "人工确认为同一人（待人工确认单）；" + last["reason"].astype(str)


def _same_id_duplicates(st: _State, frame: pd.DataFrame, col: str, ids: np.ndarray) -> None:
    """Open rows sharing a valid ID: with a matched row of that ID they are
    duplicates of it; without, the first is kept open and the rest are its
    duplicates. ``ids``: the ID codes of every row."""
    if frame.empty:
        return
    lo, hi = (0, st.nf) if col == "f" else (st.nf, st.nf + st.ns)
    matched = np.flatnonzero(st.out[lo:hi] == Outcome.MATCHED) + lo
    # the matched row of each ID (the last, if several)
    back = matched[::-1]
    codes, first = np.unique(ids[back], return_index=True)
    holder = pd.Series(back[first], index=codes)
    rows = frame[col].to_numpy(dtype=np.int64)
    keys = ids[rows]
    first_of = pd.Series(rows).groupby(keys, sort=False).transform("min").to_numpy()
    target = holder.reindex(keys).fillna(-1).to_numpy(dtype=np.int64)
    has_holder = target >= 0
    target = np.where(has_holder, target, first_of)
    dup = has_holder | (rows != first_of)
    where = "采集表" if col == "f" else "系统中"
    st.out[rows[dup]] = Outcome.DUPLICATE
    st.dup_of[rows[dup]] = target[dup]
    st.note[rows[dup]] = f"同一身份证号在{where}出现多次"


def _record_matches(
    recs: Records,
    st: _State,
    pairs: pd.DataFrame,
    pair_rows: list[pd.DataFrame],
    coded: Coded | None = None,
) -> None:
    if pairs.empty:
        return
    f = pairs["f"].to_numpy(dtype=np.int64)
    s = pairs["s"].to_numpy(dtype=np.int64)
    st.out[f] = Outcome.MATCHED
    st.out[s] = Outcome.MATCHED
    st.partner[f] = s
    st.partner[s] = f
    kinds = recs.full("id_kind")
    ids_f, ids_s = recs.take("id", f), recs.take("id", s)
    items = [c.item for c in COMPARISONS]
    level_cols = [pairs[item].to_numpy(dtype=object) for item in items]
    # method and reason are worked out once per distinct (levels, ID kinds)
    # -- but for a repaired ID, whose reason names the mistyped digit
    kf, ks = kinds[f], kinds[s]
    kind_codes = recs.codes("id_kind")[0]
    key = combine_codes(
        [
            coded[item][0] if coded is not None and item in coded else pd.factorize(col)[0]
            for item, col in zip(items, level_cols, strict=True)
        ]
        + [kind_codes[f] + 1, kind_codes[s] + 1]
    )
    _uniq, first, codes = np.unique(key, return_index=True, return_inverse=True)
    made_m, made_r = [], []
    for i in first.tolist():
        row = dict(zip(items, (c[i] for c in level_cols), strict=True))
        made_m.append(_method(row["id"], kf[i], ks[i]))
        made_r.append(_reason(row, ids_f[i], ids_s[i], kf[i], ks[i]))
    methods = np.asarray(made_m, dtype=object)[codes]
    reasons = np.asarray(made_r, dtype=object)[codes]
    for i in np.flatnonzero(level_cols[0] == "one_error").tolist():
        row = dict(zip(items, (c[i] for c in level_cols), strict=True))
        reasons[i] = _reason(row, ids_f[i], ids_s[i], kf[i], ks[i])
    out = pd.DataFrame(
        {
            "f": f,
            "s": s,
            "method": pd.Series(methods, dtype=object),
            "score": pairs["score"].to_numpy(dtype=float),
            "reason": pd.Series(reasons, dtype=object),
        }
    )
    for item, values in zip(items, level_cols, strict=True):
        out["lv_" + item] = _level_column(item, values, coded.get(item) if coded else None)
    pair_rows.append(out)


# every level of each comparison, in one order: the pairs' level columns are
# categorical over them, so that the parts of the pairs table join as such
_LEVELS = {c.item: list(c.words) for c in COMPARISONS}


def _level_column(
    item: str, values: np.ndarray, coded: tuple[np.ndarray, np.ndarray] | None
) -> pd.Categorical:
    """A pairs table's level column: a byte per pair, not a pointer."""
    if coded is not None and len(coded[0]) == len(values):
        codes, names = coded
        column = pd.Categorical.from_codes(codes, categories=pd.Index(names, dtype=object))
    else:
        column = pd.Categorical(values)
    known = _LEVELS[item]
    extra = [c for c in column.categories if c not in known]
    return column.set_categories(known + extra)


def _assign_residue(
    recs: Records,
    st: _State,
    pairs: pd.DataFrame,
    rules: MatchingRules,
    pair_rows: list[pd.DataFrame],
    review_rows: list[pd.DataFrame],
) -> None:
    t_match, t_review, margin = rules.match, rules.review, rules.margin
    nf = st.nf
    if pairs.empty:
        return
    pairs = pairs.sort_values(["score", "a", "b"], ascending=[False, True, True]).reset_index(
        drop=True
    )
    a = pairs["a"].to_numpy(dtype=np.int64)
    b = pairs["b"].to_numpy(dtype=np.int64)
    score = pairs["score"].to_numpy(dtype=float)

    # every row's candidates, both directions, for the margin test; and the
    # rows of the same side that are plainly the same person (a person
    # written twice): they are not rival candidates of each other's partner
    by_row: dict[int, list[tuple[float, int]]] = {}
    links: dict[int, set[int]] = {}
    for x, y, sc in zip(a.tolist(), b.tolist(), score.tolist(), strict=True):
        by_row.setdefault(x, []).append((sc, y))
        by_row.setdefault(y, []).append((sc, x))
        if sc >= t_match and (x < nf) == (y < nf):
            links.setdefault(x, set()).add(y)
            links.setdefault(y, set()).add(x)
    # only an unambiguous link says "same person": a row like two others
    # (homonyms at one address) says nothing about which one it is
    same_person = {
        x: {x, next(iter(ys))}
        for x, ys in links.items()
        if len(ys) == 1 and links.get(next(iter(ys))) == {x}
    }

    def person(row: int) -> set[int]:
        """``row``, the rows plainly the same person, and what they are settled with."""
        rows = set(same_person.get(row, {row}))
        for r in list(rows):
            for link in (int(st.partner[r]), int(st.dup_of[r])):
                if link >= 0:
                    rows.add(link)
                    rows |= same_person.get(link, set())
        return rows

    for candidates in by_row.values():
        candidates.sort(reverse=True)

    def best_other(row: int, other: int) -> float:
        """The best score of ``row`` with anyone who is neither ``row``'s nor ``other``'s person."""
        exclude = person(other) | person(row)
        for sc, y in by_row.get(row, ()):  # best first: usually the first or second
            if y not in exclude:
                return sc
        return -np.inf

    # 1. residue field row <-> residue system row, one to one, with margins
    matched: list[int] = []
    for i in range(len(pairs)):
        x, y, sc = int(a[i]), int(b[i]), float(score[i])
        if sc < t_match:
            break
        f, s = (x, y) if x < nf else (y, x)
        if not (f < nf <= s) or not st.open(f) or not st.open(s):
            continue
        if sc - best_other(f, s) >= margin and sc - best_other(s, f) >= margin:
            st.out[f] = st.out[s] = Outcome.MATCHED
            st.partner[f], st.partner[s] = s, f
            matched.append(i)
    if matched:
        sub = pairs.iloc[matched]
        fs = np.where(sub["a"] < nf, sub["a"], sub["b"])
        ss = np.where(sub["a"] < nf, sub["b"], sub["a"])
        oriented = sub.assign(f=fs, s=ss).reset_index(drop=True)
        _record_matches(recs, st, oriented, pair_rows)

    # 2. a residue row that is the same person as a settled row: duplicate
    kinds = recs.full("id_kind")
    for i in range(len(pairs)):
        x, y, sc = int(a[i]), int(b[i]), float(score[i])
        if sc < t_match:
            break
        for row, other in ((x, y), (y, x)):
            if not st.open(row):
                continue
            target = _person_row(st, row, other, kinds)
            if target < 0 or sc - best_other(row, other) < margin:
                continue
            st.out[row] = Outcome.DUPLICATE
            st.dup_of[row] = target
            where = "采集表" if row < nf else "系统中"
            st.note[row] = f"与{where}中另一行是同一人（证件号有误或缺失）"

    # 3. open field rows with candidates still in doubt: review
    rev_f, rev_s, rev_sc, rev_reason = [], [], [], []
    items = [c.item for c in COMPARISONS]
    level_rows: list[dict[str, str]] = [
        dict(zip(items, values, strict=True))
        for values in zip(*(pairs[item].tolist() for item in items), strict=True)
    ]
    best: dict[int, float] = {}
    for i in range(len(pairs)):
        x, y, sc = int(a[i]), int(b[i]), float(score[i])
        f, s = (x, y) if x < nf else (y, x)
        if not (f < nf <= s) or sc < t_review:
            continue
        if st.out[f] not in ("", Outcome.REVIEW) or st.out[s] not in ("", Outcome.REVIEW):
            continue
        top = best.setdefault(f, sc)
        if top - sc >= margin:
            continue
        rev_f.append(f)
        rev_s.append(s)
        rev_sc.append(sc)
        why = "证据不足以自动确认" if sc < t_match else "有多个相近的候选，无法自动确定"
        rev_reason.append(
            f"{why}："
            + _reason(level_rows[i], recs.value("id", f), recs.value("id", s), kinds[f], kinds[s])
        )
    if rev_f:
        st.out[np.array(rev_f)] = Outcome.REVIEW
        st.out[np.array(rev_s)] = Outcome.REVIEW
        review_rows.append(
            pd.DataFrame({"f": rev_f, "s": rev_s, "score": rev_sc, "reason": rev_reason})
        )


def fingerprints(records: pd.DataFrame) -> np.ndarray:
    """A short content key per record: name, ID, birth date and flat.

    A person's decision (是同一人 / 不是同一人) is remembered by the two
    records' fingerprints, which survive a re-export that moves rows.
    """
    import hashlib

    parts = [
        records[c].fillna("").astype(str).tolist() for c in ("name_key", "id", "birth", "addr_key")
    ]
    return np.array(
        [hashlib.sha1("|".join(v).encode()).hexdigest()[:16] for v in zip(*parts, strict=True)],
        dtype=object,
    )


def restrict_visits(result: MatchResult, committees: set[str]) -> MatchResult:
    """Only system records of ``committees`` are listed for a visit.

    For a run over some 居委 only: the other active records nobody matched
    are not "to visit" but out of scope. Matching itself used every record
    (people move between 居委), so this changes nothing else.
    """
    system = result.system.copy()
    in_scope = system["committee"].astype(str).isin(committees).to_numpy()
    out = system["outcome"].eq(Outcome.SYSTEM_ONLY).to_numpy() & ~in_scope
    system.loc[out, "outcome"] = Outcome.OUT_OF_SCOPE
    return replace(result, system=system)


def _person_row(st: _State, row: int, other: int, kinds: np.ndarray) -> int:
    """The row on ``row``'s side that stands for ``other``'s person, or -1.

    ``other`` must be settled (matched or a duplicate) or, on the same side,
    an open row with a valid ID while ``row`` has none: a field person to be
    entered once, or a system person to be visited once.
    """
    nf = st.nf
    if st.out[other] == Outcome.DUPLICATE and st.dup_of[other] >= 0:
        other = int(st.dup_of[other])
    same_side = (row < nf) == (other < nf)
    if same_side:
        if st.out[other] == Outcome.MATCHED:
            return other
        if not st.open(other):
            return -1
        # an open row with a valid ID stands for its person (to enter / to
        # visit); between two rows without one, the first does
        if kinds[other] in _USABLE and kinds[row] not in _USABLE:
            return other
        if kinds[other] not in _USABLE and kinds[row] not in _USABLE and other < row:
            return other
        return -1
    if st.out[other] == Outcome.MATCHED:
        return int(st.partner[other])
    return -1


def _finish(recs: Records, st: _State, field: pd.DataFrame, system: pd.DataFrame) -> None:
    nf = st.nf
    g = np.arange(len(st.out))
    open_f = (st.out == "") & (g < nf)
    open_s = (st.out == "") & (g >= nf)
    st.out[open_f] = Outcome.FIELD_ONLY
    st.out[open_s] = Outcome.SYSTEM_ONLY
    # re-registration: the person's only record in the system is cancelled
    gone = ~system["active"].astype(bool).to_numpy() & system["id_valid"].astype(bool).to_numpy()
    if gone.any():
        ids = recs.id_keys()
        rows = np.flatnonzero(open_f)
        again = rows[np.isin(ids[rows], ids[nf + np.flatnonzero(gone)])]
        st.note[again] = "系统中只有已注销的记录：需重新登记"


def _result(
    field: pd.DataFrame,
    system: pd.DataFrame,
    recs: Records,
    st: _State,
    pair_rows: list[pd.DataFrame],
    review_rows: list[pd.DataFrame],
) -> MatchResult:
    nf = st.nf
    dup = st.dup_of

    def decided(frame: pd.DataFrame, part: slice) -> pd.DataFrame:
        # assign() adds columns without copying the record frame (copy-on-write)
        d = dup[part]
        return frame.assign(
            outcome=pd.Series(st.out[part], index=frame.index, dtype=object),
            note=pd.Series(st.note[part], index=frame.index, dtype=object),
            dup_of=np.where(d >= nf, d - nf, d),
            dup_side=pd.Series(
                np.where(d < 0, "", np.where(d >= nf, "system", "field")),
                index=frame.index,
                dtype=object,
            ),
        )

    field = decided(field, slice(0, nf))
    system = decided(system, slice(nf, None))
    pairs = (
        pd.concat(pair_rows, ignore_index=True)
        if pair_rows
        else pd.DataFrame(columns=["f", "s", "method", "score", "reason"])
    )
    pairs["s"] = pairs["s"].astype(np.int64) - nf
    pairs["f"] = pairs["f"].astype(np.int64)
    review = (
        pd.concat(review_rows, ignore_index=True)
        if review_rows
        else pd.DataFrame(columns=["f", "s", "score", "reason"])
    )
    review["s"] = review["s"].astype(np.int64) - nf
    review["f"] = review["f"].astype(np.int64)
    from recon.matchers._diff import differences

    diffs = differences(field, system, pairs, recs)
    return MatchResult(field=field, system=system, pairs=pairs, review=review, differences=diffs)

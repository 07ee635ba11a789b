"""Scoring a match result against the sample generator's truth.

Shared by the end-to-end tests and the benchmark script. Definitions:

* a true pair is one person with at least one field row and at least one
  ACTIVE system row: one pair is expected per such person;
* a predicted pair is correct when both rows belong to the same person;
* the 人到机 list should hold exactly one row per person found in the field
  who has no active system record; the 机到人 list one row per person with
  an active system record who was not found in the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass
class Scores:
    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int


def _scores(tp: int, fp: int, fn: int) -> Scores:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return Scores(p, r, f, tp, fp, fn)


def _key(frame: pd.DataFrame, prefix: str = "") -> pd.Series:
    return (
        frame[prefix + "file"].astype(str)
        + "|"
        + frame[prefix + "sheet"].fillna("").astype(str)
        + "|"
        + frame[prefix + "row"].astype(int).astype(str)
    )


def read_truth(truth_path: Path) -> tuple[dict[str, int], dict[str, int], set[str]]:
    """(field key -> person, system key -> person, active system keys)."""
    t = pd.read_csv(truth_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    t["key"] = _key(t)
    f = t[t["side"] == "field"]
    s = t[t["side"] == "system"]
    status = s["status"].astype(str)
    active = set(s.loc[~status.str.contains("注销|迁出|死亡"), "key"])
    return (
        dict(zip(f["key"], f["person_id"].astype(int), strict=True)),
        dict(zip(s["key"], s["person_id"].astype(int), strict=True)),
        active,
    )


def evaluate(out_dir: Path, truth_path: Path) -> dict[str, Scores]:
    fmap, smap, active = read_truth(truth_path)
    field_persons = set(fmap.values())
    active_persons = {smap[k] for k in active}
    both = field_persons & active_persons

    def csv(name: str) -> pd.DataFrame:
        return pd.read_csv(out_dir / name, dtype=str, keep_default_na=False, encoding="utf-8-sig")

    m = csv("matches.csv")
    pf = _key(m, "field_").map(fmap)
    ps = _key(m, "system_").map(smap)
    correct = pf.eq(ps) & pf.isin(both)
    tp_persons = set(pf[correct])
    pairs = _scores(
        len(tp_persons),
        int((~correct).sum()) + int(correct.sum()) - len(tp_persons),
        len(both - tp_persons),
    )

    fo = csv("field_only.csv")
    fo_p = _key(fo, "field_").map(fmap)
    want_enter = field_persons - active_persons
    seen: set[int] = set()
    tp = fp = 0
    for p in fo_p:
        if p in want_enter and p not in seen:
            tp += 1
            seen.add(p)
        else:
            fp += 1
    enter = _scores(tp, fp, len(want_enter - seen))

    so = csv("system_only.csv")
    so_p = _key(so, "system_").map(smap)
    want_visit = active_persons - field_persons
    seen = set()
    tp = fp = 0
    for p in so_p:
        if p in want_visit and p not in seen:
            tp += 1
            seen.add(p)
        else:
            fp += 1
    visit = _scores(tp, fp, len(want_visit - seen))
    return {"pairs": pairs, "to_enter": enter, "to_visit": visit}

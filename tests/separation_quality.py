"""Scoring a 人户分离 result against the generator's truth.

Each swept row and each list row has one true outcome, from its person's
scenario; recon's outcome for the row is read from the result files. For
every outcome, precision and recall over rows. Rows recon sends to review
(a damaged ID and a homophone name, two near candidates) are left for a
person to decide: they are set aside from recall and counted separately, as
the person-mode quality test bounds the review list on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

# the true outcome of a row, by side and scenario
TRUE_FIELD = {
    "still": "still",
    "back_home": "back_home",
    "moved": "moved",
    "unregistered": "unregistered",
    "local": "not_separated",
}
TRUE_SYSTEM = {"still": "found", "back_home": "found", "moved": "found", "gone": "to_visit"}


@dataclass
class Score:
    precision: float
    recall: float
    tp: int
    fp: int
    fn: int


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _place(frame: pd.DataFrame, prefix: str = "") -> pd.Series:
    return frame[prefix + "file"] + "|" + frame[prefix + "sheet"] + "|" + frame[prefix + "row"]


def predicted(out: Path) -> tuple[dict[str, str], dict[str, str]]:
    """recon's outcome of every swept row and every list row."""
    rows = _csv(out / "rows.csv")
    field = rows[rows["side"] == "field"]
    system = rows[rows["side"] == "system"]
    f = dict(zip(_place(field), field["outcome"], strict=True))
    s = dict(zip(_place(system), system["outcome"], strict=True))
    m = _csv(out / "matches.csv")
    f.update(zip(_place(m, "field_"), m["separation"], strict=True))
    fo = _csv(out / "field_only.csv")
    f.update(zip(_place(fo, "field_"), fo["separation"], strict=True))
    s = {
        k: "found" if v == "matched" else "to_visit" if v == "system_only" else v
        for k, v in s.items()
    }
    return f, s


def reviewed(out: Path) -> set[str]:
    """The rows (of either side) recon left for a person to decide."""
    rows = _csv(out / "rows.csv")
    return set(_place(rows[rows["outcome"] == "review"]))


def score(out: Path, truth_path: Path) -> dict[str, Score]:
    truth = _csv(truth_path)
    truth["place"] = _place(truth)
    truth = truth[~truth["place"].isin(reviewed(out))]
    f_pred, s_pred = predicted(out)
    result: dict[str, Score] = {}
    for side, mapping, pred in (
        ("field", TRUE_FIELD, f_pred),
        ("system", TRUE_SYSTEM, s_pred),
    ):
        t = truth[truth["side"] == side]
        true = dict(zip(t["place"], t["scenario"].map(mapping), strict=True))
        for label in sorted(set(mapping.values())):
            want = {k for k, v in true.items() if v == label}
            got = {k for k, v in pred.items() if v == label}
            tp, fp, fn = len(want & got), len(got - want), len(want - got)
            result[f"{side}:{label}"] = Score(
                tp / (tp + fp) if tp + fp else 1.0,
                tp / (tp + fn) if tp + fn else 1.0,
                tp,
                fp,
                fn,
            )
    return result

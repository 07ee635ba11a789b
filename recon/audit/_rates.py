"""The audit's rates, per 居委 and in total, each with numerator and denominator.

Every rate is a count over the rows of ``rows.csv`` (and the visits read
back), so each can be re-counted by hand from the result files. Definitions
(also in the README, section 六):

- 来登率: of the people found living here (field rows matched, to enter or
  in review -- a person's second row is a duplicate and not counted), the
  share with an active system record (matched).
- 采集录入率: of the people collected who had to be entered in this round
  (to enter, or matched to a record registered on or after the collection
  date), the share already entered.
- 去销率（核查前 / 核查后）: of the records of people known to have left
  (cancelled records, plus active records a visit found 已离开), the share
  cancelled before the visits, and after the 注销表 of the visits is done.
  A 居委 with people to visit and no visit read back has no such rate ("—"):
  who left there is not known yet.
- 重复登记率: of the active system records, the share that are a second
  record of a person.
- 完整率: of the people found living here, the share whose row has every
  required field (rules: ``[completeness] required``).
- 准确率: of the same rows, the share with no finding (ID invalid or
  damaged, sex or birth date disagreeing with the ID, sex unreadable,
  address without a road or village).
- 信息一致率: of the matched pairs, the share whose system record agrees with
  what was collected (no 信息变更).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from recon.audit._data import TOTAL, AuditData

__all__ = ["RATES", "Rate", "compute_rates"]


@dataclass(frozen=True)
class Rate:
    key: str  # also the key of its target in audit.toml
    label: str  # Chinese name, as in audit.csv
    side: str  # whose 居委 it is counted under
    numerator: str  # Chinese words for the workbook's explanation
    denominator: str


RATES = [
    Rate("registration", "来登率", "field", "已在系统中登记的现住人员", "现住人员"),
    Rate("entry", "采集录入率", "field", "已录入", "本轮应录入"),
    Rate("cancellation_before", "去销率（核查前）", "system", "已注销", "已离开"),
    Rate("cancellation_after", "去销率（核查后）", "system", "已注销及核查后注销", "已离开"),
    Rate("duplicates", "重复登记率", "system", "重复的有效记录", "有效记录"),
    Rate("completeness", "完整率", "field", "必填项齐全的现住人员", "现住人员"),
    Rate("accuracy", "准确率", "field", "没有数据问题的现住人员", "现住人员"),
    Rate("consistency", "信息一致率", "field", "信息一致的已匹配人员", "已匹配人员"),
]
TARGET_OF = {"cancellation_before": "cancellation", "cancellation_after": "cancellation"}

LIVING = ("matched", "field_only", "review")
ACTIVE = ("matched", "system_only", "review", "duplicate")


def _lists(values: pd.Series) -> pd.Series:
    return values.fillna("").astype(str).str.split(";")


def _has_any(values: pd.Series, names: Iterable[str]) -> np.ndarray:
    wanted = set(names)
    return np.array([bool(wanted & set(v)) for v in _lists(values)], dtype=bool)


def _counts(committee: pd.Series, numerator: np.ndarray, denominator: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "committee": committee.to_numpy(),
            "num": np.asarray(numerator, dtype=np.int64),
            "den": np.asarray(denominator, dtype=np.int64),
        }
    )
    return frame.groupby("committee", sort=True)[["num", "den"]].sum()


def compute_rates(
    data: AuditData, required: Iterable[str], with_visits: bool | None = None
) -> pd.DataFrame:
    """One row per 居委 and rate, plus a 合计 row per rate.

    Columns: 居委, 指标, key, 分子, 分母, 比率 (NaN when 分母 is 0). The
    去销率 rows need visit results (``with_visits``; default: when any were
    read) -- without them nobody knows who of the active records has left.
    """
    f, s = data.field, data.system
    visits = with_visits if with_visits is not None else bool(len(data.visits))
    living = f["outcome"].isin(LIVING).to_numpy()
    matched = f["outcome"].eq("matched").to_numpy()
    parts: dict[str, pd.DataFrame] = {}

    parts["registration"] = _counts(f["committee"], matched & living, living)

    collected, registered = f["collected_on"], f["partner_registered_on"]
    entered_now = matched & collected.ne("").to_numpy() & (registered >= collected).to_numpy()
    entered_now &= registered.ne("").to_numpy()
    to_enter = f["outcome"].eq("field_only").to_numpy()
    parts["entry"] = _counts(f["committee"], entered_now, entered_now | to_enter)

    if visits:
        inactive = s["outcome"].eq("inactive").to_numpy()
        left_keys = set(
            zip(
                *(
                    data.visits.loc[data.visits["outcome"] == "left", c]
                    for c in ("system_file", "system_sheet", "system_row")
                ),
                strict=True,
            )
        )
        left = np.array(
            [k in left_keys for k in zip(s["file"], s["sheet"], s["row"], strict=True)],
            dtype=bool,
        )
        # a 居委 whose visit list nobody has reported on yet: who left is unknown
        # there, and its cancelled records alone would read as 100 %
        seen = data.visits["outcome"].isin(["living", "left", "changed"])
        seen_keys = set(
            zip(
                *(data.visits.loc[seen, c] for c in ("system_file", "system_sheet", "system_row")),
                strict=True,
            )
        )
        system_rows = list(zip(s["file"], s["sheet"], s["row"], strict=True))
        visited = np.array([k in seen_keys for k in system_rows], dtype=bool)
        to_visit = s["outcome"].eq("system_only").to_numpy()
        unknown = set(s["committee"][to_visit]) - set(s["committee"][visited])
        known = ~s["committee"].isin(unknown).to_numpy()
        inactive, left = inactive & known, left & known
        parts["cancellation_before"] = _counts(s["committee"], inactive, inactive | left)
        parts["cancellation_after"] = _counts(s["committee"], inactive | left, inactive | left)

    active = s["outcome"].isin(ACTIVE).to_numpy()
    parts["duplicates"] = _counts(s["committee"], s["outcome"].eq("duplicate").to_numpy(), active)

    complete = ~_has_any(f["missing"], required)
    parts["completeness"] = _counts(f["committee"], living & complete, living)
    clean = f["findings"].fillna("").eq("").to_numpy()
    parts["accuracy"] = _counts(f["committee"], living & clean, living)

    places = zip(f["file"], f["sheet"], f["row"], strict=True)
    changed = np.array([p in data.changed for p in places], dtype=bool)
    parts["consistency"] = _counts(f["committee"], matched & ~changed, matched)

    committees = sorted(set(data.ledger["committee"]) - {""}, key=lambda c: (c == "未识别居委", c))
    rows = []
    for rate in RATES:
        counts = parts.get(rate.key)
        if counts is None:
            continue
        counts = counts.reindex(committees, fill_value=0)
        total = counts.sum()
        for committee, values in [*counts.iterrows(), (TOTAL, total)]:
            num, den = int(values["num"]), int(values["den"])
            rows.append(
                {
                    "居委": committee,
                    "指标": rate.label,
                    "key": rate.key,
                    "分子": num,
                    "分母": den,
                    "比率": num / den if den else float("nan"),
                }
            )
    return pd.DataFrame(rows, columns=["居委", "指标", "key", "分子", "分母", "比率"])

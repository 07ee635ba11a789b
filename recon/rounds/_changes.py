"""What changed between rounds, and which loops are closed or overdue.

The round of ``day`` (the latest match run on or before it) is compared with
the window's start: the previous round, or ``since``. Every kind is judged
only by exports taken *after* the event (a cancellation ticked after this
round's export is not yet overdue: only the next export can confirm it).

Deadlines (``audit.toml`` ``[deadlines]``): an entry is due ``enter_days``
working days after the round that listed the person 待录入; a cancellation
``cancel_days`` after the visit found 已离开; a visit ``visit_days`` after
the round that first listed the record 机到人. ``working_days_over`` is the
working days past the deadline (0 when on time).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from recon.errors import InputError, Where
from recon.register import Register
from recon.rules import AuditRules
from recon.workdays import WorkCalendar

__all__ = ["CHANGE_KINDS", "ChangeReport", "changes"]

CHANGE_KINDS: dict[str, str] = {
    "arrived": "新来",
    "left": "离开",
    "changed": "信息变更",
    "entry_done": "录入已办结",
    "entry_overdue": "录入逾期",
    "cancel_done": "注销已办结",
    "cancel_overdue": "注销逾期",
    "visit_overdue": "核查逾期",
    "reappeared": "重新出现",
    "cancelled_unvisited": "未核查即注销",
}

COLUMNS = [
    "kind",
    "committee",
    "name",
    "id_masked",
    "since",
    "due",
    "working_days",
    "working_days_over",
    "file",
    "sheet",
    "row",
    "house",
]


@dataclass
class ChangeReport:
    """The changes of one round: ``table`` has :data:`COLUMNS` (+ ``person``)."""

    table: pd.DataFrame
    day: dt.date
    round_day: dt.date
    since: dt.date | None
    notes: list[str] = field(default_factory=list)

    def counts(self) -> pd.DataFrame:
        """Per 居委 (rows, plus 合计) and kind (columns, in Chinese)."""
        t = self.table
        grid = pd.crosstab(t["committee"], t["kind"]) if len(t) else pd.DataFrame()
        grid = grid.reindex(columns=list(CHANGE_KINDS), fill_value=0)
        grid.loc["合计"] = grid.sum()
        grid.columns = [CHANGE_KINDS[k] for k in grid.columns]
        return grid.astype(int)


def add_workdays(calendar: WorkCalendar, start: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``start``."""
    return calendar.add(start, n)


def _load(reg: Register, day: dt.date) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    conn = reg.conn
    rounds = pd.read_sql_query(
        "SELECT run_id, day FROM runs WHERE kind = 'match' AND day <= ? ORDER BY day, run_id",
        conn,
        params=(day.isoformat(),),
    )
    rows = pd.read_sql_query(
        "SELECT r.run_id, r.side, r.file, r.sheet, r.row, r.person, r.committee, r.outcome,"
        " r.active, r.name, r.id, r.house, r.registered_on, r.cancelled_on"
        " FROM person_rows r JOIN runs u ON u.run_id = r.run_id"
        " WHERE u.day <= ? AND r.person != ''",
        conn,
        params=(day.isoformat(),),
    )
    visits = pd.read_sql_query(
        "SELECT v.person, v.committee, v.outcome, v.file, v.sheet, v.row, u.day"
        " FROM visit_results v JOIN runs u ON u.run_id = v.run_id"
        " WHERE u.day <= ? AND v.person != ''",
        conn,
        params=(day.isoformat(),),
    )
    return rounds, rows, visits


def _state(rows: pd.DataFrame) -> pd.DataFrame:
    """Per (round, person): what the round's inputs held of the person."""
    r = rows.assign(
        on_field=rows["side"].eq("field"),
        field_only=rows["side"].eq("field") & rows["outcome"].eq("field_only"),
        system_only=rows["side"].eq("system") & rows["outcome"].eq("system_only"),
        has_system=rows["side"].eq("system"),
        active=rows["active"].astype(bool),
        matched=rows["outcome"].eq("matched"),
        reg_active=rows["registered_on"].where(rows["active"].astype(bool), ""),
    )
    g = r.groupby(["run_id", "person"], sort=False)
    return g.agg(
        on_field=("on_field", "any"),
        field_only=("field_only", "any"),
        system_only=("system_only", "any"),
        has_system=("has_system", "any"),
        active=("active", "any"),
        matched=("matched", "any"),
        registered_on=("reg_active", "max"),
        cancelled_on=("cancelled_on", "max"),
    )


def changes(
    reg: Register,
    day: dt.date,
    rules: AuditRules,
    since: dt.date | None = None,
    calendar: WorkCalendar | None = None,
    mask_id: object = None,
) -> ChangeReport:
    """The changes of the round of ``day`` since the previous round (or ``since``)."""
    calendar = calendar or WorkCalendar.load()
    rounds, rows, visits = _load(reg, day)
    if not len(rounds):
        raise InputError(
            "登记库中还没有这一天或之前的核对记录",
            Where(file=str(reg.path)),
            "请先运行 recon match … --register 这个文件，或检查 --date 是否写对",
        )
    rounds["day"] = pd.to_datetime(rounds["day"]).dt.date
    current = int(rounds["run_id"].tolist()[-1])
    round_day: dt.date = rounds["day"].tolist()[-1]
    earlier = rounds.iloc[:-1]
    start: dt.date | None = since
    if since is not None:
        base = earlier[earlier["day"] <= since]
    else:
        base = earlier
        start = earlier["day"].tolist()[-1] if len(earlier) else None
    base_id = int(base["run_id"].tolist()[-1]) if len(base) else None
    order = {int(r): i for i, r in enumerate(rounds["run_id"])}
    day_of = dict(zip(rounds["run_id"].astype(int), rounds["day"], strict=True))
    state = _state(rows)
    visits["day"] = pd.to_datetime(visits["day"]).dt.date

    cur_rows = rows[rows["run_id"] == current]
    where = _where(cur_rows)
    latest = _latest_rows(rows, order)
    out: list[dict[str, object]] = []

    def emit(
        kind: str,
        person: str,
        since_: object = "",
        due: object = "",
        took: object = "",
        over: object = "",
        at: dict[str, object] | None = None,
    ) -> None:
        info = at or where.get(person) or latest.get(person) or {}
        out.append(
            {
                "kind": kind,
                "person": person,
                "committee": info.get("committee", ""),
                "name": info.get("name", ""),
                "id": info.get("id", ""),
                "since": _iso(since_),
                "due": _iso(due),
                "working_days": took,
                "working_days_over": over,
                "file": info.get("file", "") if person in where or at else "",
                "sheet": info.get("sheet", "") if person in where or at else "",
                "row": info.get("row", "") if person in where or at else "",
                "house": info.get("house", ""),
            }
        )

    in_window = (lambda d: d > start) if start is not None else (lambda d: True)
    cur = state.loc[current] if current in state.index.get_level_values(0) else state.iloc[:0]
    prior_ids = set((base if since is not None else earlier)["run_id"].astype(int))
    seen_before = set(rows.loc[rows["run_id"].isin(prior_ids), "person"])
    before_now = state[state.index.get_level_values(0).map(order) < order[current]]
    last_before = (
        before_now.reset_index()
        .assign(_o=lambda f: f["run_id"].map(order))
        .sort_values("_o")
        .drop_duplicates("person", keep="last")
        .set_index("person")
    )

    # 新来 / 重新出现
    present = cur.index[(cur["on_field"] | cur["active"]).to_numpy()]
    for person in present.difference(pd.Index(list(seen_before))):
        emit("arrived", str(person))
    # 重新出现: the person's latest earlier state held only cancelled records
    gone = last_before[
        last_before["has_system"] & ~last_before["active"] & ~last_before["on_field"]
    ]
    for person in present.intersection(gone.index):
        emit("reappeared", str(person), since_=day_of[int(str(gone.at[person, "run_id"]))])

    # 离开 / 信息有误 (visit results in the window)
    window_visits = visits[visits["day"].map(in_window) & (visits["day"] <= day)]
    for outcome, kind in (("left", "left"), ("changed", "changed")):
        hit = window_visits[window_visits["outcome"] == outcome].drop_duplicates("person")
        for v in hit.itertuples(index=False):
            at = (
                None
                if v.person in where
                else {
                    **latest.get(str(v.person), {}),
                    "file": v.file,
                    "sheet": v.sheet,
                    "row": v.row,
                }
            )
            emit(kind, str(v.person), since_=v.day, at=at)
    # 信息变更: a difference of a matched person that the base round did not have
    if base_id is not None:
        diffs = pd.read_sql_query(
            "SELECT run_id, person, item, digest FROM person_differences WHERE run_id IN (?, ?)",
            reg.conn,
            params=(current, base_id),
        )
        now = diffs[diffs["run_id"] == current]
        before = diffs[diffs["run_id"] == base_id]
        was_matched = (
            set(state.loc[base_id].index[state.loc[base_id]["matched"]])
            if base_id in state.index.get_level_values(0)
            else set()
        )
        old = set(zip(before["person"], before["item"], before["digest"], strict=True))
        flagged = {p for p, k in ((r["person"], r["kind"]) for r in out) if k == "changed"}
        for p, item, digest in zip(now["person"], now["item"], now["digest"], strict=True):
            if p in was_matched and (p, item, digest) not in old and p not in flagged:
                flagged.add(p)
                emit("changed", p, since_=day_of[base_id])

    # closed loops, person by person over the rounds
    persons_state = state.reset_index()
    persons_state["ord"] = persons_state["run_id"].map(order)
    persons_state = persons_state.sort_values(["person", "ord"])
    left_visits = visits[visits["outcome"] == "left"].sort_values("day")
    first_left = left_visits.drop_duplicates("person", keep="last").set_index("person")["day"]
    any_visit = visits[~visits["outcome"].isin(["not_visited", "unclear"])]
    visit_days = any_visit.groupby("person")["day"].apply(sorted).to_dict()
    # only people whose history can close or open a loop are walked through
    now = persons_state[persons_state["run_id"] == current]
    candidates = (
        set(persons_state.loc[persons_state["field_only"], "person"])
        | set(first_left.index)
        | set(now.loc[now["system_only"] | (now["has_system"] & ~now["active"]), "person"])
    ) & set(now["person"])
    walked = persons_state[persons_state["person"].isin(candidates)]
    for person, hist in walked.groupby("person", sort=False):
        hist = hist.reset_index(drop=True)
        last = hist.iloc[-1]
        _entry(emit, calendar, rules, person, hist, current, day_of, day, in_window)
        _cancel(emit, calendar, rules, person, hist, current, day_of, day, first_left)
        _visit(emit, calendar, rules, person, hist, day_of, day, visit_days.get(person, []))
        if base_id is not None and len(hist) >= 2:
            prev = hist[hist["run_id"] == base_id]
            if (
                len(prev)
                and prev["active"].iat[0]
                and last["has_system"]
                and not last["active"]
                and person not in visit_days
            ):
                emit("cancelled_unvisited", str(person), since_=day_of[base_id], took="", over="")
    table = pd.DataFrame(out, columns=["kind", "person", *COLUMNS[1:], "id"])
    table = table.drop_duplicates(["kind", "person"])
    kind_order = {k: i for i, k in enumerate(CHANGE_KINDS)}
    table = table.assign(_k=table["kind"].map(kind_order)).sort_values(
        ["_k", "committee", "house", "name"], kind="stable"
    )
    masker = mask_id if callable(mask_id) else (lambda s: s)
    table["id_masked"] = table["id"].map(lambda s: masker(str(s)))
    table = table.drop(columns=["_k", "id"]).reset_index(drop=True)
    return ChangeReport(table=table, day=day, round_day=round_day, since=start)


def _entry(emit, calendar, rules, person, hist, current, day_of, day, in_window) -> None:
    listed: dt.date | None = None
    for _, r in hist.iterrows():
        rd = day_of[int(r["run_id"])]
        if r["active"]:
            if listed is not None and int(r["run_id"]) == current:
                done = _date(r["registered_on"])
                end = done if done is not None and done >= listed else rd
                took = calendar.workdays_after(listed, end)
                due = add_workdays(calendar, listed, rules.enter_days)
                emit(
                    "entry_done",
                    person,
                    since_=listed,
                    due=due,
                    took=took,
                    over=max(0, took - rules.enter_days),
                )
            listed = None
        elif r["field_only"] and listed is None:
            listed = rd
    if listed is not None:
        _overdue(emit, "entry_overdue", calendar, person, listed, rules.enter_days, day)


def _cancel(emit, calendar, rules, person, hist, current, day_of, day, first_left) -> None:
    if person not in first_left.index:
        return
    ticked: dt.date = first_left[person]
    due = add_workdays(calendar, ticked, rules.cancel_days)
    after = hist[hist["run_id"].map(day_of) > ticked]
    if not len(after):
        return  # no export since the visit: nothing to judge yet
    closed = after[~after["active"]]
    if len(closed):
        first = closed.iloc[0]
        if int(first["run_id"]) != current:
            return  # closed in an earlier round
        done = _date(first["cancelled_on"])
        end = done if done is not None and done >= ticked else day_of[current]
        took = calendar.workdays_after(ticked, end)
        emit(
            "cancel_done",
            person,
            since_=ticked,
            due=due,
            took=took,
            over=max(0, took - rules.cancel_days),
        )
    else:
        _overdue(emit, "cancel_overdue", calendar, person, ticked, rules.cancel_days, day)


def _visit(emit, calendar, rules, person, hist, day_of, day, visited) -> None:
    if not hist["system_only"].iat[-1]:
        return
    start_i = len(hist) - 1
    while start_i > 0 and hist["system_only"].iat[start_i - 1]:
        start_i -= 1
    listed = day_of[int(hist["run_id"].iat[start_i])]
    if any(v >= listed for v in visited):
        return
    _overdue(emit, "visit_overdue", calendar, person, listed, rules.visit_days, day)


def _overdue(emit, kind: str, calendar, person, since: dt.date, days: int, day: dt.date) -> None:
    """Emit ``kind`` when the ``days`` working days from ``since`` ended before ``day``."""
    due = add_workdays(calendar, since, days)
    if due < day:
        emit(
            kind,
            person,
            since_=since,
            due=due,
            took=calendar.workdays_after(since, day),
            over=calendar.workdays_after(due, day),
        )


def _date(text: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


def _iso(value: object) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value or "")


def _where(rows: pd.DataFrame) -> dict[str, dict[str, object]]:
    """Where each person stands in these rows: the field row when there is one."""
    r = rows.sort_values(["side", "file", "sheet", "row"])  # field < system
    r = r.drop_duplicates("person")
    return {
        p: {"committee": c, "name": n, "id": i, "file": f, "sheet": s, "row": int(w), "house": h}
        for p, c, n, i, f, s, w, h in zip(
            r["person"],
            r["committee"],
            r["name"],
            r["id"],
            r["file"],
            r["sheet"],
            r["row"],
            r["house"],
            strict=True,
        )
    }


def _latest_rows(rows: pd.DataFrame, order: dict[int, int]) -> dict[str, dict[str, object]]:
    """Each person's latest row (for who is no longer in the inputs)."""
    r = rows.assign(_o=rows["run_id"].map(order)).sort_values(
        ["_o", "side"], ascending=[False, True]
    )
    return _where(r.drop_duplicates("person"))

"""A street in rounds: the same people a month apart, with the truth of every change.

``generate_rounds(RoundsSpec())`` takes clean persons from the street
generator and gives each a *story* across three rounds (arrivals entered on
time, late or never; departures cancelled on time, late or never; visits
done or not; a move within the street; a cancellation nobody visited; people
coming back). ``write_round`` writes one round's field sheet and police
export; ``fill_worklist`` plays the clerk who visits the round's 入户核查单
and ticks what each story says. ``truth`` lists, per round, every change
``recon changes`` must report (kind, person ID, 居委) -- nothing else.

The data is clean on purpose (no typos, no twins): what is tested is the
register across rounds, not the matcher.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from recon.csvio import write_csv
from recon.sample._generate import generate_street
from recon.sample._spec import StreetSpec
from recon.workdays import WorkCalendar

__all__ = ["STORIES", "Rounds", "RoundsSpec", "fill_worklist", "generate_rounds", "write_round"]

ROUNDS = 3
OLD_REGISTRATION = "2024-03-01"
OLD_CANCELLATION = "2025-01-10"

STORIES: dict[str, dict[int, tuple[str, ...]]] = {
    # story -> {round index: kinds `recon changes` reports in that round}
    "stable": {},
    "arrive1_ontime": {1: ("arrived",), 2: ("entry_done",)},
    "arrive1_late": {1: ("arrived",), 2: ("entry_done",)},
    "arrive1_never": {1: ("arrived",), 2: ("entry_overdue",)},
    "arrive2": {2: ("arrived",)},
    "leave0_ontime": {1: ("left", "cancel_done")},
    "leave0_late": {1: ("left", "cancel_done")},
    "leave0_never": {1: ("left", "cancel_overdue"), 2: ("cancel_overdue",)},
    "gone0_unvisited": {1: ("visit_overdue",), 2: ("visit_overdue",)},
    "gone1_unvisited": {2: ("visit_overdue",)},
    "missed0_living": {},
    "wrong0": {1: ("changed",)},
    "moved1": {1: ("changed",)},
    "police_cancel1": {1: ("cancelled_unvisited",), 2: ("reappeared",)},
    "cancelled_back2": {2: ("reappeared",)},
    "reactivated2": {2: ("reappeared",)},
    "no_id": {},
}
"""What happens to a person across rounds 0, 1, 2 (a month apart):

- ``arrive1_*``: arrives before round 1 (listed 待录入), entered 1 working day
  later (``ontime``), 6 later (``late``), or never; ``arrive2``: before round 2.
- ``leave0_*``: gone before round 0 (listed 机到人), visited 已离开 three
  working days after round 0, cancelled 1 / 5 working days later, or never.
- ``gone0_unvisited`` / ``gone1_unvisited``: gone before round 0 / 1, never visited.
- ``missed0_living``: missed by the collectors in round 0, visited 仍居住.
- ``wrong0``: missed in round 0, visited 信息有误.
- ``moved1``: moved to another flat of the street before round 1 (the record
  keeps the old flat: a new difference).
- ``police_cancel1``: cancelled by the police before round 1 without a visit,
  back on the field sheet in round 2.
- ``cancelled_back2`` / ``reactivated2``: only an old cancelled record, back on
  the field sheet (``reactivated2``: with a new active record) in round 2.
- ``no_id``: the field sheet never has their ID (matched by name, birth, flat).
"""


@dataclass(frozen=True)
class RoundsSpec:
    seed: int = 2024
    committees: int = 3
    residents_per_committee: int = 40
    days: tuple[str, ...] = ("2026-08-03", "2026-09-01", "2026-10-12")
    visit_after: int = 3  # the clerk visits this many working days after a round
    copies: int = 2  # persons per story


@dataclass
class Rounds:
    """Persons with their story, the three rounds' dates and the truth."""

    spec: RoundsSpec
    persons: pd.DataFrame  # street persons + story, moved_address
    days: list[dt.date]
    visit_days: list[dt.date]
    records: pd.DataFrame  # person_id, registered_on, cancelled_on ('' if never)
    truth: pd.DataFrame = field(default_factory=pd.DataFrame)  # round, kind, id, committee


def _clean_spec(spec: RoundsSpec) -> StreetSpec:
    zero: dict[str, Any] = {
        f.name: 0.0
        for f in dataclasses.fields(StreetSpec)
        if f.type in ("float", float) and f.name != "pinyin_share"
    }
    return StreetSpec(
        seed=spec.seed,
        committees=spec.committees,
        residents_per_committee=spec.residents_per_committee,
        **zero,
    )


def _add_workdays(calendar: WorkCalendar, start: dt.date, n: int) -> dt.date:
    return calendar.add(start, n)


def generate_rounds(spec: RoundsSpec | None = None, calendar: WorkCalendar | None = None) -> Rounds:
    """The persons of a clean street, each given a story; the truth of every round."""
    spec = spec or RoundsSpec()
    calendar = calendar or WorkCalendar.load()
    street = generate_street(_clean_spec(spec))
    persons = street.persons.copy()
    persons = persons[persons["id18"].astype(bool)].reset_index(drop=True)
    stories = [s for s in STORIES if s != "stable"]
    persons["story"] = "stable"
    # every story ``copies`` times, spread over the street (committees differ in size)
    chosen = persons.index[:: max(1, len(persons) // (len(stories) * spec.copies))]
    for story, i in zip(stories * spec.copies, chosen, strict=False):
        persons.loc[i, "story"] = story
    # a mover's new flat: the address of a stable person of the same 居委
    persons["moved_address"] = ""
    for i in persons.index[persons["story"] == "moved1"]:
        other = persons[
            (persons["story"] == "stable") & (persons["address"] != persons.at[i, "address"])
        ]
        same = other[other["committee"] == persons.at[i, "committee"]]
        persons.loc[i, "moved_address"] = str((same if len(same) else other)["address"].tolist()[0])
    days = [dt.date.fromisoformat(d) for d in spec.days]
    visits = [_add_workdays(calendar, d, spec.visit_after) for d in days]
    recs = []
    for p in persons.itertuples(index=False):
        recs.extend(_records(int(str(p.person_id)), str(p.story), days, visits, calendar))
    records = pd.DataFrame(recs, columns=["person_id", "registered_on", "cancelled_on"])
    truth = [
        {"round": r, "kind": kind, "id": p.id18, "committee": p.committee}
        for p in persons.itertuples(index=False)
        for r, kinds in STORIES[str(p.story)].items()
        for kind in kinds
    ]
    return Rounds(spec, persons, days, visits, records, pd.DataFrame(truth))


def _records(
    pid: int, story: str, days: list[dt.date], visits: list[dt.date], cal: WorkCalendar
) -> list[tuple[int, str, str]]:
    wd = _add_workdays
    if story.startswith("arrive1_"):
        after = {"arrive1_ontime": 1, "arrive1_late": 6}.get(story)
        return [] if after is None else [(pid, wd(cal, days[1], after).isoformat(), "")]
    if story == "arrive2":
        return []
    if story.startswith("leave0_"):
        after = {"leave0_ontime": 1, "leave0_late": 5}.get(story)
        cancelled = "" if after is None else wd(cal, visits[0], after).isoformat()
        return [(pid, OLD_REGISTRATION, cancelled)]
    if story == "police_cancel1":
        return [(pid, OLD_REGISTRATION, wd(cal, days[0], 5).isoformat())]
    if story == "cancelled_back2":
        return [(pid, OLD_REGISTRATION, OLD_CANCELLATION)]
    if story == "reactivated2":
        again = (days[2] - dt.timedelta(days=10)).isoformat()
        return [(pid, OLD_REGISTRATION, OLD_CANCELLATION), (pid, again, "")]
    return [(pid, OLD_REGISTRATION, "")]


_PRESENT: dict[str, tuple[bool, bool, bool]] = {
    "arrive1_ontime": (False, True, True),
    "arrive1_late": (False, True, True),
    "arrive1_never": (False, True, True),
    "arrive2": (False, False, True),
    "leave0_ontime": (False, False, False),
    "leave0_late": (False, False, False),
    "leave0_never": (False, False, False),
    "gone0_unvisited": (False, False, False),
    "gone1_unvisited": (True, False, False),
    "missed0_living": (False, True, True),
    "wrong0": (False, True, True),
    "police_cancel1": (True, False, True),
    "cancelled_back2": (False, False, True),
    "reactivated2": (False, False, True),
}

_VISIT: dict[tuple[str, int], str] = {
    ("leave0_ontime", 0): "已离开",
    ("leave0_late", 0): "已离开",
    ("leave0_never", 0): "已离开",
    ("missed0_living", 0): "仍居住",
    ("wrong0", 0): "信息有误",
}


def write_round(rounds: Rounds, r: int, folder: Path) -> tuple[Path, Path]:
    """Round ``r``'s field sheet (``采集表/``) and police export (``系统导出/``)."""
    day = rounds.days[r]
    field_dir, system_dir = Path(folder) / "采集表", Path(folder) / "系统导出"
    field_dir.mkdir(parents=True, exist_ok=True)
    system_dir.mkdir(parents=True, exist_ok=True)
    p = rounds.persons
    present = p["story"].map(lambda s: _PRESENT.get(s, (True, True, True))[r])
    f = p[present]
    address = f["address"].where(~((f["story"] == "moved1") & (r >= 1)), f["moved_address"])
    arrived = f["story"].map(
        lambda s: (
            (day - dt.timedelta(days=12)).isoformat() if s.startswith("arrive") else "2023-06-01"
        )
    )
    collected = (day - dt.timedelta(days=2)).isoformat()
    write_csv(
        pd.DataFrame(
            {
                "居委": f["committee"],
                "采集人": "王敏",
                "姓名": f["name"],
                "性别": f["sex"],
                "公民身份号码": f["id18"].where(f["story"] != "no_id", ""),
                "民族": f["ethnicity"],
                "出生日期": f["birth"],
                "联系电话": f["phone"],
                "现居住地址": address,
                "户籍地址": f["hukou_address"],
                "来沪日期": arrived,
                "采集日期": collected,
                "备注": "",
            }
        ),
        field_dir / f"采集表_{day:%Y%m}.csv",
    )
    rec = rounds.records.merge(p, on="person_id")
    iso = day.isoformat()
    rec = rec[rec["registered_on"] <= iso]
    cancelled = (rec["cancelled_on"] != "") & (rec["cancelled_on"] <= iso)
    write_csv(
        pd.DataFrame(
            {
                "姓名": rec["name"],
                "性别": rec["sex"],
                "公民身份号码": rec["id18"],
                "出生日期": rec["birth"],
                "户籍地址": rec["hukou_address"],
                "暂住地址": "上海市闵行区" + rec["address"],
                "所属居委": rec["committee"],
                "登记日期": rec["registered_on"],
                "人员状态": cancelled.map({True: "注销", False: "正常"}),
                "注销日期": rec["cancelled_on"].where(cancelled, ""),
                "联系电话": rec["phone"],
                "人员编号": [f"ZZ{i:010d}" for i in rec.index],
            }
        ),
        system_dir / f"暂住人口导出_{day:%Y%m}.csv",
    )
    return field_dir, system_dir


def fill_worklist(rounds: Rounds, r: int, worklist: Path, out: Path) -> int:
    """The clerk's visits of round ``r``: tick each listed person as the story says.

    Returns the number of ticks made; people whose story has no visit this
    round are left blank (not visited).
    """
    import openpyxl

    from recon.worklists import RECORD_SHEET, VISIT_HEADERS

    wb = openpyxl.load_workbook(worklist)
    record = wb[RECORD_SHEET]
    header = [c.value for c in record[1]]
    id_of = {
        row[header.index("记录号")].value: row[header.index("身份证号")].value
        for row in record.iter_rows(min_row=2)
    }
    story_of = dict(zip(rounds.persons["id18"], rounds.persons["story"], strict=True))
    col = {h: i + 1 for i, h in enumerate(VISIT_HEADERS)}
    ticks = 0
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        for row in range(1, ws.max_row + 1):
            key = ws.cell(row, col["记录号"]).value
            action = _VISIT.get((story_of.get(id_of.get(key, ""), ""), r))
            if action:
                ws.cell(row, col[action]).value = "√"
                ticks += 1
    wb.save(out)
    return ticks

"""This round's arrivals: people who came shortly before they were collected and
were entered into the system after collection -- most within 2 working days,
some later. Without them every active record predates collection, and the
audit's 采集录入率 and 录入及时率 read 0 % (the new arrivals still to enter,
``new_arrival``, are the "not yet").

A random stream of its own (like 来沪日期), so that the rest of a seeded
street does not change: only these people's 来沪日期 and their system
record's 登记日期 (and the year inside its 人员编号) move.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from recon.sample._field import _styled
from recon.sample._persons import Columns
from recon.sample._spec import StreetSpec
from recon.sample._text import iso_dates

if TYPE_CHECKING:
    from recon.workdays import WorkCalendar

# working days from collection to entry, and how often each occurs
_DELAYS = np.array([0, 1, 2, 3, 4, 5, 7, 10, 15])
_DELAY_P = np.array([0.35, 0.30, 0.17, 0.06, 0.04, 0.03, 0.02, 0.02, 0.01])


def _after_workdays(day: dt.date, k: int, calendar: WorkCalendar) -> dt.date:
    """The k-th working day after ``day`` (``day`` itself for k = 0)."""
    while k > 0:
        day += dt.timedelta(days=1)
        k -= calendar.is_workday(day)
    return day


def enter_after_collection(
    spec: StreetSpec,
    persons: Columns,
    field: pd.DataFrame,
    system: pd.DataFrame,
    committees: pd.DataFrame,
) -> None:
    """Pick ``spec.entered_after_collection`` of the persons (registered, one
    active record, written on a field sheet) and move their dates, in place."""
    from recon.workdays import WorkCalendar

    rng = np.random.default_rng([spec.seed, 0xE27E])
    first = field[field["copy"].eq(0)].drop_duplicates("person_id")
    main = system[system["kind"].eq("main") & system["active"]].drop_duplicates("person_id")
    scenario = np.asarray(persons["scenario"])
    candidates = np.intersect1d(
        np.flatnonzero(scenario == "registered"),
        np.intersect1d(first["person_id"].to_numpy(), main["person_id"].to_numpy()),
    )
    k = min(round(spec.entered_after_collection * len(scenario)), len(candidates))
    if k == 0:
        return
    chosen = np.sort(rng.choice(candidates, size=k, replace=False))
    delays = rng.choice(_DELAYS, size=k, p=_DELAY_P)
    back = rng.integers(0, 10, size=k)  # arrived 0-9 days before being collected

    collected_of = dict(zip(first["person_id"], first["collected_iso"], strict=True))
    calendar = WorkCalendar()
    collected = [dt.date.fromisoformat(collected_of[p]) for p in chosen]
    registered = {
        int(p): _after_workdays(c, int(d), calendar).isoformat()
        for p, c, d in zip(chosen, collected, delays, strict=True)
    }
    days = np.array([(c - dt.date(1970, 1, 1)).days for c in collected], dtype=np.int64)
    arrived = dict(zip(chosen.tolist(), iso_dates(days - back), strict=True))

    # the system record: 登记日期, and the year its 人员编号 starts with
    rows = system.index[system["person_id"].isin(chosen) & system.index.isin(main.index)]
    new = system.loc[rows, "person_id"].map(registered)
    system.loc[rows, "registered_on"] = new
    system.loc[rows, "record_key"] = [
        key[:2] + date[:4] + key[6:]
        for key, date in zip(system.loc[rows, "record_key"], new, strict=True)
    ]
    # every field row of the person (a second copy too) says when they came,
    # in its committee's date style, unless the row leaves 来沪日期 blank
    rows = field.index[field["person_id"].isin(chosen) & field["arrived_iso"].ne("")]
    iso = field.loc[rows, "person_id"].map(arrived).to_numpy(dtype=object)
    ci = pd.Index(committees["committee"]).get_indexer(field.loc[rows, "committee"])
    field.loc[rows, "arrived_iso"] = iso
    field.loc[rows, "arrived_on"] = _styled(iso, ci, committees["date_style"])

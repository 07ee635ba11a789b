"""A few field rows whose evidence is genuinely not enough: 待人工确认 by design.

A trainee should meet the 待人工确认单 and ``--decisions``, and a matcher that
decides only what evidence settles sends such rows there. Each chosen row is a
registered person written with no ID, birth date, hukou address or phone, and
then either

- ``review_name``: the name as a homophone slip (伟/玮) at the right flat
  (name 3 + sex 1 + same flat 4 = 8: between the review and match lines), or
- ``review_room``: the right name at the building without its room
  (name 6 + sex 1 + same building 2 = 9).

The truth still names the person, so a clerk who ticks 是同一人 is right.
A random stream of its own: nothing else of a seeded street changes.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from recon.sample._persons import Columns
from recon.sample._spec import StreetSpec
from recon.sample._text import homophone_slip

_ROOM = re.compile(r"\d+室$")


def _add(noise: str, *labels: str) -> str:
    return ";".join([*(x for x in noise.split(";") if x), *labels])


def ambiguous_rows(
    spec: StreetSpec,
    persons: Columns,
    field: pd.DataFrame,
    system: pd.DataFrame,
    flats: pd.DataFrame,
) -> None:
    """Rewrite ``spec.review_pairs`` clean field rows so a person must decide (in place)."""
    if spec.review_pairs <= 0:
        return
    rng = np.random.default_rng([spec.seed, 0xA4B1])
    scenario = np.asarray(persons["scenario"])
    names = np.asarray(persons["name"])
    surnames = np.asarray(persons["surname"])
    counts = system.groupby("person_id").size()
    once = set(counts.index[counts.eq(1)])  # one system record, no duplicate
    twice = set(field.loc[field["copy"].eq(1), "person_id"])
    # the person must be the only candidate: nobody else of that name (or of the
    # slipped name) in the building, or a clerk's 是同一人 could pick a namesake
    building = pd.factorize(flats["building"])[0][np.asarray(persons["flat_id"])]
    taken = pd.Series(list(zip(building, names, strict=True))).value_counts()
    p = field["person_id"].to_numpy()
    ok = (
        field["noise"].eq("").to_numpy()
        & (scenario[p] == "registered")
        & np.array([i in once and i not in twice for i in p], dtype=bool)
        & ~np.asarray(persons["minority"])[p]
        & np.array([taken[(building[i], names[i])] == 1 for i in p], dtype=bool)
        & field["address"].str.contains(_ROOM).to_numpy()
    )
    rows = rng.permutation(np.flatnonzero(ok))
    done = 0
    for i in rows.tolist():
        if done >= spec.review_pairs:
            break
        person = int(p[i])
        kind = "review_name" if done % 2 == 0 else "review_room"
        labels = [kind, "id_missing"]
        if kind == "review_name":
            slip = homophone_slip(
                names[person][len(surnames[person]) :], int(rng.integers(1 << 30))
            )
            if slip is None or (building[person], surnames[person] + slip) in taken.index:
                continue
            field.at[field.index[i], "name"] = surnames[person] + slip
            labels.append("name_homophone")
        else:
            field.at[field.index[i], "address"] = _ROOM.sub(
                "", str(field.at[field.index[i], "address"])
            )
            labels.append("addr_no_room")
        field.at[field.index[i], "id_number"] = ""
        field.at[field.index[i], "id_is_number"] = False
        field.at[field.index[i], "birth_date"] = ""
        # nor anything else both sides carry that would settle it (hukou, phone)
        for col in ("hukou_address", "phone"):
            if col in field:
                field.at[field.index[i], col] = ""
        field.at[field.index[i], "noise"] = _add(str(field.at[field.index[i], "noise"]), *labels)
        done += 1

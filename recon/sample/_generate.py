"""``generate_street``: the whole street from one seed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recon.sample._field import make_field
from recon.sample._houses import make_house_list
from recon.sample._housing import committee_table, place_households
from recon.sample._persons import make_persons
from recon.sample._review import ambiguous_rows
from recon.sample._round import enter_after_collection
from recon.sample._spec import Street, StreetSpec
from recon.sample._system import make_system


def generate_street(spec: StreetSpec | None = None) -> Street:
    """Generate a street with ground truth; the same spec gives the same street.

    Each stage draws from its own stream derived from ``spec.seed``, so a
    change in one stage (say, field noise) leaves the persons unchanged.
    """
    spec = spec or StreetSpec()
    streams = np.random.SeedSequence(spec.seed).spawn(5)
    rng = [np.random.default_rng(s) for s in streams]
    committees = committee_table(spec, rng[0])
    flats, person_flat = place_households(committees, rng[1])
    cols = make_persons(spec, flats, person_flat, rng[2])
    field = make_field(spec, cols, committees, flats, rng[3])
    system = make_system(spec, cols, flats, rng[4])
    enter_after_collection(spec, cols, field, system, committees)
    ambiguous_rows(spec, cols, field, system, flats)
    persons = pd.DataFrame(cols)
    committees["field_rows"] = (
        field["committee"]
        .value_counts()
        .reindex(committees["committee"])
        .fillna(0)
        .to_numpy(np.int64)
    )
    street = Street(persons=persons, field=field, system=system, committees=committees, spec=spec)
    if spec.house_list:
        # a stream of its own: the list changes no other value of a seeded street
        house_rng = np.random.default_rng([spec.seed, 0x4853])
        street.houses, street.house_truth = make_house_list(
            spec, flats, persons, field, system, house_rng
        )
    return street

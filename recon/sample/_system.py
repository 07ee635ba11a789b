"""System-export rows: what the police register holds.

``kind``: ``main`` (the person's record for their scenario) or
``duplicate`` (a second active registration). Noise labels: ``id_typo`` /
``id_swap`` (registered under a mistyped ID), ``id_sci`` ('3.10112E+17'),
``id15`` (old 15-digit number), ``name_trad``, ``name_homophone``,
``addr_short`` (without 上海市闵行区), ``old_address`` (a duplicate holding an
earlier flat).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recon.sample import _pools as P
from recon.sample._noise import Tags, id_swaps, id_typos, name_slips, take
from recon.sample._persons import ACTIVE_SCENARIOS, Columns, Picked
from recon.sample._spec import StreetSpec
from recon.sample._text import digits, iso_dates, obj, sci_notation

_PREFIX = "上海市闵行区"
_DATES = {
    "active_from": "2014-01-01",  # registrations still active
    "old_from": "2012-01-01",  # registrations since cancelled
    "old_to": "2021-12-31",
    "until": "2023-03-31",  # the export was taken before collection began
}
_D = {k: int(np.datetime64(v, "D").astype(np.int64)) for k, v in _DATES.items()}
_BEFORE_1980 = "1980-01-01"


def _other_flat(flat: np.ndarray, flats: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Another occupied flat: mostly in the same 居委, else anywhere in the street."""
    total = len(flats)
    if total < 2:
        return flat.copy()
    ci = pd.factorize(flats["committee"])[0]
    lo = pd.Series(np.arange(total)).groupby(ci).transform("min").to_numpy()[flat]
    size = np.bincount(ci)[ci[flat]]
    near = lo + (flat - lo + rng.integers(1, np.maximum(size, 2))) % np.maximum(size, 1)
    far = (flat + rng.integers(1, total, size=len(flat))) % total
    out = np.where((rng.random(len(flat)) < 0.6) & (size >= 2), near, far)
    return out.astype(np.int64)


def _records(persons: Columns, flats: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One row per system record: whose, where, active or not, main or duplicate."""
    scenario = persons["scenario"]
    own = persons["flat_id"]
    main = np.flatnonzero(scenario != "new_arrival")
    flat = own[main].copy()
    s = scenario[main]
    moved = s == "moved"
    flat[moved] = _other_flat(flat[moved], flats, rng)
    rereg = np.flatnonzero((s == "reregister") & (rng.random(len(s)) < 0.5))
    flat[rereg] = _other_flat(flat[rereg], flats, rng)
    dup = np.flatnonzero(persons["dup_system"])
    dup_flat = own[dup].copy()
    older = rng.random(len(dup)) < 0.5
    dup_flat[older] = _other_flat(dup_flat[older], flats, rng)
    return pd.DataFrame(
        {
            "person": np.concatenate([main, dup]),
            "flat": np.concatenate([flat, dup_flat]),
            "active": np.concatenate([np.isin(s, ACTIVE_SCENARIOS), np.ones(len(dup), bool)]),
            "kind": np.concatenate(
                [np.full(len(main), "main", object), np.full(len(dup), "duplicate", object)]
            ),
            "older": np.concatenate([np.zeros(len(main), bool), older]),
        }
    )


def make_system(
    spec: StreetSpec, persons: Columns, flats: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """All system rows, shuffled as an export comes out."""
    rec = _records(persons, flats, rng)
    rec = rec.iloc[rng.permutation(len(rec))].reset_index(drop=True)
    n = len(rec)
    p = rec["person"].to_numpy()
    per = Picked(persons, p)
    active = rec["active"].to_numpy()
    tags = Tags(n)
    tags.add(np.flatnonzero(rec["older"].to_numpy()), "old_address")

    ids = _ids(spec, per, rec["kind"].to_numpy() == "duplicate", tags, rng)
    names = obj(per["name"]).copy()
    name_slips(
        names,
        obj(per["surname"]),
        np.flatnonzero(~per["minority"]),
        (spec.system_name_homophone, spec.system_name_trad, 0.0),
        n,
        tags,
        rng,
    )
    flat = rec["flat"].to_numpy()
    flat_address = obj(flats["address"].to_numpy())[flat]
    address = _PREFIX + flat_address
    short = np.sort(rng.choice(n, size=min(round(spec.system_address_short * n), n), replace=False))
    address[short] = flat_address[short]
    tags.add(short, "addr_short")

    registered, cancelled = _dates(active, rng)
    status = np.where(active, "正常", rng.choice(P.INACTIVE_WORDS, size=n, p=P.INACTIVE_P))
    roll = rng.random(n)
    phone = np.where(roll < 0.80, obj(per["phone"]), "")
    other = roll >= 0.92
    phone[other] = (
        "1"
        + rng.choice(obj(list("35789")), size=other.sum())
        + digits(rng.integers(0, 10**9, size=other.sum()), 9)
    )
    years = obj([d[:4] for d in registered.tolist()])
    keys = "ZZ" + years + digits(rng.permutation(n) + 1, 8)
    return pd.DataFrame(
        {
            "record_key": keys,
            "name": names,
            "sex": per["sex"],
            "id_number": ids,
            "birth_date": per["birth"],
            "hukou_address": per["hukou_address"],
            "address": address,
            "committee": obj(flats["committee"].to_numpy())[flat],
            "registered_on": registered,
            "status": status,
            "cancelled_on": cancelled,
            "phone": phone,
            "active": active,
            "kind": rec["kind"].to_numpy(),
            "person_id": p.astype(np.int64),
            "flat_id": rec["flat"].to_numpy().astype(np.int64),
            "noise": tags.done(),
        }
    )


def _dates(active: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Registration dates; cancellation dates for inactive records."""
    n = len(active)
    reg_active = rng.integers(_D["active_from"], _D["until"], size=n)
    reg_old = rng.integers(_D["old_from"], _D["old_to"], size=n)
    reg = np.where(active, reg_active, reg_old)
    cancel = np.minimum(reg + rng.integers(60, 1500, size=n), _D["until"])
    registered = iso_dates(reg)
    cancelled = np.where(active, "", iso_dates(cancel))
    return registered, obj(cancelled)


def _ids(
    spec: StreetSpec, per: Picked, duplicate: np.ndarray, tags: Tags, rng: np.random.Generator
) -> np.ndarray:
    """ID texts as registered: typos, legacy numbers, Excel damage."""
    n = len(per)
    ids = obj(per["id18"]).copy()
    legacy = np.isin(per["legacy15"], ["system", "both"])
    # a duplicate registration: sometimes under the old number, sometimes mistyped
    roll = rng.random(n)
    old = per["birth"] < _BEFORE_1980
    dup15 = duplicate & (roll < 0.2) & old
    legacy = (legacy & ~duplicate) | dup15
    id15 = obj(per["id15"]).copy()
    need = legacy & (id15 == "")
    if need.any():  # the old number of an older person outside the legacy15 share
        id18 = ids[need]
        id15[need] = obj([s[:6] + s[8:17] for s in id18.tolist()])
    ids[legacy] = id15[legacy]
    tags.add(np.flatnonzero(legacy), "id15")
    dup_typo = np.flatnonzero(duplicate & ~legacy & (roll >= 0.2) & (roll < 0.5))

    free = ~legacy
    free[dup_typo] = False
    perm = rng.permutation(np.flatnonzero(free))
    typo, at = take(perm, spec.system_id_typo * 0.75, n, 0)
    swap, at = take(perm, spec.system_id_typo * 0.25, n, at)
    sci, at = take(perm, spec.system_id_sci, n, at)
    typo = np.sort(np.concatenate([typo, dup_typo]))
    id_typos(ids, typo, rng)
    tags.add(typo, "id_typo")
    id_swaps(ids, swap, rng)
    tags.add(swap, "id_swap")
    ids[sci] = obj([sci_notation(s) for s in ids[sci].tolist()])
    tags.add(sci, "id_sci")
    return ids

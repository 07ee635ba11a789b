"""Field-sheet rows: what collectors wrote, with their slips.

Noise labels written to ``noise`` (";"-joined):

- ID: ``id_typo`` (one wrong character), ``id_swap`` (two neighbours
  swapped), ``id_lower_x``, ``id_fullwidth``, ``id_space``,
  ``id_apostrophe``, ``id_missing`` (blank, 无, 暂无, /), ``id15`` (old
  15-digit number), ``id_number_cell`` (stored as a number: 15 digits kept,
  then 000);
- name: ``name_homophone``, ``name_trad``, ``name_space``, ``name_dot``
  (middle-dot variant in a minority name);
- ``sex_slip`` (wrong sex written);
- address: one of ``addr_*`` (see :mod:`recon.sample._address`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recon.sample import _pools as P
from recon.sample._address import respell
from recon.sample._noise import Tags, id_swaps, id_typos, name_slips, take
from recon.sample._persons import FIELD_SCENARIOS, Columns, Picked
from recon.sample._spec import StreetSpec
from recon.sample._text import (
    FULLWIDTH,
    id_spaces,
    iso_dates,
    obj,
    styled_dates,
)

_COLLECT_FROM = int(np.datetime64("2023-04-10", "D").astype(np.int64))
_COLLECT_DAYS = 52


def _rows(
    persons: Columns, committees: pd.DataFrame, flats: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """Which person each row is about, in the order collectors wrote them."""
    scenario = persons["scenario"]
    present = np.flatnonzero(np.isin(scenario, FIELD_SCENARIOS))
    twice = np.flatnonzero(persons["field_twice"])
    p = np.concatenate([present, twice])
    copy = np.concatenate([np.zeros(len(present), np.int64), np.ones(len(twice), np.int64)])
    return walk_rows(p, copy, persons, committees, flats, rng)


def walk_rows(
    p: np.ndarray,
    copy: np.ndarray,
    persons: Columns,
    committees: pd.DataFrame,
    flats: pd.DataFrame,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Rows about persons ``p`` in the order collectors walked and wrote them.

    Each building goes to one collector of its 居委; a second copy
    (``copy == 1``) lands with the next collector, somewhere along the walk.
    Returns ``person``, ``copy``, ``ci`` (committee index), ``collector_no``
    and ``day`` (collection day number, rising along each collector's walk).
    """
    ci = pd.Index(committees["committee"]).get_indexer(persons["committee"][p])
    n_coll = committees["collectors"].str.count("、").to_numpy()[ci] + 1
    building = pd.factorize(flats["building"])[0][persons["flat_id"][p]]
    buildings = building.max() + 1 if len(building) else 0
    collector = (rng.random(buildings)[building] * n_coll).astype(np.int64)
    collector = np.where(copy == 1, (collector + 1) % n_coll, collector)
    flat = persons["flat_id"][p]
    lo = pd.Series(flat).groupby(ci).transform("min").to_numpy()
    hi = pd.Series(flat).groupby(ci).transform("max").to_numpy()
    walk = np.where(copy == 1, lo + (rng.random(len(p)) * (hi - lo + 1)).astype(np.int64), flat)
    order = np.lexsort((rng.random(len(p)), copy, walk, collector, ci))
    rows = pd.DataFrame(
        {"person": p[order], "copy": copy[order], "ci": ci[order], "collector_no": collector[order]}
    )
    # collection days run forward along each collector's walk
    group = rows["ci"].to_numpy() * 8 + rows["collector_no"].to_numpy()
    days = _COLLECT_FROM + rng.integers(0, _COLLECT_DAYS, size=len(rows))
    rows["day"] = days[np.lexsort((days, group))]
    return rows


def make_field(
    spec: StreetSpec,
    persons: Columns,
    committees: pd.DataFrame,
    flats: pd.DataFrame,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """All field rows of the street, committee by committee, in sheet order."""
    rows = _rows(persons, committees, flats, rng)
    p = rows["person"].to_numpy()
    ci = rows["ci"].to_numpy()
    n = len(rows)
    tags = Tags(n)
    per = Picked(persons, p)
    c = {k: committees[k].to_numpy()[ci] for k in ("committee", "numeric_ids", "sex_style")}

    ids = _ids(spec, per, c["numeric_ids"].astype(bool), tags, rng)
    names = obj(per["name"]).copy()
    minority = per["minority"]
    name_slips(
        names,
        obj(per["surname"]),
        np.flatnonzero(~minority),
        (spec.field_name_homophone, spec.field_name_trad, spec.field_name_space),
        n,
        tags,
        rng,
    )
    _dots(names, np.flatnonzero(minority), spec.field_dot_variant, tags, rng)
    sex = _sex(per["sex"], c["sex_style"], spec.field_sex_slip, tags, rng)
    address = _addresses(per, spec.field_address_variant, tags, rng)

    arrived = _arrivals(per["scenario"], rows["day"].to_numpy(), spec.seed)
    collectors = [s.split("、") for s in committees["collectors"].tolist()]
    phone = np.where(rng.random(n) < 0.12, "", obj(per["phone"]))
    remark = np.where(rng.random(n) < 0.05, rng.choice(obj(P.REMARKS), size=n), "")
    return pd.DataFrame(
        {
            "committee": obj(c["committee"]),
            "collector": obj(
                [collectors[a][b] for a, b in zip(ci, rows["collector_no"], strict=True)]
            ),
            "name": names,
            "sex": sex,
            "id_number": ids[0],
            "id_is_number": ids[1],
            "ethnicity": per["ethnicity"],
            "birth_date": _styled(obj(per["birth"]), ci, committees["birth_style"]),
            "phone": phone,
            "address": address,
            "hukou_address": per["hukou_address"],
            "collected_on": _styled(
                iso_dates(rows["day"].to_numpy()), ci, committees["date_style"]
            ),
            "arrived_on": _styled(arrived, ci, committees["date_style"]),
            "arrived_iso": arrived,  # the truth behind the styled texts
            "collected_iso": iso_dates(rows["day"].to_numpy()),
            "remark": remark,
            "person_id": p.astype(np.int64),
            "flat_id": per["flat_id"],
            "copy": rows["copy"].to_numpy(),
            "noise": tags.done(),
        }
    )


def _arrivals(scenario: np.ndarray, days: np.ndarray, seed: int) -> np.ndarray:
    """来沪日期 as ISO text: people new to the flat came 0-9 days before they were
    collected (so some were collected later than 3 working days), the others
    long before; one row in twenty left blank. A random stream of its own, so
    that adding the column changed no other value of a seeded street."""
    rng = np.random.default_rng([seed, 0x1A11])
    n = len(days)
    recent = np.isin(scenario, ["new_arrival", "reregister", "moved"])
    back = np.where(recent, rng.integers(0, 10, size=n), rng.integers(120, 3000, size=n))
    out = iso_dates(days - back)
    out[rng.random(n) < 0.05] = ""
    return out


def _styled(iso: np.ndarray, ci: np.ndarray, styles: pd.Series) -> np.ndarray:
    """Dates in each committee's style (rows are grouped by committee)."""
    out = iso.copy()
    for k, style in enumerate(styles.tolist()):
        where = np.flatnonzero(ci == k)
        if len(where):
            out[where] = styled_dates(iso[where], style)
    return out


def _ids(
    spec: StreetSpec,
    per: Picked,
    numeric_committee: np.ndarray,
    tags: Tags,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """ID texts as written, and whether the cell holds a number."""
    n = len(per)
    ids = obj(per["id18"]).copy()
    legacy = np.isin(per["legacy15"], ["field", "both"])
    ids[legacy] = obj(per["id15"])[legacy]
    tags.add(np.flatnonzero(legacy), "id15")

    perm = rng.permutation(np.flatnonzero(~legacy))
    typo, at = take(perm, spec.field_id_typo, n, 0)
    swap, at = take(perm, spec.field_id_swap, n, at)
    missing, at = take(perm, spec.field_id_missing, n, at)
    id_typos(ids, typo, rng)
    tags.add(typo, "id_typo")
    id_swaps(ids, swap, rng)
    tags.add(swap, "id_swap")
    ids[missing] = rng.choice(obj(P.MISSING_ID), size=len(missing))
    tags.add(missing, "id_missing")

    rest = perm[at:]
    rest = rest[~numeric_committee[rest]]  # a number cell has no formatting
    _id_format(ids, rest, spec.field_id_format * n, tags, rng)

    digits_only = [s.isascii() and s.isdigit() for s in ids.tolist()]
    is_number = numeric_committee & np.array(digits_only, dtype=bool)
    damaged = np.flatnonzero(is_number & ~legacy)
    ids[damaged] = obj([s[:15] + "000" for s in ids[damaged].tolist()])
    tags.add(damaged, "id_number_cell")
    return ids, is_number


def _id_format(
    ids: np.ndarray, rows: np.ndarray, k: float, tags: Tags, rng: np.random.Generator
) -> None:
    """Formatting noise: lowercase x, full-width, spaces, leading apostrophe."""
    ends_x = np.array([ids[i].endswith("X") for i in rows.tolist()], dtype=bool)
    x_rows = rng.permutation(rows[ends_x])[: round(k / 4)]
    lower = np.sort(x_rows)
    ids[lower] = obj([s.lower() for s in ids[lower].tolist()])
    tags.add(lower, "id_lower_x")
    free = np.ones(len(ids), dtype=bool)
    free[lower] = False
    others = rng.permutation(rows[free[rows]])[: max(round(k) - len(lower), 0)]
    kind = rng.integers(0, 3, size=len(others))
    full, space, apos = (np.sort(others[kind == j]) for j in range(3))
    ids[full] = obj([s.translate(FULLWIDTH) for s in ids[full].tolist()])
    tags.add(full, "id_fullwidth")
    ids[space] = obj(id_spaces(ids[space].tolist(), rng.integers(0, 3, size=len(space))))
    tags.add(space, "id_space")
    ids[apos] = "'" + ids[apos]
    tags.add(apos, "id_apostrophe")


def _dots(
    names: np.ndarray, rows: np.ndarray, share: float, tags: Tags, rng: np.random.Generator
) -> None:
    pick = np.sort(rng.permutation(rows)[: round(share * len(rows))])
    variant = rng.choice(obj(P.DOT_VARIANTS), size=len(pick))
    names[pick] = obj(
        [s.replace(P.MIDDLE_DOT, v) for s, v in zip(names[pick], variant, strict=True)]
    )
    tags.add(pick, "name_dot")


def _sex(
    sex: np.ndarray, styles: np.ndarray, share: float, tags: Tags, rng: np.random.Generator
) -> np.ndarray:
    out = obj(sex).copy()
    slip = np.sort(rng.choice(len(out), size=min(round(share * len(out)), len(out)), replace=False))
    out[slip] = np.where(out[slip] == "男", "女", "男")
    tags.add(slip, "sex_slip")
    code = styles == "code"
    out[code] = np.where(out[code] == "男", "1", "2")
    return out


def _addresses(per: Picked, share: float, tags: Tags, rng: np.random.Generator) -> np.ndarray:
    address = obj(per["address"]).copy()
    n = len(address)
    pick = np.sort(rng.choice(n, size=min(round(share * n), n), replace=False))
    parts = {k: per[k][pick] for k in ("road", "lane", "number", "room", "village", "group")}
    rural = parts["village"] != ""
    texts, labels = respell(parts, rural, rng)
    address[pick] = texts
    tags.add(pick, labels)
    return address

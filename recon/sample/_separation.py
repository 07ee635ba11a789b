"""``generate_separation``: a street's 人户分离 list, its door-to-door sweep, the truth.

Persons are local-hukou (上海户籍) people, each tied to one flat of the
street (``flat_id``): where a 人在户不在 person lives, where a 户在人不在
person's hukou is registered, where a ``local`` person both lives and is
registered. Addresses are ``places``: the street's flats first
(``place_id == flat_id``), then addresses in other districts of Shanghai.

The sweep (人到机) writes, flat by flat, every local-hukou resident living
there and the people registered there who live elsewhere (told by their
family); ``gone`` persons are not in it. The police list (机到人) holds the
listed scenarios with what the register knew.

Noise labels: sweep rows carry the field labels of
:mod:`recon.sample._field` (``id_*``, ``name_*``, ``sex_slip``), ``addr_*``
(现居住地址 respelt) and ``hukou_addr_*`` (户籍地址 respelt); list rows the
system labels (``id_typo``, ``id_swap``, ``id_sci``, ``id15``,
``name_trad``, ``name_homophone``) and ``addr_short`` / ``hukou_addr_short``
(the street's address written without 上海市闵行区).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recon.sample import _pools as P
from recon.sample._address import URBAN_VARIANTS, respell
from recon.sample._field import _dots, _sex, _styled, walk_rows
from recon.sample._field import _ids as sweep_ids
from recon.sample._housing import committee_table, place_households
from recon.sample._noise import Tags, name_slips
from recon.sample._persons import Columns, Picked, make_persons
from recon.sample._spec import SEPARATION_KINDS, SEPARATION_SCENARIOS, Separation, SeparationSpec
from recon.sample._system import _ids as list_ids
from recon.sample._system import _other_flat
from recon.sample._templates import SWEEP_TEMPLATES
from recon.sample._text import digits, iso_dates, obj

HERE, AWAY, NONE = SEPARATION_KINDS
LISTED = ("still", "back_home", "moved", "gone")
CITY = "上海市"
DISTRICT = "闵行区"
_SHANGHAI = {"31": 1.0}  # ID numbers issued in Shanghai (retired county codes included)
_SALT = 0x5E9  # a seed sequence of its own: not the streams of generate_street
_LISTED_FROM = int(np.datetime64("2015-01-01", "D").astype(np.int64))
_LISTED_UNTIL = int(np.datetime64("2023-03-31", "D").astype(np.int64))
_PARTS = ("road", "lane", "number", "room", "village", "group")
# an address in another district is never written without its road
_OTHER_VARIANTS = {k: v for k, v in URBAN_VARIANTS.items() if k != "addr_no_road"}


def generate_separation(spec: SeparationSpec | None = None) -> Separation:
    """Generate a 人户分离 street with ground truth; the same spec gives the same street.

    Committees, housing and persons come from the street generator's own
    machinery (with Shanghai ID numbers); each stage draws from its own
    stream derived from ``spec.seed``.
    """
    spec = spec or SeparationSpec()
    base = spec.street_spec()
    streams = np.random.SeedSequence([spec.seed, _SALT]).spawn(6)
    rng = [np.random.default_rng(s) for s in streams]
    committees = _committees(committee_table(base, rng[0]))
    flats, person_flat = place_households(committees, rng[1])
    cols = make_persons(base, flats, person_flat, rng[2], provinces=_SHANGHAI)
    for unused in ("dup_system", "field_twice"):
        del cols[unused]
    places = _separate(spec, cols, flats, rng[3])
    sweep = _sweep(spec, cols, places, committees, flats, rng[4])
    police_list = _police_list(spec, cols, places, committees, rng[5])
    committees["sweep_rows"] = (
        sweep["committee"]
        .value_counts()
        .reindex(committees["committee"])
        .fillna(0)
        .to_numpy(np.int64)
    )
    return Separation(
        persons=pd.DataFrame(cols),
        places=pd.DataFrame(places),
        sweep=sweep,
        police_list=police_list,
        committees=committees,
        spec=spec,
    )


def _committees(committees: pd.DataFrame) -> pd.DataFrame:
    """The street's 居委 with sweep templates R1.. in rotation and their labels."""
    codes = list(SWEEP_TEMPLATES)
    templates = [codes[i % len(codes)] for i in range(len(committees))]
    committees["template"] = templates
    for key in ("sex_style", "date_style", "birth_style"):
        committees[key] = [getattr(SWEEP_TEMPLATES[t], key) for t in templates]
    # a village's committee is a 村委会: "九星村村委会人户分离排查表"
    committees["label"] = [
        c if c.endswith("居委") else c + "村委会" for c in committees["committee"].tolist()
    ]
    return committees


# --- who is where ---------------------------------------------------------------------


def _scenarios(spec: SeparationSpec, n: int, rng: np.random.Generator) -> np.ndarray:
    shares = spec.scenario_shares()
    counts = {k: round(v * n) for k, v in shares.items() if k != "local"}
    counts["local"] = max(n - sum(counts.values()), 0)
    labels = np.concatenate([np.full(counts[k], k, dtype=object) for k in SEPARATION_SCENARIOS])
    return rng.permutation(labels[:n])


def _kinds(spec: SeparationSpec, scenario: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """人在户不在 for ``round(here * k)`` of each separated scenario, 户在人不在 the rest."""
    kind = np.full(len(scenario), NONE, dtype=object)
    kind[scenario == "back_home"] = AWAY
    for s in ("still", "moved", "gone", "unregistered"):
        idx = rng.permutation(np.flatnonzero(scenario == s))
        k = round(spec.here * len(idx))
        kind[idx[:k]] = HERE
        kind[idx[k:]] = AWAY
    return kind


def _street_places(flats: pd.DataFrame) -> Columns:
    n = len(flats)
    local = obj(flats["address"].to_numpy())
    return {
        "in_street": np.ones(n, dtype=bool),
        "committee": obj(flats["committee"].to_numpy()),
        "district": obj([DISTRICT] * n),
        **{k: obj(flats[k].to_numpy()) for k in _PARTS},
        "local": local,
        "full": CITY + DISTRICT + local,
    }


def _elsewhere(n: int, rng: np.random.Generator) -> Columns:
    """``n`` flats in other districts of Shanghai (road, 弄, 号, 室)."""
    district = rng.choice(P.OTHER_DISTRICTS, size=n, p=P.OTHER_DISTRICT_P)
    road = obj([""] * n)
    for d in np.unique(district).tolist():
        where = np.flatnonzero(district == d)
        road[where] = rng.choice(obj(P.OTHER_DISTRICT_ROADS[d]), size=len(where))
    lane = digits(rng.integers(1, 1500, size=n))
    number = digits(rng.integers(1, 60, size=n))
    floors = np.where(rng.random(n) < 0.2, rng.integers(7, 25, size=n), 6)
    room = digits(rng.integers(1, floors + 1) * 100 + rng.integers(1, 5, size=n))
    local = road + lane + "弄" + number + "号" + room + "室"
    empty = obj([""] * n)
    return {
        "in_street": np.zeros(n, dtype=bool),
        "committee": empty,
        "district": obj(district),
        "road": road,
        "lane": lane,
        "number": number,
        "room": room,
        "village": empty,
        "group": empty,
        "local": local,
        "full": CITY + obj(district) + local,
    }


def _separate(
    spec: SeparationSpec, cols: Columns, flats: pd.DataFrame, rng: np.random.Generator
) -> Columns:
    """Scenario, type and addresses of every person (added to ``cols``); the places.

    ``hukou_place`` / ``live_place``: the true addresses; ``list_*_place``:
    what the police list holds (-1: not listed). A 人在户不在 family (same
    flat, same surname) shares one hukou address elsewhere.
    """
    n = len(cols["person_id"])
    scenario = _scenarios(spec, n, rng)
    kind = _kinds(spec, scenario, rng)
    here, away = kind == HERE, kind == AWAY
    flat = cols["flat_id"]
    n_flats = len(flats)

    hukou = flat.copy()
    live = flat.copy()
    listed = np.isin(scenario, LISTED)
    away_now = np.flatnonzero(away & (scenario != "back_home"))
    away_before = np.flatnonzero(away & np.isin(scenario, ("moved", "back_home")))
    here_idx = np.flatnonzero(here)
    sizes = (len(here_idx), len(away_now), len(away_before))
    others = _elsewhere(sum(sizes), rng)
    start = n_flats + np.cumsum((0, *sizes))
    hukou[here_idx] = start[0] + np.arange(sizes[0])
    family = pd.Series(hukou[here_idx]).groupby(
        [flat[here_idx], cols["surname"][here_idx]], sort=False
    )
    hukou[here_idx] = family.transform("first").to_numpy(np.int64)
    live[away_now] = start[1] + np.arange(sizes[1])

    list_hukou = np.where(listed, hukou, -1)
    list_live = np.where(listed, live, -1)
    moved_here = np.flatnonzero(here & (scenario == "moved"))
    list_live[moved_here] = _other_flat(flat[moved_here], flats, rng)
    list_live[away_before] = start[2] + np.arange(sizes[2])

    mine = _street_places(flats)
    places = {"place_id": np.arange(n_flats + sum(sizes), dtype=np.int64)}
    places |= {k: np.concatenate([v, others[k]]) for k, v in mine.items()}
    full = places["full"]

    def text(at: np.ndarray) -> np.ndarray:
        return np.where(at >= 0, full[np.maximum(at, 0)], "")

    cols["scenario"] = scenario
    cols["kind"] = kind
    cols["hukou_address"] = text(hukou)
    cols["residence"] = text(live)
    cols["listed"] = listed
    cols["list_hukou_address"] = text(list_hukou)
    cols["list_residence"] = text(list_live)
    cols["hukou_place"] = hukou
    cols["live_place"] = live
    cols["list_hukou_place"] = list_hukou
    cols["list_live_place"] = list_live
    return places


# --- the sweep (人到机) ---------------------------------------------------------------


def _sweep(
    spec: SeparationSpec,
    cols: Columns,
    places: Columns,
    committees: pd.DataFrame,
    flats: pd.DataFrame,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """All sweep rows, 居委 by 居委 along each collector's walk."""
    present = np.flatnonzero(cols["scenario"] != "gone")
    rows = walk_rows(present, np.zeros(len(present), np.int64), cols, committees, flats, rng)
    p = rows["person"].to_numpy()
    ci = rows["ci"].to_numpy()
    n = len(rows)
    tags = Tags(n)
    per = Picked(cols, p)
    c = {k: committees[k].to_numpy()[ci] for k in ("committee", "numeric_ids", "sex_style")}
    base = spec.street_spec()

    ids, is_number = sweep_ids(base, per, c["numeric_ids"].astype(bool), tags, rng)
    names = obj(per["name"]).copy()
    minority = per["minority"]
    name_slips(
        names,
        obj(per["surname"]),
        np.flatnonzero(~minority),
        (spec.sweep_name_homophone, spec.sweep_name_trad, spec.sweep_name_space),
        n,
        tags,
        rng,
    )
    _dots(names, np.flatnonzero(minority), spec.sweep_dot_variant, tags, rng)
    sex = _sex(per["sex"], c["sex_style"], spec.sweep_sex_slip, tags, rng)
    live, hukou = per["live_place"], per["hukou_place"]
    address = _written(places, live, spec.sweep_address_variant, "", tags, rng)
    hukou_address = _written(places, hukou, spec.sweep_hukou_variant, "hukou_", tags, rng)

    in_street = places["in_street"]
    found = np.full(n, NONE, dtype=object)
    found[~in_street[hukou]] = HERE
    found[~in_street[live]] = AWAY
    collectors = [s.split("、") for s in committees["collectors"].tolist()]
    days = rows["day"].to_numpy()
    return pd.DataFrame(
        {
            "committee": obj(c["committee"]),
            "collector": obj(
                [collectors[a][b] for a, b in zip(ci, rows["collector_no"], strict=True)]
            ),
            "name": names,
            "sex": sex,
            "id_number": ids,
            "id_is_number": is_number,
            "hukou_address": hukou_address,
            "address": address,
            "collected_on": _styled(iso_dates(days), ci, committees["date_style"]),
            "collected_iso": iso_dates(days),
            "remark": _remarks(per["scenario"], found, rng),
            "person_id": p.astype(np.int64),
            "flat_id": per["flat_id"],
            "found": found,
            "noise": tags.done(),
        }
    )


def _written(
    places: Columns,
    at: np.ndarray,
    share: float,
    prefix: str,
    tags: Tags,
    rng: np.random.Generator,
) -> np.ndarray:
    """Addresses ``at`` as a collector writes them; ``share`` of them respelt.

    The street's flats in their usual short form (古美路1255弄12号302室),
    other addresses with the city and district in front. A respelt address
    in another district keeps its district (上海市徐汇区 or 徐汇区) in front
    of every spelling. Labels: ``prefix`` + the variant label.
    """
    in_street = places["in_street"][at]
    out = np.where(in_street, places["local"][at], places["full"][at])
    n = len(at)
    pick = np.sort(rng.choice(n, size=min(round(share * n), n), replace=False))
    sub = at[pick]
    parts = {k: places[k][sub] for k in _PARTS}
    rural = parts["village"] != ""
    texts = obj([""] * len(pick))
    labels = obj([""] * len(pick))
    mine = np.flatnonzero(in_street[pick])
    texts[mine], labels[mine] = respell({k: v[mine] for k, v in parts.items()}, rural[mine], rng)
    other = np.flatnonzero(~in_street[pick])
    district = places["district"][sub[other]]
    t, lab = respell(
        {**{k: v[other] for k, v in parts.items()}, "district": district},
        rural[other],
        rng,
        _OTHER_VARIANTS,
    )
    head = rng.choice(obj([CITY, ""]), size=len(other)) + district
    plain = lab != "addr_prefix"
    t[plain] = head[plain] + t[plain]
    texts[other], labels[other] = t, lab
    out[pick] = texts
    tags.add(pick, prefix + labels)
    return obj(out)


def _remarks(scenario: np.ndarray, found: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """备注: mostly for those living elsewhere (told by family) and those back home."""
    n = len(scenario)
    roll = rng.random(n)
    out = np.full(n, "", dtype=object)
    away = (found == AWAY) & (roll < 0.7)
    out[away] = rng.choice(obj(P.AWAY_REMARKS), size=away.sum())
    back = (scenario == "back_home") & (roll < 0.3)
    out[back] = rng.choice(obj(P.BACK_REMARKS), size=back.sum())
    other = (found != AWAY) & (scenario != "back_home") & (roll < 0.04)
    out[other] = rng.choice(obj(P.SWEEP_REMARKS), size=other.sum())
    return out


# --- the police list (机到人) ------------------------------------------------------------


def _police_list(
    spec: SeparationSpec,
    cols: Columns,
    places: Columns,
    committees: pd.DataFrame,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """The list as exported: grouped by 所属居委, in no order within one."""
    q = np.flatnonzero(cols["listed"])
    in_street = places["in_street"]
    street_place = np.where(
        in_street[cols["list_live_place"][q]], cols["list_live_place"][q], cols["hukou_place"][q]
    )
    committee = places["committee"][street_place]
    rank = pd.Index(committees["committee"]).get_indexer(committee)
    order = np.lexsort((rng.random(len(q)), rank))
    q = q[order]
    n = len(q)
    per = Picked(cols, q)
    tags = Tags(n)
    ids = list_ids(spec.street_spec(), per, np.zeros(n, dtype=bool), tags, rng)
    names = obj(per["name"]).copy()
    name_slips(
        names,
        obj(per["surname"]),
        np.flatnonzero(~per["minority"]),
        (spec.list_name_homophone, spec.list_name_trad, 0.0),
        n,
        tags,
        rng,
    )
    hukou = obj(per["list_hukou_address"]).copy()
    address = obj(per["list_residence"]).copy()
    local = places["local"]
    short = np.sort(rng.choice(n, size=min(round(spec.list_address_short * n), n), replace=False))
    here = per["kind"][short] == HERE
    at_here, at_away = short[here], short[~here]
    address[at_here] = local[per["list_live_place"][at_here]]
    hukou[at_away] = local[per["list_hukou_place"][at_away]]
    tags.add(at_here, "addr_short")
    tags.add(at_away, "hukou_addr_short")
    listed_on = iso_dates(rng.integers(_LISTED_FROM, _LISTED_UNTIL, size=n))
    return pd.DataFrame(
        {
            "name": names,
            "sex": per["sex"],
            "id_number": ids,
            "hukou_address": hukou,
            "address": address,
            "kind": per["kind"],
            "committee": committee[order],
            "registered_on": listed_on,
            "person_id": q.astype(np.int64),
            "noise": tags.done(),
        }
    )

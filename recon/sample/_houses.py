"""The street's house list (房屋清册) and what ``recon houses`` should flag.

The list is what a 房管所 or the police 实有房屋 module would export: one row
per dwelling with its 房屋编码 (most have one), address (spelt the house
office's way, not the collectors'), 居委, use, occupancy, owner, building
area and rooms. A few per cent of flats are planted cases:

- ``missing``: an occupied flat the list lacks (未入册);
- ``empty_rental`` / ``empty_vacant``: a listed flat nobody lives in or is
  registered at, marked 出租 (出租未登记) or 空置 (nothing to flag);
- ``overcrowded``: a rental of several households in one small room (群租);
- ``shop``: a 商铺 / 办公 with people living in it (居改非);
- ``unmarked_rental``: a flat of unrelated tenants listed as 自住 with an owner
  who does not live there (出租未登记).

The truth (one row per dwelling) applies the definitions of
``recon.houses`` (and the thresholds of ``houses.toml``) to what the
generator knows each side wrote: who stands on a field sheet at which flat,
and whose system record is active at which flat -- never to recon's outputs.
A dwelling holding an active record of a person whose active records lie at
two flats is marked ``sure = False``: which record recon keeps as the
person's (and which as a duplicate) is the matcher's choice, so its
registered count, and the flags built on it, may go either way.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from recon.normalize import check_chars
from recon.rules import HouseRules, load_house_rules
from recon.sample import _pools as P
from recon.sample._spec import StreetSpec
from recon.sample._text import digits, obj

HOUSE_SCENARIOS = (
    "normal",
    "missing",
    "empty_rental",
    "empty_vacant",
    "overcrowded",
    "shop",
    "unmarked_rental",
)
LIST_COLUMNS = (
    ("house_code", "房屋编码"),
    ("committee_label", "所属居委"),
    ("list_address", "房屋地址"),
    ("use", "房屋用途"),
    ("occupancy", "使用情况"),
    ("owner_name", "产权人"),
    ("owner_id", "产权人身份证号"),
    ("area", "建筑面积（平方米）"),
    ("rooms", "房间数"),
)
_STREET_CODE = "310112009"  # 闵行区, the street: the first digits of every 房屋编码


def _dwellings(flats: pd.DataFrame, share: float, rng: np.random.Generator) -> pd.DataFrame:
    """The occupied flats, then ``share`` as many empty ones in the same buildings
    (urban: door 5 or 6 of a floor, no occupied flat has more than 4 doors;
    rural: house numbers from 200 on, past every group's stock)."""
    base = flats[["committee", "road", "lane", "number", "room", "village", "group"]].copy()
    base["occupied"] = True
    k = min(round(share * len(flats)), len(flats))
    src = flats.iloc[np.sort(rng.choice(len(flats), size=k, replace=False))].copy()
    rural = src["village"].ne("").to_numpy()
    floor = src["room"].str.slice(0, -2).replace("", "1")
    door = rng.integers(5, 7, size=k)
    src["room"] = np.where(rural, "", floor + "0" + digits(door))
    src["number"] = np.where(rural, digits(200 + np.arange(k)), src["number"])
    empty = src[base.columns.drop("occupied")].assign(occupied=False)
    out = pd.concat([base, empty], ignore_index=True)
    rural_all = out["village"].ne("")
    out["address"] = np.where(
        rural_all,
        out["village"] + out["group"] + "组" + out["number"] + "号",
        out["road"] + out["lane"] + "弄" + out["number"] + "号" + out["room"] + "室",
    )
    out = out.drop_duplicates("address").reset_index(drop=True)
    out["dwelling"] = np.arange(len(out))
    return out


def _people(
    n_flats: int, persons: pd.DataFrame, field: pd.DataFrame, system: pd.DataFrame
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """(people: flat, person, hukou), found, registered and unsure per flat.

    The people of a flat: everyone on a field sheet there, and everyone with
    an active system record there who is on no field sheet at all.
    """
    on_sheet = field[["flat_id", "person_id"]].drop_duplicates()
    active = system[system["active"].to_numpy(dtype=bool)][["flat_id", "person_id"]]
    unseen = active[~active["person_id"].isin(on_sheet["person_id"])].drop_duplicates()
    people = pd.concat([on_sheet, unseen], ignore_index=True).drop_duplicates()
    people = people.rename(columns={"flat_id": "flat", "person_id": "person"})
    people["hukou"] = persons["hukou_address"].to_numpy(dtype=object)[people["person"]]
    found = np.bincount(on_sheet["flat_id"], minlength=n_flats)
    registered = np.bincount(active["flat_id"], minlength=n_flats)
    spread = active.drop_duplicates().groupby("person_id")["flat_id"].nunique()
    split = active[active["person_id"].isin(spread[spread > 1].index)]["flat_id"]
    unsure = np.zeros(n_flats, dtype=bool)
    unsure[split.to_numpy(np.int64)] = True
    return people, found, registered, unsure


def _outsider_ids(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Owners who live elsewhere: names and valid ID numbers of Shanghai people."""
    surname = rng.choice(P.SURNAMES, size=n, p=P.SURNAME_P)
    male = rng.random(n) < 0.5
    given = np.where(
        male,
        rng.choice(P.MALE_CHARS, size=n, p=P.MALE_P),
        rng.choice(P.FEMALE_CHARS, size=n, p=P.FEMALE_P),
    )
    first = rng.choice(P.MALE_FIRST, size=n, p=P.MALE_FIRST_P)
    names = obj(surname) + np.where(rng.random(n) < 0.6, obj(first), "") + obj(given)
    region = rng.choice(obj(["310104", "310105", "310112", "310115", "310110"]), size=n)
    day = rng.integers(
        int(np.datetime64("1950-01-01", "D").astype(np.int64)),
        int(np.datetime64("1985-12-31", "D").astype(np.int64)),
        size=n,
    )
    ymd = pd.to_datetime(day, unit="D").strftime("%Y%m%d").to_numpy(dtype=object)
    seq = rng.integers(0, 99, size=n) * 10 + rng.integers(0, 5, size=n) * 2 + male
    bodies = region + ymd + digits(seq, 3)
    return names, bodies + obj(check_chars(bodies.tolist()))


def _spelling(d: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """The house office's spelling: with the district, 号楼 or 幢 for 号."""
    rural = d["village"].ne("").to_numpy()
    word = rng.choice(obj(["号", "号楼", "幢"]), size=len(d), p=[0.5, 0.3, 0.2])
    head = rng.choice(obj(["闵行区", "上海市闵行区"]), size=len(d), p=[0.7, 0.3])
    urban = head + d["road"] + d["lane"] + "弄" + d["number"] + word + d["room"] + "室"
    village = head + d["village"] + d["group"] + "组" + d["number"] + "号"
    return np.where(rural, village, urban).astype(object)


def _pick(pool: np.ndarray, k: int, taken: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    pool = pool[~taken[pool]]
    chosen = np.sort(rng.choice(pool, size=min(k, len(pool)), replace=False))
    taken[chosen] = True
    return chosen


def make_house_list(
    spec: StreetSpec,
    flats: pd.DataFrame,
    persons: pd.DataFrame,
    field: pd.DataFrame,
    system: pd.DataFrame,
    rng: np.random.Generator,
    rules: HouseRules | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the list's rows as written, the truth per dwelling)."""
    rules = rules or load_house_rules()
    d = _dwellings(flats, spec.house_empty, rng)
    n_flats = len(flats)
    total = len(d)
    people, found_f, registered_f, unsure_f = _people(n_flats, persons, field, system)
    pad = np.zeros(total - n_flats, dtype=np.int64)
    d["found"] = np.concatenate([found_f, pad])
    d["registered"] = np.concatenate([registered_f, pad])
    d["sure"] = ~np.concatenate([unsure_f, pad.astype(bool)])
    d["people"] = np.bincount(people["flat"], minlength=total)
    d["households"] = (
        people.groupby("flat")["hukou"].nunique().reindex(range(total)).fillna(0).astype(int)
    )
    # a family flat: everyone placed there shares one hukou (head, spouse, children)
    placed = persons.groupby("flat_id")["hukou_address"]
    family = np.zeros(total, dtype=bool)
    family[:n_flats] = (placed.nunique() == 1).to_numpy() & (placed.size() >= 2).to_numpy()
    occupied = d["occupied"].to_numpy()
    urban = d["village"].eq("").to_numpy()
    n = d["people"].to_numpy()
    hh = d["households"].to_numpy()

    # planted cases, each a share of the occupied flats
    scenario = np.where(occupied, "normal", "empty_vacant").astype(object)
    empty_idx = np.flatnonzero(~occupied)
    scenario[rng.permutation(empty_idx)[: round(0.5 * len(empty_idx))]] = "empty_rental"
    taken = ~occupied.copy()
    occ = np.flatnonzero(occupied)

    def k(share: float) -> int:
        return round(share * n_flats)

    scenario[_pick(occ, k(spec.house_missing), taken, rng)] = "missing"
    crowd = np.flatnonzero(occupied & ~family & (n >= 3) & (hh >= 2))
    scenario[_pick(crowd, k(spec.house_overcrowded), taken, rng)] = "overcrowded"
    unmarked = np.flatnonzero(occupied & ~family & (n >= 1))
    scenario[_pick(unmarked, k(spec.house_unmarked_rental), taken, rng)] = "unmarked_rental"
    shops = np.flatnonzero(occupied & urban & (n >= 1))
    scenario[_pick(shops, k(spec.house_shop), taken, rng)] = "shop"

    # owners: a resident for 自住 (the first person of the flat on a field sheet
    # there, else the first of its people), someone from elsewhere otherwise
    first_person = people.sort_values(["flat", "person"]).drop_duplicates("flat")
    on_sheet = field[["flat_id", "person_id"]].sort_values(["flat_id", "person_id"])
    first_found = on_sheet.drop_duplicates("flat_id").set_index("flat_id")["person_id"]
    owner_person = np.full(total, -1, dtype=np.int64)
    owner_person[first_person["flat"].to_numpy()] = first_person["person"].to_numpy()
    owner_person[first_found.index.to_numpy()] = first_found.to_numpy()
    single_owner = rng.random(total) < 0.5
    own_use = (scenario == "normal") & (family | ((n <= 1) & single_owner)) & (owner_person >= 0)
    use = np.full(total, "住宅", dtype=object)
    use[scenario == "shop"] = rng.choice(obj(["商铺", "办公"]), size=(scenario == "shop").sum())
    occupancy = np.where(own_use | (scenario == "unmarked_rental"), "自住", "出租").astype(object)
    occupancy[scenario == "empty_vacant"] = "空置"
    names, ids = _outsider_ids(total, rng)
    mine = np.flatnonzero(own_use)
    names[mine] = persons["name"].to_numpy(dtype=object)[owner_person[mine]]
    ids[mine] = persons["id18"].to_numpy(dtype=object)[owner_person[mine]]

    # size: normal flats far from every threshold, the crowded ones far under it
    most = np.maximum(n, 1)
    rooms = np.maximum(2, np.ceil(most / 2).astype(np.int64) + 1 + rng.integers(0, 2, total))
    area = rooms * rng.uniform(20, 30, total) + rng.uniform(8, 20, total)
    area = np.maximum(area, most / (rules.min_area_per_person / rules.living_area_ratio) * 2.5)
    crowded = scenario == "overcrowded"
    rooms[crowded] = 1
    area[crowded] = n[crowded] * rng.uniform(2.5, 3.5, crowded.sum())
    d["use"], d["occupancy"] = use, occupancy
    d["area"], d["rooms"] = np.round(area, 2), rooms.astype(np.int64)
    d["owner_name"], d["owner_id"] = names, ids
    d["scenario"] = scenario
    d["listed"] = scenario != "missing"
    committee_no = pd.factorize(d["committee"])[0] + 1
    code = _STREET_CODE + digits(committee_no, 3) + digits(d["dwelling"].to_numpy(), 6)
    code[rng.random(total) < spec.house_no_code] = ""
    d["house_code"] = np.where(d["listed"], code, "")
    d["list_address"] = _spelling(d, rng)
    d["committee_label"] = d["committee"] + np.where(d["committee"].str.endswith("居委"), "会", "")
    d["flags"] = _truth_flags(d, people, owner_person, own_use, rules)
    listed = d[d["listed"]].sort_values(["committee", "dwelling"], kind="stable")
    order = pd.factorize(flats["committee"])[0]
    rank = dict(zip(flats["committee"], order, strict=False))
    listed = listed.iloc[np.argsort(listed["committee"].map(rank).to_numpy(), kind="stable")]
    truth = d.rename(columns={"address": "house_key"})[
        [
            "house_key",
            "committee",
            "listed",
            "house_code",
            "scenario",
            "use",
            "occupancy",
            "area",
            "rooms",
            "people",
            "households",
            "found",
            "registered",
            "flags",
            "sure",
        ]
    ]
    return listed.reset_index(drop=True), truth


def _truth_flags(
    d: pd.DataFrame,
    people: pd.DataFrame,
    owner_person: np.ndarray,
    own_use: np.ndarray,
    rules: HouseRules,
) -> list[str]:
    """The flags of each dwelling by the definitions of ``recon.houses``."""
    hukou_of = dict(zip(people["person"], people["hukou"], strict=False))
    by_flat = people.groupby("flat")["hukou"].agg(list).to_dict()
    residents = people.groupby("flat")["person"].agg(set).to_dict()
    non_res = set(rules.non_residential)
    out = []
    h: Any  # a row of d (itertuples)
    for i, h in enumerate(d.itertuples(index=False)):
        f: list[str] = []
        n, listed = int(h.people), bool(h.listed)
        one_family = n > 1 and int(h.households) == 1
        area = float(h.area) if listed else float("nan")
        rooms = float(h.rooms) if listed else float("nan")
        too_little = (
            n > 0 and area > 0 and area * rules.living_area_ratio / n < rules.min_area_per_person
        )
        per_room = rooms > 0 and n > rules.max_per_room * rooms
        unknown = not listed and n > rules.max_people_unknown_size
        if n and (too_little or ((per_room or unknown) and not one_family)):
            f.append("overcrowded")
        if not listed and (n or h.registered):
            f.append("not_in_list")
        if (h.registered and not h.found) or (h.found and not h.registered):
            f.append("mismatch")
        if listed and n and h.use in non_res:
            f.append("non_residential")
        if listed:
            if h.occupancy == "出租" and not h.registered:
                f.append("rental_unregistered")
            elif h.occupancy == "自住" and n:
                owner = int(owner_person[i]) if own_use[i] else -1
                if owner not in residents.get(i, set()):
                    outsiders = n
                else:
                    outsiders = sum(x != hukou_of[owner] for x in by_flat[i])
                if outsiders:
                    f.append("rental_unregistered")
        out.append(";".join(f))
    return out

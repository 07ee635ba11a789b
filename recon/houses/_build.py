"""The dwellings of a street, who lives in each, and what needs a visit.

Input: the ledger of a match result (``rows.csv``: every input row with its
outcome and house key) and, when given, a house list. Output: one row per
dwelling with its counts and flags, and the people of each dwelling.

*The people of a dwelling* are those the run knows live there, each person
once: a field row found there (matched, to enter, or in review), or an active
system record nobody confirmed (to visit). A matched system record is the
same person as its field row; a cancelled record makes nobody a resident.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from recon.normalize.address import normalize_addresses
from recon.normalize.names import normalize_names
from recon.rules import HouseRules

__all__ = ["FLAGS", "FLAG_LABELS", "dwellings", "people_of", "resolve_keys"]

FLAGS = ("overcrowded", "not_in_list", "mismatch", "non_residential", "rental_unregistered")
FLAG_LABELS = {
    "overcrowded": "群租嫌疑",
    "not_in_list": "未入册",
    "mismatch": "人房不符",
    "non_residential": "居改非",
    "rental_unregistered": "出租未登记",
}

FOUND = ("matched", "field_only", "review")  # a field row: somebody found living there
REGISTERED = ("matched", "system_only", "review")  # an active, distinct system record


def resolve_keys(houses: pd.Series, committees: pd.Series) -> pd.Series:
    """House keys with a key that lacks its road or village (``561弄2号202室``)
    replaced by the one full key of the same 居委 naming the same flat
    (``春申路561弄2号202室``), when there is exactly one; others unchanged."""
    frame = pd.DataFrame({"key": houses.astype(str), "committee": committees.astype(str)})
    distinct = frame.drop_duplicates()
    distinct = distinct[distinct["key"].ne("")]
    parts = normalize_addresses(distinct["key"])
    distinct = distinct.assign(
        locality=parts["addr_locality"].to_numpy(dtype=object),
        flat=parts["addr_flat"].to_numpy(dtype=object),
    )
    full = distinct[distinct["locality"].ne("") & distinct["flat"].ne("")]
    bare = distinct[distinct["locality"].eq("") & distinct["flat"].ne("")]
    if full.empty or bare.empty:
        return houses
    options = full.groupby(["committee", "flat"])["key"].agg(lambda k: sorted(set(k)))
    anywhere = full.groupby("flat")["key"].agg(lambda k: sorted(set(k)))
    mapping = {}
    for key, committee, flat in zip(bare["key"], bare["committee"], bare["flat"], strict=True):
        # a row that names no 居委 (a house list without the column) looks street-wide
        found = options.get((committee, flat), []) if committee else anywhere.get(flat, [])
        if len(found) == 1:
            mapping[(key, committee)] = found[0]
    if not mapping:
        return houses
    pairs = list(zip(frame["key"], frame["committee"], strict=True))
    return pd.Series([mapping.get(p, p[0]) for p in pairs], index=houses.index, dtype=object)


def people_of(ledger: pd.DataFrame) -> pd.DataFrame:
    """Every resident once: field rows found, and system records to visit."""
    side, outcome = ledger["side"], ledger["outcome"]
    living = (side.eq("field") & outcome.isin(FOUND)) | (
        side.eq("system") & outcome.eq("system_only")
    )
    people = ledger[living & ledger["house"].ne("")].copy()
    hukou = people["hukou_address"].astype(str)
    if len(people):
        keys = normalize_addresses(hukou)["addr_key"].to_numpy(dtype=object).copy()
        # a blank hukou address is a household of its own (never merged with another)
        blank = keys == ""
        keys[blank] = [f"?{i}" for i in np.flatnonzero(blank)]
        people["hukou_key"] = keys
    else:
        people["hukou_key"] = pd.Series(dtype=object)
    people["surname"] = people["name"].astype(str).str.slice(0, 1)
    # the matched system record's ID and name: the register's spelling of the
    # same person (one side may carry a slip the other does not)
    if "partner_row" in ledger.columns:
        system = ledger[side.eq("system")]
        where = ["partner_file", "partner_sheet", "partner_row"]
        other = system[["file", "sheet", "row", "id", "name"]].astype(str)
        other.columns = [*where, "partner_id", "partner_name"]
        mine = people[where].astype(str)
        both = mine.merge(other, how="left", on=where)
        people["partner_id"] = both["partner_id"].fillna("").to_numpy(dtype=object)
        people["partner_name"] = both["partner_name"].fillna("").to_numpy(dtype=object)
    return people


def _count(frame: pd.DataFrame, mask: pd.Series) -> pd.Series:
    return frame[mask].groupby("house").size()


def dwellings(
    ledger: pd.DataFrame, listed: pd.DataFrame | None, rules: HouseRules
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(one row per dwelling with counts, flags and reasons; the residents)."""
    if listed is not None and len(listed):
        # one resolution over both, so that a list that writes a flat without its
        # road and a field sheet that writes it with the road meet in one dwelling
        keys = pd.concat([ledger["house"], listed["house_key"]], ignore_index=True)
        where = pd.concat([ledger["committee"], listed["committee"]], ignore_index=True)
        resolved = resolve_keys(keys, where).to_numpy(dtype=object)
        ledger = ledger.assign(house=resolved[: len(ledger)])
        listed = listed.assign(house_key=resolved[len(ledger) :])
        listed = listed.drop_duplicates("house_key", keep="first")
    else:
        ledger = ledger.assign(house=resolve_keys(ledger["house"], ledger["committee"]))
    rows = ledger[ledger["house"].ne("")]
    side, outcome = rows["side"], rows["outcome"]
    field, system = side.eq("field"), side.eq("system")
    people = people_of(ledger)
    counts = pd.DataFrame(
        {
            "registered": _count(rows, system & outcome.isin(REGISTERED)),
            "found": _count(rows, field & outcome.isin(FOUND)),
            "matched": _count(rows, field & outcome.eq("matched")),
            "to_enter": _count(rows, field & outcome.eq("field_only")),
            "to_visit": _count(rows, system & outcome.eq("system_only")),
            "people": people.groupby("house").size(),
            "households": people.groupby("house")["hukou_key"].nunique(),
            "surnames": people.groupby("house")["surname"].nunique(),
        }
    )
    # where a dwelling is: its 居委 (the first row's) and its standard address
    # (the house key is one: 碧江路561弄2号202室), unless the house list names it
    seen = rows.drop_duplicates("house")[["house", "committee", "building"]]
    seen = seen.assign(address=seen["house"])
    houses = seen.set_index("house").join(counts, how="left")
    field_committees = set(rows.loc[field, "committee"])

    if listed is not None and len(listed):
        lst = listed.set_index("house_key")
        houses = houses.join(
            lst[
                [
                    "house_code",
                    "address",
                    "committee",
                    "use",
                    "occupancy",
                    "owner_name",
                    "owner_id",
                    "area",
                    "rooms",
                    "building",
                    "file",
                    "sheet",
                    "row",
                ]
            ].add_prefix("list_"),
            how="outer",
        )
        houses["in_list"] = houses["list_file"].notna()
        for col in ("address", "committee", "building"):
            houses[col] = houses[f"list_{col}"].where(
                houses["in_list"] & houses[f"list_{col}"].fillna("").ne(""), houses[col]
            )
    else:
        houses["in_list"] = False
        for col in ("list_house_code", "list_use", "list_occupancy", "list_owner_name",
                    "list_owner_id", "list_file", "list_sheet", "list_row"):  # fmt: skip
            houses[col] = ""
        houses["list_area"] = np.nan
        houses["list_rooms"] = np.nan
    number_cols = ["registered", "found", "matched", "to_enter", "to_visit", "people",
                   "households", "surnames"]  # fmt: skip
    houses[number_cols] = houses[number_cols].fillna(0).astype(int)
    text_cols = ["committee", "address", "building", "list_house_code", "list_use",
                 "list_occupancy", "list_owner_name", "list_owner_id", "list_file",
                 "list_sheet", "list_row"]  # fmt: skip
    houses[text_cols] = houses[text_cols].astype(object).fillna("").astype(str)
    houses.index.name = "house_key"
    houses = houses.reset_index()
    houses["committee"] = _committee_by_building(houses)
    houses["area"] = houses["list_area"].astype(float)
    houses["rooms"] = houses["list_rooms"].astype(float)
    houses["use"] = houses["list_use"].astype(str)
    occupancy = houses["list_occupancy"].astype(str)
    houses["rental"] = np.where(
        occupancy.eq(""), "", np.where(_has_word(occupancy, rules.rental), "是", "否")
    )
    houses["occupancy"] = occupancy
    per = houses["people"] / houses["area"] * 10
    houses["people_per_10m2"] = per.where(np.isfinite(per) & (houses["area"] > 0)).round(2)
    flags, reasons = _flags(houses, people, rules, bool(listed is not None and len(listed)),
                            field_committees)  # fmt: skip
    houses["flags"] = [";".join(f) for f in flags]
    houses["reasons"] = ["；".join(r) for r in reasons]
    return houses, people


_AREA = re.compile(r"^(.*?(?:支弄|弄|巷|组|村|路|街))")


def _committee_by_building(houses: pd.DataFrame) -> pd.Series:
    """A dwelling's 居委; where nobody said (a listed flat nobody lives in, on a
    list without a 居委 column), the 居委 of the other dwellings of its building,
    else of its lane (or group, or road)."""
    committee = houses["committee"].fillna("").astype(str)
    keys = houses["house_key"].astype(str)
    area = keys.str.extract(_AREA, expand=False).fillna("")
    for by in (houses["building"].fillna("").astype(str), area):
        known = committee.ne("") & by.ne("")
        if known.all() or not known.any():
            continue
        usual = committee[known].groupby(by[known]).agg(lambda c: c.value_counts().index[0])
        committee = committee.where(committee.ne(""), by.map(usual).fillna(""))
    return committee


def _has_word(values: pd.Series, words: tuple[str, ...]) -> np.ndarray:
    if not words:
        return np.zeros(len(values), dtype=bool)
    pattern = "|".join(map(re.escape, words))
    return values.astype(str).str.contains(pattern, regex=True).to_numpy()


def _flags(
    houses: pd.DataFrame,
    people: pd.DataFrame,
    rules: HouseRules,
    with_list: bool,
    field_committees: set[str],
) -> tuple[list[list[str]], list[list[str]]]:
    """Flag codes and the reasons in words, per dwelling."""
    outside = _outside_owner(houses, people)
    non_res = _has_word(houses["use"], rules.non_residential)
    rental = houses["rental"].eq("是").to_numpy()
    vacant = _has_word(houses["occupancy"], rules.vacant)
    flags: list[list[str]] = []
    reasons: list[list[str]] = []
    h: Any  # a row of houses (itertuples)
    for i, h in enumerate(houses.itertuples(index=False)):
        f: list[str] = []
        why: list[str] = []
        n = int(h.people)
        one_family = n > 1 and int(h.households) == 1
        evidence = f"（{int(h.households)} 个户籍地址、{int(h.surnames)} 个姓氏）"
        area, rooms = float(h.area), float(h.rooms)
        if n:
            if np.isfinite(area) and area > 0:
                living = area * rules.living_area_ratio
                if living / n < rules.min_area_per_person:
                    f.append("overcrowded")
                    why.append(
                        f"群租嫌疑：建筑面积 {area:g} 平方米、住 {n} 人，人均居住面积约 "
                        f"{living / n:.1f} 平方米（按建筑面积×{rules.living_area_ratio:g} 估算），"
                        f"低于 {rules.min_area_per_person:g} 平方米{evidence}"
                    )
            known_rooms = np.isfinite(rooms) and rooms > 0
            crowded = known_rooms and n > rules.max_per_room * rooms and not one_family
            if "overcrowded" not in f and crowded:
                f.append("overcrowded")
                why.append(
                    f"群租嫌疑：{int(rooms)} 个房间住 {n} 人，超过每间 {rules.max_per_room} 人"
                    f"{evidence}"
                )
            unknown_size = not (np.isfinite(area) and area > 0) and not (
                np.isfinite(rooms) and rooms > 0
            )
            if unknown_size and n > rules.max_people_unknown_size and not one_family:
                f.append("overcrowded")
                why.append(
                    f"群租嫌疑：同住 {n} 人（面积和房间数不明），超过 "
                    f"{rules.max_people_unknown_size} 人{evidence}"
                )
        if with_list and not h.in_list and (n or h.registered):
            f.append("not_in_list")
            why.append(f"未入册：有 {max(n, int(h.registered))} 人居住或登记，房屋清册中没有这套房")
        covered = h.committee in field_committees
        if covered and h.registered and not h.found:
            f.append("mismatch")
            why.append(f"人房不符：系统中有 {int(h.registered)} 人登记在此，上门未见到人")
        elif h.found and not h.registered:
            f.append("mismatch")
            why.append(f"人房不符：上门见到 {int(h.found)} 人，系统中无人登记在此")
        if h.in_list and n and non_res[i]:
            f.append("non_residential")
            why.append(f"居改非：房屋用途为「{h.use}」，住着 {n} 人")
        if h.in_list:
            if rental[i] and not h.registered:
                f.append("rental_unregistered")
                why.append("出租未登记：清册标为出租，但没有任何人登记在此")
            elif not rental[i] and not vacant[i] and n:
                outsiders = int(outside[i])
                if outsiders:
                    f.append("rental_unregistered")
                    why.append(f"出租未登记：住着 {outsiders} 名非产权人家庭的人，清册未标为出租")
        flags.append(f)
        reasons.append(why)
    return flags, reasons


def _outside_owner(houses: pd.DataFrame, people: pd.DataFrame) -> np.ndarray:
    """Per dwelling: residents who are not of the owner's household (0 when the
    list names no owner), for all dwellings at once.

    The owner's household: the owner (by ID; by name where no resident's ID is
    the owner's -- a field sheet's ID may be mistyped, blank or damaged by
    Excel while the name is right; either as the field sheet or as the matched
    system record writes them; names compared in simplified characters) and
    everyone who shares the owner's hukou address; with the owner not living
    there, every resident is outside it.
    """
    n = len(houses)
    at_house = people["house"].map(pd.Series(np.arange(n), index=houses["house_key"]))
    known = at_house.notna().to_numpy()
    if not known.any():
        return np.zeros(n, dtype=np.int64)
    p = people[known]
    at = at_house[known].to_numpy(dtype=np.int64)

    def text(values: pd.Series, name: bool) -> np.ndarray:
        if name:  # spaces, dots and traditional characters aside (王 偉 = 王伟)
            return normalize_names(values.astype(str))["name_simp"].to_numpy(dtype=object)
        return values.astype(str).str.strip().str.upper().to_numpy(dtype=object)

    def either(own: str, partner: str, name: bool) -> tuple[np.ndarray, np.ndarray]:
        values = text(p[own], name)
        return values, text(p[partner], name) if partner in p.columns else values

    owner_id = text(houses["list_owner_id"], name=False)
    owner_name = text(houses["list_owner_name"], name=True)
    ids, partner_ids = either("id", "partner_id", name=False)
    names, partner_names = either("name", "partner_name", name=True)
    oid, oname = owner_id[at], owner_name[at]
    by_id = (oid != "") & ((ids == oid) | (partner_ids == oid))
    by_name = (oname != "") & ((names == oname) | (partner_names == oname))
    id_found = np.bincount(at, weights=by_id, minlength=n) > 0
    is_owner = np.where(id_found[at], by_id, by_name)
    has_owner = np.bincount(at, weights=is_owner, minlength=n) > 0
    hukou = p["hukou_key"].astype(str).to_numpy(dtype=object)
    family = set(zip(at[is_owner].tolist(), hukou[is_owner].tolist(), strict=True))
    outside = np.array(
        [(a, k) not in family for a, k in zip(at.tolist(), hukou.tolist(), strict=True)],
        dtype=bool,
    )
    outsiders = np.bincount(at, weights=outside, minlength=n).astype(np.int64)
    residents = np.bincount(at, minlength=n).astype(np.int64)
    named = (owner_id != "") | (owner_name != "")
    return np.where(named, np.where(has_owner, outsiders, residents), 0)

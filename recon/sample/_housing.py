"""Committees, their housing stock, and households placed in flats.

Urban 居委: a few roads, lanes (弄) unique per road across the street,
buildings (号) 1..80 per lane, rooms floor*100+door (6 floors, some
high-rises up to 18). The rural 村: groups (组) 1..15 and house numbers.
Flats come out in walking order and every flat has unique canonical parts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recon.sample._pools import COLLECTORS, COMMITTEE_STEMS, ORDINALS, ROADS, VILLAGE
from recon.sample._spec import StreetSpec
from recon.sample._templates import TEMPLATES, assign_templates
from recon.sample._text import digits, obj

_URBAN_SIZES = (np.arange(1, 7), np.array([0.22, 0.30, 0.24, 0.13, 0.07, 0.04]))
_RURAL_SIZES = (np.arange(1, 9), np.array([0.10, 0.18, 0.20, 0.18, 0.14, 0.10, 0.06, 0.04]))


def _committee_names(n: int, rural_at: int) -> list[str]:
    names = []
    stems = COMMITTEE_STEMS
    k = 0
    for i in range(n):
        if i == rural_at:
            names.append(VILLAGE)
            continue
        stem, ordinal = stems[k % len(stems)], k // len(stems)
        if ordinal < len(ORDINALS):
            names.append(f"{stem}{ORDINALS[ordinal]}村居委")
        else:
            names.append(f"{stem}第{ordinal + 1}居委")
        k += 1
    return names


def _numeric_at(templates: list[str], rural_at: int) -> int:
    """Index of the 居委 whose ID column is stored as numbers (-1: none)."""
    if len(templates) < 2:
        return -1
    for i in (3, 1, 0):
        if i < len(templates) and templates[i] != "T6" and i != rural_at:
            return i
    return -1


def _sizes(spec: StreetSpec, numeric_at: int, rng: np.random.Generator) -> np.ndarray:
    """Persons per committee: summing exactly to ``spec.persons``."""
    n = spec.committees
    w = rng.uniform(0.7, 1.3, size=n)
    if numeric_at >= 0:
        # the numeric-ID 居委 is sized so its rows are about spec.number_cell of all
        others = w.sum() - w[numeric_at]
        share = min(max(spec.number_cell, 0.0), 0.9)
        w[numeric_at] = max(share * others / (1 - share), 1e-9)
    exact = w / w.sum() * spec.persons
    counts = np.floor(exact).astype(np.int64)
    rest = spec.persons - counts.sum()
    counts[np.argsort(counts - exact, kind="stable")[:rest]] += 1
    while (counts == 0).any() and counts.max() > 1:  # every 居委 has someone, if it can
        counts[np.argmax(counts)] -= 1
        counts[np.flatnonzero(counts == 0)[0]] += 1
    return counts


def committee_table(spec: StreetSpec, rng: np.random.Generator) -> pd.DataFrame:
    """One row per 居委: name, kind, template and its writing conventions."""
    n = spec.committees
    rural_at = 2 if n >= 3 else -1
    templates = assign_templates(n)
    numeric_at = _numeric_at(templates, rural_at)
    sizes = _sizes(spec, numeric_at, rng)
    pool = list(rng.permutation(COLLECTORS))
    collectors = []
    for i, code in enumerate(templates):
        k = 3 if TEMPLATES[code].per_collector else int(rng.integers(1, 3))
        collectors.append("、".join(pool[(i * 3 + j) % len(pool)] for j in range(k)))
    return pd.DataFrame(
        {
            "committee": _committee_names(n, rural_at),
            "kind": ["rural" if i == rural_at else "urban" for i in range(n)],
            "template": templates,
            "numeric_ids": [i == numeric_at for i in range(n)],
            "sex_style": [TEMPLATES[t].sex_style for t in templates],
            "date_style": [TEMPLATES[t].date_style for t in templates],
            "birth_style": [TEMPLATES[t].birth_style for t in templates],
            "collectors": collectors,
            "persons": sizes,
        }
    )


def _household_sizes(n: int, rural: bool, rng: np.random.Generator) -> np.ndarray:
    values, p = _RURAL_SIZES if rural else _URBAN_SIZES
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    sizes = rng.choice(values, size=n, p=p)
    cut = int(np.searchsorted(np.cumsum(sizes), n))
    sizes = sizes[: cut + 1].copy()
    sizes[-1] -= sizes.sum() - n
    return sizes[sizes > 0]


def _lane_stock(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(building number, room) of every flat of one lane."""
    b = int(rng.integers(8, 81))
    floors = np.where(rng.random(b) < 0.12, rng.integers(11, 19, size=b), 6)
    doors = rng.integers(2, 5, size=b)
    per = floors * doors
    k = np.arange(per.sum()) - np.repeat(np.cumsum(per) - per, per)
    d = np.repeat(doors, per)
    number = np.repeat(np.arange(1, b + 1), per)
    room = (k // d + 1) * 100 + k % d + 1
    return number, room


def _urban_stock(
    target: int, roads: list[str], used: dict[str, set[int]], rng: np.random.Generator
) -> pd.DataFrame:
    parts: list[pd.DataFrame] = []
    total = 0
    while total < target or len(parts) < 2:
        road = roads[len(parts) % len(roads)]
        lane = int(rng.integers(1, 2001))
        while lane in used.setdefault(road, set()):
            lane = int(rng.integers(1, 2001))
        used[road].add(lane)
        number, room = _lane_stock(rng)
        parts.append(pd.DataFrame({"road": road, "lane": lane, "number": number, "room": room}))
        total += len(number)
    return pd.concat(parts, ignore_index=True)


def _rural_stock(target: int, rng: np.random.Generator) -> pd.DataFrame:
    groups = np.arange(1, 16)
    houses = rng.integers(30, 121, size=len(groups))
    houses = np.maximum(houses, int(np.ceil(target / len(groups))))
    group = np.repeat(groups, houses)
    number = np.arange(houses.sum()) - np.repeat(np.cumsum(houses) - houses, houses) + 1
    return pd.DataFrame({"village": VILLAGE, "group": group, "number": number})


def place_households(
    committees: pd.DataFrame, rng: np.random.Generator
) -> tuple[pd.DataFrame, np.ndarray]:
    """Occupied flats in walking order, and the flat of each person.

    Returns ``flats`` (``flat_id``, ``committee``, ``road``, ``lane``,
    ``number``, ``room``, ``village``, ``group``, ``building``, ``address``,
    ``size``) and an array giving every person (in person order) a flat_id.
    Persons are numbered flat by flat, so a flat's residents are contiguous.
    """
    used: dict[str, set[int]] = {}
    frames = []
    columns = (committees[k].tolist() for k in ("committee", "kind", "persons"))
    for name, kind, persons in zip(*columns, strict=True):
        rural = kind == "rural"
        sizes = _household_sizes(int(persons), rural, rng)
        if rural:
            stock = _rural_stock(int(len(sizes) * 1.5), rng)
        else:
            roads = list(rng.choice(ROADS, size=int(rng.integers(2, 5)), replace=False))
            stock = _urban_stock(int(len(sizes) * 2), roads, used, rng)
        take = np.sort(rng.choice(len(stock), size=len(sizes), replace=False))
        flats = stock.iloc[take].reset_index(drop=True)
        flats["committee"] = name
        flats["size"] = sizes
        frames.append(flats)
    flats = pd.concat(frames, ignore_index=True)
    return _finish_flats(flats)


def _finish_flats(flats: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    n = len(flats)
    rural = flats["village"].notna().to_numpy() if "village" in flats else np.zeros(n, bool)
    out = pd.DataFrame({"flat_id": np.arange(n), "committee": flats["committee"].to_numpy()})
    empty = obj([""] * n)
    road, lane, room, village, group = (empty.copy() for _ in range(5))
    number = digits(flats["number"].to_numpy(np.int64))
    u = ~rural
    if u.any():
        road[u] = obj(flats.loc[u, "road"].to_numpy())
        lane[u] = digits(flats.loc[u, "lane"].to_numpy(np.int64))
        room[u] = digits(flats.loc[u, "room"].to_numpy(np.int64))
    if rural.any():
        village[rural] = obj(flats.loc[rural, "village"].to_numpy())
        group[rural] = digits(flats.loc[rural, "group"].to_numpy(np.int64))
    building = np.where(
        rural, village + group + "组" + number + "号", road + lane + "弄" + number + "号"
    )
    address = np.where(rural, building, building + room + "室")
    out["road"], out["lane"], out["number"], out["room"] = road, lane, number, room
    out["village"], out["group"] = village, group
    out["building"], out["address"] = building, address
    out["size"] = flats["size"].to_numpy(np.int64)
    for col in ("road", "lane", "number", "room", "village", "group", "building", "address"):
        out[col] = out[col].astype("str")
    person_flat = np.repeat(out["flat_id"].to_numpy(), out["size"].to_numpy())
    return out, person_flat

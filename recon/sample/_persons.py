"""True persons: names, sex, birth, ID numbers, origin and scenario.

Persons are numbered flat by flat. In about half of the flats with two or
more residents live families (head, spouse, children sharing the head's
surname and hukou); the rest are shared rentals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recon.normalize import check_chars
from recon.sample import _pools as P
from recon.sample._regions import (
    MIGRANT_PROVINCES,
    MINORITY_PROVINCE,
    codes_in_use,
    pick_regions,
    region_table,
)
from recon.sample._spec import SCENARIOS, StreetSpec
from recon.sample._text import digits, iso_dates, obj, ymd_ints

_DAY0 = int(np.datetime64("1950-01-01", "D").astype(np.int64))
_DAY1 = int(np.datetime64("2005-12-31", "D").astype(np.int64))
_YEAR = 365.25
_BEFORE_1980 = int(np.datetime64("1980-01-01", "D").astype(np.int64))

Columns = dict[str, np.ndarray]


class Picked:
    """Person columns taken at given positions (each column once, on demand)."""

    def __init__(self, cols: Columns, idx: np.ndarray) -> None:
        self.cols = cols
        self.idx = idx
        self._cache: Columns = {}

    def __len__(self) -> int:
        return len(self.idx)

    def __getitem__(self, key: str) -> np.ndarray:
        if key not in self._cache:
            self._cache[key] = self.cols[key][self.idx]
        return self._cache[key]


FIELD_SCENARIOS = ("registered", "new_arrival", "reregister", "moved")
ACTIVE_SCENARIOS = ("registered", "left_active", "moved")


class _Draw:
    """Random draws of exactly-sized subsets."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def subset(self, candidates: np.ndarray, share: float, n_total: int) -> np.ndarray:
        """``round(share * n_total)`` indices from ``candidates`` (sorted)."""
        k = min(round(share * n_total), len(candidates))
        if k <= 0:
            return np.zeros(0, dtype=np.int64)
        return np.sort(self.rng.choice(candidates, size=k, replace=False))


def _days(year: float) -> float:
    return (year - 1970) * _YEAR


def _births(
    head: np.ndarray, role: np.ndarray, family: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Birth days: working-age migrants, older family heads, children after them."""
    n = len(head)
    base = np.where(
        rng.random(n) < 0.8,
        rng.normal(_days(1987.5), 8.5 * _YEAR, n),
        rng.uniform(_DAY0, _DAY1, n),
    )
    heads = family & (role == 0)
    base[heads] = rng.normal(_days(1975), 7 * _YEAR, heads.sum())
    base = np.clip(base, _DAY0, _DAY1)
    head_birth = base[head]
    spouse = family & (role == 1)
    base[spouse] = head_birth[spouse] + rng.uniform(-5, 5, spouse.sum()) * _YEAR
    child = family & (role >= 2)
    later = head_birth[child] + rng.uniform(20, 34, child.sum()) * _YEAR
    base[child] = np.minimum(later, _DAY1 - rng.uniform(0, 3, child.sum()) * _YEAR)
    return np.clip(np.round(base), _DAY0, _DAY1).astype(np.int64)


def _han_names(male: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n = len(male)
    surname = rng.choice(P.SURNAMES, size=n, p=P.SURNAME_P)
    last = np.where(
        male,
        rng.choice(P.MALE_CHARS, size=n, p=P.MALE_P),
        rng.choice(P.FEMALE_CHARS, size=n, p=P.FEMALE_P),
    )
    first = np.where(
        male,
        rng.choice(P.MALE_FIRST, size=n, p=P.MALE_FIRST_P),
        rng.choice(P.FEMALE_FIRST, size=n, p=P.FEMALE_FIRST_P),
    )
    given = np.where(rng.random(n) < 0.28, last, first + last)
    return obj(surname), obj(given)


def _minority_names(male: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    n = len(male)
    own = np.where(
        male,
        rng.choice(obj(P.MINORITY_MALE), size=n),
        rng.choice(obj(P.MINORITY_FEMALE), size=n),
    )
    return obj(own) + P.MIDDLE_DOT + rng.choice(obj(P.MINORITY_FATHER), size=n)


def _hukou(regions: pd.DataFrame, idx: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Hukou address text from the region's province/prefecture/county names.

    Rural: 镇/乡 + 村 (+ 组) + 号; in a county-level 区 mostly a road and 号.
    Pieces come from small pools, so only four concatenations run per person.
    """
    n = len(idx)
    prefecture = np.where(regions["prefecture"] == regions["county"], "", regions["prefecture"])
    heads = obj((regions["province"] + prefecture + regions["county"]).tolist())[idx]
    district = regions["county"].str.endswith("区").to_numpy(dtype=bool)[idx]
    towns = obj([t + s for t in P.TOWNS for s in P.TOWN_SUFFIX])
    villages = obj([v + "村" for v in P.VILLAGES])
    with_group = obj([f"{g}组{h}号" for g in range(1, 13) for h in range(1, 120)])
    tails = np.concatenate([with_group, obj([f"{h}号" for h in range(1, 120)])])
    tail = np.where(
        rng.random(n) < 0.5,
        rng.integers(0, len(with_group), n),
        len(with_group) + rng.integers(0, len(tails) - len(with_group), n),
    )
    roads = obj([f"{r}{h}号" for r in P.HOMETOWN_ROADS for h in range(1, 300)])
    rural = (
        heads
        + towns[rng.integers(0, len(towns), n)]
        + villages[rng.integers(0, len(villages), n)]
        + tails[tail]
    )
    urban = district & (rng.random(n) < 0.7)
    rural[urban] = heads[urban] + roads[rng.integers(0, len(roads), urban.sum())]
    return rural


def _phones(n: int, rng: np.random.Generator) -> np.ndarray:
    second = rng.choice(obj(list("3578893")), size=n)
    rest = rng.integers(0, 10**9, size=n)
    return "1" + second + digits(rest, 9)


class _People:
    """Mutable per-person arrays while the street is being populated."""

    def __init__(self, flats: pd.DataFrame, person_flat: np.ndarray, rng: np.random.Generator):
        self.rng = rng
        self.draw = _Draw(rng)
        self.n = n = len(person_flat)
        self.flat = person_flat
        sizes = flats["size"].to_numpy()
        starts = np.cumsum(sizes) - sizes
        self.head = np.repeat(starts, sizes)
        self.pos = np.arange(n) - self.head
        family_flat = (sizes >= 2) & (rng.random(len(sizes)) < 0.55)
        self.family = np.repeat(family_flat, sizes)
        self.building = obj(flats["building"].to_numpy())[person_flat]
        self.male = rng.random(n) < 0.54
        spouse = self.family & (self.pos == 1)
        self.male[spouse] = ~self.male[self.head[spouse]]
        self.surname, self.given = _han_names(self.male, rng)
        self.minority = np.zeros(n, dtype=bool)
        self.twin_of = np.full(n, -1, dtype=np.int64)
        self.locked = np.zeros(n, dtype=bool)  # names copied on purpose: leave alone

    # --- names -------------------------------------------------------------------
    def popular(self, share: float) -> None:
        pick = self.draw.subset(np.arange(self.n), share, self.n)
        which = self.rng.choice(len(P.POPULAR), size=len(pick), p=P.POPULAR_P)
        for i, w in zip(pick.tolist(), which.tolist(), strict=True):
            self.surname[i], self.given[i], sex = P.POPULAR[w]
            self.male[i] = sex == "男"

    def families(self) -> None:
        child = self.family & (self.pos >= 2)
        self.surname[child] = self.surname[self.head[child]]

    def _copy_name(self, src: np.ndarray, dst: np.ndarray) -> None:
        self.surname[dst] = self.surname[src]
        self.given[dst] = self.given[src]
        self.male[dst] = self.male[src]
        self.locked[dst] = True
        self.locked[src] = True

    def homonyms(self, same_flat: float, same_building: float) -> None:
        rental = ~self.family
        cand = np.flatnonzero(rental & (self.pos >= 1))
        dst = self.draw.subset(cand, same_flat, self.n)
        self._copy_name(self.head[dst], dst)
        i = np.arange(self.n - 1)
        ok = (self.building[i] == self.building[i + 1]) & (self.flat[i] != self.flat[i + 1])
        ok &= rental[i + 1] & ~self.locked[i + 1] & ~self.locked[i]
        dst = self.draw.subset(i[ok] + 1, same_building, self.n)
        self._copy_name(dst - 1, dst)

    def minorities(self, share: float) -> np.ndarray:
        cand = np.flatnonzero(~self.family & ~self.locked)
        pick = self.draw.subset(cand, share, self.n)
        self.minority[pick] = True
        self.surname[pick] = ""
        self.given[pick] = _minority_names(self.male[pick], self.rng)
        return pick

    def twins(self, share: float) -> tuple[np.ndarray, np.ndarray]:
        i = np.arange(self.n - 1)
        ok = self.family[i] & (self.pos[i] >= 2) & (self.pos[i] % 2 == 0)
        ok &= self.flat[i] == self.flat[i + 1]
        ok &= ~self.locked[i] & ~self.locked[i + 1]
        a = self.draw.subset(i[ok], share / 2, self.n)
        b = a + 1
        self.male[b] = self.rng.random(len(b)) < 0.5
        for k in b.tolist():  # a different given name of the same shape
            while self.given[k] == self.given[k - 1] or not self.given[k]:
                _s, g = _han_names(self.male[k : k + 1], self.rng)
                self.given[k] = g[0]
        self.twin_of[a], self.twin_of[b] = b, a
        self.locked[a] = self.locked[b] = True
        return a, b


def _sequences(male: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """3-digit sequence numbers whose last digit is odd for men, even for women."""
    n = len(male)
    last = rng.integers(0, 5, size=n) * 2 + male.astype(np.int64)
    return rng.integers(0, 99, size=n) * 10 + last


def _unique_bodies(
    region: np.ndarray,
    ymd: np.ndarray,
    seq: np.ndarray,
    male: np.ndarray,
    twin_a: np.ndarray,
    twin_b: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """17-digit ID bodies (as integers), all different; twins keep consecutive sequences.

    ``region`` and ``ymd`` are integers (340123, 19900101); a clash is
    resolved by drawing a new sequence number for one of the two persons.
    """
    is_b = np.zeros(len(seq), dtype=bool)
    is_b[twin_b] = True
    base = region.astype(np.int64) * 10**11 + ymd.astype(np.int64) * 1000

    def twin_seq() -> None:
        seq[twin_a] = np.minimum(seq[twin_a], 970 + male[twin_a].astype(np.int64))
        step = np.where(male[twin_a] == male[twin_b], 2, 1)
        seq[twin_b] = seq[twin_a] + step

    twin_seq()
    for _ in range(100):
        keys = base + seq
        dup = pd.Series(keys).duplicated(keep="first").to_numpy()
        if not dup.any():
            return keys
        redo = np.flatnonzero(dup)
        # a twin B clashing: move its twin A (and so the pair) instead
        redo = np.where(is_b[redo], redo - 1, redo)
        seq[redo] = _sequences(male[redo], rng)
        twin_seq()
    raise RuntimeError("could not make ID numbers unique")  # pragma: no cover


def _scenarios(spec: StreetSpec, n: int, rng: np.random.Generator) -> np.ndarray:
    shares = spec.scenario_shares()
    counts = {k: round(v * n) for k, v in shares.items() if k != "registered"}
    counts["registered"] = n - sum(counts.values())
    labels = np.concatenate([np.full(counts[k], k, dtype=object) for k in SCENARIOS])
    return rng.permutation(labels)


def make_persons(
    spec: StreetSpec,
    flats: pd.DataFrame,
    person_flat: np.ndarray,
    rng: np.random.Generator,
    provinces: dict[str, float] | None = None,
) -> Columns:
    """Everything true about each person, in person order (= flat order).

    Returned as columns of numpy arrays (object arrays for text), which the
    field and system stages index cheaply; ``generate_street`` makes the
    ``persons`` DataFrame from them. ``provinces`` weighs the provinces whose
    county codes start the ID numbers (default: where migrants come from).
    """
    people = _People(flats, person_flat, rng)
    n = people.n
    people.popular(spec.popular_names)
    people.families()
    people.homonyms(spec.homonyms_same_flat, spec.homonyms_same_building)
    minority = people.minorities(spec.minority)
    twin_a, twin_b = people.twins(spec.twins)

    births = _births(people.head, people.pos, people.family, rng)
    births[twin_b] = births[twin_a]
    regions, p = pick_regions(rng, provinces or MIGRANT_PROVINCES)
    region_idx = rng.choice(len(regions), size=n, p=p)
    xj = region_table()[region_table()["province_code"] == MINORITY_PROVINCE]
    regions = pd.concat([regions, xj], ignore_index=True)
    region_idx[minority] = len(regions) - len(xj) + rng.integers(0, len(xj), size=len(minority))
    fam = people.family
    region_idx[fam] = region_idx[people.head[fam]]
    region_idx[twin_b] = region_idx[twin_a]
    hukou = _hukou(regions, region_idx, rng)
    hukou[fam] = hukou[people.head[fam]]

    iso = iso_dates(births)
    ymd = ymd_ints(births)
    codes = codes_in_use(regions["code"].to_numpy(dtype=object)[region_idx], ymd // 10000)
    region = codes.astype(np.int64)
    seq = _sequences(people.male, rng)
    keys = _unique_bodies(region, ymd, seq, people.male, twin_a, twin_b, rng)
    bodies = obj([f"{k:017d}" for k in keys.tolist()])
    id18 = bodies + obj(check_chars(bodies.tolist()))

    ethnicity = rng.choice(P.ETHNICITIES, size=n, p=P.ETHNICITY_P)
    ethnicity[minority] = "维吾尔族"
    scenario = _scenarios(spec, n, rng)
    scenario[twin_b] = scenario[twin_a]
    legacy = np.full(n, "", dtype=object)
    old = np.flatnonzero(births < _BEFORE_1980)
    pick = people.draw.subset(old, spec.legacy15, len(old))
    legacy[pick] = rng.choice(obj(["system", "field", "both"]), size=len(pick), p=[0.6, 0.15, 0.25])
    id15 = np.full(n, "", dtype=object)
    id15[pick] = obj([b[:6] + b[8:17] for b in bodies[pick].tolist()])

    in_field = np.isin(scenario, FIELD_SCENARIOS)
    active = np.isin(scenario, ACTIVE_SCENARIOS)
    dup = np.zeros(n, dtype=bool)
    dup[people.draw.subset(np.flatnonzero(active), spec.duplicate_system, n)] = True
    twice = np.zeros(n, dtype=bool)
    twice[people.draw.subset(np.flatnonzero(in_field), spec.field_twice, n)] = True

    flat_cols = {
        k: obj(flats[k].to_numpy())[person_flat]
        for k in ("committee", "road", "lane", "number", "room", "village", "group", "address")
    }
    return {
        "person_id": np.arange(n, dtype=np.int64),
        "id18": id18,
        "id15": id15,
        "name": people.surname + people.given,
        "surname": people.surname,
        "sex": obj(np.where(people.male, "男", "女")),
        "birth": iso,
        "ethnicity": ethnicity,
        "committee": flat_cols["committee"],
        "flat_id": person_flat.astype(np.int64),
        **{k: flat_cols[k] for k in ("road", "lane", "number", "room", "village", "group")},
        "address": flat_cols["address"],
        "hukou_address": hukou,
        "phone": _phones(n, rng),
        "scenario": scenario,
        "twin_of": people.twin_of,
        "minority": people.minority,
        "legacy15": legacy,
        "dup_system": dup,
        "field_twice": twice,
    }

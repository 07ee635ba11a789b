"""The public data classes of the sample generator."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import pandas as pd

SCENARIOS = ("registered", "new_arrival", "reregister", "left_active", "left_cancelled", "moved")
"""Scenario of a person (``persons.scenario``), what the two sides hold:

- ``registered``: lives here, one active system record at this flat;
- ``new_arrival``: lives here, nothing in the system (人到机: to enter);
- ``reregister``: lives here, only a cancelled system record (to enter again);
- ``left_active``: left, the system record is still active (机到人: to visit);
- ``left_cancelled``: left, the system record is cancelled (nothing to do);
- ``moved``: moved within the street, the active record holds the old flat.
"""


@dataclass(frozen=True)
class StreetSpec:
    """What street to generate. Every share is a fraction (0.07 = 7 %).

    Scenario shares are shares of persons; ``registered`` is what the others
    leave. Noise rates are shares of field rows (``field_*``) or of system
    rows (``system_*``), applied with exact counts so small streets stay
    close to the spec.
    """

    seed: int = 2024
    committees: int = 8
    residents_per_committee: int = 400

    # scenarios (shares of persons)
    new_arrival: float = 0.07
    reregister: float = 0.01
    left_active: float = 0.08
    left_cancelled: float = 0.03
    moved: float = 0.015
    duplicate_system: float = 0.007  # a second ACTIVE system record
    field_twice: float = 0.01  # written on two field rows
    # of persons: registered ones who arrived just before collection and were
    # entered after it (most within 2 working days; see recon.sample._round)
    entered_after_collection: float = 0.25
    # field rows (a count, not a share) written so that a person must decide:
    # no ID, no birth date, a homophone name or no room (recon.sample._review)
    review_pairs: int = 0

    # persons
    twins: float = 0.005  # persons who have a twin (pairs = half of it)
    minority: float = 0.01  # names with a middle dot
    popular_names: float = 0.10  # drawn from 张伟, 王芳, 李娜, 刘洋 ...
    homonyms_same_flat: float = 0.004  # persons given the name of a flatmate
    homonyms_same_building: float = 0.006  # ... of someone in the same building
    legacy15: float = 0.05  # of persons born before 1980: old 15-digit number in use

    # field noise (shares of field rows)
    field_id_typo: float = 0.015
    field_id_swap: float = 0.005
    field_id_format: float = 0.03  # lowercase x, full-width, spaces, apostrophe
    field_id_missing: float = 0.01
    number_cell: float = 0.02  # sizes the one 居委 whose ID column is numeric
    field_name_homophone: float = 0.01
    field_name_trad: float = 0.01
    field_name_space: float = 0.005
    field_dot_variant: float = 0.6  # of rows with a minority name
    field_address_variant: float = 0.40
    field_sex_slip: float = 0.002

    # system noise (shares of system rows)
    system_id_typo: float = 0.02  # one wrong digit (3/4) or a swap (1/4)
    system_id_sci: float = 0.003  # '3.10112E+17'
    system_name_trad: float = 0.005
    system_name_homophone: float = 0.003
    system_address_short: float = 0.08  # without 上海市闵行区
    pinyin_export: bool = False  # also write a second export with pinyin headers
    pinyin_share: float = 0.15  # share of system rows moved into it

    # the house list (房屋清册) and its truth; off for large benchmark streets
    house_list: bool = True
    house_missing: float = 0.03  # occupied flats the list lacks (shares of occupied flats)
    house_empty: float = 0.04  # listed flats nobody lives in (half 出租, half 空置)
    house_overcrowded: float = 0.03  # rentals of several households in one small room
    house_shop: float = 0.02  # 商铺 / 办公 with people living in it
    house_unmarked_rental: float = 0.03  # unrelated tenants in a flat listed as 自住
    house_no_code: float = 0.06  # listed flats without a 房屋编码

    def __post_init__(self) -> None:
        problems = []
        if self.committees < 1:
            problems.append("committees must be at least 1")
        if self.residents_per_committee < 1:
            problems.append("residents_per_committee must be at least 1")
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, float) and not 0.0 <= value <= 1.0:
                problems.append(f"{f.name} must be between 0 and 1, got {value}")
        if self.review_pairs < 0:
            problems.append("review_pairs must not be negative")
        if self.registered < 0:
            problems.append("scenario shares add up to more than 1")
        if problems:
            raise ValueError("; ".join(problems))

    @property
    def registered(self) -> float:
        """Share of persons present and registered (the rest of the scenarios)."""
        return 1.0 - (
            self.new_arrival + self.reregister + self.left_active + self.left_cancelled + self.moved
        )

    @property
    def persons(self) -> int:
        """Number of true persons generated."""
        return self.committees * self.residents_per_committee

    def scenario_shares(self) -> dict[str, float]:
        """Share of each scenario, in :data:`SCENARIOS` order."""
        return {
            "registered": self.registered,
            "new_arrival": self.new_arrival,
            "reregister": self.reregister,
            "left_active": self.left_active,
            "left_cancelled": self.left_cancelled,
            "moved": self.moved,
        }


@dataclass
class Street:
    """A generated street: the truth and what both sides wrote down.

    ``persons``: one row per true person (``person_id`` is the row position).
    ``field``: one row per field-sheet row, values as the collector wrote
    them, plus ``person_id``, ``flat_id``, ``copy`` and ``noise``.
    ``system``: one row per system-export row, values as the register holds
    them, plus ``person_id``, ``flat_id``, ``active``, ``kind`` and ``noise``.
    ``committees``: one row per 居委 with its template and conventions.
    ``houses``: the house list's rows (``spec.house_list``; else None), the
    columns written plus the dwelling's truth; ``house_truth``: one row per
    dwelling (listed or lived in) with the flags ``recon houses`` should give.
    """

    persons: pd.DataFrame
    field: pd.DataFrame
    system: pd.DataFrame
    committees: pd.DataFrame
    spec: StreetSpec
    houses: pd.DataFrame | None = None
    house_truth: pd.DataFrame | None = None


@dataclass
class SampleFiles:
    """Where :func:`write_street` put things (truth lies outside both inputs)."""

    folder: Path
    field_dir: Path
    system_dir: Path
    truth_path: Path
    field_files: list[Path]
    system_files: list[Path]
    truth_rows: int = 0
    house_list: Path | None = None  # 房屋清册/房屋清册.xlsx, when the street has one
    house_truth: Path | None = None  # 答案/houses_truth.csv


SEPARATION_SCENARIOS = ("still", "back_home", "moved", "gone", "unregistered", "local")
"""Scenario of a local-hukou person in a 人户分离 street (``persons.scenario``):

- ``still``: on the police list, the sweep finds them separated as listed;
- ``back_home``: listed as 户在人不在, the sweep finds them living at their
  hukou flat in the street (no longer separated: to cancel);
- ``moved``: listed, the sweep finds them separated at another residence
  (人在户不在: another flat of the street; 户在人不在: another address
  elsewhere): to update;
- ``gone``: listed, not found by the sweep (机到人: to visit);
- ``unregistered``: separated, found by the sweep, not on the list (to register);
- ``local``: lives at their hukou flat in the street, not listed (nothing to do).
"""
SEPARATION_KINDS = ("人在户不在", "户在人不在", "无")
"""``persons.kind``: the person's separation type as listed (or found, if
unregistered); ``无`` for ``local``. ``back_home`` persons keep 户在人不在."""

_STREET = StreetSpec()


@dataclass(frozen=True)
class SeparationSpec:
    """What 人户分离 street to generate. Every share is a fraction (0.07 = 7 %).

    Persons are local-hukou people tied to a flat of the street. Scenario
    shares are shares of persons; ``local`` is what the others leave.
    ``here`` is the share of 人在户不在 among the separated (by scenario,
    ``back_home`` aside, which is always 户在人不在). Noise rates default to
    :class:`StreetSpec`'s field (``sweep_*``) and system (``list_*``) rates
    and are applied with exact counts.
    """

    seed: int = 2024
    committees: int = 8
    residents_per_committee: int = 300

    # scenarios (shares of persons)
    still: float = 0.55
    back_home: float = 0.08
    moved: float = 0.07
    gone: float = 0.05
    unregistered: float = 0.08
    here: float = 0.6  # 人在户不在 among the separated; the rest 户在人不在

    # persons (as StreetSpec; few minority names among local hukou)
    twins: float = _STREET.twins
    minority: float = 0.003
    popular_names: float = _STREET.popular_names
    homonyms_same_flat: float = _STREET.homonyms_same_flat
    homonyms_same_building: float = _STREET.homonyms_same_building
    legacy15: float = _STREET.legacy15

    # sweep noise (shares of sweep rows)
    sweep_id_typo: float = _STREET.field_id_typo
    sweep_id_swap: float = _STREET.field_id_swap
    sweep_id_format: float = _STREET.field_id_format
    sweep_id_missing: float = _STREET.field_id_missing
    number_cell: float = _STREET.number_cell  # sizes the one 居委 whose ID column is numeric
    sweep_name_homophone: float = _STREET.field_name_homophone
    sweep_name_trad: float = _STREET.field_name_trad
    sweep_name_space: float = _STREET.field_name_space
    sweep_dot_variant: float = _STREET.field_dot_variant  # of rows with a minority name
    sweep_address_variant: float = _STREET.field_address_variant  # 现居住地址 respelt
    sweep_hukou_variant: float = 0.30  # 户籍地址 respelt
    sweep_sex_slip: float = _STREET.field_sex_slip

    # list noise (shares of list rows)
    list_id_typo: float = 0.01  # one wrong digit (3/4) or a swap (1/4)
    list_id_sci: float = _STREET.system_id_sci
    list_name_trad: float = _STREET.system_name_trad
    list_name_homophone: float = _STREET.system_name_homophone
    list_address_short: float = 0.30  # the street's address without 上海市闵行区

    def __post_init__(self) -> None:
        problems = []
        if self.committees < 1:
            problems.append("committees must be at least 1")
        if self.residents_per_committee < 1:
            problems.append("residents_per_committee must be at least 1")
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, float) and not 0.0 <= value <= 1.0:
                problems.append(f"{f.name} must be between 0 and 1, got {value}")
        if self.local < 0:
            problems.append("scenario shares add up to more than 1")
        if problems:
            raise ValueError("; ".join(problems))

    @property
    def local(self) -> float:
        """Share of persons living at their hukou flat, not listed (the rest)."""
        return 1.0 - (self.still + self.back_home + self.moved + self.gone + self.unregistered)

    @property
    def persons(self) -> int:
        """Number of true persons generated."""
        return self.committees * self.residents_per_committee

    def scenario_shares(self) -> dict[str, float]:
        """Share of each scenario, in :data:`SEPARATION_SCENARIOS` order."""
        return {
            "still": self.still,
            "back_home": self.back_home,
            "moved": self.moved,
            "gone": self.gone,
            "unregistered": self.unregistered,
            "local": self.local,
        }

    def street_spec(self) -> StreetSpec:
        """The :class:`StreetSpec` whose persons, field and system machinery is reused."""
        return StreetSpec(
            seed=self.seed,
            committees=self.committees,
            residents_per_committee=self.residents_per_committee,
            twins=self.twins,
            minority=self.minority,
            popular_names=self.popular_names,
            homonyms_same_flat=self.homonyms_same_flat,
            homonyms_same_building=self.homonyms_same_building,
            legacy15=self.legacy15,
            field_id_typo=self.sweep_id_typo,
            field_id_swap=self.sweep_id_swap,
            field_id_format=self.sweep_id_format,
            field_id_missing=self.sweep_id_missing,
            number_cell=self.number_cell,
            field_name_homophone=self.sweep_name_homophone,
            field_name_trad=self.sweep_name_trad,
            field_name_space=self.sweep_name_space,
            field_dot_variant=self.sweep_dot_variant,
            field_address_variant=self.sweep_address_variant,
            field_sex_slip=self.sweep_sex_slip,
            system_id_typo=self.list_id_typo,
            system_id_sci=self.list_id_sci,
            system_name_trad=self.list_name_trad,
            system_name_homophone=self.list_name_homophone,
            system_address_short=self.list_address_short,
        )


@dataclass
class Separation:
    """A generated 人户分离 street: the truth, the sweep and the police list.

    ``persons``: one row per local-hukou person (``person_id`` = position),
    with ``scenario``, ``kind``, the street flat it is tied to (``flat_id``,
    ``committee``, ``address``), the true ``hukou_address`` / ``residence``
    and, if listed, ``list_hukou_address`` / ``list_residence`` (full
    addresses, 上海市…区 in front); the ``*_place`` columns index ``places``
    (-1: none).
    ``places``: every address used, the street's flats first
    (``place_id == flat_id``), then addresses in other districts; ``local``
    is the address without city and district, ``full`` with them.
    ``sweep``: one row per sweep-sheet row, as written, plus ``person_id``,
    ``flat_id`` (where it was written), ``found`` (the type the row shows)
    and ``noise``. ``police_list``: one row per list row, as exported, plus
    ``person_id`` and ``noise``. ``committees``: one row per 居委 with its
    sweep template (``template``) and the ``label`` shown in its file.
    """

    persons: pd.DataFrame
    places: pd.DataFrame
    sweep: pd.DataFrame
    police_list: pd.DataFrame
    committees: pd.DataFrame
    spec: SeparationSpec

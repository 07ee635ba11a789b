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
    """

    persons: pd.DataFrame
    field: pd.DataFrame
    system: pd.DataFrame
    committees: pd.DataFrame
    spec: StreetSpec


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

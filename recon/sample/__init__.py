"""Sample data: a seeded street of 居委 with field sheets, a police export and the truth.

``generate_street(StreetSpec(...))`` builds the street in memory: true
``persons`` with their scenario (registered, new arrival, left ...), the
``field`` rows as collectors wrote them and the ``system`` rows as the
register holds them, each with the noise applied (``noise`` column).
``write_street(street, folder)`` puts it on disk as real-looking workbooks
(or, for benchmarks, flat CSVs) plus ``答案/truth.csv``. With
``StreetSpec.house_list`` (the default) the street also has a house list,
``房屋清册/房屋清册.xlsx``, and ``答案/houses_truth.csv``: every dwelling with the
flags ``recon houses`` should give it.

``generate_separation(SeparationSpec(...))`` builds a street's local-hukou
people for the 人户分离 check: the police ``police_list`` (机到人) and the
door-to-door ``sweep`` (人到机), with each person's scenario and type
(人在户不在 / 户在人不在); ``write_separation(separation, folder)`` writes
one sweep workbook per 居委, the GB18030 list and ``答案/truth.csv``.

The same spec always gives the same street and the same cell values.
"""

from recon.sample._generate import generate_street
from recon.sample._rounds import RoundsSpec, fill_worklist, generate_rounds, write_round
from recon.sample._separation import generate_separation
from recon.sample._spec import (
    SCENARIOS,
    SEPARATION_KINDS,
    SEPARATION_SCENARIOS,
    SampleFiles,
    Separation,
    SeparationSpec,
    Street,
    StreetSpec,
)
from recon.sample._write import write_street
from recon.sample._write_separation import write_separation

__all__ = [
    "SCENARIOS",
    "SEPARATION_KINDS",
    "SEPARATION_SCENARIOS",
    "RoundsSpec",
    "SampleFiles",
    "Separation",
    "SeparationSpec",
    "Street",
    "StreetSpec",
    "fill_worklist",
    "generate_rounds",
    "generate_separation",
    "generate_street",
    "write_round",
    "write_separation",
    "write_street",
]

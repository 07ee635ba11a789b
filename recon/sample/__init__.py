"""Sample data: a seeded street of 居委 with field sheets, a police export and the truth.

``generate_street(StreetSpec(...))`` builds the street in memory: true
``persons`` with their scenario (registered, new arrival, left ...), the
``field`` rows as collectors wrote them and the ``system`` rows as the
register holds them, each with the noise applied (``noise`` column).
``write_street(street, folder)`` puts it on disk as real-looking workbooks
(or, for benchmarks, flat CSVs) plus ``答案/truth.csv``.

The same spec always gives the same street and the same cell values.
"""

from recon.sample._generate import generate_street
from recon.sample._spec import SCENARIOS, SampleFiles, Street, StreetSpec
from recon.sample._write import write_street

__all__ = ["SCENARIOS", "SampleFiles", "Street", "StreetSpec", "generate_street", "write_street"]

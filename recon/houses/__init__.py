"""实有房屋: the house register -- 房屋编码, 查房知人 / 查人知住, and the
dwellings that need a visit (群租, 未入册, 人房不符, 居改非, 出租未登记).

Downstream of a match result, like the audit: ``run_houses(result, lists)``
reads the result's ledger (every person row with its house key) and, when
given, house lists, and writes ``houses.csv``, ``residents.csv`` and
``房屋清册.xlsx``; codes are kept in the street register (``recon.register``).
"""

from recon.houses._build import FLAG_LABELS, FLAGS, dwellings, people_of
from recon.houses._codes import LOCAL_PREFIX, assign_codes
from recon.houses._find import Found, find, outcome_label
from recon.houses._list import HouseList, load_house_list
from recon.houses._run import HouseReport, run_houses

__all__ = [
    "FLAGS",
    "FLAG_LABELS",
    "LOCAL_PREFIX",
    "Found",
    "HouseList",
    "HouseReport",
    "assign_codes",
    "dwellings",
    "find",
    "load_house_list",
    "outcome_label",
    "people_of",
    "run_houses",
]

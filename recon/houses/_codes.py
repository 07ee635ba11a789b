"""房屋编码: a code per dwelling that never changes and is never reused.

Codes live in the street register (``recon.register``). For each dwelling of
a run, in this order:

1. its house key is already in the register: the code it had;
2. the house list gives a code: that code (the city's unified code) -- a
   local code the dwelling had before is kept on record as replaced by it;
3. the same flat is in the register under another spelling of its key (one
   key without the road or village, the same lane/number/room -- see
   ``same_flat``) in the same 居委, and only one such flat: its code;
4. otherwise a new local code ``L`` + 7 digits, numbered by the register,
   never handed out twice.

Every key a dwelling was ever written as stays pointing at its code, so a
re-spelt address keeps its code in every later run.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from recon.normalize.address import same_flat
from recon.register import Register

__all__ = ["LOCAL_PREFIX", "assign_codes"]

LOCAL_PREFIX = "L"


def _new_local(reg: Register) -> str:
    cur = reg.conn.execute("INSERT INTO local_codes(code) VALUES (?)", (f"?{id(reg)}",))
    seq = int(cur.lastrowid or 0)
    code = f"{LOCAL_PREFIX}{seq:07d}"
    reg.conn.execute("UPDATE local_codes SET code = ? WHERE seq = ?", (code, seq))
    return code


def assign_codes(reg: Register, houses: pd.DataFrame, day: dt.date) -> list[str]:
    """A code per row of ``houses`` (house_key, committee, address, list_house_code);
    writes what is new into the register. Call inside ``reg.transaction()``."""
    today = day.isoformat()
    conn = reg.conn
    known = dict(conn.execute("SELECT house_key, code FROM house_keys").fetchall())
    committee_of = dict(conn.execute("SELECT code, committee FROM houses").fetchall())
    # keys by 居委, for the respelling test (step 3)
    by_committee: dict[str, list[tuple[str, str]]] = {}
    for key, code in known.items():
        by_committee.setdefault(committee_of.get(code, ""), []).append((key, code))
    codes: list[str] = []
    for h in houses.itertuples(index=False):
        key, committee = str(h.house_key), str(h.committee)
        listed = str(getattr(h, "list_house_code", "") or "").strip()
        code = known.get(key)
        if listed and code != listed:
            if code is not None:  # the dwelling had a local code: the list's replaces it
                conn.execute("UPDATE houses SET replaced_by = ? WHERE code = ?", (listed, code))
            code = listed
        if code is None:
            similar = {c for k, c in by_committee.get(committee, []) if same_flat(k, key)}
            code = similar.pop() if len(similar) == 1 else None
        if code is None:
            code = _new_local(reg)
        source = "list" if listed and code == listed else "local"
        conn.execute(
            "INSERT INTO houses(code, committee, source, first_seen, last_seen) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(code) DO UPDATE SET last_seen = excluded.last_seen",
            (code, committee, source, today, today),
        )
        conn.execute(
            "INSERT INTO house_keys(house_key, code, address, first_seen, last_seen) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(house_key) DO UPDATE SET "
            "code = excluded.code, last_seen = excluded.last_seen",
            (key, code, str(h.address), today, today),
        )
        known[key] = code
        if code not in committee_of:
            committee_of[code] = committee
            by_committee.setdefault(committee, []).append((key, code))
        codes.append(code)
    return codes

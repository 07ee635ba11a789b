"""``recon find``: 查房知人、查人知住 at the desk.

Given an address in any spelling, the dwelling, its code and everyone
registered or found there; given an ID number or a name, the person's
dwelling(s) and who else lives there. Reads only the result folder (its
ledger, and ``houses.csv`` for the codes when ``recon houses`` has run).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recon.houses._build import resolve_keys
from recon.matchers import OUTCOME_LABELS
from recon.normalize.address import parse_address, same_flat
from recon.normalize.ids import parse_id
from recon.normalize.names import clean_name
from recon.resultdir import HOUSES_CSV, LEDGER, ResultFolder

__all__ = ["Found", "find"]

SIDE_LABELS = {"field": "采集表", "system": "系统"}


@dataclass
class Found:
    text: str
    kind: str  # "address" / "id" / "name"
    houses: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"text": self.text, "kind": self.kind, "houses": self.houses}


def _kind(text: str) -> str:
    info = parse_id(text)
    if info.valid or (text.strip() and sum(ch.isdigit() for ch in text) >= 15):
        return "id"
    parts = parse_address(text).parts
    if any(p in parts for p in ("lane", "number", "building", "room", "group")):
        return "address"
    return "name"


def find(result: Path, texts: list[str]) -> list[Found]:
    """What the result knows of each text (an address, an ID number or a name)."""
    folder = ResultFolder.open(result)
    ledger = folder.table(LEDGER)
    ledger = ledger.assign(house=resolve_keys(ledger["house"], ledger["committee"]))
    codes: dict[str, str] = {}
    addresses: dict[str, str] = {}
    if folder.has(HOUSES_CSV):
        h = folder.table(HOUSES_CSV)
        codes = dict(zip(h["house_key"], h["house_code"], strict=True))
        addresses = dict(zip(h["house_key"], h["address"], strict=True))
    keys = sorted(set(ledger["house"]) - {""})
    out = []
    for text in texts:
        kind = _kind(text)
        if kind == "id":
            info = parse_id(text)
            wanted = info.id if info.valid else text.strip().upper()
            hits = ledger[ledger["id"].astype(str).str.upper().eq(wanted)]
            houses = [k for k in dict.fromkeys(hits["house"]) if k]
        elif kind == "address":
            key = parse_address(text).house_key
            houses = [key] if key in set(keys) else [k for k in keys if same_flat(k, key)]
        else:
            name = clean_name(text)
            hits = ledger[ledger["name"].astype(str).eq(name)]
            houses = [k for k in dict.fromkeys(hits["house"]) if k]
        found = Found(text, kind)
        for key in houses:
            at = ledger[ledger["house"].eq(key)]
            found.houses.append(
                {
                    "house_code": codes.get(key, ""),
                    "house_key": key,
                    "address": addresses.get(key) or key,
                    "committee": str(at["committee"].iloc[0]) if len(at) else "",
                    "people": [
                        {
                            "name": r.name,
                            "id": r.id,
                            "side": r.side,
                            "outcome": r.outcome,
                            "file": r.file,
                            "sheet": r.sheet,
                            "row": int(str(r.row)),
                        }
                        for r in at.itertuples(index=False)
                    ],
                }
            )
        out.append(found)
    return out


def outcome_label(side: str, outcome: str) -> str:
    """What a person's outcome means at the desk, in words."""
    if outcome == "inactive":
        return "已注销"
    label = OUTCOME_LABELS.get(outcome, outcome)
    return f"{SIDE_LABELS.get(side, side)}：{label}"

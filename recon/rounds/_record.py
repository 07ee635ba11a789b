"""Recording a finished run into the street register.

A round is one ``recon match`` run; ``recon results`` runs belong to the
latest round on or before their day. Recording reads the finished result
folder (through :class:`ResultFolder`), never the pipeline, and writes in one
transaction: the same run recorded twice (same inputs, rules and day) is
recognised by its fingerprint and changes nothing.

The person key: ``id:<normalised valid ID>``; a row without a usable ID gets
``fp:<hash of name key and flat key>`` (the content the review decisions'
fingerprints also rest on). ``person_links`` maps every such alias to one
person: a field row without an ID matched to a record takes the record's
person, and keeps it in later rounds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from recon.errors import InputError, Where
from recon.register import Register
from recon.resultdir import LEDGER, VISITS, ResultFolder

__all__ = ["Recorded", "record_houses", "record_match", "record_results", "run_fingerprint"]


@dataclass(frozen=True)
class Recorded:
    """What a recording did: the run id and whether it was new."""

    run_id: int
    new: bool
    rows: int
    kind: str


def run_fingerprint(kind: str, day: dt.date, summary: dict[str, Any]) -> str:
    """Inputs' SHA-256, the rules hash and the day: the same run gives the same print."""
    inputs = sorted(
        f"{i.get('side', '')}:{i.get('file', '')}:{i.get('sha256', '')}"
        for i in summary.get("inputs", [])
    )
    rules = summary.get("rules", {})
    rules_sha = rules.get("sha256", "") if isinstance(rules, dict) else str(rules)
    text = "\n".join([kind, day.isoformat(), rules_sha, *inputs])
    return hashlib.sha256(text.encode()).hexdigest()


def _detail(summary: dict[str, Any], **extra: Any) -> str:
    rules = summary.get("rules", {})
    return json.dumps(
        {
            "inputs": [
                {
                    "side": i.get("side", ""),
                    "file": i.get("file", ""),
                    "sha256": i.get("sha256", ""),
                }
                for i in summary.get("inputs", [])
            ],
            "rules_sha256": rules.get("sha256", "") if isinstance(rules, dict) else "",
            "outcomes": summary.get("outcomes", {}),
            **extra,
        },
        ensure_ascii=False,
    )


# --- person keys -----------------------------------------------------------------------


def _id_keys(ids: pd.Series) -> pd.Series:
    """``id:<normalised ID>`` for valid IDs, else ''. Parsed once per distinct text.

    A "suspect" ID (ending in 000, as a number cell leaves it) is not a key:
    it may be a damaged copy of another person's number.
    """
    from recon.normalize.ids import IdKind, parse_id

    cache: dict[str, str] = {}
    for text in ids.unique():
        info = parse_id(text)
        ok = info.kind in (IdKind.VALID, IdKind.UPGRADED) and info.id
        cache[text] = f"id:{info.id}" if ok else ""
    return ids.map(cache)


def _fp_keys(names: pd.Series, houses: pd.Series) -> pd.Series:
    """``fp:<hash of name key and flat key>`` for rows with a name."""
    from recon.normalize.names import clean_name, name_key

    cache: dict[str, str] = {}
    out = []
    for name, house in zip(names, houses, strict=True):
        if name not in cache:
            cache[name] = simplified_key(name_key(clean_name(name))) if name else ""
        if not cache[name]:
            out.append("")
            continue
        digest = hashlib.sha1(f"{cache[name]}|{house}".encode()).hexdigest()[:16]
        out.append(f"fp:{digest}")
    return pd.Series(out, index=names.index, dtype=object)


def simplified_key(key: str) -> str:
    from recon.normalize.names import simplified

    return simplified(key)


def _aliases(rows: pd.DataFrame) -> pd.Series:
    ids = _id_keys(rows["id"])
    fps = _fp_keys(rows["name"], rows["house"])
    return ids.where(ids != "", fps)


class _Links:
    """The alias -> person map, loaded once and written back at the end."""

    def __init__(self, reg: Register) -> None:
        self.map: dict[str, str] = dict(
            reg.conn.execute("SELECT alias, person FROM person_links").fetchall()
        )
        self.new: dict[str, str] = {}

    def link(self, alias: str, person: str) -> None:
        if alias and alias not in self.map:
            self.map[alias] = person
            self.new[alias] = person

    def save(self, reg: Register) -> None:
        reg.conn.executemany(
            "INSERT OR IGNORE INTO person_links(alias, person) VALUES (?, ?)", self.new.items()
        )


def _persons(rows: pd.DataFrame, links: _Links) -> pd.Series:
    """One person key per row.

    An alias seen before keeps its person. A new alias of a matched row takes
    the person of its partner (the record's person for a field row without
    an ID); otherwise it is its own person.
    """
    alias = _aliases(rows).tolist()
    where = {
        (side, f, s, r): i
        for i, (side, f, s, r) in enumerate(
            zip(rows["side"], rows["file"], rows["sheet"], rows["row"], strict=True)
        )
    }
    partner = [-1] * len(rows)
    for i, (side, outcome, f, s, r) in enumerate(
        zip(
            rows["side"],
            rows["outcome"],
            rows["partner_file"],
            rows["partner_sheet"],
            rows["partner_row"],
            strict=True,
        )
    ):
        if outcome == "matched" and f:
            other = "system" if side == "field" else "field"
            partner[i] = where.get((other, f, s, r), -1)
    person = [""] * len(rows)
    # system rows first: a pair's person is the record's unless the field
    # row's alias is the one already known
    order = sorted(range(len(rows)), key=lambda i: rows["side"].iat[i] != "system")
    for i in order:
        a, j = alias[i], partner[i]
        if a in links.map:
            own = links.map[a]
        elif j >= 0 and person[j]:
            own = person[j]
        elif j >= 0 and alias[j] in links.map:
            own = links.map[alias[j]]
        else:
            own = a
        person[i] = own
        links.link(a, own)
    return pd.Series(person, index=rows.index, dtype=object)


# --- recording -------------------------------------------------------------------------

_ROW_COLUMNS = ["side", "file", "sheet", "row", "committee", "outcome", "name", "id", "house"]


def _ledger(folder: ResultFolder) -> pd.DataFrame:
    rows = folder.table(LEDGER).fillna("")
    for col in [
        *_ROW_COLUMNS,
        "partner_file",
        "partner_sheet",
        "partner_row",
        "registered_on",
        "cancelled_on",
    ]:
        if col not in rows:
            rows[col] = ""
        rows[col] = rows[col].astype(str)
    return rows


def record_match(reg: Register, folder: ResultFolder, day: dt.date) -> Recorded:
    """Record a ``recon match`` result folder as the round of ``day``."""
    summary = folder.summary
    fingerprint = run_fingerprint("match", day, summary)
    known = reg.run_recorded(fingerprint)
    if known is not None:
        return Recorded(known, False, 0, "match")
    rows = _ledger(folder)
    differences = folder.table("differences", required=False).fillna("")
    with reg.transaction() as conn:
        run_id = reg.add_run("match", day, fingerprint, _detail(summary, rows=len(rows)))
        links = _Links(reg)
        usable = rows["outcome"] != "unusable"
        persons = pd.Series("", index=rows.index, dtype=object)
        persons[usable] = _persons(rows[usable].reset_index(drop=True), links).to_numpy()
        active = (rows["side"] == "system") & ~rows["outcome"].isin(["inactive", "unusable"])
        conn.executemany(
            "INSERT INTO person_rows(run_id, side, file, sheet, row, person, committee, outcome,"
            " active, name, id, house, registered_on, cancelled_on)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    run_id,
                    r.side,
                    r.file,
                    r.sheet,
                    int(str(r.row)),
                    p,
                    r.committee,
                    r.outcome,
                    int(a),
                    r.name,
                    r.id,
                    r.house,
                    r.registered_on,
                    r.cancelled_on,
                )
                for r, p, a in zip(
                    rows.itertuples(index=False), persons, active.to_numpy(), strict=True
                )
            ],
        )
        _record_differences(conn, run_id, rows, persons, differences)
        links.save(reg)
    return Recorded(run_id, True, len(rows), "match")


def _record_differences(
    conn: Any, run_id: int, rows: pd.DataFrame, persons: pd.Series, diff: pd.DataFrame
) -> None:
    if not len(diff):
        return
    at = {
        ("field", f, s, r): p
        for f, s, r, p in zip(rows["file"], rows["sheet"], rows["row"], persons, strict=True)
    }
    values = []
    for d in diff.itertuples(index=False):
        key = ("field", str(d.field_file), str(d.field_sheet), str(d.field_row))
        person = at.get(key, "")
        if not person:
            continue
        digest = hashlib.sha1(f"{d.system_value}|{d.field_value}".encode()).hexdigest()[:16]
        values.append((run_id, person, str(d.item), digest))
    conn.executemany(
        "INSERT OR IGNORE INTO person_differences(run_id, person, item, digest)"
        " VALUES (?, ?, ?, ?)",
        values,
    )


def round_of(reg: Register, day: dt.date) -> int | None:
    """The round (match run) a run of ``day`` belongs to: the latest on or before it."""
    row = reg.conn.execute(
        "SELECT run_id FROM runs WHERE kind = 'match' AND day <= ? ORDER BY day DESC, run_id DESC",
        (day.isoformat(),),
    ).fetchone()
    return None if row is None else int(row[0])


def _round_of_match_folder(reg: Register, summary: dict[str, Any], day: dt.date) -> int | None:
    """The round recorded from the match folder the results were read against
    (same input files), if it was recorded on or before ``day``."""
    folder = summary.get("match_folder")
    if not folder:
        return None
    try:
        match = ResultFolder.open(folder, "match").summary
    except InputError:
        return None  # moved or deleted since: fall back to the day
    wanted = sorted(str(i.get("sha256", "")) for i in match.get("inputs", []))
    rows = reg.conn.execute(
        "SELECT run_id, detail FROM runs WHERE kind = 'match' AND day <= ?"
        " ORDER BY day DESC, run_id DESC",
        (day.isoformat(),),
    ).fetchall()
    for run_id, detail in rows:
        inputs = json.loads(detail).get("inputs", [])
        if sorted(str(i.get("sha256", "")) for i in inputs) == wanted:
            return int(run_id)
    return None


def record_results(reg: Register, folder: ResultFolder, day: dt.date) -> Recorded:
    """Record a ``recon results`` folder: each visit result, for its person."""
    summary = folder.summary
    fingerprint = run_fingerprint("results", day, summary)
    known = reg.run_recorded(fingerprint)
    if known is not None:
        return Recorded(known, False, 0, "results")
    round_id = _round_of_match_folder(reg, summary, day) or round_of(reg, day)
    if round_id is None:
        raise InputError(
            "登记库中还没有这一天或之前的核对（recon match）记录，核查结果无法归入某一轮",
            Where(file=str(reg.path)),
            "请先用同一个 --register 记录 recon match，或检查 --date 是否写对",
        )
    visits = folder.table(VISITS, required=False).fillna("").astype(str)
    system = {
        (f, s, str(r)): (p, c)
        for f, s, r, p, c in reg.conn.execute(
            "SELECT file, sheet, row, person, committee FROM person_rows"
            " WHERE run_id = ? AND side = 'system'",
            (round_id,),
        )
    }
    values = []
    for v in visits.itertuples(index=False):
        person, committee = system.get(
            (str(v.system_file), str(v.system_sheet), str(v.system_row)), ("", str(v.committee))
        )
        values.append(
            (
                round_id,
                person,
                committee or v.committee,
                v.outcome,
                v.file,
                v.sheet,
                _int(str(v.row)),
                v.system_file,
                v.system_sheet,
                _int(str(v.system_row)),
            )
        )
    with reg.transaction() as conn:
        run_id = reg.add_run(
            "results", day, fingerprint, _detail(summary, visits=len(values), round=round_id)
        )
        conn.executemany(
            "INSERT INTO visit_results(run_id, round_id, person, committee, outcome, file, sheet,"
            " row, system_file, system_sheet, system_row) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(run_id, *v) for v in values],
        )
    return Recorded(run_id, True, len(values), "results")


def _int(text: str) -> int | None:
    try:
        return int(float(text))
    except ValueError:
        return None


def record_houses(
    reg: Register, folder: ResultFolder, day: dt.date, files: list[Path], counts: dict[str, int]
) -> Recorded:
    """Record a ``recon houses`` run (inside the caller's transaction): the match
    folder's inputs plus the house lists and filled forms read, the day, counts.
    The house codes themselves are kept by the houses package."""
    from recon.loaders import file_sha256

    summary = dict(folder.summary)
    summary["inputs"] = [
        *summary.get("inputs", []),
        *({"side": "houses", "file": f.name, "sha256": file_sha256(f)} for f in files),
    ]
    fingerprint = run_fingerprint("houses", day, summary)
    known = reg.run_recorded(fingerprint)
    if known is not None:
        return Recorded(known, False, 0, "houses")
    run_id = reg.add_run("houses", day, fingerprint, _detail(summary, **counts))
    return Recorded(run_id, True, int(sum(counts.values())), "houses")

"""The files of a ``recon match`` run: CSVs of the contract and 核对结果.xlsx.

Writers take data and a destination, nothing else: they never re-read an
input file. Machine-readable CSVs carry the contract's columns first; the
workbook is for people, in Chinese, with walking order for visits.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from recon.csvio import BackgroundWriter, frame_table, guarded
from recon.matchers import METHOD_LABELS, MatchResult, Outcome, fingerprints
from recon.normalize.address import walk_order
from recon.resultdir import LEDGER, MATCH_TABLES, WORKBOOK
from recon.writers._xlsx import Col, WorkbookWriter

if TYPE_CHECKING:
    from recon.modes import Mode

__all__ = [
    "build_ledger",
    "build_tables",
    "csv_view",
    "write_differences_sheet",
    "write_ledger",
    "write_match_files",
    "write_resident_sheets",
]
# Sheets larger than this are left to their CSV file: a sheet of a million
# rows helps nobody and costs a minute to write. The matched list is for
# reference only, so it moves to CSV first.
MAX_SHEET_ROWS = 200_000
MAX_MATCHED_ROWS = 50_000

_PERSON = ["committee", "name", "sex", "id_show", "birth", "address", "hukou_address", "phone"]


class _Text:
    """One side's record columns as text ('' for a missing column or value),
    each column converted once however many tables take rows from it."""

    def __init__(self, records: pd.DataFrame) -> None:
        self.records = records
        self._done: dict[str, np.ndarray] = {}

    def __call__(self, name: str, idx: np.ndarray | None = None) -> np.ndarray:
        values = self._done.get(name)
        if values is None:
            if name not in self.records:
                values = np.full(len(self.records), "", dtype=object)
            else:
                values = self.records[name].to_numpy(dtype=object)
                missing = pd.isna(values)
                if missing.any():
                    values = np.where(missing, "", values)
            self._done[name] = values
        return values if idx is None else values[idx]


def _texts(records: pd.DataFrame | _Text) -> _Text:
    return records if isinstance(records, _Text) else _Text(records)


def _people(
    records: pd.DataFrame | _Text,
    idx: np.ndarray,
    prefix: str,
    fields: Collection[str] | None = None,
) -> pd.DataFrame:
    """Provenance and the person fields of rows ``idx``, columns prefixed
    (``fields``: only these of them, besides the provenance)."""
    text = _texts(records)
    frame = text.records

    def sex() -> np.ndarray:
        own = text("sex", idx)
        return np.where(own != "", own, text("id_sex", idx))

    def id_show() -> np.ndarray:
        valid = frame["id_valid"].to_numpy(dtype=bool)[idx]
        return np.where(valid, text("id", idx), text("id_number", idx))

    made: dict[str, Callable[[], np.ndarray]] = {
        "file": lambda: text("file", idx),
        "sheet": lambda: text("sheet", idx),
        "committee": lambda: text("committee", idx),
        "name": lambda: text("name", idx),
        "sex": sex,
        "id_show": id_show,
        "birth": lambda: text("birth", idx),
        "address": lambda: text("address", idx),
        "hukou_address": lambda: text("hukou_address", idx),
        "phone": lambda: text("phone", idx),
        "record_key": lambda: text("record_key", idx),
        # made once by the loader; carried so that nothing downstream
        # normalises the address again (worklists, houses)
        "house_key": lambda: text("addr_key", idx),
        "building": lambda: text("addr_building", idx),
    }
    wanted = [k for k in made if fields is None or k in fields or k in ("file", "sheet")]
    # one block per column, as made: no copy of a million rows into one block
    out = pd.DataFrame(
        {prefix + k: pd.Series(made[k](), dtype=object, copy=False) for k in wanted},
        copy=False,
    )
    out.insert(2, prefix + "row", frame["row"].to_numpy(dtype=np.int64)[idx])
    return out


def _walk_order(frame: pd.DataFrame, committee: str, house_keys: np.ndarray) -> pd.DataFrame:
    """Rows in the order a person walks: 居委, road, lane, building, room."""
    if frame.empty:
        return frame
    keys = pd.Series(house_keys, dtype=object)
    order = walk_order(keys, pd.Series(frame[committee].to_numpy(), dtype=object))
    return frame.iloc[order].reset_index(drop=True)


# The person fields of each side the matches table carries (besides file,
# sheet and row): matches.csv, the 已匹配 sheet and the 人户分离 pair sheets.
_MATCH_FIELDS = {
    "field": ("committee", "name", "address", "hukou_address"),
    "system": ("name", "sex", "id_show", "address", "hukou_address"),
}


def _sorted_pairs(result: MatchResult) -> pd.DataFrame:
    """The pairs in the order of matches.csv: by field row (each field row is
    in one pair at most)."""
    wanted = [c for c in ("f", "s", "method", "score", "reason") if c in result.pairs]
    return result.pairs[wanted].sort_values(["f"]).reset_index(drop=True)


def build_tables(
    result: MatchResult,
    field_problems: pd.DataFrame,
    system_problems: pd.DataFrame | None = None,
    mode: Mode | None = None,
) -> dict[str, pd.DataFrame]:
    """The frames behind every CSV file and sheet of a run (``mode`` names the
    record columns its register adds to them)."""
    pair_cols = mode.pair_columns if mode else ()
    field_only_cols = mode.field_only_columns if mode else ()
    system_only_cols = mode.system_only_columns if mode else ()
    F, S = result.field, result.system
    tF, tS = _Text(F), _Text(S)
    review = result.review
    t: dict[str, pd.DataFrame] = {}

    p = _sorted_pairs(result)
    # a million pairs: only what the CSV file and the sheets show of them
    left = _people(tF, p["f"].to_numpy(dtype=np.int64), "field_", _MATCH_FIELDS["field"])
    right = _people(tS, p["s"].to_numpy(dtype=np.int64), "system_", _MATCH_FIELDS["system"])
    m = pd.concat([left, right], axis=1)
    # plain objects: a million rows are not converted to another string type
    method = pd.Series(p["method"].to_numpy(dtype=object), dtype=object)
    m["method"] = method
    m["score"] = p["score"].to_numpy(dtype=float).round(1)
    m["reason"] = pd.Series(p["reason"].to_numpy(dtype=object), dtype=object)
    codes, methods = pd.factorize(method)  # a few methods, a million pairs
    labels = pd.Series(methods, dtype=object).map(METHOD_LABELS).to_numpy(dtype=object)
    labels = np.append(labels, np.nan)  # a missing method (code -1) has no label
    label = labels[codes]
    m["method_label"] = pd.Series(label, dtype=object)
    fi = p["f"].to_numpy(dtype=np.int64)
    for col in pair_cols:  # e.g. 人户分离: what the sweep says about each listed person
        m[col] = F[col].to_numpy(dtype=object)[fi]
    t["matches"] = m

    fo = np.flatnonzero(F["outcome"].eq(Outcome.FIELD_ONLY).to_numpy())
    fo_frame = _people(tF, fo, "field_")
    fo_frame["note"] = F["note"].to_numpy()[fo]
    fo_frame["id_problems"] = F["id_problems"].to_numpy()[fo]
    for col in field_only_cols:
        fo_frame[col] = F[col].to_numpy(dtype=object)[fo]
    f_keys = F["addr_key"].to_numpy(dtype=object)[fo]
    t["field_only"] = _walk_order(fo_frame, "field_committee", f_keys)

    so = np.flatnonzero(S["outcome"].eq(Outcome.SYSTEM_ONLY).to_numpy())
    so_frame = _people(tS, so, "system_")
    so_frame["registered_on"] = S["registered_on"].to_numpy()[so] if "registered_on" in S else ""
    so_frame["note"] = S["note"].to_numpy()[so]
    for col in system_only_cols:
        so_frame[col] = S[col].to_numpy(dtype=object)[so]
    s_keys = S["addr_key"].to_numpy(dtype=object)[so]
    t["system_only"] = _walk_order(so_frame, "system_committee", s_keys)

    r = review.sort_values(["f", "score"], ascending=[True, False]).reset_index(drop=True)
    rf, rs = r["f"].to_numpy(dtype=np.int64), r["s"].to_numpy(dtype=np.int64)
    rl = _people(tF, rf, "field_")
    rr = _people(tS, rs, "system_")
    rv = pd.concat([rl, rr], axis=1)
    rv["method"] = "review"
    rv["score"] = r["score"].to_numpy(dtype=float).round(1)
    rv["reason"] = r["reason"].to_numpy()
    rv.insert(0, "pair", np.arange(1, len(rv) + 1))
    # content fingerprints: a decision on this pair still applies when the
    # files are re-exported and rows have moved (recon match --decisions)
    # (of the listed rows only: a fingerprint depends on its own record alone)
    rv["field_fp"] = fingerprints(F.iloc[rf]) if len(r) else []
    rv["system_fp"] = fingerprints(S.iloc[rs]) if len(r) else []
    t["review"] = rv

    t["duplicates"] = _duplicates(tF, tS)
    t["differences"] = _differences(result, tF, tS)
    dup_problems = t["duplicates"][["side", "file", "sheet", "row"]].assign(
        column="", problem="重复：" + t["duplicates"]["note"].astype(str)
    )
    found = [field_problems, system_problems, dup_problems]
    t["problems"] = pd.concat([p for p in found if p is not None], ignore_index=True)
    return t


def _duplicates(tF: _Text, tS: _Text) -> pd.DataFrame:
    parts = []
    F, S = tF.records, tS.records
    for side, frame, text in (("field", F, tF), ("system", S, tS)):
        idx = np.flatnonzero(frame["outcome"].eq(Outcome.DUPLICATE).to_numpy())
        if not len(idx):
            continue
        rows = _people(text, idx, "")
        rows.insert(0, "side", side)
        dup = frame["dup_of"].to_numpy(dtype=np.int64)[idx]
        dside = frame["dup_side"].to_numpy(dtype=object)[idx]
        of_file = np.full(len(idx), "", dtype=object)
        of_sheet = np.full(len(idx), "", dtype=object)
        of_row = np.zeros(len(idx), dtype=np.int64)
        for target_side, target in (("field", F), ("system", S)):
            hit = (dside == target_side) & (dup >= 0)
            at = dup[hit]
            of_file[hit] = target["file"].to_numpy(dtype=object)[at]
            of_sheet[hit] = target["sheet"].to_numpy(dtype=object)[at]
            of_row[hit] = target["row"].to_numpy(dtype=np.int64)[at]
        rows["duplicate_of_side"] = pd.Series(dside, dtype=object)
        rows["duplicate_of_file"] = pd.Series(of_file, dtype=object)
        rows["duplicate_of_sheet"] = pd.Series(of_sheet, dtype=object)
        rows["duplicate_of_row"] = of_row
        rows["note"] = frame["note"].to_numpy()[idx]
        parts.append(rows)
    if not parts:
        return pd.DataFrame(
            columns=[
                "side",
                "file",
                "sheet",
                "row",
                "committee",
                "name",
                "sex",
                "id_show",
                "note",
                "duplicate_of_side",
                "duplicate_of_file",
                "duplicate_of_sheet",
                "duplicate_of_row",
            ]
        )
    return pd.concat(parts, ignore_index=True)


def _differences(result: MatchResult, tF: _Text, tS: _Text) -> pd.DataFrame:
    d = result.differences
    if d.empty:
        return pd.DataFrame(
            columns=[
                "field_file",
                "field_sheet",
                "field_row",
                "system_file",
                "system_sheet",
                "system_row",
                "committee",
                "name",
                "id",
                "item",
                "system_value",
                "field_value",
                "note",
            ]
        )
    left = _people(tF, d["f"].to_numpy(dtype=np.int64), "field_")
    right = _people(tS, d["s"].to_numpy(dtype=np.int64), "system_")
    out = pd.concat(
        [
            left[["field_file", "field_sheet", "field_row"]],
            right[["system_file", "system_sheet", "system_row"]],
        ],
        axis=1,
    )
    out["committee"] = left["field_committee"]
    out["name"] = right["system_name"]
    # the right number: the system's, unless the system holds a mistyped one
    field_ok = result.field["id_valid"].to_numpy(dtype=bool)[d["f"].to_numpy(dtype=np.int64)]
    out["id"] = np.where(field_ok, left["field_id_show"], right["system_id_show"])
    out["item"] = d["item"].to_numpy()
    out["system_value"] = d["system_value"].to_numpy()
    out["field_value"] = d["field_value"].to_numpy()
    out["note"] = d["note"].to_numpy()
    return out


# --- CSV files -----------------------------------------------------------------

_CSV_COLUMNS = {
    "matches": [
        "field_file",
        "field_sheet",
        "field_row",
        "system_file",
        "system_sheet",
        "system_row",
        "method",
        "score",
        "reason",
        "field_committee",
        "field_name",
        "system_name",
        "system_id_show",
        "field_address",
        "system_address",
        "separation",
        "sep_type",
        "field_hukou_address",
        "system_hukou_address",
    ],
    "field_only": [
        "field_file",
        "field_sheet",
        "field_row",
        "field_committee",
        "field_name",
        "field_sex",
        "field_id_show",
        "field_birth",
        "field_address",
        "field_hukou_address",
        "field_phone",
        "note",
        "id_problems",
        "separation",
        "sep_type",
        "form",
        "field_house_key",
        "field_building",
    ],
    "system_only": [
        "system_file",
        "system_sheet",
        "system_row",
        "system_committee",
        "system_name",
        "system_sex",
        "system_id_show",
        "system_birth",
        "system_address",
        "system_hukou_address",
        "registered_on",
        "system_phone",
        "system_record_key",
        "sep_type",
        "system_house_key",
        "system_building",
    ],
    "review": [
        "field_file",
        "field_sheet",
        "field_row",
        "system_file",
        "system_sheet",
        "system_row",
        "method",
        "score",
        "reason",
        "pair",
        "field_name",
        "system_name",
        "field_id_show",
        "system_id_show",
        "field_address",
        "system_address",
        "field_sex",
        "system_sex",
        "field_birth",
        "system_birth",
        "field_fp",
        "system_fp",
    ],
    "duplicates": [
        "side",
        "file",
        "sheet",
        "row",
        "duplicate_of_side",
        "duplicate_of_file",
        "duplicate_of_sheet",
        "duplicate_of_row",
        "note",
        "committee",
        "name",
        "id_show",
    ],
    "problems": ["side", "file", "sheet", "row", "column", "problem"],
    "differences": [
        "field_file",
        "field_sheet",
        "field_row",
        "system_file",
        "system_sheet",
        "system_row",
        "item",
        "system_value",
        "field_value",
        "note",
        "committee",
        "name",
        "id",
    ],
}
_CSV_RENAME = {"field_id_show": "field_id", "system_id_show": "system_id", "id_show": "id"}


def csv_view(frame: pd.DataFrame) -> pd.DataFrame:
    """A table with the column names its CSV file has (what other steps read)."""
    return frame.rename(columns=_CSV_RENAME)


# matches.csv carries the hukou addresses only in the 人户分离 mode, where they matter
_SEPARATION_ONLY = {"field_hukou_address", "system_hukou_address"}


def _write_csvs(
    tables: dict[str, pd.DataFrame],
    out: Path,
    hukou_in_matches: bool,
    writer: BackgroundWriter,
    pairs: pd.DataFrame | None = None,
    result: MatchResult | None = None,
) -> None:
    """Every CSV file of MATCH_TABLES; with the sorted ``pairs`` and the
    ``result``, matches.csv is taken from the records' text by position
    rather than converted from its frame."""
    for key, name in MATCH_TABLES.items():
        frame = tables[key]
        cols = [c for c in _CSV_COLUMNS[key] if c in frame.columns]
        if key == "matches" and not hukou_in_matches:
            cols = [c for c in cols if c not in _SEPARATION_ONLY]
        if key == "matches" and pairs is not None and result is not None:
            for part in _matches_parts(frame, cols, pairs, result):
                writer.part(out / name, guarded(part))
            writer.end(out / name)
        else:
            writer.write(out / name, frame_table(frame[cols].rename(columns=_CSV_RENAME)))


# --- the ledger: every input row and its outcome --------------------------------

LEDGER_DATES = ("collected_on", "arrived_on", "registered_on", "cancelled_on")
# rows of matches.csv and rows.csv made (and held) at a time
PART_ROWS = 200_000


def _arrow_text(frame: pd.DataFrame, col: str, rows: slice = slice(None)) -> pa.Array:
    """Column ``col`` of ``frame`` (its ``rows``) as Arrow text ('' for a
    missing column or value)."""
    if col not in frame:
        return pa.nulls(len(range(len(frame))[rows]), pa.string()).fill_null("")
    column = frame[col]
    if isinstance(column.dtype, pd.CategoricalDtype):  # few values: each converted once
        names = np.asarray(column.cat.categories, dtype=object)
        codes = column.cat.codes.to_numpy()[rows]
        with contextlib.suppress(pa.ArrowInvalid, pa.ArrowTypeError):  # else as below
            words = pa.array(names, type=pa.string(), from_pandas=True)
            return pc.take(words, pa.array(codes, mask=codes < 0)).fill_null("")
    values = column.to_numpy(dtype=object)[rows]
    try:  # text columns: straight to arrow, in C
        text = pa.array(values, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # something not text in it
        blank = pd.isna(values)
        shown = pd.Series(np.where(blank, "", values), dtype=object).astype(str)
        text = pa.array(shown.tolist(), type=pa.string())
    return text.fill_null("")


def _shown(frame: pd.DataFrame, name: str, rows: slice = slice(None)) -> pa.Array:
    """A record column as the tables show it: the ID as typed when it is not
    valid, the sex as written else as the ID says; any other as it is."""
    if name == "id_show":
        valid = pa.array(frame["id_valid"].to_numpy(dtype=bool)[rows])
        return pc.if_else(
            valid, _arrow_text(frame, "id", rows), _arrow_text(frame, "id_number", rows)
        )
    if name == "sex_show":
        sex = _arrow_text(frame, "sex", rows)
        return pc.if_else(pc.not_equal(sex, ""), sex, _arrow_text(frame, "id_sex", rows))
    return _arrow_text(frame, name, rows)


# what the person columns of the tables are made of, in record columns
_SOURCE = {"sex": "sex_show", "id_show": "id_show"}


def _matches_parts(
    matches: pd.DataFrame, cols: list[str], pairs: pd.DataFrame, result: MatchResult
) -> Iterator[pa.Table]:
    """matches.csv as Arrow tables of PART_ROWS rows: each side's columns
    converted whole once (in the records' order, which is quick) and taken by
    position; the pair's own columns (method, score, reason ...) converted
    from the frame."""
    sides = {"field_": result.field, "system_": result.system}
    at = {
        "field_": pa.array(pairs["f"].to_numpy(dtype=np.int64)),
        "system_": pa.array(pairs["s"].to_numpy(dtype=np.int64)),
    }
    whole: dict[str, pa.Array] = {}  # a side's column, all its records
    own: dict[str, pa.Array] = {}  # a column of the pairs
    for col in cols:
        prefix = "field_" if col.startswith("field_") else "system_"
        field = col.removeprefix(prefix)
        if col.startswith(prefix) and field in _MATCH_FIELDS[prefix[:-1]] + ("file", "sheet"):
            whole[col] = _shown(sides[prefix], _SOURCE.get(field, field))
        else:
            own[col] = frame_table(matches[[col]]).column(0).combine_chunks()
    names = [_CSV_RENAME.get(c, c) for c in cols]
    for first in range(0, max(len(matches), 1), PART_ROWS):
        rows = slice(first, first + PART_ROWS)
        part = [
            own[col][rows]
            if col in own
            else whole[col].take(at["field_" if col.startswith("field_") else "system_"][rows])
            for col in cols
        ]
        yield pa.table(part, names=names)


def _ledger_parts(result: MatchResult) -> Iterator[pa.Table]:
    """The ledger of each side in turn, PART_ROWS rows at a time, as Arrow
    tables: two million rows are never all in memory as text."""
    sides = (
        ("field", result.field, result.system, "f", "s"),
        ("system", result.system, result.field, "s", "f"),
    )
    partners = []
    for _side, mine, _other, me, them in sides:
        partner = np.full(len(mine), -1, dtype=np.int64)
        partner[result.pairs[me].to_numpy(dtype=np.int64)] = result.pairs[them].to_numpy(
            dtype=np.int64
        )
        partners.append(partner)
    # a partner's row is a number when every row has one, else text (blank
    # for none), as a frame column of the two would have it
    numeric_partner = all((p >= 0).all() for p in partners)
    for (side, mine, other, _me, _them), partner in zip(sides, partners, strict=True):
        # the partner's place: few distinct files and sheets, converted whole
        places = {c: _arrow_text(other, c) for c in ("file", "sheet")} if len(other) else {}
        other_rows = other["row"].to_numpy(dtype=np.int64)
        for first in range(0, max(len(mine), 1), PART_ROWS):  # (an empty side: its header)
            rows = slice(first, first + PART_ROWS)
            yield _ledger_part(side, mine, rows, partner[rows], places, other_rows, numeric_partner)


def _ledger_part(
    side: str,
    mine: pd.DataFrame,
    rows: slice,
    partner: np.ndarray,
    places: dict[str, pa.Array],
    other_rows: np.ndarray,
    numeric_partner: bool,
) -> pa.Table:
    n = len(partner)
    has = pa.array(partner >= 0)
    at = pa.array(np.where(partner >= 0, partner, 0))
    blank = pa.repeat(pa.scalar("", pa.string()), n)

    def theirs(col: str) -> pa.Array:
        return pc.if_else(has, places[col].take(at), blank) if places else blank

    if numeric_partner:
        partner_row = pa.array(other_rows[partner] if len(other_rows) else partner)
    elif len(other_rows):
        taken = pa.array(other_rows).take(at)
        partner_row = pc.if_else(has, pc.cast(taken, pa.string()), blank)
    else:
        partner_row = blank
    columns = {
        "side": pa.repeat(pa.scalar(side, pa.string()), n),
        "file": _arrow_text(mine, "file", rows),
        "sheet": _arrow_text(mine, "sheet", rows),
        "row": pa.array(mine["row"].to_numpy(dtype=np.int64)[rows]),
        "committee": _arrow_text(mine, "committee", rows),
        "outcome": _arrow_text(mine, "outcome", rows),
        "partner_file": theirs("file"),
        "partner_sheet": theirs("sheet"),
        "partner_row": partner_row,
        "house": _arrow_text(mine, "addr_key", rows),
        # who the row is, for the house register (查人知住) and its flags
        "building": _arrow_text(mine, "addr_building", rows),
        "name": _arrow_text(mine, "name", rows),
        "id": _shown(mine, "id_show", rows),
        "sex": _shown(mine, "sex_show", rows),
        "address": _arrow_text(mine, "address", rows),
        "hukou_address": _arrow_text(mine, "hukou_address", rows),
        "missing": _arrow_text(mine, "missing", rows),
        "findings": _arrow_text(mine, "findings", rows),
        **{d: _arrow_text(mine, d, rows) for d in LEDGER_DATES},
    }
    return pa.table(columns)


def build_ledger(result: MatchResult) -> pd.DataFrame:
    """One line per input data row of both sides: where it is, its 居委, its
    outcome, its matched partner, its house key and who it is, what it lacks
    and what is wrong with it, and its dates -- what audits, progress reports
    and the house register count."""
    return pa.concat_tables(list(_ledger_parts(result))).to_pandas()


def write_ledger(result: MatchResult, out: Path) -> int:
    """``rows.csv``; returns its number of rows."""
    with BackgroundWriter() as writer:
        _write_ledger(result, out, writer)
    return len(result.field) + len(result.system)


def _write_ledger(result: MatchResult, out: Path, writer: BackgroundWriter) -> None:
    """rows.csv, one part written while the next is made."""
    for part in _ledger_parts(result):
        writer.part(out / LEDGER, guarded(part))
    writer.end(out / LEDGER)


# --- the workbook --------------------------------------------------------------

_SIDE = {"field": "采集表", "system": "系统", "decisions": "待人工确认单"}


def where_text(frame: pd.DataFrame, prefix: str) -> pd.Series:
    sheet = frame[prefix + "sheet"].astype(str)
    return (
        frame[prefix + "file"].astype(str)
        + np.where(sheet.ne(""), "／" + sheet, "")
        + " 第"
        + frame[prefix + "row"].astype(str)
        + "行"
    )


def _overview(result: MatchResult) -> pd.DataFrame:
    F, S = result.field, result.system
    fc = F.groupby(["committee", "outcome"]).size().unstack(fill_value=0)
    sc = S.groupby(["committee", "outcome"]).size().unstack(fill_value=0)
    committees = sorted(set(fc.index) | set(sc.index), key=lambda c: (c == "", c))
    rows = []
    for c in committees:
        f = fc.loc[c] if c in fc.index else pd.Series(dtype=int)
        s = sc.loc[c] if c in sc.index else pd.Series(dtype=int)
        rows.append(
            {
                "committee": c or "（未识别居委）",
                "field_rows": int(f.sum()),
                "matched": int(f.get(Outcome.MATCHED, 0)),
                "field_only": int(f.get(Outcome.FIELD_ONLY, 0)),
                "field_review": int(f.get(Outcome.REVIEW, 0)),
                "field_dup": int(f.get(Outcome.DUPLICATE, 0)),
                "field_unusable": int(f.get(Outcome.UNUSABLE, 0)),
                "system_rows": int(s.sum()),
                "system_matched": int(s.get(Outcome.MATCHED, 0)),
                "system_only": int(s.get(Outcome.SYSTEM_ONLY, 0)),
                "system_review": int(s.get(Outcome.REVIEW, 0)),
                "system_dup": int(s.get(Outcome.DUPLICATE, 0)),
                "inactive": int(s.get(Outcome.INACTIVE, 0)),
                "system_unusable": int(s.get(Outcome.UNUSABLE, 0)),
            }
        )
    return with_total(pd.DataFrame(rows))


def with_total(frame: pd.DataFrame) -> pd.DataFrame:
    """A per-居委 count table with its 合计 row added (the sum of every column)."""
    if not frame.empty:
        total = frame.drop(columns=["committee"]).sum()
        frame.loc[len(frame)] = {"committee": "合计", **total.to_dict()}
    return frame


_OVERVIEW_COLS = [
    Col("committee", "居委", 16),
    Col("field_rows", "采集表人数", 10, "int"),
    Col("matched", "已匹配", 9, "int"),
    Col("field_only", "人到机：待录入", 11, "int"),
    Col("field_review", "待人工确认（采集表）", 12, "int"),
    Col("field_dup", "采集表重复", 9, "int"),
    Col("field_unusable", "采集表无法核对", 11, "int"),
    Col("system_rows", "系统记录数", 10, "int"),
    Col("system_matched", "系统已匹配", 10, "int"),
    Col("system_only", "机到人：待核查", 11, "int"),
    Col("system_review", "待人工确认（系统）", 12, "int"),
    Col("system_dup", "系统重复登记", 10, "int"),
    Col("inactive", "已注销记录", 9, "int"),
    Col("system_unusable", "系统无法核对", 10, "int"),
]


def _write_workbook(
    result: MatchResult,
    tables: dict[str, pd.DataFrame],
    path: Path,
    notes: list[str],
    mode: Mode | None,
) -> None:
    wb = WorkbookWriter(path)
    try:
        if mode is None:
            write_resident_sheets(wb, result, tables, notes)
        else:
            mode.write_sheets(wb, result, tables, notes)
        _common_sheets(wb, tables)
    finally:
        wb.close()


def write_resident_sheets(
    wb: WorkbookWriter, result: MatchResult, tables: dict[str, pd.DataFrame], notes: list[str]
) -> None:
    overview = _overview(result)
    methods = (
        tables["matches"]["method"]
        .map(METHOD_LABELS)
        .value_counts()
        .rename_axis("method")
        .reset_index(name="n")
        if len(tables["matches"])
        else pd.DataFrame({"method": [], "n": []})
    )
    guide = pd.DataFrame(
        {
            "sheet": [
                "已匹配",
                "信息变更",
                "人到机_待录入",
                "机到人_待核查",
                "待人工确认",
                "重复登记",
                "数据问题",
            ],
            "what": [
                "采集表与系统一一对上的人，以及判断依据",
                "已匹配但信息不同的项目：按采集到的信息办理变更",
                "采集到但系统中没有有效登记的人：需录入（含系统中仅有注销记录、需重新登记的人）",
                "系统中有效、但这次没有采集到的人：按地址顺序上门核查，已离开的办理注销",
                "证据不足、需要人来判断是否同一人的配对",
                "同一人在采集表或系统中出现多次：不要重复录入；系统重复的请合并",
                "身份证号受损或有误、性别或出生日期与证号不符等，按文件、工作表、行号列出",
            ],
        }
    )
    wb.key_values(
        "概况",
        "实有人口核对结果",
        [
            ("按居委统计", overview, _OVERVIEW_COLS),
            ("匹配方式", methods, [Col("method", "匹配方式", 30), Col("n", "人数", 10, "int")]),
            ("各工作表说明", guide, [Col("sheet", "工作表", 16), Col("what", "内容", 40, "wrap")]),
        ],
        notes,
    )
    m = tables["matches"]
    if len(m) <= MAX_MATCHED_ROWS:  # beyond, the sheet points to matches.csv
        m = m.assign(field_where=where_text(m, "field_"), system_where=where_text(m, "system_"))
    wb.table(
        "已匹配",
        m,
        [
            Col("field_committee", "居委", 12),
            Col("system_name", "姓名", 10),
            Col("system_sex", "性别", 5),
            Col("system_id_show", "身份证号", 21, "id"),
            Col("field_address", "采集地址", 30, wrap=True),
            Col("method_label", "匹配方式", 18),
            Col("reason", "判断依据", 36, wrap=True),
            Col("field_where", "采集表位置", 24),
            Col("system_where", "系统位置", 24),
        ],
        title="已匹配",
        max_rows=MAX_MATCHED_ROWS,
        overflow_note="共 {total} 行，超过工作表适合的行数，完整名单见 matches.csv",
    )
    write_differences_sheet(wb, tables)
    fo = tables["field_only"]
    fo = fo.assign(field_where=where_text(fo, "field_"), seq=np.arange(1, len(fo) + 1))
    wb.table(
        "人到机_待录入",
        fo,
        [
            Col("seq", "序号", 6, "int"),
            Col("field_committee", "居委", 12),
            Col("field_name", "姓名", 10),
            Col("field_sex", "性别", 5),
            Col("field_id_show", "身份证号", 21, "id"),
            Col("field_birth", "出生日期", 11),
            Col("field_address", "现居住地址", 30, wrap=True),
            Col("field_hukou_address", "户籍地址", 26, wrap=True),
            Col("field_phone", "联系电话", 13, "id"),
            Col("note", "说明", 22, wrap=True),
            Col("id_problems", "证件号问题", 22, wrap=True),
            Col("field_where", "采集表位置", 24),
        ],
        title="人到机：待录入",
        max_rows=MAX_SHEET_ROWS,
        overflow_note="共 {total} 行，完整名单见 field_only.csv",
    )
    so = tables["system_only"]
    so = so.assign(system_where=where_text(so, "system_"), seq=np.arange(1, len(so) + 1))
    wb.table(
        "机到人_待核查",
        so,
        [
            Col("seq", "序号", 6, "int"),
            Col("system_committee", "居委", 12),
            Col("system_address", "登记住址", 30, wrap=True),
            Col("system_name", "姓名", 10),
            Col("system_sex", "性别", 5),
            Col("system_id_show", "身份证号", 21, "id"),
            Col("system_hukou_address", "户籍地址", 26, wrap=True),
            Col("registered_on", "登记日期", 11),
            Col("system_phone", "联系电话", 13, "id"),
            Col("system_where", "系统位置", 22),
        ],
        title="机到人：待上门核查（按地址顺序）",
        max_rows=MAX_SHEET_ROWS,
        overflow_note="共 {total} 行，完整名单见 system_only.csv",
    )


def write_differences_sheet(wb: WorkbookWriter, tables: dict[str, pd.DataFrame]) -> None:
    d = tables["differences"]
    if 0 < len(d) <= MAX_SHEET_ROWS:
        d = d.assign(field_where=where_text(d, "field_"), system_where=where_text(d, "system_"))
    wb.table(
        "信息变更",
        d,
        [
            Col("committee", "居委", 12),
            Col("name", "姓名", 10),
            Col("id", "身份证号", 21, "id"),
            Col("item", "项目", 10),
            Col("system_value", "系统中", 30, wrap=True),
            Col("field_value", "采集到", 30, wrap=True),
            Col("note", "说明", 22, wrap=True),
            Col("field_where", "采集表位置", 24),
            Col("system_where", "系统位置", 24),
        ],
        title="信息变更（已匹配、信息不同）",
        max_rows=MAX_SHEET_ROWS,
        overflow_note="共 {total} 行，完整名单见 differences.csv",
    )


def _common_sheets(wb: WorkbookWriter, tables: dict[str, pd.DataFrame]) -> None:
    rv = tables["review"]
    if len(rv):
        rv = rv.assign(field_where=where_text(rv, "field_"), system_where=where_text(rv, "system_"))
    wb.table(
        "待人工确认",
        rv,
        [
            Col("pair", "编号", 6, "int"),
            Col("field_name", "采集：姓名", 10),
            Col("field_id_show", "采集：身份证号", 21, "id"),
            Col("field_address", "采集：地址", 26, wrap=True),
            Col("system_name", "系统：姓名", 10),
            Col("system_id_show", "系统：身份证号", 21, "id"),
            Col("system_address", "系统：地址", 26, wrap=True),
            Col("reason", "原因", 36, wrap=True),
            Col("score", "得分", 6, "number"),
            Col("field_where", "采集表位置", 22),
            Col("system_where", "系统位置", 22),
        ],
        title="待人工确认：请判断是否同一人",
        max_rows=MAX_SHEET_ROWS,
        overflow_note="共 {total} 行，完整名单见 review.csv",
    )
    dp = tables["duplicates"]
    if len(dp):
        dp = dp.copy()
        dp["side_label"] = dp["side"].map(_SIDE)
        dp["where"] = where_text(dp.rename(columns=lambda c: "x_" + c), "x_")
        of = dp[["duplicate_of_file", "duplicate_of_sheet", "duplicate_of_row"]].rename(
            columns=lambda c: c.replace("duplicate_of_", "y_")
        )
        dp["of_where"] = dp["duplicate_of_side"].map(_SIDE).fillna("") + "：" + where_text(of, "y_")
    wb.table(
        "重复登记",
        dp,
        [
            Col("side_label", "哪一方", 8),
            Col("committee", "居委", 12),
            Col("name", "姓名", 10),
            Col("id_show", "身份证号", 21, "id"),
            Col("address", "地址", 30, wrap=True),
            Col("where", "位置", 24),
            Col("of_where", "与哪一行是同一人", 30),
            Col("note", "说明", 30, wrap=True),
        ],
        title="重复登记",
        max_rows=MAX_SHEET_ROWS,
        overflow_note="共 {total} 行，完整名单见 duplicates.csv",
    )
    pr = tables["problems"]
    pr = pr.assign(side_label=pr["side"].map(_SIDE))
    wb.table(
        "数据问题",
        pr,
        [
            Col("side_label", "哪一方", 8),
            Col("file", "文件", 24),
            Col("sheet", "工作表", 12),
            Col("row", "行号", 7, "int"),
            Col("column", "列", 14),
            Col("problem", "问题", 50, wrap=True),
        ],
        title="数据问题",
        max_rows=MAX_SHEET_ROWS,
        overflow_note="共 {total} 行，完整名单见 problems.csv",
    )


def write_match_files(
    result: MatchResult,
    field_problems: pd.DataFrame,
    system_problems: pd.DataFrame | None,
    out: Path,
    notes: list[str],
    on_step: Callable[[str], None] | None = None,
    mode: Mode | None = None,
    ledger: bool = False,
    on_tables: Callable[[dict[str, pd.DataFrame]], None] | None = None,
) -> dict[str, pd.DataFrame]:
    """Write every CSV and the workbook into ``out``; return the tables.
    ``mode``: the register (default 来沪人员). ``ledger``: rows.csv too (as
    :func:`write_ledger`), by the same writer thread, its last parts written
    while the workbook is made. ``on_tables``: called with the tables before
    any file is written (recon match starts the worklist PDFs with them)."""
    step = on_step or (lambda _n: None)
    tables = build_tables(result, field_problems, system_problems, mode)
    if on_tables is not None:
        on_tables(tables)
    step("csv")
    est = result.estimated_errors
    notes = [
        *notes,
        f"预计误配约 {est['false_matches']} 对、漏配约 {est['missed_matches']} 对"
        "（按本次比对的候选配对估算，待人工确认的计入漏配）",
    ]
    with BackgroundWriter() as writer:  # the CSV files are written while the rest is made
        hukou = bool(mode and mode.hukou_in_matches)
        _write_csvs(tables, out, hukou, writer, _sorted_pairs(result), result)
        if ledger:
            _write_ledger(result, out, writer)
        step("xlsx")
        _write_workbook(result, tables, out / WORKBOOK, notes, mode)
    return tables

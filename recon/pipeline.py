"""``recon match`` end to end: load both sides, match, write a result folder.

The folder is written aside and moved into place only when complete (see
``recon.outdir``).
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import datetime as _dt
import gc
import pickle
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from recon import __version__
from recon.errors import InputError, UsageError, Where
from recon.loaders import (
    HUKOU_COLUMNS,
    LoadResult,
    collect_files,
    committee_key,
    hukou_parts,
    load,
)
from recon.matchers import MatchResult, Outcome, match_records, restrict_visits
from recon.modes import get_mode
from recon.outdir import check_out_dir, record_written, staged
from recon.resultdir import LEDGER, MATCH_TABLES, WORKBOOK, ResultFolder
from recon.results import read_decisions
from recon.rules import Rules, load_rules
from recon.worklists import Worklists, pdfs_in_background, start_visit_pdfs
from recon.writers.match_outputs import csv_view, write_match_files

__all__ = ["RunSummary", "run_match"]


@dataclass
class RunSummary:
    out: Path
    summary: dict[str, Any]
    result: MatchResult
    field: LoadResult
    system: LoadResult
    tables: dict[str, Any] = dataclasses.field(default_factory=dict)
    worklists: Worklists | None = None


Step = Callable[[str, int | None], None]


def _no_step(_name: str, _total: int | None = None) -> None:
    """No progress display."""


class _Clock:
    """Wall seconds per step of the run (summary.json "timings_s"): where the
    time of a big run goes, without a profiler."""

    def __init__(self, step: Step) -> None:
        self.inner = step
        self.seconds: dict[str, float] = {}
        self.name = "start"
        self.since = time.perf_counter()

    def __call__(self, name: str, total: int | None = None) -> None:
        if name != "file":
            self.lap(name)
        self.inner(name, total)

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[self.name] = round(self.seconds.get(self.name, 0) + now - self.since, 2)
        self.name, self.since = name, now


def _inputs_summary(load_result: LoadResult) -> list[dict[str, Any]]:
    out = []
    for f in load_result.files:
        out.append(
            {
                "side": load_result.side,
                "file": f.name,
                "path": str(f.path.resolve()),
                "sha256": f.sha256,
                "size": f.size,
                "sheets": [
                    {
                        "sheet": s.sheet,
                        "read": s.read,
                        "rows_read": s.rows_read,
                        "skipped": dict(s.skipped),
                        "header_rows": list(s.header_rows),
                        "note": s.note,
                    }
                    for s in f.sheets
                ],
            }
        )
    return out


def _summary(
    rules: Rules, field: LoadResult, system: LoadResult, result: MatchResult, tables: dict[str, Any]
) -> dict[str, Any]:
    counts = result.counts()
    sides = {"field": field, "system": system}
    checks = {}
    for side, lr in sides.items():
        total = sum(counts[side].values())
        checks[side] = {
            "rows_read": lr.rows_read,
            "outcomes_sum": total,
            "ok": total == lr.rows_read,
        }
    pairs = result.pairs
    return {
        "tool": "recon",
        "version": __version__,
        "finished_at": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "rules": {
            "sha256": rules.digest,
            "files": [{"file": n, "sha256": h} for n, h in rules.sources],
        },
        "inputs": _inputs_summary(field) + _inputs_summary(system),
        "rows_read": {"field": field.rows_read, "system": system.rows_read},
        "outcomes": {
            side: {
                k: int(counts[side].get(k, 0))
                for k in [*_OUTCOMES[side], *sorted(set(counts[side]) - set(_OUTCOMES[side]))]
            }
            for side in ("field", "system")
        },
        "totals_check": checks,
        # the scored tier's own estimate (review pairs count as unmatched)
        "estimated_errors": {k: int(v) for k, v in result.estimated_errors.items()},
        "pairs": {
            "matches": len(pairs),
            "by_method": {str(k): int(v) for k, v in pairs["method"].value_counts().items()},
            "review_pairs": len(result.review),
            "differences": len(result.differences),
        },
        "files": {name: len(tables[key]) for key, name in MATCH_TABLES.items()} | {WORKBOOK: None},
    }


_OUTCOMES = {
    "field": [
        Outcome.MATCHED,
        Outcome.FIELD_ONLY,
        Outcome.REVIEW,
        Outcome.DUPLICATE,
        Outcome.UNUSABLE,
    ],
    "system": [
        Outcome.MATCHED,
        Outcome.SYSTEM_ONLY,
        Outcome.REVIEW,
        Outcome.DUPLICATE,
        Outcome.INACTIVE,
        Outcome.UNUSABLE,
        Outcome.OUT_OF_SCOPE,
    ],
}


# Inputs bigger than this are loaded side by side in two worker processes (2
# cores), which also take the loading's leftovers with them when they end;
# below it, starting a Python costs more than it saves.
PARALLEL_LOAD_BYTES = 4_000_000

# What matching and the writers use of a record; the rest is dropped before
# matching, so that a million rows of both sides fit in memory.
KEEP_COLUMNS = [
    "file", "sheet", "row", "committee", "name", "name_key", "name_simp", "sex", "id_sex",
    "id", "id_kind", "id_valid", "id_prefix", "id_number", "id_problems", "birth",
    "birth_from_id", "address", "addr_key", "addr_building", "addr_locality", "addr_flat",
    "hukou_address", "hukou_key", "hukou_locality", "hukou_flat", "hukou_county",
    "hukou_province", "id_county", "id_province", "phone_kind", "ethnicity",
    "phone", "registered_on", "record_key", "usable", "active",
    "missing", "findings", "collected_on", "arrived_on", "cancelled_on", "kind",
]  # fmt: skip


def _load_side(paths: list[Path], side: str, rules: Rules) -> bytes:
    """Load one side in a worker process (module level: it must pickle).

    Without the hukou columns: those are made afterwards for both sides at
    once (see ``_add_hukou``), by the same workers -- so the records go back
    pickled here, and what loading left is given back before the worker
    takes its share of hukou texts."""
    data = pickle.dumps(_slim(load(paths, side=side, rules=rules, hukou=False)), protocol=5)
    _release_unused()
    return data


# Columns of few distinct values (a sex, a kind, a county name): held as
# categories, a small code per row rather than a pointer to a text.
_FEW_VALUES = (
    "file", "sheet", "committee", "sex", "id_sex", "id_kind", "id_problems", "id_prefix",
    "addr_locality", "hukou_locality", "hukou_county", "hukou_province", "id_county",
    "id_province", "phone_kind", "ethnicity", "missing", "findings", "kind", "collected_on",
)  # fmt: skip
# Columns of many rows alike (one building, flat or date of many people):
# equal texts held once, not a copy per row.
_REPEATED = (
    "addr_key", "addr_building", "addr_flat", "birth", "arrived_on", "registered_on",
    "cancelled_on",
)  # fmt: skip
# Columns mostly equal to another (the normalised name is the name as
# written): where equal, the row holds the other column's text, not a copy.
_MOSTLY_EQUAL = (
    ("name_key", "name"),
    ("name_simp", "name"),
    ("id_number", "id"),
    ("addr_key", "address"),
)


def _slim(result: LoadResult) -> LoadResult:
    """Only the columns matching and the writers use, all as plain objects.

    Text columns become object arrays once here, rather than being converted
    again by every step; repeated texts are held once (at a million rows a
    side, a text per row per column is gigabytes, and slow to pickle).
    """
    cols = [c for c in KEEP_COLUMNS if c in result.records.columns]
    records = result.records[cols]
    converted: dict[str, pd.Series] = {}
    for col in cols:
        values = records[col]
        if col in _FEW_VALUES:
            converted[col] = _categories(values)
        elif isinstance(values.dtype, pd.StringDtype) or (
            col in _REPEATED and values.dtype == object
        ):
            converted[col] = _shared(values)
    records = records.assign(**converted) if converted else records
    records = records.assign(**_same_as(records))
    # a frame of its own: a column taken from the loader's frame is a view
    # of a block that holds the dropped columns too, and keeps them alive
    result.records = records.copy(deep=True)
    return result


def _same_as(records: pd.DataFrame) -> dict[str, pd.Series]:
    """The columns of _MOSTLY_EQUAL holding the other column's text where equal."""
    same: dict[str, pd.Series] = {}
    for col, like in _MOSTLY_EQUAL:
        if col in records and like in records:
            a, b = records[col].to_numpy(dtype=object), records[like].to_numpy(dtype=object)
            same[col] = pd.Series(np.where(a == b, b, a), index=records.index, dtype=object)
    return same


def _categories(values: pd.Series) -> pd.Series:
    """A text column as categories ('' for a missing value)."""
    codes, uniques = pd.factorize(values.fillna("").astype(object))
    texts = pd.Index(np.asarray(uniques.tolist(), dtype=object), dtype=object)
    return pd.Series(pd.Categorical.from_codes(codes, texts), index=values.index)


def _shared(values: pd.Series) -> pd.Series:
    """An object column in which equal texts are one object."""
    codes, uniques = pd.factorize(values.fillna(""))
    shared = np.asarray(uniques.tolist(), dtype=object)
    return pd.Series(shared[codes], index=values.index, dtype=object)


def _hukou_texts(side: LoadResult) -> pd.Series:
    records = side.records
    if "hukou_address" not in records:
        return pd.Series("", index=records.index, dtype=object)
    return records["hukou_address"].fillna("").astype(str)


def _add_hukou(sides: list[LoadResult], pool: Executor) -> None:
    """The hukou columns of ``sides``, each distinct text normalised once.

    Both sides mostly carry the same people's hukou addresses, so the texts
    are pooled and split between the two workers (what parsing leaves
    behind stays with them). The columns are made per distinct text, then
    taken for each row.
    """
    coded = [pd.factorize(_hukou_texts(side)) for side in sides]
    distinct = [np.asarray(uniques, dtype=object) for _, uniques in coded]
    pooled, texts = pd.factorize(np.concatenate(distinct))
    texts = np.asarray(texts, dtype=object).tolist()
    half = len(texts) // 2
    shares = [pool.submit(hukou_parts, share) for share in (texts[:half], texts[half:])]
    parts = [part for share in shares for part in share.result()]
    # per column, over the pooled distinct texts: codes of its distinct values
    values = []
    for i, name in enumerate(HUKOU_COLUMNS):
        codes, uniques = pd.factorize(np.asarray([p[i] for p in parts], dtype=object))
        values.append((name, codes, pd.Index(np.asarray(uniques, dtype=object), dtype=object)))
    start = 0
    for side, (codes, _), mine in zip(sides, coded, distinct, strict=True):
        at = pooled[start : start + len(mine)][codes]  # each row's pooled text
        start += len(mine)
        index = side.records.index
        columns = {}
        for name, value_codes, uniques in values:
            rows = value_codes[at]
            columns[name] = (
                pd.Series(pd.Categorical.from_codes(rows, uniques), index=index)
                if name in _FEW_VALUES
                else pd.Series(uniques.to_numpy()[rows], index=index, dtype=object)
            )
        keep = [c for c in KEEP_COLUMNS if c in side.records.columns or c in HUKOU_COLUMNS]
        side.records = side.records.assign(**columns)[keep]


def _load_both(
    field_paths: list[Path], system_paths: list[Path], files: set[Path], rules: Rules, step: Step
) -> tuple[LoadResult, LoadResult]:
    """Both sides; for big inputs each in a worker process."""
    size = sum(p.stat().st_size for p in files)
    field_count = len(collect_files(field_paths))
    if size < PARALLEL_LOAD_BYTES:
        step("load_field", field_count)
        field = _slim(
            load(field_paths, side="field", rules=rules, on_file=lambda _n: step("file", None))
        )
        step("load_system", len(files) - field_count)
        system = _slim(
            load(system_paths, side="system", rules=rules, on_file=lambda _n: step("file", None))
        )
        return field, system
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("spawn")  # fork is unsafe with pyarrow's threads
    with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:
        # Both sides in workers: what loading leaves behind goes with them,
        # and this process holds only the records.
        later = pool.submit(_load_side, system_paths, "system", rules)
        step("load_field", None)
        field = pickle.loads(pool.submit(_load_side, field_paths, "field", rules).result())
        step("load_system", None)
        system = pickle.loads(later.result())
        step("load_hukou", None)
        _add_hukou([field, system], pool)
    _release_unused()
    return field, system


def _release_unused() -> None:
    """Give memory freed by the step just done back to the system.

    Arrow's pool keeps what loading freed (a third of a gigabyte at a million
    rows a side); glibc's heap keeps what the freed arrays and texts of a
    step leave between live ones, and the next step grows past it (measured
    at a million rows a side: a quarter of a gigabyte less at the peak).
    Elsewhere only Arrow's pool is emptied: other allocators hand big freed
    blocks back by themselves, and there is no portable call for the rest.
    """
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):  # not glibc: no malloc_trim
            ctypes.CDLL(None).malloc_trim(0)


@contextlib.contextmanager
def _settled_heap() -> Iterator[None]:
    """Within the block, the collector leaves alone the objects there were
    before it (the loaded records, the match, every imported module): they
    are not garbage, and each full collection of the write and worklist
    steps walked them all again (0.15 s each at 100k)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def run_match(
    field_paths: list[Path],
    system_paths: list[Path],
    out: Path,
    mapping: Path | None = None,
    force: bool = False,
    on_step: Step | None = None,
    committees: list[str] | None = None,
    decisions: list[Path] | None = None,
    mode: str = "",
) -> RunSummary:
    """Load, match and write; return what the CLI shows at the end.

    ``decisions``: filled 待人工确认单 workbooks of an earlier run.
    ``mode``: "" for the 来沪人员 register, "人户分离" for the separation list
    (see ``recon.modes``).
    """
    register = get_mode(mode)
    clock = _Clock(on_step or _no_step)
    step: Step = clock
    rules = load_rules(mapping)
    out = Path(out)
    decided = read_decisions(decisions) if decisions else None
    check_out_dir(out, [*field_paths, *system_paths], force)
    field_files = {p.resolve() for p in collect_files(field_paths)}
    system_files = {p.resolve() for p in collect_files(system_paths)}
    both = field_files & system_files
    if both:
        raise UsageError(
            "同一个文件既作为采集表又作为系统数据",
            Where(file=sorted(both)[0].name),
            "请分别指定采集表和 --system 系统导出表",
        )
    field, system = _load_both(field_paths, system_paths, field_files | system_files, rules, step)
    for label, side in (("采集表", field), ("系统数据", system)):
        if side.rows_read == 0:
            names = [f.name for f in side.files]
            shown = "、".join(names[:5]) + (f" 等 {len(names)} 个文件" if len(names) > 5 else "")
            raise InputError(
                f"{label}中没有读到任何人员行（{shown}：只有表头或没有内容）",
                hint="请检查文件内容，或用 recon inspect 查看识别情况",
            )
    step("match", None)
    result = match_records(
        field.records,
        system.records,
        rules.matching,
        decided_same=decided.same if decided else None,
        decided_different=decided.different if decided else None,
        household=register.household,
    )
    result = register.classify(result)
    if committees:
        wanted = {committee_key(c) for c in committees}
        known = set(system.records["committee"].astype(str)) | set(
            field.records["committee"].astype(str)
        )
        missing = sorted(wanted - known)
        if missing:
            raise UsageError(
                f"数据中没有这些居委：{'、'.join(missing)}",
                hint=f"数据中的居委有：{'、'.join(sorted(k for k in known if k)) or '（无）'}",
            )
        result = restrict_visits(result, wanted)

    step("write", None)
    # the 入户核查单 PDFs of a long list: in a second process, started now
    visits = int(result.system["outcome"].eq(Outcome.SYSTEM_ONLY).sum()) if not register.name else 0
    with staged(out) as tmp, pdfs_in_background(visits, rules.output), _settled_heap():
        notes = [
            f"recon {__version__}，{_dt.datetime.now():%Y-%m-%d %H:%M}",
            f"采集表 {len(field.files)} 个文件 {field.rows_read} 行；"
            f"系统数据 {len(system.files)} 个文件 {system.rows_read} 行",
        ]
        problems = [field.problems, system.problems]
        if decided and decided.problems:
            problems.append(pd.DataFrame(decided.problems).assign(side="decisions"))
        problem_rows = pd.concat(problems, ignore_index=True)
        _release_unused()  # what matching freed
        tables = write_match_files(
            result,
            problem_rows,
            None,
            tmp,
            notes,
            mode=register,
            ledger=True,
            # the second process starts on the PDFs while the files are written
            on_tables=lambda t: start_visit_pdfs(
                lambda: csv_view(t["system_only"]), tmp, rules.output
            ),
        )
        ledger_rows = len(result.field) + len(result.system)  # rows.csv: every row read
        step("worklist", None)
        _release_unused()  # what writing freed
        worklists = register.write_worklists(result, tables, tmp, rules.output)
        summary = _summary(rules, field, system, result, tables) | register.summary(result)
        summary["files"][LEDGER] = ledger_rows
        folder = ResultFolder(tmp)
        summary["worklists"] = folder.form_fingerprints()  # to tell a filled copy from ours
        summary["written"] = record_written(tmp)  # what --force may replace, nothing else
        clock.lap("summary")
        summary["timings_s"] = clock.seconds
        folder.write_summary(summary)
    return RunSummary(
        out=out.resolve(),
        summary=summary,
        result=result,
        field=field,
        system=system,
        tables=tables,
        worklists=worklists,
    )

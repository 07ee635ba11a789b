"""PDF worklists: seconds to write the 入户核查单 PDFs of N people, and people per page.

    python benchmarks/bench_pdf.py 20000 --runs 2
    python benchmarks/bench_pdf.py 8000 --background 3

Takes the system rows of a sample street (the sample generator's, N people
in N/2,000 居委) as if all were to be visited, builds the visit list as
`recon match` does, and times ``write_visit_pdfs`` alone (font subsetting,
layout, drawing, saving), with the CPU seconds of the font cut and of
``page_rows`` (the rest is drawing and saving). Pages and people per page
are counted from the written files with pypdf (the test extra) when it is
installed.

``--background S`` times the whole ``write_worklists`` (workbooks and PDFs)
once in this process and once inside ``pdfs_in_background``, whose second
process is started S seconds before (standing for the CSV and workbook
writing that `recon match` does meanwhile): wall seconds, this process's
CPU seconds, and the second process's CPU seconds (its start-up included).
On a busy machine the wall seconds say little; the CPU seconds say what
each process has to do.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from recon.rules import OutputRules

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def visits_of(n: int, seed: int = 7) -> pd.DataFrame:
    from recon.sample import StreetSpec, generate_street
    from recon.worklists import visit_frame

    committees = max(1, n // 2_000)
    street = generate_street(
        StreetSpec(
            seed=seed, committees=committees, residents_per_committee=n * 11 // 10 // committees
        )
    )
    s = street.system.head(n)
    system_only = s.rename(columns=lambda c: f"system_{c}").assign(
        system_id=s["id_number"],
        system_file="系统导出.xlsx",
        system_sheet="Sheet1",
        system_row=range(2, len(s) + 2),
        registered_on=s["registered_on"],
    )
    return visit_frame(system_only)


def people_per_page(paths: list[Path]) -> tuple[int, int, float]:
    """(pages, people, people per page on every page but each file's last)."""
    from pypdf import PdfReader

    id_re = re.compile(r"\d{6}\*+\d{3}[\dX]")
    pages = people = full_pages = full_people = 0
    for path in paths:
        reader = PdfReader(path)
        counts = [len(id_re.findall(p.extract_text())) for p in reader.pages]
        pages += len(counts)
        people += sum(counts)
        full_pages += len(counts) - 1
        full_people += sum(counts[:-1])
    return pages, people, full_people / max(1, full_pages)


class _Timed:
    """CPU seconds spent in some functions of a module, while in the block."""

    def __init__(self, module: ModuleType, names: list[str]) -> None:
        self.module, self.names = module, names
        self.cpu = dict.fromkeys(names, 0.0)

    def __enter__(self) -> _Timed:
        self.saved = {n: getattr(self.module, n) for n in self.names}
        for name, real in self.saved.items():
            setattr(self.module, name, self._timed(name, real))
        return self

    def _timed(self, name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return real(*args, **kwargs)
            finally:
                self.cpu[name] += time.process_time() - start

        return timed

    def __exit__(self, *_exc: object) -> None:
        for name, real in self.saved.items():
            setattr(self.module, name, real)


def background(visits: pd.DataFrame, output: OutputRules, before: float) -> None:
    import os

    from recon import worklists

    system_only = visits_as_system_only(visits)
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ("here", "background"):
            out = Path(tmp) / mode
            out.mkdir()
            children = os.times()
            with (
                worklists.pdfs_in_background(len(visits), output)
                if mode == "background"
                else contextlib.nullcontext()
            ):
                time.sleep(before)
                t0, c0 = time.perf_counter(), time.process_time()
                lists = worklists.write_worklists(system_only, pd.DataFrame(), out, output)
                wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            after = os.times()
            child = (after.children_user + after.children_system) - (
                children.children_user + children.children_system
            )
            print(
                f"  write_worklists {mode}: {wall:.2f} s wall, {cpu:.2f} s CPU here, "
                f"{child:.2f} s CPU in the second process; {len(lists.pdfs)} PDFs"
            )


def visits_as_system_only(visits: pd.DataFrame) -> pd.DataFrame:
    """The visit list back as system_only.csv columns (what write_worklists takes)."""
    return pd.DataFrame(
        {
            "system_committee": visits["committee"],
            "system_name": visits["name"],
            "system_sex": visits["sex"],
            "system_id": visits["id"],
            "system_hukou_address": visits["hukou_address"],
            "system_address": visits["address"],
            "registered_on": visits["registered_on"],
            "system_phone": visits["phone"],
            "system_record_key": visits["record_key"],
            "system_file": visits["system_file"],
            "system_sheet": visits["system_sheet"],
            "system_row": visits["system_row"],
            "system_house_key": visits["house_key"],
            "system_building": visits["building"],
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("persons", nargs="?", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--background", type=float, metavar="S", default=None)
    args = parser.parse_args()
    from recon.rules import load_rules
    from recon.worklists import write_visit_pdfs
    from recon.writers import worklist_pdf

    output = load_rules().output
    visits = visits_of(args.persons)
    if args.background is not None:
        background(visits, output, args.background)
        return
    times = []
    paths: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            with _Timed(worklist_pdf, ["font_program", "page_rows"]) as parts:
                t0, c0 = time.perf_counter(), time.process_time()
                paths = write_visit_pdfs(visits, Path(tmp) / f"run{run}", output)
                times.append(time.perf_counter() - t0)
                cpu = time.process_time() - c0
            print(
                f"  run {run + 1}: {len(visits)} rows, {len(paths)} files, "
                f"{times[-1]:.2f} s ({cpu:.2f} s CPU: font cut {parts.cpu['font_program']:.2f}, "
                f"page_rows {parts.cpu['page_rows']:.2f})"
            )
        print(f"median {statistics.median(times):.2f} s for {len(visits)} rows")
        try:
            pages, people, full = people_per_page(paths)
        except ImportError:
            return
        print(
            f"{pages} pages, {people} people, "
            f"{full:.1f} people per page (each file's last excluded)"
        )


if __name__ == "__main__":
    main()

"""PDF worklists: seconds to write the 入户核查单 PDFs of N people, and people per page.

    python benchmarks/bench_pdf.py 20000 --runs 2

Takes the system rows of a sample street (the sample generator's, N people
in N/2,000 居委) as if all were to be visited, builds the visit list as
`recon match` does, and times ``write_visit_pdfs`` alone (font subsetting,
layout, drawing, saving). Pages and people per page are counted from the
written files with pypdf (the test extra) when it is installed.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def visits_of(n: int, seed: int = 7):  # type: ignore[no-untyped-def]
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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("persons", nargs="?", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    from recon.rules import load_rules
    from recon.worklists import write_visit_pdfs

    output = load_rules().output
    visits = visits_of(args.persons)
    times = []
    paths: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            t0, c0 = time.perf_counter(), time.process_time()
            paths = write_visit_pdfs(visits, Path(tmp) / f"run{run}", output)
            times.append(time.perf_counter() - t0)
            cpu = time.process_time() - c0
            print(
                f"  run {run + 1}: {len(visits)} rows, {len(paths)} files, "
                f"{times[-1]:.2f} s ({cpu:.2f} s CPU)"
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

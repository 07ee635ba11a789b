"""How big the street register grows per round, and what recording a round costs.

    python benchmarks/bench_rounds.py [COMMITTEES] [RESIDENTS_PER_COMMITTEE] [ROUNDS]

Generates a clean street in rounds (``recon.sample._rounds``), runs
``recon match`` on each round, records it into one register (and the
round's simulated visit results), then ``recon changes``; prints per round
the register's size and the seconds spent matching, recording and listing
changes. Timings on a shared machine are noisy: read them as orders of size.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from recon.pipeline import run_match
from recon.results import read_filled_worklists, write_results
from recon.rounds import record_run, run_changes
from recon.sample._rounds import RoundsSpec, fill_worklist, generate_rounds, write_round


def main(committees: int = 40, residents: int = 400, rounds: int = 3) -> None:
    street = generate_rounds(RoundsSpec(committees=committees, residents_per_committee=residents))
    print(f"{committees} 居委 x {residents} = {len(street.persons)} persons")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        register = root / "register.sqlite"
        for r in range(rounds):
            field, system = write_round(street, r, root / f"in{r}")
            out = root / f"m{r}"
            t0 = time.perf_counter()
            run_match([field], [system], out)
            t1 = time.perf_counter()
            record_run("match", out, register, street.days[r])
            t2 = time.perf_counter()
            filled = root / f"filled{r}.xlsx"
            fill_worklist(street, r, out / "入户核查单.xlsx", filled)
            write_results(read_filled_worklists([filled], out), root / f"v{r}", out)
            t3 = time.perf_counter()
            record_run("results", root / f"v{r}", register, street.visit_days[r])
            t4 = time.perf_counter()
            report, _ = run_changes(register, street.days[r], out=root / f"c{r}")
            t5 = time.perf_counter()
            size = register.stat().st_size / 1e6
            print(
                f"round {r + 1}: register {size:.1f} MB; match {t1 - t0:.1f} s, "
                f"record match {t2 - t1:.1f} s, record results {t4 - t3:.1f} s, "
                f"changes {t5 - t4:.1f} s ({len(report.table)} items)"
            )


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:4]))

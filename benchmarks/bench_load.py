"""Loading speed: rows per second of `recon.load` on .xlsx and on CSV.

    python benchmarks/bench_load.py 100000 --runs 3

Writes one flat sample street of N persons as CSV (the sample generator's
flat layout) and the same field rows as one .xlsx sheet, then times
``recon.load`` (header detection, row classification and every normaliser
included) in fresh processes and reports the median rows per second.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

TIMED = """
import sys, time
t = time.perf_counter()
from recon.loaders import load
r = load(sys.argv[1], side="field")
print(len(r.records), time.perf_counter() - t)
"""


def _files(n: int) -> tuple[Path, Path]:
    import openpyxl
    import pandas as pd

    from recon.sample import StreetSpec, generate_street, write_street

    folder = HERE / "data" / f"load_{n}"
    csv_path = folder / "现场采集表" / "field.csv"
    xlsx_path = folder / "field.xlsx"
    if not csv_path.exists():
        committees = max(3, n // 10_000)
        spec = StreetSpec(
            seed=7, committees=committees, residents_per_committee=n // committees, house_list=False
        )
        write_street(generate_street(spec), folder, layout="flat", overwrite=True)
    if not xlsx_path.exists():
        frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("采集表")
        ws.append(["某某居委来沪人员信息采集表"])
        ws.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            ws.append(list(row))
        wb.save(xlsx_path)
    return csv_path, xlsx_path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("persons", nargs="?", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    csv_path, xlsx_path = _files(args.persons)
    for label, path in (("csv", csv_path), ("xlsx", xlsx_path)):
        rates, rows = [], 0
        for _ in range(args.runs):
            t0 = time.perf_counter()
            res = subprocess.run(
                [sys.executable, "-c", TIMED, str(path)], capture_output=True, text=True, check=True
            )
            wall = time.perf_counter() - t0
            rows, inner = res.stdout.split()
            rates.append(int(rows) / float(inner))
            print(
                f"  {label}: {rows} rows, load {float(inner):.2f} s, process {wall:.2f} s",
                flush=True,
            )
        median = statistics.median(rates)
        print(f"{label}: median {median:,.0f} rows/s over {args.runs} runs ({rows} rows)")


if __name__ == "__main__":
    main()

"""Benchmark `recon match` end to end against a bare pandas read + merge.

    python benchmarks/bench_match.py 100000 1000000 --runs 3

For each size N (persons in the simulated street) it generates flat CSV data
with the sample generator (cached under benchmarks/data/, never committed),
then, in fresh processes so that imports count:

* the floor: a bare ``pandas.read_csv`` of both files plus an exact merge on
  the ID column;
* ``recon match`` as a user runs it, every default output written
  (CSVs, summary.json, 核对结果.xlsx);

and reports the median (min, max) wall time of the runs, the time of each step
(summary.json "timings_s"), the peak RSS of recon, the
ratio to the floor, and the quality figures against the generator's truth
next to those of an exact-ID "VLOOKUP", the rows sent to review, and the
run's own error estimate (summary.json's estimated_errors) next to the true
false and missed pairs. Results go to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

FLOOR = """
import sys, pandas as pd
f = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False, encoding="utf-8-sig")
s = pd.read_csv(sys.argv[2], dtype=str, keep_default_na=False, encoding="gb18030")
m = f.merge(s, on="公民身份号码")
print(len(m))
"""


def _timed(cmd: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KB) of one command in a fresh process."""
    time_bin = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    if time_bin and platform.system() == "Linux":
        t0 = time.perf_counter()
        res = subprocess.run([time_bin, "-f", "%M", *cmd], capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if res.returncode != 0:
            raise SystemExit(f"failed: {' '.join(cmd)}\n{res.stderr[-2000:]}")
        rss = int(res.stderr.strip().splitlines()[-1])
        return wall, rss
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - t0, 0


def _data(n: int, seed: int) -> Path:
    from recon.sample import StreetSpec, generate_street, write_street

    folder = HERE / "data" / f"flat_{n}_{seed}"
    if (folder / "答案" / "truth.csv").exists():
        return folder
    committees = max(3, n // 10_000)
    spec = StreetSpec(
        seed=seed,
        committees=committees,
        residents_per_committee=n // committees,
        house_list=False,  # persons only: the house list would only slow the benchmark
    )
    t0 = time.perf_counter()
    write_street(generate_street(spec), folder, layout="flat", overwrite=True)
    print(f"  generated {n} persons in {time.perf_counter() - t0:.1f} s", flush=True)
    return folder


def _vlookup_quality(folder: Path) -> dict[str, dict[str, float]]:
    """What an exact VLOOKUP on the ID column gets (the office's method today)."""
    import pandas as pd

    from tests.quality import _key, _scores, read_truth

    fmap, smap, active = read_truth(folder / "答案" / "truth.csv")
    f = pd.read_csv(
        folder / "现场采集表" / "field.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    s = pd.read_csv(
        folder / "系统导出" / "system.csv", dtype=str, keep_default_na=False, encoding="gb18030"
    )
    f["key"] = _key(f.assign(file="field.csv", sheet="", row=range(2, len(f) + 2)))
    s["key"] = _key(s.assign(file="system.csv", sheet="", row=range(2, len(s) + 2)))
    s = s[s["key"].isin(active)]
    idf = f["公民身份号码"].str.strip().str.upper()
    ids = s["公民身份号码"].str.strip().str.upper()
    first_s = dict(zip(ids, s["key"], strict=True))
    field_p, active_p = set(fmap.values()), {smap[k] for k in active}
    both = field_p & active_p
    hit = [(fk, first_s.get(i)) for fk, i in zip(f["key"], idf, strict=True)]
    correct = {fmap[fk] for fk, sk in hit if sk and fmap[fk] == smap[sk]}
    wrong = sum(1 for fk, sk in hit if sk and fmap[fk] != smap[sk])
    dup_pairs = sum(1 for fk, sk in hit if sk and fmap[fk] == smap[sk]) - len(correct)
    pairs = _scores(len(correct & both), wrong + dup_pairs, len(both - correct))
    enter_rows = [fmap[fk] for fk, sk in hit if not sk]
    want = field_p - active_p
    tp = len(set(enter_rows) & want)
    enter = _scores(tp, len(enter_rows) - tp, len(want - set(enter_rows)))
    found = set(idf)
    visit_rows = [smap[k] for k, i in zip(s["key"], ids, strict=True) if i not in found]
    want_v = active_p - field_p
    tp = len(set(visit_rows) & want_v)
    visit = _scores(tp, len(visit_rows) - tp, len(want_v - set(visit_rows)))
    return {
        k: {"precision": v.precision, "recall": v.recall, "f1": v.f1}
        for k, v in (("pairs", pairs), ("to_enter", enter), ("to_visit", visit))
    }


def bench(n: int, runs: int, seed: int) -> dict[str, object]:
    from tests.quality import evaluate

    print(f"N = {n}", flush=True)
    folder = _data(n, seed)
    field = folder / "现场采集表" / "field.csv"
    system = folder / "系统导出" / "system.csv"
    floor = [_timed([sys.executable, "-c", FLOOR, str(field), str(system)])[0] for _ in range(runs)]
    out = HERE / "results" / f"out_{n}"
    recon_exe = [sys.executable, "-m", "recon.cli"]
    times, rss, stages = [], [], []
    for _ in range(runs):
        wall, peak = _timed(
            [*recon_exe, "match", str(field), "--system", str(system), "--out", str(out), "--force"]
        )
        times.append(wall)
        rss.append(peak)
        stage = json.loads((out / "summary.json").read_text(encoding="utf-8"))["timings_s"]
        stages.append(stage)
        shown = ", ".join(f"{k} {v:.1f}" for k, v in stage.items())
        print(f"  recon {wall:.1f} s, peak RSS {peak / 1024:.0f} MB ({shown})", flush=True)
    scores = evaluate(out, folder / "答案" / "truth.csv")
    quality = {
        k: {"precision": v.precision, "recall": v.recall, "f1": v.f1} for k, v in scores.items()
    }
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    result = {
        "persons": n,
        "field_rows": summary["rows_read"]["field"],
        "system_rows": summary["rows_read"]["system"],
        "floor_median_s": statistics.median(floor),
        "recon_median_s": statistics.median(times),
        "recon_runs_s": times,
        "recon_min_s": min(times),
        "recon_max_s": max(times),
        "floor_runs_s": floor,
        # where the time goes: median per step of run_match (summary.json)
        "stages_median_s": {
            k: statistics.median(st.get(k, 0.0) for st in stages) for k in stages[0]
        },
        "ratio": statistics.median(times) / statistics.median(floor),
        "peak_rss_mb": max(rss) / 1024,
        "quality": quality,
        "vlookup_quality": _vlookup_quality(folder),
        "review_rows": summary["outcomes"]["field"]["review"],
        "review_share": summary["outcomes"]["field"]["review"] / summary["rows_read"]["field"],
        # the run's own estimate against the generator's truth
        "estimated_errors": summary["estimated_errors"],
        "true_errors": {
            "false_matches": scores["pairs"].fp,
            "missed_matches": scores["pairs"].fn,
        },
    }
    print(json.dumps(result, ensure_ascii=False, indent=1), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("sizes", nargs="*", type=int, default=[100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    results = [bench(n, args.runs, args.seed) for n in args.sizes]
    (HERE / "results").mkdir(exist_ok=True)
    machine = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = HERE / "results" / f"bench-{stamp}.json"
    path.write_text(
        json.dumps({"machine": machine, "results": results}, ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    print(f"\nwritten {path}")
    for r in results:
        f1 = r["quality"]["pairs"]["f1"]
        est, true = r["estimated_errors"], r["true_errors"]
        print(
            f"N={r['persons']:>9,}  floor {r['floor_median_s']:.2f} s  "
            f"recon {r['recon_median_s']:.1f} s [{r['recon_min_s']:.1f}-{r['recon_max_s']:.1f}] "
            f"({r['ratio']:.1f}x)  "
            f"peak {r['peak_rss_mb']:.0f} MB  pair F1 {f1:.5f}  review rows {r['review_rows']}  "
            f"false {est['false_matches']} (true {true['false_matches']})  "
            f"missed {est['missed_matches']} (true {true['missed_matches']})"
        )


if __name__ == "__main__":
    main()

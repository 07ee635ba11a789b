"""The run's own error estimate against the generator's truth.

    python benchmarks/estimate_study.py                     # capture (once) and report
    python benchmarks/estimate_study.py --only plain-5000   # some streets only
    python benchmarks/estimate_study.py --folder benchmarks/data/flat_1000000_2024

For each street (sizes and seeds below, plain and "noisy": ten times the
homonyms and missing IDs, as in tests/test_match_quality.py) it generates
the data with recon's own generator, runs ``recon match`` once, and keeps
(pickled under ``--cache``) the inputs of ``estimate_errors`` with the truth
of every candidate pair and the run's true false and missed pairs
(``evaluate`` of tests/quality.py). Later calls re-run only the estimate on
the kept inputs, so that variants of it can be compared in seconds;
``--recapture`` runs the matcher again (after the matcher or the call
changed). ``--folder`` adds an already generated flat folder (``答案/truth.csv``
inside), e.g. the 1M benchmark street: its capture takes a minute and ~4 GB.

Each line: estimated false / missed matches, the truth, and whether each is
within the issue's bound (within 3 pairs, or within a factor of 2).
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

NOISY = {
    "homonyms_same_flat": 0.04,
    "homonyms_same_building": 0.06,
    "popular_names": 0.6,
    "field_id_missing": 0.1,
    "field_id_typo": 0.15,
    "system_id_typo": 0.2,
    "field_name_homophone": 0.1,
    "twins": 0.05,
}

# (kind, persons, committees, seeds)
STREETS = [
    ("plain", 5_000, 5, (1, 2, 3)),
    ("plain", 20_000, 4, (1, 2, 3)),
    ("plain", 85_000, 17, (1, 2, 3)),
    ("noisy", 5_000, 2, (2, 3, 4)),
    ("noisy", 12_000, 4, (2, 3, 4, 5)),
    ("noisy", 20_000, 4, (2, 3, 4)),
    ("noisy", 50_000, 10, (2, 3, 4)),
    ("noisy", 85_000, 17, (2,)),
]


def near(estimate: int, truth: int) -> bool:
    """The issue's bound: within 3 pairs, or within a factor of 2."""
    return abs(estimate - truth) <= 3 or truth / 2 <= estimate <= truth * 2


def _capture(field_dir: Path, system_dir: Path, truth_path: Path) -> dict[str, Any]:
    """Run the matcher once; keep estimate_errors' inputs, pair truth, true errors."""
    import pandas as pd

    import recon.matchers._engine as engine
    import recon.pipeline as pipeline
    from recon.pipeline import run_match
    from tests.quality import _key, evaluate, read_truth

    kept: dict[str, Any] = {}
    real_match, real_estimate = pipeline.match_records, engine.estimate_errors

    def match_records(field: pd.DataFrame, system: pd.DataFrame, *a: Any, **k: Any) -> Any:
        kept["field_keys"] = _key(field.reset_index(drop=True)).to_numpy()
        kept["system_keys"] = _key(system.reset_index(drop=True)).to_numpy()
        return real_match(field, system, *a, **k)

    def estimate_errors(*args: Any, **kwargs: Any) -> dict[str, int]:
        # the weights arrive read-only (mappingproxy): kept as plain dicts
        plain = [{k: dict(v) for k, v in x.items()} if isinstance(x, Mapping) else x for x in args]
        kept["args"], kept["kwargs"] = tuple(plain), kwargs
        return real_estimate(*args, **kwargs)

    pipeline.match_records = match_records  # type: ignore[assignment]
    engine.estimate_errors = estimate_errors  # type: ignore[assignment]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out"
            t0 = time.perf_counter()
            run_match([field_dir], [system_dir], out)
            seconds = time.perf_counter() - t0
            summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
            pairs = evaluate(out, truth_path)["pairs"]
    finally:
        pipeline.match_records, engine.estimate_errors = real_match, real_estimate
    fmap, smap, _active = read_truth(truth_path)
    nf = len(kept["field_keys"])
    cands = kept["args"][0]
    a, b = cands["a"].to_numpy(dtype=np.int64), cands["b"].to_numpy(dtype=np.int64)
    f, s = np.where(a < nf, a, b), np.where(a < nf, b, a) - nf
    pf = np.array([fmap.get(k, -1) for k in kept["field_keys"][f]])
    ps = np.array([smap.get(k, -2) for k in kept["system_keys"][s]])
    return {
        "args": kept["args"],
        "kwargs": kept["kwargs"],
        "true_pair": pf == ps,  # per candidate: the same person
        "reported": summary["estimated_errors"],
        "truth": {"false_matches": pairs.fp, "missed_matches": pairs.fn},
        "seconds": seconds,
    }


def _street(kind: str, n: int, committees: int, seed: int, root: Path) -> Path:
    from recon.sample import StreetSpec, generate_street, write_street

    folder = root / f"{kind}_{n}_{seed}"
    if not (folder / "答案" / "truth.csv").exists():
        spec = StreetSpec(
            seed=seed,
            committees=committees,
            residents_per_committee=n // committees,
            house_list=False,
            **(NOISY if kind == "noisy" else {}),
        )
        write_street(generate_street(spec), folder, layout="flat", overwrite=True)
    return folder


def _estimate(kept: dict[str, Any]) -> dict[str, int]:
    from recon.matchers._estimate import estimate_errors

    return estimate_errors(*kept["args"], **kept["kwargs"])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "estimate")
    parser.add_argument("--only", nargs="*", default=None, help="kind-size prefixes")
    parser.add_argument("--folder", nargs="*", type=Path, default=[], help="generated folders")
    parser.add_argument("--recapture", action="store_true")
    parser.add_argument("--no-streets", action="store_true", help="only the --folder ones")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)

    runs: list[tuple[str, Path | None, tuple]] = []
    if not args.no_streets:
        for kind, n, committees, seeds in STREETS:
            for seed in seeds:
                name = f"{kind}-{n}-{seed}"
                if args.only is None or any(name.startswith(p) for p in args.only):
                    runs.append((name, None, (kind, n, committees, seed)))
    for folder in args.folder:
        runs.append((folder.name, folder, ()))

    fails = 0
    print(f"{'street':24} {'estimate':>10} {'truth':>10}  ok   (false/missed)", flush=True)
    for name, folder, street in runs:
        pkl = args.cache / f"{name}.pkl"
        if args.recapture or not pkl.exists():
            where = folder or _street(*street, root=args.cache / "streets")
            kept = _capture(where / "现场采集表", where / "系统导出", where / "答案" / "truth.csv")
            pkl.write_bytes(pickle.dumps(kept))
        else:
            kept = pickle.loads(pkl.read_bytes())
        est, truth = _estimate(kept), kept["truth"]
        ok = [near(est[k], truth[k]) for k in ("false_matches", "missed_matches")]
        fails += not all(ok)
        shown = "/".join(str(est[k]) for k in ("false_matches", "missed_matches"))
        real = "/".join(str(truth[k]) for k in ("false_matches", "missed_matches"))
        flag = "  ".join("ok" if x else "FAIL" for x in ok)
        print(f"{name:24} {shown:>10} {real:>10}  {flag}", flush=True)
        if kept["reported"] != est:  # captured before estimate_errors changed
            print(f"{'':24} (the run itself reported {kept['reported']})", flush=True)
    print(f"{len(runs) - fails} of {len(runs)} within the bound")


if __name__ == "__main__":
    main()

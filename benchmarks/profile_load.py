"""CPU per step of `recon.load` on one side, and of the hukou normalisation.

    python benchmarks/profile_load.py benchmarks/data/flat_100000_2024
    python benchmarks/profile_load.py DATA --side system --cprofile 30

Loads one side (``field``: the 现场采集表 folder, ``system``: 系统导出) of a
benchmark street in this process, as ``recon match`` does in each of its two
(``hukou=False``), and prints the CPU seconds of each loader step (process
time: the machine may be shared, wall time says little). With
``--hukou``, then the hukou address normalisation over the distinct hukou
texts of the side. ``--cprofile N`` prints the N costliest functions instead.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

FOLDERS = {"field": "现场采集表", "system": "系统导出"}

# (module, name): the steps timed, where they are looked up when called
STEPS = [
    ("recon.loaders", "read_file"),
    ("recon.loaders", "read_sheet"),
    ("recon.loaders._sheet", "_classify"),
    ("recon.loaders._sheet", "_records"),
    ("recon.loaders._sheet", "normalize_dates"),
    ("recon.loaders", "prepare_records"),
    ("recon.loaders._prepare", "normalize_names"),
    ("recon.loaders._prepare", "normalize_ids"),
    ("recon.loaders._prepare", "normalize_addresses"),
    ("recon.loaders._prepare", "normalize_phones"),
    ("recon.loaders._prepare", "id_region_columns"),
    ("recon.loaders._prepare", "_blank"),
    ("recon.loaders._prepare", "_checks"),
    ("recon.loaders._prepare", "_problems"),
]


def _timed(spent: dict[str, float], label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[label] += time.process_time() - start

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("street", type=Path, help="a folder with 现场采集表 and 系统导出")
    parser.add_argument("--side", choices=sorted(FOLDERS), default="field")
    parser.add_argument("--hukou", action="store_true", help="time hukou_parts too")
    parser.add_argument("--cprofile", type=int, default=0, metavar="N")
    args = parser.parse_args()

    from recon.loaders import load
    from recon.rules import load_rules

    spent: dict[str, float] = defaultdict(float)
    if not args.cprofile:
        for module, name in STEPS:
            mod = importlib.import_module(module)
            setattr(mod, name, _timed(spent, name, getattr(mod, name)))
    rules = load_rules(None)
    folder = args.street / FOLDERS[args.side]
    profile = None
    if args.cprofile:
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
    wall, cpu = time.perf_counter(), time.process_time()
    result = load(folder, side=args.side, rules=rules, hukou=False)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if profile is not None:
        profile.disable()
    print(f"{args.side}: {len(result.records)} rows, load {cpu:.2f} CPU-s ({wall:.2f} s wall)")
    for label, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"  {label:24s} {seconds:6.3f}")
    if profile is not None:
        import pstats

        pstats.Stats(profile).sort_stats("tottime").print_stats(args.cprofile)
    if args.hukou:
        from recon.loaders import hukou_parts

        texts = result.records["hukou_address"].astype(str).unique().tolist()
        cpu = time.process_time()
        hukou_parts(texts)
        print(f"hukou_parts: {len(texts)} distinct texts, {time.process_time() - cpu:.2f} CPU-s")


if __name__ == "__main__":
    main()

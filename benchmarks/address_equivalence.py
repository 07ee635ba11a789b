"""Every output of the address normaliser, saved or compared, and its speed.

    python benchmarks/address_equivalence.py save OUT.pkl SOURCE...
    python benchmarks/address_equivalence.py compare OUT.pkl SOURCE...

For speed work on the normaliser: run ``save`` with the old code, change the
code, run ``compare`` with the same sources; every output must be identical.
A SOURCE is

* a CSV file (UTF-8 or GB18030, as the benchmark data is written): every
  column whose header holds 地址 or 住址;
* a ``.py`` file (the tests' tables): every string constant holding a Chinese
  character;
* a folder of a character-labelled corpus (``*.txt`` in the two-column BIO
  form of Li & Lu, NAACL 2019; see ``real_addresses.py``): each address with
  and without its noise labels.

For each column of texts it records, per distinct text, every field of
``parse_address`` and ``clean``; and, over the whole column (the way a run
takes it), every column of ``normalize_addresses`` and ``hukou_columns``.
Caches are cleared before each column, so both runs see the same sequence.
It prints the CPU time per distinct text of ``normalize_addresses`` and
``hukou_columns`` (noisy on a shared machine: compare runs made together).
Nothing here is committed data: the outputs go where OUT.pkl says.
"""

from __future__ import annotations

import argparse
import ast
import pickle
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import pandas as pd  # noqa: E402

from recon.loaders import _prepare  # noqa: E402
from recon.normalize import _address_grammar as _g  # noqa: E402
from recon.normalize import address  # noqa: E402

_CJK = re.compile(r"[\u3400-\u9fff]")


def _csv_columns(path: Path) -> dict[str, list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SystemExit(f"{path}: neither UTF-8 nor GB18030")
    cols = [c for c in frame.columns if "地址" in c or "住址" in c]
    return {f"{path}:{c}": frame[c].astype(str).tolist() for c in cols}


def _py_strings(path: Path) -> dict[str, list[str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    texts = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and _CJK.search(node.value)
        and len(node.value) < 200
    ]
    return {str(path): texts}


def _corpus(folder: Path) -> dict[str, list[str]]:
    from real_addresses import read_corpus  # type: ignore[import-not-found]

    out: dict[str, list[str]] = {}
    for part in sorted(folder.glob("*.txt")):
        try:
            records = read_corpus(part)
        except ValueError:  # not a corpus part (a list of labels)
            continue
        if not records:
            continue
        whole = ["".join(text for _, text in spans) for spans in records]
        kept = [
            "".join(text for name, text in spans if name not in ("redundant", "person", "assist"))
            for spans in records
        ]
        out[f"{part}:whole"] = whole
        out[f"{part}:kept"] = kept
    return out


def sources(paths: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in map(Path, paths):
        if p.is_dir():
            out.update(_corpus(p))
        elif p.suffix == ".py":
            out.update(_py_strings(p))
        else:
            out.update(_csv_columns(p))
    return out


def _clear() -> None:
    """Empty every cache of the normaliser (the region tables aside)."""
    _prepare._HUKOU_DONE.clear()
    getattr(address, "_KEYED", {}).clear()  # absent before the speed work
    for module in (address, _g, _prepare):
        for name in dir(module):
            fn = getattr(module, name)
            if hasattr(fn, "cache_clear") and not name.startswith(_TABLES):
                fn.cache_clear()


_TABLES = ("_gazetteer", "_sizes", "_starts", "_region_names", "_province_shorts", "_name_sizes")


def outputs(texts: list[str]) -> tuple[dict[str, object], dict[str, float]]:
    distinct = list(dict.fromkeys(texts))
    series = pd.Series(texts, dtype=object)
    _clear()
    t = time.process_time()
    norm = address.normalize_addresses(series)
    t_norm = time.process_time() - t
    _clear()
    t = time.process_time()
    hukou = _prepare.hukou_columns(series)
    t_hukou = time.process_time() - t
    _clear()
    t = time.process_time()
    parsed = [address.parse_address(s) for s in distinct]
    t_parse = time.process_time() - t
    cleaned = [_g.clean(s) for s in distinct]
    out = {
        "normalize": norm,
        "hukou": hukou,
        "parse": [
            (a.text, a.parts, a.house_key, a.building_key, a.locality, a.leftover, a.problems)
            for a in parsed
        ],
        "clean": cleaned,
    }
    n = max(len(distinct), 1)
    times = {"normalize": t_norm / n, "hukou": t_hukou / n, "parse": t_parse / n}
    return out, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=("save", "compare"))
    parser.add_argument("outputs", type=Path)
    parser.add_argument("sources", nargs="+")
    args = parser.parse_args()
    columns = sources(args.sources)
    saved = pickle.loads(args.outputs.read_bytes()) if args.action == "compare" else {}
    results: dict[str, dict[str, object]] = {}
    bad = 0
    for name, texts in columns.items():
        out, times = outputs(texts)
        results[name] = out
        n = len(set(texts))
        line = f"{name}: {len(texts)} texts, {n} distinct; µs per distinct: " + ", ".join(
            f"{k} {v * 1e6:.1f}" for k, v in times.items()
        )
        if args.action == "compare":
            old = saved.get(name)
            if old is None:
                line += "  [not in the saved outputs]"
            else:
                diffs = []
                for key, value in out.items():
                    before = old[key]  # type: ignore[index]
                    if isinstance(value, pd.DataFrame):
                        assert isinstance(before, pd.DataFrame)
                        same = value.equals(before)
                        if not same:
                            for col in value.columns:
                                differ = (value[col] != before[col]).sum()
                                if differ:
                                    diffs.append(f"{key}.{col}: {differ} rows")
                    elif value != before:
                        rows = sum(a != b for a, b in zip(value, before, strict=True))  # type: ignore[arg-type]
                        diffs.append(f"{key}: {rows} texts")
                line += "  SAME" if not diffs else "  DIFFERENT: " + "; ".join(diffs)
                bad += bool(diffs)
        print(line, flush=True)
    if args.action == "save":
        args.outputs.write_bytes(pickle.dumps(results))
    elif bad:
        raise SystemExit(f"{bad} column(s) differ")


if __name__ == "__main__":
    main()

"""Check that two versions of recon's matcher give identical results.

    python tools/match_equality.py OLD_MATCHERS_DIR LOADED.pkl... [--small]

``OLD_MATCHERS_DIR``: a copy of another version's ``recon/matchers`` folder,
e.g. made with ``git archive <rev> recon/matchers | tar -x -C /tmp/old``
(the tool imports it as a package of its own, rewriting nothing on disk: its
``recon.matchers.`` imports are redirected to the copy while it loads).
``LOADED.pkl``: pickled ``(field, system)`` load results of one street, as
the lead's snapshot script writes them (``pickle.dump((f, s), fh)`` of two
``LoadResult``).

Both versions run ``match_records`` on each street with the default rules,
and, with ``--small``, also with decisions (some review pairs judged the same
person, some judged different, some matched pairs ruled out) and in the
人户分离 mode. Compared: pairs (f, s, method, score, reason, every level),
review, differences, both sides' outcome, note and duplicate columns, and the
error estimate. Prints the time of each run, and IDENTICAL or the first
differences; exit code 0 when every street is identical.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path
from types import ModuleType

import pandas as pd

from recon.matchers import fingerprints
from recon.rules import load_rules


def _load_old(folder: Path) -> ModuleType:
    """The matcher package in ``folder``, imported under the name ``_old_matchers``."""
    name = "_old_matchers"
    sources = {p.stem: p.read_text(encoding="utf-8") for p in folder.glob("*.py")}
    package = ModuleType(name)
    package.__path__ = []  # a package without a folder: modules added below
    sys.modules[name] = package
    pending = dict(sources)
    pending.pop("__init__", None)
    while pending:  # load the modules in an order their imports allow
        for stem, text in list(pending.items()):
            module = ModuleType(f"{name}.{stem}")
            module.__package__ = name
            try:
                sys.modules[module.__name__] = module
                exec(
                    compile(text.replace("recon.matchers.", f"{name}."), stem, "exec"), vars(module)
                )
            except ImportError:
                del sys.modules[module.__name__]
                continue
            setattr(package, stem, module)
            del pending[stem]
    exec(
        compile(sources["__init__"].replace("recon.matchers.", f"{name}."), "__init__", "exec"),
        vars(package),
    )
    return package


def _runs(field: pd.DataFrame, system: pd.DataFrame, small: bool, old: ModuleType):
    yield "plain", {}
    if not small:
        return
    base = old.match_records(field, system, load_rules(None).matching)
    ff = fingerprints(field.reset_index(drop=True))
    sf = fingerprints(system.reset_index(drop=True))
    review = base.review[["f", "s"]].to_numpy()
    same = {(ff[a], sf[b]) for a, b in review[0::2]}
    different = {(ff[a], sf[b]) for a, b in review[1::2]}
    different |= {(ff[a], sf[b]) for a, b in base.pairs[["f", "s"]].to_numpy()[::50]}
    yield "decided", {"decided_same": same, "decided_different": different}
    yield "household", {"household": True}


def _parts(result) -> dict[str, object]:
    cols = ["outcome", "note", "dup_of", "dup_side"]
    return {
        "pairs": result.pairs,
        "review": result.review,
        "differences": result.differences,
        "field": result.field[cols],
        "system": result.system[cols],
        "errors": result.estimated_errors,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("streets", type=Path, nargs="+")
    parser.add_argument("--small", action="store_true", help="also decisions and 人户分离")
    args = parser.parse_args()
    old = _load_old(args.old)
    import recon.matchers as new

    rules = load_rules(None).matching
    same_everywhere = True
    for street in args.streets:
        with street.open("rb") as fh:
            f, s = pickle.load(fh)
        identical = True
        for label, kwargs in _runs(f.records, s.records, args.small, old):
            results = {}
            for version, module in (("old", old), ("new", new)):
                start = time.perf_counter()
                results[version] = _parts(
                    module.match_records(f.records, s.records, rules, **kwargs)
                )
                print(f"{street.name}/{label} {version}: {time.perf_counter() - start:.2f} s")
            for key, want in results["old"].items():
                got = results["new"][key]
                try:
                    if isinstance(want, dict):
                        assert got == want, (got, want)
                    else:
                        pd.testing.assert_frame_equal(
                            got.reset_index(drop=True),  # type: ignore[union-attr]
                            want.reset_index(drop=True),  # type: ignore[union-attr]
                            check_dtype=False,
                        )
                except AssertionError as error:
                    identical = same_everywhere = False
                    print(f"  DIFFERENT {street.name}/{label}/{key}: {str(error)[:600]}")
        print(f"{street.name}: {'IDENTICAL' if identical else 'DIFFERENT'}")
    return 0 if same_everywhere else 1


if __name__ == "__main__":
    sys.exit(main())

"""Column recognition on real header sets: how many columns become the right field.

    python benchmarks/real_headers.py [--rows 30] [--show] [--held-out]

The header sets of ``tests/real_header_sets.py`` (taken from the import
templates and exports of public grid-management and community-policing
systems) are written as files in their own layout: title and notes rows, a
two-row header with merged parents, a row of filling instructions, an HTML
table named ``.xls``, a tab-separated export. Each column is filled with
values of its kind (names, valid IDs, addresses, 派出所 names, 区划 names,
dictionary words, a constant 居民身份证...), generated here; ``--rows 0``
writes the templates without data (header only). Then ``recon.load`` reads
each file and its columns are compared with the truth of the set.

Reported per group (tuned sets, held-out sets):
* sets with name, ID number and current address all found (among the sets
  that have the three);
* meaningful columns right: columns that hold a field or were taken for one,
  taken for exactly their field.

``--show`` lists the wrong columns of the tuned sets; ``--held-out`` also of
the held-out ones (look only when the tuning is done).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.real_header_sets import SETS, HeaderSet, write_set  # noqa: E402


@dataclass
class Outcome:
    key: str
    held_out: bool
    has_three: bool
    found_three: bool
    right: int
    meaningful: int
    wrong: list[str]


def measure(hs: HeaderSet, rows: int, folder: Path) -> Outcome:
    from recon.loaders import load

    path, cols = write_set(folder, hs, rows)
    result = load(path, side="system", strict=False)
    got: dict[int, str] = {}
    if result.sheets:
        sheet = next((s for s in result.sheets if s.read), result.sheets[0])
        got = {c.index: c.field or "" for c in sheet.columns}
    right = meaningful = 0
    wrong = []
    for j, c in enumerate(cols):
        predicted = got.get(j, "")
        if c.field or predicted:
            meaningful += 1
            if predicted == c.field:
                right += 1
            else:
                label = f"{c.parent}/{c.sub}" if c.sub else c.parent
                wrong.append(f"{label}: {predicted or '—'} (应为 {c.field or '—'})")
    three = ("name", "id_number", "address")
    truth = {c.field for c in cols}
    has_three = all(f in truth for f in three)
    found = has_three and all(
        any(got.get(j) == f and c.field == f for j, c in enumerate(cols)) for f in three
    )
    return Outcome(hs.key, hs.held_out, has_three, found, right, meaningful, wrong)


def report(outcomes: list[Outcome], held_out: bool) -> str:
    mine = [o for o in outcomes if o.held_out == held_out]
    three = [o for o in mine if o.has_three]
    found = sum(o.found_three for o in three)
    right = sum(o.right for o in mine)
    meaningful = sum(o.meaningful for o in mine)
    name = "held-out" if held_out else "tuned"
    return (
        f"{name:9s}: {len(mine)} sets; name+ID+address found in {found}/{len(three)} "
        f"({found / max(len(three), 1):.0%}); columns right {right}/{meaningful} "
        f"({right / max(meaningful, 1):.1%})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=30, help="data rows per file (0: header only)")
    parser.add_argument("--show", action="store_true", help="list the wrong columns of tuned sets")
    parser.add_argument("--held-out", action="store_true", help="list those of held-out sets too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        outcomes = [measure(hs, args.rows, Path(tmp)) for hs in SETS]
    for o in outcomes:
        if args.show and (not o.held_out or args.held_out) and o.wrong:
            print(f"{o.key}{' (held out)' if o.held_out else ''}: {o.right}/{o.meaningful}")
            for w in o.wrong:
                print("   ", w)
    print(f"rows per file: {args.rows}")
    print(report(outcomes, held_out=False))
    print(report(outcomes, held_out=True))


if __name__ == "__main__":
    main()

"""Region names by birth year against python-stdnum's own reading of its table.

    python benchmarks/region_names.py [--first 1930] [--last 2010]

For every county-level code of ``stdnum/cn/loc.dat`` (python-stdnum >= 2.2,
data from the Chinese Wikipedia's 行政区划代码 pages) and every birth year in
the range, checks :func:`recon.normalize.regions.region_name` against the
county ``stdnum.cn.ric.get_birth_place`` gives -- the reading of the table
stdnum itself ships -- for the year recon names: the birth year, or 1984
(when ID numbers began) for those born before; the first year of use for a
code given later; the last for a code retired before the birth. Reports:

* pairs whose code was in use in the birth year, and how many of them are
  named as in 1984 rather than as at birth;
* pairs whose code was not in use in the birth year, by how they are named;
* names equal to stdnum's county, and names that took the newer of two
  names sharing a year of change (stdnum takes the first listed);
* wrong names: markup left, not Chinese, another name or year;
* the share of county codes named right in every year.

It reads only the installed package; nothing is downloaded or written.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from stdnum.cn import ric  # noqa: E402
from stdnum.exceptions import ValidationError  # noqa: E402

from recon.normalize.regions import (  # noqa: E402
    NUMBERS_SINCE,
    RegionStatus,
    code_periods,
    county_codes,
    region_name,
)

MARKUP = re.compile(r"[\[\],0-9A-Za-z\-]")
CHINESE = re.compile(r"^[\u4e00-\u9fff（）]+$")


def stdnum_county(code: str, year: int) -> str | None:
    """stdnum's county name of ``code`` for a person born in ``year``, or None."""
    try:
        return ric.get_birth_place(f"{code}{year}01010000")["county"]
    except ValidationError:
        return None


def _gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def same_county(full: str, county: str) -> bool:
    """``full`` ends with ``county``, up to the traditional characters stdnum kept."""
    tail = full[-len(county) :]
    return len(tail) == len(county) and all(
        a == b or not _gb2312(b) for a, b in zip(tail, county, strict=True)
    )


def _check(code: str, year: int, counts: Counter[str]) -> str:
    """'' when recon's name for (code, birth year) is right, else what is wrong."""
    got = region_name(code, year)
    if MARKUP.search(got.label) or not CHINESE.match(got.label):
        return f"markup {code} {year}: {got.label}"
    at_birth = stdnum_county(code, year)
    counts["in_use" if at_birth else f"not_in_use_{got.status}"] += 1
    if at_birth and not same_county(got.name, at_birth):
        counts["named_as_1984"] += 1
    # the year recon names: the birth year, 1984, first or last year of use
    if got.year is None or got.status == RegionStatus.UNKNOWN:
        return f"no year {code} {year}: {got.label}"
    if got.status == RegionStatus.IN_USE and got.year != max(year, NUMBERS_SINCE):
        return f"wrong year {code} {year}: {got.year}"
    want = stdnum_county(code, got.year)
    if not want:
        return f"not in use {code} {year} in {got.year} ({got.status})"
    if same_county(got.name, want):
        counts["right"] += 1
        return ""
    shared = [p for p in code_periods(code) if p.holds(got.year)]
    if len(shared) > 1 and got.name.endswith(shared[-1].name):
        counts["change_year"] += 1  # both names in use that year: recon takes the newer
        return ""
    return f"wrong {code} {year}: {got.name} (stdnum: {want} in {got.year})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--first", type=int, default=1930)
    ap.add_argument("--last", type=int, default=2010)
    args = ap.parse_args(argv)
    started = time.perf_counter()
    codes = county_codes()
    counts: Counter[str] = Counter()
    problems: dict[str, str] = {}
    for code in codes:
        for year in range(args.first, args.last + 1):
            problem = _check(code, year, counts)
            if problem:
                counts["wrong"] += 1
                problems.setdefault(code, problem)
    pairs = len(codes) * (args.last - args.first + 1)
    span = f"{args.first}-{args.last}"
    print(f"county-level codes: {len(codes)}; (code, birth year) pairs {span}: {pairs}")
    print(f"  code in use in the birth year (stdnum): {counts['in_use']}")
    n_1984 = counts["named_as_1984"]
    print(f"    of which named as in 1984 (born earlier, renamed by then): {n_1984}")
    for key in sorted(k for k in counts if k.startswith("not_in_use_")):
        print(f"  code not in use in the birth year, named {key[11:]}: {counts[key]}")
    print(f"  name = stdnum's county for the year recon names: {counts['right']}")
    print(f"  newer of two names in a year of change: {counts['change_year']}")
    print(f"  wrong (markup, not Chinese, other name or year): {counts['wrong']}")
    right = len(codes) - len(problems)
    print(f"codes named right in every year: {right} of {len(codes)} ({right / len(codes):.2%})")
    for line in list(problems.values())[:20]:
        print("  ", line)
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0 if not problems else 1


if __name__ == "__main__":
    raise SystemExit(main())

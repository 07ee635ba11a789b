"""The address normaliser on real labelled addresses (not committed: give the path).

    python benchmarks/real_addresses.py CORPUS_DIR [--part tune|held-out|both] [--show N]

CORPUS_DIR holds a character-labelled corpus of Chinese addresses in the
two-column BIO form of Li & Lu, "Neural Chinese Address Parsing" (NAACL
2019; github.com/leodotnet/neural-chinese-address-parsing, data/): one
character (or run of digits) and its label a line, a blank line between
addresses; ``train.txt`` and ``dev.txt`` are the part tuned on, ``test.txt``
(20 % of the corpus) is held out. The labels name prov/city/district/town,
community, road, roadno, poi, subpoi, houseno, cellno, floorno, roomno and
some noise (redundant, person, assist). The repository states no licence,
so none of it is committed here; the tests carry hand-written cases
modelled on its forms instead.

Three figures:

* **parts right** -- of the addresses whose numeric labels are all readable
  (a road number or 弄, building, unit, floor, room, 期/区/排, 组), the share
  whose parsed numbers agree with every label: lane; the house numbers in
  order (road number, then building: annotators label "estate + N号"
  sometimes roadno, sometimes houseno); unit; room; group; an explicit
  floor; 期/区/排 where labelled. A floor the parser derived from the room
  number counts as not written.
* **re-spellings, one key** -- for each address down to a room (or a rural
  house), spellings made from its labelled parts: with or without the
  province/city/district/town, 村 and the town before a village, the road
  or the estate name; Chinese numerals; full-width digits; 号/幢/栋/号楼;
  dash forms (幢-单元-室, 号-室); 单元/门; 室 or none; the floor written
  before the room. Keys are taken the way a run takes them: one call of
  ``normalize_addresses`` over the spellings of one flat (so an estate
  written without its road is resolved by a spelling that has both);
  ``parse_address`` alone is shown too.
* **next room, other key** -- the same flat with the room (or the rural
  house number) one higher, in the base spelling and in a re-spelling:
  its key must differ from the flat's.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import pandas as pd  # noqa: E402

from recon.normalize.address import chinese_number, normalize_addresses, parse_address  # noqa: E402

ADMIN = ("country", "prov", "city", "district", "town")
NUMERIC = ("roadno", "houseno", "cellno", "floorno", "roomno", "subroadno")
CN = "零〇一二三四五六七八九十百千两"
_NUM = rf"(?:[A-Za-z]?\d+[A-Za-z]?|[A-Za-z]|[{CN}]+)"
_FULL = str.maketrans("0123456789", "０１２３４５６７８９")
_DIGITWISE = "〇一二三四五六七八九"


Spans = list[tuple[str, str]]


def read_corpus(path: Path) -> list[Spans]:
    """Addresses as lists of (label, text) spans."""
    out: list[Spans] = []
    cur: Spans = []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if cur:
                out.append(cur)
            cur = []
            continue
        token, label = line.rsplit(" ", 1)
        name = "O" if label == "O" else label[2:].lower()
        if label.startswith(("B-", "S-")) or label == "O" or not cur or cur[-1][0] != name:
            cur.append((name, token))
        else:
            cur[-1] = (name, cur[-1][1] + token)
    return out


def _value(text: str) -> str | None:
    """'12' / '十二' / '０１２' / 'a3' -> '12' / '12' / '12' / 'A3'; None if not a number."""
    t = text.translate(str.maketrans("０１２３４５６７８９", "0123456789")).upper()
    if re.fullmatch(r"[A-Z]?\d+[A-Z]?|[A-Z]", t):
        return re.sub(r"(?<![0-9])0+(?=\d)", "", t)
    n = chinese_number(t)
    return None if n is None else str(n)


@dataclass
class Expected:
    lane: str = ""
    houses: list[str] = field(default_factory=list)  # road number (号), then building
    road_no: str = ""  # the road number alone (号 or 弄)
    unit: str = ""
    floor: str = ""
    room: str = ""
    group: str = ""
    phase: str = ""
    zone: str = ""
    row: str = ""


def expected(spans: Spans) -> Expected | None:
    """The numeric parts the labels give; None when some numeric label is unreadable."""
    e = Expected()
    for label, text in spans:
        t = text.strip()
        if label == "road":
            m = re.fullmatch(rf"({_NUM})[组队]", t)
            if m:
                e.group = _value(m.group(1)) or ""
                if not e.group:
                    return None
            elif re.search(r"\d", t):
                return None
            continue
        if label == "subpoi":
            found = False
            for m in re.finditer(rf"({_NUM})(期|组团|区|排)", t):
                slot = {"期": "phase", "组团": "zone", "区": "zone", "排": "row"}[m.group(2)]
                v = _value(m.group(1))
                if v is None:
                    return None
                setattr(e, slot, v)
                found = True
            if not found and re.search(r"\d", t):
                return None
            continue
        if label not in NUMERIC:
            if re.search(r"\d", t) and label not in ADMIN and label != "redundant":
                return None  # numbers in a name or in noise: nothing to compare with
            if label == "redundant" and re.search(r"\d", t):
                return None
            continue
        if label == "subroadno":
            return None
        pattern = {
            "roadno": rf"第?({_NUM})(号|弄)?",
            "houseno": rf"第?({_NUM})(号楼|号|幢|栋|座)?",
            "cellno": rf"({_NUM})(单元|门)?",
            "floorno": rf"第?(\d+|[{CN}]+)(楼|层|F)?",
            "roomno": rf"第?({_NUM})(室|号|房|房间|户)?",
        }[label]
        m = re.fullmatch(pattern, t, flags=re.IGNORECASE)
        v = _value(m.group(1)) if m else None
        if v is None:
            return None
        if label == "roadno":
            if m and m.group(2) == "弄":
                e.lane = v
            else:
                e.houses.append(v)
            e.road_no = e.road_no or v
        elif label == "houseno":
            e.houses.append(v)
        else:
            setattr(e, {"cellno": "unit", "floorno": "floor", "roomno": "room"}[label], v)
    if not (e.lane or e.houses or e.unit or e.floor or e.room or e.group):
        return None
    return e


def parts_right(text: str, e: Expected) -> tuple[bool, list[str]]:
    """Whether the parser's numbers agree with the labels; the parts that do not."""
    p = parse_address(text).parts
    wrong = []
    houses = [p[k] for k in ("number", "building") if k in p]
    if houses != e.houses:
        wrong.append("house")
    for slot in ("lane", "unit", "room", "group"):
        if p.get(slot, "") != getattr(e, slot):
            wrong.append(slot)
    for slot in ("phase", "zone", "row"):
        if getattr(e, slot) and p.get(slot, "") != getattr(e, slot):
            wrong.append(slot)
    floor = p.get("floor", "")
    if e.floor:
        if floor != e.floor:
            wrong.append("floor")
    elif floor:
        room = p.get("room", "")
        if not (room.isdigit() and int(room) >= 100 and str(int(room) // 100) == floor):
            wrong.append("floor")
    return not wrong, wrong


# --- re-spellings ------------------------------------------------------------------


@dataclass
class Flat:
    admin: list[str]
    town: str
    village: str  # a 村 (group or house numbers under it)
    road: str
    road_no: str
    lane: bool  # the road number is a 弄
    estate: str
    phase: str
    zone: str
    house: str
    unit: str
    floor: str
    room: str
    group: str


def flat_of(spans: Spans, e: Expected) -> Flat | None:
    """The labelled parts of an address down to a room (or a rural house)."""
    admin, town, village, road, estate, sub = [], "", "", "", "", ""
    road_no = ""
    for label, text in spans:
        if label in ("prov", "city", "district"):
            admin.append(text)
        elif label == "town":
            town = text
        elif label == "community":
            if text.endswith("村") and not text.endswith("新村") and not village:
                village = text
            else:
                return None
        elif label == "road" and not re.search(r"[组队]$", text):
            if road:
                return None
            road = text
        elif label == "poi":
            if estate or re.search(r"[\dA-Za-z]", text):
                return None
            estate = text
        elif label == "subpoi" and not re.search(r"\d|[一二三四五六七八九十]", text):
            sub += text  # a named part (东区) belongs to the estate's name
        elif label in ("subroad", "devzone", "subroadno"):
            return None
    road_no = e.road_no if road else ""
    houses = e.houses[1:] if road_no and not e.lane else e.houses
    if len(houses) > 1:
        return None
    house = houses[0] if houses else ""
    rural = bool(village and e.group)
    if not (e.room or rural):
        return None
    if rural and not (house or road_no):
        return None
    if not (road or estate or village):
        return None
    if estate and sub:
        estate += sub
    if e.room and not (house or road_no):
        return None  # a room with no building or door number: a shop, not a flat
    if (e.room and not e.room.isdigit()) or (e.floor and not e.floor.isdigit()):
        return None
    return Flat(
        admin=admin,
        town=town,
        village=village,
        road=road,
        road_no=road_no,
        lane=bool(e.lane),
        estate=estate,
        phase=e.phase,
        zone=e.zone,
        house=house,
        unit=e.unit,
        floor=e.floor,
        room=e.room,
        group=e.group,
    )


def _positional(v: str) -> str:
    if not v.isdigit() or int(v) >= 100:
        return v
    n = int(v)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITWISE[tens] + "十")
    return (head + (_DIGITWISE[ones] if ones else "")) or "零"


def _digitwise(v: str) -> str:
    return "".join(_DIGITWISE[int(c)] if c.isdigit() else c for c in v)


def spell(f: Flat, rng: random.Random | None, room: str | None = None) -> str:
    """One spelling of the flat (``rng`` None: the base spelling)."""
    r = rng or random.Random(0)
    vary = rng is not None

    def pick(options: list[str], base: str) -> str:
        return r.choice(options) if vary else base

    def num(v: str, short: bool = True) -> str:
        if not vary or not v.isdigit() or r.random() > 0.25:
            return v
        return _positional(v) if short and int(v) < 100 else _digitwise(v)

    room = f.room if room is None else room
    out = []
    keep_admin = not vary or r.random() < 0.5
    if keep_admin:
        out += f.admin
    if f.town and (not vary or r.random() < 0.6):
        out.append(f.town)
    village = f.village
    if village and vary and f.group and r.random() < 0.4:
        village = village.removesuffix("村")
    use_road = bool(f.road) and (not f.estate or not vary or r.random() < 0.7)
    use_estate = bool(f.estate) and (not use_road or not vary or r.random() < 0.6)
    if not f.road_no and f.estate:
        use_estate = True
    if village and (not use_road or r.random() < 0.7 or not vary):
        out.append(village)
    if f.group:
        out.append(num(f.group) + "组")
    if use_road:
        out.append(f.road)
        if f.road_no:
            out.append(num(f.road_no) + ("弄" if f.lane else "号"))
    if use_estate:
        out.append(f.estate)
    if f.phase:
        out.append(num(f.phase) + "期")
    if f.zone:
        out.append(num(f.zone) + "区")
    tail = []
    anchored = use_estate or (use_road and bool(f.road_no))  # N号 and dashes read as a building
    dash = vary and anchored and not f.floor and r.random() < 0.25 and f.house and room
    if dash and f.unit:
        tail.append(f"{f.house}-{f.unit}-{room}")
    elif dash and not f.unit:
        tail.append(f"{f.house}-{room}")
    else:
        if f.house:
            word = pick(["幢", "栋", "号楼", "号"] if anchored else ["幢", "栋", "号楼"], "幢")
            if f.village and not f.estate and not use_road:
                last = not (f.unit or f.floor or room)
                word = pick(["号", ""] if last else ["号"], "号")
            tail.append(num(f.house) + word)
        if f.unit:
            tail.append(num(f.unit) + pick(["单元", "单元", "单元", "门"], "单元"))
        if f.floor:
            tail.append(num(f.floor) + pick(["楼", "层"], "楼"))
        elif vary and room.isdigit() and int(room) >= 101 and r.random() < 0.2:
            tail.append(str(int(room) // 100) + "楼")
        if room:
            tail.append(num(room, short=False) + pick(["室", "室", "", "房"], "室"))
    text = "".join(out + tail)
    if vary and r.random() < 0.15:
        text = text.translate(_FULL)
    return text


def next_room(f: Flat) -> Flat | None:
    if f.room:
        return Flat(**{**f.__dict__, "room": str(int(f.room) + 1)})
    house = f.house or f.road_no
    if not house.isdigit():
        return None
    if f.house:
        return Flat(**{**f.__dict__, "house": str(int(house) + 1)})
    return Flat(**{**f.__dict__, "road_no": str(int(house) + 1)})


# --- the run ------------------------------------------------------------------------


def _pct(a: int, b: int) -> str:
    return f"{a}/{b} = {100 * a / b:.1f} %" if b else "0/0"


def measure(records: list[Spans], name: str, show: int, seed: int) -> None:
    rng = random.Random(seed)
    scored = right = 0
    wrong_by: dict[str, int] = {}
    examples: list[str] = []
    flats: list[Flat] = []
    for spans in records:
        e = expected(spans)
        if e is None:
            continue
        text = "".join(t for _, t in spans)
        ok, wrong = parts_right(text, e)
        scored += 1
        right += ok
        for w in wrong:
            wrong_by[w] = wrong_by.get(w, 0) + 1
        if not ok and len(examples) < show:
            examples.append(f"  {text}  labels={e}  parsed={parse_address(text).parts}")
        f = flat_of(spans, e)
        if f is not None:
            flats.append(f)

    same = total = flat_ok = alone_same = 0
    other = other_total = 0
    bad: list[str] = []
    for f in flats:
        base = spell(f, None)
        variants = [spell(f, rng) for _ in range(6)]
        nxt = next_room(f)
        others = [] if nxt is None else [spell(nxt, None), spell(nxt, rng)]
        keys = normalize_addresses(pd.Series([base, *variants, *others], dtype=object))
        k = keys["addr_key"].tolist()
        base_key, var_keys, other_keys = k[0], k[1 : 1 + len(variants)], k[1 + len(variants) :]
        agree = [v == base_key and bool(base_key) for v in var_keys]
        same += sum(agree)
        total += len(agree)
        flat_ok += all(agree)
        alone = parse_address(base).house_key
        alone_same += sum(parse_address(v).house_key == alone for v in variants)
        diff = [o != base_key for o in other_keys]
        other += sum(diff)
        other_total += len(diff)
        if (not all(agree) or not all(diff)) and len(bad) < show:
            bad.append(
                f"  {base} -> {base_key}\n"
                + "".join(
                    f"      {v} -> {kv}\n"
                    for v, kv, a in zip(variants, var_keys, agree, strict=True)
                    if not a
                )
                + "".join(
                    f"      next: {o} -> {ko}\n"
                    for o, ko, d in zip(others, other_keys, diff, strict=True)
                    if not d
                )
            )
    print(f"== {name}: {len(records)} addresses")
    print(f"parts right:                 {_pct(right, scored)}")
    print("  wrong part counts:", dict(sorted(wrong_by.items(), key=lambda kv: -kv[1])))
    print(f"flats re-spelt:              {len(flats)}")
    print(f"re-spellings, one key:       {_pct(same, total)} (per spelling)")
    print(f"                             {_pct(flat_ok, len(flats))} (every spelling of a flat)")
    print(f"  parse_address alone:       {_pct(alone_same, total)}")
    print(f"next room, other key:        {_pct(other, other_total)}")
    if examples:
        print("parts wrong, e.g.:")
        print("\n".join(examples))
    if bad:
        print("keys wrong, e.g.:")
        print("".join(bad))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("corpus", type=Path, help="folder with train.txt, dev.txt, test.txt")
    parser.add_argument("--part", choices=("tune", "held-out", "both"), default="both")
    parser.add_argument("--show", type=int, default=0, help="print up to N failures")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    parts = {
        "tune": ["train.txt", "dev.txt"],
        "held-out": ["test.txt"],
    }
    for name, files in parts.items():
        if args.part not in (name, "both"):
            continue
        records = [r for f in files for r in read_corpus(args.corpus / f)]
        measure(records, name, args.show, args.seed)


if __name__ == "__main__":
    main()

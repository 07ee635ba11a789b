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
import random
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.real_header_sets import SETS, HeaderSet, parse_column  # noqa: E402

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程魏苏"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰文辉晓东海燕雪梅春"
REGIONS = [
    ("湖南省", "长沙市", "芙蓉区", "430102"),
    ("湖南省", "长沙市", "岳麓区", "430104"),
    ("四川省", "成都市", "武侯区", "510107"),
    ("河南省", "信阳市", "浉河区", "411502"),
    ("上海市", "上海市", "闵行区", "310112"),
]
ROADS = ["韭菜园路", "五一大道", "古美路", "人民中路", "解放西路", "麓山南路"]
ESTATES = ["东方花园", "金色家园", "阳光小区", "芙蓉苑", "锦绣华庭"]
DICT_WORDS = ["务工", "经商", "投靠亲友", "学习", "已婚", "未婚", "群众", "高中", "初中", "其他"]


def _check(body: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def _id(rng: random.Random) -> str:
    region = rng.choice(REGIONS)[3]
    body = f"{region}{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body += f"{rng.randint(0, 999):03d}"
    return body + _check(body)


def _address(rng: random.Random) -> str:
    road, estate, n = rng.choice(ROADS), rng.choice(ESTATES), rng.randint
    style = n(0, 3)
    if style == 0:
        return f"{road}{n(1, 400)}号{n(1, 12)}栋{n(101, 1802)}室"
    if style == 1:
        return f"{road}{n(100, 1500)}弄{n(1, 60)}号{n(101, 602)}室"
    if style == 2:
        return f"{estate}{n(1, 20)}栋{n(1, 4)}单元{n(101, 2402)}"
    return f"七宝镇联明村{n(1, 9)}组{n(1, 200)}号"


def _region(rng: random.Random, sub: str) -> str:
    prov, city, county, _ = rng.choice(REGIONS)
    if sub.startswith("省"):
        return prov
    if sub.startswith("市"):
        return city
    if sub.startswith(("区", "县")):
        return county
    return prov + city + county


def _kind(header: str, sub: str, fld: str, kind: str) -> str:
    """The kind of values a column holds: given, by its field, or by its header."""
    if kind:
        return kind
    by_field = {
        "name": "name", "id_number": "id", "sex": "sex", "address": "addr",
        "hukou_address": "addr", "phone": "phone", "committee": "committee",
        "ethnicity": "ethnic", "status": "status", "cancel_flag": "flag", "serial": "serial",
        "remark": "text", "collector": "name", "kind": "dict", "record_key": "code",
        "birth_date": "date", "registered_on": "date", "arrived_on": "date",
        "cancelled_on": "date", "collected_on": "date",
    }  # fmt: skip
    if fld in by_field:
        return by_field[fld]
    return "dict"


def _value(kind: str, rng: random.Random, row: int, sub: str) -> str:
    if kind == "name":
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
    if kind == "id":
        return _id(rng)
    if kind == "sex":
        return rng.choice("男女")
    if kind == "date":
        y, m, d = rng.randint(1990, 2023), rng.randint(1, 12), rng.randint(1, 28)
        return rng.choice([f"{y}-{m:02d}-{d:02d}", f"{y}.{m:02d}.{d:02d}", f"{y}{m:02d}{d:02d}"])
    if kind == "phone":
        return f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}"
    if kind == "addr":
        return _address(rng)
    if kind == "region":
        return _region(rng, sub)
    if kind == "police":
        branch = rng.choice(["芙蓉", "岳麓", "天心"])
        return f"长沙市公安局{branch}分局{rng.choice(['韭菜园', '文艺路', '望月湖'])}派出所"
    if kind == "grid":
        return f"{rng.choice(['韭菜园', '文艺路'])}社区第{rng.randint(1, 9)}网格"
    if kind == "committee":
        return f"{rng.choice(['韭菜园', '文艺路', '望月湖'])}社区"
    if kind == "word":
        return "居民身份证"
    if kind == "code":
        return f"{rng.randint(10**9, 10**12)}"
    if kind == "number":
        return str(rng.randint(100, 190))
    if kind == "pinyin":
        return rng.choice(["ZHANG SAN", "LI SI", "WANG WU"])
    if kind == "ethnic":
        return rng.choice(["汉族", "汉族", "回族", "土家族"])
    if kind == "status":
        return rng.choice(["正常", "正常", "注销"])
    if kind == "flag":
        return rng.choice(["0", "0", "1"])
    if kind == "serial":
        return str(row + 1)
    if kind == "estate":
        return rng.choice(ESTATES)
    if kind in ("building", "unit"):
        return str(rng.randint(1, 20))
    if kind == "room":
        return str(rng.randint(101, 2402))
    if kind == "text":
        return rng.choice(["", "长沙市某某科技有限公司", "无", "在家务农"])
    return rng.choice(DICT_WORDS)


@dataclass
class Col:
    parent: str
    sub: str
    field: str
    kind: str


def _columns(hs: HeaderSet) -> list[Col]:
    out = []
    for spec in hs.columns:
        parent, sub, fld, kind = parse_column(spec)
        out.append(Col(parent, sub, fld, _kind(parent, sub, fld, kind)))
    return out


def _data(cols: list[Col], rows: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    return [[_value(c.kind, rng, i, c.sub) for c in cols] for i in range(rows)]


INSTRUCTION = "必填，请按格式填写"


def _write_xlsx(path: Path, hs: HeaderSet, cols: list[Col], data: list[list[str]]) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    width = len(cols)
    top: list[list[object]] = []
    if "title" in hs.layout:
        top.append(["1.0", "人员信息登记表"])
    if "notes" in hs.layout:
        top.append(["", "填写注意事项：\n1.表格中带有*的单元格，为必须填入的数据项目。"])
    if "info" in hs.layout:
        top.append(["填报单位：", "某某省", "省*", "某某市", "市*", "某某区", "市/县/区*"])
    top.append([])
    for row in top:
        ws.append(row)
    head = len(top) + 1
    two_rows = any(c.sub for c in cols)
    ws.append([c.parent for c in cols])
    if two_rows:
        ws.append([c.sub for c in cols])
        j = 0
        while j < width:
            k = j
            while k + 1 < width and cols[k + 1].parent == cols[j].parent and cols[j].sub:
                k += 1
            if cols[j].sub:
                for m in range(j + 1, k + 1):
                    ws.cell(head, m + 1).value = None
                if k > j:
                    ws.merge_cells(
                        start_row=head, start_column=j + 1, end_row=head, end_column=k + 1
                    )
            else:
                ws.merge_cells(
                    start_row=head, start_column=j + 1, end_row=head + 1, end_column=j + 1
                )
            j = k + 1
    if "instructions" in hs.layout:
        ws.append([INSTRUCTION if c.field in ("name", "id_number") else "选填" for c in cols])
    for row in data:
        ws.append(row)
    wb.save(path)


def _write_html(path: Path, cols: list[Col], data: list[list[str]]) -> None:
    from html import escape

    two_rows = any(c.sub for c in cols)
    first, second = [], []
    j = 0
    while j < len(cols):
        k = j
        while k + 1 < len(cols) and cols[k + 1].parent == cols[j].parent and cols[j].sub:
            k += 1
        if cols[j].sub:
            first.append(f'<th colspan="{k - j + 1}">{escape(cols[j].parent)}</th>')
            second.extend(f"<th>{escape(cols[m].sub)}</th>" for m in range(j, k + 1))
        else:
            span = ' rowspan="2"' if two_rows else ""
            first.append(f"<th{span}>{escape(cols[j].parent)}</th>")
        j = k + 1
    rows = ["<tr>" + "".join(first) + "</tr>"]
    if two_rows:
        rows.append("<tr>" + "".join(second) + "</tr>")
    for r in data:
        rows.append("<tr>" + "".join(f"<td>{escape(v)}&nbsp;</td>" for v in r) + "</tr>")
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=GBK">'
        '</head><body><table border="1">' + "\n".join(rows) + "</table></body></html>"
    )
    path.write_bytes(html.encode("gbk"))


def _write_tab(path: Path, cols: list[Col], data: list[list[str]]) -> None:
    lines = ["\t".join(c.parent for c in cols), *("\t".join(r) for r in data)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))


def write_set(folder: Path, hs: HeaderSet, rows: int, seed: int = 1) -> tuple[Path, list[Col]]:
    cols = _columns(hs)
    data = _data(cols, rows, seed)
    if "html" in hs.layout:
        path = folder / f"{hs.key}.xls"
        _write_html(path, cols, data)
    elif "tab" in hs.layout:
        path = folder / f"{hs.key}.txt"
        _write_tab(path, cols, data)
    else:
        path = folder / f"{hs.key}.xlsx"
        _write_xlsx(path, hs, cols, data)
    return path, cols


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

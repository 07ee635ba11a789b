"""人户分离 mode: one named case per outcome, on a hand-made sweep and list.

The sweep (排查表) is the field side, the police's separation list the system
side. Each case is a person whose two addresses say what must come out.
"""

from __future__ import annotations

import csv
import json

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from recon.cli import app, expand_argv
from recon.normalize import check_char


def make_id(region: str, birth: str, seq: str) -> str:
    body = region + birth + seq
    return body + check_char(body)


STILL = make_id("310112", "19800101", "123")
BACK_HOME = make_id("310112", "19810202", "234")
MOVED = make_id("310112", "19820303", "345")
GONE = make_id("310112", "19830404", "456")
UNREG_HERE = make_id("310112", "19840505", "567")
UNREG_AWAY = make_id("310112", "19860707", "789")
LOCAL = make_id("310112", "19850606", "678")
TYPO = make_id("310112", "19870808", "891")
NO_HUKOU = make_id("310112", "19880909", "912")


def _typo(id_: str) -> str:
    return id_[:10] + ("9" if id_[10] != "9" else "8") + id_[11:]


SWEEP = [
    ["姓名", "性别", "公民身份号码", "户籍地址", "现居住地址"],
    ["张三", "男", STILL, "上海市徐汇区漕溪北路100号201室", "古美路1255弄12号302室"],
    ["李四", "男", BACK_HOME, "古美路1弄2号101室", "古美路1弄2号101室"],
    ["王五", "男", MOVED, "上海市长宁区天山路5号301室", "古美路1255弄14号101室"],
    ["赵六", "女", UNREG_HERE, "上海市静安区南京西路1号", "古美路7弄1号102室"],
    ["周九", "男", UNREG_AWAY, "古美路9弄5号301室", "上海市浦东新区世纪大道8号"],
    ["钱七", "女", LOCAL, "古美路9弄3号201室", "古美路九弄三号二零一室"],  # one flat, two spellings
    ["吴十", "女", _typo(TYPO), "上海市徐汇区天钥桥路2号", "古美路3弄4号501室"],
    ["郑一", "男", NO_HUKOU, "", "古美路5弄6号101室"],
]
LIST = [
    ["姓名", "性别", "公民身份号码", "户口所在地址", "现居住地址", "人户分离类型", "所属居委"],
    ["张三", "男", STILL, "上海市徐汇区漕溪北路100号201室", "上海市闵行区古美路1255弄12-302",
     "人在户不在", "古美一村"],
    ["李四", "男", BACK_HOME, "上海市闵行区古美路1弄2号101室", "上海市浦东新区张杨路3号",
     "户在人不在", "古美一村"],
    ["王五", "男", MOVED, "上海市长宁区天山路5号301室", "上海市闵行区古美路1255弄16号101室",
     "人在户不在", "古美一村"],
    ["孙八", "女", GONE, "上海市黄浦区人民路8号", "上海市闵行区古美路20弄1号101室",
     "人在户不在", "古美一村"],
    ["吴十", "女", TYPO, "上海市徐汇区天钥桥路2号", "上海市闵行区古美路3弄4号501室",
     "人在户不在", "古美一村"],
]  # fmt: skip


def invoke(*args):
    return CliRunner().invoke(app, expand_argv([str(a) for a in args]))


def _write(path, rows, encoding):
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)


def _csv(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    root = tmp_path_factory.mktemp("sep")
    (root / "f").mkdir()
    (root / "s").mkdir()
    _write(root / "f" / "古美一村人户分离排查表.csv", SWEEP, "utf-8-sig")
    _write(root / "s" / "人户分离人员名单.csv", LIST, "gb18030")
    out = root / "out"
    res = invoke("match", root / "f", "--system", root / "s", "--out", out, "--mode", "人户分离")
    assert res.exit_code == 0, res.stderr
    assert "人户分离：仍分离" in res.stderr
    return root, out


def _match_of(out, name):
    m = _csv(out / "matches.csv")
    hit = m[m["field_name"] == name]
    return hit.iloc[0] if len(hit) else None


@pytest.mark.parametrize(
    ("name", "separation", "sep_type"),
    [
        ("张三", "still", "人在户不在"),  # list address spelled 12-302: the same flat
        ("李四", "back_home", "户在人不在"),  # found living at the hukou flat
        ("王五", "moved", "人在户不在"),  # 14号 on the sweep, 16号 on the list
        ("吴十", "still", "人在户不在"),  # a mistyped ID on the sweep: still matched
    ],
)
def test_listed_people_found_by_the_sweep(result, name, separation, sep_type):
    _root, out = result
    row = _match_of(out, name)
    assert row is not None, name
    assert (row["separation"], row["sep_type"]) == (separation, sep_type)


@pytest.mark.parametrize(
    ("name", "sep_type", "form"),
    [
        ("赵六", "人在户不在", "人在户不在人员情况信息采集表"),
        ("周九", "户在人不在", "户在人不在人员情况信息采集表"),  # hukou in the street
    ],
)
def test_unregistered_separations_get_their_form(result, name, sep_type, form):
    _root, out = result
    fo = _csv(out / "field_only.csv").set_index("field_name")
    assert fo.loc[name, "separation"] == "unregistered"
    assert (fo.loc[name, "sep_type"], fo.loc[name, "form"]) == (sep_type, form)
    wb = openpyxl.load_workbook(out / "人户分离采集表.xlsx")
    names = [c.value for row in wb[sep_type].iter_rows() for c in row]
    assert name in names


def test_a_resident_at_the_hukou_flat_is_not_separated(result):
    _root, out = result
    rows = _csv(out / "rows.csv")
    field = rows[rows["side"] == "field"]
    assert field.loc[field["row"] == "7", "outcome"].tolist() == ["not_separated"]  # 钱七
    assert "钱七" not in set(_csv(out / "field_only.csv")["field_name"])


def test_a_missing_address_is_not_guessed(result):
    _root, out = result
    fo = _csv(out / "field_only.csv").set_index("field_name")
    assert fo.loc["郑一", "separation"] == "unknown"


def test_listed_person_not_found_is_visited_with_both_addresses(result):
    _root, out = result
    so = _csv(out / "system_only.csv")
    assert so["system_name"].tolist() == ["孙八"]
    wb = openpyxl.load_workbook(out / "人户分离核查单.xlsx")
    ws = next(w for w in wb.worksheets if w.sheet_state == "visible")
    header = [c.value for c in ws[3]]
    assert {"户籍地址", "名单现居住地址", "排查情况", "仍分离", "已不分离", "住址变动"} <= set(
        header
    )
    people = {
        r[header.index("姓名")]: r[header.index("排查情况")]
        for r in ws.iter_rows(min_row=4, values_only=True)
        if str(r[header.index("记录号")] or "").startswith("R")
    }
    assert set(people) == {"张三", "李四", "王五", "孙八", "吴十"}  # everyone on the list
    assert people["孙八"] == "未排查到" and people["李四"] == "已在户籍地居住"


def test_the_separation_list_is_printed_as_pdf_too(result):
    _root, out = result
    pdfs = sorted((out / "人户分离核查单PDF").glob("*.pdf"))
    assert [p.name for p in pdfs] == ["古美一村.pdf"]  # one per 居委 on the list
    data = pdfs[0].read_bytes()
    assert data.startswith(b"%PDF") and b"+NotoSansSC-Regular" in data  # an embedded subset


def test_every_row_has_one_outcome(result):
    _root, out = result
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["mode"] == "人户分离"
    for side in ("field", "system"):
        assert summary["totals_check"][side]["ok"]
    assert summary["outcomes"]["field"]["not_separated"] == 1
    assert summary["separation"] == {
        "still": 2,
        "back_home": 1,
        "moved": 1,
        "unregistered": 2,
        "not_separated": 1,
        "unknown": 1,
    }


def test_visited_separation_list_reads_back(result):
    root, out = result
    wb = openpyxl.load_workbook(out / "人户分离核查单.xlsx")
    ws = next(w for w in wb.worksheets if w.sheet_state == "visible")
    header = [c.value for c in ws[3]]
    col = {h: i + 1 for i, h in enumerate(header)}
    for r in range(4, ws.max_row + 1):
        name = ws.cell(r, col["姓名"]).value
        if not str(ws.cell(r, col["记录号"]).value or "").startswith("R"):
            continue
        if name == "孙八":
            ws.cell(r, col["已不分离"]).value = "√"
        elif name == "王五":
            ws.cell(r, col["住址变动"]).value = "√"
            ws.cell(r, col["变动后现住址"]).value = "古美路1255弄14号101室"
        elif name == "吴十":
            ws.cell(r, col["住址变动"]).value = "√"  # no new address written: a problem
        else:
            ws.cell(r, col["仍分离"]).value = "√"
    wb.save(root / "visited.xlsx")
    res = invoke("results", root / "visited.xlsx", "--out", root / "r", "--match", out)
    assert res.exit_code == 0, res.stderr
    cancel = _csv(root / "r" / "注销表.csv")
    assert cancel["姓名"].tolist() == ["孙八"]
    assert cancel["注销原因"].tolist() == ["已不分离（已在户籍地址居住）"]
    change = _csv(root / "r" / "变更表.csv")
    visited = change[change["来源"] == "上门核查"].set_index("姓名")
    assert visited.loc["王五", "核查到"] == "古美路1255弄14号101室"
    assert visited.loc["王五", "变更项目"] == "现居住地址"
    problems = _csv(root / "r" / "问题.csv")
    assert problems["问题"].str.contains("住址变动但没有写").sum() == 1
    visits = _csv(root / "r" / "visits.csv")
    assert sorted(visits["outcome"]) == ["back_home", "moved", "moved", "still", "still"]
    progress = _csv(root / "r" / "进度.csv").set_index("居委")
    assert progress.loc["合计", "仍分离"] == "2" and progress.loc["合计", "已不分离"] == "1"


def test_a_moved_person_without_id_is_found_by_the_hukou_flat(tmp_path):
    # the sweep has no ID and a new home; the hukou flat is the list's:
    # name + sex + hukou flat is enough, in either mode (both compare the
    # hukou address now).
    moved = make_id("310112", "19890101", "135")
    (tmp_path / "f").mkdir()
    (tmp_path / "s").mkdir()
    _write(
        tmp_path / "f" / "古美一村人户分离排查表.csv",
        [SWEEP[0], ["冯二", "女", "", "上海市普陀区长寿路10号201室", "古美路30弄2号301室"]],
        "utf-8-sig",
    )
    _write(
        tmp_path / "s" / "人户分离人员名单.csv",
        [LIST[0], ["冯二", "女", moved, "上海市普陀区长寿路10号201室",
                   "上海市闵行区古美路40弄1号101室", "人在户不在", "古美一村"]],
        "utf-8-sig",
    )  # fmt: skip
    for mode, matched in (("人户分离", True), ("", True)):
        out = tmp_path / f"out{mode}"
        args = ["match", tmp_path / "f", "--system", tmp_path / "s", "--out", out]
        res = invoke(*args, *(["--mode", mode] if mode else []))
        assert res.exit_code == 0, res.stderr
        m = _csv(out / "matches.csv")
        assert len(m) == int(matched), mode
        assert "户籍地址为同一套房" in m.loc[0, "reason"]
        if mode:
            assert m.loc[0, "separation"] == "moved"


def test_other_commands_refuse_a_separation_result(result):
    _root, out = result
    assert invoke("worklist", out).exit_code == 2
    res = invoke("audit", out)
    assert res.exit_code == 1 and "人户分离" in res.stderr


def test_unknown_mode_is_a_usage_error(result, tmp_path):
    root, _out = result
    res = invoke(
        "match", root / "f", "--system", root / "s", "--out", tmp_path / "x", "--mode", "流动"
    )
    assert res.exit_code == 2 and "人户分离" in res.stderr


# --- end to end on the generator's separation street, against its truth -------------


@pytest.mark.parametrize("seed", [3, 17])
def test_generated_street_every_outcome_above_99_percent(tmp_path, seed):
    from recon.sample import SeparationSpec, generate_separation, write_separation

    from .separation_quality import score

    files = write_separation(
        generate_separation(SeparationSpec(seed=seed, committees=3, residents_per_committee=250)),
        tmp_path / "data",
    )
    out = tmp_path / "out"
    res = invoke(
        "match", files.field_dir, "--system", files.system_dir, "--out", out, "--mode", "人户分离"
    )
    assert res.exit_code == 0, res.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    for side in ("field", "system"):
        review = summary["outcomes"][side].get("review", 0)
        assert review <= 0.02 * summary["rows_read"][side], (side, review)
    scores = score(out, files.truth_path)
    assert set(scores) == {
        "field:still", "field:back_home", "field:moved", "field:unregistered",
        "field:not_separated", "system:found", "system:to_visit",
    }  # fmt: skip
    for label, s in scores.items():
        assert s.tp > 0, label
        assert s.precision >= 0.99 and s.recall >= 0.99, (label, s)
    # the type of an unregistered separation picks the 采集表: it must be the true one
    truth = _csv(files.truth_path)
    kind = dict(
        zip(truth["file"] + "|" + truth["sheet"] + "|" + truth["row"], truth["kind"], strict=True)
    )
    fo = _csv(out / "field_only.csv")
    fo = fo[fo["separation"] == "unregistered"]
    places = fo["field_file"] + "|" + fo["field_sheet"] + "|" + fo["field_row"]
    right = sum(kind[p] == t for p, t in zip(places, fo["sep_type"], strict=True))
    assert right / len(fo) >= 0.99, (right, len(fo))

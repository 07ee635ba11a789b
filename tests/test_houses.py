"""The house register (recon houses / recon find) on a hand-made street whose
every dwelling is one case: flags with their reasons, codes that hold across
runs and re-spellings and are never reused, and the desk look-ups."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

import recon.cli
from recon.cli import app
from recon.houses import find, run_houses
from recon.normalize.ids import check_char
from recon.pipeline import run_match

ROAD = "古美路1255弄"


def pid(n: int, birth: str = "19900101", region: str = "310112") -> str:
    body = f"{region}{birth}{n:03d}"
    return body + check_char(body)


# (name, id, flat, hukou address): the people living at each case's flat
PEOPLE = [
    # A: a family of two, in the list, owner lives there -> no flag
    ("王建国", pid(11), "12号302室", "安徽省合肥市蜀山区长江路1号"),
    ("李秀英", pid(12, "19920304"), "12号302室", "安徽省合肥市蜀山区长江路1号"),
    # B: nine unrelated people in 40 m2 / 2 rooms, not marked 出租, owner elsewhere
    *[
        (f"{s}明", pid(20 + i, f"198{i}0101"), "12号401室", f"{p}省某县某村{i}组")
        for i, (s, p) in enumerate(
            zip(
                "赵钱孙李周吴郑冯陈",
                ["河南", "安徽", "江苏", "四川", "湖南", "湖北", "江西", "山东", "贵州"],
                strict=True,
            )
        )
    ],
    # C: a person living in a 商铺
    ("蒋一鸣", pid(31), "13号101室", "浙江省温州市鹿城区人民路5号"),
    # D: people at a flat the list does not have
    ("韩梅", pid(41), "14号201室", "江苏省南通市崇川区工农路9号"),
    # F: registered only (nobody found) -> mismatch; G: found only -> mismatch
    ("杨帆", pid(61), "16号501室", "四川省成都市武侯区科华路3号"),
    ("朱丽", pid(71), "17号601室", "湖南省长沙市岳麓区麓山路8号"),
]
SYSTEM_ONLY = {"杨帆"}  # registered, not met at the door
FIELD_ONLY = {"朱丽"}  # met at the door, not registered

LIST_COLUMNS = ["房屋编码", "房屋地址", "房屋用途", "使用情况", "产权人", "产权人身份证号"]
LIST_COLUMNS += ["建筑面积", "房间数"]
LIST = pd.DataFrame(
    [
        # code, address, use, occupancy, owner, owner id, area, rooms
        ("310112001001", f"{ROAD}12号302室", "住宅", "自住", "王建国", pid(11), 60, 2),
        ("310112001002", f"{ROAD}12号401室", "住宅", "自住", "沈大海", pid(90), 40, 2),
        ("", f"{ROAD}13号101室", "商铺", "自用", "", "", 30, 1),
        ("310112001005", f"{ROAD}15号301室", "住宅", "出租", "许强", pid(91), 55, 2),
        ("310112001006", f"{ROAD}16号501室", "住宅", "自住", "杨帆", pid(61), 50, 2),
        ("310112001007", f"{ROAD}17号601室", "住宅", "自住", "", "", 50, 2),
    ],
    columns=[
        "房屋编码",
        "房屋地址",
        "房屋用途",
        "使用情况",
        "产权人",
        "产权人身份证号",
        "建筑面积",
        "房间数",
    ],
)

EXPECTED = {  # flat -> flags
    "12号302室": set(),
    "12号401室": {"overcrowded", "rental_unregistered"},
    "13号101室": {"non_residential"},
    "14号201室": {"not_in_list"},
    "15号301室": {"rental_unregistered"},
    "16号501室": {"mismatch"},
    "17号601室": {"mismatch"},
}


def _write(folder: Path, spell=lambda flat: f"{ROAD}{flat}") -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    field = pd.DataFrame(
        [
            {"姓名": n, "身份证号": i, "现居住地址": spell(f), "户籍地址": h, "居委": "古美一村"}
            for n, i, f, h in PEOPLE
            if n not in SYSTEM_ONLY
        ]
    )
    system = pd.DataFrame(
        [
            {
                "姓名": n,
                "公民身份号码": i,
                "暂住地址": f"上海市闵行区{ROAD}{f}",
                "户籍地址": h,
                "状态": "正常",
                "居委": "古美一村",
            }
            for n, i, f, h in PEOPLE
            if n not in FIELD_ONLY
        ]
    )
    field_path, system_path = folder / "采集表.csv", folder / "系统.csv"
    field.to_csv(field_path, index=False, encoding="utf-8-sig")
    system.to_csv(system_path, index=False, encoding="gb18030")
    return field_path, system_path


@pytest.fixture
def street(tmp_path):
    field, system = _write(tmp_path / "in")
    run_match([field], [system], tmp_path / "结果")
    house_list = tmp_path / "in" / "房屋清册.xlsx"
    LIST.to_excel(house_list, index=False)
    return tmp_path / "结果", house_list, tmp_path / "登记库.sqlite"


def _by_flat(houses: pd.DataFrame) -> dict[str, pd.Series]:
    return {
        str(r["house_key"]).replace(ROAD, "").replace("古美路", ""): r for _, r in houses.iterrows()
    }


def test_every_flag_with_its_reason(street):
    result, house_list, register = street
    report = run_houses(result, [house_list], register, day=dt.date(2026, 11, 30))
    houses = _by_flat(report.houses)
    for flat, flags in EXPECTED.items():
        got = set(filter(None, str(houses[flat]["flags"]).split(";")))
        assert got == flags, (flat, houses[flat]["reasons"])
    b = houses["12号401室"]
    assert "人均居住面积约 3.6 平方米" in b["reasons"] and "9 个户籍地址" in b["reasons"]
    assert "非产权人家庭" in b["reasons"]
    assert houses["15号301室"]["reasons"] == "出租未登记：清册标为出租，但没有任何人登记在此"
    # codes from the list kept; the 商铺 without one and the unlisted flat got local ones
    assert houses["12号302室"]["house_code"] == "310112001001"
    assert str(houses["13号101室"]["house_code"]).startswith("L")
    assert str(houses["14号201室"]["house_code"]).startswith("L")


def test_contract_columns_and_every_row_has_its_dwelling(street):
    result, house_list, register = street
    run_houses(result, [house_list], register)
    houses = pd.read_csv(result / "houses.csv", dtype=str, keep_default_na=False)
    assert list(houses.columns[:14]) == [
        "house_code",
        "house_key",
        "committee",
        "address",
        "in_list",
        "registered",
        "found",
        "matched",
        "to_enter",
        "to_visit",
        "use",
        "rental",
        "area",
        "flags",
    ]
    assert houses["house_code"].is_unique
    residents = pd.read_csv(result / "residents.csv", dtype=str, keep_default_na=False)
    assert list(residents.columns[:5]) == ["side", "file", "sheet", "row", "house_code"]
    ledger = pd.read_csv(result / "rows.csv", dtype=str, keep_default_na=False)
    assert len(residents) == len(ledger)
    assert residents["house_code"].ne("").all()
    assert set(residents["house_code"]) <= set(houses["house_code"])


def test_codes_hold_across_runs_and_spellings_and_are_never_reused(tmp_path):
    register = tmp_path / "登记库.sqlite"
    field, system = _write(tmp_path / "r1")
    run_match([field], [system], tmp_path / "结果1")
    first = run_houses(tmp_path / "结果1", None, register).houses.set_index("house_key")
    # round two: the same flats written another way, one flat without its road,
    # and one new flat
    spell = {
        "12号302室": "古美路一二五五弄12号3楼302",
        "12号401室": "古美路1255弄12-401",
        "13号101室": "1255弄13号101室",
    }
    field2, system2 = _write(tmp_path / "r2", lambda f: spell.get(f, f"{ROAD}{f}"))
    extra = pd.read_csv(field2, dtype=str)
    extra.loc[len(extra)] = ["新来人", pid(99), f"{ROAD}18号101室", "江西省九江市", "古美一村"]
    extra.to_csv(field2, index=False, encoding="utf-8-sig")
    system_rows = pd.read_csv(system2, dtype=str, encoding="gb18030")
    system_rows = system_rows[system_rows["姓名"] != "蒋一鸣"]  # 13号101室 only as a bare key
    system_rows.to_csv(system2, index=False, encoding="gb18030")
    run_match([field2], [system2], tmp_path / "结果2")
    second = run_houses(tmp_path / "结果2", None, register).houses
    codes = dict(zip(second["house_key"], second["house_code"], strict=True))
    for key, code in first["house_code"].items():
        assert codes.get(key, code) == code  # every dwelling seen again keeps its code
    bare = second[second["house_key"].eq("1255弄13号101室")]
    assert list(bare["house_code"]) == [first.loc[f"{ROAD}13号101室", "house_code"]]
    new = second[second["house_key"].eq(f"{ROAD}18号101室")]["house_code"].iloc[0]
    assert new not in set(first["house_code"])
    with sqlite3.connect(register) as conn:
        all_codes = [r[0] for r in conn.execute("SELECT code FROM houses")]
    assert len(all_codes) == len(set(all_codes))
    # running again changes nothing
    again = run_houses(tmp_path / "结果2", None, register).houses
    assert list(again["house_code"]) == list(second["house_code"])


def test_a_list_code_replaces_a_local_one_and_the_local_one_is_retired(street):
    result, house_list, register = street
    before = _by_flat(run_houses(result, None, register).houses)
    local = before["12号302室"]["house_code"]
    assert str(local).startswith("L")
    after = _by_flat(run_houses(result, [house_list], register).houses)
    assert after["12号302室"]["house_code"] == "310112001001"
    with sqlite3.connect(register) as conn:
        replaced = conn.execute(
            "SELECT replaced_by FROM houses WHERE code = ?", (local,)
        ).fetchone()
    assert replaced == ("310112001001",)


@pytest.mark.parametrize(
    ("text", "kind", "names"),
    [
        ("古美路一二五五弄十二号三楼302", "address", {"王建国", "李秀英"}),
        ("1255弄12号302室", "address", {"王建国", "李秀英"}),
        (pid(12, "19920304"), "id", {"王建国", "李秀英"}),
        ("杨帆", "name", {"杨帆"}),
        ("没有这人", "name", set()),
    ],
)
def test_find_by_address_spelling_id_or_name(street, text, kind, names):
    result, house_list, register = street
    run_houses(result, [house_list], register)
    (found,) = find(result, [text])
    assert found.kind == kind
    people = {p["name"] for h in found.houses for p in h["people"]}
    assert people == names
    if names:
        assert all(h["house_code"] for h in found.houses)


def test_houses_and_find_on_the_command_line(street, monkeypatch):
    result, house_list, register = street
    monkeypatch.setattr(recon.cli, "err", Console(width=160, highlight=False, stderr=True))
    runner = CliRunner()
    res = runner.invoke(
        app,
        [
            "houses",
            str(result),
            "--list",
            str(house_list),
            "--register",
            str(register),
            "--date",
            "2026-11-30",
        ],
    )
    assert res.exit_code == 0, res.stderr
    assert "房屋清册已写入" in res.stderr and "群租嫌疑" in res.stderr
    res = runner.invoke(app, ["find", str(result), "古美路1255弄17号601室", "--json"])
    assert res.exit_code == 0, res.stderr
    (line,) = [json.loads(x) for x in res.stdout.splitlines() if x.strip()]
    assert line["text"] == "古美路1255弄17号601室"
    assert line["houses"][0]["house_code"] == "310112001007"
    assert [p["name"] for p in line["houses"][0]["people"]] == ["朱丽"]
    bad = runner.invoke(app, ["houses", str(result), "--register", str(result)])
    assert bad.exit_code == 1 and "文件夹" in bad.stderr and "Traceback" not in bad.output


def test_the_check_form_round_trip(street):
    """The printed 核对表: facts corrected, people ticked, a new person written,
    a double tick; read back into the register and the progress table."""
    import openpyxl

    result, house_list, register = street
    run_houses(result, [house_list], register, day=dt.date(2026, 12, 1))
    form = result / "居住房屋基础信息核对表.xlsx"
    wb = openpyxl.load_workbook(form)
    assert wb.sheetnames == ["古美一村", "_房屋记录"]  # listed flats take their building's 居委
    ws = wb["古美一村"]
    header = next(r for r in ws.iter_rows() if any(c.value == "记录号" for c in r))
    col = {c.value: c.column for c in header}
    rows = {
        str(ws.cell(r, col["记录号"]).value): r for r in range(header[0].row + 1, ws.max_row + 1)
    }
    facts = rows["H-310112001002"]  # 12号401室: really 3 rooms, let out
    ws.cell(facts, col["房间数"]).value = 3
    ws.cell(facts, col["出租"]).value = "是"
    people = [k for k in rows if k.startswith("P")]
    ws.cell(rows[people[0]], col["在住"]).value = "√"
    ws.cell(rows[people[1]], col["已离开"]).value = "✓"
    ws.cell(rows[people[2]], col["在住"]).value = "√"
    ws.cell(rows[people[2]], col["已离开"]).value = "√"  # both: read as not checked, listed
    blank = next(r for k, r in rows.items() if k == "新增-310112001002")
    ws.cell(blank, col["房屋／姓名"]).value = "新住户"
    ws.cell(blank, col["身份证号"]).value = pid(55)
    filled = result.parent / "已填写核对表.xlsx"
    wb.save(filled)
    report = run_houses(result, [house_list], register, day=dt.date(2026, 12, 2), checked=[filled])
    assert any("读回核对表 1 个文件" in n for n in report.notes)
    assert any("都打了勾" in p["problem"] for p in report.problems)
    with sqlite3.connect(register) as conn:
        check = conn.execute(
            "SELECT rental, rooms, new_people FROM house_checks WHERE code = '310112001002'"
        ).fetchone()
    assert check == ("是", 3.0, 1)
    progress = report.progress.set_index("居委")
    assert progress.loc["合计", "已核对"] >= 1
    assert progress.loc["合计", "已核对"] + progress.loc["合计", "未核对"] == len(report.houses)
    # the filled form left in the result folder is not overwritten by the next run
    form.write_bytes(filled.read_bytes())
    again = run_houses(result, [house_list], register, day=dt.date(2026, 12, 3))
    assert any("已填写过，没有覆盖" in n for n in again.notes)
    assert form.read_bytes() == filled.read_bytes()


def test_a_list_that_leaves_out_the_road_meets_the_field_sheets(street):
    result, _house_list, register = street
    bare = LIST.assign(房屋地址=LIST["房屋地址"].str.replace("古美路", "", regex=False))
    path = result.parent / "清册无路名.xlsx"
    bare.to_excel(path, index=False)
    houses = _by_flat(run_houses(result, [path], register).houses)
    assert houses["12号302室"]["in_list"] and houses["12号302室"]["house_code"] == "310112001001"
    assert houses["14号201室"]["flags"] == "not_in_list"
    # a listed flat nobody lives in has no fuller spelling to meet: it keeps the list's
    assert houses["1255弄15号301室"]["house_code"] == "310112001005"

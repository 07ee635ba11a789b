"""The field loop end to end: match -> worklists -> filled by hand -> results.

A clerk's filling is simulated with openpyxl, as Excel or WPS would leave
the file: mixed tick marks, a sheet re-sorted, a row deleted, a person
written in the new-people lines, a row ticked twice, an unknown mark.
"""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from recon.cli import app, expand_argv
from recon.results import tick_state
from recon.sample import StreetSpec, generate_street, write_street
from recon.worklists import NEW_KEY, RECORD_SHEET, VISIT_HEADERS


def invoke(*args):
    return CliRunner().invoke(app, expand_argv([str(a) for a in args]))


@pytest.fixture(scope="module")
def matched(tmp_path_factory):
    root = tmp_path_factory.mktemp("loop")
    files = write_street(
        generate_street(StreetSpec(seed=31, committees=3, residents_per_committee=300)),
        root / "data",
    )
    out = root / "result"
    res = invoke("match", files.field_dir, "--system", files.system_dir, "--out", out)
    assert res.exit_code == 0, res.stderr
    return root, out


@pytest.mark.parametrize(
    ("text", "option", "state"),
    [
        ("√", "已离开", "ticked"),
        ("✓", "已离开", "ticked"),
        ("☑", "已离开", "ticked"),
        ("■", "已离开", "ticked"),
        ("1", "已离开", "ticked"),
        ("是", "已离开", "ticked"),
        ("已离开", "已离开", "ticked"),
        ("√□", "已离开", "ticked"),
        (" √ ", "已离开", "ticked"),
        ("□", "已离开", "empty"),
        ("", "已离开", "empty"),
        (None, "已离开", "empty"),
        ("0", "已离开", "empty"),
        ("?", "已离开", "unknown"),
        ("×", "已离开", "unknown"),
        ("仍居住", "已离开", "unknown"),
    ],
)
def test_tick_marks(text, option, state):
    assert tick_state(text, option) == state


def test_worklist_workbook_is_ready_to_print(matched):
    _root, out = matched
    wb = openpyxl.load_workbook(out / "入户核查单.xlsx")
    visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
    assert wb[RECORD_SHEET].sheet_state == "veryHidden"
    system_only = pd.read_csv(out / "system_only.csv", dtype=str, encoding="utf-8-sig")
    assert {ws.title for ws in visible} == set(system_only["system_committee"])
    for ws in visible:
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.paperSize == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth in (1, None) and ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows == "$1:$3"  # title, note and header on every page
        assert ws.title in ws.oddHeader.left.text and "第 &P 页 共 &N 页" in ws.oddHeader.right.text
        assert "核查人签名" in ws.oddFooter.left.text and "日期" in ws.oddFooter.right.text
        header = [c.value for c in ws[3]]
        assert header == VISIT_HEADERS
        ids = [ws.cell(row=r, column=4).value for r in range(4, ws.max_row + 1)]
        assert any(i and "*" in i for i in ids)  # masked for print
        assert all(c.data_type == "s" for c in ws["D"][3:] if c.value)  # IDs are text


def test_worklist_rows_walk_the_street(matched):
    _root, out = matched
    wb = openpyxl.load_workbook(out / "入户核查单.xlsx")
    ws = wb.worksheets[0]
    from recon.normalize.address import parse_address

    lanes = []
    for r in range(4, ws.max_row + 1):
        key = ws.cell(row=r, column=14).value
        if key and key != NEW_KEY:
            a = parse_address(ws.cell(row=r, column=6).value).parts
            lanes.append(
                (
                    a.get("road", a.get("village", "")),
                    int(a.get("lane", a.get("group", 0))),
                    int(a.get("number", 0)),
                )
            )
    assert lanes == sorted(lanes)


def test_pdf_worklists_exist_per_committee(matched):
    _root, out = matched
    pdfs = sorted((out / "入户核查单PDF").glob("*.pdf"))
    system_only = pd.read_csv(out / "system_only.csv", dtype=str, encoding="utf-8-sig")
    assert len(pdfs) == system_only["system_committee"].nunique()
    assert all(p.read_bytes().startswith(b"%PDF") for p in pdfs)


def _fill(path, out_path):
    """A clerk's afternoon: returns what the results must show."""
    wb = openpyxl.load_workbook(path)
    visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
    col = {h: i + 1 for i, h in enumerate(VISIT_HEADERS)}
    expect = {"left": set(), "living": set(), "changed": set(), "problems": 0, "deleted": set()}
    marks = ["√", "☑", "1", "是"]
    for s, ws in enumerate(visible):
        people = [
            r
            for r in range(4, ws.max_row + 1)
            if (ws.cell(r, col["记录号"]).value or "").startswith("R")
        ]
        for i, r in enumerate(people[:12]):
            key = ws.cell(r, col["记录号"]).value
            mark = marks[i % len(marks)]
            if i % 3 == 0:
                ws.cell(r, col["已离开"]).value = mark
                ws.cell(r, col["去向/现住址"]).value = "回老家"
                expect["left"].add(key)
            elif i % 3 == 1:
                ws.cell(r, col["仍居住"]).value = mark
                expect["living"].add(key)
            else:
                ws.cell(r, col["信息有误"]).value = "信息有误"  # the word itself
                ws.cell(r, col["备注"]).value = "电话已换"
                expect["changed"].add(key)
        if s == 0 and len(people) > 16:
            r = people[13]
            ws.cell(r, col["仍居住"]).value = "√"
            ws.cell(r, col["已离开"]).value = "√"  # ticked twice
            r = people[14]
            ws.cell(r, col["已离开"]).value = "?"  # an unknown mark
            expect["problems"] += 2
            # the user deletes a row and re-sorts the rest, as Excel would (after
            # unmerging the building headings: Excel sorts no merged rows)
            for merged in [m for m in ws.merged_cells.ranges if m.min_row > 3]:
                ws.unmerge_cells(str(merged))
            expect["deleted"].add(ws.cell(people[15], col["记录号"]).value)
            ws.delete_rows(people[15])
            rows = [[c.value for c in ws[r]] for r in range(4, ws.max_row + 1)]
            rows.sort(key=lambda v: str(v[col["姓名"] - 1] or ""), reverse=True)
            for r, values in enumerate(rows, start=4):
                for j, v in enumerate(values, start=1):
                    ws.cell(r, j).value = v
        if s == 1:
            blank = next(
                r for r in range(4, ws.max_row + 1) if ws.cell(r, col["记录号"]).value == NEW_KEY
            )
            ws.cell(blank, col["姓名"]).value = "新来的"
            ws.cell(blank, col["性别"]).value = "男"
            ws.cell(blank, col["身份证号"]).value = "11010519491231002x"
            ws.cell(blank, col["登记住址"]).value = "某路1号101室"
    wb.save(out_path)
    return expect


def test_results_read_back_a_filled_worklist(matched, tmp_path):
    _root, out = matched
    filled = tmp_path / "filled.xlsx"
    expect = _fill(out / "入户核查单.xlsx", filled)
    assert expect["problems"] == 2 and len(expect["deleted"]) == 1  # the case was exercised
    res = invoke("results", filled, "--out", tmp_path / "r", "--match", out)
    assert res.exit_code == 0, res.stderr
    r = tmp_path / "r"

    def csv(name):
        return pd.read_csv(
            r / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
        )

    records = openpyxl.load_workbook(out / "入户核查单.xlsx")[RECORD_SHEET]
    id_of = {row[0].value: row[4].value for row in records.iter_rows(min_row=2)}
    cancel = csv("注销表")
    assert set(cancel["公民身份号码"]) == {id_of[k] for k in expect["left"]}
    assert (cancel["去向"] == "回老家").all()
    change = csv("变更表")
    visited_changes = change[change["来源"] == "上门核查"]
    assert set(visited_changes["公民身份号码"]) == {id_of[k] for k in expect["changed"]}
    differences = pd.read_csv(out / "differences.csv", dtype=str, encoding="utf-8-sig")
    assert (change["来源"] != "上门核查").sum() == len(differences)
    entry = csv("待录入表")
    new = entry[entry["来源"] == "上门核查时新发现"]
    assert new["公民身份号码"].tolist() == ["11010519491231002X"]
    field_only = pd.read_csv(out / "field_only.csv", dtype=str, encoding="utf-8-sig")
    assert (entry["来源"] == "采集表比对（人到机）").sum() == len(field_only)
    progress = csv("进度").set_index("居委")
    total = progress.loc["合计"].astype(int)
    listed = len(id_of)
    assert total["名单人数"] == listed
    assert total["已离开"] == len(expect["left"])
    assert total["仍居住"] == len(expect["living"])
    assert total["信息有误"] == len(expect["changed"])
    assert total["已核查"] + total["未核查"] == listed
    assert total["新发现未登记"] == 1
    problems = csv("问题")
    assert len(problems[problems["问题"].str.contains("多个结果|看不懂")]) == expect["problems"]
    assert all(problems["行号"].astype(int) > 0)
    summary = json.loads((r / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"]["注销表"] == len(cancel)
    deleted_id = id_of[next(iter(expect["deleted"]))]
    assert deleted_id not in set(cancel["公民身份号码"]) | set(change["公民身份号码"])


def test_results_without_the_hidden_sheet_need_the_match_folder(matched, tmp_path):
    _root, out = matched
    wb = openpyxl.load_workbook(out / "入户核查单.xlsx")
    del wb[RECORD_SHEET]
    ws = wb.worksheets[0]
    ws.cell(5, VISIT_HEADERS.index("已离开") + 1).value = "√"
    wb.save(tmp_path / "no_record.xlsx")
    bad = invoke("results", tmp_path / "no_record.xlsx", "--out", tmp_path / "r1")
    assert bad.exit_code == 1 and "--match" in bad.stderr
    good = invoke("results", tmp_path / "no_record.xlsx", "--out", tmp_path / "r2", "--match", out)
    assert good.exit_code == 0, good.stderr
    assert len(pd.read_csv(tmp_path / "r2" / "注销表.csv", encoding="utf-8-sig")) == 1


def test_worklist_command_regenerates_unmasked(matched, tmp_path):
    _root, out = matched
    res = invoke("worklist", out, "--out", tmp_path / "w", "--no-mask", "--no-pdf")
    assert res.exit_code == 0, res.stderr
    ws = openpyxl.load_workbook(tmp_path / "w" / "入户核查单.xlsx").worksheets[0]
    ids = [ws.cell(r, 4).value for r in range(4, ws.max_row + 1) if ws.cell(r, 4).value]
    assert ids and not any("*" in i for i in ids)
    assert not (tmp_path / "w" / "入户核查单PDF").exists()


def test_review_decisions_feed_back(tmp_path):
    """是同一人 -> matched on the re-run; 不是同一人 -> never proposed again."""
    from tests.test_match_cases import SYS_ADDR, WANG, ZHANG, make_id, write

    other = make_id("620102", "19880808", "135")
    (tmp_path / "f").mkdir()
    (tmp_path / "s").mkdir()
    header_f = ["姓名", "性别", "公民身份号码", "现居住地址"]
    header_s = ["姓名", "性别", "公民身份号码", "暂住地址", "人员状态"]
    write(
        tmp_path / "f" / "f.csv",
        header_f,
        [["张伟", "男", "", "古美路1255弄12号302室"], ["王芳", "女", "", "平阳路1弄1号101室"]],
    )
    write(
        tmp_path / "s" / "s.csv",
        header_s,
        [
            ["张伟", "男", other, SYS_ADDR, "正常"],
            ["张伟", "男", ZHANG, SYS_ADDR, "正常"],
            ["王芳", "女", WANG, "上海市闵行区平阳路1弄1号101室", "正常"],
        ],
    )
    base = ["match", tmp_path / "f", "--system", tmp_path / "s"]
    first = invoke(*base, "--out", tmp_path / "o1")
    assert first.exit_code == 0, first.stderr
    review = pd.read_csv(tmp_path / "o1" / "review.csv", dtype=str, encoding="utf-8-sig")
    assert set(review["system_row"].astype(int)) == {2, 3}  # the two 张伟
    wb = openpyxl.load_workbook(tmp_path / "o1" / "待人工确认单.xlsx")
    ws = wb["待人工确认"]
    head = [c.value for c in ws[3]]
    for r in range(4, ws.max_row + 1):
        system_id = ws.cell(r, head.index("系统：身份证号") + 1).value
        # both births (the system's from its ID) and both positions, to go and look
        cell = {h: ws.cell(r, i + 1).value for i, h in enumerate(head)}
        assert cell["采集：位置"] == "f.csv 第2行"
        assert cell["系统：位置"] in ("s.csv 第2行", "s.csv 第3行")
        assert cell["系统：出生日期"] == ("1988-08-08" if system_id == other else "1990-01-01")
        assert not cell["采集：出生日期"]  # the field row has no birth date and no ID
        yes = head.index("是同一人") + 1 if system_id == ZHANG else head.index("不是同一人") + 1
        ws.cell(r, yes).value = "√"
    wb.save(tmp_path / "decided.xlsx")
    second = invoke(*base, "--out", tmp_path / "o2", "--decisions", tmp_path / "decided.xlsx")
    assert second.exit_code == 0, second.stderr
    m = pd.read_csv(tmp_path / "o2" / "matches.csv", dtype=str, encoding="utf-8-sig")
    decided = m[m["method"] == "decided"]
    assert decided[["field_row", "system_row"]].astype(int).values.tolist() == [[2, 3]]
    review2 = pd.read_csv(tmp_path / "o2" / "review.csv", dtype=str, encoding="utf-8-sig")
    assert review2.empty  # the other 张伟 is not proposed again
    visits = pd.read_csv(tmp_path / "o2" / "system_only.csv", dtype=str, encoding="utf-8-sig")
    assert visits["system_row"].astype(int).tolist() == [2]


def test_results_folder_is_not_overwritten_without_force(matched, tmp_path):
    _root, out = matched
    filled = tmp_path / "filled.xlsx"
    _fill(out / "入户核查单.xlsx", filled)
    args = ("results", filled, "--out", tmp_path / "r", "--match", out)
    assert invoke(*args).exit_code == 0
    again = invoke(*args)
    assert again.exit_code == 2 and "--force" in again.stderr
    assert invoke(*args, "--force").exit_code == 0
    inside = invoke("results", filled, "--out", out / "核查结果", "--match", out)
    assert inside.exit_code == 2 and not (out / "核查结果").exists()
    summary = json.loads((tmp_path / "r" / "summary.json").read_text(encoding="utf-8"))
    assert summary["command"] == "results"
    assert [i["file"] for i in summary["inputs"]] == ["filled.xlsx"]
    assert summary["files"]["注销表.csv"] == summary["counts"]["注销表"]
    checks = invoke("verify", tmp_path / "r")
    assert checks.exit_code == 0, checks.stdout
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_worklist_in_place_keeps_a_filled_copy(tmp_path):
    files = write_street(
        generate_street(StreetSpec(seed=8, committees=2, residents_per_committee=80)),
        tmp_path / "data",
    )
    out = tmp_path / "result"
    res = invoke("match", files.field_dir, "--system", files.system_dir, "--out", out)
    assert res.exit_code == 0, res.stderr
    assert (out / "入户核查单PDF").is_dir()
    # unchanged since recon wrote it: regenerated in place, twice over
    for _ in range(2):
        res = invoke("worklist", out, "--no-mask", "--no-pdf")
        assert res.exit_code == 0, res.stderr
    assert not (out / "入户核查单PDF").exists()  # PDFs of the masked lists are gone
    ws = openpyxl.load_workbook(out / "入户核查单.xlsx").worksheets[0]
    assert not any("*" in str(c.value or "") for c in ws["D"][3:])
    # filled in by a clerk: kept unless --force
    _fill(out / "入户核查单.xlsx", out / "入户核查单.xlsx")
    filled = (out / "入户核查单.xlsx").read_bytes()
    res = invoke("worklist", out)
    assert res.exit_code == 2 and "--out" in res.stderr and "--force" in res.stderr
    assert (out / "入户核查单.xlsx").read_bytes() == filled
    assert invoke("worklist", out, "--force").exit_code == 0
    assert (out / "入户核查单.xlsx").read_bytes() != filled
    assert invoke("verify", out).exit_code == 0
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []
    # --out: a folder of its own, not overwritten without --force
    res = invoke("worklist", out, "--out", tmp_path / "w")
    assert res.exit_code == 0 and (tmp_path / "w" / "summary.json").is_file()
    assert invoke("worklist", out, "--out", tmp_path / "w").exit_code == 2
    assert invoke("worklist", out, "--out", tmp_path / "w", "--force").exit_code == 0
    assert invoke("worklist", out, "--out", out / "w").exit_code == 2

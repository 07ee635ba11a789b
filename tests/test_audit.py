"""recon audit / sample / progress end to end, against the generator's truth.

A street is generated, matched, its worklists "visited" (ticked from the
truth: people who left are 已离开, the rest 仍居住), read back, sampled and
the check sheets "filled" from the truth too. Every rate the audit reports
is then recomputed here from the truth alone -- the generator's scenarios,
noise tags and dates -- and must agree exactly.
"""

from __future__ import annotations

import datetime as dt
import json

import chinese_calendar
import numpy as np
import openpyxl
import pandas as pd
import pytest
from openpyxl.cell.cell import MergedCell
from typer.testing import CliRunner

from recon.cli import app, expand_argv
from recon.sample import StreetSpec, generate_street, write_street
from recon.sample._templates import TEMPLATES
from recon.worklists import RECORD_SHEET, VISIT_HEADERS

AS_OF = dt.date(2023, 6, 30)
SEED = 7
HOUSES = 4


def invoke(*args):
    return CliRunner().invoke(app, expand_argv([str(a) for a in args]))


def _csv(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


@pytest.fixture(scope="module")
def loop(tmp_path_factory):
    root = tmp_path_factory.mktemp("audit")
    street = generate_street(StreetSpec(seed=31, committees=3, residents_per_committee=150))
    files = write_street(street, root / "data")
    out = root / "result"
    res = invoke("match", files.field_dir, "--system", files.system_dir, "--out", out)
    assert res.exit_code == 0, res.stderr
    truth = _csv(files.truth_path)
    truth["place"] = truth["file"] + "|" + truth["sheet"] + "|" + truth["row"]
    scenario = dict(zip(truth["place"], truth["scenario"], strict=True))

    # the visits, ticked from the truth
    wb = openpyxl.load_workbook(out / "入户核查单.xlsx")
    col = {h: i + 1 for i, h in enumerate(VISIT_HEADERS)}
    where = {
        r[0].value: f"{r[10].value}|{r[11].value or ''}|{r[12].value}"
        for r in wb[RECORD_SHEET].iter_rows(min_row=2)
    }
    for ws in (w for w in wb.worksheets if w.sheet_state == "visible"):
        for r in range(4, ws.max_row + 1):
            key = ws.cell(r, col["记录号"]).value or ""
            if key.startswith("R"):
                left = scenario[where[key]] == "left_active"
                ws.cell(r, col["已离开" if left else "仍居住"]).value = "√"
    wb.save(root / "visited.xlsx")
    res = invoke("results", root / "visited.xlsx", "--out", root / "visits", "--match", out)
    assert res.exit_code == 0, res.stderr

    # the sampling check, filled from the truth
    res = invoke("sample", out, "--houses", HOUSES, "--seed", SEED, "--out", root / "check")
    assert res.exit_code == 0, res.stderr
    found = _fill_checks(root / "check" / "抽查单.xlsx", root / "checked.xlsx", out, scenario)

    res = invoke(
        "audit", out, "--visits", root / "visits", "--checks", root / "checked.xlsx",
        "--date", AS_OF.isoformat(),
    )  # fmt: skip
    assert res.exit_code == 0, res.stderr
    audit = _csv(out / "audit.csv")
    return {
        "root": root,
        "out": out,
        "street": street,
        "truth": truth,
        "audit": audit,
        "found": found,
        "stderr": res.stderr,
    }


def _fill_checks(path, filled, out, scenario):
    """Tick every listed person from the truth; mark every 4th 信息有误 and every
    5th 信息不全; write each house's unregistered residents in its blank lines."""
    wb = openpyxl.load_workbook(path)
    record = {
        r[0].value: f"{r[3].value}|{r[4].value or ''}|{r[5].value}"
        for r in wb["_抽查记录"].iter_rows(min_row=2)
    }
    rows = _csv(out / "rows.csv")
    field_only = _csv(out / "field_only.csv")
    field_only["place"] = field_only["field_file"] + "|" + field_only["field_sheet"] + "|"
    field_only["place"] += field_only["field_row"]
    fo_id = dict(zip(field_only["place"], field_only["field_id"], strict=True))
    expected = {"listed": [], "found": []}
    k = 0
    for ws in (w for w in wb.worksheets if w.sheet_state == "visible"):
        header = [c.value for c in ws[3]]
        col = {h: i + 1 for i, h in enumerate(header)}
        house_of_blank: dict[str, list[int]] = {}
        for r in range(4, ws.max_row + 1):
            key = str(ws.cell(r, col["记录号"]).value or "")
            if key.startswith("C"):
                gone = scenario[record[key]] == "left_active"
                ws.cell(r, col["已离开" if gone else "在住"]).value = "√"
                k += 1
                wrong, gaps = k % 4 == 0, k % 5 == 0
                if wrong:
                    ws.cell(r, col["信息有误"]).value = "√"
                if gaps:
                    ws.cell(r, col["信息不全"]).value = "√"
                expected["listed"].append((ws.title, gone, wrong, gaps))
            elif key.startswith("新增-"):
                house_of_blank.setdefault(key[3:], []).append(r)
        # who lives in each sampled house and is not registered: the field rows
        # to enter, found at that house
        info = {r[0].value: r[1].value for r in wb["_抽样说明"].iter_rows(min_row=2)}
        for house_no, blanks in house_of_blank.items():
            committee = info[house_no]
            house = _house_key(wb, house_no, rows, record, committee)
            here = rows[
                (rows["side"] == "field")
                & (rows["house"] == house)
                & (rows["outcome"] == "field_only")
            ]
            ids = [
                fo_id[f"{f}|{s}|{r}"]
                for f, s, r in zip(here["file"], here["sheet"], here["row"], strict=True)
            ]
            ids = [i for i in ids if len(i) == 18][: len(blanks)]
            for r, id_ in zip(blanks, ids, strict=False):
                ws.cell(r, col["姓名"]).value = "现场发现"
                ws.cell(r, col["身份证号"]).value = id_
                expected["found"].append((ws.title, id_))
    wb.save(filled)
    return expected


def _house_key(wb, house_no, rows, record, committee):
    """The house key of a sampled house: through a listed person if any."""
    for r in wb["_抽查记录"].iter_rows(min_row=2):
        if r[2].value == house_no:
            f, _s, row = record[r[0].value].split("|")
            hit = rows[(rows["side"] == "system") & (rows["file"] == f) & (rows["row"] == row)]
            return hit["house"].iat[0]
    return None  # a house nobody on the list lives in: no unregistered resident written


def _rate(audit, committee, label):
    hit = audit[(audit["居委"] == committee) & (audit["指标"] == label)]
    assert len(hit) == 1, (committee, label)
    return int(hit["分子"].iat[0]), int(hit["分母"].iat[0])


def _by_committee(mask_num, mask_den, committees):
    frame = pd.DataFrame({"c": committees, "n": mask_num, "d": mask_den})
    return frame.groupby("c")[["n", "d"]].sum()


def _truth_rows(loop, side):
    """The ledger's rows of one side with their truth (scenario, kind, noise, record)."""
    rows = _csv(loop["out"] / "rows.csv")
    rows = rows[rows["side"] == side].copy()
    rows["place"] = rows["file"] + "|" + rows["sheet"] + "|" + rows["row"]
    t = loop["truth"][loop["truth"]["side"] == side]
    return rows.merge(t[["place", "scenario", "kind", "noise", "record", "status"]], on="place")


def _assert_rates(audit, label, expected):
    for committee, values in expected.iterrows():
        assert _rate(audit, committee, label) == (int(values["n"]), int(values["d"])), (
            label,
            committee,
        )
    assert _rate(audit, "合计", label) == (int(expected["n"].sum()), int(expected["d"].sum()))


def test_registration_rate_is_the_truth(loop):
    f = _truth_rows(loop, "field")
    main = f["kind"] == "main"
    living = main & f["scenario"].isin(["registered", "moved", "new_arrival", "reregister"])
    registered = living & f["scenario"].isin(["registered", "moved"])
    _assert_rates(loop["audit"], "来登率", _by_committee(registered, living, f["committee"]))


def test_cancellation_rates_are_the_truth(loop):
    s = _truth_rows(loop, "system")
    cancelled = ~s["status"].isin(["正常"])
    left = s["scenario"].eq("left_active") & s["kind"].eq("main")
    _assert_rates(
        loop["audit"],
        "去销率（核查前）",
        _by_committee(cancelled, cancelled | left, s["committee"]),
    )
    after = _by_committee(cancelled | left, cancelled | left, s["committee"])
    _assert_rates(loop["audit"], "去销率（核查后）", after)
    assert (after["d"] > 0).any()


def test_duplicate_registration_rate_is_the_truth(loop):
    s = _truth_rows(loop, "system")
    active = s["status"].eq("正常")
    duplicate = active & s["kind"].eq("duplicate")
    _assert_rates(loop["audit"], "重复登记率", _by_committee(duplicate, active, s["committee"]))
    assert duplicate.any()


def test_entry_rate_is_the_truth(loop):
    """Entered this round: matched to a record registered on or after the day the
    person was collected; still to enter: the new arrivals (and re-registrations)."""
    f = _truth_rows(loop, "field")
    street = loop["street"]
    records = f["record"].astype(int).to_numpy()
    collected = street.field["collected_iso"].to_numpy()[records]
    system = street.system[street.system["kind"].eq("main") & street.system["active"]]
    registered_of = dict(zip(system["person_id"], system["registered_on"], strict=True))
    person = street.field["person_id"].to_numpy()[records]
    registered = np.array([registered_of.get(p, "") for p in person], dtype=object)
    main = f["kind"].eq("main").to_numpy()
    present = f["scenario"].isin(["registered", "moved"]).to_numpy()
    entered = main & present & (registered != "") & (registered >= collected)
    to_enter = main & f["scenario"].isin(["new_arrival", "reregister"]).to_numpy()
    expected = _by_committee(entered, entered | to_enter, f["committee"])
    _assert_rates(loop["audit"], "采集录入率", expected)
    rate = expected["n"].sum() / expected["d"].sum()
    assert 0.5 < rate < 0.95, rate  # believable: most entered, some not yet


def test_completeness_and_accuracy_follow_the_noise(loop):
    """The generator's noise tags say which rows lack an ID or carry a wrong one."""
    f = _truth_rows(loop, "field")
    living = f["kind"].eq("main") & f["scenario"].isin(
        ["registered", "moved", "new_arrival", "reregister"]
    )
    tags = f["noise"].str.split(";")
    has = lambda *names: tags.map(lambda t: bool(set(names) & set(t))).to_numpy()  # noqa: E731
    complete = living & ~has("id_missing")
    _assert_rates(loop["audit"], "完整率", _by_committee(complete, living, f["committee"]))
    wrong = has("id_typo", "id_swap", "id_number_cell", "sex_slip", "addr_no_road")
    _assert_rates(loop["audit"], "准确率", _by_committee(living & ~wrong, living, f["committee"]))
    assert (living & wrong).any() and (living & ~complete).any()


def _workdays_after(start: dt.date, end: dt.date) -> int:
    return sum(
        chinese_calendar.is_workday(start + dt.timedelta(days=k))
        for k in range(1, (end - start).days + 1)
    )


def test_collection_deadline_is_the_truth(loop):
    """来沪日期 -> 采集日期 within 3 working days, from the generator's ISO dates."""
    f = _truth_rows(loop, "field")
    field = loop["street"].field
    records = f["record"].astype(int).to_numpy()
    arrived = field["arrived_iso"].to_numpy()[records]
    collected = field["collected_iso"].to_numpy()[records]
    living = f["outcome"].isin(["matched", "field_only"]).to_numpy()
    # only the templates with a 来沪日期 column write the date down
    street = loop["street"]
    written = {
        c
        for c, t in zip(street.committees["committee"], street.committees["template"], strict=True)
        if "arrived_on" in dict(TEMPLATES[t].columns)
    }
    living = living & field["committee"].isin(written).to_numpy()[records]
    base = np.zeros(len(f), bool)
    ok = np.zeros(len(f), bool)
    for i in np.flatnonzero(living & (arrived != "")):
        a, c = dt.date.fromisoformat(arrived[i]), dt.date.fromisoformat(collected[i])
        if c >= a:
            base[i] = True
            ok[i] = _workdays_after(a, c) <= 3
    expected = _by_committee(ok, base, f["committee"])
    _assert_rates(loop["audit"], "采集及时率", expected)
    assert 0 < expected["n"].sum() < expected["d"].sum()  # some late, some on time


def test_check_rates_follow_the_filled_sheets(loop):
    listed = pd.DataFrame(loop["found"]["listed"], columns=["sheet", "gone", "wrong", "gaps"])
    found = pd.DataFrame(loop["found"]["found"], columns=["sheet", "id"])
    assert len(listed) and len(found), "the sample must exercise both directions"
    audit = loop["audit"]
    living = ~listed["gone"]
    assert _rate(audit, "合计", "抽查准确率") == (
        int((living & ~listed["wrong"]).sum()),
        int(living.sum()),
    )
    assert _rate(audit, "合计", "抽查完整率") == (
        int((living & ~listed["gaps"]).sum()),
        int(living.sum()),
    )
    assert _rate(audit, "合计", "名单不实率") == (int(listed["gone"].sum()), len(listed))
    assert _rate(audit, "合计", "抽查来登率") == (int(living.sum()), int(living.sum()) + len(found))
    errors = int(listed["gone"].sum()) + int((living & (listed["wrong"] | listed["gaps"])).sum())
    assert _rate(audit, "合计", "抽查差错率") == (errors + len(found), len(listed) + len(found))


def test_every_audit_row_has_its_arithmetic(loop):
    audit = loop["audit"]
    assert list(audit.columns) == ["居委", "指标", "分子", "分母", "比率"]
    for row in audit.itertuples(index=False):
        n, d = int(row.分子), int(row.分母)
        if d:
            assert abs(float(row.比率) - n / d) < 1e-6
        else:
            assert row.比率 == ""
    raw = (loop["out"] / "audit.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")


def test_workbook_has_a_native_chart_per_rate(loop):
    wb = openpyxl.load_workbook(loop["out"] / "考核统计.xlsx")
    assert {
        "考核概况",
        "图表",
        "排名",
        "指标明细",
        "数据问题",
        "时限",
        "抽查",
        "奖惩",
        "计算方法",
    } <= set(wb.sheetnames)
    charts = wb["图表"]._charts
    labels = set(loop["audit"]["指标"])
    assert len(charts) >= len(labels) - 2  # a rate with no data anywhere has no chart
    ranking = [r for r in wb["排名"].iter_rows(min_row=5, values_only=True) if r[0] is not None]
    committees = set(loop["audit"]["居委"]) - {"合计"}
    assert {r[1] for r in ranking} == committees
    money = [r for r in wb["奖惩"].iter_rows(min_row=5, values_only=True) if r[0]]
    assert any(r[0] == "合计" for r in money) and all(r[-1] for r in money)


def test_same_seed_draws_the_same_houses(loop, tmp_path):
    res = invoke("sample", loop["out"], "--houses", HOUSES, "--seed", SEED, "--out", tmp_path / "a")
    assert res.exit_code == 0, res.stderr
    again = invoke(
        "sample", loop["out"], "--houses", HOUSES, "--seed", SEED, "--out", tmp_path / "a"
    )
    assert again.exit_code == 2  # a check sheet may be filled: never overwritten silently

    def houses(path):
        ws = openpyxl.load_workbook(path)["_抽样说明"]
        return [r[0].value for r in ws.iter_rows(min_row=2)], [
            r[1].value for r in ws.iter_rows(min_row=2)
        ]

    first = houses(tmp_path / "a" / "抽查单.xlsx")
    assert first == houses(loop["root"] / "check" / "抽查单.xlsx")
    other = invoke(
        "sample", loop["out"], "--houses", HOUSES, "--seed", SEED + 1, "--out", tmp_path / "b"
    )
    assert other.exit_code == 0
    a = openpyxl.load_workbook(tmp_path / "a" / "抽查单.xlsx")["_抽查记录"]
    b = openpyxl.load_workbook(tmp_path / "b" / "抽查单.xlsx")["_抽查记录"]
    assert [r[0].value for r in a.iter_rows()] != [r[0].value for r in b.iter_rows()]
    counts = pd.Series(first[1]).value_counts()
    assert (counts <= HOUSES).all()


def test_progress_report_adds_up(loop, tmp_path):
    res = invoke(
        "progress", loop["out"], "--visits", loop["root"] / "visits", "--date", "2023-06-30",
        "--out", tmp_path,
    )  # fmt: skip
    assert res.exit_code == 0, res.stderr
    table = _csv(tmp_path / "进度表.csv").set_index("居委")
    total = table.loc["合计"].drop("核查完成率").astype(int)
    summary = json.loads((loop["out"] / "summary.json").read_text(encoding="utf-8"))
    outcomes = summary["outcomes"]
    assert total["已匹配"] == outcomes["field"]["matched"]
    assert total["人到机待录入"] == outcomes["field"]["field_only"]
    assert total["机到人待核查"] == outcomes["system"]["system_only"]
    assert total["已上门核查"] == total["机到人待核查"]  # every record was visited
    assert total["仍居住"] + total["已离开"] + total["信息有误"] == total["已上门核查"]
    assert total["已注销"] == outcomes["system"]["inactive"]
    assert "下一个上报日：2023年07月10日" in res.stderr
    wb = openpyxl.load_workbook(tmp_path / "进度表.xlsx")
    assert "截至 2023年06月30日" in wb.worksheets[0]["A1"].value


def test_audit_without_visits_says_so(loop, tmp_path):
    res = invoke("audit", loop["out"], "--out", tmp_path, "--date", "2023-06-30")
    assert res.exit_code == 0, res.stderr
    assert "去销率无法计算" in res.stderr
    audit = _csv(tmp_path / "audit.csv")
    assert not audit["指标"].str.startswith("去销率").any()


def test_bad_date_and_missing_folder_are_clear(loop, tmp_path):
    res = invoke("audit", loop["out"], "--date", "三十号")
    assert res.exit_code == 2 and "--date" in res.stderr
    res = invoke("audit", tmp_path / "nowhere")
    assert res.exit_code == 1 and "summary.json" in res.stderr
    res = invoke("audit", loop["root"] / "visits")
    assert res.exit_code == 1 and "recon results" in res.stderr


def test_consistency_counts_pairs_without_a_difference(loop):
    matches = _csv(loop["out"] / "matches.csv")
    differences = _csv(loop["out"] / "differences.csv")
    changed = set(zip(differences["field_file"], differences["field_row"], strict=True))
    same = sum(
        (f, r) not in changed
        for f, r in zip(matches["field_file"], matches["field_row"], strict=True)
    )
    assert _rate(loop["audit"], "合计", "信息一致率") == (same, len(matches))
    assert 0 < same < len(matches)


def test_check_sheet_shows_the_system_sex_of_every_listed_person(loop):
    """matches.csv carries no sex: the sheet takes it from the differences or the
    ID, and it is what the system export holds (the ID's where the export has none)."""
    from recon.loaders import load

    system = load(loop["root"] / "data" / "系统导出").records
    truth = {(f, s, str(r)): x or i for f, s, r, x, i in zip(
        system["file"], system["sheet"], system["row"], system["sex"], system["id_sex"],
        strict=True,
    )}  # fmt: skip
    wb = openpyxl.load_workbook(loop["root"] / "check" / "抽查单.xlsx")
    record = {
        r[0].value: (r[3].value, r[4].value or "", str(r[5].value))
        for r in wb["_抽查记录"].iter_rows(min_row=2)
    }
    checked = 0
    for ws in (w for w in wb.worksheets if w.sheet_state == "visible"):
        header = [c.value for c in ws[3]]
        key_col, sex_col = header.index("记录号") + 1, header.index("性别") + 1
        for r in range(4, ws.max_row + 1):
            key = str(ws.cell(r, key_col).value or "")
            if key.startswith("C"):
                sex = truth[record[key]]  # the system's, or else the ID's
                if sex:
                    assert ws.cell(r, sex_col).value == sex, (ws.title, r)
                    checked += 1
    assert checked > 20


@pytest.mark.parametrize("command", ["audit", "progress", "results"])
def test_console_tables_fit_80_columns(loop, tmp_path, monkeypatch, command):
    """A cmd window is 80 columns: no line longer, no cell cut to "…"."""
    from rich.cells import cell_len

    from recon.console import err

    monkeypatch.setattr(err, "width", 80)
    root, out = loop["root"], loop["out"]
    args = {
        "audit": ("audit", out, "--visits", root / "visits", "--checks", root / "checked.xlsx",
                  "--out", tmp_path / "a", "--date", AS_OF.isoformat()),
        "progress": ("progress", out, "--visits", root / "visits", "--out", tmp_path / "p",
                     "--date", AS_OF.isoformat()),
        "results": ("results", root / "visited.xlsx", "--out", tmp_path / "r", "--match", out),
    }[command]  # fmt: skip
    res = invoke(*args)
    assert res.exit_code == 0, res.stderr
    lines = res.stderr.splitlines()
    assert len(lines) > 8
    assert all(cell_len(line) <= 80 for line in lines), "\n".join(lines)
    assert "…" not in res.stderr
    if command == "audit":  # every rate is shown, the 抽查 ones included
        audit = _csv(tmp_path / "a" / "audit.csv")
        text = res.stderr.replace("\n", "")
        for label in audit["指标"].unique():
            assert all(ch in text for ch in label)


def test_a_committee_not_visited_yet_has_no_cancellation_rate(loop, tmp_path):
    """Only the first 居委's sheet comes back: the others show "—", not the 100 %
    their cancelled records alone would give, and the total counts the first."""
    root, out = loop["root"], loop["out"]
    wb = openpyxl.load_workbook(root / "visited.xlsx")
    sheets = [w for w in wb.worksheets if w.sheet_state == "visible"]
    col = {h: i + 1 for i, h in enumerate(VISIT_HEADERS)}
    for ws in sheets[1:]:
        for r in range(4, ws.max_row + 1):
            for option in ("仍居住", "已离开", "信息有误"):
                cell = ws.cell(r, col[option])
                if not isinstance(cell, MergedCell):  # a building's heading line
                    cell.value = None
    wb.save(tmp_path / "one.xlsx")
    res = invoke("results", tmp_path / "one.xlsx", "--out", tmp_path / "v", "--match", out)
    assert res.exit_code == 0, res.stderr
    res = invoke("audit", out, "--visits", tmp_path / "v", "--out", tmp_path / "a")
    assert res.exit_code == 0, res.stderr
    audit = _csv(tmp_path / "a" / "audit.csv")
    rate = audit[audit["指标"] == "去销率（核查前）"].set_index("居委")
    first = sheets[0].title
    assert rate.at[first, "比率"] != ""
    for other in (w.title for w in sheets[1:]):
        assert rate.at[other, "比率"] == "" and rate.at[other, "分母"] == "0", other
    assert rate.at["合计", "分母"] == rate.at[first, "分母"]

"""The street register across rounds, end to end on generated rounds.

Three rounds of a generated street (``recon.sample._rounds``: every person has
a story) go through match -> results -> next match with one register; every
change and overdue item ``recon changes`` reports is checked against the
stories' truth (precision and recall 1.0). Then what recording must survive:
the same run twice, a run that fails half way, a register from an older
recon, a locked, read-only or damaged file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from recon import register as reg_module
from recon.cli import app, expand_argv
from recon.errors import InputError
from recon.register import Register
from recon.resultdir import ResultFolder
from recon.rounds import CHANGE_KINDS, changes, record_match
from recon.rounds import _record as record_module
from recon.rules import load_audit_rules
from recon.sample._rounds import STORIES, RoundsSpec, fill_worklist, generate_rounds, write_round

CSV_COLUMNS = [
    "kind",
    "committee",
    "name",
    "id_masked",
    "since",
    "due",
    "working_days_over",
    "file",
    "sheet",
    "row",
]


def invoke(*args):
    return CliRunner().invoke(app, expand_argv([str(a) for a in args]))


def _counts(path):
    with sqlite3.connect(path) as conn:
        return {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("runs", "person_rows", "person_links", "visit_results", "person_differences")
        }


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def street(tmp_path_factory):
    """Three rounds recorded in one register, with each round's changes."""
    root = tmp_path_factory.mktemp("rounds")
    rounds = generate_rounds(RoundsSpec(seed=7))
    register = root / "街道登记库.sqlite"
    found = {}
    for r in range(3):
        field, system = write_round(rounds, r, root / f"输入{r}")
        res = invoke(
            "match", field, "--system", system, "--out", root / f"核对{r}",
            "--register", register, "--date", rounds.days[r],
        )  # fmt: skip
        assert res.exit_code == 0, res.stderr
        assert "已记入登记库" in res.stderr
        if r:
            out = root / f"变动{r}"
            res = invoke("changes", register, "--date", rounds.days[r], "--out", out)
            assert res.exit_code == 0, res.stderr
            with Register.open(register) as reg:
                found[r] = changes(reg, rounds.days[r], load_audit_rules())
        filled = root / f"核查单{r}.xlsx"
        fill_worklist(rounds, r, root / f"核对{r}" / "入户核查单.xlsx", filled)
        res = invoke(
            "results", filled, "--out", root / f"结果{r}", "--match", root / f"核对{r}",
            "--register", register, "--date", rounds.visit_days[r],
        )  # fmt: skip
        assert res.exit_code == 0, res.stderr
    return root, rounds, register, found


def test_every_story_kind_is_exercised(street):
    _root, rounds, _register, _found = street
    kinds = set(rounds.truth["kind"])
    assert kinds == set(CHANGE_KINDS)  # the sample tests every kind
    assert set(rounds.persons["story"]) == set(STORIES)


@pytest.mark.parametrize("r", [1, 2])
def test_changes_match_the_truth(street, r):
    _root, rounds, _register, found = street
    table = found[r].table
    got = set(zip(table["kind"], table["person"].str.removeprefix("id:"), strict=True))
    truth = rounds.truth[rounds.truth["round"] == r]
    want = set(zip(truth["kind"], truth["id"], strict=True))
    assert got - want == set()  # precision 1.0
    assert want - got == set()  # recall 1.0
    assert not table.duplicated(["kind", "person"]).any()


def test_deadlines_are_counted_in_working_days(street):
    _root, rounds, _register, found = street
    t = found[2].table.set_index(found[2].table["person"].str.removeprefix("id:"))
    story = dict(zip(rounds.persons["id18"], rounds.persons["story"], strict=True))
    done = t[t["kind"] == "entry_done"]
    over = {story[i]: int(v) for i, v in done["working_days_over"].items()}
    assert over == {"arrive1_ontime": 0, "arrive1_late": 4}  # entered 1 / 6 working days later
    t1 = found[1].table.set_index(found[1].table["person"].str.removeprefix("id:"))
    cancel = t1[t1["kind"] == "cancel_done"]
    assert {story[i]: int(v) for i, v in cancel["working_days_over"].items()} == {
        "leave0_ontime": 0,
        "leave0_late": 3,
    }
    for kind in ("entry_overdue", "cancel_overdue", "visit_overdue"):
        rows = found[2].table[found[2].table["kind"] == kind]
        assert (rows["working_days_over"].astype(int) > 0).all()
        assert (rows["due"] < rounds.days[2].isoformat()).all()


def test_changes_files_follow_the_contract(street):
    root, rounds, _register, found = street
    csv = pd.read_csv(root / "变动2" / "changes.csv", dtype=str, keep_default_na=False)
    assert set(CSV_COLUMNS) <= set(csv.columns)
    assert len(csv) == len(found[2].table)
    assert set(csv["kind"]) <= set(CHANGE_KINDS)
    ids = set(rounds.persons["id18"])
    assert not any(v in ids for v in csv["id_masked"])  # masked as on printed lists
    assert csv["id_masked"].str.contains(r"\*").all()
    field = csv[csv["file"].str.startswith("采集表")]
    assert (field["row"].astype(int) >= 2).all()  # CSV line numbers, header = 1
    wb = openpyxl.load_workbook(root / "变动2" / "变动与逾期.xlsx")
    assert wb.sheetnames == ["汇总", *CHANGE_KINDS.values()]
    for kind, label in CHANGE_KINDS.items():
        ws = wb[label]
        assert ws.page_setup.orientation == "landscape"
        assert ws.max_row - 3 == (csv["kind"] == kind).sum()  # title, note, header


def test_a_field_row_without_id_keeps_the_records_person(street):
    _root, rounds, register, _found = street
    with sqlite3.connect(register) as conn:
        links = dict(conn.execute("SELECT alias, person FROM person_links").fetchall())
        no_id = rounds.persons[rounds.persons["story"] == "no_id"]["id18"]
        for id18 in no_id:
            persons = {
                p
                for (p,) in conn.execute(
                    "SELECT DISTINCT person FROM person_rows WHERE name = ("
                    "SELECT name FROM person_rows WHERE person = ? LIMIT 1)",
                    (f"id:{id18}",),
                )
            }
            assert persons == {f"id:{id18}"}  # the field rows share the record's person
        assert any(a.startswith("fp:") and p.startswith("id:") for a, p in links.items())


def test_recording_the_same_run_again_changes_nothing(street):
    root, rounds, register, _found = street
    before, sha = _counts(register), _sha(register)
    res = invoke(
        "match", root / "输入2" / "采集表", "--system", root / "输入2" / "系统导出",
        "--out", root / "again", "--register", register, "--date", rounds.days[2],
    )  # fmt: skip
    assert res.exit_code == 0, res.stderr
    assert "没有重复记录" in res.stderr
    res = invoke(
        "results", root / "核查单2.xlsx", "--out", root / "again-r", "--match", root / "核对2",
        "--register", register, "--date", rounds.visit_days[2],
    )  # fmt: skip
    assert res.exit_code == 0, res.stderr
    assert _counts(register) == before and _sha(register) == sha


def test_a_run_that_fails_half_way_records_nothing(street, tmp_path, monkeypatch):
    root, _rounds, register, _found = street
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(register.read_bytes())
    before = _counts(copy)

    def boom(*args, **kwargs):
        raise RuntimeError("disk pulled out")

    monkeypatch.setattr(record_module, "_record_differences", boom)
    with Register.open(copy) as reg, pytest.raises(RuntimeError):
        record_match(reg, ResultFolder.open(root / "核对1"), dt.date(2026, 12, 1))
    assert _counts(copy) == before


def test_an_older_register_is_migrated_with_a_backup(street, tmp_path, monkeypatch):
    root, rounds, _register, _found = street
    path = tmp_path / "old.sqlite"
    with monkeypatch.context() as m:  # a register written by the recon of the house issue
        m.setattr(reg_module, "MIGRATIONS", reg_module.MIGRATIONS[:1])
        m.setattr(reg_module, "SCHEMA_VERSION", 1)
        with Register.open(path) as reg, reg.transaction() as conn:
            conn.execute(
                "INSERT INTO houses(code, source, first_seen, last_seen)"
                " VALUES ('H1', 'local', '2026-01-01', '2026-01-01')"
            )
    res = invoke(
        "match", root / "输入0" / "采集表", "--system", root / "输入0" / "系统导出",
        "--out", tmp_path / "m", "--register", path, "--date", rounds.days[0],
    )  # fmt: skip
    assert res.exit_code == 0, res.stderr
    backups = [p for p in tmp_path.iterdir() if "备份-v1" in p.name]
    assert len(backups) == 1
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == reg_module.SCHEMA_VERSION
        assert conn.execute("SELECT code FROM houses").fetchall() == [("H1",)]
        assert conn.execute("SELECT count(*) FROM person_rows").fetchone()[0] > 0
    with sqlite3.connect(backups[0]) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1


def test_a_damaged_register_is_a_clear_message_and_stays_as_it_was(street, tmp_path):
    root, rounds, _register, _found = street
    path = tmp_path / "damaged.sqlite"
    path.write_bytes(b"SQLite format 3\x00" + b"\x13" * 3000)
    sha = _sha(path)
    res = invoke("changes", path, "--date", rounds.days[1], "--out", tmp_path / "c")
    assert res.exit_code == 1
    assert "损坏" in res.stderr and "Traceback" not in res.stderr
    res = invoke(
        "results", root / "核查单0.xlsx", "--out", tmp_path / "r", "--match", root / "核对0",
        "--register", path, "--date", rounds.visit_days[0],
    )  # fmt: skip
    assert res.exit_code == 1 and "损坏" in res.stderr
    assert _sha(path) == sha and not (tmp_path / "c").exists()


def test_a_locked_register_says_so_and_records_nothing(street, tmp_path, monkeypatch):
    root, _rounds, register, _found = street
    copy = tmp_path / "locked.sqlite"
    copy.write_bytes(register.read_bytes())
    before = _counts(copy)
    monkeypatch.setattr(reg_module, "LOCK_TIMEOUT_S", 0.2)
    other = sqlite3.connect(copy, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        res = invoke(
            "match", root / "输入1" / "采集表", "--system", root / "输入1" / "系统导出",
            "--out", tmp_path / "m", "--register", copy, "--date", "2026-12-01",
        )  # fmt: skip
        assert res.exit_code == 1
        assert "正被另一个程序使用" in res.stderr
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert _counts(copy) == before


def test_a_read_only_register_says_so_and_records_nothing(street, tmp_path):
    root, _rounds, register, _found = street
    copy = tmp_path / "ro.sqlite"
    copy.write_bytes(register.read_bytes())
    before = _counts(copy)
    # opened read-only, as SQLite does a file with the read-only attribute
    # (root ignores chmod, so the test opens it that way itself)
    conn = sqlite3.connect(f"file:{copy}?mode=ro", uri=True, isolation_level=None)
    reg = Register(copy, conn)
    try:
        with pytest.raises(InputError) as info:
            record_match(reg, ResultFolder.open(root / "核对1"), dt.date(2026, 12, 1))
        assert "只读" in info.value.render()
    finally:
        reg.close()
    assert _counts(copy) == before


def test_changes_without_a_round_is_a_clear_message(tmp_path):
    path = tmp_path / "empty.sqlite"
    Register.open(path).close()
    res = invoke("changes", path, "--date", "2026-11-30")
    assert res.exit_code == 1 and "还没有" in res.stderr
    res = invoke("changes", tmp_path / "missing.sqlite")
    assert res.exit_code == 1 and "找不到登记库" in res.stderr


def test_audit_with_the_register_shows_rates_per_round(street, tmp_path):
    import zipfile

    root, rounds, register, found = street
    out = tmp_path / "audit"
    res = invoke(
        "audit", root / "核对2", "--visits", root / "结果2", "--register", register,
        "--date", rounds.days[2], "--out", out,
    )  # fmt: skip
    assert res.exit_code == 0, res.stderr
    trend = pd.read_csv(out / "trend.csv", dtype={"轮次": str}, keep_default_na=False)
    total = trend[trend["居委"] == "合计"].set_index(["轮次", "指标"])
    assert set(trend["轮次"]) == {d.isoformat() for d in rounds.days}
    for r in (1, 2):
        kinds = found[r].table["kind"].value_counts()
        day = rounds.days[r].isoformat()

        def counted(label, num, den, day=day):
            return (int(total.at[(day, label), "分子"]), int(total.at[(day, label), "分母"])) == (
                num,
                den,
            )

        done, late = kinds.get("cancel_done", 0), kinds.get("cancel_overdue", 0)
        assert counted("去销率", done, done + late)
        done, late = kinds.get("entry_done", 0), kinds.get("entry_overdue", 0)
        assert counted("采集录入率", done, done + late)
    entries = found[2].table[found[2].table["kind"] == "entry_done"]
    on_time = int((entries["working_days_over"].astype(int) == 0).sum())
    assert total.at[(rounds.days[2].isoformat(), "录入及时率"), "分子"] == on_time
    assert 0 < on_time < len(entries)  # the sample has both
    with zipfile.ZipFile(out / "考核趋势.xlsx") as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 4  # one native line chart per rate
    wb = openpyxl.load_workbook(out / "考核趋势.xlsx")
    assert wb.sheetnames == ["趋势表", "来登率", "采集录入率", "录入及时率", "去销率"]


@pytest.mark.parametrize(
    ("description", "day", "previous"),
    [
        ("after the 25th", dt.date(2026, 10, 26), dt.date(2026, 10, 25)),
        ("on the 25th", dt.date(2026, 10, 25), dt.date(2026, 10, 10)),
        ("between 10th and 25th", dt.date(2026, 10, 12), dt.date(2026, 10, 10)),
        ("early in the month", dt.date(2026, 10, 3), dt.date(2026, 9, 25)),
        ("early in January", dt.date(2027, 1, 5), dt.date(2026, 12, 25)),
    ],
)
def test_the_previous_report_day(description, day, previous):
    from recon.rounds._progress import last_report_day

    assert last_report_day(day) == previous, description


def test_progress_with_the_register_counts_cumulative_and_since_last_report(street, tmp_path):
    root, rounds, register, found = street
    out = tmp_path / "progress"
    day = rounds.visit_days[2]  # after round 3 and its visits
    res = invoke(
        "progress", root / "核对2", "--visits", root / "结果2", "--register", register,
        "--date", day, "--out", out,
    )  # fmt: skip
    assert res.exit_code == 0, res.stderr
    table = pd.read_csv(out / "进度表_登记库.csv", dtype={"居委": str}).set_index("居委")
    total = table.loc["合计"]
    with Register.open(register) as reg:
        first = changes(reg, rounds.days[0], load_audit_rules()).table
    every = pd.concat([first, found[1].table, found[2].table])
    assert total["累计新来"] == (every["kind"] == "arrived").sum()
    assert total["本期新来"] == (found[2].table["kind"] == "arrived").sum()  # round 3 only
    assert total["累计已注销"] == (every["kind"] == "cancel_done").sum()
    assert total["本期已注销"] == 0  # done in round 2, before the last report day
    assert total["当前核查逾期"] == (found[2].table["kind"] == "visit_overdue").sum()
    assert total["累计已上门核查"] == len(rounds.persons[rounds.persons["story"].isin(
        ["leave0_ontime", "leave0_late", "leave0_never", "missed0_living", "wrong0"]
    )])  # fmt: skip
    wb = openpyxl.load_workbook(out / "进度表.xlsx")
    assert "登记库累计" in wb.sheetnames


def test_visit_results_read_late_still_belong_to_their_round(street, tmp_path):
    from recon.rounds import record_run

    root, rounds, _register, _found = street
    path = tmp_path / "late.sqlite"
    first = record_run("match", root / "核对0", path, rounds.days[0])
    record_run("match", root / "核对1", path, rounds.days[1])
    late = rounds.days[1] + dt.timedelta(days=1)  # read back after the next round
    record_run("results", root / "结果0", path, late)
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT round_id, person FROM visit_results").fetchall()
    assert rows and {r for r, _p in rows} == {first.run_id}
    assert all(p.startswith("id:") for _r, p in rows)  # every visit found its person


def test_since_a_date_spans_several_rounds(street):
    _root, rounds, register, _found = street
    with Register.open(register) as reg:
        report = changes(reg, rounds.days[2], load_audit_rules(), since=rounds.days[0])
    t = report.table
    truth = rounds.truth
    for kind in ("arrived", "left"):
        got = set(t.loc[t["kind"] == kind, "person"].str.removeprefix("id:"))
        want = set(truth.loc[(truth["kind"] == kind) & truth["round"].isin([1, 2]), "id"])
        assert got == want, kind


def test_results_before_any_recorded_round_is_a_clear_message(street, tmp_path):
    root, rounds, _register, _found = street
    path = tmp_path / "fresh.sqlite"
    res = invoke(
        "results", root / "核查单0.xlsx", "--out", tmp_path / "r", "--match", root / "核对0",
        "--register", path, "--date", rounds.visit_days[0],
    )  # fmt: skip
    assert res.exit_code == 1
    assert "还没有这一天或之前的核对" in res.stderr and "Traceback" not in res.stderr
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM runs").fetchone() == (0,)

"""`recon match` through typer's CliRunner: exit codes, streams, files."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from recon.cli import app, expand_argv
from recon.sample import StreetSpec, generate_street, write_street


@pytest.fixture(scope="module")
def street(tmp_path_factory):
    root = tmp_path_factory.mktemp("street")
    spec = StreetSpec(seed=5, committees=3, residents_per_committee=60)
    return write_street(generate_street(spec), root, layout="workbooks")


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def invoke(*args: str):
    return CliRunner().invoke(app, expand_argv(list(args)))


def test_match_writes_the_contract_files(street, tmp_path):
    before = _digest(street.folder)
    out = tmp_path / "result"
    res = invoke(
        "match", str(street.field_dir), "--system", str(street.system_dir), "--out", str(out)
    )
    assert res.exit_code == 0, res.stderr
    assert res.stdout == ""  # data goes to files, never to the terminal
    assert "核对结果汇总" in res.stderr and "结果已写入" in res.stderr
    for name in (
        "matches.csv",
        "field_only.csv",
        "system_only.csv",
        "review.csv",
        "problems.csv",
        "summary.json",
        "核对结果.xlsx",
    ):
        assert (out / name).is_file(), name
    assert _digest(street.folder) == before  # inputs untouched, nothing written beside them
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["tool"] == "recon"
    assert {i["file"] for i in summary["inputs"]} >= {p.name for p in street.field_dir.iterdir()}


def test_system_option_takes_several_files(tmp_path):
    assert expand_argv(["match", "f", "--system", "a.csv", "b.csv", "--out", "o"]) == [
        "match",
        "f",
        "--system",
        "a.csv",
        "--system",
        "b.csv",
        "--out",
        "o",
    ]
    assert expand_argv(["match", "f", "-s", "a", "b"]) == ["match", "f", "-s", "a", "-s", "b"]


def test_missing_input_is_exit_1_with_a_chinese_message(street, tmp_path):
    res = invoke(
        "match",
        str(tmp_path / "nope"),
        "--system",
        str(street.system_dir),
        "--out",
        str(tmp_path / "o"),
    )
    assert res.exit_code == 1
    assert "找不到" in res.stderr
    assert "Traceback" not in res.stderr + res.stdout


def test_missing_out_is_usage_error(street):
    res = invoke("match", str(street.field_dir), "--system", str(street.system_dir))
    assert res.exit_code == 2
    assert "--out" in res.stderr


def test_existing_result_needs_force_and_foreign_folder_is_never_replaced(street, tmp_path):
    out = tmp_path / "result"
    args = ["match", str(street.field_dir), "--system", str(street.system_dir), "--out", str(out)]
    assert invoke(*args).exit_code == 0
    again = invoke(*args)
    assert again.exit_code == 2 and "--force" in again.stderr
    assert invoke(*args, "--force").exit_code == 0
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me", encoding="utf-8")
    res = invoke(
        "match",
        str(street.field_dir),
        "--system",
        str(street.system_dir),
        "--out",
        str(foreign),
        "--force",
    )
    assert res.exit_code == 2
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_result_folder_inside_an_input_folder_is_refused(street):
    res = invoke(
        "match",
        str(street.field_dir),
        "--system",
        str(street.system_dir),
        "--out",
        str(street.field_dir / "out"),
    )
    assert res.exit_code == 2
    assert not (street.field_dir / "out").exists()


def test_same_file_on_both_sides_is_refused(street, tmp_path):
    res = invoke(
        "match",
        str(street.system_dir),
        "--system",
        str(street.system_dir),
        "--out",
        str(tmp_path / "o"),
    )
    assert res.exit_code == 2
    assert "同一个文件" in res.stderr


def test_demo_runs_end_to_end(tmp_path):
    res = invoke("demo", str(tmp_path / "demo"))
    assert res.exit_code == 0, res.stderr
    out = tmp_path / "demo" / "核对结果"
    assert (out / "summary.json").is_file()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert all(check["ok"] for check in summary["totals_check"].values())
    # the house register, built with the street's house list
    houses = pd.read_csv(out / "houses.csv", dtype=str, keep_default_na=False)
    assert houses["in_list"].str.lower().eq("true").mean() > 0.9
    assert "正在建立实有房屋清册" in res.stderr
    # problems.csv: the findings the noise plants, not one per row
    problems = pd.read_csv(out / "problems.csv", dtype=str, keep_default_na=False)
    assert not problems["problem"].str.startswith("旧行政区划代码").any()
    assert len(problems) < 0.15 * summary["files"]["rows.csv"]
    # the demo's second street: a 人户分离 list checked against its sweep
    sep = tmp_path / "demo" / "人户分离示例" / "核对结果"
    summary = json.loads((sep / "summary.json").read_text(encoding="utf-8"))
    assert summary["mode"] == "人户分离"
    assert all(check["ok"] for check in summary["totals_check"].values())
    assert summary["separation"]["still"] > 0
    assert (sep / "人户分离核查单.xlsx").is_file() and (sep / "人户分离采集表.xlsx").is_file()
    assert "人户分离核对结果" in res.stderr
    # two monthly rounds in one register, and what changed between them
    changes = pd.read_csv(
        tmp_path / "demo" / "两轮示例" / "第2轮变动与逾期" / "changes.csv", dtype=str
    )
    assert {"arrived", "left", "cancel_done", "visit_overdue"} <= set(changes["kind"])


def test_demo_review_pairs_are_decided_with_the_command_it_prints(tmp_path):
    """The demo makes a few rows a person must decide; ticking 是同一人 on its
    待人工确认单 and running the command it prints matches each to the truth."""
    import shlex

    import openpyxl

    from recon.demo import REVIEW_PAIRS

    res = invoke("demo", str(tmp_path / "demo"))
    assert res.exit_code == 0, res.stderr
    out = tmp_path / "demo" / "核对结果"
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    pairs = summary["pairs"]["review_pairs"]  # the designed ones, and any the noise made
    assert REVIEW_PAIRS <= pairs <= REVIEW_PAIRS + 3
    assert f"待人工确认：{pairs}对" in res.stderr
    wb = openpyxl.load_workbook(out / "待人工确认单.xlsx")
    ws = wb["待人工确认"]
    head = [c.value for c in ws[3]]
    for r in range(4, ws.max_row + 1):
        if ws.cell(r, head.index("配对号") + 1).value:
            ws.cell(r, head.index("是同一人") + 1).value = "√"
    wb.save(out / "待人工确认单.xlsx")
    line = next(x for x in res.stderr.splitlines() if "--decisions" in x and "recon match" in x)
    args = shlex.split(line.strip())[2:]
    again = invoke("match", *args)
    assert again.exit_code == 0, again.stderr
    matches = pd.read_csv(tmp_path / "demo" / "核对结果2" / "matches.csv", dtype=str,
                          encoding="utf-8-sig")  # fmt: skip
    decided = matches[matches["method"] == "decided"]
    assert len(decided) == pairs
    truth = pd.read_csv(tmp_path / "demo" / "答案" / "truth.csv", dtype=str,
                        keep_default_na=False, encoding="utf-8-sig")  # fmt: skip
    place = truth["side"] + "|" + truth["file"] + "|" + truth["sheet"] + "|" + truth["row"]
    person = dict(zip(place, truth["person_id"], strict=True))
    decided = decided.fillna("")
    for f, fs, fr, s, ss, sr in decided[
        ["field_file", "field_sheet", "field_row", "system_file", "system_sheet", "system_row"]
    ].values:
        assert person[f"field|{f}|{fs}|{fr}"] == person[f"system|{s}|{ss}|{sr}"]


def test_generate_a_separation_street(tmp_path):
    res = invoke("generate", str(tmp_path / "g"), "--mode", "人户分离", "--committees", "2",
                 "--residents", "50")  # fmt: skip
    assert res.exit_code == 0, res.stderr
    sweeps = sorted(p.name for p in (tmp_path / "g" / "现场排查表").iterdir())
    assert len(sweeps) == 2 and all("人户分离排查表" in n for n in sweeps)
    assert (tmp_path / "g" / "系统导出" / "人户分离人员名单.csv").is_file()
    res = invoke("generate", str(tmp_path / "h"), "--mode", "流动")
    assert res.exit_code == 2 and "人户分离" in res.stderr


def test_a_locked_old_result_is_left_intact(street, tmp_path, monkeypatch):
    """On Windows an open 核对结果.xlsx locks the old folder: say so, change nothing."""
    out = tmp_path / "result"
    args = ["match", str(street.field_dir), "--system", str(street.system_dir), "--out", str(out)]
    assert invoke(*args).exit_code == 0
    before = _digest(out)
    real_rename = Path.rename

    def locked(self, target):
        if Path(self) == out.resolve():
            raise PermissionError("locked")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", locked)
    res = invoke(*args, "--force")
    assert res.exit_code == 1
    assert "正在被使用" in res.stderr and "Traceback" not in res.stderr
    assert _digest(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no leftovers


def test_committee_option_limits_the_visits(street, tmp_path):
    out_all, out_one = tmp_path / "all", tmp_path / "one"
    base = ["match", str(street.field_dir), "--system", str(street.system_dir)]
    assert invoke(*base, "--out", str(out_all)).exit_code == 0
    summary = json.loads((out_all / "summary.json").read_text(encoding="utf-8"))
    import pandas as pd

    visits = pd.read_csv(out_all / "system_only.csv", dtype=str, encoding="utf-8-sig")
    one = visits["system_committee"].value_counts().index[0]
    res = invoke(*base, "--out", str(out_one), "--committee", one)
    assert res.exit_code == 0, res.stderr
    limited = json.loads((out_one / "summary.json").read_text(encoding="utf-8"))
    kept = pd.read_csv(out_one / "system_only.csv", dtype=str, encoding="utf-8-sig")
    assert set(kept["system_committee"]) == {one}
    moved = limited["outcomes"]["system"]["out_of_scope"]
    assert moved == len(visits) - len(kept) > 0
    assert limited["outcomes"]["system"]["matched"] == summary["outcomes"]["system"]["matched"]
    assert sum(limited["outcomes"]["system"].values()) == limited["rows_read"]["system"]
    bad = invoke(*base, "--out", str(tmp_path / "x"), "--committee", "没有这个居委")
    assert bad.exit_code == 2 and "没有这些居委" in bad.stderr


@pytest.mark.parametrize(
    "stage", ["recon.modes._resident.write_worklists", "recon.pipeline._summary"]
)
def test_ctrl_c_leaves_no_result_and_keeps_the_old_one(street, tmp_path, monkeypatch, stage):
    """Ctrl-C while writing: exit 130, no folder that looks finished, old result intact."""
    out = tmp_path / "result"
    args = ["match", str(street.field_dir), "--system", str(street.system_dir), "--out", str(out)]
    assert invoke(*args).exit_code == 0
    before = _digest(out)

    def interrupted(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr(stage, interrupted)
    res = invoke(*args, "--force")
    assert res.exit_code == 130
    assert "已中断" in res.stderr and "Traceback" not in res.stderr
    assert _digest(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["result"]  # no partial folder beside it
    fresh = tmp_path / "fresh"
    res = invoke(*args[:-1], str(fresh))
    assert res.exit_code == 130 and not fresh.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["result"]


def test_a_full_disk_while_writing_says_so_and_leaves_nothing(street, tmp_path, monkeypatch):
    out = tmp_path / "result"

    def broken(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("recon.modes._resident.write_worklists", broken)
    args = ["match", str(street.field_dir), "--system", str(street.system_dir), "--out", str(out)]
    res = invoke(*args)
    assert res.exit_code == 1 and "Traceback" not in res.stderr
    assert "磁盘空间不足" in res.stderr and "内部错误" not in res.stderr
    assert list(tmp_path.iterdir()) == []


def test_rows_csv_gives_every_input_row_exactly_one_outcome(street, tmp_path):
    out = tmp_path / "result"
    args = ["match", str(street.field_dir), "--system", str(street.system_dir), "--out", str(out)]
    assert invoke(*args).exit_code == 0
    import pandas as pd

    rows = pd.read_csv(out / "rows.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert not rows.duplicated(["side", "file", "sheet", "row"]).any()
    for side in ("field", "system"):
        mine = rows[rows["side"] == side]
        assert len(mine) == summary["rows_read"][side]
        counts = {k: v for k, v in summary["outcomes"][side].items() if v}
        assert mine["outcome"].value_counts().to_dict() == counts
    matches = pd.read_csv(out / "matches.csv", dtype=str, encoding="utf-8-sig")
    field = rows[(rows["side"] == "field") & (rows["outcome"] == "matched")]
    assert set(
        zip(field["file"], field["row"], field["partner_file"], field["partner_row"], strict=True)
    ) == set(
        zip(
            matches["field_file"],
            matches["field_row"],
            matches["system_file"],
            matches["system_row"],
            strict=True,
        )
    )
    assert summary["files"]["rows.csv"] == len(rows)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_review_rows_by_design_go_to_review_with_their_own_person(tmp_path, seed):
    """Whatever the seed, each designed row is proposed for review with the one
    record of its own person (no namesake in the building to confuse it)."""
    from recon.pipeline import run_match

    spec = StreetSpec(seed=seed, committees=3, residents_per_committee=150, review_pairs=4)
    files = write_street(generate_street(spec), tmp_path / "data")
    run_match([files.field_dir], [files.system_dir], tmp_path / "out")
    truth = pd.read_csv(files.truth_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    place = truth["side"] + "|" + truth["file"] + "|" + truth["sheet"] + "|" + truth["row"]
    person = dict(zip(place, truth["person_id"], strict=True))
    designed = set(place[truth["noise"].str.contains("review_")])
    assert len(designed) == 4
    review = pd.read_csv(tmp_path / "out" / "review.csv", dtype=str, keep_default_na=False,
                         encoding="utf-8-sig")  # fmt: skip
    field = (
        "field|" + review["field_file"] + "|" + review["field_sheet"] + "|" + review["field_row"]
    )
    system = "system|" + review["system_file"] + "|" + review["system_sheet"] + "|"
    system += review["system_row"]
    assert designed <= set(field)
    for f, s in zip(field, system, strict=True):
        if f in designed:
            assert person[f] == person[s]


def test_loading_the_sides_in_two_processes_gives_the_same_result(street, tmp_path, monkeypatch):
    """Big inputs load each side in a worker process (both cores), and the
    workers normalise the pooled hukou addresses of both sides, split:
    everything they carry must cross the process boundary (rules included)
    and the result must be the same as loading both sides in one process."""
    import recon.pipeline

    args = ["match", str(street.field_dir), "--system", str(street.system_dir), "--out"]
    monkeypatch.setattr(recon.pipeline, "PARALLEL_LOAD_BYTES", 10**12)
    assert invoke(*args, str(tmp_path / "one")).exit_code == 0
    monkeypatch.setattr(recon.pipeline, "PARALLEL_LOAD_BYTES", 0)
    res = invoke(*args, str(tmp_path / "two"))
    assert res.exit_code == 0, res.stderr
    names = ("matches.csv", "field_only.csv", "system_only.csv", "review.csv", "rows.csv")
    for name in (*names, "differences.csv", "problems.csv"):
        one = pd.read_csv(tmp_path / "one" / name, dtype=str, keep_default_na=False)
        two = pd.read_csv(tmp_path / "two" / name, dtype=str, keep_default_na=False)
        pd.testing.assert_frame_equal(one, two, obj=name)


def test_the_slimmed_records_hold_the_loaded_values(street):
    """What matching and the writers keep of a side (few-valued columns as
    categories, repeated texts held once, equal columns sharing one text)
    reads back as exactly what the loader made."""
    from recon.loaders import load
    from recon.pipeline import _FEW_VALUES, KEEP_COLUMNS, _slim

    loaded = load([street.system_dir], side="system")
    expected = loaded.records[[c for c in KEEP_COLUMNS if c in loaded.records]].copy()
    slim = _slim(loaded).records
    assert list(slim.columns) == list(expected.columns)
    for col in expected.columns:
        if col in _FEW_VALUES:
            assert isinstance(slim[col].dtype, pd.CategoricalDtype), col
        want = expected[col].to_numpy(dtype=object)
        got = slim[col].to_numpy(dtype=object)
        if expected[col].dtype == object or isinstance(expected[col].dtype, pd.StringDtype):
            want = np.where(pd.isna(want), "", want)
        assert (got == want).all(), col

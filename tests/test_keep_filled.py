"""Nothing a person may have written is ever deleted by a re-run.

``recon match --force`` replaces only the files that run wrote: a filled
入户核查单 kept in the result folder, the 抽查单 that ``recon sample`` drew
into it, 考核统计 and 进度表, and any file the user put there survive;
``recon worklist --force`` and ``recon sample --force`` move a filled sheet
to a dated 已填写 copy instead of overwriting it.
"""

from __future__ import annotations

import json

import openpyxl
import pytest
from typer.testing import CliRunner

from recon.cli import app, expand_argv
from recon.sample import StreetSpec, generate_street, write_street
from recon.worklists import VISIT_HEADERS


def invoke(*args):
    return CliRunner().invoke(app, expand_argv([str(a) for a in args]))


def _tick_first(path, header, column):
    """Tick ``column`` in the first person row of the first sheet, in place."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    head = [c.value for c in ws[3]]
    for r in range(4, ws.max_row + 1):
        if str(ws.cell(r, head.index(header) + 1).value or "").startswith("R"):
            ws.cell(r, head.index(column) + 1).value = "√"
            break
    wb.save(path)


@pytest.fixture
def street(tmp_path):
    files = write_street(
        generate_street(StreetSpec(seed=5, committees=2, residents_per_committee=60)),
        tmp_path / "data",
    )
    out = tmp_path / "result"
    args = ["match", files.field_dir, "--system", files.system_dir, "--out", out]
    res = invoke(*args)
    assert res.exit_code == 0, res.stderr
    return tmp_path, out, args


def test_match_force_keeps_filled_sheets_and_others_files(street):
    tmp_path, out, args = street
    assert invoke("sample", out, "--houses", 2, "--seed", 7).exit_code == 0
    assert invoke("progress", out).exit_code == 0
    _tick_first(out / "入户核查单.xlsx", "记录号", "已离开")
    _tick_first(out / "抽查单.xlsx", "记录号", "在住")
    (out / "我的笔记.txt").write_text("下周一再去 12 号", encoding="utf-8")
    filled_worklist = (out / "入户核查单.xlsx").read_bytes()
    filled_check = (out / "抽查单.xlsx").read_bytes()
    progress = (out / "进度表.xlsx").read_bytes()

    res = invoke(*args, "--force")
    assert res.exit_code == 0, res.stderr

    # the new worklist is recon's; the filled one is beside it, under a dated name
    kept = [p for p in out.iterdir() if p.name.startswith("入户核查单（已填写")]
    assert len(kept) == 1 and kept[0].read_bytes() == filled_worklist
    assert (out / "入户核查单.xlsx").read_bytes() != filled_worklist
    # files the match run did not write are carried over unchanged
    assert (out / "抽查单.xlsx").read_bytes() == filled_check
    assert (out / "进度表.xlsx").read_bytes() == progress
    assert (out / "我的笔记.txt").read_text(encoding="utf-8") == "下周一再去 12 号"
    said = "".join(res.stderr.split())  # rich wraps long lines
    assert "已保留：「入户核查单.xlsx」" in said and "另存为「入户核查单（已填写" in said
    assert "「抽查单.xlsx」不是上次运行写出的文件，原样保留" in said
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert invoke("verify", out).exit_code == 0

    # a second --force: the unchanged new worklist is replaced, everything kept stays
    res = invoke(*args, "--force")
    assert res.exit_code == 0, res.stderr
    assert [p.read_bytes() for p in out.iterdir() if "已填写" in p.name] == [filled_worklist]
    assert (out / "抽查单.xlsx").read_bytes() == filled_check
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert "抽查单.xlsx" not in summary["written"]
    assert summary["written"]["入户核查单.xlsx"] == summary["worklists"]["入户核查单.xlsx"]


def test_match_force_replaces_an_unfilled_worklist_without_a_word(street):
    _tmp, out, args = street
    res = invoke(*args, "--force")
    assert res.exit_code == 0, res.stderr
    assert "已保留" not in res.stderr
    assert not [p for p in out.iterdir() if "已填写" in p.name or "原有" in p.name]


def test_sample_force_keeps_a_filled_check_sheet(street):
    _tmp, out, _args = street
    assert invoke("sample", out, "--houses", 2, "--seed", 7).exit_code == 0
    # unchanged since recon drew it: --force replaces it, nothing kept
    res = invoke("sample", out, "--houses", 2, "--seed", 8, "--force")
    assert res.exit_code == 0, res.stderr
    assert not [p for p in out.iterdir() if "已填写" in p.name]
    _tick_first(out / "抽查单.xlsx", "记录号", "在住")
    filled = (out / "抽查单.xlsx").read_bytes()
    assert invoke("sample", out, "--houses", 2, "--seed", 9).exit_code == 2
    res = invoke("sample", out, "--houses", 2, "--seed", 9, "--force")
    assert res.exit_code == 0, res.stderr
    kept = [p for p in out.iterdir() if p.name.startswith("抽查单（已填写")]
    assert len(kept) == 1 and kept[0].read_bytes() == filled
    assert "已保留" in res.stderr


def test_worklist_force_keeps_the_filled_copy(street):
    _tmp, out, _args = street
    _tick_first(out / "入户核查单.xlsx", "记录号", VISIT_HEADERS[8])
    filled = (out / "入户核查单.xlsx").read_bytes()
    res = invoke("worklist", out, "--force", "--no-pdf")
    assert res.exit_code == 0, res.stderr
    kept = [p for p in out.iterdir() if p.name.startswith("入户核查单（已填写")]
    assert len(kept) == 1 and kept[0].read_bytes() == filled
    assert (out / "入户核查单.xlsx").read_bytes() != filled
    assert invoke("verify", out).exit_code == 0


def _folder(root, files, summary):
    root.mkdir()
    for name, data in files.items():
        if name.endswith("/"):
            (root / name).mkdir()
            (root / name / "x.pdf").write_bytes(data)
        else:
            (root / name).write_bytes(data)
    (root / "summary.json").write_text(json.dumps(summary), encoding="utf-8")


def _sha(data):
    import hashlib

    return hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("description", "files", "summary", "kept"),
    [
        (
            "written record: unchanged workbook replaced, changed one kept, others carried",
            {"a.csv": b"1", "入户核查单.xlsx": b"ours", "待人工确认单.xlsx": b"filled",
             "抽查单.xlsx": b"drawn", "入户核查单PDF/": b"%PDF"},
            {"tool": "recon", "written": {"a.csv": None, "入户核查单.xlsx": _sha(b"ours"),
             "待人工确认单.xlsx": _sha(b"printed"), "入户核查单PDF": None,
             "summary.json": None}},
            [("待人工确认单.xlsx", True), ("抽查单.xlsx", False)],
        ),
        (
            "older summary: its files and worklists are recon's, PDF folders too",
            {"a.csv": b"1", "入户核查单.xlsx": b"filled", "考核统计.xlsx": b"x",
             "入户核查单PDF/": b"%PDF"},
            {"tool": "recon", "files": {"a.csv": 1},
             "worklists": {"入户核查单.xlsx": _sha(b"ours")}},
            [("入户核查单.xlsx", True), ("考核统计.xlsx", False)],
        ),
        (
            "a folder the user made inside",
            {"a.csv": b"1", "照片/": b"jpg"},
            {"tool": "recon", "written": {"a.csv": None, "summary.json": None}},
            [("照片", False)],
        ),
    ],
)  # fmt: skip
def test_files_to_keep(tmp_path, description, files, summary, kept):
    from recon.outdir import files_to_keep

    _folder(tmp_path / "r", files, summary)
    assert files_to_keep(tmp_path / "r") == kept, description


def test_swap_into_place_loses_nothing(tmp_path):
    from recon.outdir import keeping, swap_into_place

    old = {"a.csv": b"old", "入户核查单.xlsx": b"filled", "抽查单.xlsx": b"drawn", "照片/": b"j"}
    _folder(tmp_path / "r", old, {"tool": "recon", "written": {
        "a.csv": None, "入户核查单.xlsx": _sha(b"printed"), "summary.json": None}})  # fmt: skip
    new = tmp_path / "new"
    new.mkdir()
    (new / "a.csv").write_bytes(b"new")
    (new / "入户核查单.xlsx").write_bytes(b"printed again")
    with keeping() as kept:
        swap_into_place(new, tmp_path / "r")
    out = tmp_path / "r"
    assert (out / "a.csv").read_bytes() == b"new"
    assert (out / "入户核查单.xlsx").read_bytes() == b"printed again"
    assert (out / "抽查单.xlsx").read_bytes() == b"drawn"
    assert (out / "照片" / "x.pdf").read_bytes() == b"j"
    aside = [p for p in out.iterdir() if p.name.startswith("入户核查单（已填写")]
    assert [p.read_bytes() for p in aside] == [b"filled"]
    assert sorted(k.name for k in kept) == ["入户核查单.xlsx", "抽查单.xlsx", "照片"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]  # nothing left beside


def test_decisions_filled_in_place_survive_the_rerun(tmp_path):
    """The usual round: tick 待人工确认单 where recon wrote it, re-run with
    --decisions it and --force; the ticked sheet is kept, its decisions used."""
    from tests.test_match_cases import SYS_ADDR, ZHANG, make_id, write

    other = make_id("620102", "19880808", "135")
    (tmp_path / "f").mkdir()
    (tmp_path / "s").mkdir()
    write(tmp_path / "f" / "f.csv", ["姓名", "性别", "公民身份号码", "现居住地址"],
          [["张伟", "男", "", "古美路1255弄12号302室"]])  # fmt: skip
    write(
        tmp_path / "s" / "s.csv",
        ["姓名", "性别", "公民身份号码", "暂住地址", "人员状态"],
        [["张伟", "男", other, SYS_ADDR, "正常"], ["张伟", "男", ZHANG, SYS_ADDR, "正常"]],
    )
    out = tmp_path / "o"
    base = ["match", tmp_path / "f", "--system", tmp_path / "s", "--out", out]
    assert invoke(*base).exit_code == 0
    sheet = out / "待人工确认单.xlsx"
    wb = openpyxl.load_workbook(sheet)
    ws = wb["待人工确认"]
    head = [c.value for c in ws[3]]
    for r in range(4, ws.max_row + 1):
        mine = ws.cell(r, head.index("系统：身份证号") + 1).value == ZHANG
        ws.cell(r, head.index("是同一人" if mine else "不是同一人") + 1).value = "√"
    wb.save(sheet)
    ticked = sheet.read_bytes()
    res = invoke(*base, "--force", "--decisions", sheet)
    assert res.exit_code == 0, res.stderr
    kept = [p for p in out.iterdir() if p.name.startswith("待人工确认单（已填写")]
    assert [p.read_bytes() for p in kept] == [ticked]
    matches = json.loads((out / "summary.json").read_text(encoding="utf-8"))["pairs"]
    assert matches["by_method"].get("decided") == 1

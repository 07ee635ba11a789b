"""recon verify and recon redact on a real result folder."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from recon.cli import app, expand_argv
from recon.sample import StreetSpec, generate_street, write_street
from recon.verify import verify_result


def invoke(*args):
    return CliRunner().invoke(app, expand_argv([str(a) for a in args]))


@pytest.fixture()
def result(tmp_path):
    files = write_street(
        generate_street(StreetSpec(seed=8, committees=3, residents_per_committee=50)),
        tmp_path / "data",
    )
    out = tmp_path / "out"
    res = invoke("match", files.field_dir, "--system", files.system_dir, "--out", out)
    assert res.exit_code == 0, res.stderr
    return files, out


def test_a_fresh_result_verifies(result):
    _files, out = result
    checks = verify_result(out)
    assert checks and all(c.ok is not False for c in checks)
    assert any("输入文件" in c.what and c.ok for c in checks)  # inputs still there, unchanged
    res = invoke("verify", out)
    assert res.exit_code == 0
    assert "不符" not in res.stdout


def test_a_changed_input_or_a_missing_file_is_reported(result):
    files, out = result
    field = sorted(files.field_dir.iterdir())[0]
    field.write_bytes(field.read_bytes() + b"\0")
    (out / "review.csv").unlink()
    res = invoke("verify", out)
    assert res.exit_code == 1
    assert "已被改动" in res.stdout and "缺失" in res.stdout


def test_a_truncated_csv_is_reported(result):
    _files, out = result
    lines = (out / "field_only.csv").read_text(encoding="utf-8-sig").splitlines()
    (out / "field_only.csv").write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8-sig")
    assert any(c.ok is False and "field_only.csv" in c.what for c in verify_result(out))


def test_not_a_result_folder(tmp_path):
    res = invoke("verify", tmp_path)
    assert res.exit_code == 1 and "summary.json" in res.stderr


def test_redacted_copy_hides_people_but_keeps_coordinates(result, tmp_path):
    _files, out = result
    copy = tmp_path / "share"
    res = invoke("redact", out, "--out", copy)
    assert res.exit_code == 0, res.stderr
    original = pd.read_csv(
        out / "matches.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    masked = pd.read_csv(
        copy / "matches.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    assert masked[["field_file", "field_row", "system_row", "method"]].equals(
        original[["field_file", "field_row", "system_row", "method"]]
    )
    assert not set(original["field_name"]) & set(masked["field_name"]) - {""}
    assert all("*" in i for i in masked["system_id"] if i)
    assert not masked["field_address"].str.contains(r"\d").any()
    summary = json.loads((copy / "summary.json").read_text(encoding="utf-8"))
    assert summary["redacted"] and all("path" not in i for i in summary["inputs"])
    assert not list(copy.glob("*.xlsx"))  # the workbooks hold full values: not copied
    again = invoke("redact", out, "--out", copy)
    assert again.exit_code == 2
    assert invoke("redact", out, "--out", out / "share").exit_code == 2
    checked = invoke("verify", copy)  # the copy's manifest lists what it holds
    assert checked.exit_code == 0, checked.stdout


def test_merged_address_cell_applies_to_every_row(tmp_path):
    import openpyxl

    from recon.loaders import load

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "现居住地址"])
    ws.append(["张三", "11010519491231002X", "古美路1弄1号101室"])
    ws.append(["李四", "", None])
    ws.append(["王五", "", None])
    ws.merge_cells("C2:C4")
    wb.save(tmp_path / "family_merged.xlsx")
    records = load(tmp_path / "family_merged.xlsx").records
    assert records["addr_key"].tolist() == ["古美路1弄1号101室"] * 3

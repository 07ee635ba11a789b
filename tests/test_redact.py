"""`recon redact` on every kind of folder recon writes: nothing it masks leaks.

The folders are made by the real commands on a generated street (match in both
modes, results from a filled worklist, audit, progress, sample); every cell of
every file of each copy is scanned.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from recon.cli import app, expand_argv
from recon.normalize import parse_id
from recon.verify import _column_class, _mask_birth, _mask_id, redact_result
from recon.worklists import NEW_KEY, VISIT_HEADERS


def invoke(*args):
    return CliRunner().invoke(app, expand_argv([str(a) for a in args]))


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _fill_worklist(path: Path, out: Path) -> None:
    """Ticks, and free text a clerk writes: an address and a phone in 去向, a
    phone and a resident's name in 备注, a new person in the blank lines."""
    wb = openpyxl.load_workbook(path)
    col = {h: i + 1 for i, h in enumerate(VISIT_HEADERS)}
    for ws in (w for w in wb.worksheets if w.sheet_state == "visible"):
        k, new = 0, False
        for r in range(4, ws.max_row + 1):
            key = ws.cell(r, col["记录号"]).value or ""
            if key.startswith("R"):
                k += 1
                name = ws.cell(r, col["姓名"]).value
                if k % 3 == 0:
                    ws.cell(r, col["已离开"]).value = "√"
                    ws.cell(r, col["去向/现住址"]).value = "搬到古美路12弄3号401室，电话13912345678"
                elif k % 3 == 1:
                    ws.cell(r, col["仍居住"]).value = "√"
                else:
                    ws.cell(r, col["信息有误"]).value = "√"
                    ws.cell(r, col["备注"]).value = f"{name}电话改为13812345678"
            elif key == NEW_KEY and not new:
                ws.cell(r, col["姓名"]).value = "欧阳新来"
                ws.cell(r, col["身份证号"]).value = "11010519491231002X"
                ws.cell(r, col["登记住址"]).value = "某路1号101室"
                new = True
    wb.save(out)


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("redact")
    data, sep = root / "data", root / "sep"
    run = [
        ("generate", data, "--seed", 5, "--committees", 3, "--residents", 80),
        ("match", data / "现场采集表", "--system", data / "系统导出", "--out", root / "match"),
    ]  # fmt: skip
    for args in run:
        assert (res := invoke(*args)).exit_code == 0, res.stderr
    _fill_worklist(root / "match/入户核查单.xlsx", root / "visited.xlsx")
    run = [
        ("results", root / "visited.xlsx", "--out", root / "results", "--match", root / "match"),
        ("audit", root / "match", "--visits", root / "results", "--out", root / "audit"),
        ("progress", root / "match", "--visits", root / "results", "--out", root / "progress"),
        ("sample", root / "match", "--houses", 2, "--seed", 1, "--out", root / "sample"),
        ("generate", sep, "--seed", 5, "--committees", 2, "--residents", 60, "--mode", "人户分离"),
        ("match", sep / "现场排查表", "--system", sep / "系统导出", "--out", root / "sep_match",
         "--mode", "人户分离"),
    ]  # fmt: skip
    for args in run:
        assert (res := invoke(*args)).exit_code == 0, (args[0], res.stderr)
    return root


KINDS = ["match", "sep_match", "results", "audit", "progress"]


def _people(folder: Path) -> tuple[set[str], set[str], set[str]]:
    """Names, IDs and phones of the original folder, from its classed columns."""
    names, ids, phones = set(), set(), set()
    for path in folder.glob("*.csv"):
        frame = _csv(path)
        for col in frame.columns:
            kind = _column_class(col)
            values = {v.strip() for v in frame[col] if v.strip()}
            if kind == "name":
                names |= {v for v in values if len(v) >= 2}
            elif kind == "id":
                ids |= {v for v in values if len(v) >= 15}
            elif kind == "phone":
                phones |= values
    return names, ids, phones


_DATE = re.compile(r"(\d{4})[-./年]?(\d{1,2})[-./月]?(\d{1,2})")


@pytest.mark.parametrize("kind", KINDS)
def test_nothing_personal_is_left_in_any_cell(folders, tmp_path, kind):
    original = folders / kind
    copy = tmp_path / "copy"
    res = invoke("redact", original, "--out", copy)
    assert res.exit_code == 0, res.stderr
    names, ids, phones = _people(original)
    assert kind in ("audit", "progress") or (names and ids)
    copied = sorted(p.name for p in copy.glob("*.csv"))
    assert copied == sorted(p.name for p in original.glob("*.csv"))
    for name in copied:
        before, after = _csv(original / name), _csv(copy / name)
        assert before.shape == after.shape and list(before.columns) == list(after.columns)
        for i in range(len(after)):
            births = {
                parse_id(v).birth_date.replace("-", "")
                for v in before.iloc[i]
                if len(v) >= 15 and parse_id(v).birth_date
            }
            for cell in after.iloc[i]:
                where = f"{name} row {i + 2}: {cell}"
                assert not re.search(r"\d{15}|\d{17}[\dX]", cell), where
                assert not re.search(r"1\d{10}", cell), where
                assert not any(n in cell for n in names), where
                assert not any(p in cell for p in phones if len(p) >= 7), where
                for m in _DATE.finditer(cell):
                    y, mo, d = m.groups()
                    assert f"{y}{int(mo):02d}{int(d):02d}" not in births, where
        for col in after.columns:
            if _column_class(col) == "birth":
                assert not after[col].str.contains(r"\d{4}-\d\d-\d\d").any(), (name, col)
    assert not [p for p in copy.iterdir() if p.suffix in (".xlsx", ".pdf") or p.is_dir()]
    # no folder name either: it may say whose data it is
    assert str(folders) not in (copy / "summary.json").read_text(encoding="utf-8")
    checked = invoke("verify", copy)
    assert checked.exit_code == 0, checked.stdout


def test_coordinates_and_counts_are_kept(folders, tmp_path):
    copy = tmp_path / "copy"
    redact_result(folders / "results", copy)
    before, after = _csv(folders / "results/注销表.csv"), _csv(copy / "注销表.csv")
    assert after["核查单位置"].equals(before["核查单位置"])
    assert after["注销原因"].equals(before["注销原因"])
    assert (after["去向"].str.contains("古美路##弄#号###室")).any()  # shape kept, numbers hidden
    assert _csv(copy / "进度.csv").equals(_csv(folders / "results/进度.csv"))
    visits_before, visits_after = _csv(folders / "results/visits.csv"), _csv(copy / "visits.csv")
    assert visits_after["system_row"].equals(visits_before["system_row"])
    # the 记录号 is a short hash of the ID: replaced, one for one
    assert not set(visits_after["key"]) & set(visits_before["key"])
    assert visits_after["key"].nunique() == visits_before["key"].nunique()


@pytest.mark.parametrize(
    ("description", "make", "named"),
    [
        ("recon sample", None, "抽查单"),
        ("recon worklist --out", ("worklist", "--out"), "入户核查单"),
    ],
)
def test_a_folder_of_workbooks_only_is_refused(folders, tmp_path, description, make, named):
    folder = folders / "sample"
    if make is not None:
        folder = tmp_path / "printed"
        assert invoke(make[0], folders / "match", make[1], folder, "--no-pdf").exit_code == 0
    res = invoke("redact", folder, "--out", tmp_path / "copy")
    assert res.exit_code == 1, description
    assert "工作簿" in res.stderr and named in res.stderr
    assert not (tmp_path / "copy").exists()


@settings(max_examples=200, deadline=None)
@given(
    before=st.text(st.sampled_from("去向搬到古美路弄号室电话，、 "), max_size=12),
    body=st.integers(0, 10**17 - 1),
    after=st.text(st.sampled_from("去向搬到古美路弄号室电话，、 "), max_size=12),
)
def test_no_id_or_phone_survives_in_free_text(before, body, after):
    """Whatever surrounds it, an ID or a phone written into a free-text cell
    leaves no run of 7 digits, and the birth digits are gone."""
    from recon.normalize import check_char
    from recon.verify import _Names, _Redactor

    body17 = f"{body:017d}"
    id18 = body17 + check_char(body17)
    phone = "1" + body17[:10]
    redactor = _Redactor(_Names(set()), "salt")
    for value in (id18, phone):
        masked = redactor.mask("text", before + value + after)
        assert not re.search(r"\d{7}", masked), masked
        assert body17[6:14] not in masked


def test_a_folder_recon_did_not_write_is_refused(folders, tmp_path):
    res = invoke("redact", folders / "data/系统导出", "--out", tmp_path / "copy")
    assert res.exit_code == 1 and "summary.json" in res.stderr
    assert not (tmp_path / "copy").exists()


@pytest.mark.parametrize(
    ("description", "value", "expected"),
    [
        ("18 digits: region only", "310112199001011233", "310112************"),
        ("lowercase x", "31011219900101123x", "310112************"),
        ("15-digit old ID", "310112900101123", "310112*********"),
        ("Excel damage keeps its shape", "3.10112E+17", "3.1011*E+**"),
        ("short", "12345", "*****"),
    ],
)
def test_id_mask_hides_the_birth_digits(description, value, expected):
    assert _mask_id(value) == expected, description


@pytest.mark.parametrize(
    ("description", "value", "expected"),
    [
        ("ISO date", "1990-01-01", "1990-**-**"),
        ("compact", "19900101", "1990-**-**"),
        ("Chinese", "1990年1月1日", "1990-**-**"),
        ("unreadable", "90/1/1", "**/*/*"),
    ],
)
def test_birth_mask_keeps_the_year_only(description, value, expected):
    assert _mask_birth(value) == expected, description


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("field_row", "keep"),
        ("system_file", "keep"),
        ("核查单位置", "keep"),
        ("field_committee", "keep"),
        ("所属居委", "keep"),
        ("field_name", "name"),
        ("姓名", "name"),
        ("system_id", "id"),
        ("公民身份号码", "id"),
        ("人员编号", "id"),
        ("system_record_key", "id"),
        ("field_birth", "birth"),
        ("出生日期", "birth"),
        ("field_hukou_address", "address"),
        ("暂住地址", "address"),
        ("house", "address"),
        ("system_phone", "phone"),
        ("key", "key"),
        ("field_fp", "key"),
        ("去向", "text"),
        ("备注", "text"),
        ("核查到", "text"),
        ("problem", "words"),
    ],
)
def test_every_column_recon_writes_has_a_class(header, kind):
    assert _column_class(header) == kind

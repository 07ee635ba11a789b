"""Console tables fit an 80-column console, and nothing in them is cut.

A clerk's cmd window is 80 columns wide by default; rich shrinks a wider
table by cutting its cells to "…", which hid the audit rates. FitTable wraps
headers onto two lines and splits the columns into several tables.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console

from recon.report import FitTable, render_match_summary

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)


def render(renderable, width: int) -> list[str]:
    console = Console(width=width, record=True, color_system=None)
    console.print(renderable)
    return console.export_text().splitlines()


def assert_fits(lines: list[str], width: int) -> None:
    assert lines
    for line in lines:
        assert cell_len(line) <= width, line
        assert "…" not in line, line


@settings(max_examples=40, deadline=None)
@given(
    headers=st.lists(st.text(CJK, min_size=1, max_size=9), min_size=2, max_size=18),
    names=st.lists(st.text(CJK, min_size=2, max_size=7), min_size=1, max_size=5),
    width=st.sampled_from([60, 80, 120]),
    data=st.data(),
)
def test_any_table_fits_and_keeps_every_value(headers, names, width, data):
    table = FitTable("考核统计", ["居委", *headers])
    rows = []
    for name in names:
        cells = [
            data.draw(st.sampled_from(["100.0%", "0.0%", "—", "12345", "3 / 7", ""]))
            for _ in headers
        ]
        rows.append([name, *cells])
        table.add_row(*rows[-1])
    lines = render(table, width)
    assert_fits(lines, width)
    # every header is the header of exactly one column, the 居委 repeats in each table
    tables = table.tables(width)
    shown = [col.header for t in tables for col in t.columns]
    assert sorted(h for h in shown if h != "居委") == sorted(h for h in headers if h != "居委")
    assert all(t.columns[0].header == "居委" for t in tables)
    # every value is whole in some line, every row in every table
    text = "\n".join(lines)
    for row in rows:
        for cell in row[1:]:
            assert not cell or cell in text
    for t in tables:
        assert t.row_count == len(rows)


def test_a_narrow_table_stays_one_table():
    table = FitTable("进度", ["居委", "名单人数", "已核查"])
    table.add_row("古美一村", "14", "14")
    assert len(table.tables(80)) == 1
    assert "进度" in render(table, 80)[0] and "（1/" not in render(table, 80)[0]


@pytest.mark.parametrize("mode", ["", "人户分离"])
def test_match_summary_fits_80_columns(tmp_path, mode):
    from recon.demo import generate
    from recon.pipeline import run_match

    files = generate(tmp_path / "d", committees=2, residents=40, mode=mode)
    run = run_match([files.field_dir], [files.system_dir], tmp_path / "out", mode=mode)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["outcomes"] == run.summary["outcomes"]
    assert_fits(render(render_match_summary(run.summary), 80), 80)


def test_verify_table_wraps_rather_than_cuts(tmp_path, monkeypatch):
    """A copied result folder: its inputs are not where they were, and the long
    explanation wraps in an 80-column console."""
    from typer.testing import CliRunner

    from recon.cli import app, expand_argv
    from recon.console import out
    from recon.demo import generate

    files = generate(tmp_path / "d", committees=2, residents=40)

    def invoke(*args):
        return CliRunner().invoke(app, expand_argv([str(a) for a in args]))

    assert invoke("match", files.field_dir, "--system", files.system_dir, "--out",
                  tmp_path / "m").exit_code == 0  # fmt: skip
    assert invoke("redact", tmp_path / "m", "--out", tmp_path / "copy").exit_code == 0
    monkeypatch.setattr(out, "width", 80)
    res = invoke("verify", tmp_path / "copy")
    assert res.exit_code == 0, res.stdout
    assert_fits(res.stdout.splitlines(), 80)
    assert "不在原位置" in res.stdout.replace("\n", "").replace("│", "").replace(" ", "")

"""matches.csv and rows.csv are made straight from Arrow (the records' text
converted once, rows taken by position); they must say byte for byte what
the frames behind them say when written the plain way."""

from __future__ import annotations

from pathlib import Path

import pytest

from recon.csvio import BackgroundWriter, write_csv
from recon.modes import get_mode
from recon.pipeline import run_match
from recon.writers import match_outputs
from recon.writers.match_outputs import _write_csvs, build_ledger, write_ledger

from .test_match_cases import FIELD_HEADER, LI, SYS_ADDR, SYSTEM_HEADER, WANG, ZHANG, write

ADDR = "古美路1255弄12号302室"
OTHER_ADDR = "古美路1255弄14号101室"

CASES = [
    (
        "everyone matched",
        [["张伟", "男", ZHANG, ADDR], ["王芳", "女", WANG, ADDR]],
        [["张伟", "男", ZHANG, SYS_ADDR, "正常"], ["王芳", "女", WANG, SYS_ADDR, "正常"]],
    ),
    (
        "one on each side only, a formula-like name, a duplicate, a cancelled record",
        [
            ["张伟", "男", ZHANG, ADDR],
            ["张伟", "男", ZHANG, ADDR],
            ["=HYPERLINK(1)", "女", WANG, OTHER_ADDR],
            ["李娜", "", "", ADDR],
        ],
        [
            ["张伟", "男", ZHANG, SYS_ADDR, "正常"],
            ["李娜", "女", LI, "上海市闵行区古美路1255弄16号", "正常"],
            ["-王芳", "女", WANG, SYS_ADDR, "注销"],
        ],
    ),
]


def _run(tmp_path: Path, field_rows, system_rows):
    (tmp_path / "f").mkdir()
    (tmp_path / "s").mkdir()
    write(tmp_path / "f" / "field.csv", FIELD_HEADER, field_rows)
    write(tmp_path / "s" / "system.csv", SYSTEM_HEADER, system_rows)
    out = tmp_path / "out"
    return out, run_match([tmp_path / "f"], [tmp_path / "s"], out)


@pytest.mark.parametrize("part_rows", [1, 200_000], ids=["a part per row", "one part"])
@pytest.mark.parametrize("description, field_rows, system_rows", CASES, ids=[c[0] for c in CASES])
def test_arrow_written_files_equal_the_frames_written_plainly(
    tmp_path: Path, monkeypatch, description: str, field_rows, system_rows, part_rows: int
) -> None:
    monkeypatch.setattr(match_outputs, "PART_ROWS", part_rows)
    out, run = _run(tmp_path, field_rows, system_rows)
    plain = tmp_path / "plain"
    plain.mkdir()
    with BackgroundWriter() as writer:  # every table from its frame
        _write_csvs(run.tables, plain, get_mode("").hukou_in_matches, writer)
    for name in ("matches.csv", "field_only.csv", "system_only.csv", "review.csv"):
        assert (out / name).read_bytes() == (plain / name).read_bytes(), name
    # rows.csv: made with matches.csv's text, alone, and from its frame
    write_ledger(run.result, plain)
    write_csv(build_ledger(run.result), plain / "frame_rows.csv")
    ledger = (out / "rows.csv").read_bytes()
    assert ledger == (plain / "rows.csv").read_bytes()
    assert ledger == (plain / "frame_rows.csv").read_bytes()
    assert len(ledger.decode("utf-8-sig").splitlines()) == 1 + len(field_rows) + len(system_rows)


@pytest.mark.parametrize(
    "description, field_rows, system_rows, partner_row",
    [
        (*CASES[0], "2"),  # a number when every row has a partner
        (*CASES[1], '"2"'),  # text when some have none (blank for them)
    ],
    ids=["all matched", "some unmatched"],
)
def test_partner_row_is_typed_as_a_column_of_both_sides(
    tmp_path: Path, description: str, field_rows, system_rows, partner_row: str
) -> None:
    out, _ = _run(tmp_path, field_rows, system_rows)
    first = (out / "rows.csv").read_text(encoding="utf-8-sig").splitlines()[1]
    assert f'"system.csv","",{partner_row},' in first

"""A sample folder (recon generate / recon demo) is rewritten on the next run
only when nothing in it is a person's: a file added, or a workbook changed
(a filled 入户核查单), stops the run with a message naming it."""

from __future__ import annotations

import openpyxl
import pytest

from recon.demo import generate, persons_files
from recon.errors import UsageError
from recon.pipeline import run_match


@pytest.fixture
def sample(tmp_path):
    folder = tmp_path / "示例"
    files = generate(folder, committees=2, residents=30)
    return folder, files


def test_an_untouched_sample_folder_is_rewritten(sample):
    folder, _files = sample
    assert persons_files(folder) == []
    generate(folder, committees=2, residents=30)
    assert (folder / "答案" / "truth.csv").is_file()


@pytest.mark.parametrize(
    "description, change, named",
    [
        ("a file a person put there", lambda f: (f / "笔记.txt").write_text("x"), "笔记.txt"),
        (
            "a generated workbook saved with changes",
            lambda f: _touch_workbook(next((f / "现场采集表").glob("*.xlsx"))),
            "现场采集表/",
        ),
    ],
)
def test_a_persons_file_stops_the_rewrite(sample, description, change, named):
    folder, _files = sample
    change(folder)
    with pytest.raises(UsageError) as err:
        generate(folder, committees=2, residents=30)
    assert named in err.value.message, description
    assert "不会删除" in err.value.message
    assert (folder / "答案" / "truth.csv").is_file()  # nothing was deleted


def test_a_filled_worklist_in_a_result_folder_inside_stops_the_rewrite(sample):
    folder, files = sample
    out = folder / "核对结果"
    run_match([files.field_dir], [files.system_dir], out)
    assert persons_files(folder) == []  # a result folder as recon wrote it is recon's
    _touch_workbook(out / "入户核查单.xlsx")
    assert persons_files(folder) == ["核对结果/入户核查单.xlsx"]
    with pytest.raises(UsageError):
        generate(folder, committees=2, residents=30)
    assert (out / "入户核查单.xlsx").is_file()


def _touch_workbook(path):
    wb = openpyxl.load_workbook(path)
    wb.worksheets[0]["A1"] = "已填写"
    wb.save(path)

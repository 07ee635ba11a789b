"""The 入户核查单 PDFs written partly by a second process
(recon.worklists.pdfs_in_background): the same files as written in-process,
and written in-process when the second process is gone."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from recon import worklists
from recon.rules import load_rules
from recon.sample import StreetSpec, generate_street
from recon.worklists import VISIT_PDF_FOLDER, pdfs_in_background, visit_frame, write_worklists


def _system_only(committees: int, per: int) -> pd.DataFrame:
    s = generate_street(
        StreetSpec(seed=5, committees=committees, residents_per_committee=per)
    ).system
    return s.rename(columns=lambda c: f"system_{c}").assign(
        system_id=s["id_number"],
        system_file="系统导出.xlsx",
        system_sheet="Sheet1",
        system_row=range(2, len(s) + 2),
        registered_on=s["registered_on"],
    )


@pytest.fixture(scope="module")
def system_only() -> pd.DataFrame:
    return _system_only(committees=3, per=60)  # 居委 of 70, 94 and 4 people


@pytest.fixture(scope="module")
def in_process(system_only, tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("here")
    lists = write_worklists(system_only, pd.DataFrame(), out, load_rules().output)
    return {p.name: p.read_bytes() for p in lists.pdfs}


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.pdf"))}


@pytest.fixture
def any_list_in_background(monkeypatch):
    """A second process for a list of any length, on a machine of two cores."""
    monkeypatch.setattr(worklists, "BACKGROUND_PDF_VISITS", 1)
    monkeypatch.setattr(worklists.os, "cpu_count", lambda: 2)


COUNT_CASES = [
    # description, visits, cores, background expected
    ("a short list stays in this process", 10, 2, False),
    ("a long list goes to the second process", 5_000, 2, True),
    ("a list too long for PDFs starts no process", 10_000_000, 2, False),
    ("one core: no second process", 5_000, 1, False),
]


@pytest.mark.parametrize(
    ("description", "visits", "cores", "expected"), COUNT_CASES, ids=[c[0] for c in COUNT_CASES]
)
def test_a_second_process_only_for_lists_worth_it(
    monkeypatch, description, visits, cores, expected
):
    started: list[bool] = []

    class Fake:
        def __init__(self) -> None:
            started.append(True)

        def stop(self) -> None:
            pass

    monkeypatch.setattr(worklists, "_PdfWorker", Fake)
    monkeypatch.setattr(worklists.os, "cpu_count", lambda: cores)
    with pdfs_in_background(visits, load_rules().output):
        assert (worklists._WORKER.get() is not None) == expected
    assert bool(started) == expected
    assert worklists._WORKER.get() is None


def _count_here(monkeypatch) -> list[str]:
    """The files this process writes (the spawned one imports recon.worklists
    afresh, without the patch)."""
    here: list[str] = []
    real = worklists.write_planned_pdfs

    def counted(plan):
        here.extend(path.name for _, _, path in plan.files)
        return real(plan)

    monkeypatch.setattr(worklists, "write_planned_pdfs", counted)
    return here


def test_the_second_process_writes_most_of_the_same_files(
    any_list_in_background, monkeypatch, system_only, in_process, tmp_path
):
    here = _count_here(monkeypatch)
    output = load_rules().output
    with pdfs_in_background(len(system_only), output):
        worker = worklists._WORKER.get()
        assert worker is not None
        lists = write_worklists(system_only, pd.DataFrame(), tmp_path, output)
    assert [p.name for p in lists.pdfs] == list(in_process)  # in 居委 order
    assert _files(tmp_path / VISIT_PDF_FOLDER) == in_process  # byte for byte
    # this process took files from the back, one at a time, the other the rest
    plan = worklists._plan_visit_pdfs(visit_frame(system_only), tmp_path, output)
    names = [path.name for _, _, path in plan.files]
    assert here == names[len(names) - len(here) :][::-1]
    assert not worker.process.is_alive()  # stopped with the block


def _without_first_committee(system_only: pd.DataFrame) -> pd.DataFrame:
    first = system_only["system_committee"].iloc[0]
    return system_only[system_only["system_committee"] != first]


EARLY_CASES = [
    # description, rows planned early (None: none), rows written
    ("planned early for the same rows: that plan", "all", "all"),
    ("planned early for other rows: none of its files", "all", "fewer"),
    ("not planned early", None, "all"),
]


@pytest.mark.parametrize(
    ("description", "early", "written"), EARLY_CASES, ids=[c[0] for c in EARLY_CASES]
)
def test_pdfs_planned_early_are_the_same_files(
    any_list_in_background,
    monkeypatch,
    system_only,
    in_process,
    tmp_path_factory,
    description,
    early,
    written,
):
    output = load_rules().output
    rows = {"all": system_only, "fewer": _without_first_committee(system_only)}
    expected_dir = tmp_path_factory.mktemp("expected")
    expected = _files(
        write_worklists(rows[written], pd.DataFrame(), expected_dir, output).pdfs[0].parent
    )
    out = tmp_path_factory.mktemp("early")
    with pdfs_in_background(len(system_only), output):
        worker = worklists._WORKER.get()
        assert worker is not None
        if early:
            worklists.start_visit_pdfs(lambda: rows[early], out, output)
            assert worker.early is not None
        lists = write_worklists(rows[written], pd.DataFrame(), out, output)
    assert _files(out / VISIT_PDF_FOLDER) == expected  # byte for byte, nothing else
    assert [p.name for p in lists.pdfs] == list(expected)


def test_a_short_list_is_not_planned_early(monkeypatch, system_only, tmp_path):
    monkeypatch.setattr(worklists.os, "cpu_count", lambda: 2)
    output = load_rules().output
    with pdfs_in_background(5_000, output):  # more expected than there are
        worker = worklists._WORKER.get()
        assert worker is not None
        worklists.start_visit_pdfs(lambda: system_only, tmp_path, output)
        assert worker.early is None
        assert worker.plan is None


def test_when_the_second_process_is_gone_the_pdfs_are_written_here(
    any_list_in_background, monkeypatch, system_only, in_process, tmp_path
):
    here = _count_here(monkeypatch)
    output = load_rules().output
    with pdfs_in_background(len(system_only), output):
        worker = worklists._WORKER.get()
        assert worker is not None
        worker.process.kill()
        worker.process.join()
        lists = write_worklists(system_only, pd.DataFrame(), tmp_path, output)
    assert _files(tmp_path / VISIT_PDF_FOLDER) == in_process
    assert sorted(here) == sorted(in_process) == sorted(p.name for p in lists.pdfs)


def test_when_the_second_process_dies_after_the_plan_the_pdfs_are_written_here(
    any_list_in_background, monkeypatch, system_only, in_process, tmp_path
):
    output = load_rules().output
    with pdfs_in_background(len(system_only), output):
        worker = worklists._WORKER.get()
        assert worker is not None
        worklists.start_visit_pdfs(lambda: system_only, tmp_path, output)
        worker.process.kill()
        worker.process.join()
        lists = write_worklists(system_only, pd.DataFrame(), tmp_path, output)
    assert _files(tmp_path / VISIT_PDF_FOLDER) == in_process
    assert [p.name for p in lists.pdfs] == list(in_process)


SPLIT_CASES = [
    # description, rows per file, share, files to the first plan
    ("two equal files at two thirds: the first", [60, 60], 0.65, 1),
    ("ten equal files at two thirds: six or seven", [800] * 10, 0.65, 7),
    ("one file: all of it", [8000], 0.65, 1),
    ("a small file, then a big one: both are nearer two thirds", [100, 5000], 0.65, 2),
    ("share 0: none", [60, 60], 0.0, 0),
]


@pytest.mark.parametrize(
    ("description", "rows", "share", "expected"), SPLIT_CASES, ids=[c[0] for c in SPLIT_CASES]
)
def test_a_plan_splits_by_rows_into_whole_files(description, rows, share, expected):
    from recon.writers.worklist_pdf import PdfPlan

    form = worklists._visit_pdf_form(load_rules().output)
    files = [
        (f"居委{k}", pd.DataFrame({"kind": ["person"] * n}), Path(f"{k}.pdf"))
        for k, n in enumerate(rows)
    ]
    first, rest = PdfPlan(form, "", files).split(share)
    assert len(first.files) == expected
    assert first.files + rest.files == files


def test_the_font_is_cut_to_the_same_bytes_each_time():
    # either process's cut makes the same PDFs, so it is cut once and shared
    from recon.writers.worklist_pdf import _characters, font_program

    chars = _characters(["九星村1组52号（1 人）", "上海市闵行区古美西路426弄"])
    assert font_program(chars) == font_program(chars)


@pytest.mark.parametrize("error", [OSError, RuntimeError], ids=["OSError", "RuntimeError"])
def test_without_a_second_process_the_block_runs_here(monkeypatch, error):
    def cannot(*_args: object) -> None:
        raise error("no process")

    monkeypatch.setattr(worklists, "_PdfWorker", cannot)
    monkeypatch.setattr(worklists.os, "cpu_count", lambda: 2)
    with pdfs_in_background(5_000, load_rules().output):
        assert worklists._WORKER.get() is None


def test_outside_the_block_the_rows_are_not_even_made(tmp_path):
    made: list[bool] = []

    def rows() -> pd.DataFrame:
        made.append(True)
        return pd.DataFrame()

    worklists.start_visit_pdfs(rows, tmp_path, load_rules().output)
    assert made == []
    assert list(tmp_path.iterdir()) == []

"""The 入户核查单 PDFs written by a second process (recon.worklists.pdfs_in_background):
the same files as written in-process, and written in-process when the second
process is gone."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from recon import worklists
from recon.rules import load_rules
from recon.sample import StreetSpec, generate_street
from recon.worklists import VISIT_PDF_FOLDER, pdfs_in_background, write_worklists


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
    return _system_only(committees=2, per=60)


@pytest.fixture(scope="module")
def in_process(system_only, tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("here")
    lists = write_worklists(system_only, pd.DataFrame(), out, load_rules().output)
    return {p.name: p.read_bytes() for p in lists.pdfs}


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.pdf"))}


COUNT_CASES = [
    # description, visits, background expected
    ("a short list stays in this process", 10, False),
    ("a long list goes to the second process", 5_000, True),
    ("a list too long for PDFs starts no process", 10_000_000, False),
]


@pytest.mark.parametrize(
    ("description", "visits", "expected"), COUNT_CASES, ids=[c[0] for c in COUNT_CASES]
)
def test_a_second_process_only_for_lists_worth_it(monkeypatch, description, visits, expected):
    started: list[bool] = []

    class Fake:
        def __init__(self) -> None:
            started.append(True)

        def stop(self) -> None:
            pass

    monkeypatch.setattr(worklists, "_PdfWorker", Fake)
    with pdfs_in_background(visits, load_rules().output):
        assert (worklists._WORKER.get() is not None) == expected
    assert bool(started) == expected
    assert worklists._WORKER.get() is None


def test_the_second_process_writes_the_same_files(monkeypatch, system_only, in_process, tmp_path):
    monkeypatch.setattr(worklists, "BACKGROUND_PDF_VISITS", 1)

    def not_here(*_args: object) -> None:
        raise AssertionError("written by this process")

    # the spawned process imports recon.worklists afresh, without this
    monkeypatch.setattr(worklists, "write_visit_pdfs", not_here)
    output = load_rules().output
    with pdfs_in_background(len(system_only), output):
        worker = worklists._WORKER.get()
        assert worker is not None
        lists = write_worklists(system_only, pd.DataFrame(), tmp_path, output)
    assert sorted(p.name for p in lists.pdfs) == sorted(in_process)
    assert _files(tmp_path / VISIT_PDF_FOLDER) == in_process  # byte for byte
    assert not worker.process.is_alive()  # stopped with the block


def test_when_the_second_process_is_gone_the_pdfs_are_written_here(
    monkeypatch, system_only, in_process, tmp_path
):
    monkeypatch.setattr(worklists, "BACKGROUND_PDF_VISITS", 1)
    output = load_rules().output
    with pdfs_in_background(len(system_only), output):
        worker = worklists._WORKER.get()
        assert worker is not None
        worker.process.kill()
        worker.process.join()
        lists = write_worklists(system_only, pd.DataFrame(), tmp_path, output)
    assert _files(tmp_path / VISIT_PDF_FOLDER) == in_process
    assert len(lists.pdfs) == len(in_process)

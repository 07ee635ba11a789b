"""The register file: created, reopened, migrated with a backup, and every way
it can be unusable answered in Chinese with nothing written."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

import recon.register as reg
from recon.errors import InputError
from recon.register import SCHEMA_VERSION, Register


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def test_a_new_register_is_created_with_its_schema_and_reopened(tmp_path):
    path = tmp_path / "街道登记库.sqlite"
    with Register.open(path) as r:
        assert r.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        with r.transaction():
            r.add_run("match", dt.date(2026, 11, 30), "fp-1")
    assert {"runs", "houses", "house_keys", "meta"} <= _tables(path)
    with Register.open(path, create=False) as r:
        assert r.run_recorded("fp-1") is not None
        assert r.run_recorded("fp-2") is None
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no backup of a current file


def test_a_failed_block_writes_nothing(tmp_path):
    path = tmp_path / "r.sqlite"
    with Register.open(path) as r:
        with pytest.raises(RuntimeError), r.transaction():
            r.add_run("match", dt.date(2026, 11, 30), "fp-1")
            raise RuntimeError("half way")
        assert r.run_recorded("fp-1") is None


def test_recording_the_same_run_twice_is_refused_by_the_file(tmp_path):
    with Register.open(tmp_path / "r.sqlite") as r:
        with r.transaction():
            r.add_run("match", dt.date(2026, 11, 30), "fp-1")
        with pytest.raises(sqlite3.IntegrityError), r.transaction():
            r.add_run("match", dt.date(2026, 11, 30), "fp-1")


@pytest.mark.parametrize(
    "content",
    [b"this is not a database at all" * 10, b"PK\x03\x04" + b"\x00" * 200],
    ids=["text", "zip"],
)
def test_a_damaged_or_foreign_file_is_refused_and_left_alone(tmp_path, content):
    path = tmp_path / "r.sqlite"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        Register.open(path)
    assert "已损坏" in info.value.render() and "备份" in info.value.render()
    assert path.read_bytes() == content


def test_a_truncated_register_is_called_damaged(tmp_path):
    path = tmp_path / "r.sqlite"
    with Register.open(path) as r, r.transaction():
        for i in range(2000):
            r.add_run("match", dt.date(2026, 11, 30), f"fp-{i}", "x" * 200)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(InputError) as info, Register.open(path) as r:
        r.conn.execute("SELECT count(*), max(detail) FROM runs").fetchone()
        raise AssertionError("a truncated file must not read back whole")
    assert "已损坏" in info.value.render()


def test_another_programs_database_is_not_taken_over(tmp_path):
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (name TEXT)")
    with pytest.raises(InputError) as info:
        Register.open(path)
    assert "不是 recon 的登记库" in info.value.render()
    assert _tables(path) == {"customers"}


def test_a_file_from_a_newer_recon_is_refused(tmp_path):
    path = tmp_path / "r.sqlite"
    Register.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    with pytest.raises(InputError) as info:
        Register.open(path)
    assert "较新版本" in info.value.render()


def test_an_older_file_is_backed_up_then_migrated(tmp_path, monkeypatch):
    path = tmp_path / "r.sqlite"
    with Register.open(path) as r, r.transaction():
        r.add_run("match", dt.date(2026, 11, 1), "fp-old")
    old_version = reg.SCHEMA_VERSION
    newer = [*reg.MIGRATIONS, "CREATE TABLE later (x INTEGER);"]
    monkeypatch.setattr(reg, "MIGRATIONS", newer)
    monkeypatch.setattr(reg, "SCHEMA_VERSION", len(newer))
    with Register.open(path) as r:
        assert r.conn.execute("PRAGMA user_version").fetchone()[0] == len(newer)
        assert r.run_recorded("fp-old") is not None  # the data came along
    assert "later" in _tables(path)
    backups = [p for p in tmp_path.iterdir() if f"备份-v{old_version}" in p.name]
    assert len(backups) == 1 and "later" not in _tables(backups[0])
    with sqlite3.connect(backups[0]) as conn:
        assert conn.execute("SELECT count(*) FROM runs").fetchone()[0] == 1


def test_a_locked_register_says_so_and_writes_nothing(tmp_path, monkeypatch):
    path = tmp_path / "r.sqlite"
    Register.open(path).close()
    monkeypatch.setattr(reg, "LOCK_TIMEOUT_S", 0.2)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(InputError) as info, Register.open(path) as r, r.transaction():
            r.add_run("match", dt.date(2026, 11, 30), "fp-1")
        assert "正被另一个程序使用" in info.value.render()
    finally:
        other.execute("ROLLBACK")
        other.close()
    with Register.open(path) as r:
        assert r.run_recorded("fp-1") is None


def test_a_read_only_register_says_so(tmp_path):
    path = tmp_path / "r.sqlite"
    Register.open(path).close()
    # the file opened read-only, as SQLite does for a file with the read-only
    # attribute (root ignores chmod, so the test opens it that way itself)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    r = Register(path, conn)
    try:
        with pytest.raises(InputError) as info, r.transaction():
            r.add_run("match", dt.date(2026, 11, 30), "fp-1")
        assert "只读" in info.value.render()
    finally:
        r.close()


def test_a_folder_or_a_missing_folder_is_a_clear_message(tmp_path):
    with pytest.raises(InputError) as info:
        Register.open(tmp_path)
    assert "文件夹" in info.value.render()
    with pytest.raises(InputError) as info:
        Register.open(tmp_path / "没有" / "r.sqlite")
    assert "不存在" in info.value.render()

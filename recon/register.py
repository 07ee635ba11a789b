"""The street register: one SQLite file per street that outlives a single run.

A result folder describes one run; what must hold *across* runs lives here:
the house codes of the 实有房屋 register (a dwelling keeps its 房屋编码 however
its address is spelt next time, and a code is never given to another
dwelling) and, run after run, what each round found (the rounds issue). It is
one ordinary file (``街道登记库.sqlite`` by default) that a clerk can copy to a
USB stick and back up; no server, no home-made format.

Rules every writer keeps:

* everything a command records is written in one transaction (``with
  register.transaction():``) -- all of it or nothing;
* the file carries ``application_id`` (so another program's database is
  refused) and a schema version (``user_version``); a file of an older
  version is copied aside first (``…-备份-v1-20261130-101500.sqlite``) and then
  migrated; a file from a newer recon is refused rather than damaged;
* a locked, read-only, damaged or foreign file gets one Chinese sentence that
  says what to do, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from recon.errors import InputError, Where

__all__ = ["DEFAULT_NAME", "SCHEMA_VERSION", "Register", "default_register_path"]

DEFAULT_NAME = "街道登记库.sqlite"
APPLICATION_ID = 0x5245434E  # "RECN"
LOCK_TIMEOUT_S = 5.0

# The schema, as the steps that build it: MIGRATIONS[v] takes a file of version
# v to version v + 1. A new table or column is a new step at the end; a step is
# never edited once released (files in offices were built by it).
MIGRATIONS: list[str] = [
    # 0 -> 1: runs and the house register
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE runs (
        run_id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,            -- match / results / houses
        day TEXT NOT NULL,             -- the day the run stands for (YYYY-MM-DD)
        fingerprint TEXT NOT NULL UNIQUE,  -- inputs + rules + day: the same run twice is one
        detail TEXT NOT NULL DEFAULT '{}', -- JSON: inputs' SHA-256, rules hash, counts
        recorded_at TEXT NOT NULL
    );
    CREATE TABLE houses (
        code TEXT PRIMARY KEY,         -- 房屋编码: from the house list, or a local code
        committee TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL,          -- list (the code came with the house list) / local
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        replaced_by TEXT               -- a local code once the house list gave the real one
    );
    CREATE TABLE house_keys (
        house_key TEXT PRIMARY KEY,    -- every spelling's key that named the dwelling
        code TEXT NOT NULL REFERENCES houses(code),
        address TEXT NOT NULL DEFAULT '',
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL
    );
    CREATE INDEX house_keys_code ON house_keys(code);
    -- what a 居住房屋基础信息核对表 said of a dwelling (one row per filled line read)
    CREATE TABLE house_checks (
        code TEXT NOT NULL,
        day TEXT NOT NULL,             -- the day the check was read back
        use TEXT NOT NULL DEFAULT '',
        rental TEXT NOT NULL DEFAULT '',
        area REAL,
        rooms REAL,
        living INTEGER NOT NULL DEFAULT 0,   -- residents ticked 在住
        left_ INTEGER NOT NULL DEFAULT 0,    -- residents ticked 已离开
        new_people INTEGER NOT NULL DEFAULT 0,
        source TEXT NOT NULL DEFAULT '',     -- file / sheet / row of the facts line
        PRIMARY KEY (code, day)
    );
    -- local codes are numbered from here; AUTOINCREMENT never hands out a
    -- number twice, even after a row is deleted
    CREATE TABLE local_codes (seq INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT NOT NULL UNIQUE);
    """,
    # 1 -> 2: rounds -- every person row of a match run, visit results, the
    # person key that ties a person's rows together across rounds
    """
    CREATE TABLE person_links (
        alias TEXT PRIMARY KEY,        -- id:<normalised ID> or fp:<name + flat key>
        person TEXT NOT NULL           -- the person key the alias stands for
    );
    CREATE INDEX person_links_person ON person_links(person);
    CREATE TABLE person_rows (
        run_id INTEGER NOT NULL REFERENCES runs(run_id),
        side TEXT NOT NULL,            -- field / system
        file TEXT NOT NULL,
        sheet TEXT NOT NULL DEFAULT '',
        row INTEGER NOT NULL,
        person TEXT NOT NULL DEFAULT '',   -- '' for an unusable row
        committee TEXT NOT NULL DEFAULT '',
        outcome TEXT NOT NULL,         -- matched / field_only / system_only / inactive ...
        active INTEGER NOT NULL DEFAULT 0, -- a system row whose record is active
        name TEXT NOT NULL DEFAULT '',
        id TEXT NOT NULL DEFAULT '',
        house TEXT NOT NULL DEFAULT '',
        registered_on TEXT NOT NULL DEFAULT '',
        cancelled_on TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (run_id, side, file, sheet, row)
    );
    CREATE INDEX person_rows_person ON person_rows(person);
    -- field/system differences of a matched person in a round (not the values)
    CREATE TABLE person_differences (
        run_id INTEGER NOT NULL REFERENCES runs(run_id),
        person TEXT NOT NULL,
        item TEXT NOT NULL,            -- 姓名 / 住址 / ...
        digest TEXT NOT NULL,          -- hash of both values: the same difference again
        PRIMARY KEY (run_id, person, item, digest)
    );
    CREATE TABLE visit_results (
        run_id INTEGER NOT NULL REFERENCES runs(run_id),  -- the recon results run
        round_id INTEGER NOT NULL REFERENCES runs(run_id), -- the match run it belongs to
        person TEXT NOT NULL DEFAULT '',
        committee TEXT NOT NULL DEFAULT '',
        outcome TEXT NOT NULL,         -- living / left / changed / not_visited / unclear
        file TEXT NOT NULL DEFAULT '',
        sheet TEXT NOT NULL DEFAULT '',
        row INTEGER,
        system_file TEXT NOT NULL DEFAULT '',
        system_sheet TEXT NOT NULL DEFAULT '',
        system_row INTEGER
    );
    CREATE INDEX visit_results_person ON visit_results(person);
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


def default_register_path(result: Path) -> Path:
    """Beside the result folder: ``<parent>/街道登记库.sqlite``."""
    return Path(result).resolve().parent / DEFAULT_NAME


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


class Register:
    """An open register file. Use as a context manager, or call ``close()``."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn

    # --- opening -----------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str, create: bool = True) -> Register:
        """Open (and if need be create or migrate) the register at ``path``."""
        path = Path(path)
        where = Where(file=str(path))
        if path.is_dir():
            raise InputError("登记库应是一个文件，这里是文件夹", where, "请指定一个 .sqlite 文件")
        if not path.exists():
            if not create:
                raise InputError("找不到登记库文件", where, "请检查路径是否写对")
            if not path.parent.is_dir():
                raise InputError("登记库所在的文件夹不存在", where, "请先建好文件夹或换一个位置")
        elif path.stat().st_size and not _looks_like_sqlite(path):
            raise _damaged(path)
        try:
            conn = sqlite3.connect(str(path), timeout=LOCK_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as exc:
            raise _translate(exc, path) from exc
        conn.execute("PRAGMA foreign_keys = ON")
        register = cls(path, conn)
        try:
            register._prepare()
        except BaseException:
            conn.close()
            raise
        return register

    def _prepare(self) -> None:
        try:
            app = self.conn.execute("PRAGMA application_id").fetchone()[0]
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            tables = self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        except sqlite3.Error as exc:
            raise _translate(exc, self.path) from exc
        where = Where(file=str(self.path))
        if tables and app != APPLICATION_ID:
            raise InputError(
                "这个文件不是 recon 的登记库（是别的程序的数据库）",
                where,
                "请换一个文件名，不要覆盖别的程序的数据",
            )
        if version > SCHEMA_VERSION:
            raise InputError(
                f"这个登记库由较新版本的 recon 写成（格式第 {version} 版，本程序只认识到第 "
                f"{SCHEMA_VERSION} 版）",
                where,
                "请升级 recon 后再使用这个登记库",
            )
        if version < SCHEMA_VERSION:
            if tables:
                self._backup(version)
            self._migrate(version)

    def _backup(self, version: int) -> Path:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.stem}-备份-v{version}-{stamp}{self.path.suffix}")
        try:
            copy = sqlite3.connect(str(target))
            try:
                self.conn.backup(copy)
            finally:
                copy.close()
        except (sqlite3.Error, OSError) as exc:
            raise InputError(
                "升级登记库之前无法先做备份，登记库没有改动",
                Where(file=str(target)),
                "请确认文件夹可以写入、磁盘有空间",
            ) from exc
        return target

    def _migrate(self, version: int) -> None:
        try:
            with self.transaction():
                for step in MIGRATIONS[version:]:
                    for statement in _statements(step):
                        self.conn.execute(statement)
                self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                self.conn.execute(
                    "INSERT OR IGNORE INTO meta(key, value) VALUES ('created_at', ?)", (_now(),)
                )
        except sqlite3.Error as exc:
            raise _translate(exc, self.path) from exc

    # --- use -----------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed if the block completes, else rolled back."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _translate(exc, self.path) from exc
        try:
            yield self.conn
        except BaseException as exc:
            self.conn.execute("ROLLBACK")
            # the file's own trouble (locked, read-only, damaged) in Chinese; a
            # programming error (a constraint broken) stays what it is
            if isinstance(exc, sqlite3.Error) and not isinstance(
                exc, sqlite3.IntegrityError | sqlite3.ProgrammingError
            ):
                raise _translate(exc, self.path) from exc
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self.conn.execute("ROLLBACK")
            raise _translate(exc, self.path) from exc

    def run_recorded(self, fingerprint: str) -> int | None:
        """The id of a run already recorded with this fingerprint, if any."""
        row = self.conn.execute(
            "SELECT run_id FROM runs WHERE fingerprint = ?", (fingerprint,)
        ).fetchone()
        return None if row is None else int(row[0])

    def add_run(self, kind: str, day: dt.date, fingerprint: str, detail: str = "{}") -> int:
        """Record a run (inside a transaction); returns its id."""
        cur = self.conn.execute(
            "INSERT INTO runs(kind, day, fingerprint, detail, recorded_at) VALUES (?, ?, ?, ?, ?)",
            (kind, day.isoformat(), fingerprint, detail, _now()),
        )
        return int(cur.lastrowid or 0)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _statements(script: str) -> list[str]:
    """A migration script split into statements (comments stripped)."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def _looks_like_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(16) == b"SQLite format 3\x00"
    except OSError:
        return True  # let sqlite say what is wrong


def _damaged(path: Path) -> InputError:
    return InputError(
        "登记库文件已损坏，或不是 recon 的登记库",
        Where(file=str(path)),
        "请用备份副本替换它（recon 升级登记库前会在同一文件夹留一份「备份」），或指定另一个文件",
    )


def _translate(exc: sqlite3.Error, path: Path) -> InputError:
    """SQLite's English errors as one Chinese sentence with what to do."""
    text = str(exc).lower()
    where = Where(file=str(path))
    if "locked" in text or "busy" in text:
        return InputError(
            "登记库正被另一个程序使用（可能另一个 recon 正在运行，或文件在同步盘中被占用）",
            where,
            "请等它结束后再试；本次没有写入任何内容",
        )
    if "readonly" in text or "read-only" in text or "permission" in text:
        return InputError(
            "登记库文件是只读的，无法写入",
            where,
            "请取消文件的只读属性（右键→属性），或把它复制到可以写入的位置后再试",
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return _damaged(path)
    if "unable to open" in text:
        return InputError("无法打开登记库文件", where, "请检查路径和文件夹的写入权限")
    if "disk" in text and ("full" in text or "i/o" in text):
        return InputError("磁盘空间不足或无法写入，登记库没有改动", where, "请腾出空间后再试")
    return InputError(f"登记库出错（{type(exc).__name__}）", where, "请把这个文件交给维护人员检查")

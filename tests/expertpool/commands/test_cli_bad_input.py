"""Bad input to the CLI: exit 2, one Chinese line on stderr, no traceback, nothing changed."""

from __future__ import annotations

import hashlib
import io
import re
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select

from expertpool import schema
from expertpool.db import make_engine
from expertpool.errors import UserError
from expertpool.models import Expert, User
from tests.builders import table_counts

HAN = re.compile(r"[\u4e00-\u9fff]")


def _refused(result, *words: str) -> None:
    assert result.code == 2, (result.code, result.out, result.err)
    assert "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert HAN.search(lines[0]), lines[0]
    for word in words:
        assert word in lines[0], lines[0]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".part" in p.name)


def _sqlite_only(engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite backup and restore; PostgreSQL uses pg_dump (README)")


# 1. restore accepts only our own backups; init refuses an unknown schema version.


def test_restore_refuses_unknown_revision(demo_db, runner, tmp_path):
    _sqlite_only(demo_db)
    before = table_counts(demo_db)
    good = tmp_path / "good.sqlite"
    assert runner("backup", str(good)).code == 0
    stamped = tmp_path / "stamped.sqlite"
    stamped.write_bytes(good.read_bytes())
    with sqlite3.connect(stamped) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'deadbeef'")
    conn.close()
    bare = tmp_path / "bare.sqlite"
    conn = sqlite3.connect(bare)
    conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    conn.execute("INSERT INTO alembic_version VALUES ('deadbeef')")
    conn.commit()
    conn.close()
    _refused(runner("restore", str(stamped)), "deadbeef", "stamped.sqlite")
    _refused(runner("restore", str(bare)), "deadbeef")
    demo_db.dispose()
    assert table_counts(demo_db) == before
    init = runner("init")
    assert init.code == 0, init.err


def test_restore_refuses_file_without_core_tables(db, runner, tmp_path):
    _sqlite_only(db)
    before = table_counts(db)
    head_only = tmp_path / "head.sqlite"
    conn = sqlite3.connect(head_only)
    conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    conn.execute("INSERT INTO alembic_version VALUES (?)", (schema.head_revision(),))
    conn.commit()
    conn.close()
    _refused(runner("restore", str(head_only)), "experts")
    _refused(runner("restore", str(tmp_path)), "目录")
    db.dispose()
    assert table_counts(db) == before


def test_init_refuses_unknown_revision(runner, tmp_path):
    path = tmp_path / "stamped.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    conn.execute("INSERT INTO alembic_version VALUES ('deadbeef')")
    conn.commit()
    conn.close()
    url = f"sqlite:///{path}"
    _refused(runner("init", env={"DATABASE_URL": url}), "deadbeef")
    _refused(runner("demo", env={"DATABASE_URL": url}), "deadbeef")
    conn = sqlite3.connect(path)
    tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    stamp = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    conn.close()
    assert (tables, stamp) == ([("alembic_version",)], [("deadbeef",)])


def test_upgrade_to_unknown_revision_is_a_user_error(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    try:
        with pytest.raises(UserError, match="数据库结构升级失败"):
            schema.upgrade(engine, "deadbeef")
    finally:
        engine.dispose()


# 2. Output paths: a directory, an unwritable place; no .part file left behind.


def test_output_to_a_directory(demo_db, runner, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    cases = [
        ("export-draw", "2024-S01", "-o", str(folder)),
        ("export-season", "2024", "-o", str(folder)),
        ("shortfall", "--xlsx", str(folder)),
    ]
    if demo_db.dialect.name == "sqlite":
        cases.append(("backup", str(folder)))
    for args in cases:
        result = runner(*args)
        _refused(result, str(folder), "目录")
        assert result.out == "" or args[0] != "shortfall", "refused before the report"
    assert list(folder.iterdir()) == []
    assert _leftovers(tmp_path) == []


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_output_to_an_unwritable_place(demo_db, runner):
    # /proc refuses new files, even for root.
    cases = [
        ("export-draw", "2024-S01", "-o", "/proc/x.json"),
        ("export-season", "2024", "-o", "/proc/x.json"),
        ("shortfall", "--xlsx", "/proc/x.xlsx"),
    ]
    if demo_db.dialect.name == "sqlite":
        cases.append(("backup", "/proc/x.sqlite"))
    for args in cases:
        _refused(runner(*args), args[-1])


def test_output_file_removes_partial_on_failure(tmp_path):
    from expertpool.commands.files import output_file

    target = tmp_path / "kept.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(UserError, match="kept.json"), output_file(str(target), "-o") as part:
        part.write_bytes(b"half")
        raise OSError(28, "No space left on device")
    assert target.read_text(encoding="utf-8") == "old"
    assert _leftovers(tmp_path) == []


def test_backup_leaves_only_the_backup(demo_db, runner, tmp_path):
    _sqlite_only(demo_db)
    folder = tmp_path / "b"
    folder.mkdir()
    result = runner("backup", str(folder / "backup.sqlite"))
    assert result.code == 0, result.err
    assert sorted(p.name for p in folder.iterdir()) == ["backup.sqlite"]
    # The copy is self-contained: checking it again leaves no -wal/-shm either.
    restored = runner("restore", str(folder / "backup.sqlite"))
    demo_db.dispose()
    assert restored.code == 0, restored.err
    assert sorted(p.name for p in folder.iterdir()) == ["backup.sqlite"]


# 3. DATABASE_URL pointing at something that is not our database.


def test_init_refuses_a_file_that_is_not_a_database(runner, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("这不是数据库\n" * 50, encoding="utf-8")
    before = _digest(path)
    _refused(runner("init", env={"DATABASE_URL": f"sqlite:///{path}"}), "不是有效的", "notes.txt")
    assert _digest(path) == before


def test_init_refuses_another_programs_database(runner, tmp_path):
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE units (id INTEGER PRIMARY KEY, label TEXT)")
    conn.execute("INSERT INTO units (label) VALUES ('theirs')")
    conn.commit()
    conn.close()
    before = _digest(path)
    _refused(runner("init", env={"DATABASE_URL": f"sqlite:///{path}"}), "units")
    assert _digest(path) == before  # not even switched to WAL mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.sqlite"]


# 4. Numeric options checked by argparse.


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_serve_port_out_of_range(runner, port):
    _refused(runner("serve", "--port", port), "--port", "65535")


def test_serve_port_zero_is_refused_by_the_parser(capsys):
    # Parsed only: with the old `type=int`, port 0 would start a server on a random port.
    from expertpool.cli import build_parser

    with pytest.raises(SystemExit) as stop:
        build_parser().parse_args(["serve", "--port", "0"])
    assert stop.value.code == 2
    assert "--port" in capsys.readouterr().err


@pytest.mark.parametrize("size", ["0", "-5", "1", "many"])
def test_demo_size_out_of_range(runner, session, size):
    _refused(runner("demo", "--size", size), "--size")
    assert session.scalar(select(func.count()).select_from(Expert)) == 0


# 5. Accounts: field lengths, and the password typed at a terminal.


def _users(session) -> list[str]:
    session.expire_all()
    return list(session.scalars(select(User.username)))


def test_user_add_refuses_long_fields(runner, session):
    long_name = runner("user", "add", "x1", "--role", "bureau", "--name", "名" * 80,
                       "--password", "secret-123")  # fmt: skip
    _refused(long_name, "显示名称", "60")
    long_user = runner("user", "add", "u" * 61, "--role", "bureau", "--password", "secret-123")
    _refused(long_user, "用户名", "60")
    spaced = runner("user", "add", "a b", "--role", "bureau", "--password", "secret-123")
    _refused(spaced, "用户名")
    assert _users(session) == []
    ok = runner("user", "add", "x1", "--role", "bureau", "--name", "名" * 60,
                "--password", "secret-123")  # fmt: skip
    assert ok.code == 0, ok.err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_user_add_password_prompt(runner, session, monkeypatch):
    no_tty = runner("user", "add", "u1", "--role", "bureau")
    _refused(no_tty, "--password")
    monkeypatch.setattr("sys.stdin", _Terminal())
    answers = iter(["secret-123", "secret-124"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    _refused(runner("user", "add", "u1", "--role", "bureau"), "不一致")
    assert _users(session) == []
    answers = iter(["secret-123", "secret-123"])
    typed = runner("user", "add", "u1", "--role", "bureau")
    assert typed.code == 0, typed.err
    assert _users(session) == ["u1"]
    scripted = runner("user", "add", "u2", "--role", "bureau", "--password", "secret-123")
    assert scripted.code == 0, scripted.err

"""Shared fixtures for every test package: a real database (SQLite file, or PostgreSQL when
DATABASE_URL is set), wiped and re-seeded with the catalogue for every test, sessions on it,
a CLI runner and fixed draw seeds. The web fixtures (app, client, clock, accounts, login) and
the browser fixtures are plugins listed in `pytest_plugins`. Hypothesis runs derandomized.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import pytest
from hypothesis import settings
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from expertpool import schema
from expertpool.cli import main as cli_main
from expertpool.db import make_engine, make_session_factory, session_scope
from expertpool.models import Base
from expertpool.seeds import SeedSequence
from expertpool.services import catalogue_sync, demo
from tests.builders import RSJ, SCJG, ZJJ

pytest_plugins = ["tests.fixtures.web", "tests.fixtures.browser"]

# The audit chain's key (expertpool.audit_key) comes from the environment in tests, so that no
# test writes instance/audit_key into the working tree; the key tests set their own.
os.environ.setdefault("EXPERTPOOL_AUDIT_KEY", "tests-only-audit-key-0123456789abcdef")

__all__ = ["RSJ", "SCJG", "ZJJ"]  # the demo actors, kept importable from here too


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """addopts already holds -q, so `./test.sh -q` would run at -qq, where pytest prints no
    closing "N passed" line: whatever flags are given, stay at -q or louder."""
    config.option.verbose = max(config.option.verbose, -1)


# Hypothesis draws its examples from a fixed seed (derandomize), so every run, local or CI,
# tries the same examples; each test keeps its own max_examples.
settings.register_profile("deterministic", derandomize=True, print_blob=True)
settings.load_profile("deterministic")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    if eng.dialect.name == "postgresql":
        with eng.begin() as conn:  # each test session starts from an empty schema
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    schema.upgrade(eng)
    yield eng
    eng.dispose()


def wipe(engine: Engine) -> None:
    tables = [t.name for t in Base.metadata.sorted_tables]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in reversed(tables):
                conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def db(engine: Engine) -> Engine:
    """A clean database holding only the committee catalogue."""
    wipe(engine)
    with session_scope(make_session_factory(engine)) as s:
        catalogue_sync.sync_all(s)
    return engine


# The demo opens nominations for 60 days from this (Beijing) time, not from the wall clock.
DEMO_NOW = datetime(2024, 7, 1, 10, 0, 0)


@pytest.fixture
def demo_db(db: Engine) -> Engine:
    """The catalogue plus a small demo pool (30 experts per senior committee)."""
    with session_scope(make_session_factory(db)) as s:
        demo.load_demo(s, experts_per_committee=30, now=DEMO_NOW)
    return db


@pytest.fixture
def session(db: Engine) -> Iterator[Session]:
    s = make_session_factory(db)()
    try:
        yield s
    finally:
        s.rollback()
        s.close()


@pytest.fixture
def demo_session(demo_db: Engine) -> Iterator[Session]:
    """A session on the demo pool, rolled back afterwards."""
    s = make_session_factory(demo_db)()
    try:
        yield s
    finally:
        s.rollback()
        s.close()


@dataclass
class CliResult:
    code: int
    out: str
    err: str
    raw: bytes


class CliRunner:
    """Runs `expertpool …` in-process against the test database."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> CliResult:
        out_bytes = io.BytesIO()
        out = io.TextIOWrapper(out_bytes, encoding="utf-8", write_through=True)
        err = io.StringIO()
        saved = dict(os.environ)
        os.environ["DATABASE_URL"] = self.url
        os.environ.update(env or {})
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    code = cli_main(list(args))
                except SystemExit as exc:  # argparse usage errors
                    code = int(exc.code or 0)
                sys.stdout.flush()
        finally:
            os.environ.clear()
            os.environ.update(saved)
        raw = out_bytes.getvalue()
        return CliResult(code, raw.decode("utf-8", "replace"), err.getvalue(), raw)


@pytest.fixture
def fixed_cli_chance(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's two sources of chance, fixed: a draw without --seed takes the next seed of
    SeedSequence("cli") instead of `secrets`, and `demo` opens nominations from DEMO_NOW
    instead of the wall clock."""
    monkeypatch.setattr("expertpool.commands.files.secrets_seed", SeedSequence("cli"))
    monkeypatch.setattr("expertpool.services.demo.shanghai_now", lambda: DEMO_NOW)


@pytest.fixture
def runner(db: Engine, fixed_cli_chance: None) -> CliRunner:
    return CliRunner(db.url.render_as_string(hide_password=False))


@pytest.fixture
def seeds() -> SeedSequence:
    """A fixed sequence of draw seeds: a test that draws gets the same panels every run."""
    return SeedSequence("tests")

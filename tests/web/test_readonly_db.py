"""Issue 18 item 15 (first half): a read-only or unreachable database gives one clear Chinese
page (503) instead of a generic 500, and `expertpool serve` warns at start-up when the
database cannot be written. Read-only is real: SQLite opened with mode=ro (what a file
without write permission gives; the tests run as root, so chmod 444 would not stop them),
PostgreSQL with default_transaction_read_only (a replica or a read-only role's setting)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from expertpool import dbstate
from expertpool.db import make_engine
from tests.fixtures.web import PASSWORD, Clock, csrf_token
from web.app import create_app

ROOT = Path(__file__).resolve().parents[2]


def _read_only_url(db: Engine) -> str:
    url = db.url
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///file:{url.database}?mode=ro&uri=true"
    raw = url.render_as_string(hide_password=False)
    return f"{raw}?options=-c%20default_transaction_read_only%3Don"


def _app(url: str, clock: Clock) -> Flask:
    return create_app({"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": "k" * 32, "NOW": clock})


@pytest.fixture
def read_only_app(db: Engine, accounts: dict[str, str], clock: Clock) -> Iterator[Flask]:
    app = _app(_read_only_url(db), clock)
    yield app
    app.extensions["expertpool.engine"].dispose()


def _login(client: FlaskClient) -> tuple[int, str]:
    token = csrf_token(client, "/login")
    resp = client.post(
        "/login", data={"csrf_token": token, "username": "bureau1", "password": PASSWORD}
    )
    return resp.status_code, resp.get_data(as_text=True)


def test_login_on_a_read_only_database_says_so(read_only_app: Flask) -> None:
    client = read_only_app.test_client()
    assert client.get("/login").status_code == 200  # reading still works
    code, html = _login(client)
    assert code == 503, html[:500]
    assert "数据库只读" in html and "写入权限" in html and "系统错误" not in html


def test_unreachable_database_says_so(db: Engine, clock: Clock) -> None:
    # Nothing listens on port 9 of the loopback address.
    app = _app("postgresql://postgres@127.0.0.1:9/nowhere?connect_timeout=2", clock)
    try:
        code, html = _login(app.test_client())
    finally:
        app.extensions["expertpool.engine"].dispose()
    assert code == 503 and "无法连接数据库" in html and "系统错误" not in html


def test_write_probe(db: Engine, accounts: dict[str, str]) -> None:
    assert dbstate.write_problem(db) is None
    engine = make_engine(_read_only_url(db))
    try:
        assert dbstate.write_problem(engine) == "readonly"
    finally:
        engine.dispose()


def test_serve_warns_at_start_up_on_a_read_only_database(
    db: Engine, accounts: dict[str, str], tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": _read_only_url(db),
        "PYTHONPATH": str(ROOT),
        "EXPERTPOOL_INSTANCE": str(tmp_path),
    }
    with socket.socket() as probe:  # a free port for the server
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    proc = subprocess.Popen(
        [sys.executable, "-m", "expertpool.cli", "serve", "--port", port],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None and proc.stdout is not None
        warning = proc.stderr.readline()
        started = proc.stdout.readline()
    finally:
        proc.terminate()
        proc.communicate(timeout=10)  # waits and closes both pipes
    assert warning.startswith("警告：数据库只读") and "登录和一切保存都会失败" in warning
    assert "已启动" in started

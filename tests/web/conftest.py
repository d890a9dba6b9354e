"""Web fixtures: the Flask app on the test database, a logged-in test client, a live
server in a thread, and Debian's chromium driven by Playwright's sync API.

Reuse for new screens:
    def test_x(client, accounts, login):
        login(client, "bureau1")            # or a demo user with the demo_db fixture
        token = csrf_token(client, "/some/form")
        client.post("/some/form", data={"csrf_token": token, ...})
Time is fixed by `clock` (naive Asia/Shanghai); set `clock.now = datetime(...)` to move it.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from werkzeug.serving import make_server

from expertpool.db import make_session_factory, session_scope
from expertpool.models import Committee, Unit
from expertpool.seeds import SeedSequence
from expertpool.services.accounts import create_user
from expertpool.validators import make_uscc
from web.app import create_app

PASSWORD = "Demo@2024"  # the demo accounts' password, used for the test accounts too
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
_CSRF_RE = re.compile(
    r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)


class Clock:
    """A settable 'now' (naive Asia/Shanghai) installed as app.config['NOW']."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    # Before the default 2024 deadline (31 July), so nominations are open.
    return Clock(datetime(2024, 7, 1, 10, 0, 0))


@pytest.fixture
def app(db: Engine, clock: Clock) -> Iterator[Flask]:
    application = create_app(
        {
            "DATABASE_URL": db.url.render_as_string(hide_password=False),
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "WTF_CSRF_ENABLED": True,
            "NOW": clock,
            "SEED_SOURCE": SeedSequence("web"),  # every web draw reproducible
            "WORKING_YEAR": 2024,
        }
    )
    yield application
    application.extensions["expertpool.engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def accounts(db: Engine) -> dict[str, str]:
    """Two units and one account per role (password PASSWORD); returns username -> role."""
    with session_scope(make_session_factory(db)) as s:
        s.add_all(
            [
                Unit(
                    name="大连测试大学", uscc=make_uscc("12210200" + "12345678" + "9"), kind="高校"
                ),
                Unit(
                    name="大连测试工程有限公司",
                    uscc=make_uscc("91210200" + "87654321" + "0"),
                    kind="企业",
                ),
            ]
        )
        s.flush()
        first = s.query(Committee).order_by(Committee.id).first()
        assert first is not None
        create_user(
            s, "unit_a", PASSWORD, "unit", display_name="测试大学人事处", unit_name="大连测试大学"
        )
        create_user(
            s,
            "unit_b",
            PASSWORD,
            "unit",
            display_name="测试公司人力部",
            unit_name="大连测试工程有限公司",
        )
        create_user(s, "bureau1", PASSWORD, "bureau", display_name="市人社局测试")
        create_user(
            s,
            "office1",
            PASSWORD,
            "office",
            display_name="办事机构测试",
            committee_names=[first.name],
        )
        create_user(s, "regulator1", PASSWORD, "regulator", display_name="监管测试")
    return {
        "unit_a": "unit",
        "unit_b": "unit",
        "bureau1": "bureau",
        "office1": "office",
        "regulator1": "regulator",
    }


def extract_csrf(html: str) -> str:
    match = _CSRF_RE.search(html)
    assert match, "页面中没有 csrf_token"
    return match.group(1) or match.group(2)


def csrf_token(client: FlaskClient, path: str) -> str:
    """GET `path` and return the CSRF token of its (first) form."""
    resp = client.get(path)
    assert resp.status_code == 200, (path, resp.status_code)
    return extract_csrf(resp.get_data(as_text=True))


def do_login(client: FlaskClient, username: str, password: str = PASSWORD) -> None:
    """Log in as `username` (logging out whoever was logged in on this client)."""
    client.delete_cookie("session")
    token = csrf_token(client, "/login")
    resp = client.post(
        "/login", data={"csrf_token": token, "username": username, "password": password}
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]


@pytest.fixture
def login() -> Callable[..., None]:
    return do_login


# ---------------------------------------------------------------------------
# Live server and browser
# ---------------------------------------------------------------------------


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if os.environ.get("EXPERTPOOL_SKIP_BROWSER") == "1":
        pytest.skip("EXPERTPOOL_SKIP_BROWSER=1：跳过浏览器测试")
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"找不到 {CHROMIUM}（apt 安装 chromium，或设置 EXPERTPOOL_SKIP_BROWSER=1 跳过）"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser, live_server: str) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=live_server, locale="zh-CN", viewport={"width": 1366, "height": 900}
    )
    context.set_default_timeout(15000)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


def browser_login(page, username: str, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def screenshot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

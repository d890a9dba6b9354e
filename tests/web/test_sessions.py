"""Issue 18 items 10 and 11 (web side): logout and a password change end the session on the
server (a cookie copied before no longer opens anything, on any app server), the CSRF token
is a new one after login, and an unknown name costs the same password check as a known one."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from expertpool.db import make_session_factory, session_scope
from expertpool.services import accounts as svc
from tests.conftest import CliRunner
from tests.fixtures.web import PASSWORD, csrf_token, do_login, extract_csrf
from web.app import create_app

NEW_PASSWORD = "Lüshun-harbour-7"


def _copy(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _with_cookie(app: Flask, value: str) -> FlaskClient:
    other = app.test_client()
    other.set_cookie("session", value)
    return other


def _logout(client: FlaskClient) -> None:
    token = csrf_token(client, "/office/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302


def test_cookie_copied_before_logout_no_longer_opens_office(
    app: Flask, client: FlaskClient, accounts: dict[str, str]
) -> None:
    do_login(client, "office1")
    stolen = _copy(client)
    assert _with_cookie(app, stolen).get("/office/").status_code == 200
    _logout(client)
    resp = _with_cookie(app, stolen).get("/office/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_logout_holds_on_every_app_server(
    app: Flask, db: Engine, client: FlaskClient, accounts: dict[str, str]
) -> None:
    # A second app server on the same database and key: the token lives in the database.
    second = create_app({**app.config, "DATABASE_URL": db.url.render_as_string(False)})
    try:
        do_login(client, "office1")
        stolen = _copy(client)
        assert _with_cookie(second, stolen).get("/office/").status_code == 200
        _logout(client)
        assert _with_cookie(second, stolen).get("/office/").status_code == 302
    finally:
        second.extensions["expertpool.engine"].dispose()


def test_password_change_ends_sessions_and_the_new_password_works(
    app: Flask, client: FlaskClient, accounts: dict[str, str], runner: CliRunner
) -> None:
    do_login(client, "office1")
    stolen = _copy(client)
    result = runner("user", "passwd", "office1", "--password", NEW_PASSWORD)
    assert result.code == 0, result.err
    assert client.get("/office/").status_code == 302
    assert _with_cookie(app, stolen).get("/office/").status_code == 302
    do_login(client, "office1", NEW_PASSWORD)
    assert client.get("/office/").status_code == 200


def test_disabling_ends_sessions_and_enabling_lets_in_again(
    client: FlaskClient, accounts: dict[str, str], runner: CliRunner
) -> None:
    do_login(client, "unit_a")
    assert runner("user", "disable", "unit_a").code == 0
    assert client.get("/unit/").status_code == 302
    assert runner("user", "enable", "unit_a").code == 0
    do_login(client, "unit_a")
    assert client.get("/unit/").status_code == 200


def test_cookie_without_the_token_is_refused(
    app: Flask, client: FlaskClient, accounts: dict[str, str]
) -> None:
    # A cookie signed with the key but made before this change (no token) is no session.
    do_login(client, "office1")
    with client.session_transaction() as sess:
        sess.pop("auth_token")
    assert client.get("/office/").status_code == 302


def test_csrf_token_is_rotated_at_login(client: FlaskClient, accounts: dict[str, str]) -> None:
    before = csrf_token(client, "/login")
    resp = client.post(
        "/login", data={"csrf_token": before, "username": "office1", "password": PASSWORD}
    )
    assert resp.status_code == 302
    after = csrf_token(client, "/office/")
    with client.session_transaction() as sess:
        raw_after = sess["csrf_token"]
    assert after != before
    # The token from before the login is refused by every form after it.
    resp = client.post("/logout", data={"csrf_token": before})
    assert resp.status_code == 400 and "表单安全校验失败" in resp.get_data(as_text=True)
    with client.session_transaction() as sess:
        assert sess["csrf_token"] == raw_after
    assert client.post("/logout", data={"csrf_token": after}).status_code == 302


def _count_scrypt(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Record each scrypt call's cost parameters (the real function still runs)."""
    calls: list[dict[str, Any]] = []
    real: Callable[..., bytes] = hashlib.scrypt

    def counting(password: bytes, **kwargs: Any) -> bytes:
        calls.append({k: kwargs[k] for k in ("n", "r", "p", "dklen")})
        return real(password, **kwargs)

    monkeypatch.setattr(svc.hashlib, "scrypt", counting)
    return calls


def test_unknown_user_costs_the_same_password_check(
    db: Engine, accounts: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    svc._dummy_hash()  # made once per process, before the calls are counted
    calls = _count_scrypt(monkeypatch)
    with session_scope(make_session_factory(db)) as s:
        assert svc.authenticate(s, "unit_a", "wrong-password") is None
        known = list(calls)
        calls.clear()
        assert svc.authenticate(s, "no_such_user", "wrong-password") is None
        unknown = list(calls)
        calls.clear()
        svc.set_active(s, "unit_b", False)
        assert svc.authenticate(s, "unit_b", PASSWORD) is None
        disabled = list(calls)
    assert len(known) == 1 and unknown == known and disabled == known


def test_login_page_of_each_answer_looks_the_same(
    client: FlaskClient, accounts: dict[str, str]
) -> None:
    pages = []
    for name in ("unit_a", "no_such_user"):
        token = extract_csrf(client.get("/login").get_data(as_text=True))
        resp = client.post(
            "/login", data={"csrf_token": token, "username": name, "password": "wrong-password"}
        )
        pages.append(resp.get_data(as_text=True).replace(name, "NAME").replace(token, "T"))
    assert "用户名或密码错误" in pages[0]
    stripped = [p.split('name="csrf_token"')[0] for p in pages]
    assert stripped[0] == stripped[1]


def test_two_first_logins_at_once_both_stay_logged_in(app: Flask, accounts: dict[str, str]) -> None:
    # The first login creates the account's token by a conditional update: whichever wins,
    # both cookies carry the winner's token (a lost race would log one of them out at once).
    n = 4
    clients = [app.test_client() for _ in range(n)]
    tokens = [csrf_token(c, "/login") for c in clients]
    barrier = threading.Barrier(n)
    codes: list[int] = []

    def log_in(i: int) -> None:
        barrier.wait()
        resp = clients[i].post(
            "/login",
            data={"csrf_token": tokens[i], "username": "office1", "password": PASSWORD},
            environ_base={"REMOTE_ADDR": f"10.0.1.{i}"},
        )
        codes.append(resp.status_code)

    threads = [threading.Thread(target=log_in, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [302] * n
    assert [c.get("/office/").status_code for c in clients] == [200] * n

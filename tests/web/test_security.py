"""Security headers, session cookie flags and lifetime, and login throttling."""

from __future__ import annotations

from datetime import timedelta

from tests.fixtures.web import PASSWORD, csrf_token


def _try_login(client, username: str, password: str):
    token = csrf_token(client, "/login")
    return client.post(
        "/login", data={"csrf_token": token, "username": username, "password": password}
    )


def test_headers_on_every_page(client, accounts):
    resp = client.get("/login")
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    html = resp.get_data(as_text=True)
    assert "<script>" not in html and " onclick=" not in html and 'style="' not in html


def test_session_cookie_flags_and_timeout(app, client, accounts):
    resp = _try_login(client, "bureau1", PASSWORD)
    assert resp.status_code == 302
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    assert "Secure" not in cookie  # plain HTTP here
    assert app.permanent_session_lifetime == timedelta(minutes=30)
    secure = client.get("/login", base_url="https://localhost")
    assert "Strict-Transport-Security" in secure.headers


def test_secure_cookie_over_tls(client, accounts):
    token = csrf_token(client, "/login")
    resp = client.post(
        "/login",
        base_url="https://localhost",
        data={"csrf_token": token, "username": "bureau1", "password": PASSWORD},
        headers={"Referer": "https://localhost/login"},
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    assert "Secure" in resp.headers["Set-Cookie"]


def test_login_throttled_after_five_failures(client, accounts):
    for _ in range(5):
        resp = _try_login(client, "unit_a", "wrong-password")
        assert resp.status_code == 200 and "用户名或密码错误" in resp.get_data(as_text=True)
    # Even the right password is refused while locked, with a clear message.
    resp = _try_login(client, "unit_a", PASSWORD)
    assert resp.status_code == 200
    assert "登录失败次数过多" in resp.get_data(as_text=True)
    # Other accounts are unaffected.
    assert _try_login(client, "bureau1", PASSWORD).status_code == 302


def test_control_characters_in_any_form_are_refused(client, accounts):
    token = csrf_token(client, "/login")
    resp = client.post(
        "/login", data={"csrf_token": token, "username": "bureau1\x00", "password": "x"}
    )
    assert resp.status_code == 400
    assert "控制字符" in resp.get_data(as_text=True)


def test_secret_key_is_created_once(tmp_path, monkeypatch):
    import threading

    from web.app import _secret_key

    monkeypatch.setenv("EXPERTPOOL_INSTANCE", str(tmp_path))
    monkeypatch.delenv("EXPERTPOOL_SECRET_KEY", raising=False)
    keys: list[str] = []
    threads = [threading.Thread(target=lambda: keys.append(_secret_key())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(keys) == 8 and len(set(keys)) == 1 and len(keys[0]) == 64
    monkeypatch.setenv("EXPERTPOOL_SECRET_KEY", "shared-by-all-servers")
    assert _secret_key() == "shared-by-all-servers"

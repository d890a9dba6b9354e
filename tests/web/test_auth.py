"""Login, logout, roles, CSRF and the Chinese error pages."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from expertpool.db import make_session_factory, session_scope
from expertpool.models import AuditEvent
from expertpool.services.accounts import set_active
from tests.fixtures.web import csrf_token, do_login

UNIT_PAGES = ["/unit/", "/unit/new", "/unit/import", "/unit/template.xlsx"]
BUREAU_PAGES = [
    "/bureau/",
    "/bureau/pool",
    "/bureau/settings",
    "/bureau/dashboard",
    "/bureau/pool/export.xlsx",
]


def test_login_page_is_chinese_and_local_assets_only(client: FlaskClient) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert "登录" in html and 'lang="zh-CN"' in html
    assert "http://" not in html and "https://" not in html
    assert "<script>" not in html and "onclick" not in html.lower()
    for path in ("/static/css/app.css", "/static/js/app.js"):
        resp = client.get(path)
        assert resp.status_code == 200
        resp.close()


def test_anonymous_is_sent_to_login_with_chinese_message(client: FlaskClient) -> None:
    resp = client.get("/bureau/pool")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "请先登录" in html


def test_wrong_password_and_audit(client: FlaskClient, accounts: dict, db) -> None:  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/login")
    resp = client.post(
        "/login", data={"csrf_token": token, "username": "bureau1", "password": "wrong-pass"}
    )
    assert resp.status_code == 200 and "用户名或密码错误" in resp.get_data(as_text=True)
    do_login(client, "bureau1")
    with session_scope(make_session_factory(db)) as s:
        actions = [e.action for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == ["login_failed", "login"]


def test_inactive_user_cannot_log_in_and_is_logged_out(
    client: FlaskClient, accounts: dict, db
) -> None:  # type: ignore[no-untyped-def]
    do_login(client, "unit_a")
    assert client.get("/unit/").status_code == 200
    with session_scope(make_session_factory(db)) as s:
        set_active(s, "unit_a", False)
    assert client.get("/unit/").status_code == 302  # the session no longer loads the user
    token = csrf_token(client, "/login")
    resp = client.post(
        "/login", data={"csrf_token": token, "username": "unit_a", "password": "Demo@2024"}
    )
    assert resp.status_code == 200 and "已停用" in resp.get_data(as_text=True)


@pytest.mark.parametrize(
    ("username", "home"),
    [
        ("unit_a", "/unit/"),
        ("bureau1", "/bureau/"),
        ("office1", "/office/"),
        ("regulator1", "/regulator/"),
    ],
)
def test_home_redirects_by_role(
    client: FlaskClient, accounts: dict, username: str, home: str | None
) -> None:
    do_login(client, username)
    resp = client.get("/")
    if home:
        assert resp.status_code == 302 and resp.headers["Location"].endswith(home)
    else:  # office/regulator screens come later: a welcome page, no broken nav links
        assert resp.status_code == 200 and "欢迎" in resp.get_data(as_text=True)


@pytest.mark.parametrize("username", ["unit_a", "bureau1", "office1", "regulator1"])
def test_role_access_matrix(client: FlaskClient, accounts: dict, username: str) -> None:
    do_login(client, username)
    role = accounts[username]
    for path in UNIT_PAGES:
        expected = 200 if role == "unit" or (role == "bureau" and path.endswith(".xlsx")) else 403
        assert client.get(path).status_code == expected, (username, path)
    for path in BUREAU_PAGES:
        assert client.get(path).status_code == (200 if role == "bureau" else 403), (username, path)


def test_403_page_is_chinese(client: FlaskClient, accounts: dict) -> None:
    do_login(client, "unit_a")
    resp = client.get("/bureau/pool")
    assert resp.status_code == 403 and "无权访问" in resp.get_data(as_text=True)


def test_post_without_csrf_is_400_chinese(client: FlaskClient, accounts: dict) -> None:
    resp = client.post("/login", data={"username": "bureau1", "password": "Demo@2024"})
    assert resp.status_code == 400 and "表单安全校验失败" in resp.get_data(as_text=True)
    do_login(client, "unit_a")
    for path in ["/unit/new", "/unit/import", "/unit/nominations/1/withdraw", "/logout"]:
        resp = client.post(path, data={"name": "张三"})
        assert resp.status_code == 400, path
        assert "表单安全校验失败" in resp.get_data(as_text=True)
    do_login(client, "bureau1")
    for path in [
        "/bureau/nominations/1/approve",
        "/bureau/nominations/1/reject",
        "/bureau/settings",
        "/bureau/experts/1/status",
    ]:
        assert client.post(path, data={}).status_code == 400, path


def test_404_405_413_pages(client: FlaskClient, accounts: dict, app) -> None:  # type: ignore[no-untyped-def]
    resp = client.get("/no-such-page")
    assert resp.status_code == 404 and "页面不存在" in resp.get_data(as_text=True)
    do_login(client, "unit_a")
    resp = client.get("/unit/nominations/1/withdraw")
    assert resp.status_code == 405 and "请求方式不允许" in resp.get_data(as_text=True)
    big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    resp = client.post("/unit/import", data=big, content_type="application/octet-stream")
    assert resp.status_code == 413 and "文件过大" in resp.get_data(as_text=True)


def test_500_page_is_chinese(app, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("x")

    resp = client.get("/boom")
    assert resp.status_code == 500 and "系统错误" in resp.get_data(as_text=True)


def test_logout(client: FlaskClient, accounts: dict) -> None:
    do_login(client, "bureau1")
    token = csrf_token(client, "/bureau/pool")
    resp = client.post("/logout", data={"csrf_token": token}, follow_redirects=True)
    assert "您已安全退出" in resp.get_data(as_text=True)
    assert client.get("/bureau/pool").status_code == 302


def test_open_redirect_refused(client: FlaskClient, accounts: dict) -> None:
    token = csrf_token(client, "/login")
    resp = client.post(
        "/login?next=//evil.example/x",
        data={"csrf_token": token, "username": "bureau1", "password": "Demo@2024"},
    )
    assert resp.status_code == 302 and "evil" not in resp.headers["Location"]


def test_demo_banner(demo_db, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    assert "演示数据" in client.get("/login").get_data(as_text=True)


def test_no_demo_banner_on_clean_db(client: FlaskClient) -> None:
    assert "demo-banner" not in client.get("/login").get_data(as_text=True)

"""Beijing time on screens and exports, audited pool exports, Chinese form messages, and
bad characters or numbers in URLs and forms answered with a message instead of a 500."""

from __future__ import annotations

import io
import warnings
from datetime import datetime, timedelta

from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select

from expertpool.db import make_session_factory, session_scope
from expertpool.models import AuditEvent, Nomination, Panel
from expertpool.services import audit
from tests.builders import S01, nomination_count, nomination_form, small_rules
from tests.fixtures.web import Clock, csrf_token, do_login, draw_via_web, new_form

# 01:30 UTC is 09:30 in Beijing (UTC+8, no daylight saving).
UTC_STAMP = datetime(2024, 10, 21, 1, 30, 15)


def _sealed_panel(client: FlaskClient, db: Engine) -> int:
    """A sealed S01 panel drawn and sealed at UTC_STAMP (stored UTC), as office zjj."""
    small_rules(db, S01)
    do_login(client, "zjj")
    panel_id = draw_via_web(client)
    token = csrf_token(client, f"/office/panels/{panel_id}")
    resp = client.post(f"/office/panels/{panel_id}/seal", data={"csrf_token": token})
    assert resp.status_code == 302
    with session_scope(make_session_factory(db)) as s:
        p = s.get(Panel, panel_id)
        p.drawn_at = UTC_STAMP
        p.sealed_at = UTC_STAMP + timedelta(minutes=5)
    return panel_id


def test_print_view_shows_beijing_time(client: FlaskClient, demo_db: Engine, clock: Clock) -> None:
    panel_id = _sealed_panel(client, demo_db)
    clock.now = datetime(2024, 10, 21, 9, 30)  # app 'now' is already Beijing time
    page = client.get(f"/office/panels/{panel_id}/print").get_data(as_text=True)
    assert "打印时间：2024年10月21日 09:30（北京时间）" in page
    assert "17:30" not in page
    assert "2024年10月21日 09:35（北京时间）" in page  # sealed_at, stored UTC


def test_panel_xlsx_writes_beijing_time(client: FlaskClient, demo_db: Engine) -> None:
    panel_id = _sealed_panel(client, demo_db)
    resp = client.get(f"/office/panels/{panel_id}/export.xlsx")
    assert resp.status_code == 200
    info = load_workbook(io.BytesIO(resp.data))["抽取信息"]
    cells = {row[0].value: row[1].value for row in info.iter_rows()}
    assert cells["抽取时间（北京时间）"] == "2024年10月21日 09:30"
    assert cells["锁定时间（北京时间）"] == "2024年10月21日 09:35"
    assert not any("UTC" in str(k) for k in cells)


def test_audit_log_shows_beijing_time_with_seconds(client: FlaskClient, demo_db: Engine) -> None:
    with session_scope(make_session_factory(demo_db)) as s:
        at = audit.record(s, "rsj", "bureau", "pool_export", "专家库", {"rows": 1}).at
    local = at + timedelta(hours=8)
    expected = f"{local.year}年{local.month}月{local.day}日 {local:%H:%M:%S}"
    do_login(client, "jianguan")
    page = client.get("/regulator/audit").get_data(as_text=True)
    assert expected in page, expected
    assert at.strftime("%Y-%m-%d %H:%M:%S") not in page
    assert "导出专家库" in page and ">pool_export<" not in page


def test_pool_export_is_audited(client: FlaskClient, demo_db: Engine) -> None:
    do_login(client, "rsj")
    resp = client.get("/bureau/pool/export.xlsx", query_string={"rank": "正高级"})
    assert resp.status_code == 200
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = load_workbook(io.BytesIO(resp.data)).active.max_row - 1
    with session_scope(make_session_factory(demo_db)) as s:
        events = list(s.scalars(select(AuditEvent).where(AuditEvent.action == "pool_export")))
        assert len(events) == 1
        ev = events[0]
        assert (ev.username, ev.role, ev.target) == ("rsj", "bureau", "专家库")
        assert ev.detail == {"filters": {"rank": "正高级"}, "rows": rows} and rows > 0
        assert audit.verify_chain(s).intact


def test_long_login_name_gets_a_chinese_message(client: FlaskClient, accounts: dict) -> None:
    token = csrf_token(client, "/login")
    resp = client.post("/login", data={"csrf_token": token, "username": "a" * 61, "password": "x"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "用户名不能超过60个字符" in page and "cannot be longer" not in page
    resp = client.post(
        "/login", data={"csrf_token": token, "username": "bureau1", "password": "x" * 201}
    )
    page = resp.get_data(as_text=True)
    assert "密码不能超过200个字符" in page and "cannot be longer" not in page


def test_nomination_form_keeps_typing_on_control_characters(
    client: FlaskClient, accounts: dict, db: Engine
) -> None:
    do_login(client, "unit_a")
    csrf, token = new_form(client)
    data = nomination_form(db, csrf_token=csrf, token=token, recommendation="同意\x0b推荐此人")
    resp = client.post("/unit/new", data=data)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "含有不可见的控制字符" in page and "表单字段" not in page
    assert 'value="曾国明"' in page and "推荐此人" in page and "正高级工程师" in page
    assert nomination_count(db) == 0

    # The same on the edit form: nothing is changed.
    resp = client.post("/unit/new", data=nomination_form(db, csrf_token=csrf, token=token))
    assert resp.status_code == 302
    nomination_id = int(resp.headers["Location"].rstrip("/").split("/")[-1])
    edit = f"/unit/nominations/{nomination_id}/edit"
    data = nomination_form(db, csrf_token=csrf_token(client, edit), title_name="教授\x00")
    resp = client.post(edit, data=data)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "含有不可见的控制字符" in page
    with session_scope(make_session_factory(db)) as s:
        assert s.get(Nomination, nomination_id).title_name == "正高级工程师"
        assert s.scalar(select(func.count()).select_from(Nomination)) == 1

    # Query strings are still checked on these views.
    assert client.get("/unit/new?x=%00").status_code == 400


def test_control_characters_in_urls_are_refused(client: FlaskClient, demo_db: Engine) -> None:
    do_login(client, "rsj")
    for path in ("/bureau/?q=%00", "/bureau/pool?q=%00", "/bureau/pool/export.xlsx?q=%00"):
        resp = client.get(path)
        assert resp.status_code == 400, path
        assert "网址参数“q”含有不可见的控制字符" in resp.get_data(as_text=True)
    with session_scope(make_session_factory(demo_db)) as s:
        assert s.scalar(select(func.count()).where(AuditEvent.action == "pool_export")) == 0
    do_login(client, "zjj")
    for path in ("/office/meetings/%00", "/office/meetings/2024-S01%01"):
        resp = client.get(path)
        assert resp.status_code == 404, path
        assert "页面不存在" in resp.get_data(as_text=True)
    assert client.get(f"/office/meetings/{S01}").status_code == 200


def test_season_max_panels_rejects_non_ascii_digits(client: FlaskClient, accounts: dict) -> None:
    do_login(client, "bureau1")
    token = csrf_token(client, "/season/")
    for value in ("²", "٣", "0", "31"):
        resp = client.post(
            "/season/draw",
            data={"csrf_token": token, "max_panels": value},
            follow_redirects=True,
        )
        assert resp.status_code == 200, value
        assert "每名专家每年参加例会的上限应为1到30的整数" in resp.get_data(as_text=True)

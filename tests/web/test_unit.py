"""推荐单位 screens through the Flask test client."""

from __future__ import annotations

import io
import re
from datetime import datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select

from expertpool.db import make_session_factory, session_scope
from expertpool.models import AuditEvent, Nomination, Unit
from expertpool.services.nominations import year_committees
from tests.builders import (
    bad_card,
    card,
    nomination_count,
    nomination_form,
    nomination_row,
    nomination_workbook,
)
from tests.fixtures.web import Clock, csrf_token, do_login, extract_csrf, new_form


def committee(db: Engine, index: int = 0):  # type: ignore[no-untyped-def]
    with session_scope(make_session_factory(db)) as s:
        c = year_committees(s, 2024)[index]
        return c.id, list(c.specialties)


def test_form_shows_all_fields_and_deadline(client: FlaskClient, accounts: dict) -> None:
    do_login(client, "unit_a")
    html = client.get("/unit/new").get_data(as_text=True)
    for label in (
        "姓名",
        "性别",
        "身份证号",
        "职称级别",
        "职称名称",
        "系列",
        "联系电话",
        "电子邮箱",
        "推荐评委会",
        "专业",
        "单位推荐意见",
        "个人承诺",
        "单位承诺",
    ):
        assert label in html, label
    assert "2024年7月31日 23:59" in html
    assert 'name="token"' in html


def test_submit_lists_and_double_submit_creates_one(
    client: FlaskClient, accounts: dict, db: Engine
) -> None:
    do_login(client, "unit_a")
    csrf, token = new_form(client)
    data = nomination_form(db, csrf_token=csrf, token=token)
    resp = client.post("/unit/new", data=data)
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "已提交推荐：曾国明" in page
    resp2 = client.post("/unit/new", data=data)  # the same token again (double click / retry)
    assert resp2.status_code == 302 and resp2.headers["Location"] == resp.headers["Location"]
    assert "没有重复创建" in client.get(resp2.headers["Location"]).get_data(as_text=True)
    assert nomination_count(db) == 1
    listing = client.get("/unit/").get_data(as_text=True)
    assert "曾国明" in listing and "已提交" in listing


def test_errors_shown_next_to_fields(client: FlaskClient, accounts: dict, db: Engine) -> None:
    do_login(client, "unit_a")
    csrf, token = new_form(client)
    data = nomination_form(db, csrf_token=csrf, token=token, id_card=bad_card(), gender="女")
    del data["pledge_unit"]
    html = client.post("/unit/new", data=data).get_data(as_text=True)
    assert re.search(
        r'id="id_card"[^>]*>\s*(<div class="hint">[^<]*</div>\s*)?<div class="error" id="id_card-err">校验位错误</div>',
        html,
    )
    assert "须勾选单位承诺" in html and "有2处需要修改" in html
    assert 'value="曾国明"' in html  # the typed values are kept
    assert nomination_count(db) == 0


def test_edit_and_withdraw_until_deadline(
    client: FlaskClient, accounts: dict, db: Engine, clock: Clock
) -> None:
    do_login(client, "unit_a")
    csrf, token = new_form(client)
    client.post("/unit/new", data=nomination_form(db, csrf_token=csrf, token=token))
    with session_scope(make_session_factory(db)) as s:
        nid = s.scalar(select(Nomination.id))
    csrf = csrf_token(client, f"/unit/nominations/{nid}/edit")
    resp = client.post(
        f"/unit/nominations/{nid}/edit",
        data=nomination_form(db, csrf_token=csrf, title_name="教授"),
    )
    assert resp.status_code == 302
    assert "已保存修改" in client.get(resp.headers["Location"]).get_data(as_text=True)
    clock.now = datetime(2024, 8, 1, 0, 0, 0)
    html = client.get("/unit/").get_data(as_text=True)
    assert "已于2024年7月31日 23:59截止" in html and "/withdraw" not in html
    resp = client.post(
        f"/unit/nominations/{nid}/withdraw", data={"csrf_token": csrf}, follow_redirects=True
    )
    assert "截止" in resp.get_data(as_text=True)
    with session_scope(make_session_factory(db)) as s:
        n = s.get(Nomination, nid)
        assert n is not None and n.status == "已提交" and n.title_name == "教授"
    clock.now = datetime(2024, 7, 31, 23, 0, 0)
    client.post(f"/unit/nominations/{nid}/withdraw", data={"csrf_token": csrf})
    with session_scope(make_session_factory(db)) as s:
        assert s.get(Nomination, nid).status == "已撤回"  # type: ignore[union-attr]


def test_forced_post_after_deadline_refused(
    client: FlaskClient, accounts: dict, db: Engine, clock: Clock
) -> None:
    do_login(client, "unit_a")
    csrf, token = new_form(client)
    clock.now = datetime(2024, 8, 1, 9, 0, 0)
    html = client.get("/unit/new").get_data(as_text=True)
    assert "截止" in html and 'id="nomination-form"' not in html
    html = client.post(
        "/unit/new", data=nomination_form(db, csrf_token=csrf, token=token)
    ).get_data(as_text=True)
    assert "不能再提交" in html
    resp = client.post(
        "/unit/import",
        data={"csrf_token": csrf, "file": (io.BytesIO(b"x"), "a.xlsx")},
        content_type="multipart/form-data",
    )
    assert "不能再导入" in resp.get_data(as_text=True)
    assert nomination_count(db) == 0


def test_other_units_nomination_is_404(client: FlaskClient, accounts: dict, db: Engine) -> None:
    do_login(client, "unit_a")
    csrf, token = new_form(client)
    client.post("/unit/new", data=nomination_form(db, csrf_token=csrf, token=token))
    do_login(client, "unit_b")
    assert client.get("/unit/nominations/1").status_code == 404
    assert client.get("/unit/nominations/1/edit").status_code == 404
    assert "曾国明" not in client.get("/unit/").get_data(as_text=True)


def test_template_download(client: FlaskClient, accounts: dict) -> None:
    do_login(client, "unit_a")
    resp = client.get("/unit/template.xlsx")
    assert resp.status_code == 200 and resp.data[:2] == b"PK"
    assert "attachment" in resp.headers["Content-Disposition"]


def test_import_all_or_nothing(client: FlaskClient, accounts: dict, db: Engine) -> None:
    do_login(client, "unit_a")
    with session_scope(make_session_factory(db)) as s:
        good = nomination_workbook(
            s,
            [nomination_row(s), nomination_row(s, 姓名="李四", 身份证号=card("21020419800101125"))],
        )
        bad = nomination_workbook(
            s, [nomination_row(s), nomination_row(s, 姓名="李四", 身份证号=bad_card())]
        )
    page = client.get("/unit/import").get_data(as_text=True)
    assert "5 MB" in page and "2000行" in page and "500个字符" in page
    csrf = extract_csrf(page)
    resp = client.post(
        "/unit/import",
        data={"csrf_token": csrf, "file": (io.BytesIO(bad), "推荐.xlsx")},
        content_type="multipart/form-data",
    )
    html = resp.get_data(as_text=True)
    assert "第3行「身份证号」：校验位错误" in html and "全部未导入" in html
    assert nomination_count(db) == 0
    resp = client.post(
        "/unit/import",
        data={"csrf_token": csrf, "file": (io.BytesIO(b"not a workbook"), "a.xlsx")},
        content_type="multipart/form-data",
    )
    assert "xlsx" in resp.get_data(as_text=True) and nomination_count(db) == 0
    resp = client.post(
        "/unit/import",
        data={"csrf_token": csrf, "file": (io.BytesIO(good), "推荐.xlsx")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    assert "导入成功：共2名" in client.get(resp.headers["Location"]).get_data(as_text=True)
    assert nomination_count(db) == 2


def test_import_without_file(client: FlaskClient, accounts: dict) -> None:
    do_login(client, "unit_a")
    csrf = csrf_token(client, "/unit/import")
    html = client.post("/unit/import", data={"csrf_token": csrf}).get_data(as_text=True)
    assert "请选择要上传的xlsx文件" in html


def submit_and_return(client: FlaskClient, db: Engine, clock: Clock, reason: str) -> int:
    """unit_a nominates before the deadline; the bureau returns it after the deadline."""
    do_login(client, "unit_a")
    csrf, token = new_form(client)
    client.post("/unit/new", data=nomination_form(db, csrf_token=csrf, token=token))
    with session_scope(make_session_factory(db)) as s:
        nid = s.scalar(select(Nomination.id))
    assert nid is not None
    clock.now = datetime(2024, 8, 5, 9, 0, 0)  # review happens after the 31 July deadline
    do_login(client, "bureau1")
    csrf = csrf_token(client, "/bureau/")
    resp = client.post(
        f"/bureau/nominations/{nid}/return", data={"csrf_token": csrf, "reason": reason}
    )
    assert resp.status_code == 302
    do_login(client, "unit_a")
    return nid


def test_returned_nomination_corrected_after_deadline(
    client: FlaskClient, accounts: dict, db: Engine, clock: Clock
) -> None:
    nid = submit_and_return(client, db, clock, "请补充推荐意见")
    listing = client.get("/unit/").get_data(as_text=True)
    assert "已于2024年7月31日 23:59截止" in listing
    assert "退回理由：请补充推荐意见" in listing and "可修改后重新提交" in listing
    assert 'id="returned-notice"' in listing
    assert (
        f"/unit/nominations/{nid}/edit" in listing
        and f"/unit/nominations/{nid}/withdraw" in listing
    )
    detail = client.get(f"/unit/nominations/{nid}").get_data(as_text=True)
    assert "请补充推荐意见" in detail and "修改并重新提交" in detail
    page = client.get(f"/unit/nominations/{nid}/edit").get_data(as_text=True)
    assert 'id="nomination-form"' in page and "请补充推荐意见" in page
    csrf = extract_csrf(page)
    resp = client.post(
        f"/unit/nominations/{nid}/edit",
        data=nomination_form(db, csrf_token=csrf, recommendation="补充后的推荐意见"),
    )
    assert resp.status_code == 302
    assert "已保存修改并重新提交" in client.get(resp.headers["Location"]).get_data(as_text=True)
    with session_scope(make_session_factory(db)) as s:
        n = s.get(Nomination, nid)
        assert n is not None and n.status == "已提交" and n.recommendation == "补充后的推荐意见"
        ev = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert ev is not None and ev.action == "nomination_submit" and ev.target == f"推荐#{nid}"
        assert ev.detail["previous_status"] == "已退回" and ev.detail["after_deadline"] is True
    # Resubmitted, it is closed again like any 已提交 nomination after the deadline.
    listing = client.get("/unit/").get_data(as_text=True)
    assert f"/unit/nominations/{nid}/edit" not in listing and "returned-notice" not in listing
    page = client.get(f"/unit/nominations/{nid}/edit").get_data(as_text=True)
    assert 'id="nomination-form"' not in page
    html = client.post(
        f"/unit/nominations/{nid}/edit",
        data=nomination_form(db, csrf_token=csrf, title_name="教授"),
    ).get_data(as_text=True)
    assert "截止" in html
    with session_scope(make_session_factory(db)) as s:
        assert s.get(Nomination, nid).title_name == "正高级工程师"  # type: ignore[union-attr]


def test_returned_nomination_withdrawn_after_deadline(
    client: FlaskClient, accounts: dict, db: Engine, clock: Clock
) -> None:
    nid = submit_and_return(client, db, clock, "不符合推荐条件")
    csrf = csrf_token(client, f"/unit/nominations/{nid}")
    resp = client.post(
        f"/unit/nominations/{nid}/withdraw", data={"csrf_token": csrf}, follow_redirects=True
    )
    assert f"已撤回推荐：曾国明（推荐编号{nid}）" in resp.get_data(as_text=True)
    with session_scope(make_session_factory(db)) as s:
        assert s.get(Nomination, nid).status == "已撤回"  # type: ignore[union-attr]
        ev = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert ev is not None and ev.detail["withdrawn"] is True


def add_direct(db: Engine, count_: int) -> list[str]:
    """``count_`` nominations of unit_a (straight into the database); returns their cards."""
    cid, specs = committee(db)
    cards = []
    with session_scope(make_session_factory(db)) as s:
        unit_id = s.scalar(select(Unit.id).where(Unit.name == "大连测试大学"))
        for i in range(count_):
            cards.append(card(f"21020419800101{i + 10:02d}1"))
            s.add(
                Nomination(
                    year=2024,
                    unit_id=unit_id,
                    status="已退回" if i == 3 else "已提交",
                    review_reason="请补充" if i == 3 else "",
                    name=f"测试专家{i:02d}",
                    gender="男",
                    birth_year=1980,
                    id_card=cards[-1],
                    rank="正高级",
                    committee_ids=[cid],
                    specialties=[specs[0]],
                    submitted_at=datetime(2024, 7, 1),
                    updated_at=datetime(2024, 7, 1),
                )
            )
    return cards


def test_index_search_and_pagination(
    app: Flask, client: FlaskClient, accounts: dict, db: Engine
) -> None:
    app.config["PER_PAGE"] = 5
    cards = add_direct(db, 12)
    do_login(client, "unit_a")
    html = client.get("/unit/").get_data(as_text=True)
    assert "第 1 / 3 页，共 12 条" in html and html.count('<tr id="nomination-') == 5
    assert "测试专家11" in html and "测试专家06" not in html  # newest first
    html = client.get("/unit/", query_string={"page": "3"}).get_data(as_text=True)
    assert "第 3 / 3 页" in html and html.count('<tr id="nomination-') == 2
    assert "测试专家00" in html
    for page in ("abc", "99999999999999999999", "0"):
        assert client.get("/unit/", query_string={"page": page}).status_code == 200
    html = client.get("/unit/", query_string={"q": "专家07"}).get_data(as_text=True)
    assert html.count('<tr id="nomination-') == 1 and "测试专家07" in html
    html = client.get("/unit/", query_string={"q": cards[9][-4:]}).get_data(as_text=True)
    assert html.count('<tr id="nomination-') == 1 and "测试专家09" in html
    html = client.get("/unit/", query_string={"status": "已退回"}).get_data(as_text=True)
    assert html.count('<tr id="nomination-') == 1 and "测试专家03" in html
    assert "共 1 条" in html
    html = client.get("/unit/", query_string={"q": "测试", "page": "2"}).get_data(as_text=True)
    assert "第 2 / 3 页" in html and "q=%E6%B5%8B%E8%AF%95" in html  # the search is kept
    html = client.get("/unit/", query_string={"q": "没有此人"}).get_data(as_text=True)
    assert "没有符合条件的推荐" in html
    resp = client.get("/unit/", query_string={"status": "乱写"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "「状态」无效" in html
    assert html.count('<tr id="nomination-') == 5
    do_login(client, "unit_b")
    html = client.get("/unit/", query_string={"q": "测试专家"}).get_data(as_text=True)
    assert "没有符合条件的推荐" in html

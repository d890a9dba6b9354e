"""通知与确认 page: who sees it, recording replies (and the loser of two tabs), 请辞 as the
existing decline, the deadline, and the seal's confirmation of unconfirmed members."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import Engine, select

from expertpool.db import make_session_factory, session_scope
from expertpool.models import Expert, Panel
from expertpool.services import notices
from expertpool.services import panels as svc
from tests.builders import S01, small_rules
from tests.fixtures.web import csrf_token, do_login, draw_via_web


def _drawn(client: FlaskClient, demo_db: Engine) -> int:
    small_rules(demo_db, S01)
    do_login(client, "zjj")
    return draw_via_web(client)


def _seat(demo_db: Engine, panel_id: int, index: int) -> tuple[int, str, str, str]:
    """(seat id, code, name, phone) of the index-th member in draw order."""
    with session_scope(make_session_factory(demo_db)) as s:
        p = s.get(Panel, panel_id)
        code = svc.result_of(p)["members"][index]
        seat = next(x for x in p.seats if x.expert.code == code and x.role == "member")
        return seat.id, code, seat.expert.name, seat.expert.phone


def _record(
    client: FlaskClient, panel_id: int, seat: int, outcome: str, version: int = 0, note: str = ""
) -> str:
    token = csrf_token(client, f"/office/panels/{panel_id}/notices")
    resp = client.post(
        f"/office/panels/{panel_id}/notices/record",
        data={
            "csrf_token": token,
            "seat": str(seat),
            "version": str(version),
            "outcome": outcome,
            "channel": "phone",
            "note": note,
        },
        follow_redirects=True,
    )
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def test_office_sees_full_phones_and_regulator_reads_only(client, demo_db):
    panel_id = _drawn(client, demo_db)
    _, code, name, phone = _seat(demo_db, panel_id, 0)
    assert phone
    page = client.get(f"/office/panels/{panel_id}/notices").get_data(as_text=True)
    assert phone in page and name in page and "已确认 0 / " in page
    assert "reply-form" in page and f"下一位应联系：<strong>{name}</strong>" in page
    panel_page = client.get(f"/office/panels/{panel_id}").get_data(as_text=True)
    assert 'id="notices-link"' in panel_page
    do_login(client, "jianguan")
    page = client.get(f"/regulator/panels/{panel_id}/notices").get_data(as_text=True)
    assert phone in page and "reply-form" not in page and "deadline-form" not in page
    for user in ("dlut", "rsj"):
        do_login(client, user)
        assert client.get(f"/office/panels/{panel_id}/notices").status_code == 403
        assert client.get(f"/regulator/panels/{panel_id}/notices").status_code == 403
    do_login(client, "scjg")  # another committee's office: the panel does not exist for it
    assert client.get(f"/office/panels/{panel_id}/notices").status_code == 404


def test_recording_replies_and_the_loser_of_two_tabs(client, demo_db):
    panel_id = _drawn(client, demo_db)
    seat, code, name, _ = _seat(demo_db, panel_id, 0)
    page = _record(client, panel_id, seat, "confirmed")
    assert f"已登记{name}（{code}）：确认参加（电话）" in page and "已确认 1 / " in page
    # The second tab still holds version 0: refused, in Chinese, nothing recorded.
    page = _record(client, panel_id, seat, "unreachable")
    assert "已由他人更新（现为：确认参加）" in page
    assert re.search(rf'id="row-{code}-member" data-state="confirmed"', page)
    page = _record(client, panel_id, seat, "maybe", 1)
    assert "请选择答复结果" in page
    do_login(client, "jianguan")
    meeting_page = client.get(f"/regulator/meetings/{S01}").get_data(as_text=True)
    assert f"电话联系{code}：确认参加" in meeting_page


def test_decline_on_the_page_is_the_existing_decline(client, demo_db):
    panel_id = _drawn(client, demo_db)
    with session_scope(make_session_factory(demo_db)) as s:
        result = svc.result_of(s.get(Panel, panel_id))
    index = result["members"].index(
        next(m for m in result["members"] if m not in result["uncovered"])
    )
    seat, code, _, _ = _seat(demo_db, panel_id, index)
    page = _record(client, panel_id, seat, "declined", note="出差")
    with session_scope(make_session_factory(demo_db)) as s:
        p = s.get(Panel, panel_id)
        after = svc.result_of(p)
        by = after["replacements"][-1]["by"]
        by_name = s.scalar(select(Expert.name).where(Expert.code == by))
        assert svc.replay(s, p).same
    assert after["declines"] == [{"declined": [code], "unavailable": []}]
    assert re.search(rf'id="row-{by}-member" data-state="pending"', page)
    assert "待通知" in page and "请辞（出差）" in page
    panel_page = client.get(f"/office/panels/{panel_id}").get_data(as_text=True)
    assert by_name in panel_page


def test_seal_names_the_unconfirmed_and_refuses_a_stale_acknowledgement(client, demo_db):
    panel_id = _drawn(client, demo_db)
    seat, code, name, _ = _seat(demo_db, panel_id, 0)
    page = client.get(f"/office/panels/{panel_id}").get_data(as_text=True)
    assert "以下评委尚未确认参加：" in page and name in page
    # The page acknowledged everyone but the first member; someone else is unconfirmed.
    with session_scope(make_session_factory(demo_db)) as s:
        others = [x.expert.code for x in notices.unconfirmed_members(s, s.get(Panel, panel_id))]
    token = csrf_token(client, f"/office/panels/{panel_id}")
    acknowledged = ",".join(c for c in others if c != code)
    resp = client.post(
        f"/office/panels/{panel_id}/seal",
        data={"csrf_token": token, "acknowledged": acknowledged},
        follow_redirects=True,
    )
    assert f"以下评委尚未确认参加：{name}（{code}）" in resp.get_data(as_text=True)
    with session_scope(make_session_factory(demo_db)) as s:
        assert s.get(Panel, panel_id).status == "drawn"
    resp = client.post(
        f"/office/panels/{panel_id}/seal",
        data={"csrf_token": token, "acknowledged": ",".join(others)},
    )
    with session_scope(make_session_factory(demo_db)) as s:
        assert s.get(Panel, panel_id).status == "sealed"


def test_deadline_form(client, demo_db):
    panel_id = _drawn(client, demo_db)
    token = csrf_token(client, f"/office/panels/{panel_id}/notices")
    url = f"/office/panels/{panel_id}/notices/deadline"
    page = client.post(
        url, data={"csrf_token": token, "deadline": "明天"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "请填写答复截止时间" in page
    page = client.post(
        url, data={"csrf_token": token, "deadline": "2024-07-02T17:30"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "答复截止时间已设为2024-07-02 17:30" in page and "2024年7月2日" in page


def test_send_without_gateway_gives_the_call_list(client, demo_db):
    import io

    from openpyxl import load_workbook

    panel_id = _drawn(client, demo_db)
    _, code, name, phone = _seat(demo_db, panel_id, 0)
    token = csrf_token(client, f"/office/panels/{panel_id}/notices")
    client.post(
        f"/office/panels/{panel_id}/notices/template",
        data={"csrf_token": token, "place": '=HYPERLINK("http://x")', "reply_how": "回电"},
    )
    page = client.post(
        f"/office/panels/{panel_id}/notices/send",
        data={"csrf_token": token},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "未配置短信平台，未发送任何短信" in page and 'id="outbox-table"' in page
    calls = client.get(f"/office/panels/{panel_id}/notices/calls").get_data(as_text=True)
    assert phone in calls and f"{name}专家：" in calls
    resp = client.get(f"/office/panels/{panel_id}/notices/calls.xlsx")
    ws = load_workbook(io.BytesIO(resp.data)).active
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2, max_row=2)]
    assert rows[0][1] == code and rows[0][3] == phone
    body_cell = ws.cell(row=2, column=6)
    assert body_cell.data_type == "s" and "=HYPERLINK" in body_cell.value
    for user in ("dlut", "rsj"):
        do_login(client, user)
        for path in ("/notices", "/notices/calls", "/notices/calls.xlsx"):
            assert client.get(f"/office/panels/{panel_id}{path}").status_code == 403
    do_login(client, "scjg")
    for path in ("/notices", "/notices/calls", "/notices/calls.xlsx"):
        assert client.get(f"/office/panels/{panel_id}{path}").status_code == 404
    do_login(client, "jianguan")
    page = client.get(f"/regulator/panels/{panel_id}/notices").get_data(as_text=True)
    assert "send-form" not in page and f"{name}专家：" in page


def test_gateway_send_and_the_signed_callback(client, demo_db, monkeypatch):
    import json

    from expertpool.models import OutboxMessage
    from expertpool.services.notices.gateway import sign

    monkeypatch.setenv("EXPERTPOOL_SMS_URL", "http://127.0.0.1:9/unused")
    monkeypatch.setenv("EXPERTPOOL_SMS_SECRET", "s3cret")
    panel_id = _drawn(client, demo_db)
    token = csrf_token(client, f"/office/panels/{panel_id}/notices")
    page = client.post(
        f"/office/panels/{panel_id}/notices/send",
        data={"csrf_token": token},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "由后台任务进程通过短信平台发送" in page and "待发送" in page
    with session_scope(make_session_factory(demo_db)) as s:
        m = s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()
        mid, code, seat_id = m.id, m.reply_code, m.seat_id
        name = m.body.split("专家：")[0]
    anon = client.application.test_client()
    good = json.dumps({"message_id": mid, "code": code, "reply": "1"}).encode()
    answers = []
    for body, sig in (
        (good, "0" * 64),
        (json.dumps({"message_id": mid + 999, "code": code, "reply": "1"}).encode(), None),
        (good, None),
        (good, None),  # replayed
    ):
        resp = anon.post(
            "/notices/sms/callback",
            data=body,
            headers={
                "X-Signature": sig or sign("s3cret", body),
                "Content-Type": "application/json",
            },
        )
        answers.append((resp.status_code, resp.get_data(as_text=True)))
    refused = (403, '{"ok":false}\n')
    assert answers[0] == answers[1] == answers[3] == refused
    assert answers[2][0] == 200 and name not in answers[2][1]
    page = client.get(f"/office/panels/{panel_id}/notices").get_data(as_text=True)
    assert re.search(r'data-state="confirmed"', page) and "短信平台" in page
    del seat_id

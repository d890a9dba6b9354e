"""市人社局 screens for the meeting record: the dashboard's 备案 column, the committees'
评聘 mode and the working calendar of a year the bundled calendar does not cover."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from flask.testing import FlaskClient
from sqlalchemy import Engine, select

from expertpool.db import make_session_factory, session_scope
from expertpool.models import AuditEvent, WorkCalendarYear
from expertpool.services import meeting_record as mr
from expertpool.services.packages import find_meeting
from tests.builders import S01
from tests.fixtures.web import Clock, csrf_token, do_login


def _filing_cells(html: str, code: str) -> tuple[str, str]:
    row = html.split('id="filings"')[1].split(f">{code}</a>")[1].split("</tr>")[0]
    state = re.search(r'class="filing-state">([^<]*)<', row)
    deadline = re.search(r'class="filing-deadline">([^<]*)<', row)
    assert state and deadline, row
    return state.group(1), deadline.group(1)


def test_dashboard_shows_filing_state_and_deadline(
    demo_db: Engine, client: FlaskClient, clock: Clock
) -> None:
    with session_scope(make_session_factory(demo_db)) as s:
        meeting = find_meeting(s, S01)
        deadline = mr.deadline_after(s, meeting.window_end)
        # another meeting ends in a year nobody has entered: its deadline is 待定, with why
        other = find_meeting(s, "2024-S02")
        other.window_end = date(2027, 3, 1)
    assert deadline.day is not None
    do_login(client, "rsj")
    html = client.get("/bureau/dashboard").get_data(as_text=True)
    assert "各例会评审结果备案" in html
    assert "<title>统计看板 - 大连市职称评审专家库</title>" in html  # the table is not in the title
    assert html.count('id="filings"') == 1
    day = deadline.day
    assert _filing_cells(html, S01) == ("未举行", f"{day.year}年{day.month}月{day.day}日")
    state, text = _filing_cells(html, "2024-S02")
    assert text.startswith("待定（2027年的法定节假日和调休安排尚未录入")
    # past the deadline with nothing recorded: 逾期
    clock.now = datetime.combine(deadline.day + timedelta(days=1), time(10))
    html = client.get("/bureau/dashboard").get_data(as_text=True)
    assert _filing_cells(html, S01)[0] == "逾期"


def _audits(db: Engine, action: str) -> list[tuple[str, dict[str, object]]]:
    with session_scope(make_session_factory(db)) as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.action == action))
        return [(r.target, dict(r.detail)) for r in rows]


def test_review_mode_set_with_its_source(demo_db: Engine, client: FlaskClient) -> None:
    with session_scope(make_session_factory(demo_db)) as s:
        committee = find_meeting(s, S01).committee
        cid, name = committee.id, committee.name
        assert mr.review_mode(s, committee).mode == "评聘分开"
    do_login(client, "rsj")
    page = client.get("/bureau/review-modes").get_data(as_text=True)
    row = page.split(f'id="committee-{cid}"')[1].split("</tr>")[0]
    assert "评聘分开（系统默认）" in row and "大人社发〔2024〕45号 五(二)" in page
    token = csrf_token(client, "/bureau/review-modes")
    resp = client.post(
        "/bureau/review-modes",
        data={"csrf_token": token, "committee_id": str(cid), "mode": "评聘结合"},
    )
    assert resp.status_code == 302
    page = client.get("/bureau/review-modes").get_data(as_text=True)
    row = page.split(f'id="committee-{cid}"')[1].split("</tr>")[0]
    assert "评聘结合（市人社局设定），rsj" in row
    assert f"已将{name}的评聘方式设为评聘结合" in page
    assert _audits(demo_db, "review_mode") == [(name, {"before": "评聘分开", "after": "评聘结合"})]
    # a mode that does not exist: the message, nothing changed
    resp = client.post(
        "/bureau/review-modes",
        data={"csrf_token": token, "committee_id": str(cid), "mode": "评聘合一"},
    )
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "评聘方式应为“评聘分开”或“评聘结合”" in text
    assert len(_audits(demo_db, "review_mode")) == 1
    with session_scope(make_session_factory(demo_db)) as s:
        assert mr.review_mode(s, find_meeting(s, S01).committee).mode == "评聘结合"


def test_work_calendar_good_and_bad(demo_db: Engine, client: FlaskClient) -> None:
    do_login(client, "rsj")
    token = csrf_token(client, "/bureau/work-calendar")
    # the third line is no date: the line named, nothing saved
    resp = client.post(
        "/bureau/work-calendar",
        data={
            "csrf_token": token,
            "year": "2027",
            "holidays": "2027-01-01\n2027-10-01\n2027-10-0x\n",
            "workdays": "2027-09-26",
        },
    )
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "法定节假日第3行“2027-10-0x”不是日期" in text and "全部未保存" in text
    assert "2027-10-0x" in text.split('id="holidays"')[1]  # the entry is kept for fixing
    resp = client.post(
        "/bureau/work-calendar",
        data={"csrf_token": token, "year": "2027", "holidays": "2027-01-01\n2028-01-01"},
    )
    assert "法定节假日第2行“2028-01-01”不在2027年" in resp.get_data(as_text=True)
    with session_scope(make_session_factory(demo_db)) as s:
        assert s.scalars(select(WorkCalendarYear)).all() == []
    assert _audits(demo_db, "work_calendar") == []
    # a good one: saved, audited, and 2027 now has deadlines
    resp = client.post(
        "/bureau/work-calendar",
        data={
            "csrf_token": token,
            "year": "2027",
            "holidays": "2027-01-01\r\n\r\n 2027-10-01 \r\n2027-10-02",
            "workdays": "2027-09-26",
        },
    )
    assert resp.status_code == 302
    page = client.get("/bureau/work-calendar").get_data(as_text=True)
    assert "已录入2027年的法定节假日和调休上班日" in page
    assert "2027-09-26" in page.split('id="supplied-years"')[1]
    assert _audits(demo_db, "work_calendar") == [
        (
            "2027",
            {"holidays": ["2027-01-01", "2027-10-01", "2027-10-02"], "workdays": ["2027-09-26"]},
        )
    ]
    with session_scope(make_session_factory(demo_db)) as s:
        assert mr.deadline_after(s, date(2027, 3, 1)).day is not None
    # a year the bundled calendar covers is refused
    resp = client.post(
        "/bureau/work-calendar",
        data={"csrf_token": token, "year": "2024", "holidays": "2024-01-01"},
    )
    assert "2024年的法定节假日已内置在系统日历中" in resp.get_data(as_text=True)

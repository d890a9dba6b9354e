"""Opening next year early (issue 18 item 16): opened in December, the current year stays the
working year of every screen until 1 January; a year selector lets the bureau, offices, units
and regulators switch to the opened next year; units nominate for it; 年度设置 edits the
selected year; the frozen year's deadline moves only with a recorded reason; the opening
confirmation says what changes."""

from __future__ import annotations

import re
from datetime import datetime

from flask.testing import FlaskClient
from sqlalchemy import Engine, select

from expertpool.db import make_session_factory, session_scope
from expertpool.models import AuditEvent, Nomination
from expertpool.services import nominations as noms
from tests.builders import nomination_form
from tests.fixtures.web import Clock, csrf_token, do_login, new_form

DECEMBER = datetime(2024, 12, 3, 10, 0)


def _open_2025(client: FlaskClient) -> str:
    token = csrf_token(client, "/bureau/years")
    data = {"csrf_token": token, "deadline": "2025-07-31", "confirm": "yes"}
    return client.post("/bureau/years", data=data, follow_redirects=True).get_data(as_text=True)


def _choose(client: FlaskClient, year: str, back: str = "/") -> str:
    token = csrf_token(client, back)
    resp = client.post("/year", data={"csrf_token": token, "year": year, "next": back})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(back)
    return client.get(back).get_data(as_text=True)


def _footer_year(page: str) -> str:
    found = re.search(r"(\d{4})年度</footer>", page)
    assert found
    return found.group(1)


def _selector(page: str) -> list[str]:
    form = page.split('id="year-pick"')[1].split("</form>")[0] if 'id="year-pick"' in page else ""
    return re.findall(r'<option value="(\d{4})"', form)


def test_the_opening_confirmation_says_what_changes(
    demo_db: Engine, client: FlaskClient, clock: Clock
) -> None:
    clock.now = DECEMBER
    do_login(client, "rsj")
    page = client.get("/bureau/years").get_data(as_text=True)
    effects = page.split('id="open-effects"')[1].split("</ul>")[0]
    assert "2024年度仍是各页面默认显示的当前年度，直到2025年1月1日" in effects
    assert "推荐单位可以为2025年度推荐专家" in effects
    assert "2024年度的评委会信息从此不能再修改" in effects
    assert "例会记录、备案照常进行" in effects
    html = _open_2025(client)
    assert "已开启2025年度" in html and "可在页面顶部的年度选择中切换到2025年度" in html
    listing = client.get("/bureau/years").get_data(as_text=True)
    row_2024 = listing.split('id="year-2024"')[1].split("</tr>")[0]
    row_2025 = listing.split('id="year-2025"')[1].split("</tr>")[0]
    assert "当前年度" in row_2024 and "已结束" not in row_2024
    assert "下一年度" in row_2025


def test_every_role_stays_on_this_year_and_can_switch_to_the_opened_next_year(
    demo_db: Engine, client: FlaskClient, clock: Clock
) -> None:
    clock.now = DECEMBER
    do_login(client, "rsj")
    assert _selector(client.get("/bureau/").get_data(as_text=True)) == []  # one year: none
    _open_2025(client)
    for user, home in (("rsj", "/bureau/"), ("zjj", "/office/"), ("dlut", "/unit/")):
        do_login(client, user)
        page = client.get(home).get_data(as_text=True)
        assert _footer_year(page) == "2024" and _selector(page) == ["2024", "2025"], user
        page = _choose(client, "2025", home)
        assert _footer_year(page) == "2025" and 'id="next-year-notice"' in page, user
    do_login(client, "zjj")
    page = _choose(client, "2025", "/office/")
    assert "2025年度评审例会" in page and 'href="/office/meetings/2025-S01"' in page
    page = _choose(client, "2024", "/office/")
    assert "2024年度评审例会" in page and 'id="next-year-notice"' not in page
    # a year that is not offered is refused with a message and changes nothing
    for bad in ("2023", "2026", "abc", ""):
        token = csrf_token(client, "/office/")
        resp = client.post("/year", data={"csrf_token": token, "year": bad}, follow_redirects=True)
        text = resp.get_data(as_text=True)
        assert "年度选择无效：只能选择2024年度、2025年度" in text and _footer_year(text) == "2024"
    # from 1 January the opened year is today's year: no selector, every screen on 2025
    clock.now = datetime(2025, 1, 2, 9, 0)
    page = client.get("/office/").get_data(as_text=True)
    assert _selector(page) == [] and "2025年度评审例会" in page


def test_units_nominate_for_the_opened_next_year(
    demo_db: Engine, client: FlaskClient, clock: Clock
) -> None:
    clock.now = DECEMBER
    do_login(client, "rsj")
    _open_2025(client)
    do_login(client, "dlut")
    page = client.get("/unit/new").get_data(as_text=True)
    assert 'id="nomination-form"' not in page  # 2024's nominations closed on 31 July
    _choose(client, "2025", "/unit/")
    csrf, token = new_form(client)
    resp = client.post("/unit/new", data=nomination_form(demo_db, csrf_token=csrf, token=token))
    assert resp.status_code == 302
    with session_scope(make_session_factory(demo_db)) as s:
        made = s.scalars(select(Nomination).where(Nomination.name == "曾国明")).all()
        assert [n.year for n in made] == [2025]


def test_year_settings_edit_the_selected_year_and_the_frozen_one_needs_a_reason(
    demo_db: Engine, client: FlaskClient, clock: Clock
) -> None:
    clock.now = DECEMBER
    do_login(client, "rsj")
    _open_2025(client)
    page = client.get("/bureau/settings").get_data(as_text=True)
    assert "2024年度设置" in page and 'id="frozen-note"' in page
    token = csrf_token(client, "/bureau/settings")
    reopen = {"csrf_token": token, "deadline_date": "2024-12-31", "deadline_time": "23:59"}
    text = client.post("/bureau/settings", data=reopen).get_data(as_text=True)
    assert "2024年度的推荐截止时间只能在填写原因后修改" in text
    with session_scope(make_session_factory(demo_db)) as s:
        assert noms.nomination_deadline(s, 2024) == datetime(2024, 7, 31, 23, 59, 59)
    reason = "个别单位因系统故障未能按时报送"
    resp = client.post("/bureau/settings", data=reopen | {"reason": reason})
    assert resp.status_code == 302
    with session_scope(make_session_factory(demo_db)) as s:
        assert noms.nomination_deadline(s, 2024) == datetime(2024, 12, 31, 23, 59, 59)
        event = s.scalars(
            select(AuditEvent)
            .where(AuditEvent.target == "2024年推荐截止时间")
            .order_by(AuditEvent.id)
        ).all()[-1]
        assert event.detail["reason"] == reason
    # the selected next year is edited without a reason
    page = _choose(client, "2025", "/bureau/settings")
    assert "2025年度设置" in page and 'id="frozen-note"' not in page
    token = csrf_token(client, "/bureau/settings")
    form = {"csrf_token": token, "deadline_date": "2025-07-20", "deadline_time": "23:59"}
    assert client.post("/bureau/settings", data=form).status_code == 302
    with session_scope(make_session_factory(demo_db)) as s:
        assert noms.nomination_deadline(s, 2025) == datetime(2025, 7, 20, 23, 59, 59)
        assert noms.nomination_deadline(s, 2024) == datetime(2024, 12, 31, 23, 59, 59)

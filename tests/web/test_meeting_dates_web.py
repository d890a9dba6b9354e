"""Dates on the web, against the app's fixed clock: the meeting and panel pages say where the
meeting stands; a draw for a meeting that has ended is refused without a reason (nothing
drawn) and carries the reason to the panel page, print and xlsx; the bureau's expert record
keeps an upcoming meeting's seat confidential and claims no attendance after it."""

from __future__ import annotations

import io
import re
from datetime import datetime

from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select

from expertpool.db import make_session_factory, session_scope
from expertpool.models import DrawSession, Panel
from tests.builders import S01, small_rules
from tests.fixtures.web import Clock, csrf_token, do_login, draw_via_web, supervise

REASON = "补录2024年例会评委名单"


def _sessions(db: Engine) -> int:
    with session_scope(make_session_factory(db)) as s:
        return int(s.scalar(select(func.count()).select_from(DrawSession)) or 0)


def test_meeting_page_says_where_the_meeting_stands(
    client: FlaskClient, demo_db: Engine, clock: Clock
) -> None:
    do_login(client, "zjj")
    clock.now = datetime(2024, 10, 9, 9, 0)
    page = client.get(f"/office/meetings/{S01}").get_data(as_text=True)
    assert "距例会开始还有12天（2024年10月21日）" in page
    assert 'name="past_reason"' not in page and 'id="soon-notice"' in page
    clock.now = datetime(2024, 10, 25, 9, 0)
    assert "例会进行中" in client.get(f"/office/meetings/{S01}").get_data(as_text=True)
    clock.now = datetime(2026, 12, 1, 9, 0)
    page = client.get(f"/office/meetings/{S01}").get_data(as_text=True)
    assert "例会已于2024年10月31日结束" in page and 'name="past_reason"' in page
    assert "确定仍要为其抽取评委吗" in page


def test_a_past_draw_without_a_reason_is_refused_and_nothing_is_drawn(
    client: FlaskClient, demo_db: Engine, clock: Clock
) -> None:
    small_rules(demo_db, S01)
    clock.now = datetime(2026, 12, 1, 9, 0)
    do_login(client, "zjj")
    before = _sessions(demo_db)
    token = csrf_token(client, f"/office/meetings/{S01}")
    for bad in ("", "   ", "长" * 201):
        resp = client.post(
            f"/office/meetings/{S01}/draw",
            data={"csrf_token": token, "past_reason": bad},
            follow_redirects=True,
        )
        text = resp.get_data(as_text=True)
        assert resp.status_code == 200 and "未能抽取" in text
        assert "请确认仍要抽取并填写原因" in text or "不能超过200个字符" in text
    assert _sessions(demo_db) == before


def test_a_past_draw_with_its_reason_shows_it_on_the_panel_print_and_xlsx(
    client: FlaskClient, demo_db: Engine, clock: Clock
) -> None:
    small_rules(demo_db, S01)
    clock.now = datetime(2026, 12, 1, 9, 0)
    do_login(client, "zjj")
    panel_id = draw_via_web(client, past_reason=REASON)
    page = client.get(f"/office/panels/{panel_id}").get_data(as_text=True)
    assert REASON in page and "为已结束的例会抽取的原因" in page
    assert "例会已于2024年10月31日结束" in page and "保密期已过" in page
    with session_scope(make_session_factory(demo_db)) as s:
        panel = s.get(Panel, panel_id)
        assert panel is not None and panel.past_reason == REASON
        assert panel.drawn_at == datetime(2026, 12, 1, 1, 0)  # the app's clock, in UTC
    token = csrf_token(client, f"/office/panels/{panel_id}")
    client.post(f"/office/panels/{panel_id}/seal", data={"csrf_token": token})
    assert REASON in client.get(f"/office/panels/{panel_id}/print").get_data(as_text=True)
    wb = load_workbook(io.BytesIO(client.get(f"/office/panels/{panel_id}/export.xlsx").data))
    info = {r[0]: r[1] for r in wb["抽取信息"].iter_rows(values_only=True)}
    assert info["为已结束的例会抽取的原因"] == REASON
    do_login(client, "jianguan")
    assert REASON in client.get(f"/regulator/panels/{panel_id}").get_data(as_text=True)


def test_an_upcoming_draw_asks_nothing_and_records_no_reason(
    client: FlaskClient, demo_db: Engine, clock: Clock
) -> None:
    small_rules(demo_db, S01)
    clock.now = datetime(2024, 10, 1, 9, 0)
    do_login(client, "zjj")
    panel_id = draw_via_web(client, past_reason="不需要")
    page = client.get(f"/office/panels/{panel_id}").get_data(as_text=True)
    assert "为已结束的例会抽取的原因" not in page and "距例会开始还有20天" in page
    assert "例会结束（2024年10月31日）前" in page


def _expert_page(client: FlaskClient, expert_id: int) -> str:
    do_login(client, "rsj")
    return client.get(f"/bureau/experts/{expert_id}").get_data(as_text=True)


def _service_rows(page: str) -> list[str]:
    table = page.split("<h2>任职记录</h2>")[1].split("</table>")[0]
    return re.findall(r"<tr><td>2024</td><td>[^<]*</td><td>([^<]*)</td>", table)


def test_bureau_sees_no_seat_before_the_end_and_no_invented_attendance_after(
    client: FlaskClient, demo_db: Engine, clock: Clock
) -> None:
    small_rules(demo_db, S01)
    clock.now = datetime(2024, 10, 1, 9, 0)
    do_login(client, "zjj")
    panel_id = draw_via_web(client)
    token = csrf_token(client, f"/office/panels/{panel_id}")
    client.post(f"/office/panels/{panel_id}/seal", data={"csrf_token": token})
    with session_scope(make_session_factory(demo_db)) as s:
        panel = s.get(Panel, panel_id)
        assert panel is not None and panel.status == "sealed"
        expert_id = next(x.expert_id for x in panel.seats if x.role == "member")
    for day in (datetime(2024, 10, 1, 9, 0), datetime(2024, 10, 31, 20, 0)):
        clock.now = day
        page = _expert_page(client, expert_id)
        assert S01 not in page and _service_rows(page) == []
    # Units see nothing of panels or expert records.
    do_login(client, "dlut")
    assert client.get(f"/bureau/experts/{expert_id}").status_code in (403, 404)
    assert client.get(f"/office/panels/{panel_id}").status_code in (403, 404)
    clock.now = datetime(2024, 11, 1, 9, 0)
    page = _expert_page(client, expert_id)
    assert S01 in page and _service_rows(page) == ["待例会记录"]


def test_a_season_run_with_ended_meetings_needs_a_reason(
    client: FlaskClient, demo_db: Engine, clock: Clock
) -> None:
    clock.now = datetime(2024, 11, 25, 9, 0)
    do_login(client, "rsj")
    page = client.get("/season/").get_data(as_text=True)
    assert 'id="past-meetings"' in page and 'name="past_reason"' in page
    before = _sessions(demo_db)
    token = csrf_token(client, "/season/")
    resp = client.post(
        "/season/draw", data={"csrf_token": token, "max_panels": "2"}, follow_redirects=True
    )
    assert "请确认仍要抽取并填写原因" in resp.get_data(as_text=True)
    assert _sessions(demo_db) == before
    resp = client.post(
        "/season/draw", data={"csrf_token": token, "max_panels": "2", "past_reason": REASON}
    )
    assert resp.status_code == 302 and _sessions(demo_db) == before + 1
    supervise(client, resp.headers["Location"], "rsj")
    with session_scope(make_session_factory(demo_db)) as s:
        ds = s.scalars(select(DrawSession).order_by(DrawSession.id.desc())).first()
        assert ds is not None and ds.past_reason == REASON and ds.state == "drawn"
        run_id = ds.run_id
    page = client.get(f"/season/runs/{run_id}").get_data(as_text=True)
    assert 'id="season-past"' in page and REASON in page

"""市人社局 screens for the meeting record: the dashboard's 备案 column, the committees'
评聘 mode and the working calendar of a year the bundled calendar does not cover."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from flask.testing import FlaskClient
from sqlalchemy import Engine

from expertpool.db import make_session_factory, session_scope
from expertpool.services import meeting_record as mr
from expertpool.services.packages import find_meeting
from tests.builders import S01
from tests.fixtures.web import Clock, do_login


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
    assert _filing_cells(html, S01) == ("未举行", deadline.day.isoformat())
    state, text = _filing_cells(html, "2024-S02")
    assert text.startswith("待定（2027年的法定节假日和调休安排尚未录入")
    # past the deadline with nothing recorded: 逾期
    clock.now = datetime.combine(deadline.day + timedelta(days=1), time(10))
    html = client.get("/bureau/dashboard").get_data(as_text=True)
    assert _filing_cells(html, S01)[0] == "逾期"

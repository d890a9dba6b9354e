"""The meeting-day record against the app's clock (issue 18, items 5-7): it opens only on or
after the meeting's first day; the bureau sees no panel on it before the meeting ends; the end
date of a closed record lies within the window and not after today; attendance changed after
the votes marks the affected tallies 待更正 instead of failing everyone."""

from __future__ import annotations

import re
from datetime import datetime

from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select

from expertpool.db import make_session_factory, session_scope
from expertpool.models import MeetingDay
from expertpool.services import meeting_record as mr
from expertpool.services import panels as svc
from expertpool.services.packages import find_meeting
from tests.builders import S01, ZJJ
from tests.fixtures.web import Clock, csrf_token, do_login
from tests.web.test_meetingday import seal

BASE = f"/meetingday/{S01}"


def _days(db: Engine) -> int:
    with session_scope(make_session_factory(db)) as s:
        return int(s.scalar(select(func.count()).select_from(MeetingDay)) or 0)


def _members(db: Engine) -> list[tuple[str, str, str]]:
    """(code, name, unit) of the seated members."""
    with session_scope(make_session_factory(db)) as s:
        day = mr.day_of(s, find_meeting(s, S01))
        assert day is not None
        return [(x.expert.code, x.expert.name, x.expert.unit.name) for x in mr.seated(s, day)]


def _version(page: str) -> str:
    return page.split('name="version" value="')[1].split('"')[0]


def _all_present(client: FlaskClient, token: str, db: Engine) -> None:
    form = {"csrf_token": token, "version": _version(client.get(BASE).get_data(as_text=True))}
    form |= {f"att_{c}": "present" for c, _, _ in _members(db)}
    assert client.post(f"{BASE}/attendance", data=form).status_code == 302


def _vote_all(client: FlaskClient, token: str, db: Engine, *, passing: bool) -> None:
    with session_scope(make_session_factory(db)) as s:
        meeting = find_meeting(s, S01)
        day = mr.day_of(s, meeting)
        assert day is not None
        voters = {a.code: mr.voters(day, a) for a in meeting.applicants}
    form = {"csrf_token": token, "version": _version(client.get(BASE).get_data(as_text=True))}
    for code, n in voters.items():
        yes = n if passing else 0
        form |= {f"yes_{code}": str(yes), f"no_{code}": str(n - yes), f"abstain_{code}": "0"}
    resp = client.post(f"{BASE}/votes", data=form)
    assert resp.status_code == 302, resp.get_data(as_text=True).split('role="alert">')[1][:300]


def _results(page: str) -> list[str]:
    cells = re.findall(r'<td class="vote-result">(.*?)</td>', page)
    return [re.sub(r"<[^>]+>", "", c) for c in cells]


def test_the_record_opens_only_on_or_after_the_first_day(
    client: FlaskClient, demo_db: Engine, clock: Clock
) -> None:
    seal(demo_db)
    do_login(client, "zjj")
    for early in (datetime(2024, 10, 8, 9, 0), datetime(2024, 10, 20, 23, 59)):
        clock.now = early  # 13 days ahead, and the evening before
        page = client.get(BASE).get_data(as_text=True)
        assert 'id="not-started"' in page and "2024年10月21日" in page
        token = csrf_token(client, BASE)
        resp = client.post(f"{BASE}/open", data={"csrf_token": token}, follow_redirects=True)
        text = resp.get_data(as_text=True)
        assert "未能开始登记：例会尚未开始（2024年10月21日开始）" in text
        assert _days(demo_db) == 0
    # the office's 登记缺席 on the panel page goes through the same record
    with session_scope(make_session_factory(demo_db)) as s:
        panel = svc.current_panel(s, find_meeting(s, S01))
        assert panel is not None
        panel_id = panel.id
        member = next(x.expert.code for x in panel.seats if x.role == "member")
    token = csrf_token(client, f"/office/panels/{panel_id}")
    resp = client.post(
        f"/office/panels/{panel_id}/no-show",
        data={"csrf_token": token, "expert": member, "reason": "因病"},
        follow_redirects=True,
    )
    assert "未能登记缺席：例会尚未开始" in resp.get_data(as_text=True)
    assert _days(demo_db) == 0
    clock.now = datetime(2024, 10, 21, 8, 0)
    token = csrf_token(client, BASE)
    assert client.post(f"{BASE}/open", data={"csrf_token": token}).status_code == 302
    assert _days(demo_db) == 1


def test_the_bureau_sees_no_panel_on_the_record_before_the_meeting_ends(
    client: FlaskClient, demo_db: Engine, clock: Clock
) -> None:
    seal(demo_db)
    clock.now = datetime(2024, 10, 21, 9, 0)
    do_login(client, "zjj")
    token = csrf_token(client, BASE)
    client.post(f"{BASE}/open", data={"csrf_token": token})
    _all_present(client, token, demo_db)
    _vote_all(client, token, demo_db, passing=False)
    members = _members(demo_db)
    form = {"csrf_token": token, "version": _version(client.get(BASE).get_data(as_text=True))}
    resp = client.post(f"{BASE}/close", data=form | {"ended_on": "2024-10-21"})
    assert resp.status_code == 302
    # the last day of the meeting: still confidential for the bureau
    do_login(client, "rsj")
    resp = client.get(BASE)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'id="confidential-notice"' in page
    for code, name, unit in members:
        assert code not in page and name not in page and unit not in page
    for export in ("record.json", "results.xlsx", "summary"):
        resp = client.get(f"{BASE}/{export}")
        assert resp.status_code == 302, export
        assert "例会结束前评委名单保密" in client.get(BASE).get_data(as_text=True)
    # the office and the regulator see it
    do_login(client, "jianguan")
    assert members[0][1] in client.get(BASE).get_data(as_text=True)
    # the day after the meeting ended: the bureau sees the record
    clock.now = datetime(2024, 10, 22, 9, 0)
    do_login(client, "rsj")
    page = client.get(BASE).get_data(as_text=True)
    assert 'id="confidential-notice"' not in page and members[0][1] in page
    assert client.get(f"{BASE}/record.json").status_code == 200


def _ready_to_close(client: FlaskClient, demo_db: Engine, clock: Clock) -> str:
    seal(demo_db)
    clock.now = datetime(2024, 10, 22, 9, 0)
    do_login(client, "zjj")
    token = csrf_token(client, BASE)
    client.post(f"{BASE}/open", data={"csrf_token": token})
    _all_present(client, token, demo_db)
    _vote_all(client, token, demo_db, passing=False)
    return token


def test_a_closed_record_ends_within_the_window_and_not_after_today(
    client: FlaskClient, demo_db: Engine, clock: Clock
) -> None:
    token = _ready_to_close(client, demo_db, clock)
    bad = {
        "2027-03-01": "例会结束日期应在例会时间（2024年10月21日至2024年10月31日）之内",
        "2024-10-20": "例会结束日期应在例会时间（2024年10月21日至2024年10月31日）之内",
        "2024-11-01": "例会结束日期应在例会时间（2024年10月21日至2024年10月31日）之内",
        "2024-10-23": "例会结束日期不能晚于今天（2024年10月22日）",
    }
    for ended_on, message in bad.items():
        version = _version(client.get(BASE).get_data(as_text=True))
        resp = client.post(
            f"{BASE}/close", data={"csrf_token": token, "version": version, "ended_on": ended_on}
        )
        text = resp.get_data(as_text=True)
        assert resp.status_code == 200 and message in text, ended_on
        with session_scope(make_session_factory(demo_db)) as s:
            meeting = find_meeting(s, S01)
            day = mr.day_of(s, meeting)
            assert day is not None and day.state == "open" and day.ended_on is None
            assert mr.filing(s, meeting, clock.now.date()).state == "已举行"
    version = _version(client.get(BASE).get_data(as_text=True))
    resp = client.post(
        f"{BASE}/close", data={"csrf_token": token, "version": version, "ended_on": "2024-10-22"}
    )
    assert resp.status_code == 302
    with session_scope(make_session_factory(demo_db)) as s:
        day = mr.day_of(s, find_meeting(s, S01))
        assert day is not None and day.state == "closed" and str(day.ended_on) == "2024-10-22"


def test_attendance_changed_after_the_votes_marks_tallies_to_correct(
    client: FlaskClient, demo_db: Engine, clock: Clock
) -> None:
    seal(demo_db)
    clock.now = datetime(2024, 10, 22, 9, 0)
    do_login(client, "zjj")
    token = csrf_token(client, BASE)
    client.post(f"{BASE}/open", data={"csrf_token": token})
    _all_present(client, token, demo_db)
    _vote_all(client, token, demo_db, passing=True)
    page = client.get(BASE).get_data(as_text=True)
    before = _results(page)
    assert before and set(before) == {"通过"}
    # one member turns out to have been absent: a correction after the votes
    code = _members(demo_db)[0][0]
    form = {
        "csrf_token": token,
        "version": _version(page),
        f"att_{code}": "absent",
        f"reason_{code}": "因病",
        "correction": "签到表核对有误",
    }
    resp = client.post(f"{BASE}/attendance", data=form, follow_redirects=True)
    text = resp.get_data(as_text=True)
    assert "已保存签到" in text and "已标记为“待更正”" in text
    results = _results(text)
    assert "未通过" not in results and "待更正" in results
    with session_scope(make_session_factory(demo_db)) as s:
        meeting = find_meeting(s, S01)
        day = mr.day_of(s, meeting)
        assert day is not None
        pending = mr.inconsistent(day)
        stats = mr.stats(s, day)
        assert pending and stats.pending == len(pending)
        assert stats.counted.voted == len(meeting.applicants) - len(pending)
        assert stats.counted.passed == stats.counted.voted  # nobody silently failed
    page = client.get(BASE).get_data(as_text=True)
    assert 'id="pending-notice"' in page and 'id="stats-pending"' in page
    # closing is refused until corrected; correcting the tallies clears the mark
    resp = client.post(
        f"{BASE}/close",
        data={"csrf_token": token, "version": _version(page), "ended_on": "2024-10-22"},
    )
    assert "票数之和与表决评委人数不符" in resp.get_data(as_text=True)
    with session_scope(make_session_factory(demo_db)) as s:
        meeting = find_meeting(s, S01)
        day = mr.day_of(s, meeting)
        assert day is not None
        rows = {t.applicant.code: mr.Counts(t.voters, 0, 0) for t in mr.inconsistent(day)}
        mr.save_votes(s, meeting, rows, ZJJ, version=None, correction="出席更正后重新计票")
    page = client.get(BASE).get_data(as_text=True)
    assert set(_results(page)) == {"通过"} and 'id="pending-notice"' not in page

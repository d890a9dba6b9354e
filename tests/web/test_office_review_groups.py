"""The office rule form: the 评议组 rule's k and the review groups' specialties are shown,
saved, and a bad line refused with one message naming it, the text kept on the form."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import Engine, select

from expertpool.db import make_session_factory, session_scope
from expertpool.models import Meeting
from expertpool.services import meeting_settings as settings_svc
from expertpool.services.packages import effective_rules
from tests.fixtures.web import csrf_token, do_login

S01 = "2024-S01"
URL = f"/office/meetings/{S01}/rules"


def _form(db: Engine, token: str, **changes: str) -> dict[str, str]:
    with session_scope(make_session_factory(db)) as s:
        meeting = s.scalar(select(Meeting).where(Meeting.code == S01))
        values = settings_svc.form_values(effective_rules(meeting), meeting.committee.specialties)
    return dict(values, csrf_token=token, **changes)


def _meeting_facts(db: Engine) -> tuple[dict[str, object], list[str]]:
    with session_scope(make_session_factory(db)) as s:
        m = s.scalar(select(Meeting).where(Meeting.code == S01))
        return dict(m.settings), list(m.committee.specialties)


def test_groups_and_k_shown_saved_and_refused(client: FlaskClient, demo_db: Engine) -> None:
    do_login(client, "zjj")
    page = client.get(URL).get_data(as_text=True)
    row = re.search(r'<tr id="rule-min_group_members".*?</tr>', page, re.S)
    assert row is not None and 'name="min_group_members"' in row[0] and "不限" in row[0]
    visible = re.sub(r"<[^>]+>", "", row[0])  # no raw rule id in the text the office reads
    assert "每个评议组的本组专业评委人数" in visible and "min_group_members" not in visible
    assert '<textarea id="groups" name="groups"' in page

    _settings, specs = _meeting_facts(demo_db)
    token = csrf_token(client, URL)
    bad = client.post(URL, data=_form(demo_db, token, groups=f"结构组：{specs[0]}\n乱写一行"))
    assert bad.status_code == 200
    text = bad.get_data(as_text=True)
    banner = re.search(r'role="alert">(.*?)</div>', text, re.S)
    assert banner is not None and "评议组第2行应写成“组名：专业、专业”" in banner[1]
    assert "乱写一行</textarea>" in text  # the form keeps what was typed
    assert _meeting_facts(demo_db)[0] == _settings

    ok = client.post(
        URL, data=_form(demo_db, token, min_group_members="2", groups=f"结构组：{specs[0]}")
    )
    assert ok.status_code == 302
    saved, _ = _meeting_facts(demo_db)
    assert saved["min_group_members"] == 2 and saved["groups"] == {"结构组": [specs[0]]}
    again = client.get(URL).get_data(as_text=True)
    assert f"结构组：{specs[0]}</textarea>" in again

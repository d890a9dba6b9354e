"""The office rule form shows the age rules with their clause and default, saves them, and
refuses bad input with one message naming the field."""

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


def _settings(db: Engine) -> dict[str, object]:
    with session_scope(make_session_factory(db)) as s:
        return dict(s.scalar(select(Meeting).where(Meeting.code == S01)).settings)


def test_rules_page_shows_every_rule_and_the_age_rules(
    client: FlaskClient, demo_db: Engine
) -> None:
    do_login(client, "zjj")
    page = client.get(URL).get_data(as_text=True)
    for label in settings_svc.RULE_LABELS.values():
        assert label in page
    row = re.search(r'<tr id="rule-max_age".*?</tr>', page, re.S)
    assert row is not None
    assert 'name="max_age"' in row[0] and 'min="30"' in row[0] and 'max="100"' in row[0]
    assert "不限" in row[0] and "未找到辽宁省" in row[0] and "周岁" in row[0]
    row = re.search(r'<tr id="rule-min_share_under_age".*?</tr>', page, re.S)
    assert row is not None
    assert 'name="min_share_under_age_age"' in row[0]
    assert 'name="min_share_under_age_share"' in row[0]
    assert "不限" in row[0] and "仅对该省核实" in row[0]


def test_age_rules_saved_and_bad_input_refused(client: FlaskClient, demo_db: Engine) -> None:
    do_login(client, "zjj")
    token = csrf_token(client, URL)
    bad = client.post(URL, data=_form(demo_db, token, max_age="101"))
    assert bad.status_code == 200
    text = bad.get_data(as_text=True)
    banner = re.search(r'role="alert">(.*?)</div>', text, re.S)
    assert banner is not None and "未保存" in banner[1]
    # Named at the top (the field may be a screen down) and again beside the field.
    assert "专家年龄上限应在30到100之间" in banner[1]
    row = re.search(r'<tr id="rule-max_age".*?</tr>', text, re.S)
    assert row is not None and "专家年龄上限应在30到100之间" in row[0]
    assert _settings(demo_db) == {}
    bad = client.post(
        URL,
        data=_form(demo_db, token, min_share_under_age_age="55", min_share_under_age_share="2/0"),
    )
    text = bad.get_data(as_text=True)
    assert "中青年评委比例的比例应为0到1之间的分数" in text
    assert 'value="55"' in text  # what was typed is shown back
    assert _settings(demo_db) == {}

    good = _form(
        demo_db,
        token,
        max_age="65",
        min_share_under_age_age="55",
        min_share_under_age_share="1/2",
    )
    assert client.post(URL, data=good).status_code == 302
    assert _settings(demo_db) == {
        "max_age": 65,
        "min_share_under_age": {"age": 55, "share": "1/2"},
    }
    page = client.get(URL).get_data(as_text=True)
    row = re.search(r'<tr id="rule-max_age".*?</tr>', page, re.S)
    assert row is not None and 'value="65"' in row[0] and "已修改" in row[0]

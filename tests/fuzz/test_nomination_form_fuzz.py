"""The nomination form under random input, through the Flask test client: never a 500,
always a page with a Chinese message, nothing stored when the input is invalid, and what
is stored (when the mutations happened to leave it valid) passes the validators again."""

from __future__ import annotations

import itertools
import re

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from expertpool.db import make_session_factory, session_scope
from expertpool.models import Nomination
from expertpool.services.nominations import year_committees
from expertpool.validators import (
    make_id_card,
    validate_email,
    validate_id_card,
    validate_name,
    validate_phone,
)
from tests.builders import nomination_count
from tests.fixtures.web import Clock, do_login, extract_csrf

FIELDS = [
    "name",
    "gender",
    "id_card",
    "rank",
    "title_name",
    "series",
    "phone",
    "email",
    "committee_ids",
    "specialties",
    "recommendation",
    "pledge_personal",
    "pledge_unit",
    "token",
    "csrf_token",
]
NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x07\x1b[31m",
    "\r\n",
    "\u202e反转",
    "\ufeff",
    "𠀀𪚥",
    "' OR '1'='1",
    "'; DROP TABLE nominations; --",
    "1; SELECT pg_sleep(5)",
    '"><script>alert(1)</script>',
    "<img src=x onerror=alert(1)>",
    "{{ 7*7 }}",
    "%s%n%x",
    "../../etc/passwd",
    "null",
    "0",
    "-1",
    "9" * 5000,
    "١٢",
    "男",
    "女",
    "正高级",
    "中级",
    "工程",
    "是",
    "y",
]
TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(NASTY),
    st.builds(
        lambda ch, n: ch * n, st.sampled_from(["字", "a", "\x00", " "]), st.integers(0, 3000)
    ),
    st.builds(lambda n: "长" * n, st.sampled_from([499, 500, 501, 60_000])),
)
# For each field: keep it, drop it, replace it, or send it several times.
ACTION = st.one_of(
    st.just(("keep", None)),
    st.just(("drop", None)),
    st.tuples(st.just("set"), TEXT),
    st.tuples(st.just("many"), st.lists(TEXT, min_size=2, max_size=4)),
)
MUTATIONS = st.dictionaries(st.sampled_from(FIELDS), ACTION, min_size=1, max_size=5)
HAN = re.compile(r"[\u4e00-\u9fff]")
FLASH_ERROR = re.compile(r'<div class="flash flash-error" role="alert">([^<]+)</div>')
FUZZ = settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


def nominations(db: Engine) -> list[Nomination]:
    with session_scope(make_session_factory(db)) as s:
        return list(s.scalars(select(Nomination).order_by(Nomination.id)))


@FUZZ
@given(MUTATIONS)
def test_nomination_form_never_500(
    client: FlaskClient, accounts: dict, db: Engine, clock: Clock, mutations: dict
) -> None:
    if not hasattr(client, "fuzz_state"):  # once per test: log in, note a committee
        do_login(client, "unit_a")
        with session_scope(make_session_factory(db)) as s:
            c = year_committees(s, 2024)[0]
            client.fuzz_state = (str(c.id), c.specialties[0], itertools.count(1))  # type: ignore[attr-defined]
    cid, spec, serial = client.fuzz_state  # type: ignore[attr-defined]
    html = client.get("/unit/new").get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html)
    assert token
    n = next(serial)
    data: dict[str, object] = {
        "name": "曾国明",
        "gender": "男",
        "id_card": make_id_card(f"2102041970{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"),
        "rank": "正高级",
        "title_name": "正高级工程师",
        "series": "工程",
        "phone": "13912345678",
        "email": "zeng@example.cn",
        "committee_ids": [cid],
        "specialties": [spec],
        "recommendation": "同意推荐。",
        "pledge_personal": "y",
        "pledge_unit": "y",
        "token": token.group(1),
        "csrf_token": extract_csrf(html),
    }
    if data["id_card"][16] in "02468":  # type: ignore[index]
        data["gender"] = "女"
    for key, (action, value) in mutations.items():
        if action == "drop":
            data.pop(key, None)
        elif action in ("set", "many"):
            data[key] = value
    before = nomination_count(db)
    resp = client.post("/unit/new", data=data)
    after = nomination_count(db)
    assert resp.status_code in (200, 302, 400, 413), resp.status_code
    page = resp.get_data(as_text=True)
    if resp.status_code == 302:
        assert after - before <= 1
        assert re.match(r"^/unit/nominations/\d+$", resp.headers["Location"])
        if after == before + 1:
            stored = nominations(db)[-1]
            # what was stored is clean: it passes the validators again, unchanged
            assert validate_name(stored.name) == stored.name
            assert validate_id_card(stored.id_card, today=clock.now.date()) == stored.id_card
            assert validate_phone(stored.phone) == stored.phone
            assert validate_email(stored.email) == stored.email
            for text in (stored.title_name, stored.recommendation):
                assert "\x00" not in text and len(text) <= 500
        return
    assert after == before, "invalid input must store nothing"
    if resp.status_code == 200:
        messages = FLASH_ERROR.findall(page)
        assert len(messages) == 1 and HAN.search(messages[0]), page[:3000]
    else:  # 400 (CSRF) or 413 (too large): the Chinese error page
        assert "<h1>" in page and HAN.search(page), page[:3000]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [  # stored as-is on SQLite and a 500 on PostgreSQL before control characters were refused
        ("recommendation", "同意\x00推荐", "控制字符"),
        ("title_name", "教授\x1b", "控制字符"),
        ("token", "abc\x00def", "表单令牌无效"),
        ("token", "x" * 65, "表单令牌无效"),
    ],
)
def test_control_characters_refused(
    client: FlaskClient, accounts: dict, db: Engine, field: str, value: str, message: str
) -> None:
    do_login(client, "unit_a")
    html = client.get("/unit/new").get_data(as_text=True)
    with session_scope(make_session_factory(db)) as s:
        c = year_committees(s, 2024)[0]
        cid, spec = str(c.id), c.specialties[0]
    data = {
        "csrf_token": extract_csrf(html),
        "token": "fresh-token-1",
        "name": "曾国明",
        "gender": "男",
        "id_card": make_id_card("21020419800101123"),
        "rank": "正高级",
        "title_name": "教授",
        "series": "工程",
        "phone": "13912345678",
        "email": "zeng@example.cn",
        "committee_ids": [cid],
        "specialties": [spec],
        "recommendation": "同意推荐。",
        "pledge_personal": "y",
        "pledge_unit": "y",
        field: value,
    }
    resp = client.post("/unit/new", data=data)
    page = resp.get_data(as_text=True)
    # Field validation answers next to the field; a control character is refused for every
    # form before any view runs (web/security.py), with a 400 page that names the field.
    if resp.status_code == 400:
        assert "控制字符" in page and f"“{field}”" in page
    else:
        assert resp.status_code == 200 and message in page
    assert nomination_count(db) == 0

"""Double clicks: two identical nomination POSTs in flight at once (same idempotency token)
create one nomination, and both answers lead to it — never an error page for the second."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from bench.load_harness import TOKEN_RE, Browser, Response, Server, csrf_of, write_secret_key
from expertpool.db import make_session_factory, session_scope
from expertpool.models import Nomination, User, YearSetting
from expertpool.services import nominations as noms
from expertpool.services.nominations import Actor, NominationInput, shanghai_now, year_committees
from expertpool.services.nominations import unit as noms_unit
from expertpool.validators import make_id_card
from tests.fixtures.web import PASSWORD

PAIRS = 8


def form(db: Engine, n: int) -> dict[str, str | list[str]]:
    with session_scope(make_session_factory(db)) as s:
        c = year_committees(s, 2024)[0]
        cid, spec = str(c.id), c.specialties[0]
    card = make_id_card(f"2102041966{1 + n:02d}01{n:03d}")
    return {
        "name": "韩立新",
        "gender": "男" if int(card[16]) % 2 else "女",
        "id_card": card,
        "rank": "正高级",
        "title_name": "教授",
        "series": "工程",
        "phone": "13900000000",
        "email": f"han{n}@example.cn",
        "committee_ids": [cid],
        "specialties": [spec],
        "recommendation": "同意推荐。",
        "pledge_personal": "y",
        "pledge_unit": "y",
    }


@pytest.fixture
def server(db: Engine, accounts: dict, tmp_path: Path) -> Iterator[Server]:
    with session_scope(make_session_factory(db)) as s:
        setting = s.get(YearSetting, 2024)
        assert setting is not None
        setting.nomination_deadline = shanghai_now() + timedelta(days=1)
    write_secret_key(tmp_path)
    with Server(db.url.render_as_string(hide_password=False), tmp_path, workers=2) as srv:
        yield srv


def test_simultaneous_double_clicks_over_http(db: Engine, server: Server) -> None:
    browser = Browser([server.address])
    browser.login("unit_a", PASSWORD)
    answers: list[tuple[int, Response]] = []
    lock = threading.Lock()
    for n in range(PAIRS):
        page = browser.get("/unit/new")
        token = TOKEN_RE.search(page.text)
        assert token
        data = {**form(db, n), "csrf_token": csrf_of(page), "token": token.group(1)}
        barrier = threading.Barrier(2)

        def click(data: dict = data, n: int = n, barrier: threading.Barrier = barrier) -> None:
            twin = Browser([server.address], cookies=dict(browser.cookies))
            barrier.wait()
            resp = twin.post_form("/unit/new", data)
            with lock:
                answers.append((n, resp))

        threads = [threading.Thread(target=click) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    with session_scope(make_session_factory(db)) as s:
        assert s.scalar(select(func.count()).select_from(Nomination)) == PAIRS
    by_pair: dict[int, set[str]] = {}
    for n, resp in answers:
        assert resp.status == 302, resp.text[:2000]
        assert re.fullmatch(r"/unit/nominations/\d+", resp.location)
        by_pair.setdefault(n, set()).add(resp.location)
    assert all(len(locations) == 1 for locations in by_pair.values())


def test_twin_committed_between_token_check_and_duplicate_check(
    db: Engine, accounts: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The exact interleaving behind the error page the load test found: the twin request
    commits after this one looked the token up but before its duplicate check."""
    factory = make_session_factory(db)
    with session_scope(factory) as s:
        user = s.scalar(select(User).where(User.username == "unit_a"))
        assert user is not None
        actor = Actor("unit_a", "unit", user.unit_id)
        c = year_committees(s, 2024)[0]
        card = make_id_card("21020419660101001")
        data = NominationInput(
            name="韩立新",
            gender="男" if int(card[16]) % 2 else "女",
            id_card=card,
            rank="正高级",
            title_name="教授",
            series="工程",
            phone="13900000000",
            email="han@example.cn",
            committee_ids=[c.id],
            specialties=[c.specialties[0]],
            recommendation="同意推荐。",
            pledge_personal=True,
            pledge_unit=True,
        )
    now = datetime(2024, 7, 1, 10, 0, 0)
    with session_scope(factory) as s:
        first, created = noms.submit_nomination(s, actor, 2024, data, now=now, token="tok-A1")
        assert created
    # The token lookup misses, as when the twin request commits just after it.
    monkeypatch.setattr(noms_unit, "find_by_token", lambda session, token: None)
    with session_scope(factory) as s:
        again, created = noms.submit_nomination(s, actor, 2024, data, now=now, token="tok-A1")
        assert not created and again.id == first.id

"""Issue 18, item 12: one nomination approved twice at once (two bureau tabs, a double
click) gave a 500 (IntegrityError on experts.id_card). Approval is a conditional update:
one wins, the other gets one Chinese message and changes nothing. Threads released
together, on SQLite and (DATABASE_URL) PostgreSQL; also through the web."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from expertpool.db import make_session_factory, session_scope
from expertpool.models import AuditEvent, Expert, Nomination, PoolMembership, StatusChange
from expertpool.services import nominations as noms
from tests.builders import add_unit, card
from tests.fixtures.web import csrf_token, do_login
from tests.reliability.race import one_winner, race

NOW = datetime(2024, 7, 1, 10, 0, 0)
BUREAU = noms.Actor("rsj", "bureau")
TAKEN = "该推荐已由他人审核"
DONE = "不能审核"  # the plain message, when the winner had committed before this one looked


def _nominate(engine: Engine, n: int = 1, *, same_person: bool = False) -> list[int]:
    """`n` nominations (of `n` people, or of one person by `n` units)."""
    with session_scope(make_session_factory(engine)) as s:
        units = [add_unit(s, "大连竞态测试大学" + "甲乙丙"[u], f"9876543{u}") for u in range(n)]
        c = noms.year_committees(s, 2024)[0]
        ids = []
        for i in range(n):
            actor = noms.Actor("unit_a", "unit", units[i if same_person else 0].id)
            data = noms.NominationInput(
                name="曾国明" + ("" if same_person else "甲乙丙"[i]),
                gender="男",
                id_card=card(f"21020419800101{0 if same_person else i}13"),
                rank="正高级",
                title_name="正高级工程师",
                series="工程",
                phone="13912345678",
                email=f"zeng{i}@example.cn",
                committee_ids=[c.id],
                specialties=[c.specialties[0]],
                recommendation="业务能力突出，同意推荐。",
                pledge_personal=True,
                pledge_unit=True,
            )
            nomination, _ = noms.submit_nomination(s, actor, 2024, data, now=NOW)
            ids.append(nomination.id)
        return ids


def _counts(engine: Engine) -> dict[str, int]:
    with session_scope(make_session_factory(engine)) as s:
        return {
            model.__name__: int(s.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Expert, PoolMembership, StatusChange)
        } | {
            "reviews": int(
                s.scalar(
                    select(func.count())
                    .select_from(AuditEvent)
                    .where(AuditEvent.action == "nomination_review")
                )
                or 0
            )
        }


def _nothing(_s: Session, _i: int) -> None:
    return None


def test_one_nomination_approved_twice_at_once(db: Engine) -> None:
    (nid,) = _nominate(db)

    def approve(s: Session, _i: int, _p: object) -> None:
        noms.approve_nomination(s, BUREAU, nid, now=NOW)

    one_winner(race(db, _nothing, approve), TAKEN, DONE)
    assert _counts(db) == {"Expert": 1, "PoolMembership": 1, "StatusChange": 1, "reviews": 1}
    with session_scope(make_session_factory(db)) as s:
        n = s.get(Nomination, nid)
        assert n is not None and n.status == "已通过" and n.expert_id is not None


def test_a_batch_and_a_single_approval_at_once(db: Engine) -> None:
    ids = _nominate(db, 3)

    def approve(s: Session, i: int, _p: object) -> None:
        if i == 0:
            noms.approve_many(s, BUREAU, ids, now=NOW)
        else:
            noms.approve_nomination(s, BUREAU, ids[1], now=NOW)

    outcomes = race(db, _nothing, approve)
    one_winner(outcomes, TAKEN, DONE)
    with session_scope(make_session_factory(db)) as s:
        statuses = [s.get(Nomination, i).status for i in ids]  # type: ignore[union-attr]
    if outcomes[0].ok:  # the batch won: all three
        assert statuses == ["已通过"] * 3 and _counts(db)["Expert"] == 3
    else:  # the single one won: the batch changed nothing (all or nothing)
        assert "整批不作改动" in outcomes[0].message
        assert statuses == ["已提交", "已通过", "已提交"] and _counts(db)["Expert"] == 1


def test_two_people_approved_at_once_get_two_codes(db: Engine) -> None:
    ids = _nominate(db, 2)

    def approve(s: Session, i: int, _p: object) -> None:
        noms.approve_nomination(s, BUREAU, ids[i], now=NOW)

    outcomes = race(db, _nothing, approve)
    assert all(o.ok for o in outcomes), outcomes
    with session_scope(make_session_factory(db)) as s:
        assert sorted(s.scalars(select(Expert.code))) == ["E000001", "E000002"]


def test_one_person_nominated_by_two_units_approved_at_once(db: Engine) -> None:
    ids = _nominate(db, 2, same_person=True)

    def approve(s: Session, i: int, _p: object) -> None:
        noms.approve_nomination(s, BUREAU, ids[i], now=NOW)

    outcomes = race(db, _nothing, approve)
    # Either both pass (the second extends the first's expert) or the second says so.
    assert all(o.ok or "另一项审核通过进入专家库" in o.message for o in outcomes), outcomes
    assert any(o.ok for o in outcomes)
    assert _counts(db)["Expert"] == 1


def test_an_approval_and_a_rejection_at_once(db: Engine) -> None:
    (nid,) = _nominate(db)

    def decide(s: Session, i: int, _p: object) -> None:
        if i == 0:
            noms.approve_nomination(s, BUREAU, nid, now=NOW)
        else:
            noms.reject_nomination(s, BUREAU, nid, "不符合条件", now=NOW)

    outcomes = race(db, _nothing, decide)
    one_winner(outcomes, TAKEN, DONE)
    with session_scope(make_session_factory(db)) as s:
        n = s.get(Nomination, nid)
        assert n is not None
        assert n.status == ("已通过" if outcomes[0].ok else "已驳回")
    assert _counts(db)["Expert"] == (1 if outcomes[0].ok else 0)
    assert _counts(db)["reviews"] == 1


def test_two_bureau_tabs_approve_at_once_over_the_web(
    app: Flask, client: FlaskClient, db: Engine, accounts: dict
) -> None:
    import threading

    (nid,) = _nominate(db)
    tabs = [client, app.test_client()]
    tokens = []
    for c in tabs:
        do_login(c, "bureau1")
        tokens.append(csrf_token(c, f"/bureau/nominations/{nid}"))
    barrier = threading.Barrier(2, timeout=60)
    pages: list[tuple[int, str]] = []
    lock = threading.Lock()

    def click(c: FlaskClient, token: str) -> None:
        barrier.wait()
        resp = c.post(
            f"/bureau/nominations/{nid}/approve",
            data={"csrf_token": token},
            follow_redirects=True,
        )
        with lock:
            pages.append((resp.status_code, resp.get_data(as_text=True)))

    threads = [
        threading.Thread(target=click, args=(c, t)) for c, t in zip(tabs, tokens, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert [code for code, _ in pages] == [200, 200], [p[:300] for _, p in pages]
    assert sum("已进入专家库" in p for _, p in pages) == 1
    assert sum(TAKEN in p or DONE in p for _, p in pages) == 1
    assert _counts(db)["Expert"] == 1

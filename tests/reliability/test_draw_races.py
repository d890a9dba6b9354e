"""The draw's integrity under races (issue 18, items 1 and 2): two part-b submissions for one
commitment give one draw; a part b and an abandon at once, one of them; two 抽取评委 clicks
open one commitment. Threads released together, on SQLite and (DATABASE_URL) PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from expertpool.actor import Actor
from expertpool.clock import FixedClock
from expertpool.db import make_session_factory, session_scope
from expertpool.errors import UserError
from expertpool.models import AuditEvent, DrawSession, Job, Panel
from expertpool.seeds import SeedSequence
from expertpool.services import draw_sessions as ds_svc
from expertpool.services import panels as svc
from expertpool.services.packages import find_meeting
from tests.builders import RSJ, S01, ZJJ, small_meeting, small_rules
from tests.reliability.race import one_winner, race

SUPERVISOR = Actor("jianguan", "regulator")
CLOCK = FixedClock(datetime(2024, 10, 1, 2, 0, 0))
SECOND_TAKEN = "该抽取已由他人输入第二部分"


def _count(engine: Engine, model: type, *where: object) -> int:
    with session_scope(make_session_factory(engine)) as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _actions(engine: Engine, action: str) -> int:
    return _count(engine, AuditEvent, AuditEvent.action == action)


def _pending_single(engine: Engine) -> int:
    with session_scope(make_session_factory(engine)) as s:
        ds = ds_svc.open_single(s, small_meeting(s), ZJJ, seeds=SeedSequence("race"), clock=CLOCK)
        return ds.id


def _pending_season(engine: Engine) -> int:
    with session_scope(make_session_factory(engine)) as s:
        ds = ds_svc.open_season(s, 2024, 2, RSJ, seeds=SeedSequence("race"), clock=CLOCK)
        return ds.id


def _load(ds_id: int) -> object:
    def prepare(s: Session, _i: int) -> DrawSession:
        ds = s.get(DrawSession, ds_id)
        assert ds is not None and ds.state == "pending"
        return ds

    return prepare


def test_two_second_parts_at_once_give_one_draw(demo_db: Engine) -> None:
    ds_id = _pending_single(demo_db)

    def second(s: Session, i: int, ds: DrawSession) -> None:
        ds_svc.enter_second_part(s, ds, f"监督人{i}", SUPERVISOR, clock=CLOCK)

    outcomes = race(demo_db, _load(ds_id), second)
    one_winner(outcomes, SECOND_TAKEN)
    assert _count(demo_db, Panel) == 1
    assert _actions(demo_db, "draw_second_part") == 1 and _actions(demo_db, "draw") == 1
    with session_scope(make_session_factory(demo_db)) as s:
        ds = s.get(DrawSession, ds_id)
        assert ds is not None and ds.state == "drawn"
        winner = next(i for i, o in enumerate(outcomes) if o.ok)
        assert ds.second_part == f"监督人{winner}"
        panel = s.get(Panel, ds.panel_id)
        assert panel is not None and panel.seed == ds.seed and panel.status == "drawn"


def test_two_second_parts_for_a_season_commitment_one_wins(demo_db: Engine) -> None:
    ds_id = _pending_season(demo_db)

    def second(s: Session, i: int, ds: DrawSession) -> None:
        ds_svc.enter_second_part(s, ds, f"监督人{i}", SUPERVISOR, clock=CLOCK)

    outcomes = race(demo_db, _load(ds_id), second)
    one_winner(outcomes, SECOND_TAKEN)
    assert _actions(demo_db, "draw_second_part") == 1
    assert _count(demo_db, Job) == 1
    with session_scope(make_session_factory(demo_db)) as s:
        ds = s.get(DrawSession, ds_id)
        winner = next(i for i, o in enumerate(outcomes) if o.ok)
        assert ds is not None and ds.state == "drawing" and ds.second_part == f"监督人{winner}"


def test_a_second_part_and_an_abandon_at_once(demo_db: Engine) -> None:
    ds_id = _pending_single(demo_db)

    def one_or_other(s: Session, i: int, ds: DrawSession) -> None:
        if i == 0:
            ds_svc.enter_second_part(s, ds, "监督人", SUPERVISOR, clock=CLOCK)
        else:
            ds_svc.abandon(s, ds, "规则录错", ZJJ, clock=CLOCK)

    outcomes = race(demo_db, _load(ds_id), one_or_other)
    # The part b lost: "已由他人放弃"; the abandon lost: "已由他人处理（已抽取）".
    one_winner(outcomes, "该抽取承诺已由他人放弃，不能再输入第二部分", "该抽取承诺已由他人处理")
    drawn = outcomes[0].ok
    assert _count(demo_db, Panel) == (1 if drawn else 0)
    assert _actions(demo_db, "draw_second_part") == (1 if drawn else 0)
    assert _actions(demo_db, "draw_abandon") == (0 if drawn else 1)


def test_two_abandons_at_once_record_one(demo_db: Engine) -> None:
    ds_id = _pending_single(demo_db)

    def abandon(s: Session, i: int, ds: DrawSession) -> None:
        ds_svc.abandon(s, ds, f"原因{i}", ZJJ, clock=CLOCK)

    outcomes = race(demo_db, _load(ds_id), abandon)
    one_winner(outcomes, "该抽取承诺已由他人处理")
    assert _actions(demo_db, "draw_abandon") == 1


def _meeting_ready(s: Session, _i: int) -> object:
    return find_meeting(s, S01)


def test_two_draw_clicks_open_one_commitment(demo_db: Engine) -> None:
    small_rules(demo_db, S01)

    def click(s: Session, i: int, meeting: object) -> None:
        ds_svc.open_single(s, meeting, ZJJ, seeds=SeedSequence(f"tab{i}"), clock=CLOCK)  # type: ignore[arg-type]

    outcomes = race(demo_db, _meeting_ready, click)
    one_winner(outcomes, "本例会已有一个等待监督人输入第二部分的抽取承诺")
    assert _count(demo_db, DrawSession, DrawSession.state == "pending") == 1
    assert _actions(demo_db, "draw_commit") == 1


def test_two_season_requests_open_one_commitment(demo_db: Engine) -> None:
    def click(s: Session, i: int, _p: object) -> None:
        ds_svc.open_season(s, 2024, 2, RSJ, seeds=SeedSequence(f"tab{i}"), clock=CLOCK)

    outcomes = race(demo_db, lambda s, i: None, click)
    one_winner(outcomes, "已有一个等待监督人输入第二部分的联合抽取承诺")
    assert _count(demo_db, DrawSession, DrawSession.state == "pending") == 1


def test_the_database_itself_refuses_a_second_pending_commitment(demo_db: Engine) -> None:
    ds_id = _pending_single(demo_db)
    with session_scope(make_session_factory(demo_db)) as s:
        first = s.get(DrawSession, ds_id)
        assert first is not None
        twin = {"kind": "single", "year": 2024, "meeting_id": first.meeting_id}
        parts = {"office_part": "a", "commitment": "c"}
    with pytest.raises(IntegrityError), session_scope(make_session_factory(demo_db)) as s:
        s.add(DrawSession(**twin, **parts))
    # A drawn or abandoned one beside it is fine: only pending ones are unique.
    with session_scope(make_session_factory(demo_db)) as s:
        s.add(DrawSession(**twin, **parts, state="abandoned"))


def test_a_stale_commitment_says_so_and_changes_nothing(demo_db: Engine) -> None:
    """A commitment taken while the meeting had no panel, whose meeting was drawn another
    way since (the command line): part b must not end in a redraw-reason message on a page
    that has no reason field."""
    ds_id = _pending_single(demo_db)
    with session_scope(make_session_factory(demo_db)) as s:
        svc.draw_meeting(s, find_meeting(s, S01), ZJJ, seeds=SeedSequence("cli"), clock=CLOCK)
    with session_scope(make_session_factory(demo_db)) as s:
        ds = s.get(DrawSession, ds_id)
        assert ds is not None
        with pytest.raises(UserError) as err:
            ds_svc.enter_second_part(s, ds, "监督人", SUPERVISOR, clock=CLOCK)
        assert err.value.message != "请填写重新抽取的原因"
        assert "已抽出评委名单，此承诺已过时" in err.value.message and "放弃" in err.value.message
        s.rollback()
    assert _count(demo_db, Panel) == 1 and _actions(demo_db, "draw_second_part") == 0

"""锁定 happens once (issue 23 item 7): two clicks released together seal the panel once,
write one timeline line, and the second gets one Chinese message. SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from expertpool.db import make_session_factory, session_scope
from expertpool.models import AuditEvent, Panel
from expertpool.seeds import SeedSequence
from expertpool.services import panels as svc
from expertpool.services import timeline
from expertpool.services.packages import find_meeting
from expertpool.services.panels.sealing import ALREADY_SEALED_MESSAGE, SEALED_MESSAGE
from tests.builders import S01, ZJJ, small_meeting
from tests.reliability.race import one_winner, race


def _drawn(engine: Engine) -> int:
    with session_scope(make_session_factory(engine)) as s:
        panel = svc.draw_meeting(s, small_meeting(s), ZJJ, seeds=SeedSequence("seal"))
        assert panel.status == "drawn"
        return panel.id


def test_two_seal_clicks_seal_once(demo_db: Engine) -> None:
    panel_id = _drawn(demo_db)

    def prepare(s: Session, _i: int) -> Panel:
        panel = s.get(Panel, panel_id)
        assert panel is not None and panel.status == "drawn"
        _ = panel.seats, panel.meeting  # loaded before the barrier, as a page would
        return panel

    outcomes = race(demo_db, prepare, lambda s, _i, panel: svc.seal(s, panel, ZJJ))
    one_winner(outcomes, ALREADY_SEALED_MESSAGE, SEALED_MESSAGE)
    with session_scope(make_session_factory(demo_db)) as s:
        seals = select(func.count()).where(AuditEvent.action == "panel_seal")
        assert s.scalar(seals) == 1
        lines = timeline.meeting_timeline(s, find_meeting(s, S01))
        assert sum(1 for e in lines if e.action == "panel_seal") == 1

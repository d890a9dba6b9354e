"""Migration 0011 on a database the old code wrote: a declined panel whose result lost its
seed parts gets them back from its draw session, and a second pending commitment of one
meeting (two clicks, before the unique index) is abandoned, the earliest kept.

The data is written by today's code, then the schema is taken back to 0010 (the later
migrations' downgrades) and the old state planted, so the test keeps working as later
migrations add columns that today's models read."""

from __future__ import annotations

import json
from pathlib import Path

from alembic import command
from sqlalchemy import Engine, select

from expertpool import schema
from expertpool.db import make_engine, make_session_factory, session_scope
from expertpool.models import DrawSession, Panel
from expertpool.seeds import SeedSequence
from expertpool.services import catalogue_sync, demo
from expertpool.services import draw_sessions as ds_svc
from expertpool.services import panels as svc
from expertpool.services.panels.query import dump_result
from expertpool.services.verification import replay_files
from tests.builders import S02, SCJG, ZJJ, small_meeting
from tests.conftest import DEMO_NOW
from tests.expertpool.services.test_draw_sessions import CLOCK, SUPERVISOR


def downgrade_to(engine: Engine, revision: str) -> None:
    cfg = schema.alembic_config()
    with engine.begin() as conn:
        schema._begin_sqlite_migration(conn)  # as schema.upgrade does (batch table rebuilds)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
    engine.dispose()


def test_0011_restores_seed_parts_and_abandons_twin_commitments(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    schema.upgrade(engine)
    factory = make_session_factory(engine)
    with session_scope(factory) as s:
        catalogue_sync.sync_all(s)
        demo.load_demo(s, experts_per_committee=30, now=DEMO_NOW)
    with session_scope(factory) as s:
        meeting = small_meeting(s)
        ds = ds_svc.open_single(s, meeting, ZJJ, seeds=SeedSequence("old"), clock=CLOCK)
        ds_svc.enter_second_part(s, ds, "监督人", SUPERVISOR, clock=CLOCK)
        panel = svc.current_panel(s, meeting)
        assert panel is not None
        svc.decline(s, panel, svc.result_of(panel)["members"][0], "出差", ZJJ)
        # What the old decline left: no parts, neither at the top nor beside the first draw.
        old = svc.result_of(panel)
        del old["seed_parts"], old["original"]["seed_parts"]
        panel.result_json = dump_result(old)
        panel_id, parts = panel.id, ds_svc.seed_parts(ds)
        other = small_meeting(s, S02)
        first = ds_svc.open_single(s, other, SCJG, seeds=SeedSequence("a"), clock=CLOCK)
        first_id, other_id = first.id, other.id
    downgrade_to(engine, "0010")
    with session_scope(factory) as s:
        # Two pending commitments of one meeting, as two clicks could leave them.
        twin = DrawSession(
            kind="single", year=2024, meeting_id=other_id, office_part="x", commitment="y"
        )
        s.add(twin)
        s.flush()
        twin_id = twin.id
    schema.upgrade(engine)
    with session_scope(factory) as s:
        panel = s.get(Panel, panel_id)
        assert panel is not None
        result = svc.result_of(panel)
        assert result["seed_parts"] == parts and result["original"]["seed_parts"] == parts
        verdict = replay_files(svc.package_of(panel), svc.result_bytes(panel))
        assert verdict.same and any(line.startswith("承诺值一致") for line in verdict.lines)
        states = dict(s.execute(select(DrawSession.id, DrawSession.state)).all())
        assert states[first_id] == "pending" and states[twin_id] == "abandoned"
        assert "自动放弃" in s.get(DrawSession, twin_id).note  # type: ignore[union-attr]
        assert json.loads(panel.result_json)["members"] == result["members"]
    engine.dispose()

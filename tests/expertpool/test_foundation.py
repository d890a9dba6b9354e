"""The schema, the catalogue in the database, the demo pool and the foundation commands."""

from __future__ import annotations

import json

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from expertpool import schema
from expertpool.models import Base, Committee, Expert, Meeting, User


def test_migrations_match_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert schema.is_current(engine)


def test_catalogue_in_database(session):
    committees = session.scalars(select(Committee)).all()
    assert len(committees) == 30
    assert sum(c.level == "senior" for c in committees) == 24
    assert sum(c.level == "intermediate" for c in committees) == 6
    urban = session.scalar(select(Committee).where(Committee.name.contains("城乡建设")))
    assert urban.specialties.count("建筑工程") == 1
    assert len(urban.specialties) == 18
    sport = session.scalar(select(Meeting).join(Committee).where(Committee.name.contains("体育")))
    assert (sport.window_start.isoformat(), sport.window_end.isoformat()) == (
        "2024-10-11",
        "2024-10-20",
    )


def test_init_is_idempotent(runner, session):
    first = runner("init")
    second = runner("init")
    assert first.code == second.code == 0, first.err + second.err
    assert "30个评委会例会" in second.out
    assert session.scalar(select(func.count()).select_from(Meeting)) == 30


def test_demo_pool_shape(runner, session):
    result = runner("demo", "--size", "60")
    assert result.code == 0, result.err
    ranks = dict(session.execute(select(Expert.rank, func.count()).group_by(Expert.rank)).all())
    total = sum(ranks.values())
    assert total > 1000
    assert 0.2 < ranks["正高级"] / total < 0.4
    assert 0.45 < ranks["副高级"] / total < 0.65
    roles = {u.role for u in session.scalars(select(User))}
    assert roles == {"unit", "bureau", "office", "regulator"}
    again = runner("demo")
    assert again.code == 2 and "空库" in again.err


def test_export_draw_writes_a_package(runner, demo_db, tmp_path):
    target = tmp_path / "s01.json"
    result = runner("export-draw", "2024-S01", "-o", str(target))
    assert result.code == 0, result.err
    package = json.loads(target.read_text("utf-8"))
    assert package["format"] == "expertpool.draw/1"
    assert package["meeting"]["id"] == "2024-S01"
    assert package["meeting"]["window"] == ["2024-10-21", "2024-10-31"]
    assert package["rules"]["panel_size"] == 25 and package["rules"]["min_rank"] == "副高级"
    ids = [e["id"] for e in package["experts"]]
    assert ids == sorted(ids) and len(ids) == len(set(ids)) > 0
    known = set(ids)
    assert all(c["expert"] in known for c in package["conflicts"])


def test_bad_input_gives_one_line(runner, demo_db, tmp_path):
    unknown = runner("export-draw", "2024-X99")
    assert unknown.code == 2 and "例会编号不存在" in unknown.err
    missing_dir = runner("export-draw", "2024-S01", "-o", str(tmp_path / "nope" / "x.json"))
    assert missing_dir.code == 2 and "输出目录不存在" in missing_dir.err
    bad_url = runner("init", env={"DATABASE_URL": "nosuchdb://x"})
    assert bad_url.code == 2 and "DATABASE_URL" in bad_url.err
    refused = runner("init", env={"DATABASE_URL": "postgresql://u@127.0.0.1:9/x"})
    assert refused.code == 2 and "无法连接数据库" in refused.err
    empty = runner("demo", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite'}"})
    assert empty.code == 2 and "expertpool init" in empty.err and "empty.sqlite" in empty.err
    for r in (unknown, missing_dir, bad_url, refused, empty):
        assert "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1

"""Background jobs on the suite's database (SQLite file or PostgreSQL): a season run queued by
the supervisor's second part is drawn by a real `expertpool worker` process; its progress is
visible from another connection while it runs; killed with SIGKILL mid-run it leaves the job
failed with a Chinese message and nothing stored, and a new run works. Also: one active job
per key (the database refuses a second), atomic claims, and the heartbeat threshold."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from expertpool.actor import Actor
from expertpool.clock import FixedClock
from expertpool.db import make_session_factory
from expertpool.errors import UserError
from expertpool.models import AuditEvent, DrawSession, Job, Meeting, SeasonRun
from expertpool.seeds import SeedSequence
from expertpool.services import draw_sessions, job_runner, jobs
from expertpool.services import season as season_svc
from tests.builders import RSJ

SUPERVISOR = Actor("jianguan", "regulator")
CLOCK = FixedClock(datetime(2024, 10, 1, 2, 0, 0))
ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 120  # an upper bound only: every wait below ends as soon as its state is seen


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def factory(demo_db: Engine) -> sessionmaker[Session]:
    return make_session_factory(demo_db)


@pytest.fixture
def queued(factory: sessionmaker[Session]) -> int:
    """A season commitment whose second part is in: its run is queued; the draw session id."""
    with factory() as s:
        for m in s.scalars(select(Meeting).where(Meeting.year == 2024)):
            small = {"panel_size": 11, "min_full_senior_share": "1/4"}
            m.settings = small if m.committee.level == "senior" else {"panel_size": 5}
        ds = draw_sessions.open_season(s, 2024, 2, RSJ, seeds=SeedSequence("jobs"), clock=CLOCK)
        draw_sessions.enter_second_part(s, ds, "监督人 42", SUPERVISOR, clock=CLOCK)
        s.commit()
        return ds.id


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:  # only the processes this test started, by their own handle
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _worker(
    engine: Engine, started: list[subprocess.Popen[bytes]], *extra: str
) -> subprocess.Popen[bytes]:
    env = dict(os.environ, DATABASE_URL=_url(engine), EXPERTPOOL_INSTANCE=str(ROOT / "instance"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "expertpool.cli", "worker", "--once", *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    started.append(proc)
    return proc


def _job_of(factory: sessionmaker[Session], ds_id: int) -> Job:
    with factory() as s:
        job = jobs.latest_for_session(s, ds_id)
        assert job is not None
        return job


def _wait_for(factory: sessionmaker[Session], ds_id: int, ok: Callable[[Job], bool]) -> Job:
    """Poll the job from another connection until `ok` holds (bounded, not a timing bet)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        job = _job_of(factory, ds_id)
        if ok(job):
            return job
        time.sleep(0.1)
    raise AssertionError(f"the job never got there: {_job_of(factory, ds_id).state}")


def _stored(factory: sessionmaker[Session]) -> tuple[int, int]:
    """(season runs, season_draw audit events)."""
    with factory() as s:
        runs = s.scalar(select(func.count()).select_from(SeasonRun)) or 0
        events = s.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "season_draw")
        )
        return runs, events or 0


def test_a_worker_process_draws_the_queued_season_and_stores_it(
    demo_db: Engine, factory: sessionmaker[Session], queued: int, workers: list
) -> None:
    job = _job_of(factory, queued)
    assert job.state == "queued" and job.dedupe_key == "season:2024"
    assert _stored(factory) == (0, 0)  # the supervisor's request drew nothing itself
    proc = _worker(demo_db, workers)
    assert proc.wait(timeout=WAIT_SECONDS) == 0
    job = _job_of(factory, queued)
    assert job.state == "done" and job.error == ""
    assert job.progress["stage"] == "done" and job.progress["filled"] > 0
    with factory() as s:
        ds = s.get(DrawSession, queued)
        assert ds is not None and ds.state == "drawn" and ds.run_id == job.result
        run = season_svc.load_run(s, ds.run_id)
        assert run is not None and run["plan"]["seed"] == ds.seed
        actions = [e.action for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions[-2:] == ["season_draw", "job_done"] and "job_submit" in actions


def test_killed_mid_run_the_job_fails_nothing_is_stored_and_a_new_run_works(
    demo_db: Engine, factory: sessionmaker[Session], queued: int, workers: list
) -> None:
    # The worker holds the job right after its first progress tick (a test-only hook), so
    # the kill lands mid-run however fast the machine is.
    proc = _worker(demo_db, workers, "--test-pause-after-tick")
    job = _wait_for(factory, queued, lambda j: j.progress.get("stage") == "plan")
    # Progress is visible from another connection while the worker runs.
    assert job.state == "running" and job.progress["seats_total"] > 0
    assert "个席位" in jobs.progress_text(job)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=WAIT_SECONDS)
    assert _stored(factory) == (0, 0)
    with factory() as s:
        assert jobs.sweep(s) == [job.id]  # its process is gone: failed at once
        failed = s.get(Job, job.id)
        assert failed is not None and failed.state == "failed"
        assert failed.error == jobs.DEAD_WORKER
        ds = s.get(DrawSession, queued)
        assert ds is not None and ds.state == "drawing" and ds.run_id == ""
        assert s.scalar(select(AuditEvent).where(AuditEvent.action == "job_failed")) is not None
    assert _stored(factory) == (0, 0)
    # A new run of the same commitment (same seed) works.
    with factory() as s:
        ds = s.get(DrawSession, queued)
        assert ds is not None
        again = draw_sessions.queue_season(s, ds, RSJ, clock=CLOCK)
        s.commit()
        assert again.id != job.id
    proc = _worker(demo_db, workers)
    assert proc.wait(timeout=WAIT_SECONDS) == 0
    assert _job_of(factory, queued).state == "done"
    assert _stored(factory) == (1, 1)


def test_progress_is_committed_while_the_job_runs(
    factory: sessionmaker[Session], queued: int
) -> None:
    seen: list[Job] = []

    def look() -> None:  # called by the runner right after its first tick is committed
        seen.append(_job_of(factory, queued))

    opts = job_runner.Options(clock=CLOCK, pause_after_tick=look)
    assert job_runner.work(factory, opts, drain=True) == 1
    assert seen and seen[0].state == "running" and seen[0].progress["stage"] == "plan"
    assert seen[0].heartbeat_at == CLOCK.utcnow() and seen[0].worker == jobs.worker_id()
    assert _job_of(factory, queued).state == "done" and _stored(factory) == (1, 1)


def test_one_active_job_per_key_and_claims_are_atomic(
    factory: sessionmaker[Session], queued: int
) -> None:
    with factory() as s:
        first = _job_of(factory, queued)
        ds = s.get(DrawSession, queued)
        assert ds is not None
        # A second click (or another app server) gets the job already queued.
        assert draw_sessions.queue_season(s, ds, RSJ, clock=CLOCK).id == first.id
        with pytest.raises(UserError, match="正在后台进行"):
            draw_sessions.open_season(s, 2024, 2, RSJ, seeds=SeedSequence("x"), clock=CLOCK)
        s.rollback()
        # The database itself refuses a second active job on the key.
        s.add(Job(kind="season", dedupe_key="season:2024", params={}, progress={}))
        with pytest.raises(IntegrityError):
            s.flush()
        s.rollback()
    with factory() as a, factory() as b:
        assert jobs.claim(a, "host-a:1", clock=CLOCK) is not None
        assert jobs.claim(b, "host-b:2", clock=CLOCK) is None  # nothing left to claim
    with factory() as s:
        # A finished job frees the key.
        assert jobs.fail(s, first.id, "测试", clock=CLOCK)
        assert jobs.active(s, "season:2024") is None


def test_a_silent_worker_is_declared_dead_after_the_threshold(
    factory: sessionmaker[Session], queued: int
) -> None:
    with factory() as s:
        job = jobs.claim(s, "another-host:4242", clock=CLOCK)
        assert job is not None
        soon = FixedClock(CLOCK.utcnow() + timedelta(seconds=jobs.STALE_SECONDS - 1))
        assert jobs.sweep(s, clock=soon) == []
        late = FixedClock(CLOCK.utcnow() + timedelta(seconds=jobs.STALE_SECONDS + 1))
        assert jobs.sweep(s, clock=late) == [job.id]
        s.refresh(job)
        assert job.state == "failed" and "没有响应" in job.error
    assert _stored(factory) == (0, 0)

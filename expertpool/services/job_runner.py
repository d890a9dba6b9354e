"""The worker (`expertpool worker`): notice dead workers' jobs, claim one, run it while a
thread writes heartbeats and progress, and store its result together with its end.

Nothing of a job is half-stored: its work runs in one session whose transaction also marks
the job done (`jobs.finish`), so a worker killed mid-run leaves no run, no panel and no
audit entry of the work — only a running job whose worker is gone, which the next worker's
sweep (or the next page that reads it) marks failed with a Chinese message.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from expertpool.clock import SYSTEM_CLOCK, Clock
from expertpool.errors import UserError
from expertpool.models import Job
from expertpool.services import certify_backfill, draw_sessions, jobs
from expertpool.services.notices.deliver import deliver_due
from expertpool.services.notices.gateway import Gateway

Progress = Callable[[dict[str, int]], None]
Handler = Callable[[Session, Job, Progress], str]

CRASHED = "后台任务出错（{0}），未保存任何结果；请重新开始，如问题持续请联系系统管理员。"


def _season(session: Session, job: Job, progress: Progress) -> str:
    ds = draw_sessions.get(session, int(job.params.get("session", 0)))
    if ds is None:
        raise UserError("找不到该任务对应的联合抽取承诺", field="job")
    return draw_sessions.draw_queued_season(session, ds, progress, job.params.get("past") or {})


def _certify(session: Session, job: Job, progress: Progress) -> str:
    return certify_backfill.run(session, job, progress)


HANDLERS: dict[str, Handler] = {"season": _season, "certify": _certify}


@dataclass
class Options:
    """How a worker runs. `pause_after_tick` is for tests only: called once, right after
    the first progress tick is committed (e.g. to block until the test kills the worker)."""

    clock: Clock = SYSTEM_CLOCK
    poll_seconds: float = 1.0
    heartbeat_seconds: float = jobs.HEARTBEAT_SECONDS
    stale_seconds: float = jobs.STALE_SECONDS
    pause_after_tick: Callable[[], None] | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    gateway: Gateway | None = None  # sends the notices' outbox when configured


class Heartbeat(threading.Thread):
    """Writes the job's heartbeat and latest progress every few seconds, in its own session,
    also while the solver is busy inside one long call."""

    def __init__(self, factory: sessionmaker[Session], job_id: int, worker: str, opts: Options):
        super().__init__(daemon=True, name=f"heartbeat-{job_id}")
        self.factory, self.job_id, self.worker, self.opts = factory, job_id, worker, opts
        self.started = time.monotonic()
        self.latest: dict[str, Any] = {"stage": "prepare"}
        self.halt = threading.Event()

    def update(self, counts: dict[str, int]) -> None:
        self.latest = {**counts, "stage": "plan"}

    def snapshot(self, **extra: Any) -> dict[str, Any]:
        return {**self.latest, "elapsed": round(time.monotonic() - self.started, 1), **extra}

    def write(self) -> bool:
        try:
            with self.factory() as s:
                return jobs.beat(s, self.job_id, self.worker, self.snapshot(), self.opts.clock)
        except SQLAlchemyError:  # a busy database: try again at the next beat
            return True

    def run(self) -> None:
        while not self.halt.wait(self.opts.heartbeat_seconds):
            if not self.write():
                return

    def stop(self) -> None:
        # Not joined: a beat waiting for the lock the work's transaction holds would stall
        # the commit; once the job is done such a beat changes nothing (state is checked).
        self.halt.set()


def _progress(beat: Heartbeat, opts: Options) -> Progress:
    ticked = False

    def tick(counts: dict[str, int]) -> None:
        nonlocal ticked
        beat.update(counts)
        if not ticked and opts.pause_after_tick is not None:
            ticked = True
            beat.write()
            opts.pause_after_tick()

    return tick


def run_job(factory: sessionmaker[Session], job_id: int, worker: str, opts: Options) -> str:
    """Run a claimed job to its end; returns its final state (done or failed)."""
    beat = Heartbeat(factory, job_id, worker, opts)
    beat.start()
    session = factory()
    try:
        job = session.get(Job, job_id)
        assert job is not None
        handler = HANDLERS.get(job.kind)
        if handler is None:
            raise UserError(f"未知的后台任务类型：{job.kind}", field="job")
        result = handler(session, job, _progress(beat, opts))
        beat.stop()
        jobs.finish(session, job, worker, result, beat.snapshot(stage="done"), clock=opts.clock)
        session.commit()
        return "done"
    except jobs.JobLost:
        session.rollback()  # declared dead meanwhile: its failure is already recorded
        return "failed"
    except UserError as exc:
        return _failed(session, job_id, worker, exc.message, opts)
    except Exception as exc:  # noqa: BLE001 - any crash of the work ends as a failed job
        traceback.print_exc(file=sys.stderr)
        return _failed(session, job_id, worker, CRASHED.format(type(exc).__name__), opts)
    finally:
        beat.stop()
        session.close()


def _failed(session: Session, job_id: int, worker: str, message: str, opts: Options) -> str:
    session.rollback()
    jobs.fail(session, job_id, message, worker=worker, clock=opts.clock)
    return "failed"


def _next(factory: sessionmaker[Session], worker: str, opts: Options) -> Job | None:
    with factory() as s:
        jobs.sweep(s, clock=opts.clock, stale_seconds=opts.stale_seconds)
        return jobs.claim(s, worker, clock=opts.clock)


def work(
    factory: sessionmaker[Session],
    opts: Options,
    *,
    once: bool = False,
    drain: bool = False,
    worker: str = "",
) -> int:
    """Run jobs until `opts.stop` is set: `once` runs at most one, `drain` stops when the
    queue is empty. Returns how many jobs were run."""
    worker = worker or jobs.worker_id()
    ran = 0
    while not opts.stop.is_set():
        job = _next(factory, worker, opts)
        if job is None and opts.gateway is not None:
            deliver_due(factory, opts.gateway, clock=opts.clock)
        if job is None:
            if once or drain:
                break
            opts.stop.wait(opts.poll_seconds)
            continue
        run_job(factory, job.id, worker, opts)
        ran += 1
        if once:
            break
    return ran

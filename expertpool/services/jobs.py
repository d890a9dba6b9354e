"""The job table as a queue: submit, claim, heartbeat, finish, fail, and notice dead workers.

Why a table and not a task library: the deployment has SQLite (embedded default) or
PostgreSQL and nothing else; every library with a broker (Celery, RQ, Dramatiq) would add
Redis or RabbitMQ. A row per job, claimed atomically, is enough for a handful of long runs a
year, and a job started behind one app server is visible from every other one.

Atomic claim: one transaction selects the oldest queued job (PostgreSQL: FOR UPDATE SKIP
LOCKED, so two workers never wait on each other) and moves it to running with a conditional
UPDATE ... WHERE state = 'queued'; only the worker whose UPDATE changed the row owns it
(on SQLite the write lock serialises the two UPDATEs). At most one queued or running job per
dedupe key: a partial unique index, so even two app servers cannot start two season runs.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from expertpool.actor import Actor
from expertpool.clock import SYSTEM_CLOCK, Clock
from expertpool.models import Job
from expertpool.models.jobs import ACTIVE_STATES
from expertpool.services import audit

# Codes stay English in the database; these are the words every screen shows.
STATES = {"queued": "排队等候", "running": "正在运行", "done": "已完成", "failed": "失败"}
KINDS = {"season": "年度联合抽取", "certify": "补发抽取证明"}

# A running job whose worker has not written a heartbeat for this long is taken as dead
# (the worker writes one every HEARTBEAT_SECONDS, also while the solver is busy).
HEARTBEAT_SECONDS = 1.0
STALE_SECONDS = 120

DEAD_WORKER = (
    "处理该任务的后台进程已停止（可能被强制终止或服务器重启），未保存任何结果；请重新开始。"
)
SILENT_WORKER = "处理该任务的后台进程超过{0}秒没有响应，已判定为失败，未保存任何结果；请重新开始。"


class JobLost(Exception):
    """The job was taken from this worker (marked failed as dead) before it finished."""


def worker_id() -> str:
    """This process, as a job's ``worker`` records it: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def target_of(job: Job) -> str:
    """The audit target of a job's events: what it works on, as the action's own events
    name it (a season run: “2024年度”), so they appear on that timeline."""
    return str((job.params or {}).get("target") or job.dedupe_key)


def state_name(job: Job) -> str:
    return STATES.get(job.state, job.state)


def get(session: Session, job_id: int) -> Job | None:
    return session.get(Job, job_id)


def active(session: Session, key: str) -> Job | None:
    return session.scalars(
        select(Job).where(Job.dedupe_key == key, Job.state.in_(ACTIVE_STATES))
    ).first()


def latest_for_session(session: Session, draw_session_id: int) -> Job | None:
    return session.scalars(
        select(Job).where(Job.draw_session_id == draw_session_id).order_by(Job.id.desc())
    ).first()


def submit(
    session: Session,
    kind: str,
    key: str,
    params: dict[str, Any],
    actor: Actor,
    *,
    draw_session_id: int | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> Job:
    """Queue a job in the caller's transaction, or return the active one on the same key
    (a second click shows the running job instead of starting another)."""
    running = active(session, key)
    if running is not None:
        return running
    job = Job(
        kind=kind,
        dedupe_key=key,
        params=params,
        progress={},
        draw_session_id=draw_session_id,
        created_by=actor.username,
        created_role=actor.role,
        created_at=clock.utcnow(),
    )
    try:
        with session.begin_nested():  # another app server may have queued it a moment ago
            session.add(job)
    except IntegrityError:
        found = active(session, key)
        if found is None:
            raise
        return found
    audit.record(
        session,
        actor.username,
        actor.role,
        "job_submit",
        target_of(job),
        {"job": job.id, "kind": kind, "params": params},
    )
    return job


def claim(session: Session, worker: str, *, clock: Clock = SYSTEM_CLOCK) -> Job | None:
    """Take the oldest queued job for `worker` and commit; None when the queue is empty."""
    for _ in range(5):  # another worker may take the candidate first
        candidate = session.scalars(
            select(Job.id)
            .where(Job.state == "queued")
            .order_by(Job.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if candidate is None:
            session.rollback()
            return None
        now = clock.utcnow()
        taken = session.execute(
            update(Job)
            .where(Job.id == candidate, Job.state == "queued")
            .values(state="running", worker=worker, started_at=now, heartbeat_at=now)
        )
        session.commit()
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            return session.get(Job, candidate)
    return None


def beat(
    session: Session, job_id: int, worker: str, progress: dict[str, Any], clock: Clock
) -> bool:
    """Record the worker's heartbeat and progress (own short transaction); False when the
    job is no longer this worker's (it was declared dead)."""
    done = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state == "running", Job.worker == worker)
        .values(heartbeat_at=clock.utcnow(), progress=progress)
    )
    session.commit()
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def finish(
    session: Session,
    job: Job,
    worker: str,
    result: str,
    progress: dict[str, Any],
    *,
    clock: Clock = SYSTEM_CLOCK,
) -> None:
    """Mark the job done in the caller's transaction, the one that stores its result, so
    that the result and the state commit together. Raises `JobLost` (the caller rolls back)
    when the job is no longer this worker's."""
    done = session.execute(
        update(Job)
        .where(Job.id == job.id, Job.state == "running", Job.worker == worker)
        .values(state="done", result=result, progress=progress, finished_at=clock.utcnow())
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise JobLost(job.id)
    audit.record(
        session,
        job.created_by,
        job.created_role,
        "job_done",
        target_of(job),
        {"job": job.id, "kind": job.kind, "result": result, "worker": worker},
    )


def fail(
    session: Session, job_id: int, message: str, *, worker: str = "", clock: Clock = SYSTEM_CLOCK
) -> bool:
    """Mark an active job failed with a Chinese message and commit (its work was rolled back
    or never committed, so nothing of it is stored). With `worker`: only if still theirs."""
    cond = [Job.id == job_id, Job.state.in_(ACTIVE_STATES)]
    if worker:
        cond.append(Job.worker == worker)
    done = session.execute(
        update(Job).where(*cond).values(state="failed", error=message, finished_at=clock.utcnow())
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        return False
    job = session.get(Job, job_id)
    assert job is not None
    audit.record(
        session,
        job.created_by,
        job.created_role,
        "job_failed",
        target_of(job),
        {"job": job.id, "kind": job.kind, "error": message, "worker": job.worker},
    )
    session.commit()
    return True


def _pid_gone(worker: str) -> bool:
    """True when `worker` ran on this host and its process no longer exists."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    return False


def death_of(job: Job, now: datetime, stale_seconds: float = STALE_SECONDS) -> str:
    """Why a running job is dead (a Chinese message), or "" while its worker lives."""
    if job.state != "running":
        return ""
    if _pid_gone(job.worker):
        return DEAD_WORKER
    if job.heartbeat_at is not None and now - job.heartbeat_at > timedelta(seconds=stale_seconds):
        return SILENT_WORKER.format(int(stale_seconds))
    return ""


def sweep(
    session: Session, *, clock: Clock = SYSTEM_CLOCK, stale_seconds: float = STALE_SECONDS
) -> list[int]:
    """Mark every running job whose worker is dead failed (each commits); their ids."""
    failed: list[int] = []
    running = list(session.scalars(select(Job).where(Job.state == "running")))
    now = clock.utcnow()
    for job in running:
        why = death_of(job, now, stale_seconds)
        if why and fail(session, job.id, why, worker=job.worker, clock=clock):
            failed.append(job.id)
    session.commit()
    return failed


def refresh(
    session: Session, job: Job, *, clock: Clock = SYSTEM_CLOCK, stale_seconds: float = STALE_SECONDS
) -> Job:
    """The job as a page reads it: a dead worker's job is marked failed first."""
    why = death_of(job, clock.utcnow(), stale_seconds)
    if why:
        fail(session, job.id, why, worker=job.worker, clock=clock)
        session.refresh(job)
    return job


def elapsed_seconds(job: Job, now: datetime | None = None) -> int:
    """Seconds the job has run: the worker's own count, or (while running, with `now`) the
    time since it was claimed, whichever is larger — the count is written once a second."""
    counted = float((job.progress or {}).get("elapsed", 0))
    if job.state == "running" and now is not None and job.started_at is not None:
        counted = max(counted, (now - job.started_at).total_seconds())
    return int(counted)


def progress_text(job: Job, now: datetime | None = None) -> str:
    """One Chinese line on where a job is (pages and the JSON the progress panel polls)."""
    p = job.progress or {}
    elapsed = elapsed_seconds(job, now)
    if job.state == "queued":
        return "排队等候后台进程处理……"
    if job.state == "failed":
        return job.error
    if job.state == "done":
        return f"已完成，用时{elapsed}秒。"
    if job.kind == "certify":
        return f"已为{p.get('done', 0)}/{p.get('total', 0)}份名单生成抽取证明，已用时{elapsed}秒……"
    if p.get("stage") != "plan":
        return f"正在整理年度抽取数据并求解初始方案，已用时{elapsed}秒……"
    if p.get("seats_total") and p.get("filled") == p.get("seats_total"):
        return seats_line(p) + f"；正在确定备选专家并保存结果，已用时{elapsed}秒……"
    return seats_line(p) + f"，已用时{elapsed}秒……"


def seats_line(p: dict[str, Any]) -> str:
    """“已定 120/600 个席位，3/30 个例会已抽满” from a planner progress tick."""
    return (
        f"已定{p.get('filled', 0)}/{p.get('seats_total', 0)}个席位"
        f"（已判断{p.get('asked', 0)}名候选专家），"
        f"{p.get('full', 0)}/{p.get('meetings', 0)}个例会已抽满"
    )


def as_json(job: Job, now: datetime | None = None) -> dict[str, Any]:
    """What the progress panel polls: plain data, Chinese words, no raw codes shown."""
    p = dict(job.progress or {})
    if job.kind == "certify":  # the bar counts panels certified, not seats
        p.update(filled=p.get("done", 0), seats_total=p.get("total", 0))
    return {
        "id": job.id,
        "state": job.state,
        "state_name": state_name(job),
        "text": progress_text(job, now),
        "filled": int(p.get("filled", 0)),
        "seats_total": int(p.get("seats_total", 0)),
        "full": int(p.get("full", 0)),
        "meetings": int(p.get("meetings", 0)),
        "elapsed": elapsed_seconds(job, now),
        "finished": job.state in ("done", "failed"),
    }

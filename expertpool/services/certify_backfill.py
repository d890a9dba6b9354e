"""Certificates for panels stored before draws carried them (补发抽取证明): a background job
on the job table, run by `expertpool worker` like the season run, with progress.

Unlike a season run, each panel's certificates are committed as soon as they are made: every
certificate is complete on its own, so a job stopped halfway keeps what it finished and the
next run (started again from the page) does only the panels still missing one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from expertpool.actor import Actor
from expertpool.clock import SYSTEM_CLOCK, Clock
from expertpool.errors import UserError
from expertpool.models import Job, Panel
from expertpool.services import jobs
from expertpool.services.panels import certificates

JOB_KIND = "certify"
JOB_KEY = "certify:all"
TARGET = "抽取证明补发"
STARTERS = ("bureau", "regulator")


@dataclass(frozen=True)
class Coverage:
    """How many stored single-meeting panels with a list carry all their certificates."""

    panels: int
    proven: int
    season: int

    @property
    def missing(self) -> int:
        return self.panels - self.proven


def _listed_panels(session: Session) -> list[Panel]:
    """Every panel that once listed members (void ones too: the regulator still reads them)."""
    return list(
        session.scalars(
            select(Panel)
            .where(Panel.status.in_(("drawn", "sealed", "void")))
            .options(defer(Panel.package_json))  # megabytes each; only the results are read
            .order_by(Panel.id)
        )
    )


def panels_missing(session: Session) -> list[int]:
    """Ids of the panels that lack a required certificate, oldest first."""
    return [p.id for p in _listed_panels(session) if certificates.missing_steps(session, p)]


def coverage(session: Session) -> Coverage:
    listed = _listed_panels(session)
    season = sum(1 for p in listed if certificates.is_season(p))
    single = [p for p in listed if certificates.certifiable(p)]
    proven = sum(1 for p in single if not certificates.missing_steps(session, p))
    return Coverage(len(single), proven, season)


def submit(session: Session, actor: Actor, *, clock: Clock = SYSTEM_CLOCK) -> Job:
    """Queue the backfill (or return the one already queued or running)."""
    if actor.role not in STARTERS:
        raise UserError("只有市人社局或监管人员可以补发抽取证明", field="job")
    return jobs.submit(session, JOB_KIND, JOB_KEY, {"target": TARGET}, actor, clock=clock)


def latest(session: Session) -> Job | None:
    return session.scalars(
        select(Job).where(Job.kind == JOB_KIND).order_by(Job.id.desc()).limit(1)
    ).first()


def run(
    session: Session,
    job: Job,
    progress: Callable[[dict[str, int]], None],
    *,
    clock: Clock = SYSTEM_CLOCK,
) -> str:
    """The worker's part: certify every panel still missing a certificate, committing each
    one's certificates; returns how many panels were certified (the job's result)."""
    actor = Actor(job.created_by, job.created_role)
    todo = panels_missing(session)
    made = 0
    progress({"done": 0, "total": len(todo)})
    for i, panel_id in enumerate(todo, start=1):
        panel = session.get(Panel, panel_id)
        if panel is not None and certificates.certify(
            session, panel, actor, how="backfill", clock=clock
        ):
            made += 1
        session.commit()
        if panel is not None:
            session.expunge(panel)  # its package bytes need not stay in memory
        progress({"done": i, "total": len(todo)})
    return f"{made}/{len(todo)}"

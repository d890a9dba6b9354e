"""Background jobs on the web: the JSON the progress panel polls, and (tests only, config
JOBS_INLINE) running queued jobs in-process right after the request that queued them, through
the same job runner the `expertpool worker` process uses.

Not a page blueprint of its own role: the season (bureau) and regulator pages include
`_job_progress.html`; this module serves its JSON and is imported by neither.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

from flask import Blueprint, abort, current_app, jsonify, request, url_for
from flask_login import current_user
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.wrappers import Response

from expertpool.clock import SHANGHAI
from expertpool.models import Job
from expertpool.services import job_runner, jobs
from web.access import roles_required
from web.context import SESSIONS_KEY, db_session

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

# Who may watch a job of each kind: a season run is the bureau's, the supervisor started it.
WATCHERS = {"season": ("bureau", "regulator"), "certify": ("bureau", "regulator")}


class WebClock:
    """The app's clock (config NOW, Beijing wall time) as a service `Clock`; it keeps the
    callable, so the job runner's heartbeat thread (no app context) can read it too."""

    def __init__(self) -> None:
        self._now = cast("Callable[[], datetime]", current_app.config["NOW"])

    def utcnow(self) -> datetime:
        return self._now().replace(tzinfo=SHANGHAI).astimezone(UTC).replace(tzinfo=None)

    def shanghai_now(self) -> datetime:
        return self._now()


def read(session: Session, job: Job) -> Job:
    """The job as a page shows it: a dead worker's running job is marked failed first."""
    return jobs.refresh(session, job, clock=WebClock())


@bp.route("/<int:job_id>.json")
@roles_required("bureau", "regulator")
def status(job_id: int) -> Response:
    session = db_session()
    job = jobs.get(session, job_id)
    if job is None or current_user.role not in WATCHERS.get(job.kind, ()):
        abort(404)
    data: dict[str, Any] = jobs.as_json(read(session, job), WebClock().utcnow())
    data["next"] = next_url(job, current_user.role)
    return jsonify(data)


def next_url(job: Job, role: str) -> str:
    """Where the progress panel goes once the job has ended ("": reload the page)."""
    if job.kind == "season" and job.state == "done" and role == "bureau" and job.result:
        return url_for("season.run", run_id=job.result)
    return ""


def panel_context(session: Session, job: Job | None) -> dict[str, Any]:
    """What `_job_progress.html` needs (the job read as `read` does, and its JSON)."""
    if job is None:
        return {"job": None}
    job = read(session, job)
    return {"job": job, "job_info": jobs.as_json(job, WebClock().utcnow())}


@bp.after_app_request
def _run_inline(response: Response) -> Response:
    """Tests: run what this request queued before the client sees the answer (the real
    deployment leaves it to the worker process)."""
    if current_app.config.get("JOBS_INLINE") and request.method == "POST":
        factory = cast("sessionmaker[Session]", current_app.extensions[SESSIONS_KEY])
        job_runner.work(factory, _inline_options(), drain=True, worker="inline")
    return response


def _inline_options() -> job_runner.Options:
    return job_runner.Options(clock=WebClock())

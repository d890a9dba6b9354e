"""The season run as a background job on the web: the supervisor's request returns with the
run queued; a second click shows the running job; a job whose worker died is shown failed
with its Chinese message when the page reads it, and the bureau can start it again."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select

from expertpool.db import make_session_factory, session_scope
from expertpool.models import Job, Meeting, SeasonRun
from expertpool.services import jobs
from tests.builders import SMALL_RULES
from tests.fixtures.web import csrf_token, do_login, drawn_run_id, supervise


def _small(engine: Engine) -> None:
    with session_scope(make_session_factory(engine)) as s:
        for m in s.scalars(select(Meeting).where(Meeting.year == 2024)):
            m.settings = dict(SMALL_RULES) if m.committee.level == "senior" else {"panel_size": 5}


def _queue(client: FlaskClient) -> str:
    """The bureau asks, the supervisor enters part b; the run stays queued (no worker)."""
    do_login(client, "rsj")
    token = csrf_token(client, "/season/")
    resp = client.post("/season/draw", data={"csrf_token": token, "max_panels": "2"})
    location = resp.headers["Location"]
    page = supervise(client, location, "rsj")
    assert "后台抽取进度" in page and "排队等候后台进程处理" in page
    assert 'id="run-link"' not in page
    return location


def _job(engine: Engine) -> Job:
    with make_session_factory(engine)() as s:
        job = s.scalars(select(Job).order_by(Job.id.desc())).first()
        assert job is not None
        return job


def test_a_second_click_shows_the_running_job(
    client: FlaskClient, app: Flask, demo_db: Engine
) -> None:
    app.config["JOBS_INLINE"] = False
    _small(demo_db)
    location = _queue(client)
    index = client.get("/season/").get_data(as_text=True)
    assert 'id="running-season"' in index and location in index
    token = csrf_token(client, "/season/")
    again = client.post("/season/draw", data={"csrf_token": token, "max_panels": "2"})
    assert again.headers["Location"].endswith(location)
    assert "未重复开始" in client.get(location).get_data(as_text=True)
    with make_session_factory(demo_db)() as s:
        assert s.scalar(select(Job.id).where(Job.id > _job(demo_db).id)) is None  # still one
    status = client.get(f"/jobs/{_job(demo_db).id}.json").get_json()
    assert status["state_name"] == "排队等候" and not status["finished"]
    do_login(client, "zjj")
    assert client.get(f"/jobs/{_job(demo_db).id}.json").status_code == 403


def test_a_dead_workers_job_is_shown_failed_and_can_run_again(
    client: FlaskClient, app: Flask, demo_db: Engine
) -> None:
    app.config["JOBS_INLINE"] = False
    _small(demo_db)
    location = _queue(client)
    with make_session_factory(demo_db)() as s:  # a worker on this host took it, then died
        job = jobs.claim(s, f"{jobs.worker_id().rpartition(':')[0]}:999999999")
        assert job is not None
    page = client.get(location).get_data(as_text=True)
    assert jobs.DEAD_WORKER in page and 'id="rerun-form"' in page
    assert "后台抽取失败" in page
    assert _job(demo_db).state == "failed"
    with make_session_factory(demo_db)() as s:
        assert s.scalar(select(SeasonRun.id)) is None
    assert 'id="unfinished-season"' in client.get("/season/").get_data(as_text=True)
    app.config["JOBS_INLINE"] = True
    token = csrf_token(client, location)
    resp = client.post(f"{location}/rerun", data={"csrf_token": token})
    assert resp.status_code == 302
    run_id = drawn_run_id(client.get(location).get_data(as_text=True))
    status = client.get(f"/jobs/{_job(demo_db).id}.json").get_json()
    assert status["finished"] and status["next"] == f"/season/runs/{run_id}"
    assert 'id="unfinished-season"' not in client.get("/season/").get_data(as_text=True)


def test_the_supervisor_sees_the_job_on_the_season_timeline(
    client: FlaskClient, app: Flask, demo_db: Engine
) -> None:
    app.config["JOBS_INLINE"] = False
    _small(demo_db)
    location = _queue(client)
    with make_session_factory(demo_db)() as s:
        job = jobs.claim(s, f"{jobs.worker_id().rpartition(':')[0]}:999999999")
        assert job is not None
    client.get(location)  # the page read marks the dead worker's job failed
    app.config["JOBS_INLINE"] = True
    client.post(f"{location}/rerun", data={"csrf_token": csrf_token(client, location)})
    do_login(client, "jianguan")
    timeline = client.get("/regulator/season/").get_data(as_text=True)
    assert "联合抽取交由后台任务进程进行" in timeline
    assert "后台任务失败：" + jobs.DEAD_WORKER in timeline
    assert "后台任务完成，联合抽取已记录" in timeline
    assert ">job_" not in timeline  # no raw action codes in the text

"""In chromium: the bureau's season page shows the background run's progress as the worker
reports it, and then the result page, without anyone reloading the page."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from flask import Flask
from sqlalchemy import Engine, select

from expertpool.actor import Actor
from expertpool.clock import FixedClock
from expertpool.db import make_session_factory
from expertpool.models import Meeting
from expertpool.seeds import SeedSequence
from expertpool.services import draw_sessions, job_runner
from tests.builders import RSJ
from tests.fixtures.browser import browser_login, screenshot

pytestmark = pytest.mark.browser

CLOCK = FixedClock(datetime(2024, 10, 1, 2, 0, 0))


def _queue_season(engine: Engine) -> int:
    with make_session_factory(engine)() as s:
        for m in s.scalars(select(Meeting).where(Meeting.year == 2024)):
            small = {"panel_size": 11, "min_full_senior_share": "1/4"}
            m.settings = small if m.committee.level == "senior" else {"panel_size": 5}
        ds = draw_sessions.open_season(s, 2024, 2, RSJ, seeds=SeedSequence("b"), clock=CLOCK)
        draw_sessions.enter_second_part(s, ds, "42", Actor("jianguan", "regulator"), clock=CLOCK)
        s.commit()
        return ds.id


def test_season_page_shows_progress_then_the_result_without_reload(  # type: ignore[no-untyped-def]
    page, app: Flask, demo_db: Engine
) -> None:
    app.config["JOBS_INLINE"] = False  # a worker (here a thread) does the run, as deployed
    ds_id = _queue_season(demo_db)
    browser_login(page, "rsj")
    page.goto(f"/season/draws/{ds_id}")
    assert "排队等候" in page.inner_text("#job-progress")
    page.evaluate("window.__notReloaded = true")  # gone if the page were reloaded
    ticked, release = threading.Event(), threading.Event()

    def hold() -> None:  # right after the worker's first progress tick is committed
        ticked.set()
        release.wait(60)

    opts = job_runner.Options(clock=CLOCK, pause_after_tick=hold)
    factory = make_session_factory(demo_db)
    worker = threading.Thread(target=job_runner.work, args=(factory, opts), kwargs={"once": True})
    worker.start()
    try:
        assert ticked.wait(60)
        page.wait_for_selector("#job-text:has-text('个席位')")
        assert page.evaluate("window.__notReloaded") is True
        assert page.inner_text("#job-state") == "正在运行"
        assert "badge-blue" in (page.get_attribute("#job-state", "class") or "")
        screenshot(page, "season-job-progress")
    finally:
        release.set()
        worker.join(60)
    page.wait_for_url("**/season/runs/**")
    assert "联合抽取" in page.inner_text("h1")
    screenshot(page, "season-job-result")

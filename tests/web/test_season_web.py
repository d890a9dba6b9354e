"""The bureau's season view: joint draw of the year, failures with reasons, store as panels."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select

from expertpool.db import make_session_factory, session_scope
from expertpool.models import Meeting, Panel
from expertpool.seeds import SeedSequence
from tests.builders import SMALL_RULES, ZJJ, small_meeting
from tests.fixtures.web import csrf_token, do_login, drawn_run_id, supervise


def test_season_draw_shows_failures_and_stores_panels(
    client: FlaskClient, demo_db: Engine, app: Flask, tmp_path: Path
) -> None:
    app.instance_path = str(tmp_path)
    with session_scope(make_session_factory(demo_db)) as s:
        for m in s.scalars(select(Meeting).where(Meeting.year == 2024)):
            if m.code != "2024-S02":  # S02 keeps 25 seats from a 30-expert pool: fails
                m.settings = (
                    dict(SMALL_RULES) if m.committee.level == "senior" else {"panel_size": 5}
                )
    do_login(client, "zjj")
    assert client.get("/season/").status_code == 403
    do_login(client, "rsj")
    token = csrf_token(client, "/season/")
    resp = client.post("/season/draw", data={"csrf_token": token, "max_panels": "2"})
    assert resp.status_code == 302
    run_id = drawn_run_id(supervise(client, resp.headers["Location"], "rsj"))
    resp.headers["Location"] = f"/season/runs/{run_id}"
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "用时" in page and "秒" in page
    assert "无法抽取的例会及原因" in page and "2024-S02" in page and "正高级" in page
    token = csrf_token(client, resp.headers["Location"])
    stored = client.post(
        resp.headers["Location"] + "/store", data={"csrf_token": token}, follow_redirects=True
    ).get_data(as_text=True)
    assert "已将" in stored and "保存为各例会的当前评委名单" in stored
    with session_scope(make_session_factory(demo_db)) as s:
        panel = s.scalar(
            select(Panel).join(Meeting).where(Meeting.code == "2024-S01", Panel.status == "drawn")
        )
        assert panel is not None
        panel_id = panel.id
    # The office sees it as its current panel; the regulator's replay plans the season again.
    do_login(client, "zjj")
    assert "逐条核验" in client.get(f"/office/panels/{panel_id}").get_data(as_text=True)
    do_login(client, "jianguan")
    assert "重放一致" in client.get(f"/regulator/panels/{panel_id}/replay").get_data(as_text=True)


def test_sealed_meetings_are_named_and_left_alone(
    client: FlaskClient, demo_db: Engine, seeds: SeedSequence
) -> None:
    from expertpool.services import panels as svc

    with session_scope(make_session_factory(demo_db)) as s:
        m = small_meeting(s)
        p = svc.draw_meeting(s, m, ZJJ, seeds=seeds)
        svc.seal(s, p, ZJJ)
    do_login(client, "rsj")
    page = client.get("/season/").get_data(as_text=True)
    assert 'id="sealed-meetings"' in page and "2024-S01" in page
    token = csrf_token(client, "/season/")
    resp = client.post("/season/draw", data={"csrf_token": token, "max_panels": "2"})
    assert resp.status_code == 302
    run_id = drawn_run_id(supervise(client, resp.headers["Location"], "rsj"))
    run = client.get(f"/season/runs/{run_id}").get_data(as_text=True)
    assert "2024-S01" not in run

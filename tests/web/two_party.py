"""The supervisor's step of a web draw, for tests that draw through the web."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.web.conftest import csrf_token, do_login


def supervise(client: FlaskClient, location: str, back_to: str, part_b: str = "监督人 42") -> str:
    """Enter part b as the supervisor on the commitment page at `location` (…/draws/<id>),
    log back in as `back_to`, and return the commitment page as `back_to` sees it."""
    session_id = int(location.rstrip("/").split("/")[-1])
    do_login(client, "jianguan")
    token = csrf_token(client, f"/regulator/draws/{session_id}")
    resp = client.post(
        f"/regulator/draws/{session_id}/second",
        data={"csrf_token": token, "part_b": part_b, "source": "supervisor"},
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    do_login(client, back_to)
    return client.get(location).get_data(as_text=True)


def drawn_panel_id(page: str) -> int:
    found = re.search(r'id="panel-link" href="/office/panels/(\d+)"', page)
    assert found, page[:2000]
    return int(found.group(1))


def drawn_run_id(page: str) -> str:
    found = re.search(r'id="run-link" href="/season/runs/([^"]+)"', page)
    assert found, page[:2000]
    return found.group(1)

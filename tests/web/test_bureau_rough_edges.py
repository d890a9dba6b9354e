"""Issue 14 (bureau and unit rough edges): who submitted, the pool list's pages and
committee names, the review queue's hints, batch approval and committee filter,
suspension end dates, and the dashboard chart on the shortfall list's basis."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import Engine

from tests.fixtures.web import csrf_token, do_login, new_form
from tests.builders import nomination_form


def _dd(html: str, dd_id: str) -> str:
    match = re.search(rf'<dd id="{dd_id}">(.*?)</dd>', html, re.S)
    assert match, dd_id
    return match.group(1)


def test_nomination_page_names_the_submitter_and_unit(
    client: FlaskClient, accounts: dict, db: Engine
) -> None:
    do_login(client, "unit_a")
    csrf, token = new_form(client)
    resp = client.post("/unit/new", data=nomination_form(db, csrf_token=csrf, token=token))
    detail = resp.headers["Location"]
    submitter = _dd(client.get(detail).get_data(as_text=True), "submitter")
    assert submitter.startswith("测试大学人事处（大连测试大学），")
    assert "unit_a" not in submitter
    do_login(client, "bureau1")
    nomination_id = detail.rsplit("/", 1)[1]
    page = client.get(f"/bureau/nominations/{nomination_id}").get_data(as_text=True)
    assert _dd(page, "submitter").startswith("测试大学人事处（大连测试大学），")

"""Issue 14 (bureau and unit rough edges): who submitted, the pool list's pages and
committee names, the review queue's hints, batch approval and committee filter,
suspension end dates, and the dashboard chart on the shortfall list's basis."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import Engine

from tests.builders import nomination_form
from tests.fixtures.web import do_login, new_form


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


def test_pool_page_numbers_jump_and_committee_names(demo_db: Engine, client: FlaskClient) -> None:
    do_login(client, "rsj")
    html = client.get("/bureau/pool", query_string={"status": "在库"}).get_data(as_text=True)
    pages = int(re.search(r"第 1 / (\d+) 页", html).group(1))  # type: ignore[union-attr]
    assert pages > 6
    # Links to the neighbouring pages and the last one, each keeping the filter.
    assert 'href="/bureau/pool?status=%E5%9C%A8%E5%BA%93&amp;page=3"' in html
    assert f'page={pages}"' in html
    assert '<strong aria-current="page">1</strong>' in html and "…" in html
    # The 跳至第__页 box submits the filter with the page.
    jump = re.search(r'<form [^>]*class="inline page-jump">(.*?)</form>', html, re.S)
    assert jump and 'name="status" value="在库"' in jump.group(1) and 'name="page"' in jump.group(1)
    target = client.get("/bureau/pool", query_string={"status": "在库", "page": pages - 1})
    assert f"第 {pages - 1} / {pages} 页" in target.get_data(as_text=True)
    # The committee column names the committees (short names), not "1个".
    cells = re.findall(r'<td class="committees">(.*?)</td>', html, re.S)
    assert len(cells) == 50 and not any(c.endswith("个") for c in cells)
    assert all("（高级）" in c or "（中级）" in c for c in cells)

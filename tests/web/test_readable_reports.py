"""Reports speak Chinese: audit entries as sentences with filters, rule names instead of ids."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import Engine

from solver.engine import draw, verify
from tests.builders import S01, small_rules
from tests.fixtures.web import do_login, draw_via_web
from tests.solver.test_replay import _pool


def test_verify_text_names_rules_not_ids() -> None:
    import json

    data = _pool()
    text = verify(data, json.dumps(draw(data, "s")).encode()).text()
    for raw in ("members_sorted", "uncovered", "recusals", "instance", "draw-format"):
        assert raw not in text, raw
    assert "回避名单准确" in text


def test_audit_page_sentences_and_filters(client: FlaskClient, demo_db: Engine) -> None:
    small_rules(demo_db, S01)
    do_login(client, "zjj")
    draw_via_web(client)
    do_login(client, "jianguan")
    page = client.get(f"/regulator/audit?target={S01}&action=draw_second_part").get_data(
        as_text=True
    )
    assert "监督人输入第二部分“监督人 42”" in page and "清除筛选" in page
    assert "发起抽取，公示承诺值" not in page
    page = client.get("/regulator/audit?who=zjj").get_data(as_text=True)
    assert "发起抽取，公示承诺值" in page and "监督人输入第二部分“" not in page

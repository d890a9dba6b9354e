"""Issue 14 (bureau and unit rough edges): who submitted, the pool list's pages and
committee names, the review queue's hints, batch approval and committee filter,
suspension end dates, and the dashboard chart on the shortfall list's basis."""

from __future__ import annotations

import re
from datetime import datetime

from flask.testing import FlaskClient
from sqlalchemy import Engine, select

from expertpool.db import make_session_factory, session_scope
from expertpool.models import Expert, Nomination
from expertpool.services.shortfall import shortfall_report
from tests.builders import nomination_form
from tests.fixtures.web import csrf_token, do_login, new_form
from web.bureau.charts import short_committee_name


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


def _pending(db: Engine) -> list[Nomination]:
    with session_scope(make_session_factory(db)) as s:
        return list(
            s.scalars(
                select(Nomination).where(Nomination.status == "已提交").order_by(Nomination.id)
            )
        )


def _row(html: str, nomination_id: int) -> str:
    match = re.search(rf'<tr id="nomination-{nomination_id}">(.*?)</tr>', html, re.S)
    assert match, nomination_id
    return match.group(1)


def _split_by_pool(db: Engine) -> tuple[list[Nomination], list[Nomination]]:
    """Pending nominations of people not yet in the pool, and of people already there."""
    with session_scope(make_session_factory(db)) as s:
        cards = set(s.scalars(select(Expert.id_card)))
    pending = _pending(db)
    return [n for n in pending if n.id_card not in cards], [
        n for n in pending if n.id_card in cards
    ]


def test_renominated_after_rejection_shows_when_and_why(
    demo_db: Engine, client: FlaskClient
) -> None:
    n = _pending(demo_db)[0]
    with session_scope(make_session_factory(demo_db)) as s:
        s.add(
            Nomination(
                **{
                    k: getattr(n, k) for k in ("unit_id", "name", "gender", "birth_year", "id_card")
                },
                year=2023,
                rank=n.rank,
                committee_ids=list(n.committee_ids),
                specialties=list(n.specialties),
                status="已驳回",
                reviewed_by="rsj",
                submitted_at=datetime(2023, 7, 20, 9, 0),
                updated_at=datetime(2023, 7, 20, 9, 0),
                reviewed_at=datetime(2023, 8, 3, 9, 0),
                review_reason="职称证书与系列不符",
            )
        )
    do_login(client, "rsj")
    row = _row(client.get("/bureau/").get_data(as_text=True), n.id)
    assert "曾被驳回（2023年8月3日，" in row and "理由：职称证书与系列不符）" in row
    page = client.get(f"/bureau/nominations/{n.id}").get_data(as_text=True)
    assert "曾被驳回（2023年8月3日，" in page
    others = [p for p in _pending(demo_db) if p.id_card != n.id_card]
    assert "曾被驳回" not in _row(client.get("/bureau/").get_data(as_text=True), others[0].id)


def test_approved_tab_warns_only_of_people_already_in_the_pool(
    demo_db: Engine, client: FlaskClient
) -> None:
    fresh, pooled = _split_by_pool(demo_db)
    do_login(client, "rsj")
    csrf = csrf_token(client, "/bureau/")
    for n in (fresh[0], pooled[0]):
        client.post(f"/bureau/nominations/{n.id}/approve", data={"csrf_token": csrf})
    html = client.get("/bureau/", query_string={"status": "已通过"}).get_data(as_text=True)
    assert "已在专家库" not in _row(html, fresh[0].id)  # there because of this approval
    assert "审核时此人已在专家库" in _row(html, pooled[0].id)


def test_batch_approval_all_or_nothing(demo_db: Engine, client: FlaskClient) -> None:
    fresh, _ = _split_by_pool(demo_db)
    a, b, c = fresh[:3]
    do_login(client, "rsj")
    csrf = csrf_token(client, "/bureau/")
    client.post(f"/bureau/nominations/{c.id}/reject", data={"csrf_token": csrf, "reason": "不符"})
    html = client.post(
        "/bureau/nominations/approve",
        data={"csrf_token": csrf, "nomination_ids": [a.id, b.id, c.id]},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "未能批量通过：所选3条推荐均未通过（整批不作改动），其中1条不能通过" in html
    assert f"推荐#{c.id} {c.name}：该推荐当前状态为“已驳回”" in html
    with session_scope(make_session_factory(demo_db)) as s:
        assert [s.get(Nomination, x.id).status for x in (a, b)] == ["已提交", "已提交"]  # type: ignore[union-attr]
    html = client.post(
        "/bureau/nominations/approve",
        data={"csrf_token": csrf, "nomination_ids": [a.id, b.id]},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert f"已批量通过2条推荐：{a.name}、{b.name}。" in html
    with session_scope(make_session_factory(demo_db)) as s:
        assert [s.get(Nomination, x.id).status for x in (a, b)] == ["已通过", "已通过"]  # type: ignore[union-attr]
    html = client.post(
        "/bureau/nominations/approve", data={"csrf_token": csrf}, follow_redirects=True
    ).get_data(as_text=True)
    assert "请先勾选要通过的推荐" in html


def test_queue_committee_filter(demo_db: Engine, client: FlaskClient) -> None:
    pending = _pending(demo_db)
    committee = pending[0].committee_ids[0]
    wanted = {n.id for n in pending if committee in n.committee_ids}
    assert 0 < len(wanted) < len(pending)
    do_login(client, "rsj")
    html = client.get("/bureau/", query_string={"committee": committee}).get_data(as_text=True)
    assert set(map(int, re.findall(r'<tr id="nomination-(\d+)">', html))) == wanted
    assert f'<option value="{committee}" selected>' in html
    # The status tabs keep the filter.
    assert f"committee={committee}" in re.search(
        r'<div class="tabs">(.*?)</div>', html, re.S
    ).group(1)  # type: ignore[union-attr]


def test_dashboard_supply_chart_agrees_with_the_shortfall_list(
    demo_db: Engine, client: FlaskClient
) -> None:
    do_login(client, "rsj")
    html = client.get("/bureau/dashboard").get_data(as_text=True)
    chart = html[html.index("可用专家是否够用") : html.index('<table class="list" id="shortfall">')]
    rows = re.findall(r'<g class="(short|enough)"><text[^>]*>([^<]+)</text>', chart)
    assert len(rows) == 30  # one row per meeting's committee
    short = {label for status, label in rows if status == "short"}
    table = html[html.index('<table class="list" id="shortfall">') :]
    table = table[: table.index("</table>")]
    listed = re.findall(r"<tr>\s*<td>([^<]+)</td>", table)
    assert short and len(short) == len(listed)
    with session_scope(make_session_factory(demo_db)) as s:
        report = shortfall_report(s, 2024, today=datetime(2024, 7, 1).date())
    assert {short_committee_name(r.committee_name) for r in report if r.recruit_total} == short
    assert {r.committee_name for r in report if r.recruit_total} == set(listed)
    # The old chart's basis (the pool's 正高级 share against the panel's) is gone.
    assert "低于所需比例" not in html


def test_suspension_end_date_through_the_record_page(demo_db: Engine, client: FlaskClient) -> None:
    with session_scope(make_session_factory(demo_db)) as s:
        e = s.scalars(select(Expert).where(Expert.status == "在库").order_by(Expert.id)).first()
        assert e is not None
        expert_id, code = e.id, e.code
    do_login(client, "rsj")
    url = f"/bureau/experts/{expert_id}"
    csrf = csrf_token(client, url)
    form = {"csrf_token": csrf, "status": "暂停", "reason": "出国访学"}
    for until, message in (
        ("2024-07-01", "须晚于今天（2024-07-01）"),  # the clock fixture's today
        ("2024-13-01", "暂停至日期格式不正确"),
    ):
        html = client.post(
            f"{url}/status", data=form | {"until": until}, follow_redirects=True
        ).get_data(as_text=True)
        assert message in html
    with session_scope(make_session_factory(demo_db)) as s:
        assert s.get(Expert, expert_id).status == "在库"  # type: ignore[union-attr]
    html = client.post(
        f"{url}/status", data=form | {"until": "2024-09-30"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "由“在库”变更为“暂停”（暂停至2024-09-30）" in html
    assert '<span class="muted" id="suspended-until">暂停至2024-09-30</span>' in html
    pool = client.get("/bureau/pool", query_string={"q": code}).get_data(as_text=True)
    assert "至2024-09-30" in pool

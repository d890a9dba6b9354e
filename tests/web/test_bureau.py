"""市人社局 screens through the Flask test client (on the demo data)."""

from __future__ import annotations

import io
import warnings
from datetime import datetime

from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select

from expertpool.db import make_session_factory, session_scope
from expertpool.models import AuditEvent, Expert, Nomination, StatusChange, YearSetting
from tests.fixtures.web import csrf_token, do_login


def pending(db: Engine) -> list[Nomination]:
    with session_scope(make_session_factory(db)) as s:
        return list(
            s.scalars(
                select(Nomination).where(Nomination.status == "已提交").order_by(Nomination.id)
            )
        )


def test_queue_shows_duplicates(demo_db: Engine, client: FlaskClient) -> None:
    do_login(client, "rsj")
    html = client.get("/bureau/").get_data(as_text=True)
    assert "推荐审核" in html and "此人已在专家库" in html
    assert "已提交（13）" in html


def test_approve_adds_to_pool(demo_db: Engine, client: FlaskClient) -> None:
    do_login(client, "rsj")
    first = pending(demo_db)[0]
    with session_scope(make_session_factory(demo_db)) as s:
        before = s.scalar(select(func.count()).select_from(Expert))
    csrf = csrf_token(client, "/bureau/")
    resp = client.post(
        f"/bureau/nominations/{first.id}/approve", data={"csrf_token": csrf}, follow_redirects=True
    )
    html = resp.get_data(as_text=True)
    assert f"已通过：{first.name} 已进入专家库" in html
    with session_scope(make_session_factory(demo_db)) as s:
        assert s.scalar(select(func.count()).select_from(Expert)) == before + 1
        n = s.get(Nomination, first.id)
        assert n is not None and n.status == "已通过" and n.expert_id
        assert (
            s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first().action
            == "nomination_review"
        )  # type: ignore[union-attr]
    pool = client.get("/bureau/pool", query_string={"q": first.name}).get_data(as_text=True)
    assert first.name in pool


def test_approving_pooled_person_does_not_duplicate(demo_db: Engine, client: FlaskClient) -> None:
    do_login(client, "rsj")
    with session_scope(make_session_factory(demo_db)) as s:
        cards = set(s.scalars(select(Expert.id_card)))
        dup = next(n for n in s.scalars(select(Nomination)) if n.id_card in cards)
        before = s.scalar(select(func.count()).select_from(Expert))
    csrf = csrf_token(client, "/bureau/")
    client.post(f"/bureau/nominations/{dup.id}/approve", data={"csrf_token": csrf})
    with session_scope(make_session_factory(demo_db)) as s:
        assert s.scalar(select(func.count()).select_from(Expert)) == before
        assert s.get(Nomination, dup.id).status == "已通过"  # type: ignore[union-attr]


def test_reject_and_return_need_reason(demo_db: Engine, client: FlaskClient) -> None:
    do_login(client, "rsj")
    a, b = pending(demo_db)[:2]
    csrf = csrf_token(client, "/bureau/")
    html = client.post(
        f"/bureau/nominations/{a.id}/reject",
        data={"csrf_token": csrf, "reason": ""},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "请填写理由" in html
    html = client.post(
        f"/bureau/nominations/{a.id}/reject",
        data={"csrf_token": csrf, "reason": "不符合条件"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert f"已驳回：{a.name}" in html
    html = client.post(
        f"/bureau/nominations/{b.id}/return",
        data={"csrf_token": csrf, "reason": "请补充材料"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert f"已退回修改：{b.name}" in html
    html = client.get("/bureau/", query_string={"status": "已退回"}).get_data(as_text=True)
    assert "请补充材料" in html


def test_pool_filters_pagination_and_pinyin(demo_db: Engine, client: FlaskClient) -> None:
    do_login(client, "rsj")
    html = client.get("/bureau/pool").get_data(as_text=True)
    assert "第 1 /" in html and "下一页" in html and "********" in html
    html = client.get(
        "/bureau/pool", query_string={"rank": "正高级", "status": "在库", "committee": "1"}
    ).get_data(as_text=True)
    assert "副高级</td>" not in html
    assert (
        client.get("/bureau/pool", query_string={"page": "abc", "committee": "x"}).status_code
        == 200
    )


def test_pool_export(demo_db: Engine, client: FlaskClient) -> None:
    do_login(client, "rsj")
    resp = client.get("/bureau/pool/export.xlsx", query_string={"rank": "正高级"})
    assert resp.status_code == 200
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = load_workbook(io.BytesIO(resp.data)).active
    assert ws["E1"].value == "身份证号（脱敏）"
    ranks = {r[6].value for r in ws.iter_rows(min_row=2)}
    assert ranks == {"正高级"} and all("********" in r[4].value for r in ws.iter_rows(min_row=2))


def test_expert_record_and_status_change(demo_db: Engine, client: FlaskClient) -> None:
    do_login(client, "rsj")
    with session_scope(make_session_factory(demo_db)) as s:
        e = s.scalars(select(Expert).where(Expert.status == "在库")).first()
        assert e is not None
    html = client.get(f"/bureau/experts/{e.id}").get_data(as_text=True)
    assert e.masked_id_card in html and e.id_card not in html and "任职记录" in html
    csrf = csrf_token(client, f"/bureau/experts/{e.id}")
    html = client.post(
        f"/bureau/experts/{e.id}/status",
        data={"csrf_token": csrf, "status": "暂停", "reason": ""},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "请填写变更理由" in html
    html = client.post(
        f"/bureau/experts/{e.id}/status",
        data={"csrf_token": csrf, "status": "暂停", "reason": "本人申请暂停一年"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "已将专家状态由“在库”变更为“暂停”" in html and "本人申请暂停一年" in html
    with session_scope(make_session_factory(demo_db)) as s:
        assert (
            s.scalar(
                select(func.count()).select_from(StatusChange).where(StatusChange.expert_id == e.id)
            )
            == 1
        )
    assert client.get("/bureau/experts/999999").status_code == 404


def test_settings_change_deadline(demo_db: Engine, client: FlaskClient) -> None:
    do_login(client, "rsj")
    csrf = csrf_token(client, "/bureau/settings")
    html = client.post(
        "/bureau/settings",
        data={"csrf_token": csrf, "deadline_date": "2024-13-01", "deadline_time": "23:59"},
    ).get_data(as_text=True)
    assert "格式不正确" in html
    resp = client.post(
        "/bureau/settings",
        data={"csrf_token": csrf, "deadline_date": "2024-08-15", "deadline_time": "23:59"},
        follow_redirects=True,
    )
    assert "已将2024年推荐截止时间设为2024年8月15日 23:59" in resp.get_data(as_text=True)
    with session_scope(make_session_factory(demo_db)) as s:
        assert s.get(YearSetting, 2024).nomination_deadline == datetime(2024, 8, 15, 23, 59, 59)  # type: ignore[union-attr]


def test_dashboard_charts(demo_db: Engine, client: FlaskClient) -> None:
    do_login(client, "rsj")
    html = client.get("/bureau/dashboard").get_data(as_text=True)
    assert html.count("<svg") == 2 and "可用专家是否够用" in html and "缺口清单" in html
    assert "城乡建设行业（高级）" in html


def test_nomination_detail_page(demo_db: Engine, client: FlaskClient) -> None:
    do_login(client, "rsj")
    with session_scope(make_session_factory(demo_db)) as s:
        cards = set(s.scalars(select(Expert.id_card)))
        n = next(
            n
            for n in s.scalars(select(Nomination).where(Nomination.status == "已提交"))
            if n.id_card in cards
        )
        n.recommendation = "第一行意见\n第二行<b>意见</b>"
        n.pledge_unit = False
        unit_name = n.unit.name
    url = f"/bureau/nominations/{n.id}"
    queue = client.get("/bureau/").get_data(as_text=True)
    assert f'href="{url}"' in queue
    html = client.get(url).get_data(as_text=True)
    for text in (
        unit_name,
        n.name,
        n.phone,
        n.email,
        n.title_name,
        n.series,
        n.id_card[-4:],
        "第一行意见<br>第二行&lt;b&gt;意见&lt;/b&gt;",
        "<dt>个人承诺</dt><dd>已确认</dd>",
        "<dt>单位承诺</dt><dd>未确认</dd>",
        "此人已在专家库",
        f"{url}/approve",
        f"{url}/return",
        f"{url}/reject",
    ):
        assert text in html, text
    assert n.id_card not in html  # masked, as everywhere else
    csrf = csrf_token(client, url)
    resp = client.post(
        f"{url}/return", data={"csrf_token": csrf, "reason": "请补充业绩材料", "next": url}
    )
    assert resp.status_code == 302 and resp.headers["Location"] == url
    html = client.get(url).get_data(as_text=True)
    assert f"已退回修改：{n.name}" in html and "请补充业绩材料" in html
    assert f"{url}/approve" not in html  # nothing left to review
    assert client.get("/bureau/nominations/999999").status_code == 404


def _committee_row(rows: list[dict], code: str) -> dict:
    return next(r for r in rows if r["meeting_code"] == code and r["scope"] == "全评委会")


def test_shortfall_json(demo_db: Engine, client: FlaskClient) -> None:
    from expertpool.services.shortfall import shortfall_report

    do_login(client, "rsj")
    html = client.get("/bureau/dashboard").get_data(as_text=True)
    assert 'href="/bureau/dashboard/shortfall.json"' in html
    resp = client.get("/bureau/dashboard/shortfall.json")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    raw = resp.get_data(as_text=True)
    assert "全评委会" in raw and "\\u" not in raw  # ensure_ascii=False
    data = resp.get_json()
    assert data["year"] == 2024 and data["margin"] == 2
    assert data["columns"]["usable"] == "可用人数"
    with session_scope(make_session_factory(demo_db)) as s:
        report = {c.meeting_code: c for c in shortfall_report(s, 2024)}
    assert {r["meeting_code"] for r in data["rows"]} == set(report)
    for code in ("2024-S01", "2024-S20"):
        row, c = _committee_row(data["rows"], code), report[code]
        assert row["committee"] == c.committee_name and row["level"] == "高级"
        assert (row["need"], row["eligible"], row["usable"], row["recruit"]) == (
            c.need_total,
            c.eligible_total,
            c.usable_total,
            c.recruit_total,
        )
        assert (row["need_full_senior"], row["recruit_full_senior"]) == (
            c.need_full_senior,
            c.recruit_full_senior,
        )
    assert report["2024-S20"].recruit_full_senior > 0  # a row with a real shortfall
    assert any(r["scope"] == "表决基数" for r in data["rows"])


def test_shortfall_xlsx(demo_db: Engine, client: FlaskClient) -> None:
    from expertpool.services.shortfall import COLUMNS, shortfall_report

    do_login(client, "rsj")
    html = client.get("/bureau/dashboard").get_data(as_text=True)
    assert 'href="/bureau/dashboard/shortfall.xlsx"' in html
    resp = client.get("/bureau/dashboard/shortfall.xlsx")
    assert resp.status_code == 200
    assert resp.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in resp.headers["Content-Disposition"]
    ws = load_workbook(io.BytesIO(resp.data)).active
    assert ws.title == "2024年专家缺口"
    keys = [k for k, _ in COLUMNS]
    assert [c.value for c in ws[1]] == [h for _, h in COLUMNS]
    rows = [dict(zip(keys, [c.value for c in r], strict=True)) for r in ws.iter_rows(min_row=2)]
    with session_scope(make_session_factory(demo_db)) as s:
        c = next(x for x in shortfall_report(s, 2024) if x.meeting_code == "2024-S20")
    row = _committee_row(rows, "2024-S20")
    assert (row["need"], row["usable"], row["recruit"], row["recruit_full_senior"]) == (
        c.need_total,
        c.usable_total,
        c.recruit_total,
        c.recruit_full_senior,
    )
    # The same rows as the JSON API.
    data = client.get("/bureau/dashboard/shortfall.json").get_json()
    assert len(rows) == len(data["rows"])

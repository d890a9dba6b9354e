"""Regulator screens: read-only by construction, reports, replay, audit chain, offline upload."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select, text

from expertpool.db import make_session_factory, session_scope
from expertpool.models import AuditEvent, Base, Meeting
from expertpool.seeds import SeedSequence
from expertpool.services import panels as svc
from tests.builders import S01, SCJG, ZJJ, small_meeting
from tests.fixtures.web import csrf_token, do_login
from tests.web.test_upload_limits import post_files
from web import limits


def drawn_panels(db: Engine) -> tuple[int, int]:
    """A sealed panel with a decline on S01 and an infeasible draw on S02."""
    seeds = SeedSequence("tests")
    with session_scope(make_session_factory(db)) as s:
        m1 = small_meeting(s, S01)
        p1 = svc.draw_meeting(s, m1, ZJJ, seeds=seeds)
        r1 = svc.result_of(p1)
        covered = [m for m in r1["members"] if m not in r1["uncovered"]]
        svc.decline(s, p1, covered[0], "出国", ZJJ)
        svc.seal(s, p1, ZJJ)
        m2 = s.scalar(select(Meeting).where(Meeting.code == "2024-S02"))
        p2 = svc.draw_meeting(s, m2, SCJG, seeds=seeds)
        assert p2.status == "infeasible"
        return p1.id, p2.id


def snapshot(db: Engine) -> dict[str, tuple[int, str]]:
    """Row count and checksum of every table except the audit trail (audit_*)."""
    out = {}
    with db.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name.startswith("audit_"):  # audit_events and its chain head
                continue
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            out[table.name] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return out


def audit_count(db: Engine) -> int:
    with db.connect() as conn:
        return conn.scalar(select(func.count()).select_from(AuditEvent)) or 0


def test_regulator_blueprint_changes_no_stored_data(
    client: FlaskClient, demo_db: Engine, app: Flask
) -> None:
    sealed_id, infeasible_id = drawn_panels(demo_db)
    do_login(client, "jianguan")
    before = snapshot(demo_db)
    audits = audit_count(demo_db)
    gets = 0
    for panel_id in (sealed_id, infeasible_id):
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("regulator.") or "GET" not in rule.methods:
                continue
            if "<int:session_id>" in rule.rule:  # draw sessions: tests/web/test_two_party.py
                continue
            if rule.endpoint == "regulator.certificate_json" and panel_id == infeasible_id:
                continue  # no list, so no certificate to download (404)
            url = rule.rule.replace("<int:panel_id>", str(panel_id)).replace("<code>", S01)
            resp = client.get(url)
            assert resp.status_code == 200, (url, resp.status_code)
            gets += 1
    assert gets >= 16
    token = csrf_token(client, "/regulator/verify")
    package = client.get(f"/regulator/panels/{sealed_id}/package.json").data
    result = client.get(f"/regulator/panels/{sealed_id}/result.json").data
    resp = client.post(
        "/regulator/verify",
        data={
            "csrf_token": token,
            "package": (io.BytesIO(package), "p.json"),
            "result": (io.BytesIO(result), "r.json"),
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 200 and "结论：评委会合规" in resp.get_data(as_text=True)
    assert snapshot(demo_db) == before
    assert audit_count(demo_db) > audits  # the views were recorded, nothing else changed


def test_report_replay_and_offline_upload(
    client: FlaskClient, demo_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    sealed_id, infeasible_id = drawn_panels(demo_db)
    do_login(client, "jianguan")
    index = client.get("/regulator/").get_data(as_text=True)
    assert S01 in index and "已锁定" in index and "无法抽取" in index
    page = client.get(f"/regulator/panels/{sealed_id}").get_data(as_text=True)
    assert (
        "结论：评委会合规" in page
        and "不通过" not in page
        and "正高级专家不少于1/4，即至少3名" in page
    )
    page = client.get(f"/regulator/panels/{infeasible_id}").get_data(as_text=True)
    assert "无法抽取：原因诊断" in page and "正高级" in page
    replay = client.get(f"/regulator/panels/{sealed_id}/replay").get_data(as_text=True)
    assert "重放一致" in replay
    with session_scope(make_session_factory(demo_db)) as s:
        events = s.scalars(
            select(AuditEvent).where(
                AuditEvent.username == "jianguan", AuditEvent.action == "panel_view"
            )
        ).all()
        assert {e.detail["what"] for e in events} >= {"核验报告", "重放：一致"}

    token = csrf_token(client, "/regulator/verify")
    package = client.get(f"/regulator/panels/{sealed_id}/package.json").data

    def post(pkg: bytes, res: bytes) -> str:
        return client.post(
            "/regulator/verify",
            data={
                "csrf_token": token,
                "package": (io.BytesIO(pkg), "p.json"),
                "result": (io.BytesIO(res), "r.json"),
            },
            content_type="multipart/form-data",
        ).get_data(as_text=True)

    assert "无法核验" in post(package, b"{not json")
    assert "无法核验：请选择抽取结果文件" in post(package, b"")
    # The limit is lowered so the test client keeps the body in memory (no temp file).
    monkeypatch.setitem(
        limits.PAGE_LIMITS, "regulator.verify_upload", limits.PageLimit(100 * 1024, 3)
    )
    big = post(package, b" " * (150 * 1024))
    assert "抽取结果文件超过100 KB的限制" in big and "无法核验" in big
    # Past the request limit: the 413 page names this form and its limit (the body is
    # built by post_files so that the test client sends it from memory).
    status, big = post_files(
        client, "/regulator/verify", {"package": package, "result": b" " * (600 * 1024)}
    )
    assert status == 413 and "抽取数据包核验" in big and "不能超过100 KB" in big


def test_tampered_audit_row_shows_a_broken_chain(client: FlaskClient, demo_db: Engine) -> None:
    drawn_panels(demo_db)
    do_login(client, "jianguan")
    page = client.get("/regulator/audit").get_data(as_text=True)
    assert "审计链完整" in page
    with demo_db.begin() as conn:
        target = conn.scalar(select(AuditEvent.id).where(AuditEvent.action == "panel_decline"))
        conn.execute(text("UPDATE audit_events SET target = 'X' WHERE id = :i"), {"i": target})
    page = client.get("/regulator/audit").get_data(as_text=True)
    assert f"审计链在第 {target} 号记录处断开" in page and "已断开" in page


def test_audit_page_checks_an_exported_head_and_names_a_missing_key(
    client: FlaskClient, demo_db: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from expertpool.db import make_session_factory
    from expertpool.services import audit as audit_svc

    do_login(client, "jianguan")
    with make_session_factory(demo_db)() as s:
        mark = audit_svc.current_head(s)
    page = client.get(f"/regulator/audit?head={mark.text()}").get_data(as_text=True)
    assert f"与导出文件上的第 {mark.seq} 条记录一致" in page and 'id="chain-head"' in page
    page = client.get("/regulator/audit?head=12:zz").get_data(as_text=True)
    assert "序号:哈希" in page and "审计链完整" in page
    far = audit_svc.HeadMark(mark.seq + 500, mark.hash).text()
    page = client.get(f"/regulator/audit?head={far}").get_data(as_text=True)
    assert f"少于导出文件上的第 {mark.seq + 500} 条" in page and "已断开" in page
    monkeypatch.setenv("EXPERTPOOL_AUDIT_KEY", "")
    monkeypatch.setenv("EXPERTPOOL_INSTANCE", str(tmp_path))
    page = client.get("/regulator/audit").get_data(as_text=True)
    assert "找不到审计密钥" in page and "无法核验" in page


def test_a_missing_audit_key_gives_one_clear_page_not_a_500(
    client: FlaskClient, demo_db: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("EXPERTPOOL_AUDIT_KEY", "")
    monkeypatch.setenv("EXPERTPOOL_INSTANCE", str(tmp_path))
    token = csrf_token(client, "/login")
    resp = client.post("/login", data={"csrf_token": token, "username": "rsj", "password": "x"})
    assert resp.status_code == 503
    page = resp.get_data(as_text=True)
    assert "找不到审计密钥" in page and "Traceback" not in page

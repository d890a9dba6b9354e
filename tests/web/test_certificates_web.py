"""抽取证明 on the web: downloads beside the package and result, the regulator's third
verdict, the upload check with an optional certificate, the backfill page and its job."""

from __future__ import annotations

import hashlib
import io
import json

from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import Engine, delete, select

from expertpool.db import make_session_factory, session_scope
from expertpool.models import Meeting, PanelCertificate
from expertpool.seeds import SeedSequence
from expertpool.services import panels as svc
from expertpool.services.panels import certificates as certs
from tests.builders import RSJ, S01, SMALL_RULES, ZJJ, small_meeting
from tests.fixtures.web import csrf_token, do_login


def _drawn(db: Engine) -> int:
    with session_scope(make_session_factory(db)) as s:
        return svc.draw_meeting(s, small_meeting(s, S01), ZJJ, seeds=SeedSequence("web")).id


def _stored(db: Engine, panel_id: int) -> bytes:
    with session_scope(make_session_factory(db)) as s:
        row = s.scalars(select(PanelCertificate).where(PanelCertificate.panel_id == panel_id)).one()
        return row.cert_json.encode("utf-8")


def test_office_and_regulator_download_the_certificate_beside_the_files(
    client: FlaskClient, demo_db: Engine
) -> None:
    panel_id = _drawn(demo_db)
    stored = _stored(demo_db, panel_id)
    do_login(client, "zjj")
    page = client.get(f"/office/panels/{panel_id}").get_data(as_text=True)
    assert 'id="certificate-link"' in page and "抽取证明含首次抽取" in page
    resp = client.get(f"/office/panels/{panel_id}/certificate.json")
    assert resp.status_code == 200 and resp.data == stored
    assert "certificate" in resp.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(client.get(f"/office/panels/{panel_id}/export.xlsx").data))
    info = book.worksheets[-1]
    labels = {row[0].value: row[1].value for row in info.iter_rows() if row[0].value}
    assert labels["抽取证明SHA-256"] == hashlib.sha256(stored).hexdigest()
    assert labels["抽取证明所含步骤"] == "首次抽取"
    do_login(client, "jianguan")
    resp = client.get(f"/regulator/panels/{panel_id}/certificate.json")
    assert resp.status_code == 200 and resp.data == stored
    # Other committees' offices and unit accounts are refused.
    do_login(client, "scjg")
    assert client.get(f"/office/panels/{panel_id}/certificate.json").status_code in (403, 404)
    do_login(client, "dlut")
    for url in (
        f"/office/panels/{panel_id}/certificate.json",
        f"/regulator/panels/{panel_id}/certificate.json",
    ):
        assert client.get(url).status_code == 403


def test_the_regulator_page_shows_the_third_verdict(client: FlaskClient, demo_db: Engine) -> None:
    panel_id = _drawn(demo_db)
    do_login(client, "jianguan")
    page = client.get(f"/regulator/panels/{panel_id}").get_data(as_text=True)
    assert 'id="verdict-proof"' in page and "抽取证明" in page
    assert '<span class="badge badge-green">已证明</span>' in page
    # A certificate changed behind the app: 未证明, with the checker's reason.
    with session_scope(make_session_factory(demo_db)) as s:
        row = s.scalars(select(PanelCertificate)).one()
        cert = json.loads(row.cert_json)
        cert["rejections"] = cert["rejections"][1:]
        row.cert_json = json.dumps(cert, ensure_ascii=False)
    page = client.get(f"/regulator/panels/{panel_id}").get_data(as_text=True)
    assert '<span class="badge badge-red">未证明</span>' in page and 'id="proof-reason"' in page
    # A panel stored before certificates: 未证明, and why.
    with session_scope(make_session_factory(demo_db)) as s:
        s.execute(delete(PanelCertificate))
    page = client.get(f"/regulator/panels/{panel_id}").get_data(as_text=True)
    assert "未证明" in page and "尚未生成抽取证明" in page


def _upload(client: FlaskClient, token: str, package: bytes, result: bytes, cert: bytes | None):
    data = {
        "csrf_token": token,
        "package": (io.BytesIO(package), "p.json"),
        "result": (io.BytesIO(result), "r.json"),
    }
    if cert is not None:
        data["certificate"] = (io.BytesIO(cert), "c.json")
    return client.post("/regulator/verify", data=data, content_type="multipart/form-data")


def test_the_upload_check_accepts_an_optional_certificate(
    client: FlaskClient, demo_db: Engine
) -> None:
    panel_id = _drawn(demo_db)
    do_login(client, "jianguan")
    package = client.get(f"/regulator/panels/{panel_id}/package.json").data
    result = client.get(f"/regulator/panels/{panel_id}/result.json").data
    cert = client.get(f"/regulator/panels/{panel_id}/certificate.json").data
    token = csrf_token(client, "/regulator/verify")
    page = _upload(client, token, package, result, None).get_data(as_text=True)
    assert "结论：评委会合规" in page and 'id="verdict-proof"' not in page
    page = _upload(client, token, package, result, cert).get_data(as_text=True)
    assert '<span class="badge badge-green">已证明</span>' in page and "抽取证明文件" in page
    tampered = json.loads(cert)
    tampered["rejections"] = tampered["rejections"][1:]
    bad = json.dumps(tampered, ensure_ascii=False).encode()
    page = _upload(client, token, package, result, bad).get_data(as_text=True)
    assert '<span class="badge badge-red">未证明</span>' in page and 'id="proof-reason"' in page
    assert "结论：评委会合规" in page  # the other two verdicts are unaffected
    page = _upload(client, token, package, result, b"[1, 2").get_data(as_text=True)
    assert "未证明" in page and "Traceback" not in page


def test_the_backfill_page_starts_the_job_and_shows_progress(
    client: FlaskClient, demo_db: Engine
) -> None:
    panel_id = _drawn(demo_db)
    with session_scope(make_session_factory(demo_db)) as s:
        s.execute(delete(PanelCertificate))
    do_login(client, "rsj")
    page = client.get("/certificates/").get_data(as_text=True)
    assert "抽取证明补发" in page and 'id="coverage-missing">1份' in page
    token = csrf_token(client, "/certificates/")
    resp = client.post("/certificates/backfill", data={"csrf_token": token})
    assert resp.status_code == 302  # JOBS_INLINE: the job ran right after the request
    page = client.get("/certificates/").get_data(as_text=True)
    assert 'id="coverage-missing">0份' in page and "补发进度" in page and "已完成" in page
    do_login(client, "jianguan")
    page = client.get(f"/regulator/panels/{panel_id}").get_data(as_text=True)
    assert '<span class="badge badge-green">已证明</span>' in page
    assert "后台任务补发生成抽取证明" in client.get(f"/regulator/meetings/{S01}").get_data(
        as_text=True
    )


def test_season_panel_pages_say_they_are_proven_by_replay(
    client: FlaskClient, demo_db: Engine
) -> None:
    from expertpool.services.season import build_season, season_bytes
    from solver.season.package import parse_season
    from solver.season.plan import plan_season

    with session_scope(make_session_factory(demo_db)) as s:
        for m in s.scalars(select(Meeting).where(Meeting.year == 2024)):
            m.settings = dict(SMALL_RULES) if m.committee.level == "senior" else {"panel_size": 5}
        s.flush()
        data = season_bytes(build_season(s, 2024))
        stored = svc.store_plan(s, 2024, data, plan_season(parse_season(data), "seed-1"), RSJ)
        panel = next(p for p in stored if p.meeting.code == S01)
        panel_id = panel.id
        assert certs.stored(s, panel) == []
    do_login(client, "jianguan")
    page = client.get(f"/regulator/panels/{panel_id}").get_data(as_text=True)
    assert "抽取证明：年度联合抽取的名单以复现核验" in page
    do_login(client, "zjj")
    page = client.get(f"/office/panels/{panel_id}").get_data(as_text=True)
    assert "抽取证明：年度联合抽取的名单以复现核验" in page

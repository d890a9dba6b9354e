"""The meeting-day pages: 签到, votes by tally sheet with one bad row (all or nothing, row
named), close, exports, the regulator's read-only check and upload check, access."""

from __future__ import annotations

import io
from datetime import datetime

from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import Engine

from expertpool.db import make_session_factory, session_scope
from expertpool.seeds import SeedSequence
from expertpool.services import audit
from expertpool.services import meeting_record as mr
from expertpool.services import panels as svc
from expertpool.services.packages import find_meeting
from tests.builders import ZJJ
from tests.fixtures.web import Clock, csrf_token, do_login

S01 = "2024-S01"


def seal(db: Engine) -> None:
    with session_scope(make_session_factory(db)) as s:
        meeting = find_meeting(s, S01)
        meeting.settings = {"panel_size": 11, "min_full_senior_share": "1/4"}
        s.flush()
        panel = svc.draw_meeting(s, meeting, ZJJ, seeds=SeedSequence("md"))
        svc.seal(s, panel, ZJJ)


def test_meeting_day_flow(client: FlaskClient, demo_db: Engine, clock: Clock) -> None:
    seal(demo_db)
    clock.now = datetime(2024, 10, 22, 9, 0)
    do_login(client, "zjj")
    base = f"/meetingday/{S01}"
    token = csrf_token(client, base)
    assert client.post(f"{base}/open", data={"csrf_token": token}).status_code == 302
    page = client.get(base).get_data(as_text=True)
    codes = sorted({p.split('"')[0] for p in page.split('name="att_')[1:]})
    assert len(codes) == 11
    form = {"csrf_token": token, "version": "1"}
    form |= {f"att_{c}": "present" for c in codes}
    form |= {f"att_{codes[0]}": "absent", f"reason_{codes[0]}": "因病"}
    assert client.post(f"{base}/attendance", data=form).status_code == 302
    # the tally sheet with one bad row: nothing saved, the row named
    data = client.get(f"{base}/tally-template.xlsx").data
    wb = load_workbook(io.BytesIO(data))
    ws = wb.active
    assert ws is not None
    with session_scope(make_session_factory(demo_db)) as s:
        meeting = find_meeting(s, S01)
        day = mr.open_day(s, meeting)
        voters = {a.code: mr.voters(day, a) for a in meeting.applicants}
    rows = list(ws.iter_rows(min_row=2))
    for r in rows:
        r[2].value, r[3].value, r[4].value = 0, voters[str(r[0].value)], 0
    rows[1][2].value = 5  # 5 yes more than the voters
    out = io.BytesIO()
    wb.save(out)
    page = client.get(base).get_data(as_text=True)
    version = page.split('name="version" value="')[1].split('"')[0]
    resp = client.post(
        f"{base}/tally",
        data={
            "csrf_token": token,
            "version": version,
            "file": (io.BytesIO(out.getvalue()), "t.xlsx"),
        },
        content_type="multipart/form-data",
    )
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "第3行" in text and "全部未保存" in text
    rows[1][2].value = 0
    out = io.BytesIO()
    wb.save(out)
    resp = client.post(
        f"{base}/tally",
        data={
            "csrf_token": token,
            "version": version,
            "file": (io.BytesIO(out.getvalue()), "t.xlsx"),
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302, resp.get_data(as_text=True).split('role="alert">')[1][:300]
    # a stale save is refused with a message
    resp = client.post(f"{base}/votes", data={"csrf_token": token, "version": version})
    assert "其他人已在您打开页面之后修改" in resp.get_data(as_text=True)
    page = client.get(base).get_data(as_text=True)
    version = page.split('name="version" value="')[1].split('"')[0]
    resp = client.post(
        f"{base}/close",
        data={"csrf_token": token, "version": version, "ended_on": "2024-10-22"},
    )
    assert resp.status_code == 302
    page = client.get(base).get_data(as_text=True)
    assert "已结束" in page and "逐条核验" in page and "不通过]" not in page
    record = client.get(f"{base}/record.json")
    assert record.status_code == 200 and b"expertpool.meeting/1" in record.data
    results = client.get(f"{base}/results.xlsx")
    assert results.status_code == 200
    summary = client.get(f"{base}/summary").get_data(as_text=True)
    assert "书面总结" in summary
    # each export carries the audit chain's head after its own audit event
    record_head = audit.parse_mark(record.headers["X-Expertpool-Audit-Head"])
    info = load_workbook(io.BytesIO(results.data))["导出信息"]
    assert info["A1"].value == "审计链头（导出时）"
    results_head = audit.parse_mark(str(info["B1"].value).split("　")[-1])
    summary_head = audit.parse_mark(
        summary.split('id="audit-head">')[1].split("</p>")[0].split("　")[-1]
    )
    assert record_head.seq < results_head.seq < summary_head.seq
    # the regulator: read-only page and the upload check
    client.get("/logout")
    do_login(client, "jianguan")
    page = client.get(base).get_data(as_text=True)
    assert "逐条核验" in page and "保存签到" not in page
    with session_scope(make_session_factory(demo_db)) as s:
        panel = svc.current_panel(s, find_meeting(s, S01))
        assert panel is not None
        pkg, res = svc.package_of(panel), svc.result_bytes(panel)
    token = csrf_token(client, "/meetingday/verify")
    resp = client.post(
        "/meetingday/verify",
        data={
            "csrf_token": token,
            "package": (io.BytesIO(pkg), "p.json"),
            "panel": (io.BytesIO(res), "r.json"),
            "record": (io.BytesIO(record.data), "m.json"),
        },
        content_type="multipart/form-data",
    )
    assert "核验通过" in resp.get_data(as_text=True)
    resp = client.post(
        "/meetingday/verify",
        data={
            "csrf_token": token,
            "package": (io.BytesIO(pkg), "p.json"),
            "panel": (io.BytesIO(res), "r.json"),
            "record": (io.BytesIO(b"{}"), "m.json"),
        },
        content_type="multipart/form-data",
    )
    assert "无法核验：format" in resp.get_data(as_text=True)


def test_other_offices_get_404(client: FlaskClient, demo_db: Engine) -> None:
    seal(demo_db)
    do_login(client, "scjg")
    assert client.get(f"/meetingday/{S01}").status_code == 404


def test_the_office_edits_the_vote_rules(
    client: FlaskClient, demo_db: Engine, clock: Clock
) -> None:
    seal(demo_db)
    clock.now = datetime(2024, 10, 22, 9, 0)
    do_login(client, "zjj")
    base = f"/meetingday/{S01}"
    token = csrf_token(client, base)
    page = client.get(base).get_data(as_text=True)
    assert 'id="rules"' in page and "默认 2/3" in page and "默认 全部申报人" in page
    assert "人社部令第40号：同意票数达到出席评审专家总数三分之二以上" in page
    assert "大人社发〔2024〕45号 五(二)" in page
    assert client.post(f"{base}/open", data={"csrf_token": token}).status_code == 302
    with session_scope(make_session_factory(demo_db)) as s:
        meeting = find_meeting(s, S01)
        day = mr.open_day(s, meeting)
        codes = [x.expert.code for x in mr.seated(s, day)]
        mr.save_attendance(
            s, meeting, {c: mr.Mark(True) for c in codes}, ZJJ, clock.now.date(), version=None
        )
        votes = {}
        for app in meeting.applicants:
            n = mr.voters(day, app)
            votes[app.code] = mr.Counts((n + 1) // 2, n - (n + 1) // 2, 0)
        mr.save_votes(s, meeting, votes, ZJJ, version=None)
    page = client.get(base).get_data(as_text=True)
    assert '<td class="vote-result">通过' not in page
    form = {
        "csrf_token": token,
        "quorum_share": "2/3",
        "pass_share": "3/2",
        "max_pass_rate": "1/2",
        "pass_rate_counts": "all",
    }
    resp = client.post(f"{base}/rules", data=form)
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "通过所需同意票应大于0且不超过1" in text
    form |= {"pass_share": "1/2", "max_pass_rate": ""}
    assert client.post(f"{base}/rules", data=form).status_code == 302
    page = client.get(base).get_data(as_text=True)
    assert '<td class="vote-result">通过' in page and "已修改" in page
    version = page.split('name="version" value="')[1].split('"')[0]
    resp = client.post(
        f"{base}/close",
        data={"csrf_token": token, "version": version, "ended_on": "2024-10-22"},
    )
    assert resp.status_code == 302
    page = client.get(base).get_data(as_text=True)
    assert "不通过]" not in page and 'name="pass_share"' not in page
    doc = client.get(f"{base}/record.json").get_json(force=True)
    assert doc["rules"] == {
        "quorum_share": "2/3",
        "pass_share": "1/2",
        "max_pass_rate": None,
        "pass_rate_counts": "all",
    }
    assert all(v["passed"] for v in doc["votes"])
    assert client.post(f"{base}/rules", data=form).status_code == 200  # closed: refused

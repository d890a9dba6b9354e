"""Committee office screens: own committees only, import, conflicts, rules, draw → seal → export."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine, func, select

from expertpool.db import make_session_factory, session_scope
from expertpool.models import Applicant, AuditEvent, Conflict, Meeting, Panel
from expertpool.services import meeting_settings as settings_svc
from expertpool.services import panels as svc
from expertpool.services.applicants import HEADERS
from solver.contract import Package
from solver.engine import verify
from solver.package import parse_package
from tests.builders import S01, S02, small_rules
from tests.fixtures.web import csrf_token, do_login, draw_via_web
from tests.solver import brute


def xlsx(rows: list[list[str]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "申报人"
    ws.append([f"{h}*" if h in ("姓名", "工作单位", "申报专业") else h for h in HEADERS])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_office_sees_and_draws_only_its_own_committees(
    client: FlaskClient, demo_db: Engine
) -> None:
    small_rules(demo_db, S01, S02)
    do_login(client, "zjj")
    page = client.get("/office/").get_data(as_text=True)
    assert S01 in page and S02 not in page
    assert client.get(f"/office/meetings/{S02}").status_code == 404
    assert client.get(f"/office/meetings/{S02}/rules").status_code == 404
    token = csrf_token(client, f"/office/meetings/{S01}")
    assert (
        client.post(f"/office/meetings/{S02}/draw", data={"csrf_token": token}).status_code == 404
    )
    panel_id = draw_via_web(client, S01)
    assert client.get(f"/office/panels/{panel_id}").status_code == 200

    do_login(client, "scjg")
    page = client.get("/office/").get_data(as_text=True)
    assert S02 in page and S01 not in page
    for path in (
        f"/office/panels/{panel_id}",
        f"/office/panels/{panel_id}/package.json",
        f"/office/panels/{panel_id}/result.json",
        f"/office/meetings/{S01}/panel",
    ):
        assert client.get(path).status_code == 404, path
    token = csrf_token(client, f"/office/meetings/{S02}")
    resp = client.post(
        f"/office/panels/{panel_id}/decline",
        data={"csrf_token": token, "expert": "E000001", "reason": "x"},
    )
    assert resp.status_code == 404
    assert (
        client.post(f"/office/panels/{panel_id}/seal", data={"csrf_token": token}).status_code
        == 404
    )


def test_units_and_bureau_see_no_panel(client: FlaskClient, demo_db: Engine) -> None:
    small_rules(demo_db, S01)
    do_login(client, "zjj")
    panel_id = draw_via_web(client)
    for user in ("dlut", "rsj"):
        do_login(client, user)
        for path in (
            "/office/",
            f"/office/panels/{panel_id}",
            f"/office/panels/{panel_id}/result.json",
            f"/regulator/panels/{panel_id}",
            f"/regulator/panels/{panel_id}/result.json",
        ):
            assert client.get(path).status_code == 403, (user, path)


# The office's flow for one meeting, step by step: rules → applicant import → conflict →
# draw → decline → seal → export. Each step is a fixture on top of the previous one, and
# each test checks the behaviour of one step.


def _rules_form(demo_db: Engine, token: str) -> dict[str, str]:
    with session_scope(make_session_factory(demo_db)) as s:
        meeting = s.scalar(select(Meeting).where(Meeting.code == S01))
        demand = settings_svc.level_defaults(meeting, 11)["specialty_demand"]
    return {
        "csrf_token": token,
        "panel_size": "12",
        "alternates": "3",
        "min_rank": "副高级",
        "min_full_senior_share": "1/4",
        "max_per_unit": "3",
        "recuse_same_unit": "y",
        "min_voters_share": "2/3",
        "min_specialist_voters": "1",
        "max_consecutive_years": "3",
        **{f"spec_{k}": str(v) for k, v in demand.items()},
    }


def _applicant_count(demo_db: Engine) -> int:
    with session_scope(make_session_factory(demo_db)) as s:
        meeting = s.scalar(select(Meeting).where(Meeting.code == S01))
        return s.scalar(
            select(func.count()).select_from(Applicant).where(Applicant.meeting_id == meeting.id)
        )


def _specialty(demo_db: Engine) -> str:
    with session_scope(make_session_factory(demo_db)) as s:
        return s.scalar(select(Meeting).where(Meeting.code == S01)).committee.specialties[0]


@pytest.fixture
def office(client: FlaskClient, demo_db: Engine) -> FlaskClient:
    """The test client logged in as zjj, S01's office."""
    do_login(client, "zjj")
    return client


@pytest.fixture
def rules_saved(office: FlaskClient, demo_db: Engine) -> FlaskClient:
    """S01's rules saved through the rules form (11 seats, a quarter 正高级)."""
    form = _rules_form(demo_db, csrf_token(office, f"/office/meetings/{S01}/rules"))
    resp = office.post(f"/office/meetings/{S01}/rules", data=dict(form, panel_size="11"))
    assert resp.status_code == 302
    return office


@pytest.fixture
def applicant_id(rules_saved: FlaskClient, demo_db: Engine) -> int:
    """One applicant imported into S01 from a valid workbook; its id."""
    token = csrf_token(rules_saved, f"/office/meetings/{S01}")
    good = xlsx([["王小明", "大连测试单位", "", _specialty(demo_db), "工程师"]])
    resp = rules_saved.post(
        f"/office/meetings/{S01}/applicants/import",
        data={"csrf_token": token, "file": (io.BytesIO(good), "a.xlsx")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    with session_scope(make_session_factory(demo_db)) as s:
        new = s.scalar(select(Applicant).where(Applicant.name == "王小明"))
        assert new is not None
        return new.id


def _declare_conflict(office: FlaskClient, applicant_id: int):  # type: ignore[no-untyped-def]
    token = csrf_token(office, f"/office/meetings/{S01}")
    return office.post(
        f"/office/meetings/{S01}/conflicts",
        data={
            "csrf_token": token,
            "expert": "E000001",
            "applicant_id": str(applicant_id),
            "reason": "师生",
        },
    )


@pytest.fixture
def conflict_declared(rules_saved: FlaskClient, applicant_id: int) -> FlaskClient:
    """A conflict of expert E000001 with the imported applicant, declared."""
    assert _declare_conflict(rules_saved, applicant_id).status_code == 302
    return rules_saved


@dataclass
class Declined:
    panel_id: int
    result: dict  # the panel as drawn
    leaving: str  # the member who declined
    after: dict  # the panel after the replacement
    page: str  # the panel page shown after the decline
    pkg: Package


@pytest.fixture
def declined(conflict_declared: FlaskClient, demo_db: Engine) -> Declined:
    """S01 drawn, and a member some alternate can replace declined."""
    office = conflict_declared
    panel_id = draw_via_web(office)
    with session_scope(make_session_factory(demo_db)) as s:
        result = svc.result_of(s.get(Panel, panel_id))
    # A member some alternate can replace (not in `uncovered`); a sole specialist's decline
    # may rightly end the panel, which test_panels covers.
    leaving = next(m for m in result["members"] if m not in result["uncovered"])
    token = csrf_token(office, f"/office/panels/{panel_id}")
    resp = office.post(
        f"/office/panels/{panel_id}/decline",
        data={"csrf_token": token, "expert": leaving, "reason": "身体原因"},
        follow_redirects=True,
    )
    with session_scope(make_session_factory(demo_db)) as s:
        p = s.get(Panel, panel_id)
        after = svc.result_of(p)
        pkg = parse_package(svc.package_of(p))
    return Declined(panel_id, result, leaving, after, resp.get_data(as_text=True), pkg)


@pytest.fixture
def sealed(conflict_declared: FlaskClient, declined: Declined) -> Declined:
    """The declined panel, sealed."""
    token = csrf_token(conflict_declared, f"/office/panels/{declined.panel_id}")
    resp = conflict_declared.post(
        f"/office/panels/{declined.panel_id}/seal", data={"csrf_token": token}
    )
    assert resp.status_code == 302
    return declined


def test_rules_page_shows_default_sources_and_stores_only_differences(
    office: FlaskClient, demo_db: Engine
) -> None:
    page = office.get(f"/office/meetings/{S01}/rules").get_data(as_text=True)
    assert "人社部令第40号" in page and "默认值出处" in page
    form = _rules_form(demo_db, csrf_token(office, f"/office/meetings/{S01}/rules"))
    bad = office.post(f"/office/meetings/{S01}/rules", data=form).get_data(as_text=True)
    assert "评委人数应为不小于3的单数" in bad
    resp = office.post(f"/office/meetings/{S01}/rules", data=dict(form, panel_size="11"))
    assert resp.status_code == 302
    with session_scope(make_session_factory(demo_db)) as s:
        meeting = s.scalar(select(Meeting).where(Meeting.code == S01))
        assert meeting.settings == {"panel_size": 11, "min_full_senior_share": "1/4"}


def test_applicant_import_lists_bad_rows_and_imports_all_or_nothing(
    rules_saved: FlaskClient, demo_db: Engine
) -> None:
    office, spec = rules_saved, _specialty(demo_db)
    before = _applicant_count(demo_db)
    token = csrf_token(office, f"/office/meetings/{S01}")
    tpl = office.get(f"/office/meetings/{S01}/applicants/template.xlsx")
    assert tpl.status_code == 200
    assert [c.value for c in load_workbook(io.BytesIO(tpl.data))["申报人"][1]][0] == "姓名*"
    bad_file = xlsx([["王小明", "大连测试单位", "", spec, ""], ["赵", "", "", "烹饪", ""]])
    page = office.post(
        f"/office/meetings/{S01}/applicants/import",
        data={"csrf_token": token, "file": (io.BytesIO(bad_file), "a.xlsx")},
        content_type="multipart/form-data",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "全部未导入" in page and "第3行「姓名」" in page and "第3行「申报专业」" in page
    good = xlsx([["王小明", "大连测试单位", "", spec, "工程师"]])
    resp = office.post(
        f"/office/meetings/{S01}/applicants/import",
        data={"csrf_token": token, "file": (io.BytesIO(good), "a.xlsx")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    with session_scope(make_session_factory(demo_db)) as s:
        new = s.scalar(select(Applicant).where(Applicant.name == "王小明"))
        assert new is not None
        assert (
            s.scalar(
                select(func.count())
                .select_from(Applicant)
                .where(Applicant.meeting_id == new.meeting_id)
            )
            == before + 1
        )


def test_conflict_is_declared_by_expert_code_within_the_pool(
    rules_saved: FlaskClient, applicant_id: int
) -> None:
    resp = _declare_conflict(rules_saved, applicant_id)
    assert resp.status_code == 302
    assert "已登记回避" in rules_saved.get(f"/office/meetings/{S01}").get_data(as_text=True)


def test_drawn_panel_passes_every_check(conflict_declared: FlaskClient) -> None:
    panel_id = draw_via_web(conflict_declared)
    page = conflict_declared.get(f"/office/panels/{panel_id}").get_data(as_text=True)
    assert "逐条核验" in page and "不通过" not in page


def test_decline_is_filled_by_the_first_fitting_alternate(declined: Declined) -> None:
    d = declined
    assert f"（{d.leaving}）请辞，由备选专家递补" in d.page
    # The contract: the first alternate, in list order, whose substitution keeps compliance.
    expected = brute.replacement(d.pkg, d.result["members"], d.leaving, d.result["alternates"])
    assert expected is not None
    assert d.after["replacements"] == [{"declined": d.leaving, "by": expected, "how": "alternate"}]
    assert d.leaving not in d.after["members"] and expected in d.after["members"]


def test_export_is_a_marked_preview_until_the_panel_is_sealed(
    conflict_declared: FlaskClient, declined: Declined
) -> None:
    client, panel_id = conflict_declared, declined.panel_id
    preview = client.get(f"/office/panels/{panel_id}/export.xlsx")
    assert preview.status_code == 200
    assert "评委名单（预览）" in load_workbook(io.BytesIO(preview.data)).sheetnames
    token = csrf_token(client, f"/office/panels/{panel_id}")
    resp = client.post(f"/office/panels/{panel_id}/seal", data={"csrf_token": token})
    assert resp.status_code == 302
    final = client.get(f"/office/panels/{panel_id}/export.xlsx")
    assert final.status_code == 200
    assert load_workbook(io.BytesIO(final.data)).sheetnames[0] == "评委名单"


def test_sealed_panel_refuses_declines(conflict_declared: FlaskClient, sealed: Declined) -> None:
    token = csrf_token(conflict_declared, f"/office/panels/{sealed.panel_id}")
    again = conflict_declared.post(
        f"/office/panels/{sealed.panel_id}/decline",
        data={"csrf_token": token, "expert": sealed.after["members"][0], "reason": "x"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "评委名单已锁定，不能再作任何修改" in again


def test_sealed_panel_exports_prints_and_verifies(
    conflict_declared: FlaskClient, sealed: Declined
) -> None:
    client, panel_id = conflict_declared, sealed.panel_id
    xl = client.get(f"/office/panels/{panel_id}/export.xlsx")
    assert xl.status_code == 200
    ws = load_workbook(io.BytesIO(xl.data))["评委名单"]
    assert [c.value for c in ws[1]][:4] == ["序号", "类别", "专家编号", "姓名"]
    assert sum(1 for r in ws.iter_rows(min_row=2) if r[1].value == "评委") == 11
    printed = client.get(f"/office/panels/{panel_id}/print").get_data(as_text=True)
    assert "参会评委名单" in printed and "office.css" in printed
    package = client.get(f"/office/panels/{panel_id}/package.json").data
    panel_file = client.get(f"/office/panels/{panel_id}/result.json").data
    assert verify(package, panel_file).ok
    assert json.loads(panel_file)["format"] == "expertpool.panel/1"


def test_every_office_step_is_audited(
    conflict_declared: FlaskClient, sealed: Declined, demo_db: Engine
) -> None:
    client = conflict_declared
    client.get(f"/office/panels/{sealed.panel_id}")  # panel_view
    assert client.get(f"/office/panels/{sealed.panel_id}/export.xlsx").status_code == 200
    with session_scope(make_session_factory(demo_db)) as s:
        actions = [
            a for (a,) in s.execute(select(AuditEvent.action).where(AuditEvent.username == "zjj"))
        ]
    for action in (
        "draw",
        "panel_view",
        "panel_decline",
        "panel_seal",
        "panel_export",
        "import",
        "settings",
    ):
        assert action in actions, action


def test_regulator_cannot_post_to_other_blueprints(
    client: FlaskClient, demo_db: Engine, app: Flask
) -> None:
    do_login(client, "jianguan")
    token = csrf_token(client, "/regulator/verify")
    values = {
        "code": S01,
        "panel_id": 1,
        "conflict_id": 1,
        "nomination_id": 1,
        "expert_id": 1,
        "run_id": "2024-0000000000000000",
    }
    checked = 0
    for rule in app.url_map.iter_rules():
        bp = rule.endpoint.split(".")[0]
        # auth and the year selector (workyear) are open to every logged-in role by design
        if "POST" not in rule.methods or bp in ("regulator", "auth", "static", "workyear"):
            continue
        if rule.endpoint == "meetingday.verify_upload":  # the regulator's own upload check
            continue
        if rule.endpoint == "certify.backfill":  # making missing certificates: theirs too
            continue
        url = rule.rule
        for name in rule.arguments:
            url = url.replace(f"<int:{name}>", str(values.get(name, 1))).replace(
                f"<{name}>", str(values.get(name, "x"))
            )
        resp = client.post(url, data={"csrf_token": token})
        assert resp.status_code == 403, (url, resp.status_code)
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize("user", ["zjj"])
def test_import_rejects_a_non_xlsx_file(client: FlaskClient, demo_db: Engine, user: str) -> None:
    do_login(client, user)
    token = csrf_token(client, f"/office/meetings/{S01}")
    page = client.post(
        f"/office/meetings/{S01}/applicants/import",
        data={"csrf_token": token, "file": (io.BytesIO(b"not a workbook"), "a.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "文件格式不正确" in page


def test_a_conflict_declared_after_the_draw_blocks_sealing(
    client: FlaskClient, demo_db: Engine
) -> None:
    small_rules(demo_db, S01)
    do_login(client, "zjj")
    panel_id = draw_via_web(client)
    page = client.get(f"/office/panels/{panel_id}").get_data(as_text=True)
    assert "stale-notice" not in page
    with session_scope(make_session_factory(demo_db)) as s:
        member = svc.result_of(s.get(Panel, panel_id))["members"][0]
        meeting = s.scalar(select(Meeting).where(Meeting.code == S01))
        applicant_id = s.scalar(
            select(Applicant.id).where(Applicant.meeting_id == meeting.id).limit(1)
        )
    token = csrf_token(client, f"/office/meetings/{S01}")
    resp = client.post(
        f"/office/meetings/{S01}/conflicts",
        data={
            "csrf_token": token,
            "expert": member,
            "applicant_id": str(applicant_id),
            "reason": "近亲属",
        },
    )
    assert resp.status_code == 302
    assert "已登记回避" in client.get(resp.headers["Location"]).get_data(as_text=True)
    page = client.get(f"/office/panels/{panel_id}").get_data(as_text=True)
    assert "stale-notice" in page and "回避登记已变化（新增1条" in page
    page = client.post(
        f"/office/panels/{panel_id}/seal", data={"csrf_token": token}, follow_redirects=True
    ).get_data(as_text=True)
    assert "未能锁定：抽取后以下数据有变化" in page
    with session_scope(make_session_factory(demo_db)) as s:
        assert s.get(Panel, panel_id).status == "drawn"


def test_drawing_again_over_a_compliant_draw_needs_a_reason(
    client: FlaskClient, demo_db: Engine
) -> None:
    small_rules(demo_db, S01)
    do_login(client, "zjj")
    first = draw_via_web(client)
    page = client.get(f"/office/meetings/{S01}").get_data(as_text=True)
    assert 'id="redraw-reason"' in page
    token = csrf_token(client, f"/office/meetings/{S01}")
    page = client.post(
        f"/office/meetings/{S01}/draw", data={"csrf_token": token}, follow_redirects=True
    ).get_data(as_text=True)
    assert "未能抽取：请填写重新抽取的原因" in page
    with session_scope(make_session_factory(demo_db)) as s:
        assert s.get(Panel, first).status == "drawn"
    second = draw_via_web(client, reason="申报人名单有变化")
    assert second != first
    do_login(client, "jianguan")
    page = client.get(f"/regulator/meetings/{S01}").get_data(as_text=True)
    assert "申报人名单有变化" in page
    with session_scope(make_session_factory(demo_db)) as s:
        assert s.get(Panel, first).status == "void"
        event = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "draw").order_by(AuditEvent.id.desc())
        ).first()
        assert event.detail["reason"] == "申报人名单有变化" and event.detail["voided"] == first


def test_an_applicant_imported_by_mistake_can_be_removed_until_sealed(
    client: FlaskClient, demo_db: Engine
) -> None:
    small_rules(demo_db, S01)
    with session_scope(make_session_factory(demo_db)) as s:
        meeting = s.scalar(select(Meeting).where(Meeting.code == S01))
        conflict = s.scalars(
            select(Conflict).where(Conflict.meeting_id == meeting.id).order_by(Conflict.id)
        ).first()
        applicant_id, code = conflict.applicant_id, conflict.applicant.code
        before = s.scalar(
            select(func.count()).select_from(Applicant).where(Applicant.meeting_id == meeting.id)
        )
    do_login(client, "zjj")
    panel_id = draw_via_web(client)
    token = csrf_token(client, f"/office/meetings/{S01}")
    page = client.post(
        f"/office/meetings/{S01}/applicants/{applicant_id}/delete",
        data={"csrf_token": token},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert f"已删除申报人 {code}" in page
    with session_scope(make_session_factory(demo_db)) as s:
        assert s.get(Applicant, applicant_id) is None
        assert s.scalar(select(Conflict).where(Conflict.applicant_id == applicant_id)) is None
        assert (
            s.scalar(
                select(func.count())
                .select_from(Applicant)
                .where(Applicant.meeting_id == s.get(Panel, panel_id).meeting_id)
            )
            == before - 1
        )
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event.detail["what"] == "删除申报人" and event.detail["applicant"] == code
    # The draw saw that applicant: it is out of date now.
    assert "申报人已变化" in client.get(f"/office/panels/{panel_id}").get_data(as_text=True)
    again = client.post(
        f"/office/meetings/{S01}/applicants/{applicant_id}/delete",
        data={"csrf_token": token},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "未能删除：该申报人不存在" in again


def test_high_skill_applicants_counted_by_specialty(client: FlaskClient, demo_db: Engine) -> None:
    do_login(client, "zjj")
    page = client.get(f"/office/meetings/{S01}").get_data(as_text=True)
    assert "高技能人才申报人（按专业）" not in page  # none yet: no table
    with session_scope(make_session_factory(demo_db)) as s:
        meeting = s.scalar(select(Meeting).where(Meeting.code == S01))
        assert meeting is not None
        apps = meeting.applicants
        specialty = apps[0].specialty
        same = [a for a in apps if a.specialty == specialty][:2]
        for a in same:
            a.high_skill, a.skill_level = True, "高级技师"
        expected = len(same)
    page = client.get(f"/office/meetings/{S01}").get_data(as_text=True)
    assert "高技能人才申报人（按专业）" in page
    table = page.split('id="high-skill-list"')[1].split("</table>")[0]
    assert f'<tr><td>{specialty}</td><td class="num">{expected}</td></tr>' in table
    assert table.count("<tr><td>") == 1  # specialties without one are left out


def test_every_panel_export_prints_the_audit_head_that_a_later_truncation_fails(
    conflict_declared: FlaskClient, sealed: Declined, demo_db: Engine
) -> None:
    """The xlsx, the print view and the package download each carry the chain's head after
    their own audit event; cutting the chain short afterwards fails against any of them."""
    from sqlalchemy import text

    from expertpool.services import audit

    client, panel_id = conflict_declared, sealed.panel_id
    info = load_workbook(io.BytesIO(client.get(f"/office/panels/{panel_id}/export.xlsx").data))
    cells = {r[0].value: r[1].value for r in info["抽取信息"].iter_rows()}
    from_xlsx = audit.parse_mark(str(cells["审计链头（导出时）"]).split("　")[-1])
    printed = client.get(f"/office/panels/{panel_id}/print").get_data(as_text=True)
    from_print = audit.parse_mark(
        printed.split('id="audit-head">')[1].split("</p>")[0].split("　")[-1]
    )
    package = client.get(f"/office/panels/{panel_id}/package.json")
    from_package = audit.parse_mark(package.headers["X-Expertpool-Audit-Head"])
    assert from_xlsx.seq < from_print.seq < from_package.seq  # each names its own export
    with make_session_factory(demo_db)() as s:
        events = list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        assert events[from_package.seq - 1].action == "panel_export"
        assert audit.verify_chain(s, against=from_package).intact
    keep = events[from_xlsx.seq - 2]  # cut the chain to before the xlsx export
    with demo_db.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id > :i"), {"i": keep.id})
        conn.execute(
            text("UPDATE audit_head SET seq = :s, last_hash = :h"),
            {"s": from_xlsx.seq - 1, "h": keep.hash},
        )
    with make_session_factory(demo_db)() as s:
        for mark in (from_xlsx, from_print, from_package):
            report = audit.verify_chain(s, against=mark)
            assert not report.intact

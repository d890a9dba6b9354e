"""Issue 14 (office part): rule settings checked when saved, the diagnosis naming the sum of
the specialty minimums, distinct download names, the shortfall JSON as an attachment."""

from __future__ import annotations

import io
import json
import re

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import Engine, select

from expertpool.db import make_session_factory, session_scope
from expertpool.models import AuditEvent, Meeting, Panel
from expertpool.services import panels as svc
from expertpool.services.nominations import MAX_TEXT
from expertpool.services.packages import pool_experts
from expertpool.spreadsheet import MAX_FILE_BYTES
from tests.builders import S01, SMALL_RULES, small_rules
from tests.fixtures.web import csrf_token, do_login, draw_via_web

# The office flow's fixtures (rules → import → conflict → draw → decline → seal), taken by
# name through `request.getfixturevalue`.
from tests.web.test_office import (  # noqa: F401
    Declined,
    applicant_id,
    conflict_declared,
    declined,
    office,
    rules_saved,
    sealed,
)
from tests.web.test_office import xlsx as applicants_xlsx


def _meeting_settings(db: Engine) -> dict[str, object]:
    with session_scope(make_session_factory(db)) as s:
        meeting = s.scalar(select(Meeting).where(Meeting.code == S01))
        assert meeting is not None
        return dict(meeting.settings or {})


def _specialties(db: Engine) -> list[str]:
    with session_scope(make_session_factory(db)) as s:
        meeting = s.scalar(select(Meeting).where(Meeting.code == S01))
        assert meeting is not None
        return list(meeting.committee.specialties)


def _rules_form(client: FlaskClient, **extra: str) -> dict[str, str]:
    html = client.get(f"/office/meetings/{S01}/rules").get_data(as_text=True)
    form = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html))
    form.pop("recuse_same_unit", None)
    form["min_rank"] = "副高级"
    form["csrf_token"] = csrf_token(client, f"/office/meetings/{S01}/rules")
    return {**form, **extra}


def test_specialty_minimums_above_the_seats_are_refused_with_the_sum(
    client: FlaskClient, demo_db: Engine
) -> None:
    small_rules(demo_db, S01)
    do_login(client, "zjj")
    before = _meeting_settings(demo_db)
    specs = _specialties(demo_db)
    # Demo experts list one specialty each: 12 minimums on 11 seats can never be met.
    demand = {f"spec_{s}": "" for s in specs} | {f"spec_{specs[0]}": "6", f"spec_{specs[1]}": "6"}
    resp = client.post(f"/office/meetings/{S01}/rules", data=_rules_form(client, **demand))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "各专业最低人数合计12人，超过评委人数11人" in page
    assert _meeting_settings(demo_db) == before  # nothing saved


def test_a_unit_cap_the_pool_cannot_fill_names_the_numbers(
    client: FlaskClient, demo_db: Engine
) -> None:
    small_rules(demo_db, S01)
    do_login(client, "zjj")
    before = _meeting_settings(demo_db)
    with session_scope(make_session_factory(demo_db)) as s:
        meeting = s.scalar(select(Meeting).where(Meeting.code == S01))
        assert meeting is not None
        pool = pool_experts(s, meeting.committee)
        units = len({e.unit_id for e in pool})
    seats = units + 1 if units % 2 == 0 else units + 2  # odd, above what one per unit gives
    form = _rules_form(client, max_per_unit="1", panel_size=str(seats))
    page = client.post(f"/office/meetings/{S01}/rules", data=form).get_data(as_text=True)
    assert (
        f"同一单位评委上限1名，专家库中的{len(pool)}名专家来自{units}个单位，"
        f"最多只能组成{units}人，少于评委人数{seats}人，请调整"
    ) in page
    assert _meeting_settings(demo_db) == before


def test_an_infeasible_draw_says_the_specialty_sum(client: FlaskClient, demo_db: Engine) -> None:
    specs = _specialties(demo_db)
    with session_scope(make_session_factory(demo_db)) as s:
        meeting = s.scalar(select(Meeting).where(Meeting.code == S01))
        assert meeting is not None
        # Stored before the save-time check existed (or through the CLI's package).
        meeting.settings = {**SMALL_RULES, "specialty_demand": {specs[0]: 6, specs[1]: 6}}
    do_login(client, "zjj")
    panel_id = draw_via_web(client)
    page = client.get(f"/office/panels/{panel_id}").get_data(as_text=True)
    assert "无法抽取" in page
    assert "各专业最低人数合计12人，超过评委人数11人" in page


def test_package_and_result_downloads_have_distinct_names(
    client: FlaskClient, demo_db: Engine
) -> None:
    small_rules(demo_db, S01)
    do_login(client, "zjj")
    panel_id = draw_via_web(client)
    package = client.get(f"/office/panels/{panel_id}/package.json")
    result = client.get(f"/office/panels/{panel_id}/result.json")
    p_disp = package.headers["Content-Disposition"]
    r_disp = result.headers["Content-Disposition"]
    assert f'filename="{S01}-package-{panel_id}.json"' in p_disp
    assert f'filename="{S01}-panel-{panel_id}.json"' in r_disp
    assert "filename*=UTF-8''" in p_disp and "filename*=UTF-8''" in r_disp
    assert p_disp != r_disp


def test_shortfall_json_is_an_attachment(client: FlaskClient, demo_db: Engine) -> None:
    do_login(client, "rsj")
    resp = client.get("/bureau/dashboard/shortfall.json")
    assert resp.status_code == 200
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="2024-shortfall.json"' in disposition
    assert resp.get_json() is not None


# -- limits: the page's limits are the server's, and a too-large request says which form --


def test_recommendation_maxlength_is_the_servers_limit(
    client: FlaskClient, demo_db: Engine
) -> None:
    do_login(client, "dlut")
    html = client.get("/unit/new").get_data(as_text=True)
    area = re.search(r"<textarea[^>]*name=\"recommendation\"[^>]*>", html)
    assert area is not None
    assert f'maxlength="{MAX_TEXT}"' in area.group(0)
    assert f"最多{MAX_TEXT}字" in html  # the counter under the field
    upload = re.search(
        r'<input[^>]*type="file"[^>]*>', client.get("/unit/import").get_data(as_text=True)
    )
    assert upload is not None and f'data-max-bytes="{MAX_FILE_BYTES}"' in upload.group(0)


def test_upload_input_carries_the_servers_file_limit(client: FlaskClient, demo_db: Engine) -> None:
    do_login(client, "zjj")
    html = client.get(f"/office/meetings/{S01}").get_data(as_text=True)
    upload = re.search(r'<input[^>]*type="file"[^>]*>', html)
    assert upload is not None
    assert f'data-max-bytes="{MAX_FILE_BYTES}"' in upload.group(0)
    assert 'accept=".xlsx"' in upload.group(0)


def test_too_long_text_gets_a_413_naming_the_form_with_a_way_back(
    client: FlaskClient, demo_db: Engine
) -> None:
    do_login(client, "dlut")
    token = csrf_token(client, "/unit/new")
    resp = client.post("/unit/new", data={"csrf_token": token, "recommendation": "好" * 700_000})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 413
    assert "提交的“专家推荐表”超过大小限制" in page
    assert '<a href="/unit/new" id="back-to-form">返回专家推荐表</a>' in page
    assert "5 MB" in page and "Traceback" not in page


def test_too_large_upload_goes_back_to_the_page_it_came_from(
    client: FlaskClient, demo_db: Engine
) -> None:
    do_login(client, "zjj")
    token = csrf_token(client, f"/office/meetings/{S01}")
    big = b"PK" + b"0" * (MAX_FILE_BYTES + 300 * 1024)
    body = io.BytesIO(
        b'--B\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        + token.encode()
        + b'\r\n--B\r\nContent-Disposition: form-data; name="file"; filename="a.xlsx"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n" + big + b"\r\n--B--\r\n"
    )
    # A body of our own: werkzeug's builder spools a large one to a file it never closes.
    resp = client.post(
        f"/office/meetings/{S01}/applicants/import",
        input_stream=body,
        content_length=len(body.getvalue()),
        content_type="multipart/form-data; boundary=B",
        headers={"Referer": f"http://localhost/office/meetings/{S01}"},
    )
    page = resp.get_data(as_text=True)
    assert resp.status_code == 413
    assert "提交的“申报人导入”超过大小限制" in page
    assert f'href="http://localhost/office/meetings/{S01}" id="back-to-form"' in page


# -- applicant import: errors at the top, and a redirect after the POST --


def test_applicant_import_errors_come_back_after_a_redirect_at_the_top(
    client: FlaskClient, demo_db: Engine
) -> None:
    do_login(client, "zjj")
    token = csrf_token(client, f"/office/meetings/{S01}")
    rows = [["", "", "", "烹饪", ""] for _ in range(30)]
    resp = client.post(
        f"/office/meetings/{S01}/applicants/import",
        data={"csrf_token": token, "file": (io.BytesIO(applicants_xlsx(rows)), "a.xlsx")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"/office/meetings/{S01}#import-summary")
    page = client.get(f"/office/meetings/{S01}").get_data(as_text=True)
    summary = page.index('id="import-summary"')
    assert summary < page.index('id="dates"')  # above everything else on the page
    assert "申报人未导入：共有30行数据有错误，全部未导入" in page
    assert "（共90处错误）" in page and 'href="#import-errors"' in page
    assert "第2行「姓名」" in page[summary : summary + 2000]
    assert 'id="import-errors-more"' in page  # more errors than the session keeps
    # Shown once: reopening the address gives the plain page, not a 405 or the errors again.
    again = client.get(f"/office/meetings/{S01}")
    assert again.status_code == 200
    assert 'id="import-summary"' not in again.get_data(as_text=True)


# -- exports: a marked preview before sealing; recusals and declines in print and xlsx --


def test_recusal_rows_carry_the_declared_reason_or_the_same_unit() -> None:
    package = {
        "experts": [{"id": "E1", "unit": "U1"}, {"id": "E2", "unit": "U9"}],
        "applicants": [{"id": "A1", "unit": "U1"}, {"id": "A2", "unit": "U2"}],
        "conflicts": [{"expert": "E2", "applicant": "A2", "reason": "师生"}],
    }
    result = {"recusals": {"A2": ["E2"], "A1": ["E1"]}}
    panel = Panel(package_json=json.dumps(package), result_json=json.dumps(result))
    assert svc.recusals(panel) == [
        svc.Recusal("A1", "E1", "同单位"),
        svc.Recusal("A2", "E2", "师生"),
    ]


def test_print_and_xlsx_before_sealing_are_marked_previews_with_recusals_and_declines(
    request: pytest.FixtureRequest, demo_db: Engine
) -> None:
    client: FlaskClient = request.getfixturevalue("conflict_declared")
    done: Declined = request.getfixturevalue("declined")
    panel_id = done.panel_id
    page = client.get(f"/office/panels/{panel_id}").get_data(as_text=True)
    assert 'id="export-xlsx-preview"' in page and 'id="print-preview-link"' in page
    printed = client.get(f"/office/panels/{panel_id}/print").get_data(as_text=True)
    assert "预览（未封存，不得外传）" in printed
    declines = printed[printed.index('id="print-declines"') :]
    assert done.leaving in declines and "身体原因" in declines and "备选递补" in declines
    with session_scope(make_session_factory(demo_db)) as s:
        recusals = svc.recusals(s.get(Panel, panel_id))
    assert 'id="print-recusals"' in printed
    for r in recusals:
        assert r.expert in printed and r.reason in printed
    xl = client.get(f"/office/panels/{panel_id}/export.xlsx")
    assert 'filename="2024-S01-panel-preview.xlsx"' in xl.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(xl.data))
    assert wb.sheetnames == [
        "评委名单（预览）",
        "申报人回避情况（预览）",
        "请辞与递补记录（预览）",
        "抽取信息（预览）",
    ]
    rec = wb["申报人回避情况（预览）"]
    assert [c.value for c in rec[1]] == ["申报人", "回避评委", "回避原因"]
    assert rec.max_row == max(2, len(recusals) + 1)
    dec = [[c.value for c in row] for row in wb["请辞与递补记录（预览）"].iter_rows(min_row=2)]
    assert len(dec) == 1 and dec[0][0].startswith(done.leaving) and dec[0][4] == "身体原因"
    assert wb["抽取信息（预览）"]["B1"].value == "预览（未封存，不得外传）"
    with session_scope(make_session_factory(demo_db)) as s:
        whats = [
            d.get("what")
            for (d,) in s.execute(
                select(AuditEvent.detail).where(AuditEvent.action == "panel_export")
            )
        ]
    assert "评委名单xlsx（预览，未封存）" in whats and "打印评委名单（预览，未封存）" in whats


def test_sealed_exports_are_final_with_the_same_tables(request: pytest.FixtureRequest) -> None:
    client: FlaskClient = request.getfixturevalue("conflict_declared")
    panel_id = request.getfixturevalue("sealed").panel_id
    printed = client.get(f"/office/panels/{panel_id}/print").get_data(as_text=True)
    assert "预览" not in printed and 'id="print-declines"' in printed
    xl = client.get(f"/office/panels/{panel_id}/export.xlsx")
    assert 'filename="2024-S01-panel.xlsx"' in xl.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(xl.data))
    assert wb.sheetnames == ["评委名单", "申报人回避情况", "请辞与递补记录", "抽取信息"]


# -- the meeting page: read-only dates once locked, stale and season-origin notices --


def test_locked_meeting_page_shows_dates_as_text(request: pytest.FixtureRequest) -> None:
    client: FlaskClient = request.getfixturevalue("conflict_declared")
    request.getfixturevalue("sealed")
    page = client.get(f"/office/meetings/{S01}").get_data(as_text=True)
    dates = page[page.index('id="dates"') : page.index('id="draw"')]
    assert 'id="dates-read-only"' in dates
    assert "<input" not in dates and "保存时间" not in dates
    assert "例会时间不能再修改" in dates


def test_meeting_page_says_the_drawn_panel_is_stale(request: pytest.FixtureRequest) -> None:
    client: FlaskClient = request.getfixturevalue("conflict_declared")
    request.getfixturevalue("declined")
    assert 'id="stale-panel"' not in client.get(f"/office/meetings/{S01}").get_data(as_text=True)
    token = csrf_token(client, f"/office/meetings/{S01}/rules")
    form = _rules_form(client, csrf_token=token, min_full_senior_share="1/3")
    assert client.post(f"/office/meetings/{S01}/rules", data=form).status_code == 302
    page = client.get(f"/office/meetings/{S01}").get_data(as_text=True)
    assert "当前名单已过期（抽取之后修改了规则），须重新抽取后才能锁定" in page


def test_meeting_page_says_the_panel_came_from_a_season_run(
    client: FlaskClient, demo_db: Engine
) -> None:
    small_rules(demo_db, S01)
    do_login(client, "zjj")
    panel_id = draw_via_web(client)
    assert 'id="season-origin"' not in client.get(f"/office/meetings/{S01}").get_data(as_text=True)
    with session_scope(make_session_factory(demo_db)) as s:
        panel = s.get(Panel, panel_id)
        assert panel is not None
        result = json.loads(panel.result_json)
        result["season"] = {"sha256": "ab" * 32, "seed": "s", "run": "2024-R03"}
        panel.result_json = json.dumps(result, ensure_ascii=False)
    page = client.get(f"/office/meetings/{S01}").get_data(as_text=True)
    assert "本名单来自市人社局年度联合抽取（运行编号 2024-R03）" in page

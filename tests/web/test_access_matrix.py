"""Every route × every role and anonymous, against one table. A route added without an entry
here fails `test_every_route_has_an_entry`; ids of other units and committees are refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from expertpool.db import make_session_factory, session_scope
from expertpool.models import Applicant, Conflict, Expert, Meeting, Nomination, Unit
from expertpool.seeds import SeedSequence
from expertpool.services import panels
from tests.builders import ZJJ
from tests.fixtures.web import csrf_token, do_login

ROLES = ("anonymous", "unit", "bureau", "office", "regulator")
USERS = {"unit": "dlut", "bureau": "rsj", "office": "zjj", "regulator": "jianguan"}

# (endpoint, method) → the roles allowed; everyone else logged in gets 403, anonymous is sent
# to the login page. `auth.*` and `static` are open to all logged-in users by design.
ALL_LOGGED_IN = {"unit", "bureau", "office", "regulator"}
MATRIX: dict[tuple[str, str], set[str]] = {
    ("auth.home", "GET"): ALL_LOGGED_IN,
    ("auth.logout", "POST"): ALL_LOGGED_IN,
    ("bureau.approve", "POST"): {"bureau"},
    ("bureau.approve_batch", "POST"): {"bureau"},
    ("bureau.dashboard", "GET"): {"bureau"},
    ("bureau.expert", "GET"): {"bureau"},
    ("bureau.expert_status", "POST"): {"bureau"},
    ("bureau.nomination", "GET"): {"bureau"},
    ("bureau.pool", "GET"): {"bureau"},
    ("bureau.pool_export", "GET"): {"bureau"},
    ("bureau.queue", "GET"): {"bureau"},
    ("bureau.reject", "POST"): {"bureau"},
    ("bureau.send_back", "POST"): {"bureau"},
    ("bureau.shortfall_json", "GET"): {"bureau"},
    ("bureau.shortfall_xlsx", "GET"): {"bureau"},
    ("bureau.settings", "GET"): {"bureau"},
    ("bureau.settings", "POST"): {"bureau"},
    ("bureau.review_modes", "GET"): {"bureau"},
    ("bureau.review_modes", "POST"): {"bureau"},
    ("bureau.work_calendar", "GET"): {"bureau"},
    ("bureau.work_calendar", "POST"): {"bureau"},
    ("bureau.years", "GET"): {"bureau"},
    ("bureau.years", "POST"): {"bureau"},
    ("bureau.year_detail", "GET"): {"bureau"},
    ("bureau.year_meeting", "GET"): {"bureau"},
    ("bureau.year_meeting", "POST"): {"bureau"},
    ("bureau.year_add", "POST"): {"bureau"},
    ("bureau.year_retire", "POST"): {"bureau"},
    ("bureau.year_import", "POST"): {"bureau"},
    ("meetingday.attendance", "POST"): {"office"},
    ("meetingday.close", "POST"): {"office"},
    ("meetingday.day", "GET"): {"office", "regulator", "bureau"},
    ("meetingday.filed", "POST"): {"bureau"},
    ("meetingday.filings", "GET"): {"office", "regulator", "bureau"},
    ("meetingday.open_record", "POST"): {"office"},
    ("meetingday.record_json", "GET"): {"office", "regulator", "bureau"},
    ("meetingday.reopen", "POST"): {"bureau"},
    ("meetingday.results_xlsx", "GET"): {"office", "regulator", "bureau"},
    ("meetingday.rules", "POST"): {"office"},
    ("meetingday.summary", "GET"): {"office", "regulator", "bureau"},
    ("meetingday.tally_template", "GET"): {"office"},
    ("meetingday.tally_upload", "POST"): {"office"},
    ("meetingday.verify_upload", "GET"): {"regulator"},
    ("meetingday.verify_upload", "POST"): {"regulator"},
    ("meetingday.votes", "POST"): {"office"},
    ("notices.office_page", "GET"): {"office"},
    ("notices.record", "POST"): {"office"},
    ("notices.deadline", "POST"): {"office"},
    ("notices.template", "POST"): {"office"},
    ("notices.send", "POST"): {"office"},
    ("notices.calls", "GET"): {"office"},
    ("notices.calls_xlsx", "GET"): {"office"},
    ("notices.regulator_page", "GET"): {"regulator"},
    ("office.add_conflict", "POST"): {"office"},
    ("office.applicant_template", "GET"): {"office"},
    ("office.certificate_json", "GET"): {"office"},
    ("office.current", "GET"): {"office"},
    ("office.dates", "POST"): {"office"},
    ("office.decline", "POST"): {"office"},
    ("office.draw", "POST"): {"office"},
    ("office.draw_session", "GET"): {"office"},
    ("office.abandon_draw", "POST"): {"office"},
    ("office.export_xlsx", "GET"): {"office"},
    ("office.import_applicants", "POST"): {"office"},
    ("office.index", "GET"): {"office"},
    ("office.meeting", "GET"): {"office"},
    ("office.no_show", "POST"): {"office"},
    ("office.package_json", "GET"): {"office"},
    ("office.panel", "GET"): {"office"},
    ("office.print_view", "GET"): {"office"},
    ("office.remove_applicant", "POST"): {"office"},
    ("office.remove_conflict", "POST"): {"office"},
    ("office.result_json", "GET"): {"office"},
    ("office.rules", "GET"): {"office"},
    ("office.rules", "POST"): {"office"},
    ("office.seal", "POST"): {"office"},
    ("regulator.audit_log", "GET"): {"regulator"},
    ("regulator.certificate_json", "GET"): {"regulator"},
    ("certify.index", "GET"): {"bureau", "regulator"},
    ("certify.backfill", "POST"): {"bureau", "regulator"},
    ("regulator.index", "GET"): {"regulator"},
    ("regulator.draws", "GET"): {"regulator"},
    ("regulator.draw_session", "GET"): {"regulator"},
    ("regulator.second_part", "POST"): {"regulator"},
    ("regulator.season", "GET"): {"regulator"},
    ("regulator.meeting", "GET"): {"regulator"},
    ("regulator.package_json", "GET"): {"regulator"},
    ("regulator.panel", "GET"): {"regulator"},
    ("regulator.replay", "GET"): {"regulator"},
    ("regulator.result_json", "GET"): {"regulator"},
    ("regulator.verify_upload", "GET"): {"regulator"},
    ("regulator.verify_upload", "POST"): {"regulator"},
    ("season.draw", "POST"): {"bureau"},
    ("season.draw_session", "GET"): {"bureau"},
    ("season.rerun", "POST"): {"bureau"},
    ("jobs.status", "GET"): {"bureau", "regulator"},
    ("season.abandon_draw", "POST"): {"bureau"},
    ("season.waiver", "POST"): {"bureau"},
    ("season.index", "GET"): {"bureau"},
    ("season.run", "GET"): {"bureau"},
    ("season.store", "POST"): {"bureau"},
    ("unit.detail", "GET"): {"unit"},
    ("unit.edit", "GET"): {"unit"},
    ("unit.edit", "POST"): {"unit"},
    ("unit.import_page", "GET"): {"unit"},
    ("unit.import_page", "POST"): {"unit"},
    ("unit.index", "GET"): {"unit"},
    ("unit.new", "GET"): {"unit"},
    ("unit.new", "POST"): {"unit"},
    ("unit.template", "GET"): {"unit", "bureau"},
    ("unit.withdraw", "POST"): {"unit"},
    ("workyear.choose", "POST"): ALL_LOGGED_IN,
}
# The SMS gateway's callback: not logged in, checked by its HMAC signature instead.
OPEN = {
    ("auth.login", "GET"),
    ("auth.login", "POST"),
    ("static", "GET"),
    ("notices.sms_callback", "POST"),
}
# Routes whose object does not exist for the allowed role answer 404, not 403.
MISSING_OK = {
    ("season.run", "GET"),
    ("season.store", "POST"),
    # a meeting record not yet closed (or not begun) has nothing to export
    ("meetingday.record_json", "GET"),
    ("meetingday.results_xlsx", "GET"),
    ("meetingday.summary", "GET"),
    ("office.draw_session", "GET"),
    ("office.abandon_draw", "POST"),
    ("regulator.draw_session", "GET"),
    ("regulator.second_part", "POST"),
    ("season.draw_session", "GET"),
    ("season.abandon_draw", "POST"),
    ("season.rerun", "POST"),
    ("jobs.status", "GET"),
}


def _routes(app) -> list[tuple[str, str, str]]:
    out = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((rule.endpoint, method, rule.rule))
    return sorted(out)


def test_every_route_has_an_entry(app):
    missing = [(e, m) for e, m, _ in _routes(app) if (e, m) not in MATRIX and (e, m) not in OPEN]
    assert missing == [], f"routes without an access-matrix entry: {missing}"
    stale = [k for k in MATRIX if k not in {(e, m) for e, m, _ in _routes(app)}]
    assert stale == []


@pytest.fixture
def ids(demo_db, seeds: SeedSequence) -> dict[str, str]:
    with session_scope(make_session_factory(demo_db)) as s:
        meeting = s.scalar(select(Meeting).where(Meeting.code == "2024-S01"))
        meeting.settings = {"panel_size": 5, "min_full_senior_share": "1/5"}
        panel = panels.draw_meeting(s, meeting, ZJJ, seeds=seeds)
        assert panel.status == "drawn"
        dlut = s.scalar(select(Unit).where(Unit.name == "大连理工大学"))
        nomination = s.scalar(select(Nomination).where(Nomination.unit_id == dlut.id).limit(1))
        conflict = s.scalar(select(Conflict).where(Conflict.meeting_id == meeting.id).limit(1))
        expert = s.scalar(select(Expert).limit(1))
        applicant = s.scalar(
            select(Applicant)
            .where(Applicant.meeting_id == meeting.id)
            .order_by(Applicant.id.desc())
        )
        return {
            "applicant_id": str(applicant.id),
            "nomination_id": str(nomination.id),
            "expert_id": str(expert.id),
            "code": "2024-S01",
            "panel_id": str(panel.id),
            "conflict_id": str(conflict.id) if conflict else "1",
            "run_id": "no-such-run",
            "session_id": "999999",
            "job_id": "999999",
            "filename": "css/app.css",
            "year": "2024",
        }


def _url(rule: str, ids: dict[str, str]) -> str:
    out = rule
    for key, value in ids.items():
        for conv in ("", "int:", "path:"):
            out = out.replace(f"<{conv}{key}>", value)
    assert "<" not in out, out
    return out


def _call(client, method: str, url: str, token: str):
    if method == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": token})


def _token(client) -> str:
    from tests.fixtures.web import extract_csrf

    page = client.get("/")
    while page.status_code in (301, 302):
        page = client.get(page.headers["Location"])
    return extract_csrf(page.get_data(as_text=True))


def test_access_matrix(app, ids):
    clients = {"anonymous": app.test_client()}
    tokens = {"anonymous": csrf_token(clients["anonymous"], "/login")}
    for role, user in USERS.items():
        clients[role] = app.test_client()
        do_login(clients[role], user)
        tokens[role] = _token(clients[role])
    # Reads first, then writes (a write may change what a later read shows, never who may).
    routes = sorted(_routes(app), key=lambda r: (r[1] != "GET", r[0]))
    failures = []
    for endpoint, method, rule in routes:
        if (endpoint, method) in OPEN or endpoint == "auth.logout":
            continue
        url = _url(rule, ids)
        for role in ROLES:
            resp = _call(clients[role], method, url, tokens[role])
            code = resp.status_code
            if role == "anonymous":
                ok = code == 302 and "/login" in resp.headers.get("Location", "")
            elif role in MATRIX[(endpoint, method)]:
                ok = (
                    code < 500 and code != 403 and (code != 404 or (endpoint, method) in MISSING_OK)
                )
            else:
                ok = code == 403
            if not ok:
                failures.append(f"{role:9s} {method:4s} {url} → {code}")
    assert failures == [], "\n".join(failures)


def test_guessing_ids_of_others_is_refused(app, ids):
    other_unit = app.test_client()
    do_login(other_unit, "dlport")
    for url in (
        f"/unit/nominations/{ids['nomination_id']}",
        f"/unit/nominations/{ids['nomination_id']}/edit",
    ):
        assert other_unit.get(url).status_code in (403, 404)
    token = _token(other_unit)
    resp = other_unit.post(
        f"/unit/nominations/{ids['nomination_id']}/withdraw", data={"csrf_token": token}
    )
    assert resp.status_code in (403, 404)

    other_office = app.test_client()
    do_login(other_office, "scjg")  # runs S02–S04, not S01
    for url in (
        "/office/meetings/2024-S01",
        "/office/meetings/2024-S01/panel",
        f"/office/panels/{ids['panel_id']}",
        f"/office/panels/{ids['panel_id']}/export.xlsx",
        f"/office/panels/{ids['panel_id']}/package.json",
        f"/office/panels/{ids['panel_id']}/notices",
        f"/office/panels/{ids['panel_id']}/notices/calls",
        f"/office/panels/{ids['panel_id']}/notices/calls.xlsx",
        f"/office/panels/{ids['panel_id']}/certificate.json",
    ):
        assert other_office.get(url).status_code in (403, 404), url
    # A unit account never reaches a certificate, of any panel.
    unit = app.test_client()
    do_login(unit, "dlut")
    for url in (
        f"/office/panels/{ids['panel_id']}/certificate.json",
        f"/regulator/panels/{ids['panel_id']}/certificate.json",
    ):
        assert unit.get(url).status_code == 403, url
    token = _token(other_office)
    for url in (
        "/office/meetings/2024-S01/draw",
        f"/office/panels/{ids['panel_id']}/seal",
        f"/office/panels/{ids['panel_id']}/decline",
        f"/office/panels/{ids['panel_id']}/notices/record",
        f"/office/panels/{ids['panel_id']}/notices/deadline",
        f"/office/panels/{ids['panel_id']}/notices/send",
        f"/office/panels/{ids['panel_id']}/notices/template",
    ):
        assert other_office.post(url, data={"csrf_token": token}).status_code in (403, 404), url


HUGE = "99999999999999999999"  # beyond any integer column: OverflowError / DataError if used


def test_out_of_range_ids_and_query_values_are_never_a_500(app, ids):
    """Every route with every id replaced by a 20-digit number, and the integer query and
    form values given absurd ones, as the role allowed to use it: 404 or a plain page."""
    huge_ids = {k: (HUGE if v.isdigit() else v) for k, v in ids.items()}
    clients, tokens = {}, {}
    for role, user in USERS.items():
        clients[role] = app.test_client()
        do_login(clients[role], user)
        tokens[role] = _token(clients[role])
    failures = []
    for endpoint, method, rule in _routes(app):
        if (endpoint, method) in OPEN or endpoint == "auth.logout" or "<int:" not in rule:
            continue
        url = _url(rule, huge_ids)
        for role in sorted(MATRIX[(endpoint, method)]):
            code = _call(clients[role], method, url, tokens[role]).status_code
            if code != 404:
                failures.append(f"{role} {method} {url} → {code}")
    for role, url in (
        ("bureau", f"/bureau/pool?unit={HUGE}&committee={HUGE}&page={HUGE}"),
        ("bureau", f"/bureau/pool/export.xlsx?unit={HUGE}&committee=²"),
        ("bureau", f"/bureau/?page={HUGE}"),
        ("regulator", f"/regulator/?year={HUGE}"),
        ("regulator", f"/regulator/audit?page={HUGE}"),
    ):
        code = clients[role].get(url).status_code
        if code != 200:
            failures.append(f"{role} GET {url} → {code}")
    for role, url, data in (
        ("office", "/office/meetings/2024-S01/conflicts", {"applicant_id": HUGE, "expert": "x"}),
        ("bureau", f"/bureau/nominations/{ids['nomination_id']}/approve", {"committee_ids": HUGE}),
        ("bureau", f"/bureau/nominations/{ids['nomination_id']}/approve", {"committee_ids": "²"}),
    ):
        code = clients[role].post(url, data={"csrf_token": tokens[role], **data}).status_code
        if code != 302:
            failures.append(f"{role} POST {url} {data} → {code}")
    assert failures == [], "\n".join(failures)

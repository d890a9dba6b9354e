"""Draw certificates of stored panels (抽取证明): made on the draw and on every redraw step,
stored once per step, on the audit trail, checked by the solver-free checker, and made for
older panels by the background job."""

from __future__ import annotations

import hashlib
import json
import threading

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from expertpool.db import make_session_factory, session_scope
from expertpool.models import AuditEvent, Job, Meeting, Panel, PanelCertificate
from expertpool.seeds import SeedSequence
from expertpool.services import certify_backfill, job_runner, jobs, timeline, verification
from expertpool.services import panels as svc
from expertpool.services.panels import certificates as certs
from tests.builders import RSJ, SMALL_RULES, ZJJ, small_meeting

REGULATOR = certs.Actor("jianguan", "regulator")


def _rows(s: Session, panel: Panel) -> list[PanelCertificate]:
    return certs.stored(s, panel)


def test_a_fresh_draw_carries_a_certificate_that_the_checker_accepts(
    demo_session: Session, seeds: SeedSequence
) -> None:
    s = demo_session
    panel = svc.draw_meeting(s, small_meeting(s), ZJJ, seeds=seeds)
    rows = _rows(s, panel)
    assert [r.step for r in rows] == [0]
    data = rows[0].cert_json.encode("utf-8")
    assert rows[0].sha256 == hashlib.sha256(data).hexdigest()
    cert = json.loads(data)
    assert cert["format"] == "expertpool.certificate/1" and cert["seed"] == panel.seed
    assert cert["instance_sha256"] == panel.instance_sha256
    ok, message = certs.check_one(svc.package_of(panel), svc.result_bytes(panel), data)
    assert ok, message
    outcome = certs.proof(s, panel)
    assert outcome.proven and outcome.verdict == "已证明"
    # On the panel's audit trail, in Chinese.
    event = s.scalars(select(AuditEvent).where(AuditEvent.action == "panel_certificate")).one()
    assert event.detail["panel"] == panel.id and event.detail["sha256"] == [rows[0].sha256]
    lines = [e.sentence for e in timeline.meeting_timeline(s, panel.meeting)]
    assert any(line.startswith("抽取时生成抽取证明") and "首次抽取" in line for line in lines)


def _drop_rejection(data: str) -> str:
    cert = json.loads(data)
    assert cert["rejections"], "the walk rejected nobody: pick another seed"
    cert["rejections"] = cert["rejections"][1:]
    return json.dumps(cert, ensure_ascii=False)


def test_a_tampered_stored_certificate_is_unproven_with_the_reason(
    demo_session: Session, seeds: SeedSequence
) -> None:
    s = demo_session
    panel = svc.draw_meeting(s, small_meeting(s), ZJJ, seeds=seeds)
    row = _rows(s, panel)[0]
    row.cert_json = _drop_rejection(row.cert_json)
    s.flush()
    outcome = certs.proof(s, panel)
    assert outcome.state == "unproven" and outcome.verdict == "未证明"
    assert "原始抽取" in outcome.message and "缺少专家" in outcome.message


def _decline_until_redraw(s: Session, panel: Panel) -> int:
    """Decline members (uncovered ones first) until one seat is redrawn; its call number."""
    for number in range(1, 20):
        before = svc.result_of(panel)
        leaving = next(
            (m for m in before["members"] if m in before["uncovered"]), before["members"][0]
        )
        out = svc.decline(s, panel, leaving, "另有公务", ZJJ)
        if out.how == "redraw":
            return number
        assert out.how == "alternate"
    raise AssertionError("no decline reached a redraw")


def test_every_redraw_step_gets_its_own_certificate(
    demo_session: Session, seeds: SeedSequence
) -> None:
    s = demo_session
    panel = svc.draw_meeting(s, small_meeting(s), ZJJ, seeds=seeds)
    number = _decline_until_redraw(s, panel)
    result = svc.result_of(panel)
    assert certs.required_steps(result) == [0, number]
    rows = _rows(s, panel)
    assert [r.step for r in rows] == [0, number]
    assert json.loads(rows[1].cert_json)["step"] == number
    # The file a regulator downloads holds both steps, and the checker accepts it.
    data = certs.file_bytes(rows)
    assert [c["step"] for c in json.loads(data)] == ["original", number]
    ok, message = certs.check_one(svc.package_of(panel), svc.result_bytes(panel), data)
    assert ok, message
    assert certs.proof(s, panel).proven and certs.proof(s, panel).steps == [0, number]
    # The redraw step's certificate is on the trail too.
    event = s.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "panel_certificate")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None and event.detail["how"] == "redraw"
    assert event.detail["steps"] == [number]
    # A step's certificate with the wrong `excluded` list does not prove it.
    row = certs.certificate(s, panel, number)
    assert row is not None
    cert = json.loads(row.cert_json)
    cert["excluded"] = []
    row.cert_json = json.dumps(cert, ensure_ascii=False)
    s.flush()
    outcome = certs.proof(s, panel)
    assert not outcome.proven and f"第{number}次请辞的补抽" in outcome.message
    assert "excluded" in outcome.message
    # A redraw step whose certificate is missing is unproven too.
    s.delete(row)
    s.flush()
    assert certs.proof(s, panel).message == f"第{number}次请辞的补抽尚无抽取证明"


def test_required_steps_follow_the_recorded_decline_calls() -> None:
    result = {
        "members": ["X", "Y", "Z", "W"],
        "original": {"members": ["A", "B", "C", "D"]},
        "declines": [
            {"declined": ["A"], "unavailable": []},
            {"declined": ["B"], "unavailable": []},
            {"declined": ["C", "D"], "unavailable": []},
        ],
        "replacements": [
            {"declined": "A", "by": "X", "how": "alternate"},
            {"declined": "B", "by": "Y", "how": "redraw"},
            {"declined": "C", "by": "Z", "how": "alternate"},
            {"declined": "D", "by": "W", "how": "redraw"},
        ],
    }
    assert certs.required_steps(result) == [0, 2, 3]
    assert certs.required_steps({"members": ["A"]}) == [0]
    assert certs.step_number({"step": "original"}) == 0
    assert certs.step_number({"step": 3}) == 3


def test_uploaded_files_get_the_same_verdict(demo_session: Session, seeds: SeedSequence) -> None:
    s = demo_session
    panel = svc.draw_meeting(s, small_meeting(s), ZJJ, seeds=seeds)
    package, result = svc.package_of(panel), svc.result_bytes(panel)
    good = _rows(s, panel)[0].cert_json
    assert verification.certificate_files(package, result, good.encode()).ok
    tampered = verification.certificate_files(package, result, _drop_rejection(good).encode())
    assert not tampered.ok and tampered.verdict == "未证明" and tampered.message
    garbage = verification.certificate_files(package, result, b"{not json")
    assert not garbage.ok and garbage.message


def _without_certificates(db: Engine, seeds: SeedSequence) -> list[int]:
    """Two panels drawn, then their certificates removed: panels stored before this change."""
    with session_scope(make_session_factory(db)) as s:
        ids = []
        for code in ("2024-S01", "2024-S02"):
            panel = svc.draw_meeting(s, small_meeting(s, code), ZJJ, seeds=seeds)
            ids.append(panel.id)
        s.execute(delete(PanelCertificate))
    return ids


def test_the_backfill_job_certifies_older_panels_with_progress(
    demo_db: Engine, seeds: SeedSequence
) -> None:
    ids = _without_certificates(demo_db, seeds)
    factory = make_session_factory(demo_db)
    with session_scope(factory) as s:
        before = certify_backfill.coverage(s)
        assert before.missing >= 2 and set(ids) <= set(certify_backfill.panels_missing(s))
        panel = s.get(Panel, ids[0])
        assert panel is not None
        assert certs.proof(s, panel).message == certs.MISSING
        job = certify_backfill.submit(s, REGULATOR)
        again = certify_backfill.submit(s, RSJ)  # a second click shows the same job
        assert again.id == job.id
        job_id = job.id
    assert job_runner.work(factory, job_runner.Options(), drain=True) == 1
    with session_scope(factory) as s:
        job = s.get(Job, job_id)
        assert job is not None and job.state == "done", job.error
        total = job.progress["total"]
        assert job.progress["done"] == total >= 2 and job.result == f"{total}/{total}"
        assert jobs.as_json(job)["seats_total"] == total
        assert certify_backfill.coverage(s).missing == 0
        for panel_id in ids:
            panel = s.get(Panel, panel_id)
            assert panel is not None and certs.proof(s, panel).proven
        event = s.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "panel_certificate", AuditEvent.target == "2024-S01")
            .order_by(AuditEvent.id.desc())
        ).first()
        assert event is not None and event.detail["how"] == "backfill"
        assert event.username == "jianguan"


def test_two_writers_certifying_one_panel_store_each_step_once(
    demo_db: Engine, seeds: SeedSequence
) -> None:
    ids = _without_certificates(demo_db, seeds)
    factory = make_session_factory(demo_db)
    gate = threading.Barrier(2)
    stored: list[int] = []
    errors: list[BaseException] = []

    def certify() -> None:
        try:
            with session_scope(factory) as s:
                panel = s.get(Panel, ids[0])
                assert panel is not None
                gate.wait(timeout=30)
                stored.append(len(certs.certify(s, panel, REGULATOR, how="backfill")))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=certify) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    with session_scope(factory) as s:
        count = s.scalar(
            select(func.count())
            .select_from(PanelCertificate)
            .where(PanelCertificate.panel_id == ids[0])
        )
        assert count == 1
        events = s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "panel_certificate")
        )
    # Whoever lost the race stored (and recorded) nothing.
    assert sorted(stored) in ([0, 1], [1, 1])
    assert events == 2 + sum(stored)


def test_season_panels_are_proven_by_replay(demo_session: Session) -> None:
    from expertpool.services.season import build_season, season_bytes
    from solver.season.package import parse_season
    from solver.season.plan import plan_season

    s = demo_session
    for m in s.scalars(select(Meeting).where(Meeting.year == 2024)):
        m.settings = dict(SMALL_RULES) if m.committee.level == "senior" else {"panel_size": 5}
    s.flush()
    data = season_bytes(build_season(s, 2024))
    stored = svc.store_plan(s, 2024, data, plan_season(parse_season(data), "seed-1"), RSJ)
    panel = stored[0]
    assert certs.certify(s, panel, RSJ, how="backfill") == []
    outcome = certs.proof(s, panel)
    assert outcome.state == "season" and outcome.verdict == "年度联合抽取的名单以复现核验"
    assert panel.id not in certify_backfill.panels_missing(s)


class _Stop(Exception):
    pass


def test_a_backfill_stopped_halfway_keeps_what_it_finished(
    demo_db: Engine, seeds: SeedSequence
) -> None:
    ids = _without_certificates(demo_db, seeds)
    factory = make_session_factory(demo_db)
    with session_scope(factory) as s:
        job_id = certify_backfill.submit(s, RSJ).id

    def stop_after_first(counts: dict[str, int]) -> None:
        if counts["done"] == 1:
            raise _Stop  # the worker dies right after the first panel's commit

    s = factory()
    try:
        job = s.get(Job, job_id)
        assert job is not None
        try:
            certify_backfill.run(s, job, stop_after_first)
        except _Stop:
            s.rollback()
        else:
            raise AssertionError("the run did not stop")
    finally:
        s.close()
    with session_scope(factory) as s:
        missing = certify_backfill.panels_missing(s)
        assert ids[0] not in missing and ids[1] in missing
        job = s.get(Job, job_id)
        assert job is not None
        ticks: list[dict[str, int]] = []
        assert certify_backfill.run(s, job, ticks.append) == f"{len(missing)}/{len(missing)}"
        assert ticks[0] == {"done": 0, "total": len(missing)}
        assert certify_backfill.panels_missing(s) == []

"""The hash-chained audit trail: intact when untouched, broken where rows are changed behind
the app's back (even when the public hashes are recomputed, since the signatures need the key
kept outside the database), checked against a head printed on an earlier export, and never
forked by concurrent appends."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text

from expertpool import audit_key
from expertpool.db import make_session_factory, session_scope
from expertpool.models import AuditEvent
from expertpool.services import audit


def _append(engine, n: int, who: str = "tester") -> None:
    factory = make_session_factory(engine)
    for i in range(n):
        with session_scope(factory) as s:
            audit.record(s, who, "bureau", "settings", f"目标{i}", {"i": i, "名称": "测试"})


def _report(engine) -> audit.ChainReport:
    with make_session_factory(engine)() as s:
        return audit.verify_chain(s)


def test_chain_intact_then_broken_by_an_update(db):
    _append(db, 5)
    report = _report(db)
    assert report.intact and report.checked == 5
    with db.begin() as conn:
        conn.execute(text("UPDATE audit_events SET username = 'mallory' WHERE id = 3"))
    report = _report(db)
    assert not report.intact and report.broken_at == 3
    assert "第 3 号" in report.message


def test_deleting_a_middle_row_is_seen(db):
    _append(db, 4)
    with db.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id = 2"))
    assert _report(db).broken_at == 3


def test_deleting_the_last_row_is_seen_through_the_head(db):
    _append(db, 3)
    with db.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id = (SELECT MAX(id) FROM audit_events)"))
    report = _report(db)
    assert not report.intact and "末端" in report.message


def _head_row(engine) -> tuple[int, str, str]:
    with engine.connect() as conn:
        row = conn.execute(text("SELECT seq, last_hash, mac FROM audit_head WHERE id = 1")).one()
    return row[0], row[1], row[2]


def _mark(engine) -> audit.HeadMark:
    with make_session_factory(engine)() as s:
        return audit.current_head(s)


def test_truncation_with_the_head_reset_is_seen(db):
    """The attack as reproduced: delete the last three events and set the head to the new
    tail (its hash, its count, even the tail's own signature); the head's signature fails."""
    _append(db, 8)
    with db.begin() as conn:
        ids = conn.execute(text("SELECT id FROM audit_events ORDER BY id")).scalars().all()
        conn.execute(text("DELETE FROM audit_events WHERE id > :i"), {"i": ids[4]})
        tail_hash, tail_mac = conn.execute(
            text("SELECT hash, mac FROM audit_events WHERE id = :i"), {"i": ids[4]}
        ).one()
        conn.execute(text("UPDATE audit_head SET seq = 5, last_hash = :h"), {"h": tail_hash})
    report = _report(db)
    assert not report.intact and report.broken_at is None
    assert "链头的密钥签名不符" in report.message and "第 5 条记录之后" in report.message
    with db.begin() as conn:  # the tail event's own signature does not sign a head
        conn.execute(text("UPDATE audit_head SET mac = :m"), {"m": tail_mac})
    assert not _report(db).intact
    # Nor does the next append sign the cut-short chain whole: it is refused, nothing saved.
    with pytest.raises(audit_key.AuditUnavailable, match="链头的密钥签名不符"):
        _append(db, 1)
    assert _head_row(db)[0] == 5 and not _report(db).intact


def test_full_rewrite_with_the_projects_digest_is_seen_without_the_key(db):
    """Edit an old event and recompute every later hash and the head with the project's own
    digest function: the public chain holds, the first rewritten event's signature does not."""
    _append(db, 6)
    with make_session_factory(db)() as s:
        events = list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        events[1].username = "mallory"
        prev = events[0].hash
        for ev in events[1:]:
            ev.prev_hash = prev
            ev.hash = audit._digest(
                prev, ev.at, ev.username, ev.role, ev.action, ev.target, ev.detail
            )
            prev = ev.hash
        s.commit()
        rewritten = events[1].id
    with db.begin() as conn:
        conn.execute(text("UPDATE audit_head SET last_hash = :h"), {"h": prev})
    report = _report(db)
    assert not report.intact and report.broken_at == rewritten
    assert f"第 {rewritten} 号记录的密钥签名不符" in report.message


def test_a_rollback_to_an_earlier_head_shows_against_a_later_export(db):
    """Someone who saved the whole head row earlier can roll the trail back to it: the
    database alone cannot tell, the head printed on any export made since can."""
    _append(db, 5)
    saved = _head_row(db)
    _append(db, 3)
    exported = _mark(db)
    assert exported.seq == 8
    with db.begin() as conn:
        ids = conn.execute(text("SELECT id FROM audit_events ORDER BY id")).scalars().all()
        conn.execute(text("DELETE FROM audit_events WHERE id > :i"), {"i": ids[4]})
        conn.execute(
            text("UPDATE audit_head SET seq = :s, last_hash = :h, mac = :m"),
            dict(zip("shm", saved, strict=True)),
        )
    assert _report(db).intact  # the limit of what the database alone can show
    with make_session_factory(db)() as s:
        report = audit.verify_chain(s, against=exported)
    assert not report.intact
    assert "只有 5 条记录，少于导出文件上的第 8 条" in report.message


def test_an_export_mark_matches_until_its_event_is_changed(db):
    _append(db, 4)
    mark = _mark(db)
    _append(db, 2)
    with make_session_factory(db)() as s:
        report = audit.verify_chain(s, against=mark)
        assert report.intact and "与导出文件上的第 4 条记录一致" in report.message
        assert report.head is not None and report.head.seq == 6
        wrong = audit.HeadMark(4, "f" * 64)
        assert "第 4 条记录" in audit.verify_chain(s, against=wrong).message


@pytest.mark.parametrize(
    "bad", ["", "12", "0:" + "a" * 64, "-1:" + "a" * 64, "3:" + "a" * 63, "x:y", "3:" + "g" * 64]
)
def test_a_bad_mark_is_refused(bad):
    with pytest.raises(audit.UserError, match="序号:哈希"):
        audit.parse_mark(bad)


def test_a_missing_key_is_named_and_nothing_is_appended(db, monkeypatch, tmp_path):
    _append(db, 2)
    monkeypatch.delenv(audit_key.KEY_ENV)
    monkeypatch.setenv("EXPERTPOOL_INSTANCE", str(tmp_path))
    with pytest.raises(audit_key.AuditKeyError, match="找不到审计密钥") as err:
        _report(db)
    assert str(tmp_path / "audit_key") in str(err.value)
    with pytest.raises(audit_key.AuditKeyError):
        _append(db, 1)
    assert not (tmp_path / "audit_key").exists()  # no new key for a signed chain
    assert _head_row(db)[0] == 2


def test_the_key_file_is_made_once_with_mode_0600_on_first_use(db, monkeypatch, tmp_path):
    monkeypatch.delenv(audit_key.KEY_ENV)
    monkeypatch.setenv("EXPERTPOOL_INSTANCE", str(tmp_path))
    _append(db, 3)
    path = tmp_path / "audit_key"
    assert path.stat().st_mode & 0o777 == 0o600
    key = path.read_text()
    _append(db, 1)
    assert path.read_text() == key and _report(db).intact
    monkeypatch.setenv(audit_key.KEY_ENV, "another-key-of-at-least-32-characters")
    report = _report(db)  # the wrong key: the first event's signature fails
    assert not report.intact and "密钥签名不符" in report.message


def test_a_short_key_is_refused(db, monkeypatch):
    monkeypatch.setenv(audit_key.KEY_ENV, "short")
    with pytest.raises(audit_key.AuditKeyError, match="过短"):
        _append(db, 1)


def test_concurrent_appends_keep_one_chain(db):
    """Eight writers released together, each appending in its own transactions, on SQLite and
    PostgreSQL: one unbroken chain, every event signed, the head at the last one."""
    start = threading.Barrier(8)
    failures: list[BaseException] = []

    def writer(k: int) -> None:
        start.wait()
        try:
            _append(db, 6, f"w{k}")
        except BaseException as exc:  # reported below, not lost in the thread
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    report = _report(db)
    assert report.intact, report.message
    assert report.checked == 48 and report.head is not None and report.head.seq == 48
    assert _head_row(db)[0] == 48


def test_the_upgrade_signs_an_existing_trail_once(tmp_path, monkeypatch):
    """A database from before the signatures (0010) with a trail of three events: the upgrade
    signs it with the key (made then, 0600), and afterwards it checks and grows as usual."""
    import json
    from datetime import datetime

    from expertpool import schema
    from expertpool.db import make_engine

    monkeypatch.delenv(audit_key.KEY_ENV)
    monkeypatch.setenv("EXPERTPOOL_INSTANCE", str(tmp_path))
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    schema.upgrade(engine, "0010")
    prev = audit.GENESIS
    with engine.begin() as conn:
        for i in range(3):
            at = datetime(2026, 11, 1, 8, 0, i)
            h = audit._digest(prev, at, "rsj", "bureau", "settings", f"t{i}", {"i": i})
            conn.execute(
                text(
                    "INSERT INTO audit_events (at, username, role, action, target, detail,"
                    " prev_hash, hash, note) VALUES (:at, 'rsj', 'bureau', 'settings', :t,"
                    " :d, :p, :h, '')"
                ),
                {"at": at, "t": f"t{i}", "d": json.dumps({"i": i}), "p": prev, "h": h},
            )
            prev = h
        conn.execute(text("UPDATE audit_head SET seq = 3, last_hash = :h"), {"h": prev})
    schema.upgrade(engine)
    assert (tmp_path / "audit_key").stat().st_mode & 0o777 == 0o600
    _append(engine, 2)
    report = _report(engine)
    assert report.intact and report.checked == 5, report.message
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET target = 'x' WHERE id = 1"))
    assert _report(engine).broken_at == 1
    engine.dispose()


def test_a_deleted_head_row_is_reported_and_refuses_appends(db):
    _append(db, 3)
    with db.begin() as conn:
        conn.execute(text("DELETE FROM audit_head"))
    assert "链头记录缺失" in _report(db).message
    with pytest.raises(audit_key.AuditUnavailable, match="链头记录缺失"):
        _append(db, 1)
    assert "链头记录缺失" in _report(db).message  # the refused append left nothing behind

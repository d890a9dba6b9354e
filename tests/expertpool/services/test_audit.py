"""The hash-chained audit trail: intact when untouched, broken where rows are changed behind
the app's back, and never forked by concurrent appends."""

from __future__ import annotations

import threading

from sqlalchemy import text

from expertpool.db import make_session_factory, session_scope
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


def test_concurrent_appends_keep_one_chain(db):
    threads = [threading.Thread(target=_append, args=(db, 15, f"w{k}")) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = _report(db)
    assert report.intact, report.message
    assert report.checked == 60

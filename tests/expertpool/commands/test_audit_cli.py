"""`expertpool audit verify`: exit 0 when the chain holds, 1 with one Chinese line naming the
first bad event (or the head) when not, 2 on a bad --head or a missing key."""

from __future__ import annotations

from sqlalchemy import text

from expertpool.db import make_session_factory, session_scope
from expertpool.services import audit


def _append(engine, n: int) -> None:
    with session_scope(make_session_factory(engine)) as s:
        for i in range(n):
            audit.record(s, "rsj", "bureau", "settings", f"目标{i}", {"i": i})


def _head(engine) -> audit.HeadMark:
    with make_session_factory(engine)() as s:
        return audit.current_head(s)


def test_intact_chain_exits_0_and_prints_its_head(runner, db):
    _append(db, 4)
    head = _head(db)
    res = runner("audit", "verify")
    assert res.code == 0, res.err
    assert "审计链完整，共 4 条记录" in res.out
    assert head.text() in res.out
    res = runner("audit", "verify", "--head", head.text())
    assert res.code == 0 and "与导出文件上的第 4 条记录一致" in res.out


def test_a_changed_event_exits_1_naming_it(runner, db):
    _append(db, 4)
    with db.begin() as conn:
        conn.execute(text("UPDATE audit_events SET target = '改' WHERE id = 2"))
    res = runner("audit", "verify")
    assert res.code == 1
    lines = res.out.strip().splitlines()
    assert len(lines) == 1 and "第 2 号记录" in lines[0]
    assert "Traceback" not in res.err


def test_a_truncation_after_an_export_exits_1(runner, db):
    _append(db, 6)
    exported = _head(db).text()
    with db.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id > 3"))
        tail = conn.execute(text("SELECT hash FROM audit_events WHERE id = 3")).scalar_one()
        conn.execute(text("UPDATE audit_head SET seq = 3, last_hash = :h"), {"h": tail})
    res = runner("audit", "verify", "--head", exported)
    assert res.code == 1 and "链头" in res.out


def test_bad_head_input_exits_2(runner, db):
    _append(db, 1)
    res = runner("audit", "verify", "--head", "abc")
    assert res.code == 2 and "序号:哈希" in res.err and res.out == ""


def test_a_missing_key_exits_2_with_a_clear_line(runner, db, tmp_path):
    _append(db, 1)
    res = runner(
        "audit", "verify", env={"EXPERTPOOL_AUDIT_KEY": "", "EXPERTPOOL_INSTANCE": str(tmp_path)}
    )
    assert res.code == 2
    assert "找不到审计密钥" in res.err and "EXPERTPOOL_AUDIT_KEY" in res.err


def test_export_draw_prints_the_audit_head_beside_the_package(runner, db, tmp_path):
    _append(db, 3)
    out = tmp_path / "s01.json"
    res = runner("export-draw", "2024-S01", "-o", str(out))
    assert res.code == 0, res.err
    line = next(x for x in res.err.splitlines() if x.startswith("审计链头（导出时）："))
    mark = audit.parse_mark(line.split("　")[-1])
    assert mark == _head(db) and mark.seq == 3
    assert b"audit" not in out.read_bytes()  # the package's bytes keep their format

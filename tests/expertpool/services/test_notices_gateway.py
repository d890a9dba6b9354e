"""The outbox through a real HTTP gateway stub on 127.0.0.1: each message delivered once even
when the worker dies between sending and marking sent; a gateway answering 500 retried with
backoff by the injected clock, then failed with its message; signed reply callbacks, and
every refusal (bad signature, unknown id, sealed panel, replay) changing nothing."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import Engine, func, select

from expertpool.db import make_session_factory, session_scope
from expertpool.models import AuditEvent, NoticeState, OutboxMessage, Panel
from expertpool.seeds import SeedSequence
from expertpool.services import notices
from expertpool.services import panels as svc
from expertpool.services.notices.callback import CallbackRefused, handle_callback
from expertpool.services.notices.deliver import deliver_due, deliver_one
from expertpool.services.notices.gateway import HttpSmsGateway, sign
from tests.builders import ZJJ, small_meeting

SECRET = "test-gateway-secret"


class Stub:
    """A gateway: counts POSTs, delivers each idempotency key once, answers `status`."""

    def __init__(self) -> None:
        self.posts: list[dict] = []
        self.delivered: dict[str, int] = {}
        self.status = 200
        self.lock = threading.Lock()


@pytest.fixture
def stub() -> Iterator[tuple[Stub, str]]:
    state = Stub()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            key = self.headers["Idempotency-Key"]
            ok_sig = self.headers["X-Signature"] == sign(SECRET, body)
            with state.lock:
                state.posts.append({"key": key, "body": json.loads(body), "signed": ok_sig})
                if state.status == 200:
                    state.delivered[key] = state.delivered.get(key, 0) or 1  # once per key
            self.send_response(state.status)
            self.end_headers()
            self.wfile.write("余额不足".encode() if state.status != 200 else b'{"ok":true}')

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_port}/sms"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class Clock:
    def __init__(self, utc: datetime) -> None:
        self.utc = utc

    def utcnow(self) -> datetime:
        return self.utc

    def shanghai_now(self) -> datetime:
        return self.utc + timedelta(hours=8)


class Killed(Exception):
    """The worker dies right after the gateway accepted the message."""


@pytest.fixture
def queued(demo_db: Engine, seeds: SeedSequence) -> tuple[Engine, int, Clock]:
    clock = Clock(datetime(2024, 7, 1, 2, 0, 0))
    with session_scope(make_session_factory(demo_db)) as s:
        p = svc.draw_meeting(s, small_meeting(s), ZJJ, seeds=seeds)
        out = notices.send_notices(s, p, ZJJ, gateway=True, clock=clock)
        assert out.created == len(svc.result_of(p)["members"]) and "短信平台发送" in out.message
        return demo_db, p.id, clock


def _messages(db: Engine) -> list[OutboxMessage]:
    with session_scope(make_session_factory(db)) as s:
        rows = list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        s.expunge_all()
        return rows


def test_a_worker_killed_after_sending_does_not_send_twice(stub, queued):
    state, url = stub
    db, _, clock = queued
    factory = make_session_factory(db)
    gateway = HttpSmsGateway("test", url, "key", SECRET)

    def die() -> None:
        raise Killed

    with pytest.raises(Killed):
        deliver_one(factory, gateway, clock=clock, after_send=die)
    first = _messages(db)[0]
    assert first.state == "claimed" and len(state.posts) == 1
    # The claim is fresh: a second worker leaves it alone and sends the others.
    n = len(_messages(db))
    assert deliver_due(factory, gateway, clock=clock) == n - 1
    assert _messages(db)[0].state == "claimed"
    clock.utc += timedelta(seconds=121)  # the claim is stale: sent again, same key
    assert deliver_due(factory, gateway, clock=clock) == 1
    rows = _messages(db)
    assert all(m.state == "sent" for m in rows)
    keys = [p["key"] for p in state.posts]
    assert keys.count(first.idempotency_key) == 2 and len(set(keys)) == n
    assert sum(state.delivered.values()) == n  # each message delivered once
    assert all(p["signed"] for p in state.posts)
    with session_scope(factory) as s:
        states = set(s.scalars(select(NoticeState.state)))
        assert states == {"notified"}


def test_a_failing_gateway_is_retried_with_backoff_then_failed(stub, queued):
    state, url = stub
    state.status = 500
    db, panel_id, clock = queued
    factory = make_session_factory(db)
    gateway = HttpSmsGateway("test", url, "key", SECRET)
    start = clock.utc
    n = len(_messages(db))
    assert deliver_due(factory, gateway, clock=clock) == n
    first = _messages(db)[0]
    assert first.state == "queued" and first.tries == 1
    assert first.next_try_at == start + timedelta(seconds=30)
    assert deliver_due(factory, gateway, clock=clock) == 0  # not due yet
    clock.utc = start + timedelta(seconds=30)
    deliver_due(factory, gateway, clock=clock)
    assert _messages(db)[0].next_try_at == clock.utc + timedelta(seconds=60)
    clock.utc += timedelta(seconds=59)
    assert deliver_due(factory, gateway, clock=clock) == 0
    clock.utc += timedelta(seconds=1)
    deliver_due(factory, gateway, clock=clock)
    rows = _messages(db)
    assert all(m.state == "failed" and m.tries == 3 for m in rows)
    assert rows[0].error == "短信平台返回500：余额不足"
    assert len(state.posts) == 3 * n and sum(state.delivered.values()) == 0
    with session_scope(factory) as s:
        failed = s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "notice_sms_failed")
        )
        assert failed == n
        assert set(s.scalars(select(NoticeState.state))) <= {"pending"}


def _body(message: OutboxMessage, reply: str = "1", code: str | None = None, **extra) -> bytes:
    data = {"message_id": message.id, "code": code or message.reply_code, "reply": reply, **extra}
    return json.dumps(data, ensure_ascii=False).encode()


def _callback(db: Engine, body: bytes, signature: str | None = None) -> str:
    factory = make_session_factory(db)
    with factory() as s:
        try:
            handle_callback(s, SECRET, body, signature or sign(SECRET, body))
            s.commit()
            return "ok"
        except CallbackRefused as exc:
            s.rollback()
            return str(exc)


def _snapshot(db: Engine) -> tuple:
    with session_scope(make_session_factory(db)) as s:
        return (
            s.scalar(select(func.count()).select_from(AuditEvent)),
            sorted(s.scalars(select(NoticeState.state))),
            [m.replied_at for m in s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))],
        )


def test_callbacks_record_replies_and_refuse_everything_else(queued):
    db, panel_id, _ = queued
    first, second = _messages(db)[:2]
    before = _snapshot(db)
    assert _callback(db, _body(first), signature="0" * 64) == "signature"
    assert _callback(db, _body(first, code="guess")) == "reply code"
    unknown = json.dumps({"message_id": 10**6, "code": "x", "reply": "1"}).encode()
    assert _callback(db, unknown) == "unknown message"
    dup = b'{"message_id": %d, "message_id": 1, "code": "x", "reply": "1"}' % first.id
    assert _callback(db, dup) == "duplicate key"
    assert _snapshot(db) == before
    assert _callback(db, _body(first)) == "ok"
    with session_scope(make_session_factory(db)) as s:
        st = s.scalar(select(NoticeState).where(NoticeState.seat_id == first.seat_id))
        assert st is not None and st.state == "confirmed"
    after_ok = _snapshot(db)
    assert _callback(db, _body(first)) == "replayed"
    assert _snapshot(db) == after_ok
    with session_scope(make_session_factory(db)) as s:
        svc.seal(s, s.get(Panel, panel_id), ZJJ)
    sealed = _snapshot(db)
    assert "锁定" in _callback(db, _body(second))
    assert _snapshot(db) == sealed


def test_the_worker_sends_the_outbox(stub, queued):
    from expertpool.services import job_runner

    state, url = stub
    db, _, clock = queued
    opts = job_runner.Options(clock=clock, gateway=HttpSmsGateway("test", url, "key", SECRET))
    assert job_runner.work(make_session_factory(db), opts, drain=True) == 0  # no jobs
    rows = _messages(db)
    assert rows and all(m.state == "sent" for m in rows)
    assert len(state.posts) == len(rows)
    body = state.posts[0]["body"]
    assert body["text"] == rows[0].body and body["reply_code"] == rows[0].reply_code

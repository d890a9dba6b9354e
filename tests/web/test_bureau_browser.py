"""The bureau's irreversible actions ask first, in a real browser: the dialog states the
consequence; cancelling changes nothing, confirming applies."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from expertpool.db import make_session_factory, session_scope
from expertpool.models import Expert, Nomination
from tests.fixtures.browser import browser_login, screenshot

pytestmark = pytest.mark.browser


def _status(db: Engine, expert_id: int) -> str:
    with session_scope(make_session_factory(db)) as s:
        e = s.get(Expert, expert_id)
        assert e is not None
        return e.status


def test_blacklisting_asks_and_cancel_leaves_the_expert_unchanged(page, demo_db: Engine) -> None:  # type: ignore[no-untyped-def]
    with session_scope(make_session_factory(demo_db)) as s:
        e = s.scalars(select(Expert).where(Expert.status == "在库").order_by(Expert.id)).first()
        assert e is not None
        expert_id, name = e.id, e.name
    messages: list[str] = []
    browser_login(page, "rsj")
    page.goto(f"/bureau/experts/{expert_id}")
    page.select_option("#new-status", "黑名单")
    page.fill("#status-form input[name=reason]", "评审中违反纪律")

    def dismiss(dialog) -> None:  # type: ignore[no-untyped-def]
        messages.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.click("#status-form button[type=submit]")
    page.wait_for_timeout(300)
    assert messages and f"确定将{name}" in messages[0] and "变更为“黑名单”" in messages[0]
    assert "再次推荐也不能通过" in messages[0]
    assert _status(demo_db, expert_id) == "在库"

    def accept(dialog) -> None:  # type: ignore[no-untyped-def]
        messages.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.click("#status-form button[type=submit]")
    page.wait_for_selector(".flash-success")
    assert "由“在库”变更为“黑名单”" in page.inner_text(".flash-success")
    assert _status(demo_db, expert_id) == "黑名单"
    screenshot(page, "bureau-expert-blacklisted")


def test_reject_button_asks_its_own_question(page, demo_db: Engine) -> None:  # type: ignore[no-untyped-def]
    with session_scope(make_session_factory(demo_db)) as s:
        n = s.scalars(
            select(Nomination).where(Nomination.status == "已提交").order_by(Nomination.id)
        ).first()
        assert n is not None
        nomination_id, name = n.id, n.name
    messages: list[str] = []
    browser_login(page, "rsj")
    page.goto("/bureau/")
    row = f"#nomination-{nomination_id}"
    page.fill(f"{row} input[name=reason]", "材料不全")

    def dismiss(dialog) -> None:  # type: ignore[no-untyped-def]
        messages.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.click(f"{row} button.danger")
    page.wait_for_timeout(300)
    assert messages == [
        f"确定驳回对{name}的推荐吗？驳回后这条推荐即告结束，单位不能再修改或重新提交；"
        "理由将告知推荐单位。"
    ]
    with session_scope(make_session_factory(demo_db)) as s:
        assert s.get(Nomination, nomination_id).status == "已提交"  # type: ignore[union-attr]

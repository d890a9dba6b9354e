"""Issue 18 item 11: the password policy, `expertpool user add|passwd|enable|disable|list`,
one normalised username at creation, and an audit event for every account change."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from expertpool.db import make_session_factory, session_scope
from expertpool.errors import UserError
from expertpool.models import AuditEvent, User
from expertpool.services import accounts, audit
from tests.conftest import CliRunner

GOOD = "Xinghai-Bay-42"


def _events(db: Engine) -> list[tuple[str, str, str]]:
    with session_scope(make_session_factory(db)) as s:
        rows = s.scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [(e.username, e.action, e.target) for e in rows]


def _user(db: Engine, name: str) -> User | None:
    with session_scope(make_session_factory(db)) as s:
        return s.scalar(select(User).where(User.username == name))


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("aaaaaaaa", "10至200个字符"),  # the example: 8 characters
        ("Demo@2024", "10至200个字符"),
        ("aaaaaaaaaaaa", "不同的字符"),
        ("newclerk01", "用户名"),  # the username itself
        ("xx-NEWCLERK01-xx", "用户名"),
        ("1234567890", "常见"),
        ("Password123", "常见"),
        ("woaini1314", "常见"),
    ],
)
def test_weak_passwords_are_refused_in_chinese(
    runner: CliRunner, db: Engine, password: str, says: str
) -> None:
    result = runner("user", "add", "newclerk01", "--password", password, "--role", "bureau")
    assert result.code == 2 and says in result.err, result.err
    assert _user(db, "newclerk01") is None and _events(db) == []


def test_add_normalises_the_name_and_is_audited(runner: CliRunner, db: Engine) -> None:
    result = runner("user", "add", "  NewClerk ", "--password", GOOD, "--role", "bureau")
    assert result.code == 0, result.err
    assert "newclerk" in result.out and _user(db, "newclerk") is not None
    again = runner("user", "add", "newclerk", "--password", GOOD, "--role", "bureau")
    assert again.code == 2 and "用户名已存在" in again.err
    assert _events(db) == [("命令行", "user_create", "newclerk")]


def test_passwd_enable_disable_list_are_audited(runner: CliRunner, db: Engine) -> None:
    assert runner("user", "add", "clerk", "--password", GOOD, "--role", "regulator").code == 0
    weak = runner("user", "passwd", "clerk", "--password", "clerk12345")
    assert weak.code == 2 and "用户名" in weak.err
    assert runner("user", "passwd", " CLERK", "--password", "Jinshitan-77!").code == 0
    assert runner("user", "disable", "clerk").code == 0
    twice = runner("user", "disable", "clerk")
    assert twice.code == 2 and "已经是停用状态" in twice.err
    listed = runner("user", "list")
    assert listed.code == 0 and "clerk" in listed.out and "停用" in listed.out
    assert runner("user", "enable", "clerk").code == 0
    missing = runner("user", "passwd", "nobody", "--password", GOOD)
    assert missing.code == 2 and "用户不存在：nobody" in missing.err
    actions = [a for _, a, _ in _events(db)]
    assert actions == ["user_create", "user_passwd", "user_disable", "user_enable"]
    labels = [audit.ACTIONS[a] for a in actions]
    assert labels == ["新建账户", "修改密码", "停用账户", "启用账户"]
    with session_scope(make_session_factory(db)) as s:
        assert accounts.authenticate(s, "clerk", "Jinshitan-77!") is not None
        assert accounts.authenticate(s, "clerk", GOOD) is None


def test_audit_page_names_account_changes_in_chinese(
    runner: CliRunner, client, accounts: dict[str, str], login
) -> None:  # type: ignore[no-untyped-def]
    assert runner("user", "add", "clerk", "--password", GOOD, "--role", "bureau").code == 0
    assert runner("user", "disable", "clerk").code == 0
    login(client, "regulator1")
    html = client.get("/regulator/audit").get_data(as_text=True)
    assert "新建账户" in html and "停用账户" in html


def test_policy_function_directly() -> None:
    accounts.check_password_policy("clerk", GOOD)
    with pytest.raises(UserError) as err:
        accounts.check_password_policy("clerk", "QWERTYUIOP")
    assert err.value.field == "password"
    assert "qwertyuiop" in accounts.common_passwords()


def test_demo_accounts_keep_demo_password(demo_db: Engine) -> None:
    # The policy applies to passwords set from now on; Demo@2024 still logs the demo in.
    with session_scope(make_session_factory(demo_db)) as s:
        for name in ("zjj", "rsj", "jianguan", "dlut"):
            assert accounts.authenticate(s, name, "Demo@2024") is not None, name

"""User accounts: create, disable, authenticate. Passwords are salted scrypt hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import String, func, select
from sqlalchemy.orm import Session

from expertpool.errors import UserError
from expertpool.models import AuditEvent, Committee, Unit, User, UserCommittee, utcnow
from expertpool.models.enums import ROLES

_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def check_password(stored: str, password: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    got = hashlib.scrypt(
        password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
    )
    return hmac.compare_digest(got.hex(), digest)


# The columns' own lengths, so a long value is refused here and never truncated (or
# rejected with a driver error) by the database.
USERNAME_MAX = cast(int, cast(String, User.__table__.c.username.type).length)
DISPLAY_NAME_MAX = cast(int, cast(String, User.__table__.c.display_name.type).length)


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in text)


def check_user_fields(username: str, display_name: str = "") -> tuple[str, str]:
    """The stripped username and display name, or a UserError naming the bad field."""
    username = username.strip()
    if not username or len(username) > USERNAME_MAX:
        raise UserError(f"用户名不能为空，且不超过{USERNAME_MAX}个字符", field="username")
    if _has_control(username) or any(ch.isspace() for ch in username):
        raise UserError("用户名不能含空格或控制字符", field="username")
    display_name = display_name.strip()
    if len(display_name) > DISPLAY_NAME_MAX:
        raise UserError(
            f"显示名称不超过{DISPLAY_NAME_MAX}个字符，现为{len(display_name)}个",
            field="display_name",
        )
    if _has_control(display_name):
        raise UserError("显示名称不能含控制字符", field="display_name")
    return username, display_name


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    *,
    display_name: str = "",
    unit_name: str | None = None,
    committee_names: list[str] | None = None,
) -> User:
    """Create an account; a unit account needs its unit, an office account its committees."""
    username, display_name = check_user_fields(username, display_name)
    if role not in ROLES:
        raise UserError(f"角色无效：{role}（可选：{'、'.join(ROLES)}）", field="role")
    if len(password) < 8:
        raise UserError("密码至少8位", field="password")
    if session.scalar(select(User).where(User.username == username)):
        raise UserError(f"用户名已存在：{username}", field="username")
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        display_name=display_name or username,
    )
    if role == "unit":
        if not unit_name:
            raise UserError("推荐单位账户必须指定所属单位", field="unit")
        unit = session.scalar(select(Unit).where(Unit.name == unit_name))
        if unit is None:
            raise UserError(f"单位不存在：{unit_name}", field="unit")
        user.unit = unit
    if role == "office":
        if not committee_names:
            raise UserError("评委会办事机构账户必须指定负责的评委会", field="committee")
        for name in committee_names:
            committee = session.scalar(select(Committee).where(Committee.name == name))
            if committee is None:
                raise UserError(f"评委会不存在：{name}", field="committee")
            user.committee_links.append(UserCommittee(committee_id=committee.id))
    session.add(user)
    session.flush()
    return user


def set_active(session: Session, username: str, active: bool) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise UserError(f"用户不存在：{username}", field="username")
    user.active = active
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.active or not check_password(user.password_hash, password):
        return None
    return user


# Login throttling: after MAX_FAILURES failed logins within WINDOW, the account refuses
# password checks until WINDOW has passed since the latest failure.
MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


def login_blocked_until(
    session: Session, username: str, now: datetime | None = None
) -> datetime | None:
    """When a throttled username may try again (UTC, naive), or None when it may try now.

    Counted from the audit trail (login_failed events since the last successful login), so
    every app server behind the proxy sees the same count."""
    now = now or utcnow()
    username = username.strip()[:60]
    last_ok = session.scalar(
        select(func.max(AuditEvent.at)).where(
            AuditEvent.action == "login", AuditEvent.username == username
        )
    )
    since = now - WINDOW
    if last_ok is not None and last_ok > since:
        since = last_ok
    failures = list(
        session.scalars(
            select(AuditEvent.at)
            .where(
                AuditEvent.action == "login_failed",
                AuditEvent.username == username,
                AuditEvent.at > since,
            )
            .order_by(AuditEvent.at.desc())
            .limit(MAX_FAILURES)
        )
    )
    if len(failures) < MAX_FAILURES:
        return None
    return failures[0] + WINDOW

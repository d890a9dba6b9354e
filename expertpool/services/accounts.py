"""User accounts: create, disable, enable, change passwords, authenticate, session tokens.

Passwords are salted scrypt hashes. Every username goes through `normalize_username` (on
creation, on lookup and in the login throttle's counts), so " dlut" and "DLUT" are "dlut".
Changes made with an `Actor` are written to the audit trail in the same transaction."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any, cast

from sqlalchemy import String, select, update
from sqlalchemy.orm import Session

from expertpool.actor import Actor
from expertpool.errors import UserError
from expertpool.models import Committee, Unit, User, UserCommittee
from expertpool.models.enums import ROLES
from expertpool.services import audit

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


def normalize_username(name: str) -> str:
    """The one form of a username: NFKC (full-width letters become ASCII), stripped, lower
    case. Creation stores it, lookups and the login throttle's counts use it."""
    return unicodedata.normalize("NFKC", name).strip().lower()


def check_user_fields(username: str, display_name: str = "") -> tuple[str, str]:
    """The normalised username and stripped display name, or a UserError naming the field."""
    username = normalize_username(username)
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


# The password policy for every password set from now on (`user add`, `user passwd`). The
# demo accounts' Demo@2024 (9 characters) predates it and is not re-checked at login.
PASSWORD_MIN = 10
PASSWORD_MAX = 200  # the login form's limit
PASSWORD_MIN_DISTINCT = 4


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list (services/data/common_passwords.txt), lower case."""
    text = resources.files("expertpool.services").joinpath("data/common_passwords.txt")
    lines = text.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


def check_password_policy(username: str, password: str) -> None:
    """A UserError (field "password") saying what a new password lacks, or nothing."""
    lowered = password.lower()
    if len(password) < PASSWORD_MIN or len(password) > PASSWORD_MAX:
        raise UserError(f"密码须为{PASSWORD_MIN}至{PASSWORD_MAX}个字符", field="password")
    if _has_control(password):
        raise UserError("密码不能含控制字符", field="password")
    if normalize_username(username) in lowered:
        raise UserError("密码不能与用户名相同，也不能包含用户名", field="password")
    if len(set(password)) < PASSWORD_MIN_DISTINCT:
        raise UserError(
            f"密码至少要有{PASSWORD_MIN_DISTINCT}个不同的字符，不能由同一字符反复组成",
            field="password",
        )
    if lowered in common_passwords():
        raise UserError(
            "密码过于常见（在常用密码清单中），请换一个不易猜到的密码", field="password"
        )


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == normalize_username(username)))


def require_user(session: Session, username: str) -> User:
    user = find_user(session, username)
    if user is None:
        raise UserError(f"用户不存在：{normalize_username(username)}", field="username")
    return user


def _audit(
    session: Session, actor: Actor | None, action: str, user: User, detail: dict[str, Any]
) -> None:
    if actor is not None:
        audit.record(session, actor.username, actor.role, action, user.username, detail)


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    *,
    display_name: str = "",
    unit_name: str | None = None,
    committee_names: list[str] | None = None,
    actor: Actor | None = None,
    check_policy: bool = True,
) -> User:
    """Create an account; a unit account needs its unit, an office account its committees.

    ``check_policy=False`` only for the demo and test accounts (their fixed Demo@2024)."""
    username, display_name = check_user_fields(username, display_name)
    if role not in ROLES:
        raise UserError(f"角色无效：{role}（可选：{'、'.join(ROLES)}）", field="role")
    if check_policy:
        check_password_policy(username, password)
    elif len(password) < 8:
        raise UserError("密码至少8位", field="password")
    if find_user(session, username):
        raise UserError(f"用户名已存在：{username}", field="username")
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        display_name=display_name or username,
    )
    if role == "unit":
        user.unit = _unit(session, unit_name)
    if role == "office":
        for committee_id in _committee_ids(session, committee_names or []):
            user.committee_links.append(UserCommittee(committee_id=committee_id))
    session.add(user)
    session.flush()
    detail = {"角色": ROLES.get(role, role), "显示名称": user.display_name}
    _audit(session, actor, "user_create", user, detail)
    return user


def _unit(session: Session, unit_name: str | None) -> Unit:
    if not unit_name:
        raise UserError("推荐单位账户必须指定所属单位", field="unit")
    unit = session.scalar(select(Unit).where(Unit.name == unit_name))
    if unit is None:
        raise UserError(f"单位不存在：{unit_name}", field="unit")
    return unit


def _committee_ids(session: Session, names: Sequence[str]) -> list[int]:
    if not names:
        raise UserError("评委会办事机构账户必须指定负责的评委会", field="committee")
    ids = []
    for name in names:
        committee = session.scalar(select(Committee).where(Committee.name == name))
        if committee is None:
            raise UserError(f"评委会不存在：{name}", field="committee")
        ids.append(committee.id)
    return ids


def set_active(
    session: Session, username: str, active: bool, *, actor: Actor | None = None
) -> User:
    """Disable or re-enable an account; disabling also ends its sessions everywhere."""
    user = require_user(session, username)
    if user.active == active:
        raise UserError(
            f"账户{user.username}已经是{'启用' if active else '停用'}状态", field="username"
        )
    user.active = active
    if not active:
        end_sessions(session, user)
    _audit(session, actor, "user_enable" if active else "user_disable", user, {})
    return user


def change_password(
    session: Session, username: str, password: str, *, actor: Actor | None = None
) -> User:
    """Set a new password (policy-checked) and end every session of the account."""
    user = require_user(session, username)
    check_password_policy(user.username, password)
    user.password_hash = hash_password(password)
    end_sessions(session, user)
    _audit(session, actor, "user_passwd", user, {})
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.role, User.username)))


@cache
def _dummy_hash() -> str:
    # Checked against when the username does not exist, so an unknown name costs one scrypt
    # like a known one and the answer's timing does not tell which names exist.
    return hash_password(secrets.token_hex(16))


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active account whose password this is, else None (always one scrypt check)."""
    user = find_user(session, username)
    stored = user.password_hash if user is not None else _dummy_hash()
    matches = check_password(stored, password)
    if user is None or not matches or not user.active:
        return None
    return user


def login_token(session: Session, user: User) -> str:
    """The token a new login keeps in its cookie: the account's current one, created at the
    first login. Two first logins at once: the conditional update lets one token win and
    both read it back, so neither cookie is born stale."""
    if not user.session_token:
        session.execute(
            update(User)
            .where(User.id == user.id, User.session_token == "")
            .values(session_token=secrets.token_hex(32))
            .execution_options(synchronize_session=False)
        )
        session.refresh(user, ["session_token"])
    return user.session_token


def end_sessions(session: Session, user: User) -> None:
    """A fresh token: every cookie carrying the old one is logged out on its next request."""
    user.session_token = secrets.token_hex(32)
    session.flush()


def token_matches(user: User, token: object) -> bool:
    return (
        bool(user.session_token)
        and isinstance(token, str)
        and hmac.compare_digest(user.session_token, token)
    )

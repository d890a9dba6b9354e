"""Login, logout, and the home page that sends each role to its own screens."""

from __future__ import annotations

import math
from datetime import datetime
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask import session as cookie
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from expertpool.models import User
from expertpool.services import audit, login_throttle
from expertpool.services.accounts import (
    authenticate,
    end_sessions,
    login_token,
    normalize_username,
)
from web.context import db_session, has_endpoint, request_clock
from web.extensions import AUTH_TOKEN_KEY, LoginUser, login_required
from web.forms import FlaskForm, apply_errors

bp = Blueprint("auth", __name__)

# Where each role lands after logging in; the first endpoint that exists wins.
ROLE_HOME = {
    "unit": ("unit.index",),
    "bureau": ("bureau.queue",),
    "office": ("office.index",),
    "regulator": ("regulator.index",),
}


class LoginForm(FlaskForm):
    username = StringField(
        "用户名",
        validators=[
            DataRequired("请输入用户名"),
            Length(max=60, message="用户名不能超过60个字符"),
        ],
    )
    password = PasswordField(
        "密码",
        validators=[
            DataRequired("请输入密码"),
            Length(max=200, message="密码不能超过200个字符"),
        ],
    )


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _wait_text(until: datetime, now: datetime) -> str:
    seconds = max(1, math.ceil((until - now).total_seconds()))
    return f"{seconds}秒" if seconds < 60 else f"{math.ceil(seconds / 60)}分钟"


def _start_session(user: User) -> None:
    """Log ``user`` in: a fresh CSRF token (the one issued before login is dropped) and the
    account's session token in the cookie, checked on every request (web.extensions)."""
    cookie.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    g.pop("csrf_token", None)
    token = login_token(db_session(), user)
    login_user(LoginUser(user))
    cookie[AUTH_TOKEN_KEY] = token


def _try_password(form: LoginForm) -> User | str:
    """The user whose password this is, or the message for the form (nothing is said about
    whether the name exists: an unknown name gets the same check, count and answer)."""
    session = db_session()
    now = request_clock().utcnow()
    name = normalize_username(form.username.data or "")
    attempt = login_throttle.begin(session, name, request.remote_addr or "", now)
    session.commit()  # visible to parallel tries before the password is checked
    until = login_throttle.refused_until(session, attempt, now)
    if until is not None:
        session.commit()
        return f"登录失败次数过多，请{_wait_text(until, now)}后再试（每多失败一次，等待时间加倍）"
    user = authenticate(session, name, form.password.data or "")
    if user is None:
        audit.record(session, name[:60], "", "login_failed", "网页登录")
        session.commit()
        return "用户名或密码错误，或账户已停用"
    login_throttle.succeeded(session, attempt, now)
    audit.record(session, user.username, user.role, "login", "网页登录")
    _start_session(user)
    session.commit()
    return user


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("auth.home"))
    form = LoginForm()
    if form.validate_on_submit():
        outcome = _try_password(form)
        if isinstance(outcome, str):
            apply_errors(form, {"password": outcome})
        else:
            flash(f"欢迎，{outcome.display_name}！", "success")
            return redirect(_safe_next(request.args.get("next")) or url_for("auth.home"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    # A new session token ends this session on every app server, also for a copy of the
    # cookie taken before (and the account's other browsers: 退出 means everywhere).
    end_sessions(db_session(), current_user.user)
    db_session().commit()
    logout_user()
    cookie.pop(AUTH_TOKEN_KEY, None)
    flash("您已安全退出。", "success")
    return redirect(url_for("auth.login"))


@bp.route("/")
@login_required
def home() -> str | Response:
    for endpoint in ROLE_HOME.get(current_user.role, ()):
        if has_endpoint(endpoint):
            return redirect(url_for(endpoint))
    return render_template("auth/home.html")

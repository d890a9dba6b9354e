"""Login, logout, and the home page that sends each role to its own screens."""

from __future__ import annotations

import math
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from expertpool.models import utcnow
from expertpool.services import audit
from expertpool.services.accounts import authenticate, login_blocked_until
from web.context import db_session, has_endpoint
from web.extensions import LoginUser, login_required
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


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("auth.home"))
    form = LoginForm()
    if form.validate_on_submit():
        session = db_session()
        blocked = login_blocked_until(session, form.username.data or "")
        user = (
            None
            if blocked
            else authenticate(session, form.username.data or "", form.password.data or "")
        )
        if blocked:
            minutes = max(1, math.ceil((blocked - utcnow()).total_seconds() / 60))
            apply_errors(
                form, {"password": f"登录失败次数过多，账户已临时锁定，请{minutes}分钟后再试"}
            )
        elif user is None:
            audit.record(session, (form.username.data or "")[:60], "", "login_failed", "网页登录")
            session.commit()
            apply_errors(form, {"password": "用户名或密码错误，或账户已停用"})
        else:
            audit.record(session, user.username, user.role, "login", "网页登录")
            session.commit()
            login_user(LoginUser(user))
            flash(f"欢迎，{user.display_name}！", "success")
            return redirect(_safe_next(request.args.get("next")) or url_for("auth.home"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    logout_user()
    flash("您已安全退出。", "success")
    return redirect(url_for("auth.login"))


@bp.route("/")
@login_required
def home() -> str | Response:
    for endpoint in ROLE_HOME.get(current_user.role, ()):
        if has_endpoint(endpoint):
            return redirect(url_for(endpoint))
    return render_template("auth/home.html")

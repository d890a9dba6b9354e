"""Flask extensions shared by the factory and the blueprints, and Flask-Login's user."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import flask_login
from flask import session as cookie
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from expertpool.models import User
from expertpool.services.accounts import token_matches
from web.context import db_session

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "请先登录后再访问该页面。"
login_manager.login_message_category = "warning"

_View = TypeVar("_View", bound=Callable[..., Any])

# The signed cookie's copy of the account's session token (User.session_token).
AUTH_TOKEN_KEY = "auth_token"


# Flask-Login and Flask-WTF ship no type hints; their decorators keep the view's signature.
def login_required(view: _View) -> _View:
    """Flask-Login's `login_required`, typed."""
    return cast(_View, flask_login.login_required(view))


def csrf_exempt(view: _View) -> _View:
    """`CSRFProtect.exempt`, typed: the view checks the token itself (`csrf.protect()`)."""
    return cast(_View, csrf.exempt(view))


class LoginUser:
    """Flask-Login's view of a `User` row (the model itself stays free of Flask)."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, user: User) -> None:
        self.user = user

    @property
    def is_active(self) -> bool:
        return bool(self.user.active)

    def get_id(self) -> str:
        return str(self.user.id)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.user, name)


def _load_user(user_id: str) -> LoginUser | None:
    try:
        user = db_session().get(User, int(user_id))
    except ValueError:
        return None
    # A cookie from before the last logout or password change carries an old token.
    if user is None or not user.active or not token_matches(user, cookie.get(AUTH_TOKEN_KEY)):
        return None
    return LoginUser(user)


login_manager.user_loader(_load_user)

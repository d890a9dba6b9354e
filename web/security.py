"""Security headers, session lifetime, Secure cookies behind TLS, and login throttling."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, abort, current_app, request, session
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from expertpool.validators import has_control_characters

# No inline script or style anywhere: everything comes from /static.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


_View = TypeVar("_View", bound=Callable[..., Any])
_EXEMPT_ATTR = "_checks_control_characters_itself"


def checks_control_characters_itself(view: _View) -> _View:
    """Mark a view whose form validates control characters per field, in Chinese.

    The global guard then leaves its POSTed form values alone, so the user gets the form
    back with the typed values and a message at the offending field instead of a 400 page.
    URL path parts and query values are still checked. Put it directly below ``@bp.route``.
    """
    setattr(view, _EXEMPT_ATTR, True)
    return view


def _form_checked_by_view() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, _EXEMPT_ATTR, False))


def _printable(text: str) -> str:
    return "".join(ch for ch in text if not has_control_characters(ch))


class _SessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request came over TLS (also via a proxy)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


def init_security(app: Flask) -> None:
    app.session_interface = _SessionInterface()
    if app.config.get("BEHIND_PROXY") or os.environ.get("EXPERTPOOL_BEHIND_PROXY") == "1":
        # One reverse proxy in front: trust its X-Forwarded-For/-Proto/-Host.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    @app.before_request
    def _refuse_control_characters() -> None:
        # NUL and other control characters are never valid in a URL or a form field;
        # PostgreSQL would refuse NUL with a 500, so every request is checked here, once.
        for value in (request.view_args or {}).values():
            if isinstance(value, str) and has_control_characters(value):
                abort(404)  # no page has such an address
        for key, value in request.args.items(multi=True):
            if has_control_characters(key) or has_control_characters(value):
                abort(
                    400,
                    description=f"网址参数“{_printable(key)}”含有不可见的控制字符，"
                    "请检查链接后重新打开。",
                )
        # `request.form` is read here under the page's own size limit (web/limits.py, applied
        # by the first request hook); a view that checks its own form is left alone.
        if request.method == "POST" and not _form_checked_by_view() and request.form:
            for key, value in request.form.items(multi=True):
                if has_control_characters(value):
                    abort(
                        400,
                        description=f"表单字段“{_printable(key)}”含有不可见的控制字符，请删除后重新提交。",
                    )
        return None

    @app.before_request
    def _session_timeout() -> None:
        # A permanent session expires PERMANENT_SESSION_LIFETIME after the last request.
        session.permanent = True

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        return response

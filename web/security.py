"""Security headers, session lifetime, Secure cookies behind TLS, and login throttling."""

from __future__ import annotations

import os

from flask import Flask, abort, request, session
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

# No inline script or style anywhere: everything comes from /static.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


class _SessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request came over TLS (also via a proxy)."""

    def get_cookie_secure(self, app: Flask) -> bool:  # type: ignore[override]
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


def init_security(app: Flask) -> None:
    app.session_interface = _SessionInterface()
    if app.config.get("BEHIND_PROXY") or os.environ.get("EXPERTPOOL_BEHIND_PROXY") == "1":
        # One reverse proxy in front: trust its X-Forwarded-For/-Proto/-Host.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    @app.before_request
    def _refuse_control_characters():  # type: ignore[no-untyped-def]
        # NUL and other control characters are never valid in a form field; PostgreSQL would
        # refuse NUL with a 500, so every form is checked here, once.
        if request.method == "POST" and request.form:
            for key, value in request.form.items(multi=True):
                if any(ord(ch) < 32 and ch not in "\t\r\n" for ch in value):
                    abort(
                        400, description=f"表单字段“{key}”含有不可见的控制字符，请删除后重新提交。"
                    )
        return None

    @app.before_request
    def _session_timeout() -> None:
        # A permanent session expires PERMANENT_SESSION_LIFETIME after the last request.
        session.permanent = True

    @app.after_request
    def _headers(response):  # type: ignore[no-untyped-def]
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        return response

"""The Flask application factory. Only the `web` package imports Flask.

The factory imports the blueprints; blueprints import the request helpers from
`web.context`, the extensions from `web.extensions` and shared pages from `web.panels`,
never this module or each other.
"""

from __future__ import annotations

import os
import secrets
import time
from datetime import timedelta
from typing import Any

from flask import Flask, g, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from expertpool import dbstate
from expertpool.audit_key import AuditUnavailable
from expertpool.clock import shanghai_now
from expertpool.config import database_url, instance_path
from expertpool.db import make_engine, make_session_factory
from expertpool.models import AuditEvent
from expertpool.models.enums import ROLES
from expertpool.seeds import secrets_part
from web import (
    auth,
    bureau,
    certify,
    jobs,
    meetingday,
    notices,
    office,
    regulator,
    season,
    unit,
    workyear,
)
from web.context import (
    ENGINE_KEY,
    SESSIONS_KEY,
    close_db_session,
    db_session,
    default_year,
    has_endpoint,
    open_session,
    working_year,
    year_choices,
)
from web.extensions import csrf, login_manager
from web.formatting import bj_datetime, cn_date, cn_datetime
from web.limits import MAX_REQUEST_BYTES, MAX_UPLOAD_BYTES, apply_page_limit, too_large
from web.params import BoundedIntConverter
from web.security import init_security

BLUEPRINTS = (
    auth.bp,
    unit.bp,
    bureau.bp,
    office.bp,
    regulator.bp,
    season.bp,
    meetingday.bp,
    certify.bp,
    jobs.bp,
    workyear.bp,
    notices.bp,
)

ERROR_TEXT = {
    400: ("请求无效", "请求无效或表单已过期，请返回上一页刷新后重试。"),
    403: ("无权访问", "您的账户没有访问此页面的权限。"),
    404: ("页面不存在", "您访问的页面不存在，可能已被删除或地址有误。"),
    405: ("请求方式不允许", "此页面不支持该请求方式。"),
    413: (
        "文件过大",
        f"上传的文件超过{MAX_UPLOAD_BYTES // (1024 * 1024)} MB的限制，请拆分后再上传。",
    ),
    500: ("系统错误", "服务器处理请求时出错，请稍后重试；如问题持续，请联系系统管理员。"),
    503: ("服务暂不可用", "系统暂时无法处理请求，请稍后重试。"),
}

# The navigation bar: (role, endpoint, label). Entries whose endpoint is not registered
# (e.g. office/regulator screens not yet added) are simply not shown.
NAV: list[tuple[str, str, str]] = [
    ("unit", "unit.index", "我的推荐"),
    ("unit", "unit.new", "推荐专家"),
    ("unit", "unit.import_page", "批量导入"),
    ("bureau", "bureau.queue", "推荐审核"),
    ("bureau", "bureau.pool", "专家库"),
    ("bureau", "bureau.dashboard", "统计看板"),
    ("bureau", "bureau.settings", "年度设置"),
    ("bureau", "bureau.years", "年度管理"),
    ("bureau", "bureau.review_modes", "评聘方式"),
    ("bureau", "bureau.work_calendar", "工作日历"),
    ("bureau", "season.index", "年度联合抽取"),
    ("bureau", "certify.index", "抽取证明"),
    ("bureau", "meetingday.filings", "例会备案"),
    ("office", "office.index", "评委抽取"),
    ("office", "meetingday.filings", "例会备案"),
    ("regulator", "regulator.index", "监督检查"),
    ("regulator", "meetingday.verify_upload", "核验例会记录"),
    ("regulator", "meetingday.filings", "例会备案"),
    ("regulator", "certify.index", "抽取证明"),
]


def _secret_key() -> str:
    # Several app servers behind one proxy share the key through the environment.
    shared = os.environ.get("EXPERTPOOL_SECRET_KEY")
    if shared:
        return shared
    path = instance_path() / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:  # created once, atomically: several workers booting together read the same key
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            key = path.read_text(encoding="utf-8").strip()
            if key:
                return key
            time.sleep(0.02)  # the creating worker has not written it yet
        raise RuntimeError(f"会话密钥文件为空：{path}") from None
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(key)
    return key


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(instance_path()))
    app.config.update(
        WTF_CSRF_ENABLED=True,
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=30),  # idle timeout, refreshed per request
        NOW=shanghai_now,
        SEED_SOURCE=secrets_part,  # the system's part of a draw's seed (expertpool.seeds)
        WORKING_YEAR=None,  # None: the year comes from the database (web.context.working_year)
        PER_PAGE=50,
    )
    app.config.update(config or {})
    app.config.setdefault("DATABASE_URL", None)
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = database_url()
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key()

    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions[ENGINE_KEY] = engine
    app.extensions[SESSIONS_KEY] = make_session_factory(engine)

    app.url_map.converters["int"] = BoundedIntConverter  # before any rule is added
    app.before_request(apply_page_limit)  # first: CSRF and the guards read the form
    csrf.init_app(app)
    login_manager.init_app(app)
    init_security(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)

    _register_hooks(app)
    _register_errors(app)
    _register_template_helpers(app)
    return app


def _register_hooks(app: Flask) -> None:
    app.teardown_request(close_db_session)

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _error_page(code: int, message: str | None = None, title: str | None = None) -> tuple[str, int]:
    session = open_session()
    if session is not None:
        session.rollback()
    default_title, text = ERROR_TEXT.get(code, ERROR_TEXT[500])
    page = render_template(
        "errors/error.html", code=code, title=title or default_title, text=message or text
    )
    return page, code


def _database_page(problem: dbstate.Problem) -> tuple[str, int]:
    """503 saying the database is read-only or unreachable. The page is drawn as for a
    visitor: loading the account would need the database again."""
    session = open_session()
    if session is not None:
        try:
            session.rollback()
        except DBAPIError:
            session.invalidate()
    g._login_user = login_manager.anonymous_user()  # Flask-Login's per-request user
    return _error_page(503, dbstate.TEXTS[problem], dbstate.TITLES[problem])


def _too_large_page() -> tuple[str, int]:
    """413 naming the form that was too large, with a link back to it."""
    session = open_session()
    if session is not None:
        session.rollback()
    name, text, back = too_large()
    page = render_template(
        "errors/error.html", code=413, title="提交内容过大", text=text, back=back, form_name=name
    )
    return page, 413


def _register_errors(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> tuple[str, int]:
        return _error_page(
            400, "表单安全校验失败（缺少或已过期的令牌），请返回上一页刷新后重新提交。"
        )

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> HTTPException | tuple[str, int]:
        code = exc.code or 500
        if code not in ERROR_TEXT:
            return exc
        # Our own aborts carry a Chinese description; werkzeug's defaults are English.
        own = (
            exc.description
            if any("\u4e00" <= ch <= "\u9fff" for ch in exc.description or "")
            else None
        )
        if code == 413:
            return _too_large_page()
        return _error_page(code, own)

    @app.errorhandler(DBAPIError)
    def _database(exc: DBAPIError) -> tuple[str, int]:
        problem = dbstate.classify(exc)
        if problem is None:
            app.logger.exception("未处理的数据库异常")
            return _error_page(500)
        app.logger.error("数据库%s：%s", dbstate.TITLES[problem], exc.orig)
        return _database_page(problem)

    @app.errorhandler(AuditUnavailable)
    def _no_audit(exc: AuditUnavailable) -> tuple[str, int]:
        # Nothing is done without its audit record: say why, instead of a bare 500.
        app.logger.error("无法追加审计记录：%s", exc.message)
        return _error_page(503, exc.message)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[str, int]:
        app.logger.exception("未处理的异常")
        return _error_page(500)


def _register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["cn_date"] = cn_date
    app.jinja_env.filters["cn_datetime"] = cn_datetime
    app.jinja_env.filters["bj_datetime"] = bj_datetime

    @app.context_processor
    def _globals() -> dict[str, Any]:
        demo = False
        try:
            demo = bool(
                db_session().scalar(
                    select(AuditEvent.id).where(AuditEvent.target == "演示数据").limit(1)
                )
            )
        except Exception:  # an error page must render even when the database is down
            db_session().rollback()
        role = current_user.role if current_user.is_authenticated else None
        return {
            "has_endpoint": has_endpoint,
            "nav_items": [(e, label) for r, e, label in NAV if r == role and has_endpoint(e)],
            "role_names": ROLES,
            "current_role": role,
            "demo_data": demo,
            "working_year": working_year(),
            "year_choices": year_choices() if role else [],
            "default_year": default_year() if role else None,
            "max_upload_bytes": MAX_UPLOAD_BYTES,
        }

"""Per-request helpers: the database session, the clock and the working year.

As in Flask's tutorial (`flaskr/db.py`), these live in their own module so that the factory
and every blueprint import them from here, and the factory imports the blueprints.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import cast

from flask import current_app, g, session
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from expertpool.catalogue import available_years
from expertpool.clock import SHANGHAI
from expertpool.services import years

SESSIONS_KEY = "expertpool.sessions"
ENGINE_KEY = "expertpool.engine"


def db_session() -> Session:
    """The request's SQLAlchemy session (opened on first use, closed at teardown)."""
    if "db_session" not in g:
        factory = cast("sessionmaker[Session]", current_app.extensions[SESSIONS_KEY])
        g.db_session = factory()
    return cast(Session, g.db_session)


def open_session() -> Session | None:
    """The request's session if one was opened, without opening one."""
    return cast("Session | None", g.get("db_session"))


def close_db_session(exc: BaseException | None) -> None:
    """Teardown: roll back after an unhandled error, then close the request's session."""
    session = cast("Session | None", g.pop("db_session", None))
    if session is not None:
        if exc is not None:
            session.rollback()
        session.close()


def now() -> datetime:
    """'Now' in Asia/Shanghai (naive); tests replace app.config['NOW']."""
    return cast(datetime, current_app.config["NOW"]())


class RequestClock:
    """The services' `Clock` reading the app's `NOW` (so tests that fix `NOW` fix both)."""

    def shanghai_now(self) -> datetime:
        return now()

    def utcnow(self) -> datetime:
        local = now().replace(tzinfo=SHANGHAI)
        return local.astimezone(UTC).replace(tzinfo=None)


def request_clock() -> RequestClock:
    return RequestClock()


def today() -> date:
    """Today's Beijing date by the app's clock (meeting dates and confidentiality)."""
    return now().date()


YEAR_KEY = "working_year"  # the user's choice in the year selector (flask session)


def year_choices() -> list[int]:
    """The years the selector offers: the current working year and any year opened after it
    (``expertpool.services.years.selectable_years``); [] when the database cannot say."""
    if "year_choices" not in g:
        try:
            g.year_choices = years.selectable_years(db_session(), now().date())
        except SQLAlchemyError:  # an error page must render even when the database is down
            db_session().rollback()
            g.year_choices = []
    return cast("list[int]", g.year_choices)


def working_year() -> int:
    """The working year every screen shows: the year chosen in the selector when it is still
    selectable, else today's year once the bureau has opened it, else the latest opened year
    (``expertpool.services.years.shown_year``). ``WORKING_YEAR`` in the config pins it
    instead (a test or a deliberate read-only look at one year)."""
    pinned = current_app.config.get("WORKING_YEAR")
    if pinned:
        return int(pinned)
    if "working_year" not in g:
        choices = year_choices()
        chosen = session.get(YEAR_KEY)
        if choices and chosen in choices:
            g.working_year = chosen
        else:
            g.working_year = choices[0] if choices else available_years()[-1]
    return cast(int, g.working_year)


def default_year() -> int:
    """The current working year (what the selector falls back to)."""
    choices = year_choices()
    return choices[0] if choices else working_year()


def has_endpoint(endpoint: str) -> bool:
    return endpoint in current_app.view_functions

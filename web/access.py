"""Role checks for views, and the acting user as a service-layer `Actor`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required

from expertpool.actor import Actor


def roles_required(*roles: str) -> Callable:
    """Require a logged-in, active user whose role is one of ``roles`` (else 403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            if current_user.role == "unit" and current_user.unit_id is None:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def current_actor() -> Actor:
    return Actor(current_user.username, current_user.role, current_user.unit_id)

"""Bulk submission (spreadsheet import): every row is validated first, then all or none."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from expertpool.actor import Actor
from expertpool.errors import BadRows
from expertpool.models import Nomination
from expertpool.services import audit
from expertpool.services.nominations.deadline import ensure_open
from expertpool.services.nominations.unit import require_unit
from expertpool.services.nominations.validation import (
    FIELD_LABELS,
    Clean,
    NominationInput,
    clean_nomination,
    duplicate_message,
    own_duplicate,
)


class RowErrors(BadRows):
    """Bulk input with bad rows: ``problems`` is a list of (row number, field key, message)."""

    labels = FIELD_LABELS


def _clean_rows(
    session: Session,
    year: int,
    unit_id: int,
    rows: list[NominationInput],
    numbers: list[int],
    preset: dict[tuple[int, str], str],
    now: datetime,
) -> list[Clean]:
    """Every row validated (with duplicates within the batch and against the unit's
    nominations); raises RowErrors listing every bad row and field."""
    problems: list[tuple[int, str, str]] = []
    cleaned: list[Clean] = []
    seen: dict[str, int] = {}
    for number, data in zip(numbers, rows, strict=True):
        clean, errors = clean_nomination(session, year, data, check_today=now)
        for (row, key), message in preset.items():
            if row == number:
                errors[key] = message
        card = clean.get("id_card")
        if card and "id_card" not in errors:
            if card in seen:
                errors["id_card"] = f"与第{seen[card]}行重复"
            else:
                seen[card] = number
                dup = own_duplicate(session, year, unit_id, card, None)
                if dup is not None:
                    errors["id_card"] = duplicate_message(dup)
        for key in FIELD_LABELS:
            if key in errors:
                problems.append((number, key, errors[key]))
        cleaned.append(clean)
    if problems:
        raise RowErrors(problems)
    return cleaned


def add_many(
    session: Session,
    actor: Actor,
    year: int,
    rows: list[NominationInput],
    *,
    now: datetime,
    row_numbers: list[int] | None = None,
    preset_errors: dict[tuple[int, str], str] | None = None,
    target: str = "批量推荐",
) -> list[Nomination]:
    """Bulk submission: validates every row first and adds all of them or none.

    ``row_numbers`` are the numbers shown in messages (e.g. spreadsheet rows; default 1…n);
    ``preset_errors`` are problems already found while reading, keyed by (row number,
    field key), and take the place of the validator's message for that field. Raises
    ``RowErrors`` listing every bad row and field.
    """
    unit_id = require_unit(actor)
    ensure_open(session, year, now)
    numbers = row_numbers or list(range(1, len(rows) + 1))
    cleaned = _clean_rows(session, year, unit_id, rows, numbers, preset_errors or {}, now)
    created = []
    for clean in cleaned:
        nomination = Nomination(
            year=year,
            unit_id=unit_id,
            status="已提交",
            submitted_by=actor.username,
            submitted_at=now,
            updated_at=now,
            **clean,
        )
        session.add(nomination)
        created.append(nomination)
    session.flush()
    audit.record(
        session,
        actor.username,
        actor.role,
        "import",
        f"{target}{len(created)}人",
        {"year": year, "ids": [n.id for n in created]},
    )
    return created

"""Units nominate experts (推荐); the bureau reviews them into committee pools.

By job: the deadline (`deadline`), validating one nomination (`validation`), a unit's own
nominations (`unit`), bulk submission (`bulk`), and the bureau's review (`review`).
Everything takes a SQLAlchemy ``Session`` and plain data, so the web views and any
command-line tool share one set of rules. Times are naive Asia/Shanghai local times.

The names callers use are re-exported here: ``from expertpool.services import nominations``.
"""

from expertpool.actor import Actor
from expertpool.clock import SHANGHAI, shanghai_now
from expertpool.services.nominations.bulk import RowErrors, add_many
from expertpool.services.nominations.deadline import (
    EDITABLE_STATUSES,
    ensure_open,
    format_datetime,
    may_change,
    nomination_deadline,
    nominations_open,
    set_deadline,
    unit_can_change,
)
from expertpool.services.nominations.review import (
    QueueItem,
    approve_many,
    approve_nomination,
    next_expert_code,
    nomination_counts,
    reject_nomination,
    return_nomination,
    review_item,
    review_queue,
    status_counts,
)
from expertpool.services.nominations.unit import (
    find_by_token,
    get_unit_nomination,
    search_unit_nominations,
    submit_nomination,
    submitter_label,
    update_nomination,
    withdraw_nomination,
)
from expertpool.services.nominations.validation import (
    ACTIVE_STATUSES,
    FIELD_LABELS,
    MAX_TEXT,
    NominationInput,
    NominationInvalid,
    clean_nomination,
    year_committees,
)

__all__ = [
    "ACTIVE_STATUSES",
    "EDITABLE_STATUSES",
    "FIELD_LABELS",
    "MAX_TEXT",
    "SHANGHAI",
    "Actor",
    "NominationInput",
    "NominationInvalid",
    "QueueItem",
    "RowErrors",
    "add_many",
    "approve_many",
    "approve_nomination",
    "clean_nomination",
    "ensure_open",
    "find_by_token",
    "format_datetime",
    "get_unit_nomination",
    "may_change",
    "next_expert_code",
    "nomination_counts",
    "nomination_deadline",
    "nominations_open",
    "reject_nomination",
    "return_nomination",
    "review_item",
    "review_queue",
    "search_unit_nominations",
    "set_deadline",
    "shanghai_now",
    "status_counts",
    "submit_nomination",
    "submitter_label",
    "unit_can_change",
    "update_nomination",
    "withdraw_nomination",
    "year_committees",
]

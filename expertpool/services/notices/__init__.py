"""Notify and confirm (通知与确认): from the drawn list to a confirmed panel.

`board` reads one panel's call list (members, then alternates in substitution order, their
state, attempts and who to contact next); `record` records a contact or a reply, a 请辞
being the existing decline (`expertpool.services.panels.decline`), and the answer deadline.
"""

from expertpool.services.notices.board import (
    CHANNELS,
    STATE_LABELS,
    Board,
    Row,
    board,
    unconfirmed_members,
)
from expertpool.services.notices.messages import (
    OUTBOX_STATES,
    TEMPLATE_FIELDS,
    SendOutcome,
    notice_text,
    outbox,
    save_template,
    send_notices,
    template_of,
)
from expertpool.services.notices.record import OUTCOMES, record_reply, set_deadline

__all__ = [
    "CHANNELS",
    "OUTBOX_STATES",
    "OUTCOMES",
    "TEMPLATE_FIELDS",
    "SendOutcome",
    "notice_text",
    "outbox",
    "save_template",
    "send_notices",
    "template_of",
    "STATE_LABELS",
    "Board",
    "Row",
    "board",
    "record_reply",
    "set_deadline",
    "unconfirmed_members",
]

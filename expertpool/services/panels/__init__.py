"""Panels (参会评委) of one meeting, by job: reading (`query`), drawing (`draw`), what moved
since the draw (`drift`), declines (`declines`), sealing and no-shows (`sealing`), replay and
verification (`replay`), and storing a season plan (`season_store`).

The names callers use are re-exported here: ``from expertpool.services import panels``.
"""

from expertpool.services.panels.declines import DECLINE_HOW, DeclineOutcome, decline
from expertpool.services.panels.draw import draw_meeting, draw_on_seed, redraw_reason, store_draw
from expertpool.services.panels.drift import (
    Drift,
    changes_since_draw,
    drift_since_draw,
    refuse_if_changed,
    stale_notice,
)
from expertpool.services.panels.query import (
    MAX_REASON_CHARS,
    Recusal,
    current_panel,
    diagnosis_notes,
    log_export,
    log_view,
    meeting_panels,
    package_of,
    recusals,
    result_bytes,
    result_of,
    seat_rows,
    stamp,
)
from expertpool.services.panels.replay import ReplayOutcome, replay, verification_report
from expertpool.services.panels.sealing import (
    SEALED_MESSAGE,
    is_sealed,
    record_no_show,
    refuse_if_sealed,
    seal,
)
from expertpool.services.panels.season_store import (
    newest_compliant_run,
    season_notice,
    store_plan,
    why_reason_needed,
)

__all__ = [
    "DECLINE_HOW",
    "MAX_REASON_CHARS",
    "SEALED_MESSAGE",
    "DeclineOutcome",
    "Drift",
    "Recusal",
    "ReplayOutcome",
    "changes_since_draw",
    "current_panel",
    "decline",
    "diagnosis_notes",
    "draw_meeting",
    "draw_on_seed",
    "drift_since_draw",
    "is_sealed",
    "log_export",
    "log_view",
    "meeting_panels",
    "package_of",
    "record_no_show",
    "recusals",
    "redraw_reason",
    "refuse_if_changed",
    "refuse_if_sealed",
    "replay",
    "result_bytes",
    "result_of",
    "seal",
    "season_notice",
    "seat_rows",
    "stamp",
    "store_draw",
    "newest_compliant_run",
    "stale_notice",
    "store_plan",
    "why_reason_needed",
    "verification_report",
]

"""All tables; importing this module registers every model on `Base.metadata`."""

from expertpool.models.accounts import (
    AuditEvent,
    AuditHead,
    LoginAttempt,
    User,
    UserCommittee,
)
from expertpool.models.base import Base, utcnow
from expertpool.models.certificates import PanelCertificate
from expertpool.models.committees import Applicant, Committee, Conflict, Meeting
from expertpool.models.jobs import Job
from expertpool.models.meetings_day import (
    Attendance,
    DayCorrection,
    MeetingDay,
    ReviewMode,
    VoteTally,
    WorkCalendarYear,
)
from expertpool.models.nominations import Nomination, YearSetting
from expertpool.models.notices import (
    NoticeAttempt,
    NoticeDeadline,
    NoticeState,
    NoticeTemplate,
    OutboxMessage,
)
from expertpool.models.panels import DrawSession, Panel, PanelSeat, SeasonRun, SecondPartWaiver
from expertpool.models.registry import Expert, PoolMembership, ServiceRecord, StatusChange, Unit
from expertpool.models.years import WorkingYear

__all__ = [
    "Applicant",
    "Attendance",
    "AuditEvent",
    "AuditHead",
    "Base",
    "Committee",
    "Conflict",
    "DayCorrection",
    "DrawSession",
    "Expert",
    "Job",
    "LoginAttempt",
    "Meeting",
    "MeetingDay",
    "Nomination",
    "NoticeAttempt",
    "NoticeDeadline",
    "NoticeState",
    "NoticeTemplate",
    "OutboxMessage",
    "Panel",
    "PanelCertificate",
    "PanelSeat",
    "PoolMembership",
    "ReviewMode",
    "SeasonRun",
    "SecondPartWaiver",
    "ServiceRecord",
    "StatusChange",
    "Unit",
    "User",
    "UserCommittee",
    "VoteTally",
    "WorkCalendarYear",
    "WorkingYear",
    "YearSetting",
    "utcnow",
]

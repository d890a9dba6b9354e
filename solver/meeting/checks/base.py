"""What a meeting check is: id, Chinese title, clause it rests on, a plain check that lists
the problems (Chinese, with the numbers), and the sentence shown when there are none."""

from __future__ import annotations

from abc import ABC, abstractmethod

from solver.meeting.case import MeetingCase

__all__ = ["MAX_LISTED", "Check", "joined"]

MAX_LISTED = 10  # problems listed per check before "另有N处"


class Check(ABC):
    id: str
    title_zh: str
    clause: str

    @abstractmethod
    def check(self, case: MeetingCase) -> list[str]: ...

    @abstractmethod
    def describe(self, case: MeetingCase) -> str: ...


def joined(problems: list[str]) -> str:
    shown = problems[:MAX_LISTED]
    more = len(problems) - len(shown)
    return "；".join(shown) + (f"；另有{more}处" if more > 0 else "")

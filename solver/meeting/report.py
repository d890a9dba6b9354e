"""The meeting verifier's report: one item per check, in Chinese."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Item", "Report"]


@dataclass(frozen=True)
class Item:
    check: str
    title: str
    clause: str
    ok: bool
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "title": self.title,
            "clause": self.clause,
            "ok": self.ok,
            "detail": self.detail,
        }


@dataclass
class Report:
    items: list[Item] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(item.ok for item in self.items)

    def failed(self) -> list[Item]:
        return [item for item in self.items if not item.ok]

    def as_list(self) -> list[dict[str, Any]]:
        return [item.as_dict() for item in self.items]

    def text(self) -> str:
        lines = [
            f"[{'通过' if item.ok else '不通过'}] {item.check} {item.title}：{item.detail}"
            for item in self.items
        ]
        lines.append(
            "结论：例会记录与评委会、抽取包一致，出席、表决与通过率均合规"
            if self.ok
            else "结论：例会记录核验未通过"
        )
        return "\n".join(lines)

"""Every rule's Chinese title and source clause, for pages that name rules."""

from __future__ import annotations

from solver.defaults import RULE_SOURCES

__all__ = ["RULE_SOURCES", "rule_title"]


def rule_title(rule: str) -> str:
    """The rule's Chinese title, or its id when the rule is unknown."""
    return RULE_SOURCES.get(rule, (rule, ""))[0]

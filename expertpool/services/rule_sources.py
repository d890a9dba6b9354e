"""Every rule's Chinese title and source clause, for pages that name rules (solver/registry.py)."""

from __future__ import annotations

from solver import registry

__all__ = ["RULE_SOURCES", "rule_source", "rule_title"]

# rule or setting id → (Chinese title, source clause), as the registry declares them.
RULE_SOURCES: dict[str, tuple[str, str]] = registry.SOURCES


def rule_title(rule: str) -> str:
    """The rule's Chinese title, or its id when the rule is unknown."""
    return RULE_SOURCES.get(rule, (rule, ""))[0]


def rule_source(rule: str) -> str:
    """The clause the rule or setting rests on ("" when unknown)."""
    return RULE_SOURCES.get(rule, (rule, ""))[1]

"""Closed vocabularies of the domain, kept as Chinese strings because that is what users type."""

from __future__ import annotations

from solver.package import RANKS  # lowest to highest; the draw format defines them

__all__ = [
    "CONFLICT_REASONS",
    "DRAWABLE_STATUS",
    "EXPERT_STATUSES",
    "GENDERS",
    "LEVELS",
    "NOMINATION_STATUSES",
    "RANKS",
    "ROLES",
    "UNIT_KINDS",
]

UNIT_KINDS = ("高校", "企业", "事业单位", "医疗机构", "社会组织", "其他")

EXPERT_STATUSES = ("待审核", "在库", "暂停", "退出", "黑名单")
# Only 在库 experts may be drawn; the others are kept for history.
DRAWABLE_STATUS = "在库"

NOMINATION_STATUSES = ("已提交", "已退回", "已通过", "已驳回", "已撤回")

ROLES = {
    "unit": "推荐单位",
    "bureau": "市人社局",
    "office": "评委会办事机构",
    "regulator": "监管",
}

LEVELS = {"senior": "高级", "intermediate": "中级"}

CONFLICT_REASONS = ("近亲属", "师生", "合作者", "同单位近三年", "其他")

GENDERS = ("男", "女")

# Chinese words for the stored panel and seat codes: every screen and export says these.
SEAT_ROLES = {"member": "评委", "alternate": "备选"}
SEAT_STATES = {"active": "在任", "declined": "请辞", "no_show": "缺席", "used": "已递补为评委"}
PANEL_STATUSES = {"drawn": "已抽取", "infeasible": "无法抽取", "sealed": "已锁定", "void": "已作废"}

"""Nomination rules, the deadline, idempotency and the bureau's review (no Flask)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from expertpool.errors import UserError
from expertpool.models import (
    AuditEvent,
    Committee,
    Expert,
    Nomination,
    PoolMembership,
    StatusChange,
    Unit,
)
from expertpool.services import nominations as noms
from tests.builders import add_unit, bad_card, card

NOW = datetime(2024, 7, 1, 10, 0, 0)
LATE = datetime(2024, 8, 1, 0, 0, 1)


def committee(session: Session, code_seq: int = 1) -> Committee:
    return noms.year_committees(session, 2024)[code_seq - 1]


def valid_input(session: Session, **over: object) -> noms.NominationInput:
    c = committee(session)
    data = noms.NominationInput(
        name="曾国明",
        gender="男",
        id_card=card(),
        rank="正高级",
        title_name="正高级工程师",
        series="工程",
        phone="13912345678",
        email="zeng@example.cn",
        committee_ids=[c.id],
        specialties=[c.specialties[0]],
        recommendation="业务能力突出，同意推荐。",
        pledge_personal=True,
        pledge_unit=True,
    )
    for key, value in over.items():
        setattr(data, key, value)
    return data


@pytest.fixture
def unit(session: Session) -> Unit:
    return add_unit(session)


@pytest.fixture
def actor(unit: Unit) -> noms.Actor:
    return noms.Actor("unit_a", "unit", unit.id)


BUREAU = noms.Actor("rsj", "bureau")


def test_submit_creates_nomination_and_audit(session: Session, actor: noms.Actor) -> None:
    n, created = noms.submit_nomination(
        session, actor, 2024, valid_input(session), now=NOW, token="t1"
    )
    assert created and n.status == "已提交" and n.birth_year == 1980 and n.gender == "男"
    ev = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert ev is not None and ev.action == "nomination_submit" and ev.target == f"推荐#{n.id}"


def test_same_token_creates_exactly_one(session: Session, actor: noms.Actor) -> None:
    first, created1 = noms.submit_nomination(
        session, actor, 2024, valid_input(session), now=NOW, token="tok"
    )
    second, created2 = noms.submit_nomination(
        session, actor, 2024, valid_input(session), now=NOW, token="tok"
    )
    assert created1 and not created2 and first.id == second.id
    assert session.scalar(select(func.count()).select_from(Nomination)) == 1


def test_field_errors_are_chinese_and_per_field(session: Session, actor: noms.Actor) -> None:
    bad = valid_input(
        session,
        id_card=bad_card(),
        gender="",
        specialties=["不存在的专业"],
        pledge_unit=False,
        phone="123",
        email="x@",
        name="A",
        recommendation="",
        title_name="",
        series="",
        rank="",
    )
    with pytest.raises(noms.NominationInvalid) as info:
        noms.submit_nomination(session, actor, 2024, bad, now=NOW)
    errors = info.value.errors
    assert errors["id_card"] == "校验位错误"
    assert "性别" in errors["gender"]
    assert "不属于所选评委会" in errors["specialties"]
    assert errors["pledge_unit"] == "须勾选单位承诺"
    assert set(errors) >= {
        "phone",
        "email",
        "name",
        "recommendation",
        "title_name",
        "series",
        "rank",
    }


def test_gender_cross_checked_with_id_card(session: Session, actor: noms.Actor) -> None:
    with pytest.raises(noms.NominationInvalid) as info:
        noms.submit_nomination(session, actor, 2024, valid_input(session, gender="女"), now=NOW)
    assert info.value.errors == {"gender": "与身份证号不符（身份证号显示为男）"}


def test_specialty_must_belong_to_a_chosen_committee(session: Session, actor: noms.Actor) -> None:
    a, b = committee(session, 1), committee(session, 13)
    only_b = next(s for s in b.specialties if s not in a.specialties)
    with pytest.raises(noms.NominationInvalid) as info:
        noms.submit_nomination(
            session, actor, 2024, valid_input(session, specialties=[only_b]), now=NOW
        )
    assert "specialties" in info.value.errors
    ok = valid_input(session, committee_ids=[a.id, b.id], specialties=[a.specialties[0], only_b])
    n, _ = noms.submit_nomination(session, actor, 2024, ok, now=NOW)
    assert n.committee_ids == [a.id, b.id]


def test_intermediate_rank_not_for_senior_committee(session: Session, actor: noms.Actor) -> None:
    with pytest.raises(noms.NominationInvalid) as info:
        noms.submit_nomination(session, actor, 2024, valid_input(session, rank="中级"), now=NOW)
    assert "高级评委会" in info.value.errors["rank"]


def test_unknown_committee_refused(session: Session, actor: noms.Actor) -> None:
    with pytest.raises(noms.NominationInvalid) as info:
        noms.submit_nomination(
            session, actor, 2024, valid_input(session, committee_ids=[99999]), now=NOW
        )
    assert "目录" in info.value.errors["committee_ids"]


def test_same_unit_cannot_nominate_same_person_twice(session: Session, actor: noms.Actor) -> None:
    noms.submit_nomination(session, actor, 2024, valid_input(session), now=NOW)
    with pytest.raises(noms.NominationInvalid) as info:
        noms.submit_nomination(session, actor, 2024, valid_input(session), now=NOW)
    assert "已推荐此人" in info.value.errors["id_card"]


def test_deadline_closes_submit_edit_withdraw(session: Session, actor: noms.Actor) -> None:
    n, _ = noms.submit_nomination(session, actor, 2024, valid_input(session), now=NOW)
    assert noms.nomination_deadline(session, 2024) == datetime(2024, 7, 31, 23, 59, 59)
    assert noms.nominations_open(session, 2024, datetime(2024, 7, 31, 23, 59, 59))
    assert not noms.nominations_open(session, 2024, LATE)
    with pytest.raises(UserError, match="截止"):
        noms.submit_nomination(
            session, actor, 2024, valid_input(session, id_card=card("21020419800101125")), now=LATE
        )
    with pytest.raises(UserError, match="截止"):
        noms.update_nomination(session, actor, n.id, valid_input(session), now=LATE)
    with pytest.raises(UserError, match="截止"):
        noms.withdraw_nomination(session, actor, n.id, now=LATE)


def test_bureau_moves_the_deadline(session: Session, actor: noms.Actor) -> None:
    noms.set_deadline(session, BUREAU, 2024, datetime(2024, 8, 15, 17, 0))
    assert noms.nominations_open(session, 2024, LATE)
    with pytest.raises(UserError):
        noms.set_deadline(session, actor, 2024, datetime(2024, 8, 15, 17, 0))


def test_other_unit_cannot_touch_a_nomination(session: Session, actor: noms.Actor) -> None:
    n, _ = noms.submit_nomination(session, actor, 2024, valid_input(session), now=NOW)
    other = add_unit(session, "另一单位", "87654321")
    with pytest.raises(UserError, match="不存在"):
        noms.withdraw_nomination(session, noms.Actor("x", "unit", other.id), n.id, now=NOW)


def test_returned_nomination_edited_goes_back_to_submitted(
    session: Session, actor: noms.Actor
) -> None:
    n, _ = noms.submit_nomination(session, actor, 2024, valid_input(session), now=NOW)
    with pytest.raises(UserError, match="理由"):
        noms.return_nomination(session, BUREAU, n.id, "  ", now=NOW)
    noms.return_nomination(session, BUREAU, n.id, "请补充推荐意见", now=NOW)
    assert n.status == "已退回" and n.review_reason == "请补充推荐意见"
    noms.update_nomination(
        session, actor, n.id, valid_input(session, recommendation="补充后的意见"), now=NOW
    )
    assert n.status == "已提交" and n.recommendation == "补充后的意见"
    noms.withdraw_nomination(session, actor, n.id, now=NOW)
    assert n.status == "已撤回"
    with pytest.raises(UserError, match="不能修改"):
        noms.update_nomination(session, actor, n.id, valid_input(session), now=NOW)


def _last_audit(session: Session) -> AuditEvent:
    ev = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert ev is not None
    return ev


def test_returned_nomination_can_be_corrected_after_the_deadline(
    session: Session, actor: noms.Actor
) -> None:
    n, _ = noms.submit_nomination(session, actor, 2024, valid_input(session), now=NOW)
    noms.return_nomination(session, BUREAU, n.id, "请补充推荐意见", now=LATE)  # review is late
    assert noms.unit_can_change(session, n, LATE)
    noms.update_nomination(
        session, actor, n.id, valid_input(session, recommendation="补充后的意见"), now=LATE
    )
    assert n.status == "已提交" and n.recommendation == "补充后的意见" and n.updated_at == LATE
    ev = _last_audit(session)
    assert ev.action == "nomination_submit" and ev.target == f"推荐#{n.id}"
    assert ev.detail["previous_status"] == "已退回" and ev.detail["after_deadline"] is True
    # Resubmitted, it is an ordinary 已提交 nomination again: closed after the deadline.
    assert not noms.unit_can_change(session, n, LATE)
    with pytest.raises(UserError, match="截止"):
        noms.update_nomination(session, actor, n.id, valid_input(session, title_name="X"), now=LATE)
    with pytest.raises(UserError, match="截止"):
        noms.withdraw_nomination(session, actor, n.id, now=LATE)
    assert n.status == "已提交" and n.title_name == "正高级工程师"


def test_returned_nomination_can_be_withdrawn_after_the_deadline(
    session: Session, actor: noms.Actor
) -> None:
    n, _ = noms.submit_nomination(session, actor, 2024, valid_input(session), now=NOW)
    noms.return_nomination(session, BUREAU, n.id, "材料不全", now=LATE)
    noms.withdraw_nomination(session, actor, n.id, now=LATE)
    assert n.status == "已撤回"
    ev = _last_audit(session)
    assert ev.detail["withdrawn"] is True and ev.detail["after_deadline"] is True
    assert not noms.unit_can_change(session, n, LATE)


def test_correcting_a_returned_nomination_still_validates(
    session: Session, actor: noms.Actor
) -> None:
    n, _ = noms.submit_nomination(session, actor, 2024, valid_input(session), now=NOW)
    noms.return_nomination(session, BUREAU, n.id, "请核对电话", now=LATE)
    with pytest.raises(noms.NominationInvalid) as info:
        noms.update_nomination(session, actor, n.id, valid_input(session, phone="123"), now=LATE)
    assert set(info.value.errors) == {"phone"}
    assert n.status == "已退回" and n.phone == "13912345678"


def test_may_change_rule() -> None:
    assert noms.may_change("已提交", is_open=True) and noms.may_change("已退回", is_open=True)
    assert noms.may_change("已退回", is_open=False)
    assert not noms.may_change("已提交", is_open=False)
    for status in ("已通过", "已驳回", "已撤回"):
        assert not noms.may_change(status, is_open=True)


def test_search_unit_nominations(session: Session, actor: noms.Actor) -> None:
    cards = {1: card("21020419800101125"), 2: card("21020419800101127")}
    a, _ = noms.submit_nomination(session, actor, 2024, valid_input(session), now=NOW)
    b, _ = noms.submit_nomination(
        session, actor, 2024, valid_input(session, name="单雄信", id_card=cards[1]), now=NOW
    )
    c, _ = noms.submit_nomination(
        session, actor, 2024, valid_input(session, name="解缙", id_card=cards[2]), now=NOW
    )
    noms.return_nomination(session, BUREAU, b.id, "请补充", now=NOW)
    other = add_unit(session, "另一单位", "87654321")
    noms.submit_nomination(
        session, noms.Actor("b", "unit", other.id), 2024, valid_input(session), now=NOW
    )

    def ids(**kw: str) -> list[int]:
        return [n.id for n in noms.search_unit_nominations(session, actor.unit_id, 2024, **kw)]

    assert ids() == [c.id, b.id, a.id]  # newest first, only this unit's
    assert ids(q="单雄") == [b.id]
    assert ids(q=f" {cards[2][-4:]} ") == [c.id]  # the tail of the 身份证号
    assert ids(q=cards[2][-4:-1]) == []  # the tail, not any part
    assert ids(status="已退回") == [b.id]
    assert ids(q="解", status="已退回") == []
    assert ids(q="%") == [] and ids(q="_") == []  # no LIKE wildcards
    with pytest.raises(UserError, match="「状态」无效"):
        ids(status="乱写")


def test_review_item_has_the_queue_warnings(session: Session, actor: noms.Actor) -> None:
    n1, _ = noms.submit_nomination(session, actor, 2024, valid_input(session), now=NOW)
    other = add_unit(session, "另一单位", "87654321")
    n2, _ = noms.submit_nomination(
        session, noms.Actor("b", "unit", other.id), 2024, valid_input(session), now=NOW
    )
    item = noms.review_item(session, n1.id)
    assert item.nomination is n1 and [c.id for c in item.committees] == n1.committee_ids
    assert item.warnings == [f"与另一单位的推荐#{n2.id}重复（已提交）"]
    assert item.existing_expert is None
    with pytest.raises(UserError, match="不存在"):
        noms.review_item(session, 999999)


def test_approve_creates_expert_and_memberships(session: Session, actor: noms.Actor) -> None:
    n, _ = noms.submit_nomination(session, actor, 2024, valid_input(session), now=NOW)
    with pytest.raises(UserError):
        noms.approve_nomination(session, actor, n.id, now=NOW)
    expert = noms.approve_nomination(session, BUREAU, n.id, now=NOW)
    assert expert.code == "E000001" and expert.status == "在库"
    assert n.status == "已通过" and n.expert_id == expert.id
    assert session.scalar(select(func.count()).select_from(PoolMembership)) == 1
    change = session.scalars(select(StatusChange)).one()
    assert (change.old_status, change.new_status) == ("待审核", "在库")
    with pytest.raises(UserError, match="不能审核"):
        noms.approve_nomination(session, BUREAU, n.id, now=NOW)


def test_approving_a_pooled_person_extends_the_existing_expert(
    session: Session, actor: noms.Actor
) -> None:
    a, b = committee(session, 1), committee(session, 13)
    n1, _ = noms.submit_nomination(session, actor, 2024, valid_input(session), now=NOW)
    other = add_unit(session, "另一单位", "87654321")
    actor_b = noms.Actor("unit_b", "unit", other.id)
    n2, _ = noms.submit_nomination(
        session,
        actor_b,
        2024,
        valid_input(session, committee_ids=[b.id], specialties=[b.specialties[0]]),
        now=NOW,
    )
    queue = noms.review_queue(session, 2024)
    assert all(any("重复" in w for w in item.warnings) for item in queue)
    e1 = noms.approve_nomination(session, BUREAU, n1.id, now=NOW)
    queue = noms.review_queue(session, 2024)
    assert any("已在专家库" in w for w in queue[0].warnings)
    e2 = noms.approve_nomination(session, BUREAU, n2.id, now=NOW)
    assert e1.id == e2.id
    assert session.scalar(select(func.count()).select_from(Expert)) == 1
    cids = set(session.scalars(select(PoolMembership.committee_id)))
    assert cids == {a.id, b.id}
    assert set(e1.specialties) == {a.specialties[0], b.specialties[0]}
    assert e1.unit_id == other.id


def test_approve_subset_of_committees_only(session: Session, actor: noms.Actor) -> None:
    a, b = committee(session, 1), committee(session, 13)
    data = valid_input(session, committee_ids=[a.id, b.id], specialties=[a.specialties[0]])
    n, _ = noms.submit_nomination(session, actor, 2024, data, now=NOW)
    with pytest.raises(UserError):
        noms.approve_nomination(
            session, BUREAU, n.id, now=NOW, committee_ids=[committee(session, 2).id]
        )
    noms.approve_nomination(session, BUREAU, n.id, now=NOW, committee_ids=[b.id])
    assert set(session.scalars(select(PoolMembership.committee_id))) == {b.id}


def test_blacklisted_person_cannot_be_approved(session: Session, actor: noms.Actor) -> None:
    n, _ = noms.submit_nomination(session, actor, 2024, valid_input(session), now=NOW)
    e = noms.approve_nomination(session, BUREAU, n.id, now=NOW)
    e.status = "黑名单"
    other = add_unit(session, "另一单位", "87654321")
    n2, _ = noms.submit_nomination(
        session, noms.Actor("b", "unit", other.id), 2024, valid_input(session), now=NOW
    )
    with pytest.raises(UserError, match="黑名单"):
        noms.approve_nomination(session, BUREAU, n2.id, now=NOW)


def test_reject_needs_reason_and_records_it(session: Session, actor: noms.Actor) -> None:
    n, _ = noms.submit_nomination(session, actor, 2024, valid_input(session), now=NOW)
    noms.reject_nomination(session, BUREAU, n.id, "不符合条件", now=NOW)
    assert n.status == "已驳回" and n.reviewed_by == "rsj"
    assert noms.status_counts(session, 2024) == {"已驳回": 1}


def test_add_many_takes_all_or_none(session: Session, actor: noms.Actor) -> None:
    good = valid_input(session)
    bad = valid_input(session, id_card=bad_card())
    dup = valid_input(session)
    with pytest.raises(noms.RowErrors) as info:
        noms.add_many(session, actor, 2024, [good, bad, dup], now=NOW, row_numbers=[2, 3, 4])
    lines = info.value.lines()
    assert "第3行「身份证号」：校验位错误" in lines
    assert "第4行「身份证号」：与第2行重复" in lines
    assert session.scalar(select(func.count()).select_from(Nomination)) == 0
    created = noms.add_many(session, actor, 2024, [good], now=NOW)
    assert len(created) == 1


def test_next_expert_code_skips_used(session: Session, unit: Unit) -> None:
    session.add(
        Expert(
            code="E000041",
            name="张三",
            gender="男",
            birth_year=1980,
            id_card=card(),
            unit_id=unit.id,
            rank="正高级",
        )
    )
    session.flush()
    assert noms.next_expert_code(session) == "E000042"


def test_nomination_counts_per_committee(session: Session, actor: noms.Actor) -> None:
    a = committee(session, 1)
    noms.submit_nomination(session, actor, 2024, valid_input(session), now=NOW)
    n, _ = noms.submit_nomination(
        session, actor, 2024, valid_input(session, id_card=card("21020419800101125")), now=NOW
    )
    noms.withdraw_nomination(session, actor, n.id, now=NOW)
    assert noms.nomination_counts(session, 2024) == {a.id: 1}

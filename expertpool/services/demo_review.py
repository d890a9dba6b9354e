"""The demo's bureau at work: the current year's nominations reviewed as the calendar says,
and the demo pool's 入库时间 spread over the years before the demo begins.

Both are deterministic from the seed and use their own random streams, so the rest of the
demo (units, experts, applicants, draws) is the same as without them."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from expertpool.actor import Actor
from expertpool.errors import UserError
from expertpool.models import Expert, Nomination, YearSetting
from expertpool.services.nominations import review

# The bureau reviews within this many days after the nomination deadline (demo assumption).
REVIEW_DAYS = 30
APPROVE_SHARE = 0.8  # the rest are returned for more material or rejected, half each
RETURN_REASON = "请补充近三年主要业绩材料后重新提交"
REJECT_REASON = "任现职称年限不足，不符合推荐条件"
BUREAU = Actor("rsj", "bureau")


def spread_pool_entry(experts: list[Expert], first_year: int, seed: int) -> None:
    """Plausible 入库时间: each demo expert entered the pool on a working morning between
    ten and four years before the demo's first year (they have served in the years since)."""
    rng = random.Random(f"{seed}-entered")
    for expert in experts:
        year = first_year - rng.randint(4, 10)
        start = datetime(year, 1, 1, 9, 0)
        expert.created_at = start + timedelta(days=rng.randint(0, 364))


def review_year(session: Session, year: int, now: datetime, seed: int) -> int:
    """Review the year's demo nominations whose (seeded) review day is before `now`, as the
    bureau would: most approved into the pool, some returned or rejected. A nomination of a
    person already in the pool is left for the review queue to flag. Returns how many."""
    setting = session.get(YearSetting, year)
    if setting is None or now <= setting.nomination_deadline:
        return 0
    rng = random.Random(f"{seed}-review-{year}")
    pooled = set(session.scalars(select(Expert.id_card)))
    pending = session.scalars(
        select(Nomination)
        .where(Nomination.year == year, Nomination.status == "已提交")
        .order_by(Nomination.id)
    )
    done = 0
    for nomination in list(pending):
        day = setting.nomination_deadline + timedelta(days=rng.randint(1, REVIEW_DAYS))
        at = day.replace(hour=9, minute=0, second=0) + timedelta(minutes=rng.randint(0, 480))
        roll = rng.random()
        if nomination.id_card in pooled or at > now:
            continue
        try:
            with session.begin_nested():
                _decide(session, nomination.id, roll, at)
            done += 1
        except UserError:  # what the bureau could not approve stays in its queue
            continue
    return done


def _decide(session: Session, nomination_id: int, roll: float, at: datetime) -> None:
    if roll < APPROVE_SHARE:
        review.approve_nomination(session, BUREAU, nomination_id, now=at)
    elif roll < (1 + APPROVE_SHARE) / 2:
        review.return_nomination(session, BUREAU, nomination_id, RETURN_REASON, now=at)
    else:
        review.reject_nomination(session, BUREAU, nomination_id, REJECT_REASON, now=at)

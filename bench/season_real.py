"""Realistic seasons for the benchmarks and the regression corpus (issue 12).

`bench/season_synth.py` is the easy season: each committee's first specialties only, units
of about 12 experts, no unit-kind quotas, a handful of conflicts. This generator shapes a
season like Dalian's, from the real 2024 catalogue and the registry's default rules:

- every specialty of a committee can have applicants, skewed (a few specialties hold most),
  at most about 0.7 × panel size specialties per meeting (fewer when the default
  `specialty_demand` would not fit the panel); every specialty has at least three home
  experts, the rest of a pool follows the same skew (flattened);
- applicants per meeting scaled to the committee (卫生 several hundred at city scale, 粮食 a
  few dozen), about 45 % of them from units that also have experts in that meeting's pool;
- units sized like Dalian's: a few universities, hospitals and the notice's named
  enterprises hold 5–20 % of a committee's pool each, the rest are many small units;
- 工程系列 senior meetings carry the registry's `min_per_unit_kind` rule with ⌈n/5⌉ 企业;
- about one expert in six sits in 2–6 pools through secondary specialties;
- five years of `served` history, about 45 % of a panel sitting again the next year (so
  `max_consecutive_years` bars some experts); about 7 % unavailable; about 4 % of applicants
  declare a conflict with one pool expert.

Variants (`variant=`), each the same base season plus one change:

- `"tight"`: a yearly cap of one panel per expert (`max_panels_per_expert` 1); every
  meeting still draws.
- `"cap"`: the scarce pair below plus the cap of one panel: the later meeting of the pair
  (2024-S14 by default) can be drawn alone but not beside 2024-M01, and the plan marks it
  infeasible naming `max_panels_per_expert`.
- `"overlap"`: the scarce pair plus the later meeting's window moved onto the earlier
  one's (the cap stays 2): the later meeting cannot join and the plan names `season_overlap`.
- `"senior-short"`, `"senior-fit"`, `"specialty-…"`, `"kind-…"`, `"age-…"`: meetings competing
  for one small group where counting decides (bench/season_compete.py, issue 20).

The scarce pair: the later meeting keeps exactly need + 2 eligible 正高级 experts, all of them
also in the earlier meeting's pool, where they are the only eligible 正高级 experts; the two
panels together need more of them than there are, so they must share, which the cap of one
or the overlap forbids. Without the cap or the overlap both meetings draw. These behaviours
are checked with the planner (commit 5362a1a) by tests/bench/test_season_real.py on ten
committees and 1,000 experts, recorded in the corpus (real-1000-*), and were seen on the
whole catalogue at 6,000 experts: base and tight 30/30 drawn, overlap and cap 29/30 with
2024-S14 naming `season_overlap` and `max_panels_per_expert` respectively.

Everything is drawn from `random.Random` seeded by the arguments: the same arguments give
the same season bytes (`season_bytes`).
"""

from __future__ import annotations

import datetime as _dt
import math
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from bench.season_compete import VARIANTS as COMPETING_VARIANTS
from bench.season_compete import make_competing
from bench.season_synth import season_bytes
from expertpool.catalogue.loader import CommitteeSpec, load_catalogue
from solver.defaults import default_rules
from solver.registry import PARAM_BY_KEY

__all__ = ["BIG_UNITS", "VARIANTS", "make_real_season", "season_bytes", "unit_names"]

VARIANTS = (None, "tight", "overlap", "cap", *COMPETING_VARIANTS)
YEAR = 2024
HISTORY_YEARS = 5
RESIT = 0.45  # share of a panel sitting again the next year
UNAVAILABLE = 0.07
MULTI_POOL = 1 / 6  # experts in 2–6 pools
POOL_APPLICANTS = 0.45  # applicants from units with experts in the pool
CONFLICTS = 0.04  # applicants declaring a conflict
CITY = 6000  # experts at which the applicant counts below hold
REASONS = ("近亲属", "师生", "合作者", "同单位近三年", "其他")
ENTERPRISE_KIND = "企业"
KIND_QUOTA_KEY = PARAM_BY_KEY["min_per_unit_kind"].key

# Committee code → (share of the pool, applicants at city scale). Sizes follow the notice's
# sectors: 卫生 and 中小学教师 are the biggest, 粮食 and 党校 the smallest.
COMMITTEE_SIZE: dict[str, tuple[float, int]] = {
    "2024-S01": (0.09, 260),
    "2024-S02": (0.02, 50),
    "2024-S03": (0.015, 35),
    "2024-S04": (0.02, 40),
    "2024-S05": (0.01, 25),
    "2024-S06": (0.03, 70),
    "2024-S07": (0.015, 40),
    "2024-S08": (0.01, 25),
    "2024-S09": (0.03, 70),
    "2024-S10": (0.03, 60),
    "2024-S11": (0.015, 35),
    "2024-S12": (0.07, 200),
    "2024-S13": (0.06, 180),
    "2024-S14": (0.01, 20),
    "2024-S15": (0.16, 450),
    "2024-S16": (0.04, 90),
    "2024-S17": (0.05, 120),
    "2024-S18": (0.14, 400),
    "2024-S19": (0.02, 40),
    "2024-S20": (0.015, 35),
    "2024-S21": (0.006, 20),
    "2024-S22": (0.02, 45),
    "2024-S23": (0.02, 45),
    "2024-S24": (0.02, 50),
    "2024-M01": (0.01, 30),
    "2024-M02": (0.01, 30),
    "2024-M03": (0.006, 20),
    "2024-M04": (0.01, 35),
    "2024-M05": (0.01, 40),
    "2024-M06": (0.01, 40),
}

# Big units (synthetic ids, real kinds and names of the kind the notice names) and the share
# of each committee's pool they hold.
BIG_UNITS: dict[str, tuple[str, str]] = {
    "UB01": ("大连理工大学", "高校"),
    "UB02": ("大连海事大学", "高校"),
    "UB03": ("辽宁师范大学", "高校"),
    "UB04": ("大连医科大学", "高校"),
    "UB05": ("大连交通大学", "高校"),
    "UB06": ("大连工业大学", "高校"),
    "UB07": ("东北财经大学", "高校"),
    "UB08": ("大连海洋大学", "高校"),
    "UB09": ("大连大学", "高校"),
    "UB11": ("大连医科大学附属第一医院", "医疗机构"),
    "UB12": ("大连医科大学附属第二医院", "医疗机构"),
    "UB13": ("大连市中心医院", "医疗机构"),
    "UB14": ("大连市友谊医院", "医疗机构"),
    "UB15": ("大连市中医医院", "医疗机构"),
    "UB21": ("大连港集团有限公司", "企业"),
    "UB22": ("东北特钢集团", "企业"),
    "UB23": ("辽宁红沿河核电有限公司", "企业"),
    "UB24": ("大连市新闻传媒集团", "企业"),
}
BIG_SHARE: dict[str, tuple[tuple[str, float], ...]] = {
    "2024-S01": (("UB01", 0.15), ("UB05", 0.06)),
    "2024-S02": (("UB01", 0.06),),
    "2024-S03": (("UB04", 0.10),),
    "2024-S04": (("UB11", 0.10), ("UB13", 0.08)),
    "2024-S06": (("UB02", 0.15), ("UB05", 0.10), ("UB21", 0.08)),
    "2024-S09": (("UB01", 0.10),),
    "2024-S10": (("UB08", 0.15),),
    "2024-S12": (("UB01", 0.12), ("UB06", 0.08)),
    "2024-S13": (("UB07", 0.15),),
    "2024-S14": (("UB24", 0.20),),
    "2024-S15": (("UB11", 0.15), ("UB12", 0.12), ("UB13", 0.08), ("UB14", 0.06), ("UB04", 0.06)),
    "2024-S16": (("UB15", 0.18), ("UB11", 0.06)),
    "2024-S17": (("UB03", 0.06),),
    "2024-S18": (("UB03", 0.06),),
    "2024-S22": (("UB21", 0.20), ("UB02", 0.10)),
    "2024-S23": (("UB22", 0.20), ("UB01", 0.06)),
    "2024-S24": (("UB23", 0.20), ("UB01", 0.06)),
    "2024-M01": (("UB24", 0.20),),
    "2024-M05": (("UB01", 0.12), ("UB03", 0.10), ("UB09", 0.08)),
    "2024-M06": (("UB01", 0.12), ("UB04", 0.08)),
}
# Kinds of the small units, by series.
SMALL_KINDS: dict[str, tuple[tuple[str, float], ...]] = {
    "工程": (
        ("企业", 0.55),
        ("事业单位", 0.25),
        ("高校", 0.08),
        ("社会组织", 0.05),
        ("其他", 0.07),
    ),
    "卫生": (("医疗机构", 0.85), ("事业单位", 0.10), ("企业", 0.05)),
    "农业": (("事业单位", 0.6), ("企业", 0.3), ("高校", 0.1)),
    "经济": (("企业", 0.6), ("事业单位", 0.25), ("社会组织", 0.1), ("其他", 0.05)),
    "广电新闻": (("事业单位", 0.5), ("企业", 0.5)),
    "体育": (("事业单位", 0.8), ("社会组织", 0.2)),
    "艺术": (("事业单位", 0.7), ("社会组织", 0.2), ("企业", 0.1)),
    "高校教育管理研究": (("高校", 1.0),),
    "实验技术": (("高校", 0.6), ("事业单位", 0.3), ("企业", 0.1)),
}
SCHOOL_KINDS = (("事业单位", 0.95), ("其他", 0.05))
# Ranks of a pool's experts by committee level (senior pools recruit 正高级 first).
RANK_SHARES: dict[str, tuple[tuple[str, float], ...]] = {
    "senior": (("正高级", 0.35), ("副高级", 0.58), ("中级", 0.07)),
    "intermediate": (("正高级", 0.15), ("副高级", 0.45), ("中级", 0.40)),
}
EXTRA_POOLS = ((1, 0.45), (2, 0.25), (3, 0.15), (4, 0.10), (5, 0.05))  # beyond the home pool
SCARCE_PAIR = ("2024-S14", "2024-M01")  # (later meeting, earlier meeting)
SCARCE_SPARE = 2


def _pick(rng: random.Random, table: Sequence[tuple[str, float]]) -> str:
    return rng.choices([k for k, _ in table], [w for _, w in table])[0]


def _pick_int(rng: random.Random, table: Sequence[tuple[int, float]]) -> int:
    return rng.choices([k for k, _ in table], [w for _, w in table])[0]


def _specialties(c: CommitteeSpec) -> list[str]:
    return list(dict.fromkeys(c.specialties))  # the catalogue lists 建筑工程 twice in S01


def _seats(c: CommitteeSpec) -> int:
    return int(default_rules(c.level, None, {}, c.narrow)["panel_size"])


@dataclass
class Committee:
    """One meeting being generated: its catalogue entry, skewed specialties and pool."""

    spec: CommitteeSpec
    specialties: list[str]
    weights: list[float]
    seats: int
    pool: list[int] = field(default_factory=list)  # expert indexes, home experts first
    home: int = 0


def _committee(rng: random.Random, c: CommitteeSpec) -> Committee:
    specs = _specialties(c)
    rng.shuffle(specs)  # which specialties are the big ones is the seed's choice
    # Zipf-like: the first few specialties hold most applicants (and experts).
    weights = [1 / (k + 1) ** 1.3 for k in range(len(specs))]
    return Committee(c, specs, weights, _seats(c))


def _home_counts(n: int, cs: list[Committee]) -> list[int]:
    """Home experts per committee: by size, at least about 2.4 panels where n allows."""
    floors = [math.ceil(2.4 * c.seats) for c in cs]
    if sum(floors) > n:
        floors = [max(1, f * n // sum(floors)) for f in floors]
    rest = n - sum(floors)
    w = [COMMITTEE_SIZE[c.spec.code][0] for c in cs]
    counts = [f + int(rest * x / sum(w)) for f, x in zip(floors, w, strict=True)]
    counts[0] += n - sum(counts)
    return counts


class Units:
    """Unit ids and kinds: the big named units, and small units made as needed."""

    def __init__(self) -> None:
        self.kind: dict[str, str] = {u: k for u, (_, k) in BIG_UNITS.items()}
        self.count = 0

    def small(self, kind: str) -> str:
        self.count += 1
        uid = f"U{self.count:06d}"
        self.kind[uid] = kind
        return uid


def _small_kinds(c: CommitteeSpec) -> Sequence[tuple[str, float]]:
    return SMALL_KINDS.get(c.series, SCHOOL_KINDS)


def _home_units(rng: random.Random, c: Committee, count: int, units: Units) -> list[str]:
    """The units of a committee's home experts: big units' shares, then small units."""
    out: list[str] = []
    for uid, share in BIG_SHARE.get(c.spec.code, ()):
        out += [uid] * round(share * count)
    out = out[:count]
    while len(out) < count:
        # Small units: mostly 1–5 experts, a few up to about 20.
        size = min(count - len(out), 1 + int(rng.expovariate(1 / 2.5)))
        out += [units.small(_pick(rng, _small_kinds(c.spec)))] * min(size, 20)
    rng.shuffle(out)
    return out[:count]


def _birth_date(rng: random.Random) -> str:
    age = min(72.0, max(32.0, rng.gauss(51, 8)))
    day = _dt.date(YEAR, 10, 21) - _dt.timedelta(days=int(age * 365.25))
    return day.isoformat()


COVER = 3  # home experts per specialty before the skew: every specialty has a few experts


def _new_expert(
    rng: random.Random, i: int, c: Committee, unit: str, units: Units, ages: bool
) -> dict[str, Any]:
    k = len(c.pool) - 1  # this expert's place among the committee's home experts
    if k < COVER * len(c.specialties):
        mine = {c.specialties[k % len(c.specialties)]}
    else:
        mine = {rng.choices(c.specialties, [w**0.7 for w in c.weights])[0]}
    if rng.random() < 0.4:
        mine.add(rng.choice(c.specialties))
    expert: dict[str, Any] = {
        "id": f"E{i:07d}",
        "unit": unit,
        "unit_kind": units.kind[unit],
        "rank": _pick(rng, RANK_SHARES[c.spec.level]),
        "specialties": sorted(mine),
        "pools": [c.spec.code],
        "served": {},
        "available": rng.random() >= UNAVAILABLE,
    }
    if ages:
        expert["birth_date"] = _birth_date(rng)
    return expert


def _join(expert: dict[str, Any], c: Committee, specialty: str, i: int) -> None:
    """Expert i joins c's pool through a secondary specialty of c's."""
    if c.spec.code in expert["pools"]:
        return
    expert["pools"] = sorted([*expert["pools"], c.spec.code])
    expert["specialties"] = sorted({*expert["specialties"], specialty})
    c.pool.append(i)


def _secondary_pools(
    rng: random.Random, experts: list[dict[str, Any]], cs: list[Committee]
) -> None:
    """About one expert in six joins 1–5 more pools, mostly of the same series."""
    by_code = {c.spec.code: c for c in cs}
    for i, e in enumerate(experts):
        if rng.random() >= MULTI_POOL or len(cs) < 2:
            continue
        home = by_code[e["pools"][0]]
        same = [c for c in cs if c.spec.series == home.spec.series and c is not home]
        others = [c for c in cs if c is not home]
        for _ in range(min(_pick_int(rng, EXTRA_POOLS), len(others))):
            among = same if same and rng.random() < 0.6 else others
            # Big committees take more of the secondary members, as they have more fields.
            c = rng.choices(among, [COMMITTEE_SIZE[x.spec.code][0] for x in among])[0]
            _join(e, c, rng.choices(c.specialties, c.weights)[0], i)


def _history(rng: random.Random, experts: list[dict[str, Any]], c: Committee) -> None:
    """Five past panels: about 45 % of each sat the year before (unless barred after three
    years in a row, as `max_consecutive_years` 3 would), the rest drawn from the pool."""
    code = c.spec.code
    fit = [i for i in c.pool if experts[i]["rank"] != "中级" or c.spec.level != "senior"]
    panel: list[int] = []
    streak: Counter[int] = Counter()
    for year in range(YEAR - HISTORY_YEARS, YEAR):
        again = [i for i in panel if streak[i] < 3]
        keep = rng.sample(again, min(len(again), round(RESIT * c.seats)))
        sat = set(panel)
        fresh = [i for i in fit if i not in sat]
        new = rng.sample(fresh, min(len(fresh), c.seats - len(keep)))
        streak = Counter({i: streak[i] + 1 for i in keep} | {i: 1 for i in new})
        panel = keep + new
        for i in panel:
            experts[i]["served"].setdefault(code, []).append(year)


def _applicant_specialties(rng: random.Random, c: Committee, count: int) -> list[str]:
    """Skewed, at most 0.7 × seats specialties, and the default demand must fit the panel:
    the smallest specialty is folded into the biggest until it does."""
    k = max(1, min(len(c.specialties), int(0.7 * c.seats)))
    picked = rng.choices(c.specialties[:k], c.weights[:k], k=count)
    while True:
        counts = Counter(picked)
        demand = default_rules(c.spec.level, c.seats, counts, c.spec.narrow)["specialty_demand"]
        if sum(demand.values()) <= int(0.8 * c.seats) or len(counts) == 1:
            return picked
        big = counts.most_common()[0][0]
        small = counts.most_common()[-1][0]
        picked = [big if s == small else s for s in picked]


def _applicants(
    rng: random.Random, experts: list[dict[str, Any]], c: Committee, count: int, serial: list[int]
) -> list[dict[str, Any]]:
    """About 45 % from the units of pool experts (big units send more), the rest from units
    without experts in the pool, some of which send several applicants."""
    outside: list[str] = []
    apps = []
    for k, spec in enumerate(_applicant_specialties(rng, c, count)):
        if rng.random() < POOL_APPLICANTS:
            unit = experts[rng.choice(c.pool)]["unit"]
        elif outside and rng.random() < 0.3:
            unit = rng.choice(outside)
        else:
            serial[0] += 1
            unit = f"UA{serial[0]:06d}"
            outside.append(unit)
        apps.append({"id": f"A{k:04d}", "unit": unit, "specialty": spec})
    return apps


def _conflicts(
    rng: random.Random,
    experts: list[dict[str, Any]],
    c: Committee,
    apps: list[dict[str, Any]],
    share: float,
) -> list[dict[str, str]]:
    """Each applicant declares, with probability `share`, a conflict with one pool expert,
    most often one of the same specialty (the people who know each other)."""
    by_spec: dict[str, list[int]] = defaultdict(list)
    for i in c.pool:
        for s in experts[i]["specialties"]:
            by_spec[s].append(i)
    pairs = set()
    for a in apps:
        if rng.random() >= share:
            continue
        near = by_spec.get(a["specialty"]) or c.pool
        pairs.add((experts[rng.choice(near)]["id"], a["id"], rng.choice(REASONS)))
    return [{"expert": e, "applicant": a, "reason": r} for e, a, r in sorted(pairs)]


def _rules(c: Committee, apps: list[dict[str, Any]], ages: bool) -> dict[str, Any]:
    counts = Counter(a["specialty"] for a in apps)
    rules = default_rules(c.spec.level, None, dict(sorted(counts.items())), c.spec.narrow)
    if c.spec.series == "工程" and c.spec.level == "senior":
        rules[KIND_QUOTA_KEY] = {ENTERPRISE_KIND: math.ceil(c.seats / 5)}
    if ages:
        rules["max_age"] = 65
        rules["min_share_under_age"] = {"age": 55, "share": "1/2"}
    return rules


def _applicant_count(c: Committee, scale: float) -> int:
    return max(8, round(COMMITTEE_SIZE[c.spec.code][1] * scale))


def _meeting(
    rng: random.Random,
    experts: list[dict[str, Any]],
    c: Committee,
    opts: Options,
    serial: list[int],
) -> dict[str, Any]:
    apps = _applicants(rng, experts, c, _applicant_count(c, opts.scale), serial)
    return {
        "id": c.spec.code,
        "committee": c.spec.name,
        "level": c.spec.level,
        "window": [c.spec.window[0].isoformat(), c.spec.window[1].isoformat()],
        "rules": _rules(c, apps, opts.ages),
        "applicants": apps,
        "conflicts": _conflicts(rng, experts, c, apps, opts.conflicts),
    }


@dataclass(frozen=True)
class Options:
    scale: float
    ages: bool
    conflicts: float


def _pools(rng: random.Random, n: int, cs: list[Committee], ages: bool) -> list[dict[str, Any]]:
    units = Units()
    experts: list[dict[str, Any]] = []
    for c, count in zip(cs, _home_counts(n, cs), strict=True):
        for unit in _home_units(rng, c, count, units):
            c.pool.append(len(experts))
            experts.append(_new_expert(rng, len(experts), c, unit, units, ages))
        c.home = count
    _secondary_pools(rng, experts, cs)
    return experts


def make_real_season(
    n_experts: int,
    *,
    seed: int = 1,
    variant: str | None = None,
    committees: Sequence[str] | None = None,
    max_panels: int | None = 2,
    applicant_scale: float | None = None,
    conflict_share: float = CONFLICTS,
    age_rule: bool = False,
    pair: tuple[str, str] = SCARCE_PAIR,
) -> dict[str, Any]:
    """A realistic `expertpool.season/1` document of about `n_experts` experts.

    `committees` restricts the season to some catalogue codes (small corpus seasons);
    `applicant_scale` multiplies the city-scale applicant counts (default: √(n / 6000),
    between 0.3 and 5); `age_rule` gives every expert a birth date and turns on `max_age` 65
    and `min_share_under_age` 55/½; `pair` names the scarce pair of the `cap` and `overlap`
    variants (later meeting, earlier meeting).
    """
    if variant not in VARIANTS:
        names = "/".join(v for v in VARIANTS if v)
        raise ValueError(f"variant：未知变体“{variant}”（应为 {names}）")
    if variant is not None and variant.startswith("age-"):
        age_rule = True
    rng = random.Random(f"season-real:{seed}:{n_experts}")
    chosen = [c for c in load_catalogue(YEAR) if committees is None or c.code in committees]
    cs = [_committee(rng, c) for c in chosen]
    experts = _pools(rng, n_experts, cs, age_rule)
    for c in cs:
        _history(rng, experts, c)
    scale = applicant_scale or min(5.0, max(0.3, math.sqrt(n_experts / CITY)))
    opts = Options(scale, age_rule, conflict_share)
    serial = [0]
    meetings = [_meeting(rng, experts, c, opts, serial) for c in cs]
    doc: dict[str, Any] = {"format": "expertpool.season/1", "year": YEAR}
    if variant in ("cap", "overlap"):
        _scarce_pair(random.Random(f"pair:{seed}"), experts, cs, meetings, pair)
    if variant == "overlap":
        by_id = {m["id"]: m for m in meetings}
        by_id[pair[0]]["window"] = list(by_id[pair[1]]["window"])
    if variant in COMPETING_VARIANTS:
        make_competing(doc | {"experts": experts, "meetings": meetings}, variant, seed)
    cap = 1 if variant in ("tight", "cap") else max_panels
    if cap is not None:
        doc["max_panels_per_expert"] = cap
    for e in experts:
        e["served"] = {k: sorted(v) for k, v in sorted(e["served"].items())}
    doc["experts"] = experts
    doc["meetings"] = meetings
    return doc


# -- the scarce pair of the cap and overlap variants --------------------------------------


def _need_full(rules: dict[str, Any]) -> int:
    return int(math.ceil(Fraction(rules.get("min_full_senior_share", "0/1")) * rules["panel_size"]))


def _eligible(e: dict[str, Any], code: str, rules: dict[str, Any]) -> bool:
    """Eligible at the meeting as the contract reads it (rank checked by the caller)."""
    years = set(e["served"].get(code, []))
    k = rules.get("max_consecutive_years")
    barred = k is not None and all(YEAR - d in years for d in range(1, k + 1))
    # Above max_age on the first day of a late-October window (the pair's windows).
    limit = f"{YEAR - rules.get('max_age', 999) - 1}-10-21"
    old = "max_age" in rules and e.get("birth_date", "9999") <= limit
    return bool(e["available"]) and not barred and not old


def _full(experts: list[dict[str, Any]], c: Committee, rules: dict[str, Any]) -> list[int]:
    code = c.spec.code
    return [
        i for i in c.pool if experts[i]["rank"] == "正高级" and _eligible(experts[i], code, rules)
    ]


def _scarce_pair(
    rng: random.Random,
    experts: list[dict[str, Any]],
    cs: list[Committee],
    meetings: list[dict[str, Any]],
    pair: tuple[str, str],
) -> None:
    """The later meeting keeps need + 2 eligible 正高级 experts (F); F joins the earlier
    meeting's pool and is its only eligible 正高级 supply. Together the two panels need
    more of F than there is, so they must share experts."""
    by_code = {c.spec.code: c for c in cs}
    rules = {m["id"]: m["rules"] for m in meetings}
    late, early = by_code[pair[0]], by_code[pair[1]]
    full = _full(experts, late, rules[pair[0]])
    want = _need_full(rules[pair[0]]) + SCARCE_SPARE
    rng.shuffle(full)
    for i in full[want:]:
        experts[i]["rank"] = "副高级"
    spare = [i for i in late.pool if experts[i]["rank"] == "副高级"]
    spare = [i for i in spare if _eligible(experts[i], pair[0], rules[pair[0]])]
    for i in spare[: max(0, want - len(full))]:
        experts[i]["rank"] = "正高级"
    scarce = set(_full(experts, late, rules[pair[0]]))
    for i in sorted(scarce):
        experts[i]["served"].pop(pair[1], None)
        _join(experts[i], early, early.specialties[0], i)
    for i in _full(experts, early, rules[pair[1]]):
        if i not in scarce:
            experts[i]["rank"] = "副高级"


def unit_names(doc: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Unit id → (name, kind) for every unit of a generated season: the big units by their
    names, small units and applicants' units by a plain synthetic name."""
    out: dict[str, tuple[str, str]] = {}
    for e in doc["experts"]:
        uid = e["unit"]
        out[uid] = BIG_UNITS.get(
            uid, (f"大连市第{uid[1:].lstrip('0') or '0'}号单位", e["unit_kind"])
        )
    for m in doc["meetings"]:
        for a in m["applicants"]:
            if a["unit"] not in out:
                out[a["unit"]] = (f"申报单位{a['unit'][2:]}", "其他")
    return out

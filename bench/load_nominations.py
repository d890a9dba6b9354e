"""Load test: the last hour before the nomination deadline, over real HTTP on loopback.

2,000 nominations from 100 unit accounts, sent by 50 concurrent clients (threads) against
`gunicorn -w 2 'web.app:create_app()'` started here on 127.0.0.1 with a free port. Each
submission fetches the form (CSRF token + idempotency token), POSTs it and follows the
redirect, like a browser. About 5 % of the submissions are posted twice with the same
idempotency token (half of them as a simultaneous double click, half as a retry after the
answer) and must create exactly one nomination.

Afterwards the database is compared with what was sent: nothing lost, nothing doubled,
every field as submitted; the audit chain must be intact. Prints throughput and latency
percentiles as a markdown table.

    .venv/bin/python bench/load_nominations.py                       # SQLite and PostgreSQL
    .venv/bin/python -m bench.load_nominations --backend sqlite
    .venv/bin/python -m bench.load_nominations --backend postgresql --two-instances

PostgreSQL: a fresh database is created next to --pg-url (default $LOAD_PG_URL or the
local development server) and dropped afterwards (--keep keeps it). Bounded: at most 5,000
nominations and 100 clients; clients stop starting work after --max-seconds; a hard
timeout kills the servers and exits 3.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

# `.venv/bin/python bench/load_nominations.py` (as the README shows) puts bench/ first on the
# path, not the project folder, so `bench.*` would not import; `-m bench.…` needs no help.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select

from bench.load_harness import (
    TOKEN_RE,
    Browser,
    HarnessError,
    Server,
    create_pg_database,
    csrf_of,
    drop_pg_database,
    run_cli,
    sqlite_url,
    write_secret_key,
)
from expertpool.catalogue.loader import SERIES
from expertpool.clock import shanghai_now
from expertpool.db import make_engine, make_session_factory, session_scope
from expertpool.models import AuditEvent, Nomination, Unit, User, YearSetting
from expertpool.services import audit
from expertpool.services.accounts import create_user
from expertpool.services.nominations import year_committees
from expertpool.validators import id_card_check_char, make_uscc

PASSWORD = "Load@2024-pass"
YEAR = 2024
MAX_NOMINATIONS = 5000
MAX_CLIENTS = 100
DEFAULT_PG = os.environ.get("LOAD_PG_URL", "postgresql://postgres@127.0.0.1:55433/postgres")
DETAIL_RE = re.compile(r"^/unit/nominations/(\d+)$")

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "建国明华伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛超秀兰霞平刚桂英志宏海波鹏辉玲红"
TITLES = {
    "正高级": ["教授", "正高级工程师", "主任医师", "研究员"],
    "副高级": ["副教授", "高级工程师", "副主任医师", "副研究员"],
    "中级": ["讲师", "工程师", "主治医师", "助理研究员"],
}


# ---------------------------------------------------------------------------
# Setup
# ---------------------------------------------------------------------------


@dataclass
class Account:
    username: str
    unit_id: int


@dataclass
class Plan:
    """What will be sent: one dict of form fields per nomination, keyed by its index."""

    accounts: list[Account]
    forms: list[dict[str, Any]]  # field -> value (lists for committee_ids / specialties)
    owner: list[int]  # nomination index -> account index
    double: dict[int, str]  # nomination index -> "together" | "retry"


def setup_database(url: str, instance: Path, units: int) -> list[Account]:
    """`expertpool init`, then units and one account per unit through the services."""
    run_cli(["init"], url, instance)
    engine = make_engine(url)
    try:
        with session_scope(make_session_factory(engine)) as s:
            for i in range(units):
                s.add(
                    Unit(
                        name=f"大连负载测试单位{i:03d}",
                        uscc=make_uscc(f"91210200{70000000 + i:08d}0"),
                        kind="企业" if i % 2 else "高校",
                    )
                )
            s.flush()
            accounts = []
            for i in range(units):
                user = create_user(
                    s,
                    f"load{i:03d}",
                    PASSWORD,
                    "unit",
                    display_name=f"负载测试单位{i:03d}人事处",
                    unit_name=f"大连负载测试单位{i:03d}",
                    check_policy=False,  # the demo password, as the demo's accounts
                )
                assert user.unit_id is not None
                accounts.append(Account(user.username, user.unit_id))
            # The last hour before the deadline: it closes one hour from now.
            setting = s.get(YearSetting, YEAR)
            assert setting is not None
            setting.nomination_deadline = shanghai_now() + timedelta(hours=1)
        return accounts
    finally:
        engine.dispose()


def make_plan(url: str, accounts: list[Account], count: int, seed: int) -> Plan:
    engine = make_engine(url)
    try:
        with session_scope(make_session_factory(engine)) as s:
            committees = [(c.id, c.level, list(c.specialties)) for c in year_committees(s, YEAR)]
    finally:
        engine.dispose()
    rng = random.Random(seed)
    senior = [c for c in committees if c[1] == "senior"]
    intermediate = [c for c in committees if c[1] != "senior"]
    forms = []
    owner = []
    for n in range(count):
        rank = rng.choice(["正高级", "正高级", "副高级", "中级"])
        pool = intermediate if rank == "中级" else senior + intermediate
        chosen = rng.sample(pool, rng.choice([1, 1, 2]))
        specs = sorted({s for c in chosen for s in c[2]})
        birth = date(1958, 1, 1) + timedelta(days=n * 3 + rng.randrange(3))
        body = f"210204{birth:%Y%m%d}{rng.randrange(1000):03d}"
        gender = "男" if int(body[16]) % 2 else "女"
        if rng.random() < 0.8:
            phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        else:
            phone = f"0411-8{rng.randrange(10**7):07d}"
        forms.append(
            {
                "name": rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice([1, 2]))),
                "gender": gender,
                "id_card": body + id_card_check_char(body),
                "rank": rank,
                "title_name": rng.choice(TITLES[rank]),
                "series": rng.choice(SERIES),
                "phone": phone,
                "email": f"expert{n}@unit{n % 97}.example.cn",
                "committee_ids": [str(c[0]) for c in chosen],
                "specialties": rng.sample(specs, min(len(specs), rng.choice([1, 2]))),
                "recommendation": f"同意推荐（第{n}号）。业务精湛，作风正派。\n联系人：人事处“负载”测试",
                "pledge_personal": "y",
                "pledge_unit": "y",
            }
        )
        owner.append(n % len(accounts))
    doubles = rng.sample(range(count), max(1, count // 20))
    double = {n: ("together" if i % 2 == 0 else "retry") for i, n in enumerate(sorted(doubles))}
    return Plan(accounts, forms, owner, double)


# ---------------------------------------------------------------------------
# The clients
# ---------------------------------------------------------------------------


@dataclass
class Results:
    lock: threading.Lock = field(default_factory=threading.Lock)
    form_latency: list[float] = field(default_factory=list)
    post_latency: list[float] = field(default_factory=list)
    login_latency: list[float] = field(default_factory=list)
    sent: dict[str, int] = field(default_factory=dict)  # idempotency token -> index
    created_ids: dict[int, int] = field(default_factory=dict)  # index -> nomination id
    errors: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    posts: int = 0
    skipped: int = 0

    def error(self, message: str) -> None:
        with self.lock:
            if len(self.errors) < 200:
                self.errors.append(message)

    def status(self, code: int) -> None:
        with self.lock:
            self.statuses[code] = self.statuses.get(code, 0) + 1


def _post(browser: Browser, data: dict[str, Any], results: Results) -> tuple[int, str]:
    resp = browser.post_form("/unit/new", data)
    results.status(resp.status)
    with results.lock:
        results.post_latency.append(resp.seconds)
        results.posts += 1
    return resp.status, resp.location


def submit_one(browser: Browser, index: int, plan: Plan, results: Results) -> None:
    page = browser.get("/unit/new")
    results.status(page.status)
    with results.lock:
        results.form_latency.append(page.seconds)
    match = TOKEN_RE.search(page.text)
    if page.status != 200 or not match:
        results.error(f"#{index}: form GET HTTP {page.status} ({page.target})")
        return
    token = match.group(1)
    data = dict(plan.forms[index], csrf_token=csrf_of(page), token=token)
    with results.lock:
        results.sent[token] = index
    mode = plan.double.get(index)
    outcomes: list[tuple[int, str]] = []
    if mode == "together":  # a double click: two identical requests in flight at once
        twin = Browser(browser.targets, browser.timeout, dict(browser.cookies), browser.turn + 1)
        barrier = threading.Barrier(2)
        box: list[tuple[int, str]] = []

        def second() -> None:
            barrier.wait()
            box.append(_post(twin, data, results))

        thread = threading.Thread(target=second)
        thread.start()
        barrier.wait()
        outcomes.append(_post(browser, data, results))
        thread.join()
        outcomes.extend(box)
    else:
        outcomes.append(_post(browser, data, results))
        if mode == "retry":  # the answer was slow: the user submits again
            outcomes.append(_post(browser, data, results))
    locations = set()
    for status, location in outcomes:
        if status != 302 or not DETAIL_RE.match(location):
            results.error(f"#{index}: POST HTTP {status} -> {location or '-'}")
            return
        locations.add(location)
    if len(locations) != 1:
        results.error(f"#{index}: the same token led to different nominations {locations}")
        return
    location = locations.pop()
    with results.lock:
        match = DETAIL_RE.match(location)
        assert match is not None, location  # the redirect went to a nomination's page
        results.created_ids[index] = int(match.group(1))
    detail = browser.get(location)
    results.status(detail.status)
    if detail.status != 200:
        results.error(f"#{index}: detail GET HTTP {detail.status}")


def client(
    targets: list[tuple[str, int]],
    work: list[tuple[int, list[int]]],
    plan: Plan,
    results: Results,
    stop_at: float,
) -> None:
    """One client: for each of its accounts, log in and submit that account's nominations."""
    for account_index, indices in work:
        browser = Browser(list(targets), timeout=120)
        account = plan.accounts[account_index]
        try:
            started = time.perf_counter()
            browser.login(account.username, PASSWORD)
            with results.lock:
                results.login_latency.append(time.perf_counter() - started)
        except (HarnessError, OSError) as exc:
            results.error(f"{account.username}: login failed: {exc}")
            continue
        for index in indices:
            if time.monotonic() > stop_at:
                with results.lock:
                    results.skipped += 1
                continue
            try:
                submit_one(browser, index, plan, results)
            except (HarnessError, OSError) as exc:
                results.error(f"#{index}: {type(exc).__name__}: {exc}")


def run_clients(
    targets: list[tuple[str, int]], plan: Plan, clients: int, max_seconds: float
) -> tuple[Results, float]:
    by_account: dict[int, list[int]] = {}
    for index, acc in enumerate(plan.owner):
        by_account.setdefault(acc, []).append(index)
    work: list[list[tuple[int, list[int]]]] = [[] for _ in range(clients)]
    for acc, indices in sorted(by_account.items()):
        work[acc % clients].append((acc, indices))
    results = Results()
    stop_at = time.monotonic() + max_seconds
    threads = [
        threading.Thread(
            target=client, args=(targets, w, plan, results, stop_at), name=f"client{i}"
        )
        for i, w in enumerate(work)
        if w
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.perf_counter() - started


# ---------------------------------------------------------------------------
# The check
# ---------------------------------------------------------------------------


def check_database(url: str, plan: Plan, results: Results) -> tuple[int, list[str]]:
    """Compare the stored nominations with what was sent: (how many stored, problems)."""
    problems: list[str] = []
    engine = make_engine(url)
    try:
        with session_scope(make_session_factory(engine)) as s:
            users = {u.username: u for u in s.scalars(select(User))}
            rows = list(s.scalars(select(Nomination)))
            by_token: dict[str | None, list[Nomination]] = {}
            for row in rows:
                by_token.setdefault(row.idempotency_token, []).append(row)
            for token, index in results.sent.items():
                found = by_token.get(token, [])
                if len(found) != 1:
                    problems.append(f"#{index}: {len(found)} nominations for one token")
                    continue
                row = found[0]
                account = plan.accounts[plan.owner[index]]
                sent = plan.forms[index]
                expected = {
                    "name": sent["name"],
                    "gender": sent["gender"],
                    "id_card": sent["id_card"],
                    "rank": sent["rank"],
                    "title_name": sent["title_name"],
                    "series": sent["series"],
                    "phone": sent["phone"],
                    "email": sent["email"],
                    "committee_ids": [int(c) for c in sent["committee_ids"]],
                    "specialties": list(sent["specialties"]),
                    "recommendation": sent["recommendation"],
                    "pledge_personal": True,
                    "pledge_unit": True,
                    "unit_id": account.unit_id,
                    "submitted_by": users[account.username].username,
                    "year": YEAR,
                    "status": "已提交",
                }
                for key, value in expected.items():
                    got = getattr(row, key)
                    if got != value:
                        problems.append(f"#{index}: {key} stored {got!r}, sent {value!r}")
                if results.created_ids.get(index) not in (None, row.id):
                    problems.append(f"#{index}: redirected to {results.created_ids[index]}")
            stray = [r.id for r in rows if r.idempotency_token not in results.sent]
            if stray:
                problems.append(f"{len(stray)} nominations nobody sent: {stray[:10]}")
            submits = s.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "nomination_submit")
            )
            if submits != len(rows):
                problems.append(f"{submits} submit audit events for {len(rows)} nominations")
            chain = audit.verify_chain(s)
            if not chain.intact:
                problems.append(f"audit chain: {chain.message}")
    finally:
        engine.dispose()
    return len(rows), problems


# ---------------------------------------------------------------------------
# One run and the report
# ---------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


@dataclass
class Outcome:
    backend: str
    arrangement: str
    created: int  # nominations in the database afterwards
    posts: int
    doubles: int
    seconds: float
    results: Results
    problems: list[str]


def run_once(
    backend: str, two: bool, args: argparse.Namespace, workdir: Path, watchdog: Watchdog
) -> Outcome:
    instance = workdir / f"{backend}-{'two' if two else 'one'}"
    instance.mkdir(parents=True)
    write_secret_key(instance)  # one key for every worker of every instance
    if backend == "sqlite":
        url = sqlite_url(instance / "expertpool.sqlite")
    else:
        url = create_pg_database(args.pg_url)
    try:
        print(f"[{backend}] setting up {url.split('@')[-1]} …", file=sys.stderr)
        accounts = setup_database(url, instance, args.units)
        plan = make_plan(url, accounts, args.nominations, args.seed)
        servers = [Server(url, instance, workers=args.workers) for _ in range(2 if two else 1)]
        watchdog.servers = servers
        try:
            for server in servers:
                server.start()
            print(
                f"[{backend}] {len(servers)} × gunicorn -w {args.workers} on "
                f"{', '.join(str(s.port) for s in servers)}; {args.clients} clients …",
                file=sys.stderr,
            )
            results, seconds = run_clients(
                [s.address for s in servers], plan, args.clients, args.max_seconds
            )
        finally:
            for server in servers:
                server.stop()
            watchdog.servers = []
        stored, problems = check_database(url, plan, results)
        if results.skipped:
            problems.append(f"{results.skipped} submissions not started (time budget)")
        return Outcome(
            backend,
            f"{len(servers)} × gunicorn -w {args.workers}",
            stored,
            results.posts,
            len(plan.double),
            seconds,
            results,
            problems,
        )
    finally:
        if backend == "postgresql" and not args.keep:
            drop_pg_database(url)


def table(outcomes: list[Outcome]) -> str:
    lines = [
        "| backend | arrangement | nominations | POSTs (double) | wall s | nominations/s "
        "| POST p50 ms | p95 ms | p99 ms | form GET p50 ms | p95 ms | errors | check |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for o in outcomes:
        r = o.results
        ms = [pct(r.post_latency, p) * 1000 for p in (50, 95, 99)]
        fm = [pct(r.form_latency, p) * 1000 for p in (50, 95)]
        check = "ok" if not o.problems and not r.errors else f"{len(o.problems)} problems"
        lines.append(
            f"| {o.backend} | {o.arrangement} | {o.created} | {o.posts} ({o.doubles}) "
            f"| {o.seconds:.1f} | {o.created / o.seconds:.1f} | {ms[0]:.0f} | {ms[1]:.0f} "
            f"| {ms[2]:.0f} | {fm[0]:.0f} | {fm[1]:.0f} | {len(r.errors)} | {check} |"
        )
    return "\n".join(lines)


class Watchdog:
    """Hard timeout: kills the servers this script started and exits 3."""

    def __init__(self, seconds: float) -> None:
        self.servers: list[Server] = []
        self.timer = threading.Timer(seconds, self._fire)
        self.timer.daemon = True
        self.seconds = seconds

    def _fire(self) -> None:
        print(f"load_nominations: hard timeout ({self.seconds:.0f} s), stopping", file=sys.stderr)
        for server in list(self.servers):
            with contextlib.suppress(Exception):  # exiting anyway
                server.kill()
        sys.stderr.flush()
        os._exit(3)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    p.add_argument(
        "--two-instances",
        action="store_true",
        help="two gunicorn instances on two ports, clients alternating between them",
    )
    p.add_argument("--nominations", type=int, default=2000)
    p.add_argument("--units", type=int, default=100)
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seed", type=int, default=20240731)
    p.add_argument("--pg-url", default=DEFAULT_PG, help="any database on the PostgreSQL server")
    p.add_argument("--max-seconds", type=float, default=300, help="clients stop starting work")
    p.add_argument("--hard-timeout", type=float, default=900, help="kill everything and exit 3")
    p.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    args = p.parse_args(argv)
    if not 1 <= args.nominations <= MAX_NOMINATIONS:
        p.error(f"--nominations must be 1…{MAX_NOMINATIONS}")
    if not 1 <= args.clients <= MAX_CLIENTS:
        p.error(f"--clients must be 1…{MAX_CLIENTS}")
    if not 1 <= args.units <= 1000 or not 1 <= args.workers <= 8:
        p.error("--units must be 1…1000 and --workers 1…8")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    watchdog = Watchdog(args.hard_timeout)
    watchdog.timer.start()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="ep-load-") as tmp:
        for backend in backends:
            outcomes.append(run_once(backend, args.two_instances, args, Path(tmp), watchdog))
    watchdog.timer.cancel()
    print(
        f"\nLoad: {args.nominations} nominations, {args.units} unit accounts, "
        f"{args.clients} clients, ~5% double-posted; "
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}, nproc={os.cpu_count()}\n"
    )
    print(table(outcomes))
    failed = False
    for o in outcomes:
        for line in o.problems + o.results.errors:
            failed = True
            print(f"  {o.backend}: {line}")
        other = {k: v for k, v in o.results.statuses.items() if k not in (200, 302)}
        if other:
            print(f"  {o.backend}: unexpected HTTP statuses {other}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of the login answer's time for a known and an unknown username (prints a
markdown table; not a timed test).

    PYTHONPATH=. .venv/bin/python bench/bench_login.py [--runs 15]

Rows: `authenticate` with a wrong password for an existing account, for a name with no
account, and (the baseline, in the same run) the old code path for an unknown name, which
only looked the name up and skipped the password check (issue 18 item 11: "a nonexistent
username answers 3x faster"). Medians over ``--runs`` calls on a fresh SQLite file.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from expertpool import schema
from expertpool.db import make_engine, make_session_factory, session_scope
from expertpool.services import accounts


def _median_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.sqlite'}")
        schema.upgrade(engine)
        factory = make_session_factory(engine)
        with session_scope(factory) as s:
            accounts.create_user(s, "clerk", "Xinghai-Bay-42", "bureau")
        with session_scope(factory) as s:
            accounts.authenticate(s, "warmup", "x")  # the dummy hash is made once per process
            rows = [
                ("已有账户，密码错误", lambda: accounts.authenticate(s, "clerk", "wrong-pass")),
                ("不存在的用户名", lambda: accounts.authenticate(s, "nobody", "wrong-pass")),
                ("基线：旧代码对不存在的用户名（只查库）", lambda: accounts.find_user(s, "nobody")),
            ]
            results = [(name, _median_ms(fn, runs)) for name, fn in rows]
        engine.dispose()
    print(f"| 情形（{runs}次中位数） | 毫秒 |")
    print("|---|---:|")
    for name, ms in results:
        print(f"| {name} | {ms:.1f} |")


if __name__ == "__main__":
    main()

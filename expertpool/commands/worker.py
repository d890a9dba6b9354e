"""`expertpool worker`: run background jobs (season runs) from the database's job table."""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading

from expertpool.commands.files import int_range


def _block_forever() -> None:
    """The test hook: hold the job right after its first progress tick until killed."""
    threading.Event().wait()


def cmd_worker(args: argparse.Namespace) -> int:
    from expertpool.runtime import open_database
    from expertpool.services import job_runner

    _, factory = open_database()
    from expertpool.services.notices.gateway import gateway_from_env

    opts = job_runner.Options(poll_seconds=args.poll, gateway=gateway_from_env())
    if args.test_pause_after_tick:
        opts.pause_after_tick = _block_forever
    # SIGTERM (./start.sh stopping, systemd) ends the process at once, also mid-job: the
    # job's work is one uncommitted transaction, and the next sweep marks the job failed.
    if not args.once and not args.quiet:
        print("后台任务进程已启动（Ctrl+C 停止）", file=sys.stderr, flush=True)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C: stop quietly
        job_runner.work(factory, opts, once=args.once)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("worker", help="运行后台任务（年度联合抽取），由 ./start.sh 与服务一同启动")
    p.add_argument("--once", action="store_true", help="最多运行一个排队的任务后退出")
    p.add_argument("--poll", type=int_range(1, 60), default=1, help="空闲时检查新任务的间隔（秒）")
    p.add_argument("--quiet", action="store_true", help="不打印启动提示")
    p.add_argument("--test-pause-after-tick", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_worker)

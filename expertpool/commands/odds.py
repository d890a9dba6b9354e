"""`expertpool odds`: each eligible expert's selection odds under our draw, by simulation
(`expertpool.odds/1`). Imports stay inside the handler: the command list loads every module."""

from __future__ import annotations

import argparse
from typing import Any

from expertpool.commands.files import blaming, int_range, read, workers, write, write_bytes
from expertpool.commands.progress import Progress, wanted
from expertpool.errors import UserError

EXIT_OK = 0
EXIT_INFEASIBLE = 3
DEFAULT_SEED = "0"
# The same limits as solver/odds.py (not imported here: it loads OR-Tools).
DEFAULT_DRAWS, MIN_DRAWS, MAX_DRAWS = 400, 1, 10000


def _report_seed(value: str) -> str:
    if not value.strip():
        raise UserError("--seed：报告种子不能为空", field="--seed")
    return value


def cmd_odds(args: argparse.Namespace) -> int:
    import sys

    from solver.odds import Tally, odds_report, run_draws
    from solver.package import parse_package

    with blaming(args.package):
        pkg = parse_package(read(args.package, "PACKAGE"))
    tally = Tally(pkg.instance_sha256, _report_seed(args.seed))
    bar = Progress(sys.stderr, wanted(args.quiet))
    k = args.draws

    def tick(done: int) -> None:
        bar.show(f"已模拟 {done}/{k} 次抽取，{bar.elapsed()} 秒", force=done == k)

    try:
        space = run_draws(pkg, tally, k, workers=workers(args.workers), on_draw=tick)
    finally:
        bar.close()
    report = odds_report(pkg, tally, space=space, exact=args.exact, workers=args.workers)
    write(report, args.output)
    if args.xlsx:
        from expertpool.xlsx.odds import odds_workbook

        write_bytes(odds_workbook(report), args.xlsx, "--xlsx")
    if report["status"] == "infeasible":
        for entry in report["diagnosis"]:
            print(f"expertpool: 无法抽取：{entry['message']}", file=sys.stderr)
        return EXIT_INFEASIBLE
    return EXIT_OK


def register(sub: Any) -> None:
    o = sub.add_parser("odds", help="模拟抽取，估计每名专家入选评委会的概率")
    o.add_argument("package", metavar="PACKAGE.json", help="抽取包（expertpool.draw/1）")
    o.add_argument(
        "--draws",
        type=int_range(MIN_DRAWS, MAX_DRAWS),
        default=DEFAULT_DRAWS,
        metavar="K",
        help=f"模拟抽取次数（{MIN_DRAWS}–{MAX_DRAWS}，默认{DEFAULT_DRAWS}）",
    )
    o.add_argument("--seed", default=DEFAULT_SEED, help=f"报告种子（默认 {DEFAULT_SEED}）")
    o.add_argument("-o", "--output", metavar="REPORT.json", help="报告（默认输出到标准输出）")
    o.add_argument("--xlsx", metavar="REPORT.xlsx", help="同时写出Excel报告")
    o.add_argument(
        "--exact", action="store_true", help="用列生成精确计算最均衡抽取方式的概率（较慢）"
    )
    o.add_argument("--workers", type=int, default=1, help="求解线程数（不影响结果）")
    o.add_argument("--quiet", action="store_true", help="不在终端显示进度")
    o.set_defaults(func=cmd_odds)

"""`expertpool odds`: each eligible expert's selection odds under our draw, by simulation
(`expertpool.odds/1`). Imports stay inside the handler: the command list loads every module."""

from __future__ import annotations

import argparse
import json
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


SAVE_EVERY = 25


def _save(path: str, tally: Any) -> None:
    text = json.dumps(tally.to_json(), ensure_ascii=False, indent=2) + "\n"
    write_bytes(text.encode("utf-8"), path, "--state")


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate key")  # an ambiguous file is refused, never guessed
    return dict(pairs)


def _resume(path: str | None, fresh: Any, k: int) -> Any:
    """The saved counts of an earlier run of the same package and report seed, if any.
    Counts are order-free integers, so a resumed run writes the same report bytes."""
    from pathlib import Path

    from solver.odds import Tally

    if path is None or not Path(path).exists():
        return fresh
    try:
        doc = json.loads(read(path, "--state").decode("utf-8"), object_pairs_hook=_unique)
        saved = Tally.from_json(doc)
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError):
        raise UserError("--state：不是本命令写出的进度文件", field="--state") from None
    if (saved.instance_sha256, saved.report_seed) != (fresh.instance_sha256, fresh.report_seed):
        raise UserError("--state：进度文件属于另一个抽取包或另一个报告种子", field="--state")
    if saved.draws > k:
        raise UserError(
            f"--state：进度文件已有 {saved.draws} 次抽取，多于 --draws {k}", field="--state"
        )
    return saved


def cmd_odds(args: argparse.Namespace) -> int:
    import sys

    from solver.odds import Tally, odds_report, run_draws
    from solver.package import parse_package

    with blaming(args.package):
        pkg = parse_package(read(args.package, "PACKAGE"))
    tally = _resume(args.state, Tally(pkg.instance_sha256, _report_seed(args.seed)), args.draws)
    bar = Progress(sys.stderr, wanted(args.quiet))
    k = args.draws

    def tick(done: int) -> None:
        bar.show(f"已模拟 {done}/{k} 次抽取，{bar.elapsed()} 秒", force=done == k)
        if args.state and (done % SAVE_EVERY == 0 or done == k):
            _save(args.state, tally)

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
    o.add_argument(
        "--state",
        metavar="STATE.json",
        help="进度文件：每25次保存计数，再次运行时从中接着算（结果与一次算完相同）",
    )
    o.add_argument("--workers", type=int, default=1, help="求解线程数（不影响结果）")
    o.add_argument("--quiet", action="store_true", help="不在终端显示进度")
    o.set_defaults(func=cmd_odds)

"""`expertpool season`, `verify-season`, `export-season`: the whole year's draw (contract §3)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from expertpool.commands.files import (
    blaming,
    check_output_path,
    read,
    read_parsed,
    seed,
    workers,
    write,
    write_bytes,
)
from expertpool.commands.progress import season_progress
from expertpool.errors import UserError

EXIT_DRAWN = 0
EXIT_FAILED = 1
EXIT_INFEASIBLE = 3


def cmd_season(args: argparse.Namespace) -> int:
    from solver.season.package import parse_season
    from solver.season.plan import plan_season

    season = read_parsed(args.season, "SEASON", parse_season)
    if args.projections:
        folder = Path(args.projections)
        if not folder.is_dir():
            raise UserError(f"--projections：目录不存在：{folder}", field="--projections")
    with season_progress(args.quiet) as bar:
        result = plan_season(season, seed(args.seed), workers(args.workers), bar.tick)
    write(result, args.output)
    if args.projections:
        for m in season.meetings:
            (folder / f"{m.id}.package.json").write_bytes(m.projection)
            panel = json.dumps(result["panels"][m.id], ensure_ascii=False, indent=2) + "\n"
            (folder / f"{m.id}.panel.json").write_text(panel, encoding="utf-8")
    failed = [mid for mid, p in result["panels"].items() if p["status"] != "drawn"]
    for mid in failed:
        for entry in result["panels"][mid]["diagnosis"]:
            print(f"expertpool: 例会{mid}无法抽取：{entry['message']}", file=sys.stderr)
    return EXIT_INFEASIBLE if failed else EXIT_DRAWN


def cmd_verify_season(args: argparse.Namespace) -> int:
    from solver.season.verify import verify_plan

    season = read(args.season, "SEASON")
    plan = read(args.plan, "PLAN")
    with blaming(args.plan):
        report = verify_plan(season, plan)
    if not args.replay:
        print(report.text())
        return EXIT_DRAWN if report.ok else EXIT_FAILED
    from expertpool.services.verification import replay_season_files

    print("== 规则核验（逐条独立核验，不使用抽取引擎）")
    print(report.text())
    print("== 抽取复现（用抽取引擎按年度数据包和种子重新联合抽取）")
    verdict = replay_season_files(season, plan, workers(args.workers))
    print(verdict.text())
    print(f"规则核验：{'合规' if report.ok else '不合规'}；抽取复现：{verdict.verdict}")
    return EXIT_DRAWN if report.ok and verdict.same else EXIT_FAILED


def cmd_export_season(args: argparse.Namespace) -> int:
    from expertpool.db import session_scope
    from expertpool.runtime import open_database
    from expertpool.services.season import build_season, season_bytes

    if args.output and args.output != "-":
        check_output_path(args.output, "-o")
    _, factory = open_database()
    with session_scope(factory) as session:
        data = season_bytes(build_season(session, args.year))
    write_bytes(data, args.output)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("season", help="全年各评委会联合抽取（expertpool.season/1 → plan/1）")
    p.add_argument("season", metavar="SEASON.json")
    p.add_argument("--seed")
    p.add_argument("-o", "--output")
    p.add_argument("--workers", type=int, default=1, help="CP-SAT 线程数（不影响结果）")
    p.add_argument(
        "--projections", metavar="DIR", help="把每个例会的投影数据包和结果写入此目录，便于逐个核验"
    )
    p.add_argument("--quiet", action="store_true", help="不在终端显示抽取进度")
    p.set_defaults(func=cmd_season)

    p = sub.add_parser("verify-season", help="核验年度抽取结果（逐例会逐条规则，及年度规则）")
    p.add_argument("season", metavar="SEASON.json")
    p.add_argument("plan", metavar="PLAN.json")
    p.add_argument(
        "--replay", action="store_true", help="核验后再按年度数据包和种子重新联合抽取并比较"
    )
    p.add_argument("--workers", type=int, default=1, help="复现时的求解线程数（不影响结果）")
    p.set_defaults(func=cmd_verify_season)

    p = sub.add_parser(
        "export-season", help="从数据库导出某年的年度抽取文件（expertpool.season/1）"
    )
    p.add_argument("year", type=int)
    p.add_argument("-o", "--output")
    p.set_defaults(func=cmd_export_season)

"""`expertpool shortfall`: where each committee's pool is too thin, 正高级 first."""

from __future__ import annotations

import argparse

from expertpool.commands.files import check_output_path, output_file
from expertpool.errors import UserError


def cmd_shortfall(args: argparse.Namespace) -> int:
    from expertpool.catalogue.loader import available_years
    from expertpool.clock import SYSTEM_CLOCK
    from expertpool.db import session_scope
    from expertpool.runtime import open_database
    from expertpool.services import shortfall
    from expertpool.xlsx.shortfall import write_xlsx

    year = args.year or available_years()[-1]
    if args.margin < 1:
        raise UserError("余量系数（--margin）至少为1")
    if args.xlsx:
        check_output_path(args.xlsx, "--xlsx")  # before the report is printed
    _, factory = open_database()
    with session_scope(factory) as session:
        today = SYSTEM_CLOCK.shanghai_now().date()  # the command line runs on the real time
        report = shortfall.shortfall_report(session, year, args.margin, today=today)
    if not report:
        raise UserError(f"{year}年没有评委会例会")
    print(f"{year}年评审专家缺口（目标 = 一次抽取所需 × {args.margin}，正高级优先）")
    print("（现有 = 符合条件的专家；可用 = 按同一单位上限等规则一次抽取实际能用上的人数）")
    print(
        f"{'例会':8s} {'目标':>5s} {'现有':>5s} {'可用':>5s} {'缺口':>5s} "
        f"{'正高目标':>6s} {'正高可用':>6s} {'正高缺口':>6s}  评委会"
    )
    for c in report:
        print(
            f"{c.meeting_code:10s} {c.need_total:5d} {c.eligible_total:5d} {c.usable_total:5d} "
            f"{c.recruit_total:5d} {c.need_full_senior:8d} {c.usable_full_senior:8d} "
            f"{c.recruit_full_senior:8d}  {c.committee_name}"
        )
        for s in c.specialties:
            if s.recruit:
                print(
                    f"{'':10s} 专业「{s.specialty}」：目标{s.need}，可用{s.usable}，需补充{s.recruit}"
                )
        for note in c.all_notes:
            print(f"{'':10s} {note}")
    if args.xlsx:
        with output_file(args.xlsx, "--xlsx") as part:
            write_xlsx(report, year, part)
        print(f"已导出：{args.xlsx}")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("shortfall", help="各评委会专家缺口（正高级优先）")
    p.add_argument("--year", type=int)
    p.add_argument("--margin", type=int, default=2, help="余量系数，默认2")
    p.add_argument("--xlsx", help="同时导出为 xlsx 文件")
    p.set_defaults(func=cmd_shortfall)

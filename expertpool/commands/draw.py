"""`expertpool draw | verify | replace`: the panel draw from the command line (contract §4)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from expertpool.commands.files import blaming, one_line, read, seed, workers, write
from expertpool.commands.progress import elapsed_progress
from expertpool.errors import UserError
from solver.jsonstrict import loads_strict

EXIT_DRAWN = 0
EXIT_FAILED = 1
EXIT_INFEASIBLE = 3


def cmd_draw(args: argparse.Namespace) -> int:
    from solver.engine import draw_package
    from solver.package import parse_package

    data = read(args.package, "PACKAGE")
    with blaming(args.package):
        pkg = parse_package(data)
    with elapsed_progress(args.quiet, "正在抽取"):
        result = draw_package(pkg, seed(args.seed), workers(args.workers))
        if args.certificate and result["status"] == "drawn":
            from expertpool.commands.certify import write_certificate

            write_certificate(data, result, args.certificate, pkg)
    write(result, args.output)
    if result["status"] != "drawn":
        for entry in result["diagnosis"]:
            print(f"expertpool: 无法抽取：{entry['message']}", file=sys.stderr)
        return EXIT_INFEASIBLE
    return EXIT_DRAWN


def cmd_verify(args: argparse.Namespace) -> int:
    from solver.package import parse_package
    from solver.panel import parse_panel
    from solver.verify import verify_package

    pkg_bytes = read(args.package, "PACKAGE")
    panel_bytes = read(args.panel, "PANEL")
    with blaming(args.package):
        pkg = parse_package(pkg_bytes)
    with blaming(args.panel):
        panel = parse_panel(panel_bytes)
    report = verify_package(pkg, panel)
    if args.certificate:
        from expertpool.commands.certify import certificate_verdict

        print("== 规则核验（逐条独立核验，不使用抽取引擎）")
        print(report.text())
        code = certificate_verdict(pkg_bytes, panel_bytes, args.certificate)
        if code == EXIT_FAILED or (code == EXIT_DRAWN and not report.ok):
            return EXIT_FAILED
        if code != EXIT_DRAWN or not args.replay:
            return code
    if not args.replay:
        print(report.text())
        return EXIT_DRAWN if report.ok else EXIT_FAILED
    season = read(args.season, "--season") if args.season else None
    return print_two_verdicts(report, pkg_bytes, panel_bytes, season, workers(args.workers))


def print_two_verdicts(
    report: Any, pkg_bytes: bytes, panel_bytes: bytes, season: bytes | None, n: int
) -> int:
    """`verify --replay`: the independent checks (规则核验), then the engine's re-derivation
    (抽取复现); exit 0 only when both pass."""
    from expertpool.services.verification import replay_files

    print("== 规则核验（逐条独立核验，不使用抽取引擎）")
    print(report.text())
    print("== 抽取复现（用抽取引擎按数据包和种子重新抽取）")
    verdict = replay_files(pkg_bytes, panel_bytes, season, n)
    print(verdict.text())
    print(f"规则核验：{'合规' if report.ok else '不合规'}；抽取复现：{verdict.verdict}")
    return EXIT_DRAWN if report.ok and verdict.same else EXIT_FAILED


def cmd_replace(args: argparse.Namespace) -> int:
    from solver.errors import PackageError
    from solver.replace import replace_members

    pkg_bytes = read(args.package, "PACKAGE")
    panel_bytes = read(args.panel, "PANEL")
    declined = [d.strip() for d in args.declined.split(",") if d.strip()]
    if not declined:
        raise UserError("--declined：应列出至少一名拒绝参加的评委编号", field="--declined")
    try:
        result = replace_members(pkg_bytes, panel_bytes, declined, workers(args.workers))
    except PackageError as exc:
        raise UserError(one_line(exc.message), field=exc.field) from None
    result["declines"] = [*decline_calls(panel_bytes), {"declined": declined, "unavailable": []}]
    write(result, args.output)
    return EXIT_DRAWN if result["status"] == "drawn" else EXIT_INFEASIBLE


def decline_calls(panel_bytes: bytes) -> list[Any]:
    """The decline calls recorded so far (our extension; `verify --replay` replays them)."""
    try:
        doc = loads_strict(panel_bytes.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return []
    calls = doc.get("declines") if isinstance(doc, dict) else None
    return list(calls) if isinstance(calls, list) else []


def register(sub: Any) -> None:
    p = sub.add_parser("draw", help="从抽取包中随机抽取评委会（可复现）")
    p.add_argument("package", metavar="PACKAGE.json", help="抽取包（expertpool.draw/1）")
    p.add_argument("--seed", help="随机种子（省略时随机生成）")
    p.add_argument("-o", "--output", metavar="PANEL.json", help="结果文件（默认输出到标准输出）")
    p.add_argument("--workers", type=int, default=1, help="求解线程数（不影响结果）")
    p.add_argument("--quiet", action="store_true", help="不在终端显示抽取进度")
    p.add_argument(
        "--certificate", metavar="CERT.json", help="同时写出抽取证明（expertpool.certificate/1）"
    )
    p.set_defaults(func=cmd_draw)

    v = sub.add_parser("verify", help="独立核验评委会是否符合抽取包的全部规则")
    v.add_argument("package", metavar="PACKAGE.json")
    v.add_argument("panel", metavar="PANEL.json")
    v.add_argument(
        "--replay",
        action="store_true",
        help="核验后再按数据包和种子重新抽取，确认名单就是该种子抽出的结果",
    )
    v.add_argument(
        "--season", metavar="SEASON.json", help="年度联合抽取的名单：与之一起复现的年度数据包"
    )
    v.add_argument("--workers", type=int, default=1, help="复现时的求解线程数（不影响结果）")
    v.add_argument(
        "--certificate",
        metavar="CERT.json",
        help="再核对抽取证明（不使用求解器），确认名单是该种子次序下第一个合规的评委会",
    )
    v.set_defaults(func=cmd_verify)

    r = sub.add_parser("replace", help="评委拒绝参加时按顺序由备选专家替换，必要时补抽")
    r.add_argument("package", metavar="PACKAGE.json")
    r.add_argument("panel", metavar="PANEL.json")
    r.add_argument(
        "--declined", required=True, metavar="E1,E2", help="拒绝参加的评委编号，逗号分隔"
    )
    r.add_argument("-o", "--output", metavar="NEW.json")
    r.add_argument("--workers", type=int, default=1, help="求解线程数（不影响结果）")
    r.set_defaults(func=cmd_replace)

"""`expertpool verify-meeting | export-meeting`: the review meeting's record (contract §4, §5)."""

from __future__ import annotations

import argparse
from typing import Any

from expertpool.commands.files import as_user_error, read

EXIT_OK = 0
EXIT_FAILED = 1


def cmd_verify_meeting(args: argparse.Namespace) -> int:
    from solver.errors import PackageError
    from solver.meeting.case import build_case
    from solver.meeting.record import parse_record
    from solver.meeting.verify import verify_case
    from solver.package import parse_package
    from solver.panel import parse_panel

    pkg_bytes = read(args.package, "PACKAGE")
    panel_bytes = read(args.panel, "PANEL")
    record_bytes = read(args.meeting, "MEETING")
    try:
        pkg = parse_package(pkg_bytes)
    except PackageError as exc:
        raise as_user_error(exc, args.package) from None
    try:
        panel = parse_panel(panel_bytes)
    except PackageError as exc:
        raise as_user_error(exc, args.panel) from None
    try:
        record = parse_record(record_bytes)
    except PackageError as exc:
        raise as_user_error(exc, args.meeting) from None
    report = verify_case(build_case(pkg, pkg_bytes, panel, panel_bytes, record))
    print(report.text())
    return EXIT_OK if report.ok else EXIT_FAILED


def register(sub: Any) -> None:
    v = sub.add_parser(
        "verify-meeting", help="核验例会记录（出席、表决、通过率）与评委会名单、抽取包是否一致"
    )
    v.add_argument("package", metavar="PACKAGE.json", help="抽取包（expertpool.draw/1）")
    v.add_argument("panel", metavar="PANEL.json", help="评委会结果（expertpool.panel/1）")
    v.add_argument("meeting", metavar="MEETING.json", help="例会记录（expertpool.meeting/1）")
    v.set_defaults(func=cmd_verify_meeting)

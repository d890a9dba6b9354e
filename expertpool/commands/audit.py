"""`expertpool audit verify [--head SEQ:HASH]`: check the audit chain from the command line."""

from __future__ import annotations

import argparse
from typing import Any

EXIT_OK = 0
EXIT_BROKEN = 1


def cmd_verify(args: argparse.Namespace) -> int:
    from expertpool.runtime import open_database
    from expertpool.services import audit

    against = audit.parse_mark(args.head) if args.head is not None else None  # bad: exit 2
    _, factory = open_database()
    with factory() as session:
        report = audit.verify_chain(session, against=against)
    if not report.intact:
        print(report.message)
        return EXIT_BROKEN
    assert report.head is not None
    print(report.message)
    print(f"当前审计链头：{report.head.label()}")
    return EXIT_OK


def register(sub: Any) -> None:
    p = sub.add_parser("audit", help="审计日志：核验哈希链与密钥签名")
    asub = p.add_subparsers(
        dest="audit_command", metavar="操作", required=True, parser_class=type(p)
    )
    v = asub.add_parser(
        "verify",
        help="核验审计链是否完整（完整 0，被改动 1，输入有误或缺少审计密钥 2）",
    )
    v.add_argument(
        "--head",
        metavar="SEQ:HASH",
        help="此前导出文件上印的审计链头（序号:哈希），核对该记录仍在链中且未被改动",
    )
    v.set_defaults(func=cmd_verify)

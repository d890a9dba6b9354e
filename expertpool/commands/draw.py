"""`expertpool draw | verify | replace`: the panel draw from the command line (contract §4)."""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import unicodedata
from pathlib import Path
from typing import Any

from expertpool.errors import UserError

EXIT_DRAWN = 0
EXIT_FAILED = 1
EXIT_INFEASIBLE = 3


def _read(path: str, what: str) -> bytes:
    shown = _one_line(path)
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise UserError(f"{what}：文件不存在：{shown}", field=what) from None
    except IsADirectoryError:
        raise UserError(f"{what}：是目录而不是文件：{shown}", field=what) from None
    except OSError as exc:
        raise UserError(f"{what}：无法读取文件 {shown}（{exc.strerror}）", field=what) from None


def _write(result: dict[str, Any], out: str | None) -> None:
    text = json.dumps(result, ensure_ascii=False, indent=2) + "\n"
    if out is None or out == "-":
        sys.stdout.write(text)
        return
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"-o：无法写入文件 {out}（{exc.strerror}）", field="-o") from None


def _one_line(text: str) -> str:
    """Contract §4: one line on stderr, even when a value in the file holds a line break."""
    return "".join(
        ch.encode("unicode_escape").decode("ascii")
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp")
        else ch
        for ch in text
    )


def _as_user_error(exc: Exception, what: str) -> UserError:
    message = getattr(exc, "message", str(exc))
    return UserError(_one_line(f"{what}：{message}"), field=getattr(exc, "field", None))


def _seed(value: str | None) -> str:
    if value is None:
        return secrets.token_hex(8)
    if not value.strip():
        raise UserError("--seed：随机种子不能为空", field="--seed")
    return value


def _workers(value: int) -> int:
    if value < 1:
        raise UserError("--workers：应为不小于1的整数", field="--workers")
    return value


def cmd_draw(args: argparse.Namespace) -> int:
    from solver.engine import draw_package
    from solver.errors import PackageError
    from solver.package import parse_package

    data = _read(args.package, "PACKAGE")
    try:
        pkg = parse_package(data)
    except PackageError as exc:
        raise _as_user_error(exc, args.package) from None
    result = draw_package(pkg, _seed(args.seed), _workers(args.workers))
    _write(result, args.output)
    if result["status"] != "drawn":
        for entry in result["diagnosis"]:
            print(f"expertpool: 无法抽取：{entry['message']}", file=sys.stderr)
        return EXIT_INFEASIBLE
    return EXIT_DRAWN


def cmd_verify(args: argparse.Namespace) -> int:
    from solver.errors import PackageError
    from solver.package import parse_package
    from solver.panel import parse_panel
    from solver.verify import verify_package

    pkg_bytes = _read(args.package, "PACKAGE")
    panel_bytes = _read(args.panel, "PANEL")
    try:
        pkg = parse_package(pkg_bytes)
    except PackageError as exc:
        raise _as_user_error(exc, args.package) from None
    try:
        panel = parse_panel(panel_bytes)
    except PackageError as exc:
        raise _as_user_error(exc, args.panel) from None
    report = verify_package(pkg, panel)
    print(report.text())
    return EXIT_DRAWN if report.ok else EXIT_FAILED


def cmd_replace(args: argparse.Namespace) -> int:
    from solver.errors import PackageError
    from solver.replace import replace_members

    pkg_bytes = _read(args.package, "PACKAGE")
    panel_bytes = _read(args.panel, "PANEL")
    declined = [d.strip() for d in args.declined.split(",") if d.strip()]
    if not declined:
        raise UserError("--declined：应列出至少一名拒绝参加的评委编号", field="--declined")
    try:
        result = replace_members(pkg_bytes, panel_bytes, declined, _workers(args.workers))
    except PackageError as exc:
        raise UserError(_one_line(exc.message), field=exc.field) from None
    _write(result, args.output)
    return EXIT_DRAWN if result["status"] == "drawn" else EXIT_INFEASIBLE


def register(sub: Any) -> None:
    p = sub.add_parser("draw", help="从抽取包中随机抽取评委会（可复现）")
    p.add_argument("package", metavar="PACKAGE.json", help="抽取包（expertpool.draw/1）")
    p.add_argument("--seed", help="随机种子（省略时随机生成）")
    p.add_argument("-o", "--output", metavar="PANEL.json", help="结果文件（默认输出到标准输出）")
    p.add_argument("--workers", type=int, default=1, help="求解线程数（不影响结果）")
    p.set_defaults(func=cmd_draw)

    v = sub.add_parser("verify", help="独立核验评委会是否符合抽取包的全部规则")
    v.add_argument("package", metavar="PACKAGE.json")
    v.add_argument("panel", metavar="PANEL.json")
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

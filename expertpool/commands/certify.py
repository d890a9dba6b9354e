"""`expertpool certify`, and the certificate parts of `draw --certificate` and
`verify --certificate` (draw-format.md §6). Imports stay inside the functions: `verify`
must never load OR-Tools, and the command list loads every module at start."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from expertpool.commands.files import read, write_bytes
from expertpool.errors import UserError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


def write_certificate(package_bytes: bytes, panel: dict[str, Any], out: str, pkg: Any) -> None:
    """The certificate of a drawn panel to `out` (confirmed by the checker first)."""
    from solver.certify import certificate_bytes, certify_panel

    # Every proof is confirmed with exact integers as it is found; the checker's full pass
    # (another second at 20,000 experts) is left to `certify` and to `verify`.
    certs = certify_panel(package_bytes, panel, pkg=pkg, confirm=False)
    write_bytes(certificate_bytes(certs) + b"\n", out, "--certificate")


def cmd_certify(args: argparse.Namespace) -> int:
    from solver.certcheck.errors import BadInput
    from solver.certcheck.pkg import read_package
    from solver.certcheck.steps import read_panel
    from solver.certify import certificate_bytes, certify_panel

    pkg_bytes = read(args.package, "PACKAGE")
    panel_bytes = read(args.panel, "PANEL")
    # Both files are read strictly first, so bad input is named before any proof is searched.
    for what, reader, data in (
        ("PACKAGE", read_package, pkg_bytes),
        ("PANEL", read_panel, panel_bytes),
    ):
        try:
            reader(data)
        except BadInput as exc:
            raise UserError(f"{what}：{exc.message}", field=what) from None
    panel = json.loads(panel_bytes.decode("utf-8-sig"))
    if panel.get("status") != "drawn":
        raise UserError("PANEL：结果为无合规名单，没有可证明的评委会", field="PANEL")
    try:
        certs = certify_panel(pkg_bytes, panel)
    except (KeyError, TypeError, ValueError, IndexError, RuntimeError) as exc:
        print(
            f"expertpool: 无法为该结果生成抽取证明（名单不合规或不是该种子抽出的）：{exc}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    write_bytes(certificate_bytes(certs) + b"\n", args.output)
    return EXIT_OK


def certificate_verdict(pkg_bytes: bytes, panel_bytes: bytes, cert_path: str) -> int:
    """`verify --certificate`: the §6 check, printed; its exit code (0/1/2)."""
    from solver.certcheck.check import check_certificate

    verdict = check_certificate(pkg_bytes, panel_bytes, read(cert_path, "--certificate"))
    if verdict.exit_code == EXIT_BAD_INPUT:
        print(f"expertpool: --certificate {verdict.message}", file=sys.stderr)
    else:
        print("== 抽取证明（不使用求解器，按抽取数据格式约定第6节逐条核对）")
        print(verdict.message)
    return verdict.exit_code


def register(sub: Any) -> None:
    c = sub.add_parser("certify", help="为已抽出的评委会生成抽取证明（无需求解器即可核对）")
    c.add_argument("package", metavar="PACKAGE.json", help="抽取包（expertpool.draw/1）")
    c.add_argument("panel", metavar="PANEL.json", help="结果文件（expertpool.panel/1）")
    c.add_argument("-o", "--output", metavar="CERT.json", help="抽取证明（默认输出到标准输出）")
    c.set_defaults(func=cmd_certify)

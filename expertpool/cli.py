"""The `expertpool` console script: a thin argparse front over the service functions.

Each module in `expertpool.commands` exposes `register(subparsers)`, which adds its
sub-commands with `set_defaults(func=handler)`; a handler takes the parsed namespace and
returns the exit code. Any `UserError` ends with one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import re
import sys
from collections.abc import Sequence
from typing import NoReturn

from expertpool import commands
from expertpool.errors import UserError

# argparse's own English phrases, as Chinese (the names and values in them stay as given).
_PHRASES = [
    (re.compile(r"^argument (\S+?): "), r"\1："),
    (re.compile(r"the following arguments are required: "), "缺少必需的参数："),
    (re.compile(r"unrecognized arguments: "), "无法识别的参数："),
    (re.compile(r"invalid choice: (.*?) \(choose from (.*)\)$"), r"无效的选项 \1（可选：\2）"),
    (re.compile(r"invalid (\w+) value: "), r"不是有效的\1值："),
    (re.compile(r"expected one argument$"), "缺少取值"),
]


def _chinese(message: str) -> str:
    for pattern, replacement in _PHRASES:
        message = pattern.sub(replacement, message)
    return " ".join(message.split())  # one line, whatever the values held


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse's own usage errors: one line, exit 2
        self.exit(2, f"expertpool: 参数错误：{_chinese(message)}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="expertpool", description="大连市职称评审专家库与参会评委抽取系统")
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(func(args) or 0)
    except UserError as exc:
        print(f"expertpool: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("expertpool: 已中断", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `expertpool demo | head`: the reader left; say nothing more on a closed pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        # Only a command that opened the database loaded the runtime; importing it here
        # would load SQLAlchemy into `verify` and `--help` too.
        runtime = sys.modules.get("expertpool.runtime")
        if runtime is not None:
            runtime.close_all()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

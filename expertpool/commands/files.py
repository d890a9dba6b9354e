"""Reading and writing the JSON files of the draw commands (draw, verify, replace, season)."""

from __future__ import annotations

import json
import secrets
import sys
import unicodedata
from pathlib import Path
from typing import Any

from expertpool.errors import UserError


def read(path: str, what: str) -> bytes:
    shown = one_line(path)
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise UserError(f"{what}：文件不存在：{shown}", field=what) from None
    except IsADirectoryError:
        raise UserError(f"{what}：是目录而不是文件：{shown}", field=what) from None
    except OSError as exc:
        raise UserError(f"{what}：无法读取文件 {shown}（{exc.strerror}）", field=what) from None


def write(result: dict[str, Any], out: str | None) -> None:
    text = json.dumps(result, ensure_ascii=False, indent=2) + "\n"
    if out is None or out == "-":
        sys.stdout.write(text)
        return
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"-o：无法写入文件 {out}（{exc.strerror}）", field="-o") from None


def one_line(text: str) -> str:
    """Contract §4: one line on stderr, even when a value in the file holds a line break."""
    return "".join(
        ch.encode("unicode_escape").decode("ascii")
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp")
        else ch
        for ch in text
    )


def as_user_error(exc: Exception, what: str) -> UserError:
    message = getattr(exc, "message", str(exc))
    return UserError(one_line(f"{what}：{message}"), field=getattr(exc, "field", None))


def seed(value: str | None) -> str:
    if value is None:
        return secrets.token_hex(8)
    if not value.strip():
        raise UserError("--seed：随机种子不能为空", field="--seed")
    return value


def workers(value: int) -> int:
    if value < 1:
        raise UserError("--workers：应为不小于1的整数", field="--workers")
    return value

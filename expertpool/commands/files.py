"""Reading and writing the files of the commands: the draw commands' JSON (draw, verify,
replace, season) and every output file, which is written under a temporary name first."""

from __future__ import annotations

import argparse
import errno
import json
import sys
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

from expertpool.errors import UserError
from expertpool.seeds import secrets_seed
from solver.errors import PackageError
from solver.jsonstrict import MAX_JSON_BYTES, TooLargeError, read_capped, size_text


def read(path: str, what: str, limit: int = MAX_JSON_BYTES) -> bytes:
    """The file's bytes; one that is longer than `limit` is refused after reading `limit` + 1
    bytes of it (a 50 MB file is not read whole, nor parsed, before the message)."""
    shown = one_line(path)
    try:
        return read_capped(path, limit)
    except TooLargeError:
        raise UserError(
            f"{what}：文件过大（超过{size_text(limit)}），不予读取：{shown}", field=what
        ) from None
    except FileNotFoundError:
        raise UserError(f"{what}：文件不存在：{shown}", field=what) from None
    except IsADirectoryError:
        raise UserError(f"{what}：是目录而不是文件：{shown}", field=what) from None
    except OSError as exc:
        raise UserError(f"{what}：无法读取文件 {shown}（{exc.strerror}）", field=what) from None


T = TypeVar("T")


@contextmanager
def blaming(path: str) -> Iterator[None]:
    """A solver PackageError raised in the block becomes a UserError naming the file `path`."""
    try:
        yield
    except PackageError as exc:
        raise as_user_error(exc, path) from None


def read_parsed(path: str, what: str, parse: Callable[[bytes], T]) -> T:
    """The file `path` (called `what` in messages) read and parsed by `parse`."""
    data = read(path, what)
    with blaming(path):
        return parse(data)


def write(result: dict[str, Any], out: str | None) -> None:
    text = json.dumps(result, ensure_ascii=False, indent=2) + "\n"
    if out is None or out == "-":
        sys.stdout.write(text)
        return
    with output_file(out, "-o") as part:
        part.write_text(text, encoding="utf-8")


def write_bytes(data: bytes, out: str | None, field: str = "-o") -> None:
    """`data` to stdout (no path, or "-") or to the file `out`, never half-written."""
    if out is None or out == "-":
        sys.stdout.buffer.write(data)
        return
    with output_file(out, field) as part:
        part.write_bytes(data)


_WHY = {
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EROFS: "文件系统只读",
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "磁盘配额已满",
    errno.EISDIR: "该路径是目录",
    errno.ENOTDIR: "路径中有一级不是目录",
    errno.ENOENT: "无法在该位置创建文件",
    errno.ENAMETOOLONG: "文件名过长",
}


def os_reason(exc: OSError) -> str:
    """A short Chinese reason for an OSError, falling back to the system's own words."""
    return _WHY.get(exc.errno or 0) or exc.strerror or type(exc).__name__


def check_output_path(target: str, field: str) -> Path:
    """Refuse an output path that cannot be a new file, before any work is done."""
    shown = one_line(target)
    path = Path(target)
    if not target.strip():
        raise UserError(f"{field}：输出文件名不能为空", field=field)
    try:
        if path.is_dir():
            raise UserError(f"{field}：{shown} 是目录，请给出文件名", field=field)
        parent = path.parent
        if not parent.exists():
            raise UserError(f"{field}：输出目录不存在：{one_line(str(parent))}", field=field)
        if not parent.is_dir():
            raise UserError(f"{field}：{one_line(str(parent))} 不是目录", field=field)
    except OSError as exc:
        raise UserError(f"{field}：无法写入 {shown}（{os_reason(exc)}）", field=field) from None
    return path


def _remove_partial(part: Path) -> None:
    # The temporary file and any SQLite side files a failed write may have left.
    for name in (part.name, *(part.name + s for s in ("-journal", "-wal", "-shm"))):
        with suppress(OSError):
            part.with_name(name).unlink(missing_ok=True)


@contextmanager
def output_file(target: str, field: str) -> Iterator[Path]:
    """Yield a temporary path next to `target` to write the whole output to; it replaces
    `target` only when the block succeeds, and is removed on any failure. An OSError
    becomes one Chinese line naming the path."""
    path = check_output_path(target, field)
    part = path.with_name(path.name + ".part")
    try:
        _remove_partial(part)
        yield part
        part.replace(path)  # never a half-written file under the real name
    except OSError as exc:
        shown = one_line(target)
        raise UserError(f"{field}：无法写入 {shown}（{os_reason(exc)}）", field=field) from None
    finally:
        _remove_partial(part)


def int_range(low: int, high: int) -> Callable[[str], int]:
    """An argparse `type` for an integer in [low, high], with a Chinese message."""

    def parse(value: str) -> int:
        try:
            number = int(value.strip())
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            raise argparse.ArgumentTypeError(f"应为{low}到{high}之间的整数：{one_line(value)}")
        return number

    return parse


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
        return secrets_seed()
    if not value.strip():
        raise UserError("--seed：随机种子不能为空", field="--seed")
    return value


def workers(value: int) -> int:
    if value < 1:
        raise UserError("--workers：应为不小于1的整数", field="--workers")
    return value

"""Typed readers for JSON input: each raises `PackageError` with one Chinese line naming the field."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from solver.errors import PackageError
from solver.exact import parse_fraction
from solver.jsonstrict import MAX_JSON_BYTES, DuplicateKeyError, loads_strict, size_text

# Largest integer accepted anywhere in a package: far above any real count or year, and
# small enough that no rule can build a huge model or set from it.
MAX_INT = 1_000_000


def type_name(value: object) -> str:
    return {
        dict: "对象",
        list: "数组",
        str: "字符串",
        bool: "布尔值",
        int: "整数",
        float: "小数",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def shown(value: object) -> str:
    """A value as it appears in a message: strings bare, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


class R:
    """Small typed accessors that raise PackageError naming the field path."""

    @staticmethod
    def obj(value: object, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise PackageError(f"{path}：应为对象，实际为{type_name(value)}", field=path)
        return value

    @staticmethod
    def require(obj: dict[str, Any], key: str, path: str) -> Any:
        if key not in obj:
            raise PackageError(f"{path}：缺少必填字段", field=path)
        return obj[key]

    @staticmethod
    def string(value: object, path: str, *, empty_ok: bool = False) -> str:
        if not isinstance(value, str):
            raise PackageError(f"{path}：应为字符串，实际为{type_name(value)}", field=path)
        if not empty_ok and not value.strip():
            raise PackageError(f"{path}：不能为空", field=path)
        return value

    @staticmethod
    def integer(
        value: object, path: str, *, minimum: int | None = 0, maximum: int = MAX_INT
    ) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise PackageError(f"{path}：应为整数，实际为{type_name(value)}", field=path)
        if minimum is not None and value < minimum:
            raise PackageError(f"{path}：应为不小于{minimum}的整数，实际为{value}", field=path)
        if value > maximum:
            raise PackageError(f"{path}：应为不大于{maximum}的整数，实际为{value}", field=path)
        return value

    @staticmethod
    def boolean(value: object, path: str) -> bool:
        if not isinstance(value, bool):
            raise PackageError(f"{path}：应为 true 或 false，实际为{type_name(value)}", field=path)
        return value

    @staticmethod
    def array(value: object, path: str) -> list[Any]:
        if not isinstance(value, list):
            raise PackageError(f"{path}：应为数组，实际为{type_name(value)}", field=path)
        return value

    @staticmethod
    def fraction(value: object, path: str) -> Fraction:
        try:
            parsed = parse_fraction(value)
        except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
            parsed = None
        if parsed is None:
            text = json.dumps(value, ensure_ascii=False)
            raise PackageError(
                f"{path}：分数格式错误 {text}（应为字符串“a/b”，b>0 且 0≤a/b≤1）", field=path
            )
        return parsed

    @staticmethod
    def date(value: object, path: str) -> _dt.date:
        text = R.string(value, path)
        try:
            return _dt.date.fromisoformat(text)
        except ValueError:
            raise PackageError(
                f"{path}：日期格式错误“{text}”（应为 YYYY-MM-DD）", field=path
            ) from None


# What Python's JSON parser says, in the words a clerk reads (matched by the start of its message).
_JSON_ERRORS_ZH = (
    ("Expecting value", "此处缺少值"),
    ("Expecting ',' delimiter", "缺少逗号"),
    ("Expecting ':' delimiter", "缺少冒号"),
    ("Expecting property name", "字段名应写在双引号中"),
    ("Extra data", "内容结束后还有多余的字符"),
    ("Unterminated string", "字符串缺少结尾的双引号"),
    ("Invalid control character", "字符串中含有控制字符"),
    ("Invalid \\uXXXX escape", "\\u 转义写法错误"),
    ("Invalid \\escape", "反斜杠转义写法错误"),
)


def json_error_zh(message: str) -> str:
    """A JSON parser message in Chinese (a generic sentence for one not listed)."""
    for prefix, text in _JSON_ERRORS_ZH:
        if message.startswith(prefix):
            return text
    return "格式错误"


def duplicate_key_zh(what: str, key: str) -> str:
    """The message for a key repeated in one JSON object (the key shown as JSON)."""
    shown_key = json.dumps(key, ensure_ascii=False)
    return f"{what}：字段 {shown_key} 在同一对象中出现了两次（文件有歧义，不予读取）"


def decode_json(data: bytes, what: str) -> Any:
    """Bytes → JSON value; raise PackageError for an over-long input, non-UTF-8, invalid JSON
    or a key repeated in one object (an ambiguous document is never read either way)."""
    if len(data) > MAX_JSON_BYTES:
        raise PackageError(f"{what}：文件过大（超过{size_text(MAX_JSON_BYTES)}），不予读取")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PackageError(f"{what}：不是 UTF-8 编码的文本（第{exc.start}字节）") from None
    try:
        return loads_strict(text)
    except json.JSONDecodeError as exc:
        raise PackageError(
            f"{what}：不是有效的 JSON（第{exc.lineno}行第{exc.colno}列：{json_error_zh(exc.msg)}）"
        ) from None
    except DuplicateKeyError as exc:
        raise PackageError(duplicate_key_zh(what, exc.key), field=exc.key) from None
    except RecursionError:
        raise PackageError(f"{what}：不是有效的 JSON（嵌套过深）") from None
    except ValueError:  # e.g. an integer literal with more digits than Python converts
        raise PackageError(f"{what}：不是有效的 JSON（数字位数过多）") from None


def open_document(
    data: bytes,
    fmt: str,
    what: str,
    *,
    caller: str,
    show: Callable[[object], str] = shown,
) -> tuple[str, dict[str, Any]]:
    """A document's sha256 and its top-level object, checked to carry the `format` tag `fmt`.
    `what` names the document in messages, `caller` the parser refusing anything but bytes,
    and `show` how a wrong tag is written in the message."""
    if not isinstance(data, bytes | bytearray):
        raise TypeError(f"{caller} expects bytes")
    sha = hashlib.sha256(bytes(data)).hexdigest()
    top = R.obj(decode_json(bytes(data), what), what)
    tag = R.require(top, "format", "format")
    if tag != fmt:
        raise PackageError(f"format：格式标记应为“{fmt}”，实际为“{show(tag)}”", field="format")
    return sha, top

"""Strict JSON reading with the standard library: duplicate keys and non-JSON numbers refused."""

from __future__ import annotations

import json
from typing import Any

from solver.certcheck.errors import BadInput


def _no_duplicates(what: str) -> Any:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise BadInput(f"{what}：JSON 对象中有重复的键“{key}”")
            out[key] = value
        return out

    return hook


def _no_constant(name: str) -> Any:
    raise ValueError(f"不是合法的 JSON 数值：{name}")


def load(data: bytes, what: str) -> Any:
    """Parse UTF-8 JSON (a BOM is allowed); bad input names the file."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(f"{what}：不是 UTF-8 编码的文本") from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates(what), parse_constant=_no_constant)
    except BadInput:
        raise
    except (ValueError, RecursionError) as exc:
        raise BadInput(f"{what}：不是合法的 JSON（{exc}）") from None


def obj(value: object, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadInput(f"{path}：应为对象")
    return value


def arr(value: object, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise BadInput(f"{path}：应为数组")
    return value


def string(value: object, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise BadInput(f"{path}：应为非空字符串")
    return value


def integer(value: object, path: str, low: int = 0, high: int = 1_000_000) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise BadInput(f"{path}：应为{low}到{high}之间的整数")
    return value


def strings(value: object, path: str) -> list[str]:
    items = arr(value, path)
    return [string(v, f"{path}[{i}]") for i, v in enumerate(items)]

"""README's table "抽取规则与默认值" lists every rule and setting of the registry, in form
order, with its registry label, and says 不限 exactly where the default is off."""

from __future__ import annotations

import re
from pathlib import Path

from solver import registry

README = Path(__file__).resolve().parents[1] / "README.md"
ROW = re.compile(r"^\| (?P<label>[^|（]+)（`(?P<key>[a-z_]+)`） \|(?P<rest>.*)\|$")


def _table() -> list[tuple[str, str, list[str]]]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## 抽取规则与默认值", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")][1:]  # no header
    out = []
    for line in rows:
        m = ROW.match(line)
        assert m, f"README rule row not in the form “| 标签（`key`） | … |”: {line}"
        out.append((m["label"], m["key"], [c.strip() for c in m["rest"].split("|")]))
    return out


def _off(value: object) -> bool:
    return value in (None, {}, 0, False, "0/1")


def test_readme_rule_table_matches_the_registry() -> None:
    table = _table()
    assert [key for _, key, _ in table] == [p.key for p in registry.PARAMS]
    senior = registry.defaults("senior", None, {"建筑工程": 30}, narrow=False)
    intermediate = registry.defaults("intermediate", None, {"建筑工程": 30}, narrow=False)
    for label, key, cells in table:
        assert label == registry.LABELS[key], key
        assert len(cells) == 3 and all(cells), key  # senior, intermediate, source
        for default, cell in ((senior.get(key), cells[0]), (intermediate.get(key), cells[1])):
            assert _off(default) == cell.startswith("不限"), (key, cell)

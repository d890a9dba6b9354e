"""`expertpool draw` on mutated packages (contract §4): a valid package is drawn (exit 0) or
diagnosed (exit 3); anything else ends with exit 2 and exactly one stderr line naming the
field — never a traceback. Runs in-process through expertpool.cli.main."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from expertpool.cli import main as cli_main
from solver.engine import verify

FIELD_RE = re.compile(r"(format|meeting|rules|experts|applicants|conflicts|抽取包|PACKAGE)")
FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


def base_package() -> dict[str, Any]:
    """Small but exercising every rule: 16 experts, a panel of 5, 3 applicants."""
    specs = ["建筑工程", "给排水", "岩土工程"]
    experts = [
        {
            "id": f"E{i:03d}",
            "name": f"专家{i}",
            "unit": f"U{i % 6}",
            "unit_kind": ["高校", "企业", "事业单位"][i % 3],
            "rank": ["正高级", "副高级", "正高级", "中级"][i % 4],
            "specialties": [specs[i % 3], specs[(i + 1) % 3]],
            "served": [2021, 2022, 2023] if i == 0 else [2023],
            "available": i != 9,
        }
        for i in range(16)
    ]
    return {
        "format": "expertpool.draw/1",
        "meeting": {
            "id": "2024-T01",
            "committee": "测试评委会",
            "level": "senior",
            "year": 2024,
            "window": ["2024-10-21", "2024-10-31"],
        },
        "rules": {
            "panel_size": 5,
            "alternates": 2,
            "min_rank": "副高级",
            "min_full_senior_share": "1/5",
            "max_per_unit": 3,
            "min_per_unit_kind": {"企业": 1},
            "specialty_demand": {"建筑工程": 1},
            "recuse_same_unit": True,
            "min_voters_share": "2/3",
            "min_specialist_voters": 1,
            "max_consecutive_years": 3,
        },
        "experts": experts,
        "applicants": [
            {"id": "A001", "unit": "U1", "specialty": "建筑工程"},
            {"id": "A002", "unit": "U9", "specialty": "给排水"},
            {"id": "A003", "unit": "U2", "specialty": "岩土工程"},
        ],
        "conflicts": [
            {"expert": "E002", "applicant": "A002", "reason": "师生"},
            {"expert": "E004", "applicant": "A003", "reason": "近亲属"},
        ],
    }


# ---------------------------------------------------------------------------
# Mutations
# ---------------------------------------------------------------------------

SPECIAL_TEXT = [
    "",
    " ",
    "正高级",
    "教授",
    "高级",
    "1/2",
    "3/2",
    "1/0",
    "-1/2",
    "0.5",
    "2024-13-01",
    "E001",
    "A001",
    "E999",
    "line\nbreak",
    "\u2028",
    "'; DROP TABLE experts; --",
    "<script>alert(1)</script>",
    "expertpool.draw/2",
]
LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=40),
    st.sampled_from([2**31, 2**63 + 1, 10**40, -(10**40), 1_000_001]),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(max_size=10),
    st.sampled_from(SPECIAL_TEXT),
)
VALUE = st.recursive(
    LEAF,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
OPS = ["delete", "retype", "swap", "rank", "panel_size", "dup_id", "conflict", "add_key", "tighten"]
# Valid but demanding rules: the package stays well-formed, the draw may become infeasible.
TIGHTEN: list[tuple[str, Any]] = [
    ("min_full_senior_share", "1/1"),
    ("specialty_demand", {"暖通": 1}),
    ("max_per_unit", 0),
    ("panel_size", 15),
    ("min_per_unit_kind", {"医疗机构": 1}),
    ("min_specialist_voters", 5),
    ("alternates", 30),
    ("max_consecutive_years", 1),
]
MUTATION = st.tuples(
    st.sampled_from(OPS), st.integers(0, 10_000), st.integers(0, 10_000), VALUE, LEAF
)


def all_paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out: list[tuple] = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += all_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += all_paths(value, (*prefix, i))
    return out


def parent_of(doc: Any, path: tuple) -> tuple[Any, Any]:
    node = doc
    for key in path[:-1]:
        node = node[key]
    return node, path[-1]


# One function per mutation: (doc, paths, a, b, value, leaf) -> None, changing doc in place.


def _delete(doc: dict[str, Any], paths: list[tuple], a: int, b: int, value: Any, leaf: Any) -> None:
    parent, key = parent_of(doc, paths[a % len(paths)])
    del parent[key]


def _retype(doc: dict[str, Any], paths: list[tuple], a: int, b: int, value: Any, leaf: Any) -> None:
    parent, key = parent_of(doc, paths[a % len(paths)])
    parent[key] = value


def _swap(doc: dict[str, Any], paths: list[tuple], a: int, b: int, value: Any, leaf: Any) -> None:
    p, q = paths[a % len(paths)], paths[b % len(paths)]
    if p[: len(q)] == q or q[: len(p)] == p:
        return  # one contains the other
    (pp, pk), (qp, qk) = parent_of(doc, p), parent_of(doc, q)
    pp[pk], qp[qk] = copy.deepcopy(qp[qk]), copy.deepcopy(pp[pk])


def _rank(doc: dict[str, Any], paths: list[tuple], a: int, b: int, value: Any, leaf: Any) -> None:
    targets = [p for p in paths if p and p[-1] in ("rank", "min_rank")]
    if targets:
        parent, key = parent_of(doc, targets[a % len(targets)])
        parent[key] = leaf if b % 2 else SPECIAL_TEXT[b % len(SPECIAL_TEXT)]


def _panel_size(
    doc: dict[str, Any], paths: list[tuple], a: int, b: int, value: Any, leaf: Any
) -> None:
    if isinstance(doc.get("rules"), dict):
        doc["rules"]["panel_size"] = [0, 2, 4, 6, 24, -1, 1, 10, 3, 11][a % 10]


def _dup_id(doc: dict[str, Any], paths: list[tuple], a: int, b: int, value: Any, leaf: Any) -> None:
    group = ["experts", "applicants"][a % 2]
    items = doc.get(group)
    if isinstance(items, list) and len(items) >= 2:
        i, j = a % len(items), b % len(items)
        if i != j and isinstance(items[i], dict) and isinstance(items[j], dict):
            items[j]["id"] = items[i].get("id")


def _conflict(
    doc: dict[str, Any], paths: list[tuple], a: int, b: int, value: Any, leaf: Any
) -> None:
    conflicts = doc.get("conflicts")
    if not isinstance(conflicts, list):
        return
    entry: Any = {"expert": "E000", "applicant": "A001", "reason": "其他"}
    key = ["expert", "applicant", "reason"][a % 3]
    entry[key] = leaf if b % 3 == 0 else ["E999", "A999", "", None, 7][b % 5]
    conflicts.append(entry)


def _tighten(
    doc: dict[str, Any], paths: list[tuple], a: int, b: int, value: Any, leaf: Any
) -> None:
    if isinstance(doc.get("rules"), dict):
        key, rule = TIGHTEN[a % len(TIGHTEN)]
        doc["rules"][key] = copy.deepcopy(rule)


def _add_key(
    doc: dict[str, Any], paths: list[tuple], a: int, b: int, value: Any, leaf: Any
) -> None:
    target = [doc, doc.get("meeting"), doc.get("rules")][a % 3]
    if isinstance(target, dict):
        target[["extra", "rank", "year", "unknown_rule", "min_rank"][b % 5]] = value


MUTATORS: dict[str, Callable[..., None]] = {
    "delete": _delete,
    "retype": _retype,
    "swap": _swap,
    "rank": _rank,
    "panel_size": _panel_size,
    "dup_id": _dup_id,
    "conflict": _conflict,
    "tighten": _tighten,
    "add_key": _add_key,
}


def mutate(doc: dict[str, Any], op: str, a: int, b: int, value: Any, leaf: Any) -> None:
    paths = all_paths(doc)
    if not paths:
        return
    apply = MUTATORS.get(op)
    if apply is not None:
        apply(doc, paths, a, b, value, leaf)


# ---------------------------------------------------------------------------
# Running the CLI
# ---------------------------------------------------------------------------


def run_draw(path: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli_main(["draw", str(path), "--seed", "fuzz"])
        except SystemExit as exc:  # argparse; must not happen here
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def check_outcome(path: Path, data: bytes) -> int:
    code, out, err = run_draw(path)
    assert "Traceback" not in err and "Traceback" not in out
    assert code in (0, 2, 3), (code, err)
    if code == 2:
        lines = err.splitlines()
        assert len(lines) == 1 and err.endswith("\n"), err
        assert lines[0].startswith("expertpool: ") and FIELD_RE.search(lines[0]), lines[0]
        assert out == ""
        return code
    result = json.loads(out)
    if code == 0:
        assert result["status"] == "drawn" and err == ""
        report = verify(data, out.encode("utf-8"))
        assert report.ok, report.text()
    else:
        assert result["status"] == "infeasible" and result["diagnosis"]
        assert all(line.startswith("expertpool: 无法抽取：") for line in err.splitlines())
    return code


def test_base_package_is_drawn(tmp_path: Path) -> None:
    path = tmp_path / "pkg.json"
    data = json.dumps(base_package(), ensure_ascii=False).encode()
    path.write_bytes(data)
    assert check_outcome(path, data) == 0


@FUZZ
@given(st.lists(MUTATION, min_size=1, max_size=4))
def test_mutated_packages(tmp_path: Path, mutations: list) -> None:
    doc = base_package()
    for op, a, b, value, leaf in mutations:
        mutate(doc, op, a, b, value, leaf)
    data = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    path = tmp_path / "pkg.json"
    path.write_bytes(data)
    check_outcome(path, data)


RAW = st.one_of(
    st.binary(max_size=200),
    st.builds(
        lambda cut: json.dumps(base_package(), ensure_ascii=False).encode()[:cut],
        st.integers(0, 3000),
    ),
    st.sampled_from(
        [
            b"",
            b"\xef\xbb\xbf" + json.dumps(base_package()).encode(),  # a BOM is fine
            b"[" * 50_000,
            b'{"format": ' + b"9" * 5000 + b"}",
            json.dumps(base_package()).encode().replace(b'"5"', b"5").replace(b": 5,", b": 5.0,"),
            json.dumps(base_package()).encode("utf-16"),
            b"\x89PNG\r\n\x1a\n\x00\x00",
            b"null",
            b'"expertpool.draw/1"',
            json.dumps(base_package()).encode().replace(b'"1/5"', b'"' + b"1" * 5000 + b'/7"'),
        ]
    ),
)


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(RAW)
def test_raw_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "pkg.json"
    path.write_bytes(data)
    check_outcome(path, data)


@pytest.mark.parametrize(
    "args",
    [
        ["draw", "/nonexistent/pkg.json"],
        ["draw", "."],
        ["draw", "x\ny.json"],
    ],
)
def test_bad_paths_one_line(args: list[str]) -> None:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main(args)
    assert code == 2 and len(err.getvalue().splitlines()) == 1, err.getvalue()


def _set(path: tuple, value: Any) -> dict[str, Any]:
    doc = base_package()
    parent, key = parent_of(doc, path)
    parent[key] = value
    return doc


@pytest.mark.parametrize(
    ("doc", "field"),
    [  # each of these once ended in a traceback, an out-of-memory kill or two stderr lines
        (_set(("experts", 0, "rank"), ["正高级"]), "experts[0].rank"),
        (_set(("rules", "min_rank"), {}), "rules.min_rank"),
        (_set(("rules", "min_full_senior_share"), "1" * 5000 + "/" + "1" * 5001), "share"),
        (_set(("rules", "specialty_demand"), {"建筑工程": 10**30}), "specialty_demand"),
        (_set(("rules", "min_specialist_voters"), 10**30), "min_specialist_voters"),
        (_set(("rules", "max_consecutive_years"), 10**30), "max_consecutive_years"),
        (_set(("meeting", "year"), 2**70), "meeting.year"),
        (_set(("experts", 1, "id"), "E000"), "experts[1].id"),
        (_set(("experts", 2, "rank"), "教\n授"), "experts[2].rank"),
        (_set(("meeting", "window"), ["2024-10-21\u2028", "2024-10-31"]), "meeting.window[0]"),
    ],
)
def test_known_bad_packages(tmp_path: Path, doc: dict[str, Any], field: str) -> None:
    path = tmp_path / "pkg.json"
    data = json.dumps(doc, ensure_ascii=False).encode()
    path.write_bytes(data)
    assert check_outcome(path, data) == 2
    assert field in run_draw(path)[2]


def test_huge_integer_literal(tmp_path: Path) -> None:
    path = tmp_path / "pkg.json"
    path.write_bytes(
        b'{"format": "expertpool.draw/1", "rules": {"panel_size": ' + b"7" * 5000 + b"}}"
    )
    code, _, err = run_draw(path)
    assert code == 2 and "数字位数过多" in err and len(err.splitlines()) == 1

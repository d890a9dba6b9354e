"""Every tampering of §6 is refused with the exit code §6 gives, and a hand-picked compliant
panel fails whatever certificate comes with it."""

from __future__ import annotations

import json
from fractions import Fraction
from functools import cache
from typing import Any

import numpy as np
import pytest

from solver.cert.prove import MAX_DEPTH, prove
from solver.certcheck.alts import alternates, coverage
from solver.certcheck.check import order_of
from solver.certcheck.pkg import read_package
from solver.certcheck.rows import Space
from solver.certify import StepSpec, certify_step
from solver.package import parse_package
from tests.solver.cert.helpers import certified, check, corpus

NAME, TAG = "cap-2-500", "corpus-a"


@cache
def _base() -> tuple[bytes, str, str]:
    data, panel = corpus(NAME, TAG)
    return data, json.dumps(panel), json.dumps(certified(data, panel)[0])


def base() -> tuple[bytes, dict[str, Any], dict[str, Any]]:
    data, panel, cert = _base()
    return data, json.loads(panel), json.loads(cert)


def test_the_honest_certificate_passes_and_a_split_on_a_free_expert_is_accepted() -> None:
    data, panel, cert = base()
    assert check(data, panel, cert).exit_code == 0
    last = cert["rejections"][-1][0]
    order = order_of(Space(read_package(data)), panel["seed"], panel["instance_sha256"])
    space = Space(read_package(data))
    ids = [space.experts[i].id for i in order]
    after = next(e for e in ids[ids.index(last) + 1 :] if e not in panel["members"])
    k = cert["rejections"][-1][1]
    # A proof of (IN, FREE) also holds with one FREE expert out, or in: a valid split.
    cert["proofs"][k] = {"split": after, "out": cert["proofs"][k], "in": cert["proofs"][k]}
    assert check(data, panel, cert).exit_code == 0


def _two_term(cert: dict[str, Any]) -> int:
    for k, p in enumerate(cert["proofs"]):
        rows = [t[0][0] for t in p.get("farkas", [])]
        if len(rows) == 2 and "panel_size" in rows:
            return k
    raise AssertionError("no proof of a row beside panel_size")


def test_one_multiplier_changed_fails_naming_the_rejection_and_rows() -> None:
    data, panel, cert = base()
    k = _two_term(cert)
    term = next(t for t in cert["proofs"][k]["farkas"] if t[0][0] != "panel_size")
    term[1] = "1/1000000"
    verdict = check(data, panel, cert)
    first = next(e for e, i in cert["rejections"] if i == k)
    assert verdict.exit_code == 1
    assert f"“{first}”" in verdict.message and "不成立" in verdict.message
    assert "评委人数上限" in verdict.message or "评委人数下限" in verdict.message


def test_one_rejection_removed_fails_naming_it() -> None:
    data, panel, cert = base()
    gone = cert["rejections"].pop(len(cert["rejections"]) // 2)
    verdict = check(data, panel, cert)
    assert verdict.exit_code == 1 and f"缺少专家“{gone[0]}”" in verdict.message


def test_listing_a_member_or_an_expert_after_the_last_member_fails() -> None:
    data, panel, cert = base()
    cert["rejections"].append([panel["members"][0], 0])
    assert check(data, panel, cert).exit_code == 1
    data, panel, cert = base()
    space = Space(read_package(data))
    order = order_of(space, panel["seed"], panel["instance_sha256"])
    cert["rejections"].append([space.experts[order[-1]].id, 0])
    assert check(data, panel, cert).exit_code == 1


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (lambda c, p: c["rejections"][0].__setitem__(1, len(c["proofs"])), "超出范围"),
        (lambda c, p: c["rejections"][0].__setitem__(1, -1), "超出范围"),
        (lambda c, p: c["proofs"][0]["farkas"][0].__setitem__(1, -1), "乘数"),
        (lambda c, p: c["proofs"][0]["farkas"][0].__setitem__(1, 0), "乘数"),
        (lambda c, p: c["proofs"][0]["farkas"][0].__setitem__(1, "-1/2"), "乘数"),
        (lambda c, p: c["proofs"][0]["farkas"][0].__setitem__(1, "0/3"), "乘数"),
        (lambda c, p: c["proofs"][0]["farkas"][0].__setitem__(1, 0.5), "乘数"),
        (
            lambda c, p: c["proofs"][0]["farkas"][0].__setitem__(0, ["max_per_unit", "U9999"]),
            "没有行",
        ),
        (lambda c, p: c["proofs"][0]["farkas"][0].__setitem__(0, ["min_age"]), "没有行"),
        (lambda c, p: c["rejections"].append(list(c["rejections"][0])), "两次"),
        (
            lambda c, p: c["proofs"].__setitem__(
                c["rejections"][-1][1],
                {"split": p["members"][0], "out": c["proofs"][0], "in": c["proofs"][0]},
            ),
            "FREE",
        ),
        (lambda c, p: c.__setitem__("seed", "other"), "seed"),
    ],
    ids=[
        "index-out-of-range",
        "index-negative",
        "negative-multiplier",
        "zero-multiplier",
        "negative-fraction",
        "zero-fraction",
        "float-multiplier",
        "unknown-unit-row",
        "unknown-rule-row",
        "listed-twice",
        "split-on-a-member",
        "other-seed",
    ],
)
def test_bad_certificates_are_bad_input(edit: Any, words: str) -> None:
    data, panel, cert = base()
    edit(cert, panel)
    verdict = check(data, panel, cert)
    assert verdict.exit_code == 2, verdict.message
    assert words in verdict.message


def test_not_json_and_duplicate_keys_are_bad_input() -> None:
    data, panel, cert = base()
    assert check(data, panel, b"{not json").exit_code == 2
    raw = json.dumps(cert)[:-1] + ', "seed": "x"}'
    assert check(data, panel, raw.encode()).exit_code == 2


def _forged(data: bytes, panel: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The panel with one member m swapped for a later compliant non-member, with the
    alternates, uncovered and recusals made exact for it (so it passes compliance)."""
    space = Space(read_package(data))
    order = order_of(space, panel["seed"], panel["instance_sha256"])
    opos = {i: p for p, i in enumerate(order)}
    members = [space.pos[m] for m in panel["members"]]
    xs = [i for i in order if i not in members]
    sig = coverage(space, members, xs)
    for j, m in sorted(enumerate(members), key=lambda t: opos[t[1]]):
        later = [x for x in xs if sig[x] >> j & 1 and opos[x] > opos[m]]
        if later:
            new = sorted([*(i for i in members if i != m), later[0]])
            break
    else:  # pragma: no cover
        raise AssertionError("no swap")
    ids = sorted(space.experts[i].id for i in new)
    alts = [space.experts[i].id for i in alternates(space, new, order, 5, set())]
    pkg = parse_package(data)
    from solver.contract import recusals
    from solver.verify import exact_uncovered

    forged = dict(panel, members=ids, alternates=alts)
    forged["uncovered"] = exact_uncovered(pkg, ids, alts)
    forged["recusals"] = recusals(pkg, ids)
    return forged, space.experts[m].id


def test_a_hand_picked_compliant_panel_fails_with_any_certificate() -> None:
    data, panel, cert = base()
    forged, dropped = _forged(data, panel)
    from solver.verify import verify_panel

    assert verify_panel(data, json.dumps(forged).encode()).ok  # it complies
    assert check(data, forged, cert).exit_code == 1  # the true panel's certificate
    honest = _prefix_certificate(data, forged)
    verdict = check(data, forged, honest)
    assert verdict.exit_code == 1
    assert f"缺少专家“{dropped}”" in verdict.message


PLACEHOLDER = {"farkas": [[["panel_size", "max"], 1]]}  # never holds: −|IN| < −n


def _prefix_certificate(data: bytes, forged: dict[str, Any]) -> dict[str, Any]:
    """Built honestly for the forged panel: a proof for every rejection that has one (the
    rejection the true panel contradicts has none and is left out)."""

    def careful(step: Any, inn: np.ndarray, free: np.ndarray) -> Any:
        try:
            return prove(step, inn, free, MAX_DEPTH - 2)
        except RuntimeError:
            return ("leaf", [(("dense", 0), Fraction(1))])

    spec = StepSpec("original", forged["members"], [], [])
    cert = certify_step(parse_package(data), forged["seed"], spec, prover=careful)
    keep = [r for r in cert["rejections"] if cert["proofs"][r[1]] != PLACEHOLDER]
    assert 0 < len(keep) < len(cert["rejections"])
    cert["rejections"] = keep
    return cert


def test_engine_made_splits_are_written_and_accepted() -> None:
    """The prover's split trees (used when the LP relaxation does not rule a rejection out)
    become `split` proofs the checker accepts; here every proof is forced to split once."""
    data, panel, _cert = base()

    def splitting(step: Any, inn: np.ndarray, free: np.ndarray) -> Any:
        f = int(np.flatnonzero(free)[0])
        out_free = free.copy()
        out_free[f] = False
        in_in = inn.copy()
        in_in[f] = True
        return ("split", f, prove(step, inn, out_free), prove(step, in_in, out_free))

    spec = StepSpec("original", panel["members"], [], [])
    cert = certify_step(parse_package(data), panel["seed"], spec, prover=splitting)
    assert cert["proofs"] and all("split" in p for p in cert["proofs"])
    verdict = check(data, panel, cert)
    assert verdict.exit_code == 0, verdict.message
    inner = cert["proofs"][0]["in"]
    cert["proofs"][0]["in"] = {"farkas": [[["panel_size", "min"], 1]]}  # a branch that fails
    assert check(data, panel, cert).exit_code == 1
    cert["proofs"][0]["in"] = inner
    assert check(data, panel, cert).exit_code == 0


def test_absurd_certificates_are_bad_input_never_a_traceback() -> None:
    data, panel, cert = base()
    deep: Any = cert["proofs"][0]
    for _ in range(70):
        deep = {"split": panel["members"][0], "out": deep, "in": cert["proofs"][0]}
    cert["proofs"][0] = deep
    assert check(data, panel, cert).exit_code == 2
    data, panel, cert = base()
    cert["proofs"][0]["farkas"][0][1] = "1" * 5000 + "/1"
    assert check(data, panel, cert).exit_code == 2
    raw = json.dumps(base()[2]).replace('"proofs": [', '"proofs": [' + "[" * 100000, 1)
    assert check(data, panel, raw.encode()).exit_code == 2

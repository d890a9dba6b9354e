"""`check_certificate`: does the certificate prove the panel is the seed's first compliant
panel (draw-format.md §6 "What passes")? Standard library only; no solver, no engine code.

Order of the checks, the first failure named: compliance (§1, `uncovered`, `recusals`, the
decline history), then every step's rejections in the seeded order, then the alternates.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from solver.certcheck import jsonin as J
from solver.certcheck.alts import alternates
from solver.certcheck.errors import BadInput, Failed
from solver.certcheck.pkg import Pkg, read_package
from solver.certcheck.proofs import Proof, StepView, holds, parse_proofs
from solver.certcheck.rows import Space
from solver.certcheck.steps import PanelDoc, Step, read_panel, steps_of

FORMAT = "expertpool.certificate/1"


@dataclass(frozen=True)
class CertVerdict:
    ok: bool
    exit_code: int  # 0 proven, 1 not proven, 2 bad input
    message: str


def order_of(space: Space, seed: str, sha: str) -> list[int]:
    """Eligible indices sorted by SHA-256(seed NUL sha NUL id), then by id."""

    def key(i: int) -> tuple[bytes, str]:
        eid = space.experts[i].id
        return hashlib.sha256(f"{seed}\0{sha}\0{eid}".encode()).digest(), eid

    return sorted(range(len(space.experts)), key=key)


def step_title(name: str | int) -> str:
    return "原始抽取" if name == "original" else f"第{name}次请辞的补抽"


def _compliance(space: Space, pkg: Pkg, panel: PanelDoc) -> list[Step]:
    if panel.sha != pkg.sha256 or panel.meeting != pkg.meeting:
        raise Failed("结果文件记录的抽取包哈希或会议编号与抽取包不符")
    if panel.raw.get("status") != "drawn":
        raise Failed("结果为无合规名单，没有可证明的评委会")
    why = space.broken(panel.members)
    if why:
        raise Failed(f"评委会不合规：{why}")
    if panel.members != sorted(panel.members):
        raise Failed("结果文件中的评委未按编号排序")
    steps = steps_of(space, panel)
    for st in steps:
        why = space.broken(st.members)
        if why:
            raise Failed(f"{step_title(st.name)}的评委会不合规：{why}")
    _uncovered(space, panel)
    _recusals(pkg, panel)
    return steps


def _uncovered(space: Space, panel: PanelDoc) -> None:
    want = []
    for m in panel.members:
        rest = [x for x in panel.members if x != m]
        fits = any(
            a not in panel.members and a in space.pos and space.broken([*rest, a]) is None
            for a in panel.alternates
        )
        if not fits:
            want.append(m)
    if panel.uncovered != want:
        raise Failed(
            f"无备选可替换的评委应为：{'、'.join(want) or '无'}；"
            f"结果文件列为：{'、'.join(panel.uncovered) or '无'}"
        )


def _recusals(pkg: Pkg, panel: PanelDoc) -> None:
    want: dict[str, list[str]] = {}
    for a in pkg.applicants:
        hit = sorted(m for m in panel.members if pkg.conflicted(pkg.by_id[m], a))
        if hit:
            want[a.id] = hit
    if panel.recusals != want:
        raise Failed("结果文件的回避名单与实际不符")


@dataclass
class CertStep:
    name: str | int
    fixed: list[str]
    excluded: list[str]
    proofs: list[Proof]
    rejections: list[tuple[str, int]]


def _cert_step(raw: Any, where: str, space: Space, panel: PanelDoc) -> CertStep:
    c = J.obj(raw, where)
    if c.get("format") != FORMAT:
        raise BadInput(f"{where}.format：格式标记应为“{FORMAT}”，实际为“{c.get('format')}”")
    for key, want in (
        ("meeting", panel.meeting),
        ("instance_sha256", panel.sha),
        ("seed", panel.seed),
    ):
        if c.get(key) != want:
            raise BadInput(f"{where}.{key}：与结果文件不符")
    name = c.get("step")
    if not (
        name == "original" or isinstance(name, int) and not isinstance(name, bool) and name >= 1
    ):
        raise BadInput(f'{where}.step：应为 "original" 或请辞次数（从1起的整数）')
    proofs = parse_proofs(c.get("proofs"), space, where)
    rejections = []
    seen: set[str] = set()
    for i, r in enumerate(J.arr(c.get("rejections"), f"{where}.rejections")):
        path = f"{where}.rejections[{i}]"
        if not isinstance(r, list) or len(r) != 2:
            raise BadInput(f"{path}：应为 [专家编号, 证明序号]")
        eid = J.string(r[0], f"{path}[0]")
        if eid not in space.pkg.by_id:
            raise BadInput(f"{path}[0]：专家“{eid}”不在抽取包的专家库中")
        if eid in seen:
            raise BadInput(f"{path}[0]：专家“{eid}”被列出两次")
        seen.add(eid)
        idx = r[1]
        if not isinstance(idx, int) or isinstance(idx, bool) or not 0 <= idx < len(proofs):
            raise BadInput(f"{path}[1]：证明序号 {idx!r} 超出范围（共{len(proofs)}个证明）")
        rejections.append((eid, idx))
    return CertStep(
        name,
        J.strings(c.get("fixed"), f"{where}.fixed"),
        J.strings(c.get("excluded"), f"{where}.excluded"),
        proofs,
        rejections,
    )


def read_certificate(data: bytes, space: Space, panel: PanelDoc) -> list[CertStep]:
    """One object (a single step) or an array of step objects (original first)."""
    doc = J.load(data, "抽取证明")
    if isinstance(doc, list):
        if not doc:
            raise BadInput("抽取证明：数组不能为空")
        return [_cert_step(d, f"[{i}]", space, panel) for i, d in enumerate(doc)]
    return [_cert_step(doc, "抽取证明", space, panel)]


def _view(space: Space, order: list[int], st: Step, key: int) -> StepView:
    fixed = {space.pos[x] for x in st.fixed}
    taken = {space.pos[x] for x in st.members} - fixed
    excluded = {space.pos[x] for x in st.excluded if x in space.pos}
    return StepView(key, order, {i: p for p, i in enumerate(order)}, fixed, excluded, taken)


def _rejections(space: Space, view: StepView, st: Step, cert: CertStep) -> None:
    title = step_title(st.name)
    last = max(view.opos[i] for i in view.taken) if view.taken else -1
    listed = dict(cert.rejections)
    needed = []
    for p in range(last):
        i = view.order[p]
        if i not in view.taken and i not in view.fixed and i not in view.excluded:
            needed.append(space.experts[i].id)
    extra = sorted(
        (view.opos.get(space.pos.get(e, -1), len(view.order)), e) for e in set(listed) - set(needed)
    )
    need_set = set(needed)
    for p in range(last):
        eid = space.experts[view.order[p]].id
        if eid in need_set:
            if eid not in listed:
                raise Failed(f"{title}：缺少专家“{eid}”（次序第{p + 1}位）未被选入的证明")
            bad = holds(cert.proofs[listed[eid]], space, view, p)
            if bad is not None:
                raise Failed(
                    f"{title}：专家“{eid}”（次序第{p + 1}位）未被选入的证明"
                    f"（第{listed[eid] + 1}个证明）不成立，涉及的行：{bad.rows_text()}"
                )
    if extra:
        eid = extra[0][1]
        raise Failed(
            f"{title}：专家“{eid}”无需证明（是评委、不符合条件、已排除或在最后一名选入评委之后），却被列出"
        )


def check_files(package_bytes: bytes, panel_bytes: bytes, cert_bytes: bytes) -> str:
    """The pass message; raises BadInput (exit 2) or Failed (exit 1)."""
    pkg = read_package(package_bytes)
    panel = read_panel(panel_bytes)
    space = Space(pkg)
    certs = read_certificate(cert_bytes, space, panel)
    steps = _compliance(space, pkg, panel)
    names = [c.name for c in certs]
    for k, st in enumerate(steps):
        if k >= len(certs) or certs[k].name != st.name:
            raise Failed(f"缺少{step_title(st.name)}的证明（证明文件所列步骤：{names}）")
    if len(certs) > len(steps):
        raise Failed(f"证明文件多出步骤 {names[len(steps) :]}，结果文件的请辞记录中没有")
    order = order_of(space, panel.seed, panel.sha)
    total = 0
    for k, (st, cert) in enumerate(zip(steps, certs, strict=True)):
        if sorted(cert.fixed) != st.fixed or sorted(cert.excluded) != st.excluded:
            raise Failed(
                f"{step_title(st.name)}：证明所列的保留评委（fixed）或排除专家（excluded）"
                "与结果文件的请辞记录不符"
            )
        _rejections(space, _view(space, order, st, k), st, cert)
        total += len(cert.rejections)
    first = steps[0]
    got = alternates(
        space, [space.pos[x] for x in first.members], order, pkg.rules["alternates"], set()
    )
    want = [space.experts[i].id for i in got]
    if want != first.alternates:
        raise Failed(
            f"备选专家应为（按顺序）：{'、'.join(want) or '无'}；"
            f"结果文件列为：{'、'.join(first.alternates) or '无'}"
        )
    return (
        f"抽取证明：已证明——评委会是该种子次序下第一个合规的评委会（{len(steps)}个步骤、"
        f"{total}名专家未被选入，每人都有成立的证明），备选专家与定义一致"
    )


def check_certificate(package_bytes: bytes, panel_bytes: bytes, cert_bytes: bytes) -> CertVerdict:
    try:
        return CertVerdict(True, 0, check_files(package_bytes, panel_bytes, cert_bytes))
    except BadInput as exc:
        return CertVerdict(False, 2, f"输入错误：{exc.message}")
    except (RecursionError, ValueError, OverflowError):  # absurd nesting or numbers: refused
        return CertVerdict(False, 2, "输入错误：抽取证明嵌套过深或数字过大，无法核对")
    except Failed as exc:
        return CertVerdict(False, 1, f"抽取证明：未证明——{exc.message}")

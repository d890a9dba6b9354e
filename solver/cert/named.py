"""The §6 named rows over a draw space's candidates, built from the rule registry's rows.

Generic in the rules: every `Row(key, mask, lo, hi)` a rule gives the row system becomes the
§6 row named `[rule id, *rest of key after ":"]` (the registry's key is "rule:applicant" or
"rule:specialty" …): a lower bound lo > 0 is the ≥ row over the mask; an upper bound hi < n
(the few conflicted members of `min_voters_share`) is §6's ≥ row over the complement with
bound n − hi (equal under panel_size). A `PartitionCap` is one `[key, unit]` ≤ row per unit.
A rule added later is certified with no extra work; a row whose name the checker does not
know makes the final check fail loudly, never a silent pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solver.features import Features
from solver.registry import ALL
from solver.rules.base import PartitionCap, Row


@dataclass
class NamedRows:
    names: list[list[str]]  # dense rows: ≥ b over mask columns of M
    M: np.ndarray  # (m, R) bool
    b: np.ndarray  # (R,) int64, ≥ form
    sign: np.ndarray  # (R,) +1 for ≥ rows over the mask, -1 for ≤ rows (negated)
    unit_key: str
    unit_names: list[str]
    unit_code: np.ndarray  # (m,)
    cap: int | None  # ≤ cap per unit

    @property
    def n_dense(self) -> int:
        return len(self.names)


def named_rows(feat: Features) -> NamedRows:
    n = feat.n
    names: list[list[str]] = [["panel_size", "max"], ["panel_size", "min"]]
    cols: list[np.ndarray] = [np.ones(feat.m, bool), np.ones(feat.m, bool)]
    b: list[int] = [-n, n]
    sign: list[int] = [-1, 1]
    unit_key, cap = "max_per_unit", None
    for rule in ALL:
        for item in rule.rows(feat):
            if isinstance(item, PartitionCap):
                unit_key, cap = item.key, item.cap
                continue
            assert isinstance(item, Row)
            name = [rule.id, *item.key.split(":", 1)[1:]]
            if item.lo > 0:
                names.append(name)
                cols.append(item.mask.astype(bool))
                b.append(item.lo)
                sign.append(1)
            if item.hi < n:
                names.append(name)
                cols.append(~item.mask.astype(bool))
                b.append(n - item.hi)
                sign.append(1)
    M = np.stack(cols, axis=1) if cols else np.zeros((feat.m, 0), bool)
    return NamedRows(
        names,
        M,
        np.array(b, np.int64),
        np.array(sign, np.int64),
        unit_key,
        list(feat.unit_names),
        feat.unit_code.astype(np.int64),
        cap,
    )

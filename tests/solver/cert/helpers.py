"""Shared helpers of the certificate tests: corpus files, certify, check, JSON edits."""

from __future__ import annotations

import copy
import json
from typing import Any

from solver.certcheck import CertVerdict, check_certificate
from solver.certify import certificate_bytes, certify_panel
from tests.regression.corpus import HERE, read_gz


def corpus(name: str, tag: str) -> tuple[bytes, dict[str, Any]]:
    """(package bytes, recorded result) of a corpus entry, e.g. ("cap-2-500", "corpus-a")."""
    data = read_gz(HERE / "packages" / f"{name}.json.gz")
    panel = json.loads(read_gz(HERE / "results" / f"{name}.{tag}.json.gz"))
    return data, panel


def panel_bytes(panel: dict[str, Any]) -> bytes:
    return json.dumps(panel, ensure_ascii=False).encode()


def check(data: bytes, panel: dict[str, Any], cert: Any) -> CertVerdict:
    raw = cert if isinstance(cert, bytes) else json.dumps(cert, ensure_ascii=False).encode()
    return check_certificate(data, panel_bytes(panel), raw)


def certified(data: bytes, panel: dict[str, Any]) -> list[dict[str, Any]]:
    return copy.deepcopy(certify_panel(data, panel))


def one(certs: list[dict[str, Any]]) -> Any:
    """The certificate file's JSON value (an object for one step, else an array)."""
    return json.loads(certificate_bytes(certs))

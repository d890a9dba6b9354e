"""The audit chain's key, kept outside the database, and the keyed signatures made with it.

Anyone who can write the database can recompute the chain's public SHA-256 hashes; nobody
can recompute these HMACs without the key. The key comes from $EXPERTPOOL_AUDIT_KEY (several
app servers share it that way) or from the file `audit_key` in the instance folder, created
with mode 0600 the first time the chain is signed. Once the chain holds signed events the key
is never created again: a missing key is an error, not a new key (which would make every
signature fail and look like tampering).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path

from expertpool.config import instance_path
from expertpool.errors import UserError

KEY_ENV = "EXPERTPOOL_AUDIT_KEY"
KEY_FILE = "audit_key"
MIN_KEY_CHARS = 32

EVENT_TAG = "expertpool.audit-event/1"
HEAD_TAG = "expertpool.audit-head/1"


class AuditUnavailable(UserError):
    """No audit event can be appended, so the action that needs one is refused."""


class AuditKeyError(AuditUnavailable):
    """The key is missing or unusable: the chain can be neither signed nor checked."""


def key_path() -> Path:
    return instance_path() / KEY_FILE


def _checked(text: str, where: str) -> bytes:
    key = text.strip()
    if len(key) < MIN_KEY_CHARS:
        raise AuditKeyError(f"审计密钥过短（{where}）：至少需要{MIN_KEY_CHARS}个字符")
    return key.encode("utf-8")


def _create(path: Path) -> bytes | None:
    """Write a new key, atomically: None when another process created the file first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return None
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(key + "\n")
    return key.encode("utf-8")


def _read(path: Path) -> str:
    for _ in range(50):  # a process that just created the file may not have written it yet
        text = path.read_text(encoding="utf-8")
        if text.strip():
            return text
        time.sleep(0.02)
    return ""


def load_key(*, create: bool) -> bytes:
    """The key; `create` only while the chain holds no signed event (its first use)."""
    shared = os.environ.get(KEY_ENV)
    if shared is not None and shared.strip():
        return _checked(shared, f"环境变量 {KEY_ENV}")
    path = key_path()
    if not path.exists():
        if not create:
            raise AuditKeyError(
                f"找不到审计密钥：{path} 不存在，也未设置环境变量 {KEY_ENV}；"
                "审计链已有签名记录，须使用原来的密钥（从备份恢复该文件或设置该环境变量），"
                "否则既不能核验也不能追加审计记录"
            )
        made = _create(path)
        if made is not None:
            return made
    try:
        return _checked(_read(path), str(path))
    except OSError as exc:
        raise AuditKeyError(f"无法读取审计密钥 {path}：{exc.strerror or exc}") from None


def event_mac(key: bytes, seq: int, event_hash: str) -> str:
    """The signature of the event at position `seq` (1-based) whose chain hash is given."""
    msg = f"{EVENT_TAG}\n{seq}\n{event_hash}".encode("ascii")
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def head_mac(key: bytes, seq: int, last_hash: str) -> str:
    """The head's signature: a different tag from the events', so that an event's own
    signature never serves as the head of a chain cut short at that event."""
    msg = f"{HEAD_TAG}\n{seq}\n{last_hash}".encode("ascii")
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def same(a: str | None, b: str) -> bool:
    return a is not None and hmac.compare_digest(a, b)

"""The SMS gateway: one adapter interface, and an HTTP adapter.

Configuration comes from the environment (never the database): EXPERTPOOL_SMS_PROVIDER,
EXPERTPOOL_SMS_URL, EXPERTPOOL_SMS_KEY and EXPERTPOOL_SMS_SECRET. Without a URL there is no
gateway and nothing is ever sent. Each request carries the message's idempotency key, so a
message re-sent after a worker died mid-send is delivered by the gateway only once, and an
HMAC-SHA256 signature of the body with the secret; callbacks are signed the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


class GatewayError(Exception):
    """The gateway did not accept the message; `message` is what it said."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Sms:
    message_id: int
    idempotency_key: str
    phone: str
    body: str
    reply_code: str


class Gateway(Protocol):
    @property
    def provider(self) -> str: ...

    def send(self, sms: Sms) -> None:
        """Deliver `sms` (at most once per idempotency key), else raise GatewayError."""


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def signature_ok(secret: str, body: bytes, signature: str) -> bool:
    return bool(secret) and hmac.compare_digest(sign(secret, body), signature or "")


@dataclass(frozen=True)
class HttpSmsGateway:
    provider: str
    url: str
    key: str
    secret: str
    timeout: float = 10.0

    def send(self, sms: Sms) -> None:
        body = json.dumps(
            {
                "to": sms.phone,
                "text": sms.body,
                "message_id": sms.message_id,
                "reply_code": sms.reply_code,
            },
            ensure_ascii=False,
        ).encode("utf-8")
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.key}",
                "Idempotency-Key": sms.idempotency_key,
                "X-Signature": sign(self.secret, body),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                answer.read()
        except urllib.error.HTTPError as exc:
            with exc:  # the error answer holds the connection open until closed
                text = exc.read().decode("utf-8", "replace")[:200]
            raise GatewayError(f"短信平台返回{exc.code}：{text}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise GatewayError(f"无法连接短信平台：{exc}") from None


def gateway_from_env(env: Mapping[str, str] | None = None) -> HttpSmsGateway | None:
    env = os.environ if env is None else env
    url = env.get("EXPERTPOOL_SMS_URL", "").strip()
    if not url:
        return None
    return HttpSmsGateway(
        provider=env.get("EXPERTPOOL_SMS_PROVIDER", "http").strip() or "http",
        url=url,
        key=env.get("EXPERTPOOL_SMS_KEY", ""),
        secret=env.get("EXPERTPOOL_SMS_SECRET", ""),
    )

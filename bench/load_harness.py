"""Helpers for driving the real app over loopback HTTP: gunicorn as a subprocess, fresh
databases, and a tiny cookie-keeping HTTP client built on http.client (no third-party code).

Used by bench/load_nominations.py and by tests/reliability (the crash tests).
Everything listens on 127.0.0.1 only; every process started here is stopped by its own id.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
TOKEN_RE = re.compile(r'name="token" type="hidden" value="([^"]+)"')
APP_SPEC = "web.app:create_app()"


class HarnessError(RuntimeError):
    """The harness itself could not do its job (server did not start, page unexpected…)."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---------------------------------------------------------------------------
# Databases
# ---------------------------------------------------------------------------


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _pg_admin(url: str) -> tuple[Engine, URL]:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, isolation_level="AUTOCOMMIT"), parsed


def create_pg_database(admin_url: str, prefix: str = "ep_load") -> str:
    """CREATE DATABASE <prefix>_<random> next to ``admin_url``; returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    engine, parsed = _pg_admin(admin_url)
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def drop_pg_database(url: str) -> None:
    """DROP DATABASE named by ``url`` (connecting to the maintenance database 'postgres')."""
    engine, parsed = _pg_admin(url)
    engine.dispose()
    name = parsed.database
    admin, _ = _pg_admin(parsed.set(database="postgres").render_as_string(hide_password=False))
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def write_secret_key(instance: Path, key: str | None = None) -> str:
    """Pre-create instance/secret_key so that every worker and instance signs alike."""
    instance.mkdir(parents=True, exist_ok=True)
    key = key or secrets.token_hex(32)
    path = instance / "secret_key"
    path.write_text(key, encoding="utf-8")
    path.chmod(0o600)
    return key


def server_env(database_url: str, instance: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        EXPERTPOOL_INSTANCE=str(instance),
        PYTHONUNBUFFERED="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def run_cli(args: Sequence[str], database_url: str, instance: Path, timeout: float = 120) -> str:
    """Run `expertpool ARGS` as a subprocess (the command an operator would type)."""
    proc = subprocess.run(
        [sys.executable, "-m", "expertpool.cli", *args],
        cwd=REPO,
        env=server_env(database_url, instance),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        raise HarnessError(f"expertpool {' '.join(args)} failed: {proc.stderr.strip()}")
    return proc.stdout


# ---------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------


class Server:
    """gunicorn serving create_app() on 127.0.0.1 in its own process group."""

    def __init__(
        self,
        database_url: str,
        instance: Path,
        *,
        workers: int = 2,
        port: int | None = None,
        timeout: int = 120,
        log: Path | None = None,
    ) -> None:
        self.database_url = database_url
        self.instance = instance
        self.workers = workers
        self.port = port or free_port()
        self.timeout = timeout
        self.log = log or instance / f"gunicorn-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    def start(self, ready_within: float = 60.0) -> Server:
        cmd = [
            str(BIN / "gunicorn"),
            "--workers",
            str(self.workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--timeout",
            str(self.timeout),
            "--graceful-timeout",
            "5",
            "--backlog",
            "512",
            APP_SPEC,
        ]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                cmd,
                cwd=REPO,
                env=server_env(self.database_url, self.instance),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # master and workers share a process group
            )
        self.wait_ready(ready_within)
        return self

    def wait_ready(self, within: float) -> None:
        """Until every worker has booted and /login answers 200."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise HarnessError(f"gunicorn exited early; see {self.log}:\n{self.tail()}")
            try:
                if len(self.worker_pids()) >= self.workers:
                    status = Browser([self.address], timeout=5).get("/login").status
                    if status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise HarnessError(f"gunicorn not ready after {within:.0f} s; see {self.log}")

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def worker_pids(self) -> list[int]:
        if self.proc is None:
            return []
        return children(self.proc.pid)

    def kill(self) -> None:
        """SIGKILL master and workers at once (a power cut for the app)."""
        if self.proc is None:
            return
        pids = [self.proc.pid, *self.worker_pids()]
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        _wait_gone(pids)
        self.proc = None

    def stop(self) -> None:
        if self.proc is None:
            return
        pids = [self.proc.pid, *self.worker_pids()]
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()
            return
        _wait_gone(pids)
        self.proc = None

    def __enter__(self) -> Server:
        return self.start() if self.proc is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid …; comm may contain spaces and parentheses
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (0.0 once it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rfind(")") + 2 :].split()
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _wait_gone(pids: Iterable[int], within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    for pid in pids:
        while time.monotonic() < deadline:
            try:
                state = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                break
            if state[state.rfind(")") + 2 :].startswith("Z"):
                break  # a zombie is dead; its parent (us or init) reaps it
            time.sleep(0.02)


@contextlib.contextmanager
def running(servers: Sequence[Server]) -> Iterator[Sequence[Server]]:
    started: list[Server] = []
    try:
        for server in servers:
            started.append(server.start())
        yield servers
    finally:
        for server in started:
            server.stop()


# ---------------------------------------------------------------------------
# The HTTP client
# ---------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float
    target: tuple[str, int]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return urlsplit(self.headers.get("location", "")).path


@dataclass
class Browser:
    """One user's browser: a cookie jar, and requests spread round-robin over ``targets``
    (one target is one server; several are app servers behind a load-balancing proxy)."""

    targets: list[tuple[str, int]]
    timeout: float = 60.0
    cookies: dict[str, str] = field(default_factory=dict)
    turn: int = 0

    def _next(self) -> tuple[str, int]:
        target = self.targets[self.turn % len(self.targets)]
        self.turn += 1
        return target

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        content_type: str | None = None,
    ) -> Response:
        target = self._next()
        headers = {"Host": f"{target[0]}:{target[1]}", "Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        conn = http.client.HTTPConnection(*target, timeout=self.timeout)
        started = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            elapsed = time.perf_counter() - started
            for name, value in resp.getheaders():
                if name.lower() == "set-cookie":
                    self._set_cookie(value)
            hdrs = {k.lower(): v for k, v in resp.getheaders()}
            return Response(resp.status, hdrs, data, elapsed, target)
        finally:
            conn.close()

    def _set_cookie(self, header: str) -> None:
        pair = header.split(";", 1)[0]
        name, _, value = pair.partition("=")
        name = name.strip()
        attrs = header.lower()
        if not value or "max-age=0" in attrs or "expires=thu, 01 jan 1970" in attrs:
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = value.strip()

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post_form(self, path: str, data: dict[str, str | list[str]]) -> Response:
        body = urlencode(data, doseq=True).encode("utf-8")
        return self.request("POST", path, body, "application/x-www-form-urlencoded")

    def post_file(
        self, path: str, fields: dict[str, str], name: str, filename: str, content: bytes
    ) -> Response:
        body, ctype = multipart(fields, name, filename, content)
        return self.request("POST", path, body, ctype)

    def login(self, username: str, password: str) -> None:
        self.cookies.pop("session", None)
        csrf = csrf_of(self.get("/login"))
        resp = self.post_form(
            "/login", {"csrf_token": csrf, "username": username, "password": password}
        )
        if resp.status != 302:
            raise HarnessError(f"login {username}: HTTP {resp.status}")


def csrf_of(resp: Response) -> str:
    match = CSRF_RE.search(resp.text)
    if resp.status != 200 or not match:
        raise HarnessError(f"no csrf_token in the page (HTTP {resp.status})")
    return match.group(1) or match.group(2)


def multipart(
    fields: dict[str, str], name: str, filename: str, content: bytes
) -> tuple[bytes, str]:
    boundary = "----expertpool" + uuid.uuid4().hex
    parts = []
    for key, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"

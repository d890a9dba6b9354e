"""Progress of a long command on stderr, only when stderr is a terminal (and not --quiet):
one line rewritten in place (`\\r`), cleared at the end, so stdout and `-o` never change."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

# At most this often a line is rewritten: the planner reports after every seat question.
MIN_INTERVAL = 0.2


class Progress:
    """Writes `\\r<line>` to `stream` when enabled; `tick` (season planner) or a ticker
    thread (single draw: one long solver call, elapsed time only) calls `show`."""

    def __init__(self, stream: TextIO, enabled: bool) -> None:
        self.stream, self.enabled = stream, enabled
        self.started = time.monotonic()
        self.last = 0.0
        self.width = 0
        self.lock = threading.Lock()

    def elapsed(self) -> int:
        return int(time.monotonic() - self.started)

    def show(self, line: str, *, force: bool = False) -> None:
        if not self.enabled:
            return
        with self.lock:
            now = time.monotonic()
            if not force and now - self.last < MIN_INTERVAL:
                return
            self.last = now
            pad = max(0, self.width - len(line))
            self.stream.write("\r" + line + " " * pad)
            self.stream.flush()
            self.width = len(line)

    def tick(self, counts: dict[str, int]) -> None:
        """A `plan_season` progress callback."""
        self.show(
            f"已决定 {counts.get('filled', 0)}/{counts.get('seats_total', 0)} 个席位，"
            f"{counts.get('full', 0)}/{counts.get('meetings', 0)} 个例会已满，"
            f"{self.elapsed()} 秒"
        )

    def close(self) -> None:
        if self.enabled and self.width:
            with self.lock:
                self.stream.write("\r" + " " * self.width + "\r")  # leave no half line
                self.stream.flush()
                self.width = 0


def wanted(quiet: bool, stream: TextIO | None = None) -> bool:
    stream = stream or sys.stderr
    return not quiet and stream.isatty()


@contextmanager
def season_progress(quiet: bool) -> Iterator[Progress]:
    bar = Progress(sys.stderr, wanted(quiet))
    try:
        yield bar
    finally:
        bar.close()


@contextmanager
def elapsed_progress(quiet: bool, what: str) -> Iterator[Progress]:
    """“正在抽取…… 5 秒” once a second while the block runs (a single solver call)."""
    bar = Progress(sys.stderr, wanted(quiet))
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(1.0):
            bar.show(f"{what}…… {bar.elapsed()} 秒", force=True)

    ticker = threading.Thread(target=run, daemon=True) if bar.enabled else None
    if ticker is not None:
        bar.show(f"{what}……", force=True)
        ticker.start()
    try:
        yield bar
    finally:
        stop.set()
        if ticker is not None:
            ticker.join()
        bar.close()

"""A progress line for long work (compare, replay, the load tool's start and audit).

On a terminal the line is redrawn in place; otherwise (a log, a CI run) a line is written each
time another tenth of the work is done, so a long run is never silent and a log stays short.
It goes to stderr, so that stdout stays the result (and ``--json`` stays parseable).
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, what: str, unit: str, stream: TextIO | None = None) -> None:
        self.what = what
        self.unit = unit
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self.started = time.monotonic()
        self._tenth = -1
        self._drawn = False

    def note(self, text: str) -> None:
        """A one-off line: what is happening now (starting a core, auditing)."""
        self._end_line()
        print(f"{self.what}: {text}", file=self.stream, flush=True)

    def update(self, done: int, total: int) -> None:
        seconds = time.monotonic() - self.started
        line = f"{self.what}: {done}/{total} {self.unit} ({seconds:.0f} s)"
        if self.live:
            print(f"\r{line}\x1b[K", end="", file=self.stream, flush=True)
            self._drawn = True
            return
        tenth = (10 * done) // total if total else 10
        if tenth > self._tenth:
            self._tenth = tenth
            print(line, file=self.stream, flush=True)

    def done(self) -> None:
        self._end_line()

    def _end_line(self) -> None:
        if self._drawn:
            print(file=self.stream, flush=True)
            self._drawn = False

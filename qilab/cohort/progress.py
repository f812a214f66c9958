"""A plain text progress bar for long trainer steps, written to standard error.

No dependency: one line redrawn with a carriage return when standard error is a terminal, and
a line every tenth of the way otherwise (so CI logs stay short).

>>> import io
>>> out = io.StringIO()
>>> bar = ProgressBar(4, "Grading", stream=out)
>>> for _ in range(4):
...     bar.advance()
>>> bar.close()
>>> "4/4" in out.getvalue()
True
"""
from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """Show ``done/total`` with a bar, the elapsed time and an estimate of the time left."""

    def __init__(self, total: int, label: str, *, stream: TextIO | None = None,
                 width: int = 30) -> None:
        self.total = max(int(total), 0)
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.done = 0
        self.started = time.monotonic()
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_tenth = -1
        self._draw()

    def advance(self, step: int = 1, note: str = "") -> None:
        """Count ``step`` more items as done and redraw; ``note`` names the item (optional)."""
        self.done = min(self.done + step, self.total)
        self._draw(note)

    def close(self) -> None:
        """Finish the line."""
        if self._tty:
            self.stream.write("\n")
        self.stream.flush()

    def _draw(self, note: str = "") -> None:
        total = self.total or 1
        frac = self.done / total
        tenth = int(frac * 10)
        if not self._tty and tenth == self._last_tenth and self.done != self.total:
            return
        self._last_tenth = tenth
        filled = int(frac * self.width)
        elapsed = time.monotonic() - self.started
        left = (elapsed / self.done * (self.total - self.done)) if self.done else 0.0
        line = (f"{self.label} [{'#' * filled}{'.' * (self.width - filled)}] "
                f"{self.done}/{self.total} {elapsed:5.1f}s elapsed, ~{left:4.0f}s left"
                + (f"  {note}" if note else ""))
        if self._tty:
            self.stream.write("\r" + line[:200].ljust(100))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

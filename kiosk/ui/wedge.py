"""Keyboard-wedge scanning: a USB scanner in keyboard mode types the code and presses Enter.

With no text field focused, printable keys collect here; Enter (or Tab) hands over the code. A
pause longer than `gap_s` between keys starts afresh, so a stray key press long ago does not
prefix the next scan. Pure logic: the app feeds it key events with their times.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_CODE = 64  # longer than any barcode the till reads: what is past it is noise, not a code
TERMINATORS = frozenset({"\r", "\n", "\t"})


@dataclass(slots=True)
class Wedge:
    gap_s: float = 0.5
    _chars: list[str] = field(default_factory=list)
    _last: float | None = None

    def feed(self, char: str, at: float) -> str | None:
        """One typed character at time `at` (seconds); returns a whole code on its terminator."""
        if self._last is not None and at - self._last > self.gap_s:
            self._chars.clear()
        self._last = at
        if char in TERMINATORS:
            code = "".join(self._chars).strip()
            self._chars.clear()
            return code or None
        if len(char) == 1 and char.isprintable() and len(self._chars) < MAX_CODE:
            self._chars.append(char)
        return None

    def reset(self) -> None:
        self._chars.clear()
        self._last = None

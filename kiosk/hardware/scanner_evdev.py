"""A USB HID barcode scanner read straight from its input device with evdev.

The device is grabbed while it is read, so scans never reach the UI as keystrokes (a scanner
typing into whatever field has focus is the classic counter fault). Key events become codes
through `CodeAssembler`, a pure class; `EvdevScanner` adds the device, the grab and the timer.
`input_scanners` finds the input devices that look like scanners (keyboards, not pointers).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from enum import StrEnum
from typing import Any, Protocol

from evdev import InputDevice, InputEvent, list_devices
from evdev import ecodes as e

from kiosk.hardware.keymap import MAX_CODE, KeyDecoder, code_char

Sleep = Callable[[float], Awaitable[None]]
_DIGITS = frozenset(range(e.KEY_1, e.KEY_0 + 1))
_POINTER_KEYS = frozenset({e.BTN_LEFT, e.BTN_TOUCH, e.BTN_STYLUS})


class Terminator(StrEnum):
    """What ends a code: the key the scanner sends after it, or a pause (NONE)."""

    ENTER = "enter"
    TAB = "tab"
    NONE = "none"


# NONE still takes Enter or Tab as an end: a scanner set to send one anyway reads correctly
_ENDS = {
    Terminator.ENTER: frozenset("\n\r"),
    Terminator.TAB: frozenset("\t"),
    Terminator.NONE: frozenset("\n\r\t"),
}


class InputSource(Protocol):
    """The part of evdev's InputDevice the scanner uses."""

    def grab(self) -> None: ...

    def ungrab(self) -> None: ...

    def close(self) -> None: ...

    def async_read_loop(self) -> AsyncIterator[InputEvent]: ...


class CodeAssembler:
    """Whole codes from one scanner's events; its buffer is its own.

    With ENTER or TAB a code ends at that key; with NONE it ends when the next key comes more
    than `gap_s` after the last (by the events' own times) or when `flush` is called after such
    a pause. With a terminator, a partial code older than `stale_s` is dropped at the next key.
    A non-printable key, or more than MAX_CODE characters, spoils the code being read: nothing is
    returned for it, and reading starts afresh after its end. A lone terminator returns nothing.
    """

    def __init__(
        self,
        layout: str = "us",
        terminator: Terminator | str = Terminator.ENTER,
        *,
        gap_s: float = 0.05,
        stale_s: float = 1.0,
    ) -> None:
        self.terminator = Terminator(terminator)
        self._decoder = KeyDecoder(layout)
        self._gap_s = gap_s if self.terminator is Terminator.NONE else stale_s
        self._ends = _ENDS[self.terminator]
        self._chars: list[str] = []
        self._spoilt = False
        self._last: float | None = None

    @property
    def partial(self) -> bool:
        """Whether part of a code (or of a spoilt one) has been read."""
        return bool(self._chars) or self._spoilt

    def feed(self, event: InputEvent) -> str | None:
        """Take one event; return the code it completes, if any."""
        if event.type != e.EV_KEY:
            return None  # EV_SYN, EV_MSC (scan codes), LEDs: not keys
        char = self._decoder.feed(event.code, event.value)
        if char is None:
            return None
        at = event.timestamp()
        # a clock stepped back gives a negative pause: treat it as none
        paused = self._last is not None and at - self._last > self._gap_s
        self._last = at
        code = None
        if paused and self.terminator is Terminator.NONE:
            code = self.flush()
        elif paused:
            self._drop()
        if char in self._ends:
            return self.flush() or code
        if not code_char(char) or len(self._chars) >= MAX_CODE:
            self._spoilt = True
            self._chars.clear()
        elif not self._spoilt:
            self._chars.append(char)
        return code

    def flush(self) -> str | None:
        """End the code being read (its terminator came, or the pause after it); return it."""
        code = None if self._spoilt else "".join(self._chars) or None
        self._drop()
        return code

    def _drop(self) -> None:
        self._chars.clear()
        self._spoilt = False


class EvdevScanner:
    """One HID scanner: `codes()` grabs the device, yields whole codes, ungrabs when it ends.

    `codes()` ends by raising OSError when the device goes (unplugged); a code being read then
    is dropped. `close()` (also called when `codes()` ends) ungrabs and closes the device.
    """

    def __init__(
        self,
        device: InputSource,
        *,
        name: str = "scanner",
        layout: str = "us",
        terminator: Terminator | str = Terminator.ENTER,
        gap_s: float = 0.05,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.name = name
        self._device = device
        self._assembler = CodeAssembler(layout, terminator, gap_s=gap_s)
        self._gap_s = gap_s
        self._sleep = sleep
        self._grabbed = False
        self._closed = False

    async def codes(self) -> AsyncIterator[str]:
        """Whole codes as they are scanned; raises OSError when the device is unplugged."""
        if self._closed:
            raise RuntimeError(f"The scanner {self.name} was closed: open it again to read")
        self._device.grab()
        self._grabbed = True
        events = aiter(self._device.async_read_loop())
        pending: asyncio.Future[InputEvent] | None = None
        try:
            while True:
                if pending is None:
                    pending = asyncio.ensure_future(anext(events))
                waits = self._assembler.terminator is Terminator.NONE and self._assembler.partial
                if waits and not await self._first(pending, self._sleep(self._gap_s)):
                    # the pause after the last key: the code is whole
                    if code := self._assembler.flush():
                        yield code
                    continue
                event = await pending
                pending = None
                if code := self._assembler.feed(event):
                    yield code
        except StopAsyncIteration:
            return
        finally:
            if pending is not None:
                pending.cancel()
            self.close()

    @staticmethod
    async def _first(pending: asyncio.Future[Any], pause: Awaitable[None]) -> bool:
        """Wait for the next event or the end of the pause; True if the event came first."""
        timer: asyncio.Future[Any] = asyncio.ensure_future(pause)
        try:
            await asyncio.wait((pending, timer), return_when=asyncio.FIRST_COMPLETED)
        finally:
            timer.cancel()
        return pending.done()

    def close(self) -> None:
        """Ungrab and close the device; a device already gone is not an error."""
        if self._closed:
            return
        self._closed = True
        if self._grabbed:
            self._grabbed = False
            with contextlib.suppress(OSError):
                self._device.ungrab()
        with contextlib.suppress(OSError):
            self._device.close()


def looks_like_scanner(capabilities: Mapping[int, Sequence[object]]) -> bool:
    """Whether input capabilities are a keyboard's (Enter and digits), not a pointer's."""
    keys = set(capabilities.get(e.EV_KEY, ()))
    pointer = e.EV_REL in capabilities or e.EV_ABS in capabilities or bool(keys & _POINTER_KEYS)
    return e.KEY_ENTER in keys and keys >= _DIGITS and not pointer


def open_input(path: str) -> InputDevice[str]:
    """Open an input device (blocking: call it in a thread)."""
    return InputDevice(path)


def input_scanners(input_dir: str = "/dev/input") -> list[tuple[str, str]]:
    """(path, name) of each keyboard-like input device there (blocking: call it in a thread)."""
    found = []
    for path in sorted(list_devices(input_dir)):
        try:
            device = open_input(path)
        except OSError:
            continue  # gone since listed, or not ours to read: not a scanner we can use
        try:
            if looks_like_scanner(device.capabilities()):
                found.append((path, device.name))
        finally:
            device.close()
    return found

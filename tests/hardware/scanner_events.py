"""Real evdev InputEvents as a USB scanner sends them, a stand-in input device, and a timer.

The key table here is written out for the US layout on its own, not taken from kiosk's keymap,
so that a wrong entry there fails the tests instead of agreeing with itself.
"""

from __future__ import annotations

import asyncio
import errno
import os
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Sequence

from evdev import InputEvent
from evdev import ecodes as e

Key = tuple[int, bool]  # (key code, with Shift)

_US_PUNCTUATION: dict[str, Key] = {
    " ": (e.KEY_SPACE, False), "-": (e.KEY_MINUS, False), "_": (e.KEY_MINUS, True),
    "=": (e.KEY_EQUAL, False), "+": (e.KEY_EQUAL, True), ".": (e.KEY_DOT, False),
    ">": (e.KEY_DOT, True), ",": (e.KEY_COMMA, False), "<": (e.KEY_COMMA, True),
    "/": (e.KEY_SLASH, False), "?": (e.KEY_SLASH, True), ";": (e.KEY_SEMICOLON, False),
    ":": (e.KEY_SEMICOLON, True), "'": (e.KEY_APOSTROPHE, False), '"': (e.KEY_APOSTROPHE, True),
    "[": (e.KEY_LEFTBRACE, False), "{": (e.KEY_LEFTBRACE, True), "]": (e.KEY_RIGHTBRACE, False),
    "}": (e.KEY_RIGHTBRACE, True), "\\": (e.KEY_BACKSLASH, False), "|": (e.KEY_BACKSLASH, True),
    "`": (e.KEY_GRAVE, False), "~": (e.KEY_GRAVE, True), "!": (e.KEY_1, True),
    "@": (e.KEY_2, True), "#": (e.KEY_3, True), "$": (e.KEY_4, True), "%": (e.KEY_5, True),
    "^": (e.KEY_6, True), "&": (e.KEY_7, True), "*": (e.KEY_8, True), "(": (e.KEY_9, True),
    ")": (e.KEY_0, True),
}  # fmt: skip
US_PRINTABLE = "".join(chr(c) for c in range(0x20, 0x7F))


def us_key(char: str) -> Key:
    """The key (and Shift) that types `char` on a US keyboard."""
    if char in _US_PUNCTUATION:
        return _US_PUNCTUATION[char]
    if char.isdigit() or char.isalpha():
        return e.ecodes[f"KEY_{char.upper()}"], char.isupper()
    raise ValueError(f"no US key types {char!r}")


class Typist:
    """Makes the events a scanner sends, with its EV_MSC/EV_SYN noise, `step_s` apart."""

    def __init__(self, start: float = 1_700_000_000.0, step_s: float = 0.002) -> None:
        self.now = start
        self.step_s = step_s

    def _event(self, type_: int, code: int, value: int) -> InputEvent:
        sec = int(self.now)
        return InputEvent(sec, round((self.now - sec) * 1_000_000), type_, code, value)

    def press(self, code: int, value: int = 1) -> list[InputEvent]:
        """One key event as the kernel reports it: its scan code, the key, a report."""
        events = [
            self._event(e.EV_MSC, e.MSC_SCAN, 0x70000 + code),
            self._event(e.EV_KEY, code, value),
            self._event(e.EV_SYN, e.SYN_REPORT, 0),
        ]
        self.now += self.step_s
        return events

    def tap(self, code: int, *held: int) -> list[InputEvent]:
        """Press and release `code` with the `held` keys (Shift, AltGr...) down around it."""
        events = [ev for key in held for ev in self.press(key, 1)]
        events += self.press(code, 1) + self.press(code, 0)
        return events + [ev for key in reversed(held) for ev in self.press(key, 0)]

    def keys(self, keys: Iterable[Key]) -> list[InputEvent]:
        shift = e.KEY_LEFTSHIFT
        return [
            ev for code, shifted in keys for ev in self.tap(code, *([shift] if shifted else []))
        ]

    def us(self, text: str, end: int | None = e.KEY_ENTER) -> list[InputEvent]:
        """`text` typed on a US keyboard, then the `end` key (none if None)."""
        events = self.keys(us_key(char) for char in text)
        return events + (self.tap(end) if end is not None else [])

    def pause(self, seconds: float) -> None:
        self.now += seconds


class FakeInputDevice:
    """evdev's InputDevice for tests: the test pushes events, and unplugs it (OSError ENODEV)."""

    def __init__(self, events: Sequence[InputEvent] = ()) -> None:
        self._queue: asyncio.Queue[InputEvent | BaseException | None] = asyncio.Queue()
        self.grabs = self.ungrabs = 0
        self.grabbed = self.closed = False
        self.idle = asyncio.Event()  # set while the reader waits for an event that is not there
        self.push(*events)

    def push(self, *events: InputEvent) -> None:
        self.idle.clear()
        for event in events:
            self._queue.put_nowait(event)

    def unplug(self) -> None:
        """The device goes: the read under way fails as the kernel's does."""
        self.idle.clear()
        self._queue.put_nowait(OSError(errno.ENODEV, os.strerror(errno.ENODEV)))

    def end(self) -> None:
        """No more events: the read loop ends."""
        self.idle.clear()
        self._queue.put_nowait(None)

    def grab(self) -> None:
        if self.grabbed:
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY))
        self.grabs += 1
        self.grabbed = True

    def ungrab(self) -> None:
        if not self.grabbed:
            raise OSError(errno.EINVAL, os.strerror(errno.EINVAL))
        self.ungrabs += 1
        self.grabbed = False

    def close(self) -> None:
        self.closed = True

    async def async_read_loop(self) -> AsyncIterator[InputEvent]:
        while True:
            if self._queue.empty():
                self.idle.set()
            item = await self._queue.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item


class FakeTimer:
    """An injected `sleep`: each one lasts until the test calls `fire()`."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self._waiting: list[asyncio.Future[None]] = []
        self._armed = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        self.delays.append(seconds)
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        self._armed.set()
        try:
            await waiter
        finally:
            self._forget(waiter)

    def _forget(self, waiter: asyncio.Future[None]) -> None:
        if waiter in self._waiting:
            self._waiting.remove(waiter)
        if not self._waiting:
            self._armed.clear()

    async def armed(self) -> None:
        """Return once something sleeps."""
        await self._armed.wait()

    async def fire(self) -> None:
        """Wait until something sleeps, then end every sleep under way (a later `fire` waits for
        the next one)."""
        await self._armed.wait()
        for waiter in list(self._waiting):
            if not waiter.done():
                waiter.set_result(None)
            self._forget(waiter)


def stoppable(codes: AsyncIterator[str]) -> AsyncGenerator[str, None]:
    """A reader's codes() as the async generator it is, to stop it with aclose()."""
    assert isinstance(codes, AsyncGenerator)
    return codes


async def read_all(codes: AsyncIterator[str]) -> list[str]:
    return [code async for code in codes]

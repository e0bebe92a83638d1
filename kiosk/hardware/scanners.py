"""All the barcode scanners at the counter: found, read at once, and recovered when replugged.

`ScannerManager` finds scanners through a `DeviceSource`, runs one reader per scanner and hands
each code to a callback with the scanner's name. A scanner that is unplugged shows as such and
is read again once it is back (found on a rescan), with no restart of the app.
"""

from __future__ import annotations

import asyncio
import builtins
import errno
import glob
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal, Protocol, Self

from kiosk.hardware.keymap import KeyDecoder
from kiosk.hardware.scanner_evdev import EvdevScanner, Sleep, Terminator, input_scanners, open_input
from kiosk.hardware.scanner_serial import SerialScanner

log = logging.getLogger(__name__)

OnCode = Callable[[str, str], Awaitable[None]]  # (scanner name, code)
Kind = Literal["hid", "serial"]

# The names the udev rules in system/udev give scanners, and the kernel's own for USB keyboards.
DEFAULT_PATTERNS = ("/dev/input/by-id/*-event-kbd", "/dev/kiosk-scanner*")


class ScannerState(StrEnum):
    """A scanner's state; only its reader (in ScannerManager) moves it."""

    READING = "reading"
    UNPLUGGED = "unplugged"  # gone; read again when a rescan finds it
    ERROR = "error"  # there but unreadable (permissions, held by another program): see detail


@dataclass(frozen=True, slots=True)
class ScannerInfo:
    name: str
    path: str
    kind: Kind
    state: ScannerState
    detail: str = ""  # for a technician: why it is not reading


@dataclass(frozen=True, slots=True)
class FoundDevice:
    path: str  # the stable name when there is one: it is the same after a replug
    name: str
    kind: Kind


class CodeReader(Protocol):
    """EvdevScanner and SerialScanner: codes until the device goes (OSError), then close."""

    def codes(self) -> AsyncIterator[str]: ...

    def close(self) -> None: ...


class DeviceSource(Protocol):
    """Where scanners come from: the machine's devices, or a test's (FakeDeviceSource)."""

    async def find(self) -> builtins.list[FoundDevice]: ...

    async def open(self, device: FoundDevice) -> CodeReader: ...


@dataclass(frozen=True, slots=True)
class ScannerOptions:
    """How scanners are found and read (from the config's scanner section)."""

    layout: str = "us"
    terminator: str = "enter"
    gap_s: float = 0.05
    patterns: tuple[str, ...] = DEFAULT_PATTERNS
    by_capability: bool = True  # also read any keyboard-like input device
    input_dir: str = "/dev/input"
    serial_ports: tuple[tuple[str, int], ...] = ()  # (path, baud rate): serial scanners by name
    baudrate: int = 9600  # for serial ports found by a pattern
    serial_terminator: str = "\r\n"

    def __post_init__(self) -> None:
        KeyDecoder(self.layout)  # raises ValueError naming the known layouts
        if self.terminator not in set(Terminator):
            known = ", ".join(Terminator)
            raise ValueError(f"Unknown scanner terminator {self.terminator!r}: use one of {known}")


class SystemDeviceSource:
    """Scanners on this machine (blocking I/O in a thread): each of `serial_ports`; each path
    matching a pattern, an input event device (HID) or else a serial port; with `by_capability`,
    each keyboard-like input device, under its /dev/input/by-id name if it has one.
    """

    def __init__(self, options: ScannerOptions | None = None) -> None:
        self.options = options or ScannerOptions()

    async def find(self) -> builtins.list[FoundDevice]:
        return await asyncio.to_thread(self._find)

    def _find(self) -> builtins.list[FoundDevice]:
        found: dict[str, FoundDevice] = {}  # by the device's real path: one entry per device
        for path, _ in self.options.serial_ports:
            if os.path.exists(path):
                found[os.path.realpath(path)] = FoundDevice(path, os.path.basename(path), "serial")
        for pattern in self.options.patterns:
            for path in sorted(glob.glob(pattern)):
                real = os.path.realpath(path)
                kind: Kind = "hid" if os.path.basename(real).startswith("event") else "serial"
                name = os.path.basename(path).removesuffix("-event-kbd")
                found.setdefault(real, FoundDevice(path, name, kind))
        if self.options.by_capability:
            links = {os.path.realpath(p): p for p in glob.glob(f"{self.options.input_dir}/by-id/*")}
            for path, label in input_scanners(self.options.input_dir):
                real = os.path.realpath(path)
                found.setdefault(real, FoundDevice(links.get(real, path), label, "hid"))
        return builtins.list(found.values())

    async def open(self, device: FoundDevice) -> CodeReader:
        o = self.options
        if device.kind == "serial":
            port = SerialScanner(
                device.path,
                baudrate=dict(o.serial_ports).get(device.path, o.baudrate),
                terminator=o.serial_terminator,
                name=device.name,
                gap_s=o.gap_s,
            )
            await port.open()  # here, so that a port that cannot open fails the open
            return port
        source = await asyncio.to_thread(open_input, device.path)
        return EvdevScanner(
            source, name=device.name, layout=o.layout, terminator=o.terminator, gap_s=o.gap_s
        )


class FakeDeviceSource:
    """A DeviceSource whose devices a test plugs and unplugs; `open` makes a reader for one."""

    def __init__(self) -> None:
        self._devices: dict[str, tuple[FoundDevice, Callable[[], CodeReader]]] = {}
        self.opened: builtins.list[str] = []  # paths, in the order they were opened

    def plug(self, device: FoundDevice, reader: Callable[[], CodeReader]) -> None:
        self._devices[device.path] = (device, reader)

    def unplug(self, path: str) -> None:
        del self._devices[path]  # the test makes the device's reader fail as well

    async def find(self) -> builtins.list[FoundDevice]:
        return [device for device, _ in self._devices.values()]

    async def open(self, device: FoundDevice) -> CodeReader:
        if device.path not in self._devices:
            raise OSError(errno.ENODEV, os.strerror(errno.ENODEV), device.path)
        self.opened.append(device.path)
        return self._devices[device.path][1]()


@dataclass(slots=True)
class _Scanner:
    device: FoundDevice
    name: str
    state: ScannerState = ScannerState.UNPLUGGED  # until its reader has opened it
    detail: str = "Found, opening"
    task: asyncio.Task[None] | None = field(default=None, repr=False)
    tried: bool = False  # its reader has opened it, or failed to


class ScannerManager:
    """Reads every scanner a DeviceSource finds; rescans on `rescan()` or every `rescan_s`.

    Codes reach `on_code(name, code)` one at a time per scanner, in scan order; an exception from
    it is logged and reading goes on. Use as an async context manager, or call `run()`.
    """

    def __init__(
        self,
        source: DeviceSource,
        on_code: OnCode,
        *,
        rescan_s: float = 2.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._source = source
        self._on_code = on_code
        self._rescan_s = rescan_s
        self._sleep = sleep
        self._scanners: dict[str, _Scanner] = {}  # by path
        self._rescan = asyncio.Event()
        self._changed = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Find and read scanners in the background until stop()."""
        self._runner = asyncio.create_task(self.run())

    async def __aenter__(self) -> Self:
        self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    async def run(self) -> None:
        """Find scanners and keep reading them until cancelled."""
        while True:
            try:
                await self.scan()
            except OSError:
                log.warning("Could not look for scanners", exc_info=True)
            await self._wait_for_rescan()

    def rescan(self) -> None:
        """Look for scanners now (a device was plugged in)."""
        self._rescan.set()

    async def scan(self) -> None:
        """Look once: start reading each scanner found that is not being read."""
        for device in await self._source.find():
            scanner = self._scanners.get(device.path)
            if scanner is None:
                taken = {s.name for s in self._scanners.values()}
                name = device.name if device.name not in taken else f"{device.name} ({device.path})"
                scanner = self._scanners[device.path] = _Scanner(device, name)
            if scanner.task is None:
                scanner.task = asyncio.create_task(self._read(scanner), name=scanner.name)

    async def stop(self) -> None:
        """Stop rescanning and reading; every device is released."""
        if self._runner is not None:  # first, so that it starts no reader after this
            self._runner.cancel()
            await asyncio.gather(self._runner, return_exceptions=True)
        tasks = [s.task for s in self._scanners.values() if s.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def tried(self) -> builtins.list[ScannerInfo]:
        """The scanners once each one found has been opened, or has failed to open."""
        await self.wait_for(lambda _: all(s.tried for s in self._scanners.values()))
        return self.list()

    async def wait_for(self, predicate: Callable[[builtins.list[ScannerInfo]], bool]) -> None:
        """Return once `predicate(self.list())` holds (it is checked after every change)."""
        while not predicate(self.list()):
            await self._changed.wait()

    async def _wait_for_rescan(self) -> None:
        pause = self._sleep(self._rescan_s)
        waits = [asyncio.ensure_future(w) for w in (self._rescan.wait(), pause)]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
        self._rescan.clear()

    async def _read(self, scanner: _Scanner) -> None:
        reader: CodeReader | None = None
        try:
            reader = await self._source.open(scanner.device)
            self._set(scanner, ScannerState.READING)
            async for code in reader.codes():
                await self._deliver(scanner.name, code)
            self._set(scanner, ScannerState.UNPLUGGED, "The device stopped sending")
        except OSError as exc:
            self._set(scanner, *_explain(scanner.device.path, exc))
        except Exception as exc:  # a bug, not a device: show it, keep the till running
            log.exception("Scanner %s failed", scanner.name)
            self._set(scanner, ScannerState.ERROR, f"Failed: {exc!r}")
        finally:
            if reader is not None:
                reader.close()
            scanner.task = None

    async def _deliver(self, name: str, code: str) -> None:
        try:
            await self._on_code(name, code)
        except Exception:
            log.exception("Handling the code %r from scanner %s failed", code, name)

    def _set(self, scanner: _Scanner, state: ScannerState, detail: str = "") -> None:
        scanner.state, scanner.detail, scanner.tried = state, detail, True
        # wake every waiter once; later waiters wait for the next change
        self._changed.set()
        self._changed = asyncio.Event()

    def list(self) -> builtins.list[ScannerInfo]:
        """Every scanner seen since start, with its state (for `kiosk hw scanners`)."""
        return [
            ScannerInfo(s.name, s.device.path, s.device.kind, s.state, s.detail)
            for s in self._scanners.values()
        ]


def _explain(path: str, exc: OSError) -> tuple[ScannerState, str]:
    """The state a failed open or read leaves a scanner in, and why, for a technician."""
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.EACCES, errno.EPERM):
        return ScannerState.ERROR, f"No permission to read {path}: check the udev rules ({reason})"
    if exc.errno == errno.EBUSY:
        return ScannerState.ERROR, f"Another program holds {path}: close it ({reason})"
    return ScannerState.UNPLUGGED, f"Unplugged ({reason})"

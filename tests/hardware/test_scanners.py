"""Several scanners at once: found, read side by side, unplugged and replugged without a restart."""

from __future__ import annotations

import asyncio
import os
import tty
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.hardware.scanner_evdev import EvdevScanner
from kiosk.hardware.scanners import (
    FakeDeviceSource,
    FoundDevice,
    ScannerInfo,
    ScannerManager,
    ScannerOptions,
    ScannerState,
    SystemDeviceSource,
)
from tests.hardware.scanner_events import FakeInputDevice, FakeTimer, Typist

READING, UNPLUGGED, ERROR = ScannerState.READING, ScannerState.UNPLUGGED, ScannerState.ERROR
FRONT = FoundDevice("/dev/input/by-id/usb-Honeywell_1400g_A1-event-kbd", "Front", "hid")
BACK = FoundDevice("/dev/kiosk-scanner1", "Back", "hid")


class Counter:
    """The scanners a test plugs in (a fresh device each time), and the codes the till got."""

    def __init__(self) -> None:
        self.source = FakeDeviceSource()
        self.devices: dict[str, FakeInputDevice] = {}
        self.codes: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self.typist = Typist()

    def plug(self, found: FoundDevice) -> FakeInputDevice:
        device = self.devices[found.path] = FakeInputDevice()
        self.source.plug(found, lambda: EvdevScanner(device, name=found.name))
        return device

    def unplug(self, found: FoundDevice) -> None:
        self.source.unplug(found.path)
        self.devices[found.path].unplug()

    async def on_code(self, name: str, code: str) -> None:
        self.codes.put_nowait((name, code))


def states(**by_name: ScannerState) -> Callable[[list[ScannerInfo]], bool]:
    """A `wait_for` predicate: these scanners are in these states."""
    return lambda infos: {i.name: i.state for i in infos if i.name in by_name} == by_name


async def never(_: float) -> None:
    await asyncio.Event().wait()  # rescans come from rescan() only


@pytest.fixture
def counter() -> Counter:
    return Counter()


async def test_two_scanners_at_once_each_code_whole_and_named(counter: Counter) -> None:
    front, back = counter.plug(FRONT), counter.plug(BACK)
    async with ScannerManager(counter.source, counter.on_code, sleep=never) as manager:
        await manager.wait_for(states(Front=READING, Back=READING))
        t = counter.typist
        a, b = t.us("4006381333931"), t.us("ABC-42")
        for i in range(0, len(a), 3):  # both fire at once: their events arrive in turn
            front.push(*a[i : i + 3])
            back.push(*b[i : i + 3])
        got = {await counter.codes.get(), await counter.codes.get()}
        assert got == {("Front", "4006381333931"), ("Back", "ABC-42")}
        assert manager.list() == [
            ScannerInfo("Front", FRONT.path, "hid", READING, ""),
            ScannerInfo("Back", BACK.path, "hid", READING, ""),
        ]
    assert all(d.grabs == 1 and d.ungrabs == 1 and d.closed for d in (front, back))


async def test_unplugged_mid_code_then_replugged_reads_again(counter: Counter) -> None:
    first = counter.plug(FRONT)
    async with ScannerManager(counter.source, counter.on_code, sleep=never) as manager:
        await manager.wait_for(states(Front=READING))
        first.push(*counter.typist.us("5901234", end=None))  # half a code, then the cable goes
        counter.unplug(FRONT)
        await manager.wait_for(states(Front=UNPLUGGED))
        (info,) = manager.list()
        assert info.detail == "Unplugged (No such device)"
        assert (first.closed, first.grabbed) == (True, False)
        second = counter.plug(FRONT)
        manager.rescan()
        await manager.wait_for(states(Front=READING))
        second.push(*counter.typist.us("5901234123457"))
        assert await counter.codes.get() == ("Front", "5901234123457")
        assert counter.codes.empty()  # the half code before the unplug never arrived
        assert counter.source.opened == [FRONT.path, FRONT.path]
        assert second.grabs == 1


async def test_rescans_every_few_seconds_without_a_trigger(counter: Counter) -> None:
    timer = FakeTimer()
    async with ScannerManager(
        counter.source, counter.on_code, sleep=timer.sleep, rescan_s=3
    ) as manager:
        await timer.armed()  # the first look found nothing
        assert manager.list() == []
        device = counter.plug(BACK)
        await timer.fire()  # three seconds pass: it looks again
        device.push(*counter.typist.us("77"))
        assert await counter.codes.get() == ("Back", "77")
        assert set(timer.delays) == {3}


async def test_a_failing_callback_is_logged_and_reading_goes_on(
    counter: Counter, caplog: pytest.LogCaptureFixture
) -> None:
    device = counter.plug(FRONT)
    seen: list[str] = []

    async def on_code(name: str, code: str) -> None:
        seen.append(code)
        if code == "1":
            raise RuntimeError("no such product")
        await counter.on_code(name, code)

    async with ScannerManager(counter.source, on_code, sleep=never) as manager:
        device.push(*counter.typist.us("1"), *counter.typist.us("2"))
        assert await counter.codes.get() == ("Front", "2")
        assert manager.list()[0].state is READING
    assert seen == ["1", "2"]
    assert "Handling the code '1' from scanner Front failed" in caplog.text


async def test_a_scanner_another_program_holds_is_an_error_until_it_lets_go(
    counter: Counter,
) -> None:
    device = counter.plug(FRONT)
    device.grab()  # e.g. a forgotten evtest
    async with ScannerManager(counter.source, counter.on_code, sleep=never) as manager:
        await manager.wait_for(states(Front=ERROR))
        assert "Another program holds" in manager.list()[0].detail
        assert FRONT.path in manager.list()[0].detail
        device.ungrab()
        manager.rescan()
        await manager.wait_for(states(Front=READING))
        device.push(*counter.typist.us("3"))
        assert await counter.codes.get() == ("Front", "3")


async def test_two_scanners_with_one_name_are_told_apart(counter: Counter) -> None:
    twin = FoundDevice("/dev/kiosk-scanner2", "Front", "hid")
    counter.plug(FRONT)
    counter.plug(twin)
    async with ScannerManager(counter.source, counter.on_code, sleep=never) as manager:
        await manager.wait_for(lambda infos: [i.state for i in infos] == [READING, READING])
        names = [info.name for info in manager.list()]
    assert names == ["Front", "Front (/dev/kiosk-scanner2)"]


def test_options_refuse_an_unknown_layout_or_terminator() -> None:
    with pytest.raises(ValueError, match="'azerty'"):
        ScannerOptions(layout="azerty")
    with pytest.raises(ValueError, match=r"'newline'.*enter, tab, none"):
        ScannerOptions(terminator="newline")


async def test_the_system_source_finds_devices_by_their_stable_names(tmp_path: Path) -> None:
    (tmp_path / "input" / "by-id").mkdir(parents=True)
    (tmp_path / "input" / "event7").touch()  # not a device: by-name needs none of its ioctls
    kbd = tmp_path / "input" / "by-id" / "usb-Datalogic_QD2430-event-kbd"
    kbd.symlink_to(tmp_path / "input" / "event7")
    (tmp_path / "kiosk-scanner0").symlink_to("/dev/null")
    (tmp_path / "ttyACM0").touch()
    options = ScannerOptions(
        patterns=(f"{tmp_path}/input/by-id/*-event-kbd", f"{tmp_path}/kiosk-scanner*"),
        input_dir=str(tmp_path / "input"),
        serial_ports=((f"{tmp_path}/ttyACM0", 115200), (f"{tmp_path}/ttyACM1", 9600)),
    )
    assert await SystemDeviceSource(options).find() == [
        FoundDevice(f"{tmp_path}/ttyACM0", "ttyACM0", "serial"),  # ttyACM1 is not plugged in
        FoundDevice(str(kbd), "usb-Datalogic_QD2430", "hid"),
        FoundDevice(str(tmp_path / "kiosk-scanner0"), "kiosk-scanner0", "serial"),
    ]


class SerialPort:
    """A serial scanner at a stable name: a pty whose device end `link` points to."""

    def __init__(self, link: Path) -> None:
        self.link = link
        self.master, slave = os.openpty()
        tty.setraw(slave)
        link.symlink_to(os.ttyname(slave))
        os.close(slave)  # pyserial opens its own

    def unplug(self) -> None:
        os.close(self.master)
        self.link.unlink()


async def test_a_serial_scanner_by_its_udev_name_is_read_and_survives_a_replug(
    tmp_path: Path,
) -> None:
    link = tmp_path / "kiosk-scanner0"
    options = ScannerOptions(patterns=(f"{tmp_path}/kiosk-scanner*",), by_capability=False)
    codes: asyncio.Queue[tuple[str, str]] = asyncio.Queue()

    async def on_code(name: str, code: str) -> None:
        codes.put_nowait((name, code))

    port = SerialPort(link)
    source = SystemDeviceSource(options)
    async with ScannerManager(source, on_code, sleep=never) as manager:
        await manager.wait_for(states(**{"kiosk-scanner0": READING}))
        os.write(port.master, b"96385074\r\n")
        assert await codes.get() == ("kiosk-scanner0", "96385074")
        os.write(port.master, b"123")
        port.unplug()
        await manager.wait_for(states(**{"kiosk-scanner0": UNPLUGGED}))
        port = SerialPort(link)  # back, perhaps on another /dev/pts number
        manager.rescan()
        await manager.wait_for(states(**{"kiosk-scanner0": READING}))
        os.write(port.master, b"5012345678900\r\n")
        assert await codes.get() == ("kiosk-scanner0", "5012345678900")
        assert [(i.path, i.kind) for i in manager.list()] == [(str(link), "serial")]
    os.close(port.master)

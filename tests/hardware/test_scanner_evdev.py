"""A HID scanner read from its input device: whole codes, the grab, terminators, bad input."""

from __future__ import annotations

import asyncio
import errno

import pytest
from evdev import ecodes as e

from kiosk.hardware.scanner_evdev import EvdevScanner, Terminator, looks_like_scanner
from tests.hardware.scanner_events import (
    FakeInputDevice,
    FakeTimer,
    Typist,
    read_all,
    stoppable,
)

EAN13 = "4006381333931"


async def test_codes_end_at_enter_with_shift_and_noise_and_the_grab_is_held_throughout() -> None:
    typist = Typist()
    device = FakeInputDevice(typist.us(EAN13) + typist.us("ABC-12/3.5%$") + typist.us("a b"))
    scanner = EvdevScanner(device)
    codes = scanner.codes()
    assert await anext(codes) == EAN13
    assert (device.grabs, device.grabbed) == (1, True)  # scans never reach the UI meanwhile
    assert await anext(codes) == "ABC-12/3.5%$"
    device.end()
    assert await read_all(codes) == ["a b"]
    assert (device.grabs, device.ungrabs, device.closed) == (1, 1, True)


async def test_stopping_the_reader_ungrabs_the_device() -> None:
    typist = Typist()
    device = FakeInputDevice(typist.us(EAN13))
    codes = stoppable(EvdevScanner(device).codes())
    assert await anext(codes) == EAN13
    await codes.aclose()  # the consumer stops (the app shuts down)
    assert (device.grabs, device.ungrabs, device.grabbed, device.closed) == (1, 1, False, True)


async def test_a_device_another_program_holds_is_refused_and_left_grabbed_by_it() -> None:
    device = FakeInputDevice()
    device.grab()  # another program has it
    scanner = EvdevScanner(device)
    with pytest.raises(OSError, match="busy") as error:
        await read_all(scanner.codes())
    assert error.value.errno == errno.EBUSY
    scanner.close()
    assert (device.ungrabs, device.grabbed, device.closed) == (0, True, True)


async def test_tab_terminator_and_enter_is_then_garbage() -> None:
    typist = Typist()
    events = typist.us("12345", end=e.KEY_TAB) + typist.us("666") + typist.us("777", e.KEY_TAB)
    device = FakeInputDevice(events)
    device.end()
    # "666" then Enter spoils that code: it is dropped up to its Tab, then "777" is lost with it
    assert await read_all(EvdevScanner(device, terminator="tab").codes()) == ["12345"]


async def test_a_lone_terminator_is_no_code() -> None:
    typist = Typist()
    device = FakeInputDevice(typist.us("") + typist.us("") + typist.us("42"))
    device.end()
    assert await read_all(EvdevScanner(device).codes()) == ["42"]


async def test_garbage_drops_the_code_it_is_in_and_the_next_reads_clean() -> None:
    typist = Typist()
    events = typist.us("12", end=None) + typist.tap(e.KEY_F1) + typist.us("34") + typist.us("567")
    events += typist.us("8", end=None) + typist.tap(e.KEY_UP) + typist.us("9")
    device = FakeInputDevice(events)
    device.end()
    assert await read_all(EvdevScanner(device).codes()) == ["567"]


async def test_over_long_input_is_dropped_up_to_its_end() -> None:
    typist = Typist()
    device = FakeInputDevice(typist.us("1" * 65) + typist.us("2" * 64) + typist.us("3"))
    device.end()
    assert await read_all(EvdevScanner(device).codes()) == ["2" * 64, "3"]


async def test_a_stale_partial_code_is_dropped_at_the_next_key() -> None:
    typist = Typist()
    events = typist.us("99", end=None)
    typist.pause(5.0)  # a stray key long ago must not prefix the next scan
    device = FakeInputDevice(events + typist.us(EAN13))
    device.end()
    assert await read_all(EvdevScanner(device).codes()) == [EAN13]


async def test_no_terminator_a_code_ends_at_the_pause_after_it() -> None:
    typist, timer = Typist(step_s=0.004), FakeTimer()
    first = typist.us("111", end=None)
    typist.pause(0.2)
    device = FakeInputDevice(first + typist.us("222", end=None))
    scanner = EvdevScanner(device, terminator=Terminator.NONE, gap_s=0.05, sleep=timer.sleep)
    out: asyncio.Queue[str] = asyncio.Queue()

    async def consume() -> None:
        async for code in scanner.codes():
            out.put_nowait(code)

    reader = asyncio.create_task(consume())
    # the events' own times show the pause between the two: no timer needed to split them
    assert await out.get() == "111"
    await device.idle.wait()
    assert out.empty()  # "222" waits for the pause after it
    await timer.fire()
    assert await out.get() == "222"
    assert set(timer.delays) == {0.05}
    device.push(*typist.us("333", end=e.KEY_ENTER))  # Enter still ends a code at once
    assert await out.get() == "333"
    device.unplug()
    with pytest.raises(OSError, match="No such device"):
        await reader
    assert (device.grabs, device.ungrabs) == (1, 1)


async def test_unplugged_mid_code_the_partial_code_is_dropped() -> None:
    typist = Typist()
    device = FakeInputDevice(typist.us("123") + typist.us("456", end=None))
    device.unplug()
    got: list[str] = []

    async def read() -> None:
        async for code in EvdevScanner(device).codes():
            got.append(code)

    with pytest.raises(OSError, match="No such device") as error:
        await read()
    assert (got, error.value.errno, device.closed) == (["123"], errno.ENODEV, True)


async def test_two_scanners_at_once_keep_their_codes_apart() -> None:
    typist = Typist(step_s=0.001)
    a, b = FakeInputDevice(), FakeInputDevice()
    a_events, b_events = typist.us("AAAA1111"), typist.us("bbbb2222")
    # the two devices' key events arrive in turn, as two scanners fired together would send them
    for i in range(0, max(len(a_events), len(b_events)), 3):
        a.push(*a_events[i : i + 3])
        b.push(*b_events[i : i + 3])
    a.end()
    b.end()
    got = await asyncio.gather(read_all(EvdevScanner(a).codes()), read_all(EvdevScanner(b).codes()))
    assert list(got) == [["AAAA1111"], ["bbbb2222"]]


async def test_a_german_scanner_reads_y_and_z_where_they_are() -> None:
    typist = Typist()
    keys = [(e.KEY_Z, True), (e.KEY_Y, False), (e.KEY_SLASH, False), (e.KEY_7, True)]
    device = FakeInputDevice(typist.keys(keys) + typist.tap(e.KEY_ENTER))
    device.end()
    assert await read_all(EvdevScanner(device, layout="de").codes()) == ["Yz-/"]


def test_scanners_are_keyboards_not_pointers() -> None:
    keyboard = {e.EV_SYN: [0], e.EV_KEY: list(range(1, 100)), e.EV_MSC: [e.MSC_SCAN]}
    assert looks_like_scanner(keyboard)
    assert not looks_like_scanner({e.EV_KEY: [e.BTN_LEFT, e.BTN_RIGHT], e.EV_REL: [0, 1]})
    assert not looks_like_scanner({**keyboard, e.EV_REL: [0, 1]})  # a keyboard with a trackpad
    assert not looks_like_scanner({**keyboard, e.EV_ABS: [(0, None)]})  # a touch screen
    assert not looks_like_scanner({e.EV_KEY: [e.KEY_POWER]})  # the power button
    assert not looks_like_scanner({e.EV_KEY: [e.KEY_ENTER, e.KEY_1]})  # a two-key pad

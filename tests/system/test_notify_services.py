"""The till and the agent, as real processes, tell a notify socket bound here what systemd hears:
READY=1 once up, then WATCHDOG=1 at half of WATCHDOG_USEC (kiosk-ui and kiosk-agent are
Type=notify with WatchdogSec=)."""

from __future__ import annotations

import asyncio
import signal
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from kiosk.sim.woocommerce import SimHandle, running_sim
from tests.kiosk_process import start_kiosk
from tests.ui.harness import Xvfb, provision, running_till


@pytest.fixture
def notify(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = tmp_path / "notify"
    sock.bind(str(path))
    sock.setblocking(False)
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))  # the child processes inherit it
    monkeypatch.setenv("WATCHDOG_USEC", "1000000")  # a ping every 0.5 s
    yield sock
    sock.close()


async def messages(sock: socket.socket, until: set[str], limit_s: float = 60) -> list[str]:
    """Every line received until each of `until` has come (WATCHDOG=1 twice)."""
    loop = asyncio.get_running_loop()
    seen: list[str] = []
    async with asyncio.timeout(limit_s):
        while not (until <= set(seen) and seen.count("WATCHDOG=1") >= 2):
            seen += (await loop.sock_recv(sock, 4096)).decode().split("\n")
    return seen


@pytest.fixture
async def store() -> AsyncIterator[SimHandle]:
    async with running_sim(products=20) as sim:
        yield sim


@pytest.fixture
def device(tmp_path: Path, store: SimHandle) -> Path:
    data_dir = tmp_path / "device"
    provision(data_dir, store)
    return data_dir


async def test_the_agent_says_ready_then_pings(device: Path, notify: socket.socket) -> None:
    agent = await start_kiosk(device, "agent")
    try:
        seen = await messages(notify, {"READY=1", "WATCHDOG=1"})
        assert seen.index("READY=1") < seen.index("WATCHDOG=1")
        assert "STATUS=syncing with the store" in seen
    finally:
        agent.send_signal(signal.SIGTERM)
        assert await agent.wait() == 0


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    x = Xvfb()
    try:
        yield x.display
    finally:
        x.stop()


async def test_the_till_says_ready_once_drawn_then_pings_from_its_clock(
    device: Path, display: str, notify: socket.socket
) -> None:
    async with running_till(device, display, "800x480"):
        seen = await messages(notify, {"READY=1", "WATCHDOG=1"})
    assert "STATUS=selling" in seen
    assert seen.count("READY=1") == 1

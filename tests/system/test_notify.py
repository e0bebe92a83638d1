"""kiosk.system_notify against a real datagram socket, as systemd's $NOTIFY_SOCKET is."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.system_notify import Notifier, heartbeat


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[tuple[str, socket.socket]]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = str(tmp_path / "notify")
    sock.bind(path)
    sock.settimeout(5)
    yield path, sock
    sock.close()


def received(sock: socket.socket) -> list[str]:
    return sock.recv(4096).decode().split("\n")


def test_ready_and_watchdog_reach_the_socket(listener: tuple[str, socket.socket]) -> None:
    path, sock = listener
    notify = Notifier.from_env({"NOTIFY_SOCKET": path})
    assert notify.ready("selling")
    assert received(sock) == ["READY=1", "STATUS=selling"]
    assert notify.watchdog()
    assert received(sock) == ["WATCHDOG=1"]


def test_an_abstract_socket_is_reached_through_its_at_sign() -> None:
    name = f"kiosk-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(5)
        assert Notifier.from_env({"NOTIFY_SOCKET": "@" + name}).ready()
        assert received(sock) == ["READY=1"]


def test_without_systemd_nothing_is_sent_and_nothing_fails(tmp_path: Path) -> None:
    assert not Notifier.from_env({}).ready()
    assert Notifier.from_env({}).watchdog_every_s is None
    # A socket that is gone (systemd restarting) is not the service's failure.
    assert not Notifier.from_env({"NOTIFY_SOCKET": str(tmp_path / "gone")}).watchdog()


def test_the_watchdog_interval_is_half_of_watchdogsec_and_only_for_its_own_process() -> None:
    env = {"NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "30000000"}
    assert Notifier.from_env(env).watchdog_every_s == 15.0
    assert Notifier.from_env({**env, "WATCHDOG_PID": str(os.getpid())}).watchdog_every_s == 15.0
    # A child that inherited the variables does not ping for its parent.
    assert Notifier.from_env({**env, "WATCHDOG_PID": "1"}).watchdog_every_s is None


async def test_heartbeat_pings_while_the_work_lives_and_stops_when_it_ends(
    listener: tuple[str, socket.socket],
) -> None:
    path, sock = listener
    notify = Notifier(path, watchdog_usec=2_000_000)
    waits: list[float] = []
    alive = iter([True, True, True, False])

    async def sleep(s: float) -> None:
        waits.append(s)

    await heartbeat(lambda: next(alive), notify, sleep=sleep)
    assert waits == [1.0, 1.0, 1.0]
    assert [received(sock) for _ in waits] == [["WATCHDOG=1"]] * 3


async def test_heartbeat_without_a_watchdog_returns_at_once() -> None:
    calls: list[float] = []

    async def sleep(s: float) -> None:
        calls.append(s)

    await heartbeat(lambda: True, Notifier("/nowhere"), sleep=sleep)
    assert calls == []

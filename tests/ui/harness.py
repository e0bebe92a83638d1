"""The real app under Xvfb, driven through its driver socket (kiosk/ui/driver.py)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from kiosk.config import HardwareConfig, SyncConfig
from kiosk.sim.device import provision_device
from kiosk.sim.woocommerce import SimHandle
from kiosk.ui.theme import TOUCH_MIN

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "screenshots"  # gitignored: look at every one before resolving the issue
START_S = 60.0
# The official 7" display, and the two larger ones the layouts are made for.
SIZES = ("800x480", "1280x800", "1920x1080")


class Xvfb:
    """A virtual screen big enough for the largest layout, on a display number it picks."""

    def __init__(self) -> None:
        if shutil.which("Xvfb") is None:
            raise RuntimeError("Xvfb is missing: `make test` installs it (Debian package xvfb)")
        r, w = os.pipe()
        self.proc = subprocess.Popen(
            ["Xvfb", "-displayfd", str(w), "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
            pass_fds=(w,),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(w)
        with os.fdopen(r) as f:
            number = f.readline().strip()  # written once the server accepts clients
        if not number:
            raise RuntimeError("Xvfb did not start")
        self.display = f":{number}"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


CASHIER = "Sam"


def provision(data_dir: Path, sim: SimHandle, hardware: HardwareConfig | None = None) -> None:
    provision_device(
        data_dir,
        url=sim.url,
        key=sim.consumer_key,
        secret=sim.consumer_secret,
        sync=SyncConfig(interval_s=1),  # tests see the link change within a second or two
        cashier=CASHIER,
        hardware=hardware,
    )


class Till:
    """One running `kiosk ui --agent` and a connection to its driver."""

    def __init__(self, proc: asyncio.subprocess.Process, sock: Path, size: str) -> None:
        self.proc, self.sock, self.size = proc, sock, size
        self.started_s = 0.0
        self.said: list[str] = []
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def call(self, **cmd: Any) -> Any:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_unix_connection(str(self.sock))
        assert self._reader is not None
        self._writer.write(json.dumps(cmd).encode() + b"\n")
        await self._writer.drain()
        answer = json.loads(await self._reader.readline())
        if not answer["ok"]:
            raise AssertionError(f"driver: {cmd} -> {answer['error']}")
        return answer["result"]

    async def texts(self) -> list[str]:
        return [d["text"] for d in await self.call(op="texts")]

    async def screen_text(self) -> str:
        return "\n".join(await self.texts())

    async def tap(
        self, text: str = "", *, role: str = "", exact: bool = False, index: int = 0, times: int = 1
    ) -> Any:
        """Tap a widget (`times=2`: a double tap) and wait until the app has acted and drawn."""
        return await self.call(
            op="tap", text=text, role=role, exact=exact, index=index, times=times
        )

    async def scan(self, code: str) -> float:
        return float((await self.call(op="scan", code=code))["ms"])

    async def wait_text(self, text: str, limit_s: float = 30) -> Any:
        return await self.call(op="wait_text", text=text, timeout=limit_s)

    async def type_on_keyboard(self, word: str) -> None:
        """Tap the on-screen keyboard's keys, one by one, as a cashier would."""
        for ch in word.lower():
            await self.tap("Space" if ch == " " else ch, exact=True)

    async def shot(self, name: str) -> Path:
        """Save the screen as screenshots/<size>/<name>.png, after checking that everything on
        it a finger can tap is at least TOUCH_MIN pixels each way."""
        small = [
            d
            for d in await self.call(op="texts")
            if d["touch"] and min(d["box"][2], d["box"][3]) < TOUCH_MIN
        ]
        assert small == [], f"{name}: touch targets under {TOUCH_MIN} px: {small}"
        folder = SCREENSHOTS / self.size
        folder.mkdir(parents=True, exist_ok=True)
        # Kivy numbers its screenshots (name0001.png): keep one file per screen, named plainly.
        taken = Path(await self.call(op="screenshot", path=str(folder / f"{name}.png")))
        return taken.replace(folder / f"{name}.png")  # noqa: ASYNC240 - a rename, instant

    async def until(self, done: Callable[[], object], limit_s: float = 30) -> None:
        """Until `done()` (something outside the app, e.g. the store) holds, checked after each
        frame the app draws."""
        async with asyncio.timeout(limit_s):
            while not done():
                await self.call(op="settle")


def kivy_env(display: str, kivy_home: Path) -> dict[str, str]:
    """The environment a Kivy process gets under Xvfb, for the app and for a bare Kivy baseline."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")},
        "DISPLAY": display,
        "DBUS_SESSION_BUS_ADDRESS": "disabled:",  # else SDL starts a dbus that outlives the test
        "KIVY_HOME": str(kivy_home),
    }


@asynccontextmanager
async def running_till(
    data_dir: Path, display: str, size: str, *, agent: bool = True, demo: bool = False
) -> AsyncIterator[Till]:
    """`kiosk ui` (with the agent beside it unless `agent` is False), or `kiosk demo`, until the
    block ends; `till.started_s` is how long it took from the process's start to the sale screen
    drawn, `till.said` what it printed before."""
    sock = data_dir.parent / f"driver-{size}.sock"
    env = {**kivy_env(display, data_dir.parent / "kivy-home"), "KIOSK_UI_DRIVER": str(sock)}
    log_path = data_dir.parent / f"ui-{size}.log"
    log = log_path.open("wb")
    command = ["demo"] if demo else ["ui"] + (["--agent"] if agent else [])
    args = ["--data-dir", str(data_dir), *command, "--size", size]
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "kiosk", *args,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log, env=env,
    )  # fmt: skip
    till = Till(proc, sock, size)
    try:
        assert proc.stdout is not None
        # The app says so on stdout once its window is up and the driver listens.
        async with asyncio.timeout(START_S):
            while b"ready" not in (line := await proc.stdout.readline()):
                if not line:
                    raise RuntimeError(f"the app did not start: {log_path.read_text()[-3000:]}")
                till.said.append(line.decode().rstrip())
        till.started_s = time.perf_counter() - started
        await till.call(op="ready")
        yield till
        assert await till.call(op="errors") == [], "the app hit errors (see its log)"
    finally:
        if proc.returncode is None:
            try:
                await till.call(op="stop")
                async with asyncio.timeout(20):
                    await proc.wait()
            except Exception:
                proc.kill()
                await proc.wait()
        if till._writer is not None:
            till._writer.close()
            with contextlib.suppress(OSError):
                await till._writer.wait_closed()
        log.close()

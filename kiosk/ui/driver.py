"""A remote control for the running app, for tests and benchmarks (off unless asked for).

With KIOSK_UI_DRIVER=<socket path>, the app listens there for JSON lines, one command each, and
answers each with one JSON line. Touches and keys enter through Kivy's own input dispatch, as a
touchscreen's and a keyboard's do; every command that acts waits until the app has finished what
it started and drawn a frame, so a test never needs to sleep.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kivy.base import EventLoop
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.input.motionevent import MotionEvent
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk.ui.app import PosApp

ENV = "KIOSK_UI_DRIVER"
_MARKUP = re.compile(r"\[/?[a-z]+(=[^\]]*)?\]")


class _Touch(MotionEvent):
    def __init__(self, x: float, y: float) -> None:
        super().__init__("driver", 1, {"x": x, "y": y}, is_touch=True, type_id="touch")

    def depack(self, args: Any) -> None:
        self.sx, self.sy = args["x"] / Window.width, args["y"] / Window.height
        self.profile = ["pos"]
        super().depack(args)


def plain(text: str) -> str:
    return _MARKUP.sub("", text)


def _walk(widget: Widget) -> Iterator[Widget]:
    """The widget and its descendants, leaving out what is hidden (opacity 0), as an eye does."""
    if widget.opacity == 0:
        return
    yield widget
    for child in reversed(widget.children):
        yield from _walk(child)


def visible() -> list[Widget]:
    """Widgets on screen, the top sheet's last (Window.children[0] is the top)."""
    out: list[Widget] = []
    for top in reversed(Window.children):
        out.extend(_walk(top))
    return out


def describe(w: Widget) -> dict[str, Any]:
    x, y = w.to_window(w.x, w.y)
    return {
        "text": plain(str(getattr(w, "text", ""))),
        "role": getattr(w, "role", ""),
        "kind": type(w).__name__,
        "disabled": bool(w.disabled),
        "touch": hasattr(w, "on_release"),
        "box": [round(x), round(y), round(w.width), round(w.height)],
    }


class Driver:
    def __init__(self, app: PosApp) -> None:
        self.app = app

    async def frame(self) -> None:
        """Until the next frame has been drawn and shown."""
        loop = asyncio.get_running_loop()
        for _ in range(2):
            shown = loop.create_future()

            def flip(*_: Any, f: asyncio.Future[None] = shown) -> None:
                if not f.done():
                    f.set_result(None)

            Window.bind(on_flip=flip)
            Clock.schedule_once(lambda _dt: Window.canvas.ask_update(), 0)
            try:
                await shown
            finally:
                Window.unbind(on_flip=flip)

    async def settle(self) -> None:
        await self.app.settled()
        await self.frame()
        await self.app.settled()

    def find(self, text: str = "", role: str = "", exact: bool = False) -> list[Widget]:
        hits = []
        top = Window.children[0] if Window.children else None
        # Only the top sheet takes touches while one is open, as on the screen.
        for w in _walk(top) if top is not None else []:
            t = plain(str(getattr(w, "text", "")))
            if role and getattr(w, "role", "") != role:
                continue
            if text and not (t == text if exact else text in t):
                continue
            if not hasattr(w, "on_release") and not role:
                continue
            hits.append(w)
        return hits

    async def handle(self, cmd: dict[str, Any]) -> Any:
        op = cmd.get("op")
        if op == "ready":
            await self.app.ready.wait()
            await self.settle()
            return {"size": list(Window.size)}
        if op == "settle":
            started = time.perf_counter()
            await self.settle()
            return {"ms": (time.perf_counter() - started) * 1000}
        if op == "texts":
            return [d for d in (describe(w) for w in visible()) if d["text"]]
        if op == "tap":
            hits = self.find(cmd.get("text", ""), cmd.get("role", ""), cmd.get("exact", False))
            index = cmd.get("index", 0)
            if len(hits) <= index:
                raise LookupError(f"nothing to tap with {cmd}")
            w = hits[index]
            if w.disabled:
                raise LookupError(f"{describe(w)} is disabled")
            cx, cy = w.to_window(*w.center)
            started = time.perf_counter()
            # times=2 is a double tap: both touches land before the app has acted on either.
            for _ in range(int(cmd.get("times", 1))):
                touch = _Touch(cx, cy)
                EventLoop.post_dispatch_input("begin", touch)
                EventLoop.post_dispatch_input("end", touch)
            await self.settle()
            return {**describe(w), "ms": (time.perf_counter() - started) * 1000}
        if op == "show":  # scroll the widget into view, as a finger would before tapping it
            hits = self.find(cmd.get("text", ""), cmd.get("role", ""), cmd.get("exact", False))
            index = cmd.get("index", 0)
            if len(hits) <= index:
                raise LookupError(f"nothing to show with {cmd}")
            w = hits[index]
            parent, seen = w.parent, set()
            # The window is its own parent: the walk stops there (or at a ScrollView).
            while parent is not None and id(parent) not in seen:
                if isinstance(parent, ScrollView):
                    parent.scroll_to(w, padding=10, animate=False)
                    break
                seen.add(id(parent))
                parent = parent.parent
            await self.settle()
            return describe(w)
        if op == "type":
            return await self.type(cmd["text"])
        if op == "scan":
            started = time.perf_counter()
            await self.type(cmd["code"] + "\n")
            return {"ms": (time.perf_counter() - started) * 1000}
        if op == "wait_text":
            return await self.wait_text(cmd["text"], float(cmd.get("timeout", 20)))
        if op == "screenshot":
            await self.frame()
            return Window.screenshot(name=cmd["path"])
        if op == "errors":
            return self.app.errors
        if op == "stop":
            self.app.stop()
            return None
        raise ValueError(f"unknown driver command {op!r}")

    async def wait_text(self, text: str, limit_s: float) -> dict[str, Any]:
        """Until `text` is on screen, checked at every frame drawn (the app draws at least once
        a second: the clock); fails after `limit_s` seconds."""
        async with asyncio.timeout(limit_s):
            while True:
                await self.app.settled()
                for w in visible():
                    if text in plain(str(getattr(w, "text", ""))):
                        # Drawn, not just set: a widget added this frame is laid out by the
                        # next, and a tap before then would land where it is not.
                        await self.frame()
                        return describe(w)
                await self.frame()

    async def type(self, text: str) -> None:
        for ch in text:
            if ch == "\n":
                Window.dispatch("on_key_down", 13, 40, None, [])
                Window.dispatch("on_key_up", 13, 40)
            else:
                Window.dispatch("on_textinput", ch)
        await self.settle()

    async def serve(self, path: Path) -> asyncio.AbstractServer:
        async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while line := await reader.readline():
                    try:
                        result = {"ok": True, "result": await self.handle(json.loads(line))}
                    except Exception as exc:  # the test reads the failure; the app goes on
                        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
                    writer.write(json.dumps(result).encode() + b"\n")
                    await writer.drain()
            except (asyncio.CancelledError, ConnectionError):
                return  # the app is closing, or the test went: nothing is waiting for an answer
            finally:
                writer.close()

        return await asyncio.start_unix_server(client, path=str(path))

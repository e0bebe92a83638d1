"""Injected failures: what a flaky host, a rate limiter or a dropped connection look like.

Faults are matched in the order they were added, by method and path prefix; each applies to
`count` requests and is then used up. Only the first matching fault applies to a request.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiohttp import web

KINDS = ("429", "503", "500", "timeout", "drop", "drop_after_commit")
API_PREFIX = "/wp-json/wc/v3/"

_HTML = (
    "<!DOCTYPE html><html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
)


@dataclass
class Fault:
    kind: str
    method: str | None
    path: str | None
    count: int
    retry_after: float | None

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path is None or path.startswith(self.path)


class FaultPlan:
    """The faults still to happen. `release()` lets held ("timeout") requests go."""

    def __init__(self) -> None:
        self.pending: list[Fault] = []
        self.fired: list[tuple[str, str, str]] = []  # (kind, method, path), in order
        self._release = asyncio.Event()
        self.holding = 0  # requests held by "timeout" faults right now
        self._held = asyncio.Event()

    def add(
        self,
        kind: str,
        *,
        method: str | None = None,
        path: str | None = None,
        count: int = 1,
        retry_after: float | None = None,
    ) -> Fault:
        """Queue a fault. `path` is a prefix: "/wp-json/wc/v3/orders" or just "orders"."""
        if kind not in KINDS:
            raise ValueError(f"fault kind {kind!r} is not one of {', '.join(KINDS)}")
        if count < 1:
            raise ValueError(f"fault count must be at least 1, not {count}")
        if path is not None and not path.startswith("/"):
            path = API_PREFIX + path
        fault = Fault(kind, method, path, count, retry_after)
        self.pending.append(fault)
        return fault

    def clear(self) -> None:
        self.pending.clear()

    def release(self) -> None:
        """Let every request held by a "timeout" fault finish normally."""
        self._release.set()
        self._release = asyncio.Event()

    def take(self, method: str, path: str) -> Fault | None:
        """The fault that applies to this request, counted as used."""
        for fault in self.pending:
            if fault.matches(method, path):
                fault.count -= 1
                if fault.count <= 0:
                    self.pending.remove(fault)
                self.fired.append((fault.kind, method, path))
                return fault
        return None

    async def hold(self) -> None:
        """Wait until `release()` (the server cancels the wait when the client goes away)."""
        release = self._release
        self.holding += 1
        self._held.set()
        self._held = asyncio.Event()
        try:
            await release.wait()
        finally:
            self.holding -= 1

    async def wait_until_held(self, n: int = 1) -> None:
        """Return once at least `n` requests are being held by "timeout" faults."""
        while self.holding < n:
            await self._held.wait()


def fault_response(fault: Fault) -> web.Response:
    """The answer for a status fault (429, 503, 500): HTML, as hosts and proxies send it."""
    titles = {
        "429": "429 Too Many Requests",
        "503": "503 Service Unavailable",
        "500": "500 Internal Server Error",
    }
    resp = web.Response(
        status=int(fault.kind),
        text=_HTML.format(title=titles[fault.kind]),
        content_type="text/html",
    )
    if fault.kind in ("429", "503"):
        retry = fault.retry_after if fault.retry_after is not None else 1
        resp.headers["Retry-After"] = f"{retry:g}"
    return resp


def parse_fault_spec(spec: str) -> tuple[str, str | None, int]:
    """`KIND:PATH[:COUNT]` from the command line, e.g. `503:orders:2` or `timeout:/wp-json`."""
    kind, _, rest = spec.partition(":")
    path: str | None = rest or None
    count = 1
    if rest and ":" in rest:
        head, _, tail = rest.rpartition(":")
        if tail.isdigit():
            path, count = head or None, int(tail)
    if kind not in KINDS:
        raise ValueError(f"fault {spec!r}: kind {kind!r} is not one of {', '.join(KINDS)}")
    return kind, path, count

"""Injected failures on the GraphQL endpoint, as kiosk.sim.woocommerce.faults has them for REST.

Faults apply in the order they were added to the requests whose document contains `match` (all
when empty), each to `count` requests. Kinds: "429" (Shopify's plain HTTP throttle, with
Retry-After), "500", "503", "throttled" (a 200 with Shopify's THROTTLED error and an emptied
bucket's throttleStatus), "timeout" (held until release() or `hold_s`), "drop" (the connection
closed unanswered) and "drop_after_commit" (the request is carried out, then the connection
closed before the answer).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

KINDS = ("429", "500", "503", "throttled", "timeout", "drop", "drop_after_commit")


@dataclass
class Fault:
    kind: str
    match: str
    count: int
    hold_s: float | None = None
    retry_after: float = 1.0


class FaultPlan:
    """The faults still to happen. `release()` lets held ("timeout") requests go."""

    def __init__(self) -> None:
        self.pending: list[Fault] = []
        self.fired: list[str] = []  # kinds, in order
        self.holding = 0
        self._release = asyncio.Event()
        self._held = asyncio.Event()

    def add(
        self,
        kind: str,
        *,
        match: str = "",
        count: int = 1,
        hold_s: float | None = None,
        retry_after: float = 1.0,
    ) -> Fault:
        if kind not in KINDS:
            raise ValueError(f"fault kind {kind!r} is not one of {', '.join(KINDS)}")
        if count < 1:
            raise ValueError(f"fault count must be at least 1, not {count}")
        fault = Fault(kind, match, count, hold_s, retry_after)
        self.pending.append(fault)
        return fault

    def clear(self) -> None:
        self.pending.clear()

    def take(self, document: str) -> Fault | None:
        for fault in self.pending:
            if fault.match in document:
                fault.count -= 1
                if fault.count <= 0:
                    self.pending.remove(fault)
                self.fired.append(fault.kind)
                return fault
        return None

    def release(self) -> None:
        self._release.set()
        self._release = asyncio.Event()

    async def hold(self, seconds: float | None) -> None:
        release = self._release
        self.holding += 1
        self._held.set()
        self._held = asyncio.Event()
        try:
            async with asyncio.timeout(seconds):
                await release.wait()
        except TimeoutError:
            pass  # held long enough: answer now, late
        finally:
            self.holding -= 1

    async def wait_until_held(self, n: int = 1) -> None:
        while self.holding < n:
            await self._held.wait()


def parse_fault_spec(spec: str) -> tuple[str, str, int]:
    """`KIND[:MATCH[:COUNT]]` from the command line, e.g. `throttled::3` or `500:products`."""
    kind, _, rest = spec.partition(":")
    match, _, count = rest.partition(":")
    if kind not in KINDS:
        raise ValueError(f"fault {spec!r}: kind {kind!r} is not one of {', '.join(KINDS)}")
    return kind, match, int(count) if count.isdigit() else 1

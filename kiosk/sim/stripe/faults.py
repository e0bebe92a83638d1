"""Injected failures of the API itself (the readers' own faults are levers in terminal.py).

Kinds: "429" (Stripe's rate_limit error), "lock_timeout" (429 for a locked object): refused
before anything runs; "500" (api_error once the endpoint began: kept under the idempotency key,
as Stripe keeps 500s); "timeout" (the request is held once it has begun, its idempotency key
taken, until `release()` or `hold_s`, then carried out and answered, whether or not its client
is still there); "drop" (the connection closes before anything is done)
and "drop_after_commit" (the request is carried out, its idempotent result saved, and the
connection closes before the answer: a lost response). Faults match by method and path prefix
("payment_intents" means "/v1/payment_intents"), apply to `count` requests, in the order added.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

KINDS = ("429", "lock_timeout", "500", "timeout", "drop", "drop_after_commit")


@dataclass
class Fault:
    kind: str
    method: str | None
    path: str | None
    count: int
    hold_s: float | None = None

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path is None or path.startswith(self.path)


class FaultPlan:
    """The faults still to come; `seen` counts every API request looked at."""

    def __init__(self) -> None:
        self.pending: list[Fault] = []
        self.fired: list[tuple[str, str, str]] = []  # (kind, method, path)
        self.seen = 0
        self.holding = 0
        self._release = asyncio.Event()
        self._progress = asyncio.Event()

    def add(
        self,
        kind: str,
        *,
        method: str | None = None,
        path: str | None = None,
        count: int = 1,
        hold_s: float | None = None,
    ) -> Fault:
        if kind not in KINDS:
            raise ValueError(f"fault kind {kind!r} is not one of {', '.join(KINDS)}")
        if count < 1:
            raise ValueError(f"fault count must be at least 1, not {count}")
        if hold_s is not None and (kind != "timeout" or hold_s < 0):
            raise ValueError("hold_s is for timeout faults, and cannot be negative")
        if path is not None and not path.startswith("/"):
            path = "/v1/" + path
        fault = Fault(kind, method, path, count, hold_s)
        self.pending.append(fault)
        return fault

    def clear(self) -> None:
        self.pending.clear()

    def take(self, method: str, path: str) -> Fault | None:
        self.seen += 1
        self._wake()
        for fault in self.pending:
            if fault.matches(method, path):
                fault.count -= 1
                if fault.count <= 0:
                    self.pending.remove(fault)
                self.fired.append((fault.kind, method, path))
                return fault
        return None

    def release(self) -> None:
        """Let every request held by a "timeout" fault go on."""
        self._release.set()
        self._release = asyncio.Event()

    async def hold(self, seconds: float | None) -> None:
        release = self._release
        self.holding += 1
        self._wake()
        try:
            async with asyncio.timeout(seconds):
                await release.wait()
        except TimeoutError:
            pass  # held long enough: answer now, late
        finally:
            self.holding -= 1

    async def wait_for_requests(self, n: int) -> None:
        """Return once at least `n` API requests have arrived."""
        while self.seen < n:
            await self._progress.wait()

    async def wait_until_held(self, n: int = 1) -> None:
        while self.holding < n:
            await self._progress.wait()

    def _wake(self) -> None:
        self._progress.set()
        self._progress = asyncio.Event()


def parse_fault_spec(spec: str) -> tuple[str, str | None, int]:
    """`KIND[:PATH[:COUNT]]` from the command line, e.g. `429:payment_intents:2`."""
    kind, _, rest = spec.partition(":")
    path, count = rest or None, 1
    if rest and ":" in rest:
        head, _, tail = rest.rpartition(":")
        if tail.isdigit():
            path, count = head or None, int(tail)
    if kind not in KINDS:
        raise ValueError(f"fault {spec!r}: kind {kind!r} is not one of {', '.join(KINDS)}")
    return kind, path, count

"""What every simulator's fault plan shares: counted faults used up in order, held requests, and
the count of requests seen, so that tests wait on events instead of sleeping.

Each simulator (woocommerce, stripe, shopify) keeps its own kinds, how a fault matches a request
and what a faulted answer looks like; this holds the mechanics they have in common.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar


class Counted(Protocol):
    count: int


F = TypeVar("F", bound=Counted)


def check_fault(kind: str, kinds: Sequence[str], count: int) -> None:
    """ValueError naming what is wrong with a fault of `kind` for `count` requests."""
    if kind not in kinds:
        raise ValueError(f"fault kind {kind!r} is not one of {', '.join(kinds)}")
    if count < 1:
        raise ValueError(f"fault count must be at least 1, not {count}")


def use_first(pending: list[F], applies: Callable[[F], bool]) -> F | None:
    """The first pending fault that applies, counted as used (and dropped once used up)."""
    for fault in pending:
        if applies(fault):
            fault.count -= 1
            if fault.count <= 0:
                pending.remove(fault)
            return fault
    return None


def split_spec(spec: str, kinds: Sequence[str]) -> tuple[str, str | None, int]:
    """`KIND[:WHERE[:COUNT]]` from a command line; WHERE may hold colons of its own."""
    kind, _, rest = spec.partition(":")
    where, count = rest or None, 1
    if rest and ":" in rest:
        head, _, tail = rest.rpartition(":")
        if tail.isdigit():
            where, count = head or None, int(tail)
    if kind not in kinds:
        raise ValueError(f"fault {spec!r}: kind {kind!r} is not one of {', '.join(kinds)}")
    return kind, where, count


class Holds:
    """Requests held by "timeout" faults, and every request seen, for tests to wait on."""

    def __init__(self) -> None:
        self.holding = 0  # requests held right now
        self.seen = 0  # requests the plan has looked at
        self._release = asyncio.Event()
        self._progress = asyncio.Event()

    def saw_request(self) -> None:
        self.seen += 1
        self._wake()

    def release(self) -> None:
        """Let every held request go on."""
        self._release.set()
        self._release = asyncio.Event()

    async def hold(self, seconds: float | None = None) -> None:
        """Wait until `release()`, or `seconds` if given (the server cancels the wait when the
        client goes away)."""
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
        """Return once at least `n` requests have been seen in all."""
        while self.seen < n:
            await self._progress.wait()

    async def wait_until_held(self, n: int = 1) -> None:
        """Return once at least `n` requests are being held."""
        while self.holding < n:
            await self._progress.wait()

    async def wait_none_held(self) -> None:
        """Return once no request is held (each released one has been carried out)."""
        while self.holding:
            await self._progress.wait()

    def _wake(self) -> None:
        self._progress.set()
        self._progress = asyncio.Event()

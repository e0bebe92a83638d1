"""One pass over an upload queue after the orders' (refunds, pickups): the loop they share.

Rows a crash left in syncing go back to pending first (their next try looks them up); then every
due row is claimed in batches, oldest first, and tried once, while the orders' SendGate lets
uploads go. When the gate closes under a batch, the rest of it waits without counting a try.
What one try does is the queue's own (`upload`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Generic, Protocol, Self, TypeVar

from kiosk.store.db import Database
from kiosk.sync.gate import SendGate

T = TypeVar("T")
R = TypeVar("R", bound="DrainReport")


@dataclass(slots=True)
class DrainReport:
    synced: int = 0
    failed: int = 0
    retried: int = 0
    error: str | None = None
    reached: bool = False  # the store answered at least one request

    def then(self, later: Self) -> Self:
        """This pass followed by `later`, as one report: counts add up, the later error wins."""
        values: dict[str, Any] = {}
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(later, f.name)
            if isinstance(mine, bool):
                values[f.name] = mine or theirs
            elif isinstance(mine, int):
                values[f.name] = mine + theirs
            else:
                values[f.name] = theirs or mine
        return type(self)(**values)


class QueueStore(Protocol[T]):
    """A queue's store module (kiosk.store.refunds, kiosk.store.pickups)."""

    async def next_due_at(self, db: Database) -> datetime | None: ...

    async def in_flight(self, db: Database) -> list[T]: ...

    async def claim_due(
        self, db: Database, now: datetime, limit: int, *, skip: Sequence[str] = ()
    ) -> list[T]: ...

    async def schedule_retry(
        self,
        db: Database,
        key: str,
        error: str,
        next_attempt_at: datetime,
        *,
        now: datetime,
        failed: bool = True,
    ) -> None: ...


class QueueDrainer(Generic[T, R]):
    """The pass; a queue gives its store, how to name a row (`key`) and one try (`upload`)."""

    def __init__(
        self,
        db: Database,
        store: QueueStore[T],
        report: Callable[[], R],
        *,
        clock: Callable[[], datetime],
        gate: SendGate,
        batch: int = 20,
    ) -> None:
        self._db, self._store, self._report = db, store, report
        self._clock, self._gate, self._batch = clock, gate, batch
        self._recovered = False

    def key(self, item: T) -> str:
        raise NotImplementedError

    async def upload(self, item: T, report: R) -> None:
        """One attempt at one claimed row; every error ends in a decision for it."""
        raise NotImplementedError

    def starting(self) -> None:
        """Called as a pass begins with the gate open (a queue may forget what held it)."""

    async def next_due(self) -> datetime | None:
        return await self._store.next_due_at(self._db)

    async def recover(self) -> None:
        """Rows a crash left in syncing go back to pending: their next try looks first."""
        for item in await self._store.in_flight(self._db):
            now = self._clock()
            await self._store.schedule_retry(
                self._db, self.key(item), "interrupted before the answer came", now,
                now=now, failed=False,
            )  # fmt: skip

    async def drain(self) -> R:
        """Try every due row once, oldest first, while the gate lets uploads go."""
        if not self._recovered:
            await self.recover()
            self._recovered = True
        report = self._report()
        if self._gate.allowance(self._clock(), 1) > 0:
            self.starting()
        tried: list[str] = []
        while self._gate.allowance(self._clock(), 1) > 0:
            items = await self._store.claim_due(self._db, self._clock(), self._batch, skip=tried)
            if not items:
                break
            for n, item in enumerate(items):
                tried.append(self.key(item))
                if self._gate.allowance(self._clock(), 1) == 0:
                    # The link went down under this batch: the rest wait, not counted as tries.
                    for rest in items[n:]:
                        await self._store.schedule_retry(
                            self._db, self.key(rest), self._gate.reason, self._clock(),
                            now=self._clock(), failed=False,
                        )  # fmt: skip
                    return report
                await self.upload(item, report)
        return report

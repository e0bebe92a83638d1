"""The sync engine: when to pull, push, audit and follow hints, for one store.

Sales go up as soon as they are due, on any link; catalog pulls slow down on a metered one.
On a metered link (cellular, a phone hotspot) orders and card payments go first: every turn
uploads before it pulls, and a pull that falls due while the till is charging a card waits until
the payment is over (its requests share the slow link). The device fetches no product images
(a product's image is its URL, kept as text), so there are none to leave out on a metered link.
A failing pull or push is logged and tried again on the next turn: the engine never stops,
and nothing it does can lose a sale (the outbox keeps every order until the store has it).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from kiosk.config import SyncConfig
from kiosk.connectors.base import Connector, Hint
from kiosk.connectors.errors import (
    ConnectorError,
    OutcomeUnknown,
    StoreUnreachable,
    Timeout,
    TLSFailure,
)
from kiosk.core.pickup import PickupConfig
from kiosk.network.base import NetworkInfo
from kiosk.store import sync_state
from kiosk.store.db import Database
from kiosk.store.sync_state import LinkState
from kiosk.sync.link_watch import LinkWatch
from kiosk.sync.pickup_push import PickupPuller
from kiosk.sync.policy import RetryPolicy
from kiosk.sync.pull import Puller, PullReport
from kiosk.sync.push import Pusher, PushReport

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
PUSH_POLL_S = 1.0  # how often the agent notices the till's new sales (PRAGMA data_version)

# Errors that say the store was not reached at all: the counter is offline. A TLS failure
# counts, since it is what a captive portal or a filtering proxy looks like. Any other error
# came from the store itself, so the link is up even though the request failed.
UNREACHABLE: tuple[type[ConnectorError], ...] = (
    StoreUnreachable,
    Timeout,
    OutcomeUnknown,
    TLSFailure,
)


@dataclass(slots=True)
class PassReport:
    """What one pass did; `errors` says what went wrong, for status and logs."""

    pull: PullReport = field(default_factory=PullReport)
    push: PushReport = field(default_factory=PushReport)
    initial: bool = False
    audited: bool = False
    errors: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Contact:
    """What one turn learnt about the link to the store (see _record_link)."""

    reached: bool = False
    unreachable: str = ""  # the error that said the store could not be reached
    error: str = ""  # the last error the store itself gave

    def merge(self, other: _Contact) -> _Contact:
        """What this turn and `other` learnt together (a later unreachable error wins)."""
        return _Contact(
            reached=self.reached or other.reached,
            unreachable=other.unreachable or self.unreachable,
            error=other.error or self.error,
        )

    def note(self, result: object) -> None:
        if isinstance(result, UNREACHABLE):
            self.unreachable = str(result)
        elif isinstance(result, ConnectorError):
            self.reached, self.error = True, str(result)
        elif isinstance(result, PushReport):
            # The pusher keeps its errors to itself: it says whether the store answered, and
            # whether it stopped sending because the store could not be reached at all.
            self.reached |= result.reached
            if result.unreachable and not result.reached:
                self.unreachable = result.unreachable
        elif isinstance(result, int):  # a count of things fetched, or True for a whole step
            self.reached |= result > 0


class SyncEngine:
    def __init__(
        self,
        db: Database,
        connector: Connector,
        *,
        clock: Callable[[], datetime],
        settings: SyncConfig | None = None,
        metered: Callable[[], bool] | None = None,
        paying: Callable[[], bool] = lambda: False,
        network: NetworkInfo | None = None,
        policy: RetryPolicy | None = None,
        rng: random.Random | None = None,
        pickup: PickupConfig | None = None,
    ) -> None:
        """`network` (NetworkManager's reader in the agent) is read every turn: a link that
        comes back sends the uploads at once, and a metered one slows the pulls (unless
        `metered` says otherwise); on a metered link a pull waits while `paying()` says a card
        payment is under way."""
        self._db = db
        self.connector = connector
        self._clock = clock
        self._settings = settings or SyncConfig()
        self._watch = LinkWatch(network, self.link_restored) if network is not None else None
        watch = self._watch
        self._metered = metered or (lambda: watch is not None and watch.metered)
        self._paying = paying
        self.puller = Puller(db, connector, clock=clock)
        # Web orders waiting for collection are pulled with the catalog, on its schedule.
        local = (pickup or PickupConfig()).local_only
        self.pickups = PickupPuller(db, connector, clock=clock, local_only=local)
        self.pusher = Pusher(
            db,
            connector,
            clock=clock,
            policy=policy,
            rng=rng,
            concurrency=self._settings.concurrency,
        )
        self._hints: asyncio.Queue[Hint] = asyncio.Queue()
        self._wake = asyncio.Event()  # set when uploads should go now rather than when due
        self._recovered = False
        # Set while the agent follows the store's change feed (kiosk/sync/feed_follow.py): the
        # feed brings changes as they happen, so the delta pull is only a safety net then.
        self.feed_live = False
        self._link: tuple[LinkState, str] | None = None  # what this engine last recorded

    def hint(self, h: Hint) -> None:
        """A webhook says something changed: fetch it on the next turn."""
        self._hints.put_nowait(h)

    def link_restored(self) -> None:
        """The network says the link is back: uploads go on the next turn, backoffs or not."""
        self.pusher.link_restored()
        self.wake()

    def wake(self) -> None:
        """Look at the outbox on the next turn (a sale was made through this very connection)."""
        self._wake.set()

    async def push(self) -> PushReport:
        if not self._recovered:
            await self.pusher.recover()
            self._recovered = True
        return await self.pusher.drain()

    async def pull(self, report: PassReport) -> None:
        if not await self.puller.initial_complete():
            report.initial = True
            report.pull = await self.puller.initial()
            await self.pickups.pull()
            return
        report.pull = await self.puller.delta()
        await self.pickups.pull()
        every = timedelta(seconds=self._settings.audit_interval_s)
        if await self.puller.audit_due(every):
            report.audited = True
            audit = await self.puller.audit()
            report.pull.deleted += audit.deleted
            report.pull.products += audit.products

    async def follow_hints(self) -> int:
        ids: set[str] = set()
        while not self._hints.empty():
            h = self._hints.get_nowait()
            if h.kind == "product":
                ids.add(h.id)
        if ids:
            await self.puller.refresh(sorted(ids))
        return len(ids)

    async def run_once(self) -> PassReport:
        """One full pass: upload what is due, pull, then upload what the pull's answer freed."""
        report = PassReport()
        contact = _Contact()
        for name, step in (("upload", self._push_into), ("pull", self.pull)):
            try:
                await step(report)
            except ConnectorError as exc:
                report.errors.append(f"{name}: {exc}")
                log.warning("%s failed: %s", name, exc)
                contact.note(exc)
            else:
                contact.note(report.push if name == "upload" else True)
                if name == "pull" and self.pusher.store_reached():
                    await self._push_into(report)
        await self._record_link(contact)
        return report

    async def _push_into(self, report: PassReport) -> None:
        report.push = report.push.then(await self.push())

    async def run(self, stop: asyncio.Event, *, sleep: Sleep = asyncio.sleep) -> None:
        """Run until `stop` is set: uploads as sales appear, pulls on their interval."""
        next_pull = self._clock()
        version = -1
        push_due: datetime | None = None  # a retry the outbox is waiting for
        while not stop.is_set():
            if self._watch is not None:
                await self._watch.check()
            now = self._clock()
            contact = _Contact()
            current = await self._db.data_version()  # changes when the till commits a sale
            woken = self._wake.is_set()
            if current != version or woken or (push_due is not None and now >= push_due):
                version = current
                self._wake.clear()
                pushed = await self._guard("upload", self.push(), contact)
                push_due = pushed.wait_until if isinstance(pushed, PushReport) else now
            # Answers to the catalog's requests cut the uploads' backoffs short; the uploads'
            # own answers are the pusher's business (so a sick order cannot spin the loop).
            catalog = _Contact()
            # Metered and charging a card: the catalog waits (hints stay queued, the pull due).
            held = self._metered() and self._paying()
            if not self._hints.empty() and not held:
                await self._guard("hint", self.follow_hints(), catalog)
            if now >= next_pull and not held:
                report = PassReport()
                await self._guard("pull", self.pull(report), catalog)
                interval = (
                    self._settings.metered_interval_s
                    if self._metered()
                    else self._settings.interval_s
                )
                if self.feed_live:
                    interval = max(interval, self._settings.audit_interval_s)
                next_pull = now + timedelta(seconds=interval)
            if catalog.reached and self.pusher.store_reached():
                self._wake.set()  # the store answers: waiting uploads go on the next turn
            await self._record_link(contact.merge(catalog))
            await sleep(self._pause(push_due))

    def _pause(self, push_due: datetime | None) -> float:
        """Seconds until the next turn: the poll interval, or less when an upload falls due."""
        if self._wake.is_set():
            return 0.0
        if push_due is None:
            return PUSH_POLL_S
        return min(PUSH_POLL_S, max(0.0, (push_due - self._clock()).total_seconds()))

    async def _record_link(self, contact: _Contact) -> None:
        """Record online/offline for the status bar (the one writer of sync_state's link).

        A turn that met an unreachable error is offline; one that reached the store otherwise
        is online (with the store's own error, if it gave one); a turn that did not talk to the
        store changes nothing. Written only when it changes, not on every turn.
        """
        if contact.unreachable:
            seen = (LinkState.OFFLINE, contact.unreachable)
        elif contact.reached:
            seen = (LinkState.ONLINE, contact.error)
        else:
            return
        if seen != self._link:
            await sync_state.set_link(self._db, seen[0], now=self._clock(), error=seen[1])
            self._link = seen

    async def _guard(self, name: str, work: Awaitable[object], contact: _Contact) -> object:
        try:
            result = await work
        except ConnectorError as exc:
            log.warning("%s failed: %s", name, exc)
            contact.note(exc)
            return None
        contact.note(True if result is None else result)  # a step that returns None finished
        return result

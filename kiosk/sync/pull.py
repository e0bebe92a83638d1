"""Bringing the store's catalog to the device: the initial copy, deltas, audits, and hints.

- Initial sync is resumable: each product batch commits with its cursor and progress in one
  transaction, so a crash continues from the last batch instead of starting over.
- Deltas ask for what changed since the last pass began, less an overlap for clock skew;
  they never see deletions, which the id audit finds (both ways: ids the store no longer has,
  and ids a shifting page made us miss).
- Every pulled stock number is adopted, and a difference from ours is recorded.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from kiosk.connectors.base import Batch, Connector
from kiosk.core.models import Product
from kiosk.store import catalog, rows, stock, sync_state
from kiosk.store.db import Database

log = logging.getLogger(__name__)

A = TypeVar("A")
B = TypeVar("B")

PHASE = "initial.phase"  # products -> customers -> done
STARTED = "initial.started_at"
PRODUCTS_CURSOR = "cursor:initial:products"
CUSTOMERS_CURSOR = "cursor:initial:customers"
PRODUCTS_SINCE = "delta.products.since"
CUSTOMERS_SINCE = "delta.customers.since"
AUDITED_AT = "audit.last_at"


async def _all(first: Awaitable[A], second: Awaitable[B]) -> tuple[A, B]:
    """Both results, run concurrently; a failure raises as if they had run one after the other
    (the first's error first), once both have finished, so neither is left running."""
    a, b = await asyncio.gather(first, second, return_exceptions=True)
    for result in (a, b):
        if isinstance(result, BaseException):
            raise result
    return cast(A, a), cast(B, b)


@dataclass(slots=True)
class PullReport:
    products: int = 0  # products and variations written
    customers: int = 0
    deleted: int = 0
    skipped: int = 0
    discrepancies: int = 0


class Puller:
    """Pulls through one connector into the local store."""

    def __init__(
        self,
        db: Database,
        connector: Connector,
        *,
        clock: Callable[[], datetime],
        overlap: timedelta = timedelta(minutes=5),
    ) -> None:
        self._db = db
        self._connector = connector
        self._clock = clock
        self._overlap = overlap

    async def initial_complete(self) -> bool:
        return (await sync_state.get_sync_status(self._db)).initial_sync.complete

    async def initial(self) -> PullReport:
        """Copy the whole catalog, continuing where an interrupted run stopped."""
        report = PullReport()
        started = await sync_state.get_value(self._db, STARTED)
        if started is None:
            started = rows.to_text(self._clock(), "now")
            await sync_state.set_value(self._db, STARTED, started)
        # Settings, tax rates and categories do not depend on each other: fetch them together.
        await _all(self._settings(), self._categories(report))
        phase = await sync_state.get_value(self._db, PHASE) or "products"
        if phase == "products":
            progress = await sync_state.get_sync_status(self._db)
            done = progress.initial_sync.done
            resume = await sync_state.get_value(self._db, PRODUCTS_CURSOR)
            async for batch in self._connector.products(resume=resume):
                done += sum(1 for p in batch.items if p.parent_id is None)
                total = max(batch.total or 0, done)
                await self._write_products(
                    batch,
                    report,
                    source="initial sync",
                    values={
                        PRODUCTS_CURSOR: batch.cursor or "",
                        sync_state.INITIAL_DONE: str(done),
                        sync_state.INITIAL_TOTAL: str(total),
                    },
                )
            await sync_state.set_value(self._db, PHASE, "customers")
        resume = await sync_state.get_value(self._db, CUSTOMERS_CURSOR)
        async for people in self._connector.customers(resume=resume or None):
            report.customers += await catalog.upsert_customers(self._db, people.items)
            self._note_skipped(people, report)
            await sync_state.set_value(self._db, CUSTOMERS_CURSOR, people.cursor or "")
        # Deltas start from when the initial copy began: anything changed during it is fetched.
        # The copy was also an audit as of then: the first one is due an interval after it.
        await sync_state.set_value(self._db, PRODUCTS_SINCE, started)
        await sync_state.set_value(self._db, CUSTOMERS_SINCE, started)
        await sync_state.set_value(self._db, AUDITED_AT, started)
        status = await sync_state.get_sync_status(self._db)
        # The store's count includes items it lists but the till cannot sell (drafts): once
        # the listing is through, all of it is done.
        total = max(status.initial_sync.total, status.initial_sync.done)
        await sync_state.set_initial_sync(self._db, total, total, True)
        await sync_state.set_value(self._db, PHASE, "done")
        await sync_state.mark_pulled(self._db, self._clock())
        return report

    async def delta(self) -> PullReport:
        """Fetch what changed since the last pass began (less the overlap)."""
        report = PullReport()
        began = self._clock()
        await self._settings()
        since = await self._since(PRODUCTS_SINCE)
        async for batch in self._connector.products(since=since):
            await self._write_products(batch, report, source="pull")
        since = await self._since(CUSTOMERS_SINCE)
        async for people in self._connector.customers(since=since):
            report.customers += await catalog.upsert_customers(self._db, people.items)
            self._note_skipped(people, report)
        stamp = rows.to_text(began, "now")
        await self._db.write(
            lambda conn: sync_state.write_values(
                conn, {PRODUCTS_SINCE: stamp, CUSTOMERS_SINCE: stamp}
            )
        )
        await sync_state.mark_pulled(self._db, self._clock())
        return report

    async def audit(self) -> PullReport:
        """Diff the store's product ids with ours: drop what it deleted, fetch what we lack."""
        report = PullReport()
        remote = await self._connector.product_ids()
        local = await catalog.product_ids(self._db)
        gone = sorted(local - remote)
        if gone:
            report.deleted = await catalog.delete_products(self._db, gone)
            log.info("audit: %d products deleted in the store", len(gone))
        missing = sorted(remote - local)
        if missing:
            await self.refresh(missing, report=report)
        await sync_state.set_value(self._db, AUDITED_AT, rows.to_text(self._clock(), "now"))
        return report

    async def refresh(self, ids: Sequence[str], *, report: PullReport | None = None) -> PullReport:
        """Fetch these products now (a webhook's hint); ids the store lacks are deleted."""
        report = report or PullReport()
        batch = await self._connector.fetch_products(ids)
        await self._write_products(batch, report, source="pull")
        found = {p.id for p in batch.items} | {s.id for s in batch.skipped if s.id}
        absent = [i for i in ids if i not in found]
        if absent:
            report.deleted += await catalog.delete_products(self._db, absent)
        return report

    async def audit_due(self, every: timedelta) -> bool:
        last = await sync_state.get_value(self._db, AUDITED_AT)
        return last is None or self._clock() - rows.from_text(last) >= every

    # -- internals ------------------------------------------------------------------------------

    async def _settings(self) -> None:
        settings, rates = await _all(self._connector.shop_settings(), self._connector.tax_rates())
        await catalog.save_shop_settings(self._db, settings)
        await catalog.replace_tax_rates(self._db, rates)

    async def _categories(self, report: PullReport) -> None:
        async for cats in self._connector.categories():
            await catalog.upsert_categories(self._db, cats.items)
            self._note_skipped(cats, report)

    async def _since(self, key: str) -> datetime | None:
        value = await sync_state.get_value(self._db, key)
        return rows.from_text(value) - self._overlap if value else None

    async def _write_products(
        self,
        batch: Batch[Product],
        report: PullReport,
        *,
        source: str,
        values: dict[str, str] | None = None,
    ) -> None:
        """One transaction: note stock differences, write the batch, and move its cursor."""
        record = stock.record_differences(stock.pulled_levels(batch.items), self._clock(), source)
        write = catalog.write_products(batch.items, complete_variations=True)

        def run(conn: sqlite3.Connection) -> int:
            n = record(conn)
            write(conn)
            if values:
                sync_state.write_values(conn, values)
            return n

        report.discrepancies += await self._db.write(run)
        report.products += len(batch.items)
        self._note_skipped(batch, report)

    def _note_skipped(self, batch: Batch[Any], report: PullReport) -> None:
        for s in batch.skipped:
            log.warning("skipped %s %s from the store: %s", s.kind, s.id, s.reason)
        report.skipped += len(batch.skipped)

"""The drain figures: sales queued offline, uploaded by the device's real `kiosk sync --once`.

Each run has its own simulated store (`kiosk sim woocommerce` as a child process, seeded the
same, so the runs differ only in their faults) and a fresh device: an untimed initial sync gives
it the catalog, the sales go through the real checkout into its outbox, then one timed
`kiosk sync --once` uploads them and makes its delta pull. The figure is the upload step alone
(`SyncEngine.push`, timed inside the child by drain_child: the orders, their look-ups and the
stock read back), not start-up nor the pull; the process's wall time is recorded beside it. The
floor is that step's own requests (the store's log, REST paths only) x latency / concurrency:
what those requests would take if nothing else cost anything.
"""

from __future__ import annotations

import asyncio
import functools
import json
import random
import shutil
import sqlite3
import tempfile
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.config import Config, SyncConfig
from kiosk.connectors.woocommerce.orders import META_ORDER_ID
from kiosk.core.models import PaymentMethod, Product, ProductKind
from kiosk.core.tender import Tender
from kiosk.runtime import open_runtime
from kiosk.store import catalog
from kiosk.store.outbox import OutboxState
from kiosk.store.rows import from_text
from tests.bench.drain_child import run_timed_sync
from tests.bench.stats import figure
from tests.bench.sync_figures import (
    FLOOR_TARGET,
    REQUEST_TIMEOUT_S,
    REST_PREFIX,
    SYNC_TIMEOUT_S,
    BenchError,
    Store,
    provision,
    run_device_sync,
    simulator,
)
from tests.bench.sync_figures import _get_json as get_json
from tests.sync.woo_rig import exactly_once

ORDERS = 500
LATENCY_MS = 50.0
LOSS_RATE = 0.05  # share of order POSTs whose answer is lost after the store committed them
PRODUCTS = 200  # a small shop's catalog: enough codes for varied sales, quick to sync first
SEED = 11
ITEMS_PER_SALE = (1, 3)
LISTING_PAGE = 100


@dataclass(frozen=True, slots=True)
class DrainRun:
    """One timed `kiosk sync --once` over a full outbox; `requests` counts the upload's own."""

    drain_s: float  # inside the upload steps, summed
    steps: int  # more than one if the pass went up again after its pull
    confirmed_s: float  # first claim to last confirmation, by the outbox's own timestamps
    wall_s: float
    requests: dict[str, int]  # create (POST /orders), lookup (GET /orders), read_back (stock)
    pull_requests: int  # the rest of the pass: the delta pull between or after the uploads
    lost: int  # POSTs the store committed and then dropped the connection on
    max_attempts: int  # the most tries any one order took (1: none was sent twice)
    report: dict[str, Any]

    @property
    def upload_requests(self) -> int:
        return sum(self.requests.values())


def _kind(record: dict[str, Any]) -> str:
    """Which part of an upload step a logged request was."""
    path = str(record["path"])
    # wc/v3/orders, or the companion plugin's kiosk/v1/orders and orders/by-uuid/<uuid>.
    if path.endswith("/orders") or "/orders/by-uuid/" in path:
        return "create" if record["method"] == "POST" else "lookup"
    return "read_back"


def _raw_log(store: Store) -> list[dict[str, Any]]:
    """Every request the store saw, its own /__sim/ ones too (drain_child counts those)."""
    with urllib.request.urlopen(f"{store.url}/__sim/requests", timeout=REQUEST_TIMEOUT_S) as r:
        records: list[dict[str, Any]] = json.load(r)
    return records


def _rest(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in records if str(r["path"]).startswith(REST_PREFIX)]


async def _codes(config: Config) -> list[str]:
    """The barcode (else SKU) of every sellable product and variation on the device."""
    found: list[Product] = []
    async with open_runtime(config) as rt:
        offset = 0
        while page := await catalog.listed(rt.db, limit=LISTING_PAGE, offset=offset):
            offset += len(page)
            for p in page:
                if p.kind is ProductKind.VARIABLE:
                    found += await catalog.variations_of(rt.db, p.id)
                else:
                    found.append(p)
    return [code for p in found if p.sellable and (code := p.barcode or p.sku)]


async def queue_sales(config: Config, n: int, seed: int) -> list[str]:
    """`n` cash sales through the checkout the till uses, made offline; returns their ids."""
    codes = await _codes(config)
    if len(codes) < ITEMS_PER_SALE[1]:
        raise BenchError(f"the device has {len(codes)} sellable products: too few to sell from")
    rng = random.Random(seed)
    ids = []
    async with open_runtime(config) as rt:
        for _ in range(n):
            cart = await rt.checkout.start()
            for code in rng.sample(codes, rng.randint(*ITEMS_PER_SALE)):
                await rt.checkout.add_code(cart, code, rng.randint(1, 2))
            paid = [Tender(PaymentMethod.CASH, cart.totals().total)]
            ids.append((await rt.checkout.complete(cart, paid, offline=True)).id)
    return ids


def _add_fault(store: Store, spec: dict[str, Any]) -> None:
    req = urllib.request.Request(
        f"{store.url}/__sim/faults",
        data=json.dumps(spec).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=REQUEST_TIMEOUT_S) as r:
        r.read()


def store_order_ids(store: Store) -> Counter[str]:
    """How many store orders carry each device order id (`_kiosk_order_id` meta)."""
    seen: Counter[str] = Counter()
    page = 1
    while batch := get_json(
        store, "orders", {"per_page": LISTING_PAGE, "page": page, "orderby": "id", "order": "asc"}
    ):
        for order in batch:
            seen.update(
                str(m["value"]) for m in order.get("meta_data", []) if m["key"] == META_ORDER_ID
            )
        page += 1
    return seen


def _outbox(db_path: Path) -> tuple[Counter[str], set[str], float, int]:
    """States, synced ids, first claim to last confirmation (seconds), most attempts."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT order_id, state, attempts, first_attempt_at, updated_at FROM outbox"
        ).fetchall()
    finally:
        conn.close()
    states = Counter(str(r[1]) for r in rows)
    synced = [r for r in rows if r[1] == OutboxState.SYNCED]
    if not synced:
        return states, set(), 0.0, 0
    first = min(from_text(r[3]) for r in synced)
    last = max(from_text(r[4]) for r in synced)
    return (
        states,
        {str(r[0]) for r in synced},
        (last - first).total_seconds(),
        max(int(r[2]) for r in rows),
    )


def _check(sold: list[str], states: Counter[str], synced: set[str], store: Counter[str]) -> None:
    """Every sale is one store order and the outbox is all synced, or the run means nothing."""
    problems = []
    if set(states) != {OutboxState.SYNCED}:
        problems.append(f"the outbox is not all synced: {dict(states)}")
    if synced != set(sold):
        problems.append(f"{len(set(sold) - synced)} sales are not synced on the device")
    problems += exactly_once(sold, store)
    if problems:
        raise BenchError("; ".join(problems))


def drain_run(
    work: Path,
    *,
    orders: int,
    latency_ms: float,
    loss_rate: float,
    products: int,
    seed: int,
    concurrency: int,
    timeout_s: float,
) -> DrainRun:
    """A fresh store and device, `orders` sales queued, then one timed upload pass."""
    with simulator(
        work,
        products=products,
        variable_share=0.2,
        variations_per=3,
        latency_ms=latency_ms,
        seed=seed,
    ) as store:
        data_dir = work / "device"
        config = provision(data_dir, store, concurrency=concurrency)
        # Untimed: the device needs its catalog before it can sell anything.
        run_device_sync(data_dir, work, timeout_s=timeout_s)
        # The sales share no loop with a running one: this runs in asyncio.to_thread's thread.
        sold = asyncio.run(queue_sales(config, orders, seed))
        if loss_rate > 0:
            _add_fault(
                store,
                {
                    "kind": "drop_after_commit",
                    "rate": loss_rate,
                    "method": "POST",
                    "path": "orders",
                },
            )
        seen = len(_raw_log(store))
        wall_s, report, steps = run_timed_sync(data_dir, work, store.url, timeout_s=timeout_s)
        log = _raw_log(store)
        states, synced, confirmed_s, max_attempts = _outbox(config.db_path)
        _check(sold, states, synced, store_order_ids(store))
    upload = _rest([r for s in steps for r in log[s["log"][0] : s["log"][1]]])
    pass_log = _rest(log[seen:])
    return DrainRun(
        drain_s=sum(s["seconds"] for s in steps),
        steps=len(steps),
        confirmed_s=confirmed_s,
        wall_s=wall_s,
        requests=dict(sorted(Counter(_kind(r) for r in upload).items())),
        pull_requests=len(pass_log) - len(upload),
        lost=sum(1 for r in upload if r["method"] == "POST" and r["status"] is None),
        max_attempts=max_attempts,
        report=report,
    )


def drain(
    tmp: Path,
    *,
    orders: int = ORDERS,
    latency_ms: float = LATENCY_MS,
    loss_rate: float = LOSS_RATE,
    products: int = PRODUCTS,
    seed: int = SEED,
    concurrency: int = SyncConfig().concurrency,
    timeout_s: float = SYNC_TIMEOUT_S,
) -> list[dict[str, Any]]:
    """Drain `orders` queued sales fault-free, then with `loss_rate` of the answers lost."""
    if latency_ms <= 0 or not 0 < loss_rate <= 1:
        raise ValueError(
            "latency_ms must be above 0 (the floor is made of it), loss_rate in (0, 1]"
        )
    work = Path(tempfile.mkdtemp(prefix="drain-", dir=tmp))
    run = functools.partial(
        drain_run,
        orders=orders,
        latency_ms=latency_ms,
        products=products,
        seed=seed,
        concurrency=concurrency,
        timeout_s=timeout_s,
    )
    try:
        (work / "clean").mkdir()
        (work / "lossy").mkdir()
        clean = run(work / "clean", loss_rate=0)
        lossy = run(work / "lossy", loss_rate=loss_rate)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return drain_figures(
        clean,
        lossy,
        orders=orders,
        latency_ms=latency_ms,
        loss_rate=loss_rate,
        concurrency=concurrency,
    )


def _run_figures(
    name: str, run: DrainRun, *, latency_ms: float, concurrency: int, **extra: Any
) -> list[dict[str, Any]]:
    floor = run.upload_requests * latency_ms / 1000 / concurrency
    ratio = run.drain_s / floor
    return [
        figure(
            f"{name}_s",
            run.drain_s,
            "s",
            baseline=f"{name}_floor_s",
            baseline_value=round(floor, 4),
            ratio=ratio,
            target=f"<= {FLOOR_TARGET:g}x the floor",
            met=ratio <= FLOOR_TARGET,
            wall_s=round(run.wall_s, 3),
            confirmed_s=round(run.confirmed_s, 3),
            upload_steps=run.steps,
            max_attempts=run.max_attempts,
            uploaded=run.report.get("uploaded", {}),
            **extra,
        ),
        figure(
            f"{name}_requests",
            run.upload_requests,
            "requests",
            by_kind=run.requests,
            pull_requests=run.pull_requests,
        ),
        figure(
            f"{name}_floor_s",
            floor,
            "s",
            description=(
                f"upload requests x latency / concurrency = {run.upload_requests} x "
                f"{latency_ms:g} ms / {concurrency}"
            ),
        ),
    ]


def drain_figures(
    clean: DrainRun,
    lossy: DrainRun,
    *,
    orders: int,
    latency_ms: float,
    loss_rate: float,
    concurrency: int,
) -> list[dict[str, Any]]:
    """The figures of both runs; target: each within 1.5x of its own latency floor."""
    what = (
        f"{orders} cash sales queued offline, uploaded by one `kiosk sync --once` against a "
        f"store answering in {latency_ms:g} ms; the upload step timed (the orders, their "
        "look-ups and the stock read back), not start-up nor the delta pull: wall_s is the "
        "whole process, confirmed_s the first claim to the last confirmation in the outbox"
    )
    return [
        *_run_figures(
            "drain_fault_free",
            clean,
            latency_ms=latency_ms,
            concurrency=concurrency,
            description=what,
        ),
        *_run_figures(
            "drain_lossy",
            lossy,
            latency_ms=latency_ms,
            concurrency=concurrency,
            loss_rate=loss_rate,
            lost=lossy.lost,
            description=(
                f"{what}; {loss_rate:.0%} of the order POSTs commit and then lose their answer "
                "(the connection is dropped), so the device looks each one up before going on"
            ),
        ),
    ]

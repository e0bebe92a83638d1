"""`kiosk sync --once` and `kiosk agent`: keep the device and the store in step."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from typing import Any

from kiosk import system_notify
from kiosk.agent.webhooks import WebhookReceiver, make_app
from kiosk.checkout import utc_now
from kiosk.cli.output import UsageError, emit
from kiosk.connectors.errors import ConnectorError
from kiosk.connectors.factory import open_connector, platform_of
from kiosk.connectors.platforms import Platform
from kiosk.network.base import NetworkInfo
from kiosk.network.system import failover_monitor, system_network
from kiosk.payments.refunds import CardRefunds
from kiosk.runtime import Runtime
from kiosk.secrets import load_secrets
from kiosk.store import catalog, outbox, pickups, refunds
from kiosk.store.outbox import OutboxState
from kiosk.sync.engine import SyncEngine
from kiosk.sync.feed_follow import FeedFollower
from kiosk.sync.payment_watch import PaymentWatch

log = logging.getLogger(__name__)


def add_parser(sub: Any) -> None:
    p = sub.add_parser("sync", help="synchronise with the store now")
    p.add_argument("--once", action="store_true", required=True, help="one full pass, then exit")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=run_once)
    a = sub.add_parser("agent", help="run the background sync agent (uploads, pulls, webhooks)")
    a.set_defaults(handler=run_agent)


async def _engine(
    rt: Runtime, network: NetworkInfo | None = None, paying: PaymentWatch | None = None
) -> SyncEngine:
    settings = await catalog.load_shop_settings(rt.db)
    locale = settings.locale if settings else rt.config.shop.locale
    connector = open_connector(rt.config, load_secrets(rt.config.data_dir), locale=locale)
    return SyncEngine(
        rt.db,
        connector,
        clock=utc_now,
        settings=rt.config.sync,
        network=network,
        paying=paying.current if paying is not None else lambda: False,
        pickup=rt.config.pickup,
    )


@contextlib.asynccontextmanager
async def _card_refunds(rt: Runtime, engine: SyncEngine) -> AsyncIterator[None]:
    """Give card refunds back through the paired reader's Stripe account, when there is one."""
    from kiosk.config_platforms import StripeConfig
    from kiosk.runtime import stripe_provisioned

    if not stripe_provisioned(rt.config):
        yield  # card refunds wait, saying why (refund_push.NO_CARD)
        return
    # Imported only now: stripe comes with the payments extra, which a cash-only till may lack.
    from kiosk.payments.stripe_refunds import stripe_card_refunds
    from kiosk.payments.stripe_setup import StripeSecrets

    key = StripeSecrets.of(load_secrets(rt.config.data_dir)).api_key
    if not key:
        yield
        return
    async with stripe_card_refunds(key, rt.config.section(StripeConfig).api_base) as card:
        cards: CardRefunds = card
        engine.pusher.refunds.card = cards
        yield


async def run_once(args: argparse.Namespace, rt: Runtime) -> int:
    if not args.once:
        raise UsageError("only `kiosk sync --once` is supported; `kiosk agent` runs continuously")
    engine = await _engine(rt)
    try:
        async with _card_refunds(rt, engine):
            report = await engine.run_once()
    finally:
        await engine.connector.close()
    r = report.push.refunds
    refunds_waiting = (await refunds.counts(rt.db))[OutboxState.PENDING_SYNC]
    k = report.push.pickups
    pickups_waiting = (await pickups.counts(rt.db))[OutboxState.PENDING_SYNC]
    p, u = report.pull, report.push
    waiting = (await outbox.counts(rt.db))[OutboxState.PENDING_SYNC]
    data = {
        "initial": report.initial,
        "audited": report.audited,
        "pulled": {
            "products": p.products,
            "customers": p.customers,
            "deleted": p.deleted,
            "skipped": p.skipped,
            "stock_discrepancies": p.discrepancies,
        },
        "uploaded": {
            "synced": u.synced,
            "failed": u.failed,
            "retrying": u.retried,
            "waiting": waiting,
            "next_attempt_at": u.wait_until.isoformat() if u.wait_until else None,
            "refunds": {
                "synced": r.synced,
                "failed": r.failed,
                "retrying": r.retried,
                "card_refunded": r.card_refunded,
                "waiting": refunds_waiting,
            },
            "pickups": {
                "synced": k.synced,
                "failed": k.failed,
                "retrying": k.retried,
                "waiting": pickups_waiting,
            },
        },
        "errors": report.errors,
    }
    text = "\n".join(
        [
            ("Initial sync: " if report.initial else "Pulled: ")
            + f"{p.products} products and variations, {p.customers} customers"
            + (f", {p.deleted} deleted" if p.deleted else "")
            + (f", {p.skipped} skipped (see the log)" if p.skipped else ""),
            f"Uploaded {u.synced} orders"
            + (f", {u.failed} refused by the store" if u.failed else "")
            + (f"; {u.retried} tries failed and were retried" if u.retried else "")
            + (f"; {waiting} still waiting" if waiting else ""),
            *(
                [
                    f"Refunds: {r.synced} uploaded"
                    + (f", {r.card_refunded} given back to the card" if r.card_refunded else "")
                    + (f", {r.failed} refused" if r.failed else "")
                    + (f"; {refunds_waiting} still waiting" if refunds_waiting else "")
                ]
                if r.synced or r.failed or r.card_refunded or refunds_waiting
                else []
            ),
            *(
                [
                    f"Collected web orders: {k.synced} completed in the store"
                    + (f", {k.failed} refused" if k.failed else "")
                    + (f"; {pickups_waiting} still waiting" if pickups_waiting else "")
                ]
                if k.synced or k.failed or pickups_waiting
                else []
            ),
            *[f"Problem: {e}" for e in report.errors],
        ]
    )
    emit(args.json, data, text)
    return 1 if report.errors else 0


async def _register_hooks(
    rt: Runtime, engine: SyncEngine, platform: Platform, receiver: WebhookReceiver, secret: str
) -> None:
    """Tell the store where to send webhooks, when it can reach this device at all."""
    public = rt.config.store.public_url.rstrip("/")
    if not public:
        return
    try:
        done = await platform.register_webhooks(engine.connector, public + receiver.path, secret)
    except ConnectorError as exc:
        log.warning("could not register webhooks (polling keeps the device up to date): %s", exc)
        return
    log.info("webhooks: %s", done)


async def run_agent(args: argparse.Namespace, rt: Runtime) -> int:
    from aiohttp import web

    # The agent follows NetworkManager: a link that comes back sends the uploads at once. A card
    # payment under way holds a pull on a metered link, and the failover's switch back.
    paying = PaymentWatch(rt.db, clock=utc_now)
    engine = await _engine(rt, system_network(), paying)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    secrets = load_secrets(rt.config.data_dir)
    runner: web.AppRunner | None = None
    if secrets.webhook_secret:
        platform = platform_of(rt.config)
        receiver = WebhookReceiver(platform.webhooks(secrets.webhook_secret), engine.hint)
        runner = web.AppRunner(make_app(receiver))
        await runner.setup()
        # Listen beyond this machine only when the store has been told a public address.
        host = "0.0.0.0" if rt.config.store.public_url else "127.0.0.1"
        await web.TCPSite(runner, host, rt.config.sync.webhook_port).start()
        await _register_hooks(rt, engine, platform, receiver, secrets.webhook_secret)
    cards = contextlib.AsyncExitStack()
    await cards.enter_async_context(_card_refunds(rt, engine))
    work = asyncio.create_task(engine.run(stop))
    background = [asyncio.create_task(paying.run()), *_failover(rt, paying)]

    # The store's change feed (the companion plugin's), long-polled: changes arrive in a second
    # or two where webhooks cannot reach; without one this returns and polling carries on.
    def feed_live(live: bool) -> None:
        engine.feed_live = live

    feed = FeedFollower(
        rt.db, engine.connector, engine.puller, pickups=engine.pickups.pull, live=feed_live
    )
    background.append(asyncio.create_task(feed.run(stop)))
    # systemd (kiosk-agent.service, Type=notify, WatchdogSec=): up now; pinged from this loop
    # while the engine runs, so a wedged loop or an engine that died is restarted.
    background.append(asyncio.create_task(system_notify.heartbeat(lambda: not work.done())))
    system_notify.notifier().ready("syncing with the store")
    print("kiosk agent: ready", flush=True)
    try:
        # Stop at once, even in the middle of a long initial sync: every batch is its own
        # transaction, so a cancelled pass loses nothing and the next start resumes it.
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({work, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        work.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await work  # re-raises what stopped the engine, if not a stop: systemd restarts us
    finally:
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
        if runner is not None:
            await runner.cleanup()
        await cards.aclose()
        await engine.connector.close()
    return 0


def _failover(rt: Runtime, paying: PaymentWatch) -> list[asyncio.Task[None]]:
    """WiFi to cellular and back (issue 14's policy), never switching back during a payment."""
    monitor = failover_monitor(rt.config.network, rt.config.store.url, paying.current)
    if monitor is None:  # no sdbus here: nothing to drive
        return []
    return [asyncio.create_task(monitor.run())]

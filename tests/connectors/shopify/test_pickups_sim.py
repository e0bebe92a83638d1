"""Online orders for in-store pickup on the Shopify simulator: the location's fulfillment orders,
pulled with the catalog, collected on the device and fulfilled exactly once (issues 13 and 16)."""

from __future__ import annotations

from kiosk.checkout import Checkout
from kiosk.connectors.shopify import pickup as shopify_pickup
from kiosk.core.models import PaymentMethod
from kiosk.core.pickup import PickupConfig, PickupState
from kiosk.core.tender import Tender
from kiosk.sim.shopify.pickup import fulfillment_orders, fulfillments, place_pickup_order
from kiosk.sim.shopify.state import Obj
from kiosk.store import pickups
from kiosk.store.outbox import OutboxState
from kiosk.sync.engine import SyncEngine
from tests.connectors.shopify.conftest import Shop
from tests.connectors.shopify.schema_check import problems, shape_problems


def _variants(shop: Shop, n: int = 2) -> list[Obj]:
    state = shop.sim.state
    found = [
        state.variants[p["_variants"][0]]
        for p in state.products.values()
        if p["status"] == "ACTIVE" and p["hasOnlyDefaultVariant"]
    ]
    return [v for v in found if v["sku"]][:n]


def _place(shop: Shop, first: str, last: str, method: str = "PICK_UP") -> Obj:
    a, b = _variants(shop)
    return place_pickup_order(
        shop.sim.state,
        [(a["id"], 2), (b["id"], 1)],
        first=first,
        last=last,
        email=f"{first.lower()}@example.com",
        phone="+1 555 0100",
        note="Back door, please",
        method=method,
    )


def _fulfilled(shop: Shop, fo: Obj) -> list[Obj]:
    return [f for f in fulfillments(shop.sim.state) if fo["id"] in f["_fulfillment_orders"]]


def test_the_pickup_documents_are_valid_in_the_pinned_schema() -> None:
    for name, doc in shopify_pickup.DOCUMENTS.items():
        assert problems(doc) == [], name


async def test_the_locations_pickups_are_pulled_and_found_by_number_or_name(shop: Shop) -> None:
    ada = _place(shop, "Ada", "Lovelace")
    grace = _place(shop, "Grace", "Hopper")
    shipped = _place(shop, "Alan", "Turing", method="SHIPPING")
    report = await shop.engine.run_once()
    assert not report.errors, report.errors
    waiting = await pickups.list_pickups(shop.db)
    assert sorted(p.remote_id for p in waiting) == sorted([ada["id"], grace["id"]])
    found = await pickups.get_pickup(shop.db, ada["orderName"])
    assert found is not None
    order = shop.sim.state.orders[ada["_order"]]
    p = found.pickup
    assert (p.number, p.customer, p.email, p.phone) == (
        order["name"], "Ada Lovelace", "ada@example.com", "+1 555 0100"
    )  # fmt: skip
    assert p.note == "Back door, please"
    assert p.total.amount_str() == order["totalPriceSet"]["shopMoney"]["amount"]
    assert [li.quantity for li in p.lines] == [2, 1]
    assert p.status == "OPEN"
    # By number, with or without "#", and by any part of the name.
    number = grace["orderName"].lstrip("#")
    assert [x.remote_id for x in await pickups.list_pickups(shop.db, search=number)] == [
        grace["id"]
    ]
    assert [x.remote_id for x in await pickups.list_pickups(shop.db, search="lovel")] == [ada["id"]]
    # Every open fulfillment order at the location when not only local pickups are wanted.
    every = SyncEngine(
        shop.db, shop.connector, clock=shop.engine.pusher._clock,
        pickup=PickupConfig(only_local_pickup="no"),
    )  # fmt: skip
    assert await every.pickups.pull() == 3
    assert shipped["id"] in {x.remote_id for x in await pickups.list_pickups(shop.db)}
    for doc, variables, data in shop.calls:
        assert problems(doc) == [], doc
        assert shape_problems(doc, variables, data) == [], doc


async def test_a_collected_pickup_is_fulfilled_once_even_after_a_lost_answer(shop: Shop) -> None:
    fo = _place(shop, "Ada", "Lovelace")
    await shop.engine.run_once()
    await pickups.collect(shop.db, fo["orderName"], now=shop.engine.pusher._clock(), staff="Sam")
    shop.sim.faults.add("drop_after_commit", match="fulfillmentCreate")
    report = await shop.engine.run_once()
    assert shop.sim.faults.pending == []
    assert report.push.pickups.synced == 1
    assert len(_fulfilled(shop, fo)) == 1
    assert fulfillment_orders(shop.sim.state)[fo["id"]]["status"] == "CLOSED"
    assert shop.sim.state.orders[fo["_order"]]["displayFulfillmentStatus"] == "FULFILLED"
    creates = [d for d, _, _ in shop.calls if "fulfillmentCreate" in d]
    assert len(creates) == 0  # the one sent lost its answer, so it was never recorded...
    sent = [q for q in shop.sim.queries if "fulfillmentCreate" in q["query"]]
    assert len(sent) == 1  # ...and none was sent again: the status was looked up instead
    # The same pass's pull let it go: the store lists it no more.
    assert await pickups.get_pickup(shop.db, fo["id"]) is None
    await shop.engine.run_once()
    assert len(_fulfilled(shop, fo)) == 1


async def test_a_second_fulfillment_refused_by_shopify_counts_as_done(shop: Shop) -> None:
    fo = _place(shop, "Ada", "Lovelace")
    await shop.connector.complete_pickup(fo["id"])
    assert await shop.connector.pickup_state(fo["id"]) is PickupState.COLLECTED
    await shop.connector.complete_pickup(fo["id"])  # Shopify says it is closed: done already
    assert len(_fulfilled(shop, fo)) == 1
    answers = [data for d, _, data in shop.calls if "fulfillmentCreate" in d]
    (refused,) = [a for a in answers if a["fulfillmentCreate"]["userErrors"]]
    (error,) = refused["fulfillmentCreate"]["userErrors"]
    assert "unfulfillable status= closed" in error["message"]


async def test_a_cancelled_pickup_is_parked_in_words_while_a_sale_goes_up(shop: Shop) -> None:
    gone = _place(shop, "Ada", "Lovelace")
    fine = _place(shop, "Grace", "Hopper")
    await shop.engine.run_once()
    fulfillment_orders(shop.sim.state)[gone["id"]]["status"] = "CANCELLED"  # cancelled online
    now = shop.engine.pusher._clock()
    await pickups.collect(shop.db, gone["id"], now=now)
    await pickups.collect(shop.db, fine["id"], now=now)
    checkout = Checkout(shop.db, order_prefix="K1-")
    cart = await checkout.start()
    await checkout.add_code(cart, _variants(shop)[0]["sku"])
    await checkout.complete(cart, [Tender(PaymentMethod.CASH, cart.totals().total)])
    report = await shop.engine.run_once()
    assert report.push.synced == 1
    assert (report.push.pickups.synced, report.push.pickups.failed) == (1, 1)
    parked = await pickups.get_pickup(shop.db, gone["id"])
    assert parked is not None
    assert parked.state is OutboxState.FAILED
    assert "Shopify refused to complete the pickup" in parked.last_error
    assert "unfulfillable status= cancelled" in parked.last_error
    assert _fulfilled(shop, gone) == []
    assert len(_fulfilled(shop, fine)) == 1


async def test_a_pickup_collected_while_shopify_is_unreachable_is_fulfilled_later(
    shop: Shop,
) -> None:
    fo = _place(shop, "Ada", "Lovelace")
    await shop.engine.run_once()
    await pickups.collect(shop.db, fo["id"], now=shop.engine.pusher._clock())
    shop.sim.faults.add("drop", count=1000)  # every connection cut: the shop is out of reach
    offline = await shop.engine.run_once()
    assert offline.errors
    assert offline.push.pickups.synced == 0
    assert fulfillments(shop.sim.state) == []
    waiting = await pickups.get_pickup(shop.db, fo["id"])
    assert waiting is not None
    assert waiting.state is OutboxState.PENDING_SYNC
    shop.sim.faults.clear()
    back = await shop.engine.run_once()
    assert back.push.pickups.synced == 1
    assert len(_fulfilled(shop, fo)) == 1
    assert fulfillment_orders(shop.sim.state)[fo["id"]]["status"] == "CLOSED"

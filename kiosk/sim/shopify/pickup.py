"""The simulated shop's fulfillment orders: web orders to hand over at a location.

What it relies on (shopify.dev, Admin GraphQL 2026-10: QueryRoot.fulfillmentOrders and
fulfillmentOrder, FulfillmentOrder, FulfillmentOrderStatus, DeliveryMethodType, fulfillmentCreate,
FulfillmentInput, FulfillmentOrderLineItemsInput; checked against the schema's descriptions):
- An order gets one fulfillment order per location it is assigned to; its `deliveryMethod`
  says how the customer gets it (PICK_UP: collected in the shop). `fulfillmentOrders` lists
  them without the CLOSED ones unless `includeClosed`; its `query` here understands
  `assigned_location_id:<number>` and `status:<open|in_progress|...>` (other terms are refused,
  as resolvers.matcher does, so the connector cannot rely on a filter ignored here).
- fulfillmentCreate fulfils the given fulfillment orders (of one order, at one location): the
  listed line items and quantities, or every remaining item when none is listed. A fulfillment
  order with nothing left becomes CLOSED (else IN_PROGRESS), and the order FULFILLED once all
  of its are closed. It takes no `@idempotent` key: the directive is refused on it, and a second
  call for a CLOSED fulfillment order is a userError ("... has an unfulfillable status= closed."
  is the simulator's wording, after Shopify's). Unknown ids are userErrors too.
Tests place web orders with `place_pickup_order` and read `fulfillments(store)`: every
fulfillment created, in order, which is how they prove a pickup completed once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from graphql import GraphQLError, GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema

from kiosk.sim.shopify.orders import _key, build_order
from kiosk.sim.shopify.resolvers import connection
from kiosk.sim.shopify.state import LOCATION, Obj, ShopifyStore, gid, iso, number_of

WAITING = ("OPEN", "IN_PROGRESS")
_TABLE = "_pickup_fulfillment_orders"  # kept beside the store's dicts (no slots on the class)
_MADE = "_pickup_fulfillments"


def fulfillment_orders(store: ShopifyStore) -> dict[str, Obj]:
    """Every fulfillment order, by GID."""
    return cast(dict[str, Obj], vars(store).setdefault(_TABLE, {}))


def fulfillments(store: ShopifyStore) -> list[Obj]:
    """Every fulfillment fulfillmentCreate made, in order."""
    return cast(list[Obj], vars(store).setdefault(_MADE, []))


def _seq(store: ShopifyStore, name: str) -> int:
    n = int(vars(store).get(name, 0)) + 1
    vars(store)[name] = n
    return n


def place_pickup_order(
    store: ShopifyStore,
    lines: list[tuple[str, int]],
    *,
    first: str,
    last: str,
    email: str = "",
    phone: str = "",
    note: str = "",
    method: str = "PICK_UP",
    location: str = LOCATION,
) -> Obj:
    """A shopper's paid web order of (variant GID, quantity) lines, to be collected at
    `location` (or shipped from it: `method` SHIPPING); returns its fulfillment order."""
    currency = store.shop["currencyCode"]
    cid = gid("Customer", 900_000 + _seq(store, "_pickup_customer_seq"))
    store.customers[cid] = {
        "__typename": "Customer",
        "id": cid,
        "firstName": first,
        "lastName": last,
        "displayName": f"{first} {last}".strip(),
        "defaultEmailAddress": {"emailAddress": email} if email else None,
        "defaultPhoneNumber": {"phoneNumber": phone} if phone else None,
        "updatedAt": store.now(),
    }
    spec = {
        "lineItems": [{"variantId": v, "quantity": q} for v, q in lines],
        "email": email or None,
        "note": note or None,
        "financialStatus": "PAID",
        "sourceName": "web",
    }
    store.order_seq += 1
    order = build_order(store, spec, number=store.order_seq, currency=currency, location=location)
    order["phone"] = phone or None
    order["_customer"] = cid
    store.orders[order["id"]] = order
    fo_id = gid("FulfillmentOrder", _seq(store, "_pickup_fo_seq"))
    items = []
    for li in order["_lines"]:
        variant = store.variants.get(li["_variant"] or "") or {}
        items.append(
            {
                "__typename": "FulfillmentOrderLineItem",
                "id": gid("FulfillmentOrderLineItem", _seq(store, "_pickup_foli_seq")),
                "productTitle": li["title"],
                "variantTitle": variant.get("title"),
                "sku": li["sku"],
                "totalQuantity": li["quantity"],
                "remainingQuantity": li["quantity"],
                "requiresShipping": method != "PICK_UP",
                "_line": li,
            }
        )
    fo = {
        "__typename": "FulfillmentOrder",
        "id": fo_id,
        "status": "OPEN",
        "requestStatus": "UNSUBMITTED",
        "orderId": order["id"],
        "orderName": order["name"],
        "orderProcessedAt": order["processedAt"],
        "createdAt": order["createdAt"],
        "updatedAt": order["createdAt"],
        "deliveryMethod": {"id": gid("DeliveryMethod", number_of(fo_id)), "methodType": method},
        "_location": location,
        "_order": order["id"],
        "_lines": items,
        "_fulfillments": [],
    }
    fulfillment_orders(store)[fo_id] = fo
    return fo


def _filter(query: str | None) -> Callable[[Obj], bool]:
    locations: set[int] = set()
    statuses: set[str] = set()
    for token in (query or "").split():
        name, _, value = token.partition(":")
        if name == "assigned_location_id" and value.isdigit():
            locations.add(int(value))
        elif name == "status" and value:
            statuses |= {s.strip().upper() for s in value.split(",")}
        elif token != "AND":
            raise GraphQLError(f"simulator: unsupported search term {token!r}")
    return lambda fo: (
        (not locations or number_of(fo["_location"]) in locations)
        and (not statuses or fo["status"] in statuses)
    )


def _list(_root: Any, info: GraphQLResolveInfo, **args: Any) -> Obj:
    store: ShopifyStore = info.context["store"]
    match = _filter(args.get("query"))
    found = [
        fo
        for fo in fulfillment_orders(store).values()
        if match(fo) and (args.get("includeClosed") or fo["status"] != "CLOSED")
    ]
    return connection(info, found, {**args, "query": None})


def _error(message: str, field: list[str]) -> Obj:
    return {"field": field, "message": message}


def fulfillment_create(
    _root: Any, info: GraphQLResolveInfo, fulfillment: Obj, message: str | None = None
) -> Obj:
    if _key(info) is not None:
        raise GraphQLError(
            "The @idempotent directive is not supported on the fulfillmentCreate field."
        )
    store: ShopifyStore = info.context["store"]
    table = fulfillment_orders(store)
    wanted = fulfillment.get("lineItemsByFulfillmentOrder") or []
    errors: list[Obj] = []
    chosen: list[tuple[Obj, list[tuple[Obj, int]]]] = []
    for i, pair in enumerate(wanted):
        where = ["fulfillment", "lineItemsByFulfillmentOrder", str(i), "fulfillmentOrderId"]
        fo = table.get(pair["fulfillmentOrderId"])
        if fo is None:
            errors.append(_error("Fulfillment order does not exist.", where))
            continue
        if fo["status"] not in WAITING:
            errors.append(
                _error(
                    f"Fulfillment order {number_of(fo['id'])} has an unfulfillable status= "
                    f"{fo['status'].lower()}.",
                    where,
                )
            )
            continue
        by_id = {li["id"]: li for li in fo["_lines"]}
        given = pair.get("fulfillmentOrderLineItems")
        picks = []
        for item in given or [{"id": li["id"], "quantity": li["remainingQuantity"]} for li in
                              fo["_lines"] if li["remainingQuantity"] > 0]:  # fmt: skip
            li = by_id.get(item["id"])
            if li is None or not 0 < int(item["quantity"]) <= li["remainingQuantity"]:
                errors.append(_error("Invalid fulfillment order line item quantity requested.",
                                     [*where[:-1], "fulfillmentOrderLineItems"]))  # fmt: skip
                continue
            picks.append((li, int(item["quantity"])))
        chosen.append((fo, picks))
    if not wanted:
        errors.append(_error("Line items by fulfillment order can't be blank", ["fulfillment"]))
    if len({(fo["_order"], fo["_location"]) for fo, _ in chosen}) > 1:
        errors.append(
            _error("Fulfillment orders must belong to the same order and location", ["fulfillment"])
        )
    if errors:
        return {"fulfillment": None, "userErrors": errors}
    now = iso(store.clock())
    order = store.orders[chosen[0][0]["_order"]]
    made = {
        "__typename": "Fulfillment",
        "id": gid("Fulfillment", _seq(store, "_pickup_fulfillment_seq")),
        "legacyResourceId": str(len(fulfillments(store)) + 1),
        "name": f"{order['name']}-F{len(fulfillments(store)) + 1}",
        "status": "SUCCESS",
        "displayStatus": "FULFILLED",
        "createdAt": now,
        "updatedAt": now,
        "requiresShipping": False,
        "totalQuantity": sum(q for _, picks in chosen for _, q in picks),
        "trackingInfo": [],
        "_order": order["id"],
        "_location": chosen[0][0]["_location"],
        "_fulfillment_orders": [fo["id"] for fo, _ in chosen],
        "_message": message,
    }
    for fo, picks in chosen:
        for li, qty in picks:
            li["remainingQuantity"] -= qty
        fo["status"] = (
            "CLOSED"
            if all(li["remainingQuantity"] == 0 for li in fo["_lines"])
            else ("IN_PROGRESS")
        )
        fo["updatedAt"] = now
        fo["_fulfillments"].append(made)
    open_left = [
        fo for fo in table.values() if fo["_order"] == order["id"] and fo["status"] != "CLOSED"
    ]
    order["displayFulfillmentStatus"] = "PARTIALLY_FULFILLED" if open_left else "FULFILLED"
    order["updatedAt"] = now
    fulfillments(store).append(made)
    return {"fulfillment": made, "userErrors": []}


def attach_pickups(schema: GraphQLSchema) -> None:
    """Set the fulfillment-order resolvers on `schema` (beside resolvers.attach)."""
    root, mutations = schema.query_type, schema.mutation_type
    assert root is not None
    assert mutations is not None
    root.fields["fulfillmentOrders"].resolve = _list
    root.fields["fulfillmentOrder"].resolve = lambda _r, info, id: fulfillment_orders(
        info.context["store"]
    ).get(id)
    mutations.fields["fulfillmentCreate"].resolve = fulfillment_create
    fields = {
        "FulfillmentOrder": {
            "order": lambda fo, info: info.context["store"].orders[fo["_order"]],
            "assignedLocation": lambda fo, info: {
                "name": info.context["store"].locations[fo["_location"]].get("name", ""),
                "countryCode": "GB",
                "_location": fo["_location"],
            },
            "lineItems": lambda fo, info, **args: connection(info, fo["_lines"], args),
            "fulfillments": lambda fo, info, **args: connection(info, fo["_fulfillments"], args),
        },
        "FulfillmentOrderAssignedLocation": {
            "location": lambda a, info: info.context["store"].locations.get(a["_location"]),
        },
        "FulfillmentOrderLineItem": {"lineItem": lambda li, _info: li["_line"]},
        "Fulfillment": {
            "order": lambda f, info: info.context["store"].orders[f["_order"]],
            "location": lambda f, info: info.context["store"].locations.get(f["_location"]),
            "fulfillmentOrders": lambda f, info, **args: connection(
                info,
                [fulfillment_orders(info.context["store"])[i] for i in f["_fulfillment_orders"]],
                args,
            ),
        },
    }
    for type_name, resolvers in fields.items():
        typ = schema.get_type(type_name)
        assert isinstance(typ, GraphQLObjectType)
        for name, resolve in resolvers.items():
            typ.fields[name].resolve = resolve

"""Resolvers over the in-memory shop, attached to the real Admin schema's fields.

Connections page by id (ascending, as Shopify's default `ID` sort key): a cursor is the last id
it returned, so deletions between pages never shift one. `first`/`last` is required and at most
250 outside a bulk operation, as on Shopify. The `query:` argument understands the terms the
connector sends (`updated_at:>'2024-01-01T00:00:00Z'` and the other comparators, `status:`,
`id:`), joined by spaces (AND); any other term is refused, so the connector cannot come to rely
on a filter the simulator would silently ignore. Orders also take `source_identifier:"..."`
and `name:"#1001"` (exact), `tag:` and `created_at:`/`processed_at:` comparisons, as the `orders`
query documents.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from graphql import GraphQLError, GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema

from kiosk.sim.shopify.hooks import attach_hooks
from kiosk.sim.shopify.orders import attach_orders
from kiosk.sim.shopify.state import LOCATION, Obj, ShopifyStore, number_of

PAGE_MAX = 250
_TERM = re.compile(r"""^(\w+):(<=|>=|<|>)?(?:'([^']*)'|"([^"]*)"|(\S+))$""")
_SPLIT = re.compile(r"""(?:[^\s'"]+|'[^']*'|"[^"]*")+""")


def _store(info: GraphQLResolveInfo) -> ShopifyStore:
    store: ShopifyStore = info.context["store"]
    return store


def _bulk(info: GraphQLResolveInfo) -> bool:
    return bool(info.context.get("bulk"))


# -- search syntax ---------------------------------------------------------------------------------


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def matcher(query: str | None) -> Callable[[Obj], bool]:
    """A predicate for Shopify's search syntax, limited to the terms above."""
    tests: list[Callable[[Obj], bool]] = []
    for token in _SPLIT.findall(query or ""):
        if token == "AND":
            continue
        m = _TERM.match(token)
        if m is None:
            raise GraphQLError(f"simulator: unsupported search term {token!r}")
        name, op, *values = m.groups()
        value = next(v for v in values if v is not None)
        op = op or ":"
        if name in ("updated_at", "created_at", "processed_at"):
            key = {"updated_at": "updatedAt", "created_at": "createdAt"}.get(name, "processedAt")
            tests.append(_compare(key, op, _when(value), _when))
        elif name == "source_identifier" and op == ":":
            tests.append(_equals("sourceIdentifier", value))
        elif name == "name" and op == ":":
            tests.append(_equals("name", value))
        elif name == "tag" and op == ":":
            tests.append(_tagged(value))
        elif name == "id":
            tests.append(_compare("id", op, int(value), number_of))
        elif name == "status" and op == ":":
            tests.append(_status_in({s.strip().upper() for s in value.split(",")}))
        else:
            raise GraphQLError(f"simulator: unsupported search term {token!r}")
    return lambda obj: all(t(obj) for t in tests)


def _tagged(tag: str) -> Callable[[Obj], bool]:
    return lambda obj: tag.lower() in (t.lower() for t in obj.get("tags", ()))


def _equals(key: str, wanted: str) -> Callable[[Obj], bool]:
    return lambda obj: obj.get(key) == wanted


def _status_in(wanted: set[str]) -> Callable[[Obj], bool]:
    return lambda obj: obj.get("status") in wanted


def _compare(key: str, op: str, bound: Any, read: Callable[[Any], Any]) -> Callable[[Obj], bool]:
    def test(obj: Obj) -> bool:
        value = read(obj[key])
        return bool(
            {
                ":": value == bound,
                ">": value > bound,
                ">=": value >= bound,
                "<": value < bound,
                "<=": value <= bound,
            }[op]
        )

    return test


# -- connections -----------------------------------------------------------------------------------


def _cursor(obj: Obj) -> str:
    return base64.b64encode(json.dumps({"last_id": number_of(obj["id"])}).encode()).decode()


def _after(cursor: str) -> int:
    try:
        return int(json.loads(base64.b64decode(cursor))["last_id"])
    except (ValueError, KeyError, TypeError):
        raise GraphQLError(f"Invalid cursor for current pagination sort: {cursor}") from None


def connection(info: GraphQLResolveInfo, objs: Iterable[Obj], args: dict[str, Any]) -> Obj:
    """One page of `objs` as a Shopify connection (nodes, edges, pageInfo)."""
    items = sorted(
        (o for o in objs if matcher(args.get("query"))(o)), key=lambda o: number_of(o["id"])
    )
    if args.get("reverse"):
        items.reverse()
    first, last = args.get("first"), args.get("last")
    if not _bulk(info):
        if first is None and last is None:
            raise GraphQLError("you must provide one of first or last")
        if (first or last or 0) > PAGE_MAX:
            raise GraphQLError(f"The maximum number of records per page is {PAGE_MAX}.")
    start = 0
    if args.get("after"):
        bound = _after(args["after"])
        start = next((i for i, o in enumerate(items) if number_of(o["id"]) > bound), len(items))
    rest = items[start:]
    page = rest if first is None and last is None else rest[: first or last]
    return {
        "nodes": page,
        "edges": [{"cursor": _cursor(o), "node": o} for o in page],
        "pageInfo": {
            "hasNextPage": len(rest) > len(page),
            "hasPreviousPage": start > 0,
            "startCursor": _cursor(page[0]) if page else None,
            "endCursor": _cursor(page[-1]) if page else None,
        },
    }


# -- the fields ------------------------------------------------------------------------------------


def _level(store: ShopifyStore, item: Obj, location: str) -> Obj | None:
    level = item["_levels"].get(location)
    if level is None:
        return None
    return {
        "__typename": "InventoryLevel",
        "id": item["id"].replace("InventoryItem", "InventoryLevel"),
        "updatedAt": level["updatedAt"],
        "_item": item["id"],
        "_location": location,
        "_available": level["available"],
    }


def _query_fields(store_of: Callable[[GraphQLResolveInfo], ShopifyStore]) -> dict[str, Any]:
    def table(name: str) -> Callable[..., Obj]:
        def resolve(_root: Any, info: GraphQLResolveInfo, **args: Any) -> Obj:
            return connection(info, getattr(store_of(info), name).values(), args)

        return resolve

    def locations(_root: Any, info: GraphQLResolveInfo, **args: Any) -> Obj:
        found = [
            loc
            for loc in store_of(info).locations.values()
            if loc["isActive"] or args.get("includeInactive")
        ]
        return connection(info, found, args)

    def products_count(_root: Any, info: GraphQLResolveInfo, **args: Any) -> Obj:
        match = matcher(args.get("query"))
        n = sum(1 for p in store_of(info).products.values() if match(p))
        return {"count": n, "precision": "EXACT"}

    def nodes(_root: Any, info: GraphQLResolveInfo, ids: list[str]) -> list[Obj | None]:
        if len(ids) > PAGE_MAX:
            raise GraphQLError(f"The input array size of {len(ids)} is greater than {PAGE_MAX}.")
        return [store_of(info).node(i) for i in ids]

    def node(_root: Any, info: GraphQLResolveInfo, id: str) -> Obj | None:
        return store_of(info).node(id) or info.context["bulk_runner"].read(id)

    def location(_root: Any, info: GraphQLResolveInfo, id: str | None = None) -> Obj | None:
        return store_of(info).locations.get(id or LOCATION)

    return {
        "products": table("products"),
        "collections": table("collections"),
        "customers": table("customers"),
        "orders": table("orders"),
        "order": lambda _root, info, id: store_of(info).orders.get(id),
        "locations": locations,
        "webhookSubscriptions": lambda _root, info, **args: connection(
            info, store_of(info).webhooks.values(), args
        ),
        "productsCount": products_count,
        "nodes": nodes,
        "node": node,
        "shop": lambda _root, info: store_of(info).shop,
        "location": location,
        "product": lambda _root, info, id: store_of(info).products.get(id),
        "currentAppInstallation": lambda _root, info: {
            "accessScopes": [{"handle": h} for h in store_of(info).scopes]
        },
        "bulkOperation": lambda _root, info, id: info.context["bulk_runner"].read(id),
        "currentBulkOperation": lambda _root, info, **_: info.context["bulk_runner"].current(),
    }


def _object_fields() -> dict[str, dict[str, Any]]:
    def variants(product: Obj, info: GraphQLResolveInfo, **args: Any) -> Obj:
        store = _store(info)
        return connection(info, (store.variants[v] for v in product["_variants"]), args)

    def collections(product: Obj, info: GraphQLResolveInfo, **args: Any) -> Obj:
        store = _store(info)
        objs = (store.collections[c] for c in product["_collections"] if c in store.collections)
        return connection(info, objs, args)

    def inventory_level(item: Obj, info: GraphQLResolveInfo, locationId: str, **_: Any) -> Any:
        return _level(_store(info), item, locationId)

    def quantities(level: Obj, _info: GraphQLResolveInfo, names: list[str]) -> list[Obj]:
        known = {"available": level["_available"], "on_hand": level["_available"]}
        return [
            {"id": f"{level['id']}&name={n}", "name": n, "quantity": known[n], "updatedAt": None}
            for n in names
            if n in known
        ]

    def inventory_levels(location: Obj, info: GraphQLResolveInfo, **args: Any) -> Obj:
        store = _store(info)
        levels = [
            lv for item in store.items.values() if (lv := _level(store, item, location["id"]))
        ]
        return connection(info, levels, args)

    return {
        "Product": {
            "variants": variants,
            "collections": collections,
            "options": lambda p, _info, first=None: p["options"][:first],
        },
        "ProductVariant": {
            "inventoryItem": lambda v, info: _store(info).items[v["_item"]],
            "product": lambda v, info: _store(info).products[v["_product"]],
        },
        "InventoryItem": {
            "inventoryLevel": inventory_level,
            "variant": lambda item, info: _store(info).variants[item["_variant"]],
        },
        "InventoryLevel": {
            "quantities": quantities,
            "item": lambda lv, info: _store(info).items[lv["_item"]],
            "location": lambda lv, info: _store(info).locations[lv["_location"]],
        },
        "Location": {"inventoryLevels": inventory_levels},
        **_order_fields(),
    }


def _order_fields() -> dict[str, dict[str, Any]]:
    def first_of(key: str) -> Callable[..., list[Obj]]:
        return lambda obj, _info, first=None, **_: obj[key][:first]

    return {
        "Order": {
            "lineItems": lambda o, info, **args: connection(info, o["_lines"], args),
            "refunds": first_of("_refunds"),
            "transactions": first_of("transactions"),
            "customer": lambda o, info: _store(info).customers.get(o["_customer"] or ""),
        },
        "LineItem": {
            "variant": lambda li, info: _store(info).variants.get(li["_variant"] or ""),
            "product": lambda li, info: _store(info).products.get(li["_product"] or ""),
        },
        "Refund": {
            "refundLineItems": lambda r, info, **args: connection(info, r["_lines"], args),
            "transactions": lambda r, info, **args: connection(info, r["_transactions"], args),
            "order": lambda r, info: _store(info).orders[r["_order"]],
        },
        "RefundLineItem": {
            "lineItem": lambda rli, _info: rli["_line"],
            "location": lambda rli, info: _store(info).locations.get(rli["_location"] or ""),
        },
        "OrderTransaction": {
            "location": lambda t, info: _store(info).locations.get(t["_location"] or ""),
        },
    }


def _run_bulk(root: Any, info: GraphQLResolveInfo, **args: Any) -> Obj:
    result: Obj = info.context["bulk_runner"].run(root, info, **args)
    return result


def attach(schema: GraphQLSchema) -> None:
    """Set the simulator's resolvers on `schema`'s fields; each request's context holds the
    shop ("store") and its bulk operations ("bulk_runner"), so one schema serves every sim."""
    root = schema.query_type
    assert root is not None
    assert schema.mutation_type is not None
    for name, resolve in _query_fields(_store).items():
        root.fields[name].resolve = resolve
    for type_name, fields in _object_fields().items():
        typ = schema.get_type(type_name)
        assert isinstance(typ, GraphQLObjectType)
        for name, resolve in fields.items():
            typ.fields[name].resolve = resolve
    schema.mutation_type.fields["bulkOperationRunQuery"].resolve = _run_bulk
    attach_orders(schema)
    attach_hooks(schema)

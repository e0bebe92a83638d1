"""The simulated shop's orders and refunds: orderCreate, refundCreate, orders(query:), order.

What it relies on (shopify.dev, Admin GraphQL 2026-10: orderCreate, OrderCreateOrderInput,
OrderCreateOptionsInput, OrderCreateInputsInventoryBehavior, refundCreate, RefundInput,
RefundLineItemInput, RefundLineItemRestockType, "Idempotent requests", the `orders` query's
search fields; checked against the schema's own descriptions):
- orderCreate has no idempotency key (it is not among the mutations that document `@idempotent`,
  and the directive is refused on it): each call that passes makes a new order. The caller finds
  an earlier one by `sourceIdentifier`, which `orders(query: "source_identifier:...")` searches.
- Inventory is claimed only when `options.inventoryBehaviour` says so (the default is BYPASS):
  DECREMENT_IGNORING_POLICY takes the quantities even below zero, DECREMENT_OBEYING_POLICY refuses
  the order (INVENTORY_CLAIM_FAILED) when a tracked DENY variant has too few. The location is the
  `fulfillment.locationId` when the order is created fulfilled, else the primary location.
- Tax lines are taken as given (per line item, or on the order but not both); the total is the
  lines' prices times quantities, less the discount code's fixed amount, plus the taxes unless
  `taxesIncluded`. `processedAt` in the future is clamped to now (as of 2026-07). The financial
  status follows the transactions: PAID when successful SALEs cover the total.
- refundCreate REQUIRES `@idempotent(key:)` as of 2026-04: a repeat of a key returns the first
  call's result and changes nothing. Refund line items restock at `locationId` when their
  restockType is RETURN or CANCEL (NO_RESTOCK leaves stock alone); REFUND transactions record
  money returned through the given gateway, at most what was captured unless
  `allowOverRefunding`.
- Errors come back as `userErrors {field message code}`, the order or refund null. The wording
  of the messages is the simulator's own (Shopify's exact texts are not documented).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo, GraphQLSchema, value_from_ast_untyped

from kiosk.sim.shopify.state import LOCATION, Obj, ShopifyStore, gid, iso

IDEMPOTENT = "idempotent"


def _store(info: GraphQLResolveInfo) -> ShopifyStore:
    store: ShopifyStore = info.context["store"]
    return store


def _key(info: GraphQLResolveInfo) -> str | None:
    """The `@idempotent(key:)` on this mutation field, if it has one."""
    for directive in info.field_nodes[0].directives or ():
        if directive.name.value == IDEMPOTENT:
            for arg in directive.arguments:
                if arg.name.value == "key":
                    value = value_from_ast_untyped(arg.value, info.variable_values)
                    return str(value) if value is not None else None
    return None


def _error(message: str, field: list[str] | None = None, code: str | None = None) -> Obj:
    return {"field": field, "message": message, "code": code}


def _amount(bag: Any) -> Decimal:
    """A MoneyBagInput's shop amount."""
    try:
        return Decimal(str(((bag or {}).get("shopMoney") or {}).get("amount", "0")))
    except InvalidOperation:
        raise GraphQLError(f"Invalid decimal: {bag!r}") from None


def _bag(amount: Decimal, currency: str) -> Obj:
    money = {"amount": f"{amount:.2f}", "currencyCode": currency}
    return {"shopMoney": money, "presentmentMoney": money}


def _when(text: str | None, now: datetime) -> str:
    if not text:
        return iso(now)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return iso(min(moment, now))  # future values are clamped to now (2026-07 on)


# -- orderCreate -----------------------------------------------------------------------------------


def order_create(
    _root: Any, info: GraphQLResolveInfo, order: Obj, options: Obj | None = None
) -> Obj:
    if _key(info) is not None:
        raise GraphQLError("The @idempotent directive is not supported on the orderCreate field.")
    store = _store(info)
    options = options or {}
    behaviour = options.get("inventoryBehaviour") or "BYPASS"
    currency = order.get("currency") or store.shop["currencyCode"]
    location = (order.get("fulfillment") or {}).get("locationId") or LOCATION
    errors: list[Obj] = []
    if location not in store.locations:
        errors.append(_error("Location does not exist", ["order", "fulfillment", "locationId"]))
    lines_in = order.get("lineItems") or []
    if not lines_in:
        errors.append(_error("Line items must have at least one line item", ["order", "lineItems"]))
    if order.get("taxLines") and any(li.get("taxLines") for li in lines_in):
        errors.append(
            _error(
                "Tax lines can be specified on the order or the line items but not both",
                ["order", "taxLines"],
                "INVALID",
            )
        )
    claims: dict[str, int] = {}
    for i, line in enumerate(lines_in):
        where = ["order", "lineItems", str(i)]
        if int(line.get("quantity") or 0) < 1:
            errors.append(_error("Quantity must be at least 1", [*where, "quantity"]))
        vid = line.get("variantId")
        if vid is None:
            if not line.get("title"):
                errors.append(_error("Title can't be blank for a custom line item", where))
            continue
        variant = store.variants.get(vid)
        if variant is None:
            errors.append(_error(f"Variant {vid} does not exist", [*where, "variantId"], "INVALID"))
            continue
        for tax in line.get("taxLines") or ():
            if tax.get("rate") is None:
                errors.append(_error("Tax line rate is missing", where, "TAX_LINE_RATE_MISSING"))
        claims[vid] = claims.get(vid, 0) + int(line.get("quantity") or 0)
    customer = order.get("customer") or {}
    associate = (customer.get("toAssociate") or {}).get("id")
    if associate and associate not in store.customers:
        errors.append(_error("Customer does not exist", ["order", "customer", "toAssociate", "id"]))
    if associate and order.get("customerId"):
        errors.append(
            _error("Only one of customer or customerId", ["order"], "REDUNDANT_CUSTOMER_FIELDS")
        )
    if not errors and behaviour == "DECREMENT_OBEYING_POLICY":
        for vid, qty in claims.items():
            variant = store.variants[vid]
            item = store.items[variant["_item"]]
            level = item["_levels"].get(location, {"available": 0})
            short = level["available"] < qty
            if item["tracked"] and variant["inventoryPolicy"] == "DENY" and short:
                errors.append(
                    _error(
                        f"{variant.get('sku') or vid} is out of stock at the location",
                        ["order", "lineItems"],
                        "INVENTORY_CLAIM_FAILED",
                    )
                )
    if errors:
        return {"order": None, "userErrors": errors}
    if behaviour != "BYPASS":
        for vid, qty in claims.items():
            store.take_stock(vid, qty, location)
    store.order_seq += 1
    built = build_order(store, order, number=store.order_seq, currency=currency, location=location)
    store.orders[built["id"]] = built
    return {"order": built, "userErrors": []}


def build_order(
    store: ShopifyStore, spec: Obj, *, number: int, currency: str, location: str
) -> Obj:
    """The order dict for an accepted orderCreate input (ids, totals and statuses filled in)."""
    now = store.clock()
    included = bool(spec.get("taxesIncluded"))
    lines, gross, tax = [], Decimal(0), Decimal(0)
    for line in spec.get("lineItems") or ():
        store.line_seq += 1
        variant = store.variants.get(line.get("variantId") or "")
        qty = int(line["quantity"])
        title = line.get("title") or (variant and store.products[variant["_product"]]["title"])
        price = (
            _amount(line.get("priceSet"))
            if line.get("priceSet")
            else Decimal(variant["price"] if variant else "0")
        )
        taxes = [
            {
                "title": t["title"],
                "rate": str(t["rate"]),
                "priceSet": _bag(_amount(t.get("priceSet")), currency),
                "channelLiable": bool(t.get("channelLiable")),
            }
            for t in line.get("taxLines") or ()
        ]
        tax += sum((_amount(t["priceSet"]) for t in taxes), Decimal(0))
        gross += price * qty
        lines.append(
            {
                "__typename": "LineItem",
                "id": gid("LineItem", store.line_seq),
                "name": title,
                "title": title,
                "sku": line.get("sku") or (variant or {}).get("sku"),
                "quantity": qty,
                "currentQuantity": qty,
                "refundableQuantity": qty,
                "taxable": bool(line.get("taxable", True)),
                "taxLines": taxes,
                "originalUnitPriceSet": _bag(price, currency),
                "originalTotalSet": _bag(price * qty, currency),
                # The fixed discount code stays on the order: none of it is allocated to lines.
                "discountAllocations": [],
                "_variant": variant["id"] if variant else None,
                "_product": variant["_product"] if variant else line.get("productId"),
            }
        )
    for t in spec.get("taxLines") or ():
        tax += _amount(t.get("priceSet"))
    discount = Decimal(0)
    code = (spec.get("discountCode") or {}).get("itemFixedDiscountCode")
    if code:
        discount = _amount(code.get("amountSet"))
    total = gross - discount + (Decimal(0) if included else tax)
    processed = _when(spec.get("processedAt"), now)
    transactions = []
    paid = Decimal(0)
    for t in spec.get("transactions") or ():
        store.transaction_seq += 1
        amount = _amount(t.get("amountSet"))
        kind, status = t.get("kind") or "SALE", t.get("status") or "SUCCESS"
        if kind in ("SALE", "CAPTURE") and status == "SUCCESS":
            paid += amount
        transactions.append(
            {
                "__typename": "OrderTransaction",
                "id": gid("OrderTransaction", store.transaction_seq),
                "kind": kind,
                "status": status,
                "gateway": t.get("gateway") or "manual",
                "authorizationCode": t.get("authorizationCode"),
                "receiptJson": t.get("receiptJson"),
                "amountSet": _bag(amount, currency),
                "processedAt": _when(t.get("processedAt"), now),
                "createdAt": iso(now),
                "test": bool(t.get("test")),
                "_location": t.get("locationId"),
                "_parent": None,
            }
        )
    financial = spec.get("financialStatus") or ("PAID" if paid >= total else "PENDING")
    return {
        "__typename": "Order",
        "id": gid("Order", number),
        "legacyResourceId": str(number),
        "name": spec.get("name") or f"#{1000 + number}",
        "sourceIdentifier": spec.get("sourceIdentifier"),
        "sourceName": spec.get("sourceName"),
        "note": spec.get("note"),
        "tags": list(spec.get("tags") or ()),
        "customAttributes": [
            {"key": a["key"], "value": a["value"]} for a in spec.get("customAttributes") or ()
        ],
        "email": spec.get("email"),
        "test": bool(spec.get("test")),
        "currencyCode": currency,
        "taxesIncluded": included,
        "processedAt": processed,
        "createdAt": iso(now),
        "updatedAt": iso(now),
        "displayFinancialStatus": financial,
        "displayFulfillmentStatus": "FULFILLED" if spec.get("fulfillment") else "UNFULFILLED",
        "totalPriceSet": _bag(total, currency),
        "currentTotalPriceSet": _bag(total, currency),
        "subtotalPriceSet": _bag(gross - discount, currency),
        "totalTaxSet": _bag(tax, currency),
        "totalDiscountsSet": _bag(discount, currency),
        "totalRefundedSet": _bag(Decimal(0), currency),
        "_lines": lines,
        "transactions": transactions,
        "_refunds": [],
        "_location": location,
        "_customer": ((spec.get("customer") or {}).get("toAssociate") or {}).get("id"),
    }


# -- refundCreate ----------------------------------------------------------------------------------


def refund_create(_root: Any, info: GraphQLResolveInfo, input: Obj) -> Obj:
    key = _key(info)
    if key is None or not key.strip():
        raise GraphQLError(
            "The @idempotent directive with a key is required for the refundCreate mutation."
        )
    store = _store(info)
    if key in store.idempotent:
        return store.idempotent[key]  # the first call's result, nothing done again
    result = _refund(store, input)
    if result["refund"] is not None:
        store.idempotent[key] = result
    return result


def _refund(store: ShopifyStore, spec: Obj) -> Obj:
    order = store.orders.get(spec["orderId"])
    if order is None:
        return {
            "refund": None,
            "order": None,
            "userErrors": [_error("Order does not exist", ["orderId"])],
        }
    currency = order["currencyCode"]
    lines = {li["id"]: li for li in order["_lines"]}
    errors: list[Obj] = []
    for i, rli in enumerate(spec.get("refundLineItems") or ()):
        where = ["refundLineItems", str(i)]
        line = lines.get(rli["lineItemId"])
        if line is None:
            errors.append(_error("Line item does not exist", [*where, "lineItemId"]))
        elif rli["quantity"] < 1 or rli["quantity"] > line["refundableQuantity"]:
            errors.append(
                _error(
                    f"Quantity cannot refund more items than were purchased "
                    f"({line['refundableQuantity']} left)",
                    [*where, "quantity"],
                )
            )
        kind = rli.get("restockType") or "NO_RESTOCK"
        if kind == "LEGACY_RESTOCK":
            errors.append(_error("Restock type LEGACY_RESTOCK is not accepted", [*where]))
        if kind in ("RETURN", "CANCEL") and rli.get("locationId") not in store.locations:
            errors.append(_error("Location does not exist", [*where, "locationId"]))
    sales = {t["id"]: t for t in order["transactions"] if t["kind"] in ("SALE", "CAPTURE")}
    captured = sum((_amount(t["amountSet"]) for t in sales.values()), Decimal(0))
    refunded = _amount(order["totalRefundedSet"])
    asked = Decimal(0)
    for i, t in enumerate(spec.get("transactions") or ()):
        where = ["transactions", str(i)]
        if t["kind"] != "REFUND":
            errors.append(_error("Transaction kind must be refund", [*where, "kind"]))
        if t["orderId"] != order["id"]:
            errors.append(_error("Transaction is for another order", [*where, "orderId"]))
        parent = t.get("parentId")
        if parent is not None and parent not in sales:
            errors.append(_error("Parent transaction does not exist", [*where, "parentId"]))
        asked += Decimal(str(t["amount"]))
    if asked > captured - refunded and not spec.get("allowOverRefunding"):
        errors.append(
            _error(
                f"Refund amount {asked:.2f} is greater than net payment received "
                f"{captured - refunded:.2f}",
                ["transactions"],
            )
        )
    if errors:
        return {"refund": None, "order": None, "userErrors": errors}
    now = store.clock()
    store.refund_seq += 1
    refund_lines = []
    for rli in spec.get("refundLineItems") or ():
        line = lines[rli["lineItemId"]]
        line["refundableQuantity"] -= rli["quantity"]
        line["currentQuantity"] -= rli["quantity"]
        kind = rli.get("restockType") or "NO_RESTOCK"
        if kind in ("RETURN", "CANCEL") and line["_variant"] in store.variants:
            store.take_stock(line["_variant"], -rli["quantity"], rli["locationId"])
        store.line_seq += 1
        refund_lines.append(
            {
                "__typename": "RefundLineItem",
                "id": gid("RefundLineItem", store.line_seq),
                "quantity": rli["quantity"],
                "restockType": kind,
                "restocked": kind in ("RETURN", "CANCEL"),
                "_line": line,
                "_location": rli.get("locationId"),
            }
        )
    transactions = []
    for t in spec.get("transactions") or ():
        store.transaction_seq += 1
        transactions.append(
            {
                "__typename": "OrderTransaction",
                "id": gid("OrderTransaction", store.transaction_seq),
                "kind": "REFUND",
                "status": "SUCCESS",
                "gateway": t["gateway"],
                "authorizationCode": None,
                "receiptJson": None,
                "amountSet": _bag(Decimal(str(t["amount"])), currency),
                "processedAt": _when(spec.get("processedAt"), now),
                "createdAt": iso(now),
                "test": False,
                "_location": None,
                "_parent": t.get("parentId"),
            }
        )
    refund = {
        "__typename": "Refund",
        "id": gid("Refund", store.refund_seq),
        "legacyResourceId": str(store.refund_seq),
        "note": spec.get("note"),
        "createdAt": iso(now),
        "updatedAt": iso(now),
        "processedAt": _when(spec.get("processedAt"), now),
        "totalRefundedSet": _bag(asked, currency),
        "_lines": refund_lines,
        "_transactions": transactions,
        "_order": order["id"],
    }
    order["_refunds"].append(refund)
    order["transactions"].extend(transactions)
    order["totalRefundedSet"] = _bag(refunded + asked, currency)
    remaining = _amount(order["totalPriceSet"]) - refunded - asked
    order["currentTotalPriceSet"] = _bag(remaining, currency)
    order["displayFinancialStatus"] = "REFUNDED" if remaining <= 0 else "PARTIALLY_REFUNDED"
    order["updatedAt"] = iso(now)
    return {"refund": refund, "order": order, "userErrors": []}


def attach_orders(schema: GraphQLSchema) -> None:
    """The order mutations' resolvers (the query fields are set with the others)."""
    assert schema.mutation_type is not None
    schema.mutation_type.fields["orderCreate"].resolve = order_create
    schema.mutation_type.fields["refundCreate"].resolve = refund_create

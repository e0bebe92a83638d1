"""Web orders for in-store pickup as the location's fulfillment orders, and their completion.

What it relies on (shopify.dev, Admin GraphQL 2026-10: QueryRoot.fulfillmentOrders,
FulfillmentOrder, FulfillmentOrderStatus, DeliveryMethod.methodType, fulfillmentCreate,
FulfillmentInput; checked against the pinned schema's own descriptions):
- Each order's items to hand over at a location are a FulfillmentOrder assigned to it;
  `fulfillmentOrders(query: "assigned_location_id:<id>")` lists the location's (closed ones only
  with includeClosed). One the customer chose to collect has `deliveryMethod.methodType`
  PICK_UP. It waits while OPEN or IN_PROGRESS (SCHEDULED and ON_HOLD are not ready yet).
- Handing it over is `fulfillmentCreate` for the whole fulfillment order (no line items given:
  all of them), `notifyCustomer: false`; the fulfillment order becomes CLOSED. fulfillmentCreate
  takes no `@idempotent` key (its description does not document one), and Shopify refuses a
  second one for a closed fulfillment order with a userError. So the status is looked up before
  any retry (pickup_state), and a refusal is checked the same way: CLOSED with a successful
  fulfillment is done, whoever did it.
- CANCELLED, or CLOSED without a fulfillment (closed by hand), cannot be collected any more.
Marking it ready first (fulfillmentOrderLineItemsPreparedForPickup, which e-mails the customer)
is the shop's business before the customer comes, not the till's.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from kiosk.core.money import Money
from kiosk.core.pickup import PickupLine, PickupOrder, PickupState

WAITING = frozenset({"OPEN", "IN_PROGRESS"})
PICK_UP = "PICK_UP"

LIST = """
query KioskPickups($first: Int!, $after: String, $query: String) {
  fulfillmentOrders(first: $first, after: $after, query: $query) {
    nodes {
      id
      status
      orderName
      orderProcessedAt
      deliveryMethod { methodType }
      assignedLocation { location { id } }
      order {
        id
        email
        phone
        note
        totalPriceSet { shopMoney { amount currencyCode } }
        customer {
          displayName
          defaultEmailAddress { emailAddress }
          defaultPhoneNumber { phoneNumber }
        }
      }
      lineItems(first: 50) {
        nodes { id productTitle variantTitle sku remainingQuantity }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

STATE = """
query KioskPickupState($id: ID!) {
  fulfillmentOrder(id: $id) {
    id
    status
    fulfillments(first: 5) { nodes { id status } }
  }
}
"""

COMPLETE = """
mutation KioskPickupComplete($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status }
    userErrors { field message }
  }
}
"""

DOCUMENTS = {"LIST": LIST, "STATE": STATE, "COMPLETE": COMPLETE}


def location_query(location: str) -> str:
    """The search for the location's fulfillment orders (the numeric tail of its GID)."""
    return f"assigned_location_id:{location.rsplit('/', 1)[-1]}"


def _line(node: Mapping[str, Any]) -> PickupLine:
    title = str(node.get("productTitle") or "")
    variant = node.get("variantTitle")
    if variant and variant != "Default Title":
        title = f"{title} - {variant}"
    return PickupLine(title, str(node.get("sku") or ""), int(node.get("remainingQuantity") or 0))


def waiting(node: Mapping[str, Any], location: str, *, local_only: bool) -> bool:
    """Whether a listed fulfillment order is one to hand over here."""
    at = ((node.get("assignedLocation") or {}).get("location") or {}).get("id")
    method = (node.get("deliveryMethod") or {}).get("methodType")
    return (
        at == location and node.get("status") in WAITING and (not local_only or method == PICK_UP)
    )


def pickup_from_shopify(node: Mapping[str, Any]) -> PickupOrder:
    """A fulfillment order as a PickupOrder (ValueError when it is not one)."""
    order = node.get("order") or {}
    money = (order.get("totalPriceSet") or {}).get("shopMoney") or {}
    customer = order.get("customer") or {}
    email = order.get("email") or (customer.get("defaultEmailAddress") or {}).get("emailAddress")
    phone = order.get("phone") or (customer.get("defaultPhoneNumber") or {}).get("phoneNumber")
    if not isinstance(node.get("id"), str) or not money.get("currencyCode"):
        raise ValueError("a fulfillment order has no id or no order total")
    return PickupOrder(
        remote_id=node["id"],
        number=str(node.get("orderName") or ""),
        customer=str(customer.get("displayName") or ""),
        email=str(email or ""),
        phone=str(phone or ""),
        placed_at=datetime.fromisoformat(str(node["orderProcessedAt"]).replace("Z", "+00:00")),
        total=Money.parse(str(money.get("amount") or "0"), str(money["currencyCode"])),
        lines=tuple(_line(li) for li in (node.get("lineItems") or {}).get("nodes") or ()),
        status=str(node.get("status") or ""),
        note=str(order.get("note") or ""),
    )


def complete_variables(remote_id: str) -> dict[str, Any]:
    return {
        "fulfillment": {
            "lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": remote_id}],
            "notifyCustomer": False,
        }
    }


def state_of(node: Mapping[str, Any] | None) -> PickupState:
    """Where a fulfillment order (STATE's answer) is, as the device understands it."""
    if not isinstance(node, Mapping):
        return PickupState.GONE
    status = node.get("status")
    fulfilled = any(
        isinstance(f, Mapping) and f.get("status") == "SUCCESS"
        for f in (node.get("fulfillments") or {}).get("nodes") or ()
    )
    if status == "CLOSED":
        return PickupState.COLLECTED if fulfilled else PickupState.GONE
    if status == "CANCELLED":
        return PickupState.GONE
    return PickupState.WAITING

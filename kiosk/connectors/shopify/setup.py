"""Provisioning a Shopify shop: the token and its scopes checked at once, the till's location
picked, and the device's webhooks registered where the shop can reach them.

What it relies on (shopify.dev, Admin GraphQL 2026-10: currentAppInstallation.accessScopes,
Location (isActive, isPrimary), locations(includeInactive:), webhookSubscriptions,
webhookSubscriptionCreate(topic, webhookSubscription: {uri, name}), webhookSubscriptionDelete,
"About webhooks"): a token's scopes are listed by handle; a shop has one or more locations, one
of them primary; a subscription made through the API is signed with the app's client secret
(not a secret of its own), so the device can check deliveries only when it knows that secret.
Registration is idempotent, as WooCommerce's: ours (recognised by name) pointing at the right
address are kept, ours pointing elsewhere deleted, missing topics created.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.connectors.errors import BadResponse, NotFound, PermissionDenied, Rejected
from kiosk.connectors.shopify.client import ShopifyClient
from kiosk.connectors.shopify.orders import user_errors

# What the device does with the token: read the catalog, stock, customers and locations; write
# orders (orderCreate, refundCreate) and read them back (the lookup before a retry).
REQUIRED_SCOPES = (
    "read_products",
    "read_inventory",
    "read_customers",
    "read_locations",
    "read_orders",
    "write_orders",
)
TOPICS = (
    "PRODUCTS_CREATE",
    "PRODUCTS_UPDATE",
    "PRODUCTS_DELETE",
    "INVENTORY_LEVELS_UPDATE",
    "CUSTOMERS_CREATE",
    "CUSTOMERS_UPDATE",
    "CUSTOMERS_DELETE",
)
NAME_PREFIX = "Universal Offline POS"

SETUP = """
query KioskSetup {
  shop { name currencyCode myshopifyDomain }
  currentAppInstallation { accessScopes { handle } }
  locations(first: 50, includeInactive: false, sortKey: ID) {
    nodes { id name isActive isPrimary fulfillsOnlineOrders }
  }
}
"""

HOOKS = """
query KioskHooks {
  webhookSubscriptions(first: 100) { nodes { id topic uri name } }
}
"""

HOOK_CREATE = """
mutation KioskHookCreate($topic: WebhookSubscriptionTopic!, $hook: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $hook) {
    webhookSubscription { id topic uri }
    userErrors { field message }
  }
}
"""

HOOK_DELETE = """
mutation KioskHookDelete($id: ID!) {
  webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { field message } }
}
"""

DOCUMENTS = {"SETUP": SETUP, "HOOKS": HOOKS, "HOOK_CREATE": HOOK_CREATE, "HOOK_DELETE": HOOK_DELETE}


@dataclass(frozen=True, slots=True)
class Location:
    id: str
    name: str
    primary: bool


@dataclass(frozen=True, slots=True)
class ShopCheck:
    name: str
    currency: str
    domain: str
    location: Location


class PickLocation(ValueError):
    """The shop has several locations and none was named: which one is this till's?"""

    def __init__(self, locations: tuple[Location, ...]) -> None:
        self.locations = locations
        names = "; ".join(
            f"{loc.id.rsplit('/', 1)[-1]} {loc.name}{' (primary)' if loc.primary else ''}"
            for loc in locations
        )
        super().__init__(
            f"the shop has {len(locations)} locations: pick this till's with --location ID "
            f"({names})"
        )


def location_gid(location: str) -> str:
    return f"gid://shopify/Location/{location}" if location.isdigit() else location


async def check_shop(client: ShopifyClient, location: str = "") -> ShopCheck:
    """The shop, with every scope the device needs and the till's location, or the error a person
    can fix (PermissionDenied naming the missing scopes, NotFound, PickLocation)."""
    data = await client.query(SETUP, name="setup")
    shop = data.get("shop")
    if not isinstance(shop, dict):
        raise BadResponse("Shopify answered no shop")
    granted = {
        s.get("handle")
        for s in (data.get("currentAppInstallation") or {}).get("accessScopes") or ()
        if isinstance(s, dict)
    }
    missing = [s for s in REQUIRED_SCOPES if s not in granted]
    if missing:
        raise PermissionDenied(
            f"the access token lacks the scopes {', '.join(missing)}: grant them in the app's "
            "Admin API configuration (Settings > Apps > Develop apps), then install it again"
        )
    found = tuple(
        Location(str(n["id"]), str(n.get("name") or ""), bool(n.get("isPrimary")))
        for n in (data.get("locations") or {}).get("nodes") or ()
        if isinstance(n, dict) and n.get("isActive", True)
    )
    if location:
        wanted = location_gid(location)
        picked = next((loc for loc in found if loc.id == wanted), None)
        if picked is None:
            known = ", ".join(f"{loc.id.rsplit('/', 1)[-1]} {loc.name}" for loc in found)
            raise NotFound(f"the shop has no active location {location} (it has: {known})")
    elif len(found) == 1:
        picked = found[0]
    elif not found:
        raise NotFound("the shop has no active location to sell from (Settings > Locations)")
    else:
        raise PickLocation(found)
    return ShopCheck(
        name=str(shop.get("name") or ""),
        currency=str(shop.get("currencyCode") or ""),
        domain=str(shop.get("myshopifyDomain") or ""),
        location=picked,
    )


@dataclass(frozen=True, slots=True)
class Registration:
    created: tuple[str, ...]
    kept: tuple[str, ...]
    removed: int

    def __str__(self) -> str:
        return f"{len(self.created)} registered, {len(self.kept)} kept, {self.removed} removed"


async def register_webhooks(client: ShopifyClient, delivery_url: str) -> Registration:
    """Subscribe the device's address to TOPICS (Shopify signs with the app's secret)."""
    data = await client.query(HOOKS, name="webhooks")
    hooks = (data.get("webhookSubscriptions") or {}).get("nodes") or ()
    kept: list[str] = []
    removed = 0
    for hook in hooks:
        if not str(hook.get("name") or "").startswith(NAME_PREFIX):
            continue  # another app's or the merchant's own
        topic = str(hook.get("topic"))
        if hook.get("uri") == delivery_url and topic in TOPICS and topic not in kept:
            kept.append(topic)
            continue
        answer = await client.query(HOOK_DELETE, {"id": hook["id"]}, name="webhook delete")
        errors = (answer.get("webhookSubscriptionDelete") or {}).get("userErrors")
        if errors:
            raise Rejected(f"Shopify kept an old webhook: {user_errors(errors)}", status=422)
        removed += 1
    created = [t for t in TOPICS if t not in kept]
    for topic in created:
        hook_input = {"uri": delivery_url, "name": f"{NAME_PREFIX}: {topic}", "format": "JSON"}
        answer = await client.query(
            HOOK_CREATE, {"topic": topic, "hook": hook_input}, name="webhook create"
        )
        errors = (answer.get("webhookSubscriptionCreate") or {}).get("userErrors")
        if errors:
            raise Rejected(
                f"Shopify refused the webhook {topic}: {user_errors(errors)}", status=422
            )
    return Registration(tuple(created), tuple(kept), removed)

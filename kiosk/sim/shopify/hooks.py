"""The simulated shop's webhook subscriptions: webhookSubscriptions, webhookSubscriptionCreate,
webhookSubscriptionDelete.

What it relies on (shopify.dev, Admin GraphQL 2026-10: WebhookSubscriptionInput (`uri`, the
deprecated `callbackUrl`), WebhookSubscriptionTopic, "About webhooks"): a subscription is one
topic delivered to one URI; the URI must be HTTPS (Pub/Sub and EventBridge aside: not simulated),
and one app may not subscribe the same topic to the same URI twice. Deliveries are signed with
the app's client secret. Messages are the simulator's own wording.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo, GraphQLSchema

from kiosk.sim.shopify.state import Obj, ShopifyStore, gid


def _store(info: GraphQLResolveInfo) -> ShopifyStore:
    store: ShopifyStore = info.context["store"]
    return store


def _create(_root: Any, info: GraphQLResolveInfo, topic: str, webhookSubscription: Obj) -> Obj:
    store = _store(info)
    uri = webhookSubscription.get("uri") or webhookSubscription.get("callbackUrl") or ""
    error = None
    if not str(uri).startswith("https://"):
        error = {
            "field": ["webhookSubscription", "uri"],
            "message": "Address protocol must be https",
        }
    elif any(h["topic"] == topic and h["uri"] == uri for h in store.webhooks.values()):
        error = {
            "field": ["webhookSubscription", "uri"],
            "message": "Address for this topic has already been taken",
        }
    if error:
        return {"webhookSubscription": None, "userErrors": [error]}
    store.webhook_seq += 1
    hid = gid("WebhookSubscription", store.webhook_seq)
    hook = {
        "__typename": "WebhookSubscription",
        "id": hid,
        "topic": topic,
        "uri": uri,
        "callbackUrl": uri,
        "name": webhookSubscription.get("name"),
        "format": webhookSubscription.get("format") or "JSON",
        "createdAt": store.now(),
        "updatedAt": store.now(),
    }
    store.webhooks[hid] = hook
    return {"webhookSubscription": hook, "userErrors": []}


def _delete(_root: Any, info: GraphQLResolveInfo, id: str) -> Obj:
    store = _store(info)
    if store.webhooks.pop(id, None) is None:
        return {
            "deletedWebhookSubscriptionId": None,
            "userErrors": [{"field": ["id"], "message": "Webhook subscription does not exist"}],
        }
    return {"deletedWebhookSubscriptionId": id, "userErrors": []}


def attach_hooks(schema: GraphQLSchema) -> None:
    assert schema.mutation_type is not None
    schema.mutation_type.fields["webhookSubscriptionCreate"].resolve = _create
    schema.mutation_type.fields["webhookSubscriptionDelete"].resolve = _delete

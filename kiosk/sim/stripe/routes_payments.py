"""The PaymentIntents and Refunds endpoints: parameters, permissions and handlers.

Relied on (Stripe API reference): POST/GET /v1/payment_intents, GET/POST
/v1/payment_intents/{intent}, POST .../capture and .../cancel; POST/GET /v1/refunds and GET
/v1/refunds/{refund} (a refund names `payment_intent` or `charge`); `expand[]=latest_charge`
on a PaymentIntent (its Charge inline), `charge` and `payment_intent` on a Refund. Restricted
keys: PaymentIntents are `rak_payment_intent_read|write`, refunds `rak_refund_read|write`,
and each expanded object needs its own read permission (Charges: `rak_charge_read`).
"""

from __future__ import annotations

import copy
from typing import Any

from kiosk.sim.stripe import errors, payments
from kiosk.sim.stripe.app import Call, Route, SimContext
from kiosk.sim.stripe.forms import (
    Spec,
    boolean,
    integer,
    list_of,
    metadata,
    obj,
    one_of,
    text,
)
from kiosk.sim.stripe.state import Obj

CAPTURE = one_of("automatic", "automatic_async", "manual")
CANCEL_REASONS = one_of("abandoned", "duplicate", "fraudulent", "requested_by_customer")
REFUND_REASONS = one_of("duplicate", "fraudulent", "requested_by_customer")
_RANGE = obj({"gt": integer, "gte": integer, "lt": integer, "lte": integer})


def created_filter(name: str, raw: Any) -> Any:
    """`created=<unix time>` or `created[gte]=...` (the description's anyOf)."""
    return integer(name, raw) if isinstance(raw, str) else _RANGE(name, raw)


CREATED = created_filter
PAGING = {"limit": integer, "starting_after": text(), "ending_before": text()}

_PI_FIELDS = {
    "amount": integer,
    "currency": text(),
    "capture_method": CAPTURE,
    "payment_method_types": list_of(text()),
    "metadata": metadata,
    "description": text(1000),
    "receipt_email": text(),
    "statement_descriptor": text(22),
    "statement_descriptor_suffix": text(22),
    "transfer_group": text(),
}
CREATE_PI = Spec({**_PI_FIELDS, "confirm": boolean}, required=("amount", "currency"))
UPDATE_PI = Spec(_PI_FIELDS)


def out(ctx: SimContext, stored: Obj) -> Obj:
    """A copy of a stored object as the API shows it (expansion edits the copy)."""
    return copy.deepcopy(payments.public(ctx.state, stored))


def _charge(ctx: SimContext, cid: str) -> Obj | None:
    found = ctx.state.charges.get(cid)
    return None if found is None else out(ctx, found)


def _intent(ctx: SimContext, pid: str) -> Obj | None:
    found = ctx.state.payment_intents.get(pid)
    return None if found is None else out(ctx, found)


PI_EXPAND = {"latest_charge": ("rak_charge_read", _charge)}
PI_LIST_EXPAND = {"data.latest_charge": ("rak_charge_read", _charge)}
REFUND_EXPAND = {
    "charge": ("rak_charge_read", _charge),
    "payment_intent": ("rak_payment_intent_read", _intent),
}


def _find_intent(call: Call, pid: str, param: str = "intent") -> Obj:
    return call.state.find(call.state.payment_intents, "payment_intent", pid, call.key, param)


async def create_intent(call: Call) -> Obj:
    p = call.params
    if p.get("confirm"):
        # Card-present PaymentIntents are confirmed by the reader, never by the server.
        raise errors.invalid(
            "This simulator confirms card_present PaymentIntents on a reader only.",
            param="confirm",
        )
    intent = payments.create_intent(call.state, call.key, p)
    call.state.payment_intents[intent["id"]] = intent
    return out(call.ctx, intent)


async def get_intent(call: Call) -> Obj:
    return out(call.ctx, _find_intent(call, call.args["intent"]))


async def update_intent(call: Call) -> Obj:
    intent = _find_intent(call, call.args["intent"])
    return out(call.ctx, payments.update_intent(intent, call.params))


async def list_intents(call: Call) -> Obj:
    created = call.params.get("created", {})
    items = [i for i in call.state.payment_intents.values() if _in_range(i["created"], created)]
    page = call.state.page(items, call.key, call.params, "/v1/payment_intents")
    page["data"] = [out(call.ctx, i) for i in page["data"]]
    return page


def _in_range(value: int, bounds: Obj | int) -> bool:
    if isinstance(bounds, int):
        return value == bounds
    return bool(
        value > bounds.get("gt", value - 1)
        and value >= bounds.get("gte", value)
        and value < bounds.get("lt", value + 1)
        and value <= bounds.get("lte", value)
    )


async def capture_intent(call: Call) -> Obj:
    intent = _find_intent(call, call.args["intent"])
    return out(call.ctx, payments.capture(call.state, intent, call.params))


async def cancel_intent(call: Call) -> Obj:
    intent = _find_intent(call, call.args["intent"])
    payments.cancel(call.state, intent, call.params.get("cancellation_reason"))
    call.ctx.terminal.intent_canceled(intent["id"])
    return out(call.ctx, intent)


async def create_refund(call: Call) -> Obj:
    p, state = call.params, call.state
    if "charge" in p:
        charge = state.find(state.charges, "charge", p["charge"], call.key, "charge")
    elif "payment_intent" in p:
        intent = _find_intent(call, p["payment_intent"], "payment_intent")
        if intent["latest_charge"] is None or intent["status"] != "succeeded":
            raise errors.invalid_state(
                "charge_not_refundable" if intent["latest_charge"] else "resource_missing",
                f"This PaymentIntent ({intent['id']}) does not have a successful charge to refund.",
                param="payment_intent",
            )
        charge = state.charges[intent["latest_charge"]]
    else:
        raise errors.invalid(
            "One of the following params should be provided for this request: payment_intent"
            " or charge.",
        )
    return out(call.ctx, payments.refund(state, call.key, charge, p))


async def get_refund(call: Call) -> Obj:
    state = call.state
    return out(call.ctx, state.find(state.refunds, "refund", call.args["refund"], call.key, "id"))


async def list_refunds(call: Call) -> Obj:
    p = call.params
    items = [
        r
        for r in call.state.refunds.values()
        if p.get("payment_intent", r["payment_intent"]) == r["payment_intent"]
        and p.get("charge", r["charge"]) == r["charge"]
        and _in_range(r["created"], p.get("created", {}))
    ]
    page = call.state.page(items, call.key, p, "/v1/refunds")
    page["data"] = [out(call.ctx, r) for r in page["data"]]
    return page


PI_WRITE, PI_READ = "rak_payment_intent_write", "rak_payment_intent_read"
REFUND_FIELDS = {
    "amount": integer,
    "charge": text(),
    "payment_intent": text(),
    "reason": REFUND_REASONS,
    "metadata": metadata,
}

ROUTES = [
    Route("POST", "/v1/payment_intents", PI_WRITE, CREATE_PI, create_intent, PI_EXPAND),
    Route(
        "GET",
        "/v1/payment_intents",
        PI_READ,
        Spec({**PAGING, "created": CREATED, "customer": text()}),
        list_intents,
        PI_LIST_EXPAND,
    ),
    Route(
        "GET",
        "/v1/payment_intents/{intent}",
        PI_READ,
        Spec({"client_secret": text()}),
        get_intent,
        PI_EXPAND,
    ),
    Route("POST", "/v1/payment_intents/{intent}", PI_WRITE, UPDATE_PI, update_intent, PI_EXPAND),
    Route(
        "POST",
        "/v1/payment_intents/{intent}/capture",
        PI_WRITE,
        Spec({"amount_to_capture": integer, "metadata": metadata}),
        capture_intent,
        PI_EXPAND,
    ),
    Route(
        "POST",
        "/v1/payment_intents/{intent}/cancel",
        PI_WRITE,
        Spec({"cancellation_reason": CANCEL_REASONS}),
        cancel_intent,
        PI_EXPAND,
    ),
    Route(
        "POST", "/v1/refunds", "rak_refund_write", Spec(REFUND_FIELDS), create_refund, REFUND_EXPAND
    ),
    Route(
        "GET",
        "/v1/refunds",
        "rak_refund_read",
        Spec({**PAGING, "payment_intent": text(), "charge": text(), "created": CREATED}),
        list_refunds,
        {f"data.{k}": v for k, v in REFUND_EXPAND.items()},
    ),
    Route("GET", "/v1/refunds/{refund}", "rak_refund_read", Spec({}), get_refund, REFUND_EXPAND),
]

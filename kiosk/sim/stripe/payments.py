"""PaymentIntents, their Charges and Refunds: how a card-present payment moves through Stripe.

Relied on (Stripe API reference for PaymentIntents and Refunds; the server-driven Terminal
guide): a PaymentIntent starts `requires_payment_method`; the reader's authorization moves it to
`requires_capture` (capture_method=manual: `amount_capturable` set) or `succeeded`
(automatic: `amount_received` set), with `latest_charge` naming the Charge whose
`payment_method_details.card_present` has brand, last4, read_method and
`receipt.authorization_code`. A decline leaves it `requires_payment_method` with
`last_payment_error` (type card_error, code, decline_code, message, charge) so the same
PaymentIntent can be tried again. Capture needs `requires_capture` (else
payment_intent_unexpected_state, the PaymentIntent in the error); cancel is allowed from
requires_payment_method, requires_capture, requires_confirmation, requires_action and
processing, and an uncaptured authorization is released (refunded) on cancel. A refund takes a
captured charge's unrefunded amount, whole or in part. Stripe's minimum charge (50 cents/pence
in most currencies, 30p in GBP) refuses smaller amounts with amount_too_small.
"""

from __future__ import annotations

from typing import Any

from kiosk.sim.stripe import cards, errors
from kiosk.sim.stripe.state import ApiKey, Obj, StripeState

CANCELABLE = (
    "requires_payment_method",
    "requires_capture",
    "requires_confirmation",
    "requires_action",
    "processing",
)
MINIMUM = {"usd": 50, "eur": 50, "gbp": 30, "cad": 50, "aud": 50, "nzd": 50, "chf": 50}
_SYMBOL = {"usd": "$", "eur": "€", "gbp": "£", "cad": "$", "aud": "$", "nzd": "$"}


def create_intent(state: StripeState, key: ApiKey, p: Obj) -> Obj:
    """A new PaymentIntent from checked create params (amount and currency present)."""
    currency = p["currency"].lower()
    amount = p["amount"]
    _check_amount(amount, currency)
    pid = state.new_id("pi")
    return state.created(
        {
            "id": pid,
            "object": "payment_intent",
            "amount": amount,
            "amount_capturable": 0,
            "amount_details": {"tip": {}},
            "amount_received": 0,
            "application": None,
            "application_fee_amount": None,
            "automatic_payment_methods": None,
            "canceled_at": None,
            "cancellation_reason": None,
            "capture_method": p.get("capture_method", "automatic"),
            "client_secret": f"{pid}_secret_{state.new_id('s')[2:]}",
            "confirmation_method": "automatic",
            "created": state.now(),
            "currency": currency,
            "customer": None,
            "description": p.get("description"),
            "invoice": None,
            "last_payment_error": None,
            "latest_charge": None,
            "livemode": key.livemode,
            "metadata": p.get("metadata") or {},
            "next_action": None,
            "on_behalf_of": None,
            "payment_method": None,
            "payment_method_options": {},
            "payment_method_types": p.get("payment_method_types") or ["card"],
            "processing": None,
            "receipt_email": p.get("receipt_email"),
            "review": None,
            "setup_future_usage": None,
            "shipping": None,
            "statement_descriptor": p.get("statement_descriptor"),
            "statement_descriptor_suffix": p.get("statement_descriptor_suffix"),
            "status": "requires_payment_method",
            "transfer_data": None,
            "transfer_group": p.get("transfer_group"),
        }
    )


def _check_amount(amount: int, currency: str) -> None:
    least = MINIMUM.get(currency, 50)
    if amount < least:
        symbol = _SYMBOL.get(currency, "")
        raise errors.invalid(
            f"Amount must be at least {symbol}{least / 100:.2f} {currency}",
            param="amount",
            code="amount_too_small",
        )
    if amount > 99999999:
        raise errors.invalid(
            "Amount must be no more than 99999999", param="amount", code="amount_too_large"
        )


def update_intent(intent: Obj, p: Obj) -> Obj:
    """Change an unpaid PaymentIntent (amount, currency, metadata, description, ...)."""
    if intent["status"] not in ("requires_payment_method", "requires_confirmation"):
        raise _unexpected(intent, "updated", ("requires_payment_method", "requires_confirmation"))
    if "amount" in p or "currency" in p:
        amount: int = p["amount"] if "amount" in p else intent["amount"]
        currency: str = p["currency"] if "currency" in p else intent["currency"]
        _check_amount(amount, currency)
    for name in ("amount", "description", "receipt_email", "statement_descriptor"):
        if name in p:
            intent[name] = p[name]
    if "currency" in p:
        intent["currency"] = p["currency"].lower()
    if "capture_method" in p:
        intent["capture_method"] = p["capture_method"]
    if "payment_method_types" in p:
        intent["payment_method_types"] = p["payment_method_types"]
    if "metadata" in p:
        merge_metadata(intent, p["metadata"])
    intent["last_payment_error"] = None  # cleared by any update, as the reference says
    return intent


def merge_metadata(target: Obj, changes: dict[str, str] | None) -> None:
    """Stripe's metadata update: "" removes a key, and metadata="" (None here) clears all."""
    if changes is None:
        target["metadata"] = {}
        return
    for k, v in changes.items():
        if v == "":
            target["metadata"].pop(k, None)
        else:
            target["metadata"][k] = v


def _unexpected(intent: Obj, verb: str, allowed: tuple[str, ...]) -> errors.StripeError:
    status = intent["status"]
    return errors.invalid_state(
        "payment_intent_unexpected_state",
        f"This PaymentIntent could not be {verb} because it has a status of {status}. Only a"
        f" PaymentIntent with one of the following statuses may be {verb}: {', '.join(allowed)}.",
        payment_intent=dict(intent),
    )


def authorize(
    state: StripeState, intent: Obj, number: str, decline: str | None, read_method: str
) -> cards.Decline | None:
    """The issuer's answer to `number` for `intent`; applies it and returns the decline if any."""
    card = cards.card(number)
    code = decline or card.decline
    declined = None if code is None else cards.DECLINES[code]
    charge = _charge(state, intent, number, card, declined, read_method)
    intent["latest_charge"] = charge["id"]
    if declined is not None:
        intent["last_payment_error"] = {
            "type": "card_error",
            "code": declined.code,
            "decline_code": declined.decline_code,
            "message": declined.message,
            "charge": charge["id"],
            "doc_url": f"{errors.DOCS}#{declined.code.replace('_', '-')}",
        }
        return declined
    intent["last_payment_error"] = None
    intent["payment_method"] = charge["payment_method"]
    if intent["capture_method"] == "manual":
        intent["status"] = "requires_capture"
        intent["amount_capturable"] = intent["amount"]
    else:
        intent["status"] = "succeeded"
        intent["amount_received"] = intent["amount"]
        charge.update(captured=True, amount_captured=intent["amount"])
    return None


def _charge(
    state: StripeState,
    intent: Obj,
    number: str,
    card: cards.Card,
    declined: cards.Decline | None,
    read_method: str,
) -> Obj:
    approved = declined is None
    why = "" if declined is None else declined.decline_code
    auth_code = f"{state.rng.randrange(10**6):06d}" if approved else None
    outcome = {
        "network_status": "approved_by_network" if approved else "declined_by_network",
        "reason": why or None,
        "risk_level": "not_assessed",
        "seller_message": "Payment complete."
        if approved
        else f"The bank returned the decline code `{why}`.",
        "type": "authorized" if approved else "issuer_declined",
    }
    details = {
        "amount_authorized": intent["amount"] if approved else None,
        "brand": card.brand,
        "capture_before": state.now() + 2 * 86400,
        "cardholder_name": None,
        "country": "US",
        "emv_auth_data": "8A023030" if approved else "8A023035",
        "exp_month": 12,
        "exp_year": 2030,
        "fingerprint": "fp" + number[-6:].rjust(14, "0"),
        "funding": card.funding,
        "generated_card": None,
        "incremental_authorization_supported": False,
        "last4": number[-4:],
        "network": card.brand,
        "overcapture_supported": False,
        "read_method": read_method,
        "receipt": {
            "account_type": card.funding if card.funding in ("credit", "prepaid") else "checking",
            "application_cryptogram": "".join(
                state.rng.choice("0123456789ABCDEF") for _ in "x" * 16
            ),
            "application_preferred_name": cards.APPLICATION_NAMES.get(card.brand, card.brand),
            "authorization_code": auth_code,
            "authorization_response_code": "3030" if approved else "3035",
            "cardholder_verification_method": card.cvm,
            "dedicated_file_name": cards.AIDS.get(card.brand, "A0000000031010"),
            "terminal_verification_results": "0000000000",
            "transaction_status_information": "0000",
        },
    }
    cid = state.new_id("ch")
    charge: Obj = {
        "id": cid,
        "object": "charge",
        "amount": intent["amount"],
        "amount_captured": 0,
        "amount_refunded": 0,
        "application": None,
        "application_fee": None,
        "application_fee_amount": None,
        "balance_transaction": None,
        "billing_details": {
            "address": dict.fromkeys(("city", "country", "line1", "line2", "postal_code", "state")),
            "email": None,
            "name": None,
            "phone": None,
        },
        "calculated_statement_descriptor": "KIOSK SIM",
        "captured": False,
        "created": state.now(),
        "currency": intent["currency"],
        "customer": None,
        "description": intent["description"],
        "disputed": False,
        "failure_balance_transaction": None,
        "failure_code": None if declined is None else declined.code,
        "failure_message": None if declined is None else declined.message,
        "fraud_details": {},
        "invoice": None,
        "livemode": intent["livemode"],
        "metadata": dict(intent["metadata"]),
        "on_behalf_of": None,
        "outcome": outcome,
        "paid": approved,
        "payment_intent": intent["id"],
        "payment_method": state.new_id("pm"),
        "payment_method_details": {"type": "card_present", "card_present": details},
        "receipt_email": None,
        "receipt_number": None,
        "receipt_url": None,
        "refunded": False,
        "refunds": {
            "object": "list",
            "data": [],
            "has_more": False,
            "url": f"/v1/charges/{cid}/refunds",
        },
        "review": None,
        "shipping": None,
        "source_transfer": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": "succeeded" if approved else "failed",
        "transfer_data": None,
        "transfer_group": None,
    }
    state.charges[cid] = state.created(charge)
    return charge


def capture(state: StripeState, intent: Obj, p: Obj) -> Obj:
    """Capture an authorized PaymentIntent, all of it or `amount_to_capture`."""
    if intent["status"] != "requires_capture":
        raise _unexpected(intent, "captured", ("requires_capture",))
    amount: int = (
        p["amount_to_capture"] if "amount_to_capture" in p else intent["amount_capturable"]
    )
    if not 0 < amount <= intent["amount_capturable"]:
        raise errors.invalid_state(
            "amount_too_large",
            "The amount to capture must be greater than zero and no more than the amount"
            " capturable.",
            param="amount_to_capture",
        )
    charge = state.charges[intent["latest_charge"]]
    charge.update(captured=True, amount_captured=amount, amount_refunded=charge["amount"] - amount)
    if "metadata" in p:
        merge_metadata(intent, p["metadata"])
    intent.update(status="succeeded", amount_received=amount, amount_capturable=0)
    return intent


def cancel(state: StripeState, intent: Obj, reason: str | None) -> Obj:
    if intent["status"] not in CANCELABLE:
        raise errors.invalid_state(
            "payment_intent_unexpected_state",
            f"You cannot cancel this PaymentIntent because it has a status of"
            f" {intent['status']}. Only a PaymentIntent with one of the following statuses may"
            f" be canceled: {', '.join(CANCELABLE)}.",
            payment_intent=dict(intent),
        )
    if intent["status"] == "requires_capture":
        charge = state.charges[intent["latest_charge"]]
        charge.update(amount_refunded=charge["amount"], refunded=True)
    intent.update(
        status="canceled",
        canceled_at=state.now(),
        cancellation_reason=reason,
        amount_capturable=0,
    )
    return intent


def refund(state: StripeState, key: ApiKey, charge: Obj, p: Obj) -> Obj:
    """Refund a captured charge: `amount` (default: all that is left) back to the card."""
    left = charge["amount_captured"] - _refunded(state, charge)
    if not charge["captured"] or charge["status"] != "succeeded":
        # Ours: Stripe's exact words for refunding an uncaptured charge were not found.
        raise errors.invalid_state(
            "charge_not_refundable",
            f"Charge {charge['id']} has not been captured: cancel its PaymentIntent instead.",
        )
    if left <= 0:
        raise errors.invalid_state(
            "charge_already_refunded", f"Charge {charge['id']} has already been refunded."
        )
    amount = int(p.get("amount", left))
    if not 0 < amount <= left:
        raise errors.invalid_state(
            "amount_too_large",
            f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
            param="amount",
        )
    rid = state.new_id("re")
    refund_obj: Obj = {
        "id": rid,
        "object": "refund",
        "amount": amount,
        "balance_transaction": None,
        "charge": charge["id"],
        "created": state.now(),
        "currency": charge["currency"],
        "metadata": p.get("metadata") or {},
        "payment_intent": charge["payment_intent"],
        "reason": p.get("reason"),
        "receipt_number": None,
        "source_transfer_reversal": None,
        "status": "succeeded",
        "transfer_reversal": None,
        "livemode": key.livemode,  # kept for mode checks; not rendered (see routes)
    }
    state.refunds[rid] = state.created(refund_obj)
    charge["amount_refunded"] += amount
    charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
    charge["refunds"]["data"].insert(0, rid)
    return refund_obj


def _refunded(state: StripeState, charge: Obj) -> int:
    return sum(state.refunds[r]["amount"] for r in charge["refunds"]["data"])


def public(state: StripeState, obj: Obj) -> Obj:
    """The JSON Stripe shows: a refund has no `livemode` field; a charge lists its refunds."""
    out: dict[str, Any] = dict(obj)
    if out.get("object") == "refund":
        out.pop("livemode", None)
    elif out.get("object") == "charge":
        ids = obj["refunds"]["data"]
        out["refunds"] = {**obj["refunds"], "data": [public(state, state.refunds[r]) for r in ids]}
    return out

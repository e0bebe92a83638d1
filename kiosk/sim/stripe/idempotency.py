"""Idempotency keys and API-key authentication, as Stripe's v1 API applies them.

Relied on (Stripe "Idempotent requests"; stripe-python `request_headers`): a POST may carry an
`Idempotency-Key` header (up to 255 characters; stripe-python sends a random one on every POST
unless told one). Stripe saves the status code and body of the first request with a key once
the endpoint starts executing, errors included (even 500s), and replays them to later requests
with that key, marked `Idempotent-Replayed: true`; a request whose parameters fail validation,
or that conflicts with one still running, saves nothing. A key reused with other parameters
gets 400 idempotency_error ("Keys for idempotent requests can only be used with the same
parameters they were first used with"), on another endpoint likewise; a concurrent duplicate
409 idempotency_key_in_use. Keys may be pruned once 24 hours old; a pruned key is new again.
GET and DELETE are idempotent by definition and ignore the header.

Authentication: `Authorization: Bearer <key>` or Basic with the key as the user name and no
password (both schemes are in Stripe's OpenAPI description); a missing key is 401 "You did not
provide an API key", an unknown one 401 "Invalid API Key provided: sk_test_****abcd".
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from kiosk.sim.stripe import errors
from kiosk.sim.stripe.state import ApiKey, StripeState

TTL_S = 24 * 3600
MAX_KEY = 255


def authenticate(state: StripeState, header: str | None) -> ApiKey:
    """The key an `Authorization` header names, or Stripe's 401."""
    if not header:
        raise errors.no_key()
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer":
        secret = value
    elif scheme.lower() == "basic":
        try:
            secret = base64.b64decode(value, validate=True).decode().partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            raise errors.no_key() from None
    else:
        raise errors.no_key()
    if not secret:
        raise errors.no_key()
    key = state.keys.get(secret)
    if key is None:
        raise errors.bad_key(secret)
    return key


def fingerprint(params: dict[str, Any]) -> str:
    """The parameters as compared for a replay: order of keys in the body does not matter."""
    return json.dumps(params, sort_keys=True, separators=(",", ":"))


@dataclass
class Saved:
    endpoint: str  # "POST /v1/payment_intents"
    fingerprint: str
    created: float
    request_id: str
    status: int | None = None  # None while the first request is still running
    body: bytes = b""


class IdempotencyStore:
    """The saved results, per mode and key (a test key and a live key never share one)."""

    def __init__(self, state: StripeState) -> None:
        self.state = state
        self.saved: dict[tuple[bool, str], Saved] = {}

    def begin(
        self, key: ApiKey, idem: str, endpoint: str, params: dict[str, Any], request_id: str
    ) -> Saved | None:
        """The saved result to replay, or None after reserving `idem` for this request."""
        if len(idem) > MAX_KEY:
            raise errors.invalid(
                f"Idempotency-Key must be at most {MAX_KEY} characters.", param="Idempotency-Key"
            )
        now = self.state.clock()
        slot = (key.livemode, idem)
        found = self.saved.get(slot)
        if found is not None and now - found.created >= TTL_S:
            del self.saved[slot]  # pruned: the key starts over
            found = None
        if found is None:
            self.saved[slot] = Saved(endpoint, fingerprint(params), now, request_id)
            return None
        if found.endpoint != endpoint:
            raise errors.idempotency_endpoint(idem, found.endpoint, endpoint)
        if found.fingerprint != fingerprint(params):
            raise errors.idempotency_params(idem)
        if found.status is None:
            raise errors.idempotency_in_use()
        return found

    def finish(self, key: ApiKey, idem: str, status: int, body: bytes) -> None:
        saved = self.saved.get((key.livemode, idem))
        if saved is not None:
            saved.status, saved.body = status, body

    def forget(self, key: ApiKey, idem: str) -> None:
        """Nothing is saved for a request that failed validation or never ran."""
        saved = self.saved.get((key.livemode, idem))
        if saved is not None and saved.status is None:
            del self.saved[(key.livemode, idem)]

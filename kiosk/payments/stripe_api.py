"""The Stripe client and the account's plain requests: the client's set-up, answers as dicts,
the library's errors as StripeProblem."""

from __future__ import annotations

from typing import Any

import stripe

from kiosk.payments.stripe_errors import Kind, StripeProblem

Obj = dict[str, Any]


def connect_client(key: str, api_base: str = "", *, timeout_s: float = 20) -> stripe.StripeClient:
    """A StripeClient on aiohttp (the app's loop) that never retries by itself: we do."""
    return stripe.StripeClient(
        key,
        base_addresses={"api": api_base} if api_base else None,
        http_client=stripe.AIOHTTPClient(timeout=timeout_s),
        max_network_retries=0,
    )


async def close_client(client: stripe.StripeClient) -> None:
    # The library has no public close: its HTTP client's session is closed here, once.
    await client._requestor._client.close_async()  # type: ignore[union-attr]


def plain(obj: Any) -> Obj:
    return obj.to_dict() if isinstance(obj, stripe.StripeObject) else dict(obj)


def replayed(obj: Any) -> bool:
    response = getattr(obj, "last_response", None)
    return response is not None and response.headers.get("Idempotent-Replayed") == "true"


class StripeApi:
    """The account's other requests (set-up, reconciling), as plain dicts; errors as
    StripeProblem. `path` names a service of `client.v1`: "terminal.readers.create"."""

    def __init__(self, client: stripe.StripeClient) -> None:
        self.client = client

    async def call(self, path: str, *args: Any, idempotency_key: str = "") -> Obj:
        target: Any = self.client.v1
        *services, name = path.split(".")
        for part in services:
            target = getattr(target, part)
        method = getattr(target, f"{name}_async")
        options = {"idempotency_key": idempotency_key} if idempotency_key else None
        try:
            answer = await method(*args, options=options) if options else await method(*args)
        except stripe.StripeError as exc:
            raise problem(exc) from None
        except TimeoutError:
            raise StripeProblem(Kind.CONNECTION, "Stripe did not answer in time") from None
        return plain(answer)


def problem(exc: stripe.StripeError) -> StripeProblem:
    """The plain form of a stripe library error."""
    kinds = (
        (stripe.AuthenticationError, Kind.AUTH),
        (stripe.PermissionError, Kind.PERMISSION),
        (stripe.InvalidRequestError, Kind.INVALID),
        (stripe.RateLimitError, Kind.RATE),
        (stripe.APIConnectionError, Kind.CONNECTION),
    )
    kind = next((k for cls, k in kinds if isinstance(exc, cls)), Kind.API)
    message = exc.user_message or str(exc) or type(exc).__name__
    return StripeProblem(kind, message, code=exc.code or "", status=exc.http_status)

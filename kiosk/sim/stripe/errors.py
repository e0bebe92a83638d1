"""Stripe's error bodies: `{"error": {type, code, decline_code, message, param, doc_url, ...}}`.

Relied on (Stripe API reference "Errors" and "Error codes"; stripe-python's `_api_requestor`):
`type` is one of api_error, card_error, idempotency_error, invalid_request_error; HTTP 400 bad
request, 401 no valid key, 402 request failed (card errors), 403 the key lacks a permission,
404 no such object, 409 idempotency key in use, 429 rate limited, 5xx Stripe's fault.
stripe-python maps 400/404 to InvalidRequestError (IdempotencyError when the type says so),
401 AuthenticationError, 402 CardError, 403 PermissionError, 429 RateLimitError. Messages below
are Stripe's where we have seen them (missing/unknown params, "No such ...; a similar object
exists in test mode", the restricted-key permission error, the reader errors and
intent_invalid_state from the server-driven Terminal guide); the rest are marked as ours.
"""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]
DOCS = "https://docs.stripe.com/error-codes"
GUIDE = (
    "https://stripe.com/docs/terminal/payments/collect-card-payment"
    "?terminal-sdk-platform=server-driven#handle-errors"
)


class StripeError(Exception):
    """An error answer. `saved` is whether an idempotency key keeps it (see idempotency.py)."""

    def __init__(
        self,
        status: int,
        type_: str,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        decline_code: str | None = None,
        extra: Obj | None = None,
        saved: bool = True,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.type = type_
        self.message = message
        self.code = code
        self.param = param
        self.decline_code = decline_code
        self.extra = extra or {}
        self.saved = saved
        self.headers = headers or {}

    def body(self, request_log_url: str | None = None) -> Obj:
        err: Obj = {"type": self.type, "message": self.message}
        if self.code is not None:
            err["code"] = self.code
            err["doc_url"] = f"{DOCS}#{self.code.replace('_', '-')}"
        if self.param is not None:
            err["param"] = self.param
        if self.decline_code is not None:
            err["decline_code"] = self.decline_code
        if request_log_url is not None:
            err["request_log_url"] = request_log_url
        err.update(self.extra)
        return {"error": err}


def invalid(message: str, *, param: str | None = None, code: str | None = None) -> StripeError:
    """A 400 the request's own parameters caused: never kept under an idempotency key."""
    return StripeError(400, "invalid_request_error", message, param=param, code=code, saved=False)


def missing(param: str) -> StripeError:
    return invalid(f"Missing required param: {param}.", param=param, code="parameter_missing")


def unknown(param: str) -> StripeError:
    return invalid(f"Received unknown parameter: {param}", param=param, code="parameter_unknown")


def not_integer(param: str, value: str) -> StripeError:
    return invalid(f"Invalid integer: {value}", param=param, code="parameter_invalid_integer")


def not_boolean(param: str, value: str) -> StripeError:
    # Ours: Stripe's wording for a bad boolean was not found.
    return invalid(f"Invalid boolean: {value}", param=param)


def not_one_of(param: str, value: str, allowed: tuple[str, ...]) -> StripeError:
    # Ours, after Stripe's "Invalid X: must be one of a, b, or c".
    choices = ", ".join(allowed[:-1]) + f", or {allowed[-1]}" if len(allowed) > 1 else allowed[0]
    return invalid(f"Invalid {param}: must be one of {choices}", param=param)


def not_expandable(path: str) -> StripeError:
    return invalid(f"This property cannot be expanded ({path}).", param="expand")


def no_such(kind: str, oid: str, param: str, *, other_mode: bool | None = None) -> StripeError:
    """404 resource_missing; `other_mode` says the id exists under the other mode's keys."""
    message = f"No such {kind}: '{oid}'"
    if other_mode is not None:
        have, used = ("test", "live") if other_mode is False else ("live", "test")
        message += (
            f"; a similar object exists in {have} mode, but a {used} mode key was used to"
            " make this request."
        )
    return StripeError(404, "invalid_request_error", message, code="resource_missing", param=param)


def unrecognized_url(method: str, path: str) -> StripeError:
    return StripeError(
        404,
        "invalid_request_error",
        f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs or we"
        " can help at https://support.stripe.com/.",
        saved=False,
    )


def no_key() -> StripeError:
    return StripeError(
        401,
        "invalid_request_error",
        "You did not provide an API key. You need to provide your API key in the Authorization"
        " header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See"
        " https://stripe.com/docs/api#authentication for details, or we can help at"
        " https://support.stripe.com/.",
        saved=False,
        headers={"WWW-Authenticate": 'Basic realm="Stripe"'},
    )


def redact(key: str, keep: int) -> str:
    """A key as Stripe prints it in errors: its prefix, asterisks, its last `keep` characters."""
    prefix = key[: key.index("_", 3) + 1] if key.count("_") >= 2 else key[:3]
    hidden = max(len(key) - len(prefix) - keep, 0)
    return prefix + "*" * hidden + key[len(key) - keep :]


def bad_key(key: str) -> StripeError:
    return StripeError(
        401,
        "invalid_request_error",
        f"Invalid API Key provided: {redact(key, 4)}",
        saved=False,
        headers={"WWW-Authenticate": 'Basic realm="Stripe"'},
    )


def forbidden(key: str, account: str, permission: str) -> StripeError:
    """403: the restricted key lacks `permission` (a `rak_..._read|write` slug)."""
    return StripeError(
        403,
        "invalid_request_error",
        f"The provided key '{redact(key, 6)}' does not have the required permissions for this"
        f" endpoint on account '{account}'. Having the '{permission}' permission would allow"
        " this request to continue.",
        saved=False,
    )


def rate_limited(code: str = "rate_limit") -> StripeError:
    """429: the account's request rate (`rate_limit`) or an object lock (`lock_timeout`)."""
    if code == "lock_timeout":
        message = (
            "This object cannot be accessed right now because another API request or Stripe"
            " process is currently accessing it. If you see this error intermittently, retry"
            " the request."
        )
    else:
        message = (
            "Request rate limit exceeded. You can learn more about rate limits here"
            " https://stripe.com/docs/rate-limits."
        )
    return StripeError(429, "invalid_request_error", message, code=code, saved=False)


def server_error() -> StripeError:
    # A 500 is kept under its idempotency key: Stripe replays even 500s.
    return StripeError(500, "api_error", "An unknown error occurred")


def idempotency_params(key: str) -> StripeError:
    return StripeError(
        400,
        "idempotency_error",
        "Keys for idempotent requests can only be used with the same parameters they were first"
        f" used with. Try using a key other than '{key}' if you meant to execute a different"
        " request.",
        saved=False,
    )


def idempotency_endpoint(key: str, first: str, now: str) -> StripeError:
    return StripeError(
        400,
        "idempotency_error",
        "Keys for idempotent requests can only be used for the same endpoint they were first"
        f" used for ('{first}' vs '{now}'). Try using a key other than '{key}' if you meant to"
        " execute a different request.",
        saved=False,
    )


def idempotency_in_use() -> StripeError:
    return StripeError(
        409,
        "idempotency_error",
        "There is currently another in-progress request using this Stripe API key and"
        " idempotency key. Please try again later.",
        code="idempotency_key_in_use",
        saved=False,
    )


def reader_offline() -> StripeError:
    return invalid_state(
        "terminal_reader_offline",
        "Reader is currently offline, please ensure the reader is powered on and connected to"
        f" the internet before retrying your request. Reference the integration guide at {GUIDE}"
        " for details on how to handle this error.",
    )


def reader_busy() -> StripeError:
    return invalid_state(
        "terminal_reader_busy",
        "Reader is currently busy processing another request. Please reference the integration"
        f" guide at {GUIDE} for details on how to handle this error.",
    )


def reader_timeout() -> StripeError:
    return invalid_state(
        "terminal_reader_timeout",
        "There was a timeout when sending this command to the reader. Please reference the"
        f" integration guide at {GUIDE} for details on how to handle this error.",
    )


def invalid_state(
    code: str | None, message: str, *, param: str | None = None, **extra: Any
) -> StripeError:
    """A 400 about the objects' state (kept under an idempotency key, unlike a bad param)."""
    return StripeError(400, "invalid_request_error", message, code=code, param=param, extra=extra)

"""What can go wrong talking to a store, as one exception tree the sync engine can act on.

Each error says whether trying again later can help (`retryable`). A write whose outcome is
unknown is its own kind: the engine must look the order up before it writes again.
"""

from __future__ import annotations


class ConnectorError(Exception):
    """Talking to the store failed; the message is fit to show a vendor or technician."""

    retryable = False


# -- setting up: each a distinct thing the person provisioning the device can fix ----------------


class StoreUnreachable(ConnectorError):
    """No connection could be made (DNS, refused, no route, connect timeout)."""

    retryable = True


class ConnectionLost(StoreUnreachable):
    """A connection was made, then lost before the answer came: one request failed, not the link.

    Raised for reads (nothing changed); a write lost this way is OutcomeUnknown.
    """


class TLSFailure(ConnectorError):
    """The store's certificate could not be verified (wrong host, self-signed, expired)."""


class NotAStore(ConnectorError):
    """Something answered, but it is not a WordPress site (or not a store of this platform)."""


class ApiDisabled(ConnectorError):
    """The site is there but its store API is off or missing (WooCommerce REST disabled)."""


class AuthFailed(ConnectorError):
    """The store refused the keys: wrong, revoked, or not sent (some hosts strip headers)."""


class PermissionDenied(ConnectorError):
    """The keys work but may not do this (read-only keys cannot create orders)."""


# -- running: transient trouble ---------------------------------------------------------------


class RateLimited(ConnectorError):
    """The store asked us to slow down (429, or 503 with Retry-After) and kept asking."""

    retryable = True

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServerError(ConnectorError):
    """The store failed (5xx) on a request whose effect is known: nothing was written."""

    retryable = True

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class Timeout(ConnectorError):
    """A read took too long; for writes see OutcomeUnknown."""

    retryable = True


class OutcomeUnknown(ConnectorError):
    """A write was sent but no answer came back: the store may or may not have committed it.

    Never re-send blindly: look the object up by its idempotency key first.
    """

    retryable = True


class BadResponse(ConnectorError):
    """The store answered with something that is not what its API promises."""

    retryable = True


# -- permanent answers about one object -------------------------------------------------------


class NotFound(ConnectorError):
    """The store has no such object (404)."""


class Rejected(ConnectorError):
    """The store refused this object for good (a 4xx other than 408/409/429), with its reason."""

    def __init__(self, message: str, *, status: int, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code

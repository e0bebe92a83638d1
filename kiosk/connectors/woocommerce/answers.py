"""Reading the store's answers: success bodies, Retry-After, and errors as connector errors."""

from __future__ import annotations

import json as jsonlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from kiosk.connectors.errors import (
    AuthFailed,
    BadResponse,
    ConnectorError,
    NotFound,
    PermissionDenied,
    Rejected,
    ServerError,
    Timeout,
)
from kiosk.connectors.woocommerce.auth import Keys, redact


class RouteMissing(NotFound):
    """404 rest_no_route: the endpoint does not exist (WooCommerce REST off, or not WordPress)."""


class Redirected(BadResponse):
    """The store answered with a redirect; the configured address is not the API's address."""

    def __init__(self, message: str, location: str) -> None:
        super().__init__(message)
        self.location = location


@dataclass(frozen=True, slots=True)
class Response:
    """A successful (2xx) answer with its JSON body."""

    status: int
    data: Any
    headers: Mapping[str, str]

    def header_int(self, name: str) -> int | None:
        value = self.headers.get(name, "").strip()
        return int(value) if value.isdigit() else None


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a listing."""

    number: int
    items: list[Any]
    per_page: int
    total: int | None  # X-WP-Total
    total_pages: int | None  # X-WP-TotalPages

    @property
    def is_last(self) -> bool:
        if self.total_pages is not None:
            return self.number >= self.total_pages
        return len(self.items) < self.per_page  # no header: a short page ends the listing

    @property
    def next_cursor(self) -> str | None:
        """The page to resume from after this one, as text (None: the listing is done)."""
        return None if self.is_last else str(self.number + 1)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date; None if absent."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def store_error(body: bytes) -> tuple[str, str]:
    """(code, message) from WooCommerce's {"code","message","data"} error body, if it is one."""
    try:
        data = jsonlib.loads(body)
    except ValueError:
        return "", ""
    if not isinstance(data, dict):
        return "", ""
    code, message = data.get("code"), data.get("message")
    return (code if isinstance(code, str) else "", message if isinstance(message, str) else "")


def json_body(method: str, path: str, status: int, headers: Mapping[str, str], body: bytes) -> Any:
    """The JSON of a 2xx answer, or BadResponse naming what came instead."""
    try:
        return jsonlib.loads(body)
    except ValueError:
        kind = headers.get("Content-Type", "no content type").split(";")[0]
        raise BadResponse(
            f"{method} {path}: the store answered {status} with {kind}, not JSON"
        ) from None


def http_error(
    method: str,
    path: str,
    status: int,
    code: str,
    message: str,
    headers: Mapping[str, str],
    *,
    write: bool,
    keys: Keys,
) -> ConnectorError:
    """The connector error for a non-2xx answer the client will not retry."""
    message = message.strip()
    said = f"{message} ({code})" if message and code else message or code or f"HTTP {status}"
    what = f"{method} {path}: {said}"
    if 300 <= status < 400:
        location = redact(headers.get("Location", ""), keys)
        return Redirected(
            f"{method} {path}: the store redirects to {location or '(nowhere)'}; "
            "use the address it redirects to",
            location,
        )
    if status in (401, 403):
        # WooCommerce stops read-only keys with 401 "does not have write permissions"
        # (woocommerce_rest_authentication_error), other stores with ..._cannot_create.
        no_write = code.startswith("woocommerce_rest_cannot_") or "write perm" in message
        if write and no_write:
            return PermissionDenied(f"{what}: the API keys may not create or change this")
        if status == 403 and "authentication" not in code:
            return PermissionDenied(what)
        return AuthFailed(what)
    if status == 404:
        return RouteMissing(what) if code == "rest_no_route" else NotFound(what)
    if status == 408:
        return Timeout(what)
    if status == 409:
        return ServerError(what, status)  # a conflict: nothing was written, try again
    return Rejected(message or said, status=status, code=code)

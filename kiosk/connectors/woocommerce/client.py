"""The WooCommerce REST v3 HTTP client: one `_request()` through which every call passes.

`_request` owns the timeout, the auth, the concurrency bound, pacing (429 / 503 with Retry-After)
and the retry of failed reads, and turns every failure into kiosk.connectors.errors. It never
retries a write whose outcome it cannot know: that is OutcomeUnknown, for the caller to look up.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import logging
import random
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
from yarl import URL

from kiosk.connectors.errors import (
    AuthFailed,
    BadResponse,
    ConnectorError,
    NotFound,
    OutcomeUnknown,
    PermissionDenied,
    RateLimited,
    Rejected,
    ServerError,
    StoreUnreachable,
    Timeout,
    TLSFailure,
)
from kiosk.connectors.woocommerce.auth import Authenticator, Keys, choose_mode, redact, unsigned

log = logging.getLogger(__name__)

API_ROOT = "/wp-json/wc/v3"
PER_PAGE = 100  # the most WooCommerce serves in one page (101 is a 400)

Sleep = Callable[[float], Awaitable[None]]
T = TypeVar("T")


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


def _store_error(body: bytes) -> tuple[str, str]:
    """(code, message) from WooCommerce's {"code","message","data"} error body, if it is one."""
    try:
        data = jsonlib.loads(body)
    except ValueError:
        return "", ""
    if not isinstance(data, dict):
        return "", ""
    code, message = data.get("code"), data.get("message")
    return (code if isinstance(code, str) else "", message if isinstance(message, str) else "")


class WooClient:
    """An HTTP client for one store's REST API (`url` is the WordPress site address).

    Paths passed to the request helpers are relative to /wp-json/wc/v3 ("/products"), unless they
    start with "/wp-json" (the site's REST index). Use as an async context manager, or close().
    """

    def __init__(
        self,
        url: str,
        keys: Keys,
        *,
        query_auth: bool = False,
        ca_file: Path | str | None = None,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        concurrency: int = 4,
        max_retries: int = 4,
        read_retries: int = 2,
        backoff: float = 1.0,
        backoff_cap: float = 30.0,
        max_retry_after: float = 120.0,
        sleep: Sleep = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
        session: aiohttp.ClientSession | None = None,
        user_agent: str = "kiosk-pos/0.1",
    ) -> None:
        self.url = url.rstrip("/")
        self.mode = choose_mode(self.url, query_auth)
        if not URL(self.url).host:
            raise ValueError(f"the store address {url!r} has no host name")
        if concurrency < 1:
            raise ValueError(f"concurrency must be 1 or more, not {concurrency}")
        self._keys = keys
        self._auth = Authenticator(keys, self.mode)
        self._ca_file = Path(ca_file) if ca_file is not None else None
        self._timeout = aiohttp.ClientTimeout(
            total=timeout, sock_connect=min(connect_timeout, timeout)
        )
        self.concurrency = concurrency
        self._slots = asyncio.Semaphore(concurrency)
        self._max_retries = max_retries
        self._read_retries = read_retries
        self._backoff = backoff
        self._backoff_cap = backoff_cap
        self._max_retry_after = max_retry_after
        self._sleep = sleep
        self._jitter = jitter
        self._session = session
        self._own_session = session is None
        self._user_agent = user_agent

    # -- lifecycle ------------------------------------------------------------------------------

    async def __aenter__(self) -> WooClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None and self._own_session:
            await self._session.close()
        self._session = None

    def _ssl(self) -> ssl.SSLContext | bool:
        # Certificates are always verified: the system's trust store, or a private CA's PEM.
        if self._ca_file is None:
            return True
        try:
            return ssl.create_default_context(cafile=str(self._ca_file))
        except (OSError, ssl.SSLError) as exc:
            raise TLSFailure(
                f"cannot use the CA certificate file {self._ca_file}: {exc}; "
                "give the PEM file of the certificate authority that signed the store's certificate"
            ) from None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(ssl=self._ssl(), limit=self.concurrency),
                headers={"User-Agent": self._user_agent, "Accept": "application/json"},
            )
        return self._session

    # -- the choke point ------------------------------------------------------------------------

    def _full_url(self, path: str) -> str:
        if not path.startswith("/"):
            path = "/" + path
        return self.url + (path if path.startswith("/wp-json") else API_ROOT + path)

    def _backoff_delay(self, attempt: int) -> float:
        """Capped exponential backoff with "equal jitter": half fixed, half random."""
        delay = min(self._backoff_cap, self._backoff * 2.0**attempt)
        return delay / 2 + delay / 2 * self._jitter()

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json: Any = None,
        write: bool = False,
        authenticate: bool = True,
    ) -> Response:
        """Send one request (retrying what is safe to retry) and return its 2xx JSON answer.

        Raises a ConnectorError subclass for everything else. `write=True` marks a request that
        changes the store: it is never re-sent once it may have reached the store, and losing the
        answer raises OutcomeUnknown.
        """
        method = method.upper()
        url = self._full_url(path)
        query = {k: str(v) for k, v in (params or {}).items()}
        paced = failed = 0
        while True:
            signed = self._auth.sign(method, url, query) if authenticate else unsigned(url, query)
            started = time.monotonic()
            async with self._slots:
                status, headers, body = await self._exchange(method, path, signed, json, write)
            log.debug(
                "%s %s -> %s in %.0f ms",
                method,
                path,
                status,
                (time.monotonic() - started) * 1000,
            )
            if 200 <= status < 300:
                return Response(status, self._json(method, path, status, headers, body), headers)
            code, message = _store_error(body)
            retry_after = parse_retry_after(headers.get("Retry-After"))
            if status == 429 or (status == 503 and retry_after is not None):
                if paced >= self._max_retries or (retry_after or 0) > self._max_retry_after:
                    raise RateLimited(
                        f"{method} {path}: the store keeps asking to slow down "
                        f"({status}, {paced} retries)",
                        retry_after,
                    )
                delay = max(retry_after or 0.0, self._backoff_delay(paced))
                log.warning("%s %s: %s, waiting %.1f s", method, path, status, delay)
                paced += 1
                await self._sleep(delay)
                continue
            if status >= 500:
                what = f"{method} {path}: the store failed ({status}{', ' + code if code else ''})"
                if write:
                    # The store may have saved the order before failing (a plugin hook, a proxy
                    # timeout): only a lookup can tell.
                    raise OutcomeUnknown(f"{what}; the order may or may not have been created")
                if failed < self._read_retries:
                    delay = self._backoff_delay(failed)
                    log.warning("%s, retrying in %.1f s", what, delay)
                    failed += 1
                    await self._sleep(delay)
                    continue
                raise ServerError(what, status)
            raise self._http_error(method, path, status, code, message, headers, write)

    async def _exchange(
        self, method: str, path: str, signed: Any, json: Any, write: bool
    ) -> tuple[int, Mapping[str, str], bytes]:
        """One HTTP exchange; transport failures become ConnectorErrors (keys redacted)."""
        session = self._get_session()
        host = URL(self.url).host
        try:
            async with session.request(
                method,
                URL(signed.url, encoded=True),
                headers=signed.headers or None,
                json=json,
                timeout=self._timeout,
                allow_redirects=False,
            ) as resp:
                body = await resp.read()
                return resp.status, resp.headers, body
        except aiohttp.ClientSSLError as exc:
            raise TLSFailure(
                f"the certificate of {host} could not be verified: {self._why(exc)}"
            ) from None
        except aiohttp.ConnectionTimeoutError:
            raise StoreUnreachable(f"no connection to {host}: connecting timed out") from None
        except aiohttp.ClientConnectorError as exc:
            raise StoreUnreachable(f"no connection to {host}: {self._why(exc)}") from None
        except TimeoutError:
            if write:
                raise OutcomeUnknown(
                    f"{method} {path}: no answer within {self._timeout.total:g} s; "
                    "the order may or may not have been created"
                ) from None
            raise Timeout(f"{method} {path}: no answer within {self._timeout.total:g} s") from None
        except (aiohttp.ClientError, OSError) as exc:
            if write:
                raise OutcomeUnknown(
                    f"{method} {path}: the connection was lost ({self._why(exc)}); "
                    "the order may or may not have been created"
                ) from None
            raise StoreUnreachable(
                f"{method} {path}: the connection to {host} was lost ({self._why(exc)})"
            ) from None

    def _why(self, exc: BaseException) -> str:
        return redact(str(exc) or type(exc).__name__, self._keys)

    def _json(
        self, method: str, path: str, status: int, headers: Mapping[str, str], body: bytes
    ) -> Any:
        try:
            return jsonlib.loads(body)
        except ValueError:
            kind = headers.get("Content-Type", "no content type").split(";")[0]
            raise BadResponse(
                f"{method} {path}: the store answered {status} with {kind}, not JSON"
            ) from None

    def _http_error(
        self,
        method: str,
        path: str,
        status: int,
        code: str,
        message: str,
        headers: Mapping[str, str],
        write: bool,
    ) -> ConnectorError:
        message = message.strip()
        said = f"{message} ({code})" if message and code else message or code or f"HTTP {status}"
        what = f"{method} {path}: {said}"
        if 300 <= status < 400:
            location = redact(headers.get("Location", ""), self._keys)
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

    # -- helpers over _request ------------------------------------------------------------------

    async def get(self, path: str, params: Mapping[str, str | int] | None = None) -> Any:
        return (await self._request("GET", path, params=params)).data

    async def get_page(
        self,
        path: str,
        params: Mapping[str, str | int] | None = None,
        *,
        page: int = 1,
        per_page: int = PER_PAGE,
    ) -> Page:
        resp = await self._request(
            "GET", path, params={**(params or {}), "page": page, "per_page": per_page}
        )
        if not isinstance(resp.data, list):
            raise BadResponse(f"GET {path} page {page}: expected a JSON list")
        return Page(
            number=page,
            items=resp.data,
            per_page=per_page,
            total=resp.header_int("X-WP-Total"),
            total_pages=resp.header_int("X-WP-TotalPages"),
        )

    async def pages(
        self,
        path: str,
        params: Mapping[str, str | int] | None = None,
        *,
        start: int = 1,
        per_page: int = PER_PAGE,
        then: Callable[[Page], Awaitable[T]],
    ) -> AsyncIterator[T]:
        """`then(page)` for every page from `start`, yielded in page order.

        Page `start` comes first and says how many pages there are; the rest are fetched (and
        passed through `then`) concurrently, a few pages ahead, within the request bound.
        """
        # Pages wait here, done, while the caller works on an earlier one (writes it, or waits
        # for a slow page before it); twice the request bound keeps requests in flight meanwhile.
        lookahead = 2 * self.concurrency
        first = await self.get_page(path, params, page=start, per_page=per_page)
        if first.total_pages is None:  # no paging headers: walk until a short page
            page = first
            yield await then(page)
            while not page.is_last:
                page = await self.get_page(path, params, page=page.number + 1, per_page=per_page)
                yield await then(page)
            return

        async def fetch(n: int) -> T:
            return await then(await self.get_page(path, params, page=n, per_page=per_page))

        numbers = iter(range(start + 1, first.total_pages + 1))
        ahead: list[asyncio.Task[T]] = []
        try:
            # Start the next pages before working on the first, so both overlap.
            for n in numbers:
                ahead.append(asyncio.ensure_future(fetch(n)))
                if len(ahead) >= lookahead:
                    break
            yield await then(first)
            while ahead:
                result = await ahead.pop(0)
                following = next(numbers, None)
                if following is not None:
                    ahead.append(asyncio.ensure_future(fetch(following)))
                yield result
        finally:
            for task in ahead:
                task.cancel()
            if ahead:
                await asyncio.gather(*ahead, return_exceptions=True)

    async def get_all(self, path: str, params: Mapping[str, str | int] | None = None) -> list[Any]:
        """Every item of a listing, all pages (page 1 first, then the rest concurrently)."""

        async def items(page: Page) -> list[Any]:
            return page.items

        out: list[Any] = []
        async for chunk in self.pages(path, params, then=items):
            out.extend(chunk)
        return out


__all__ = [
    "API_ROOT",
    "PER_PAGE",
    "Page",
    "Redirected",
    "Response",
    "RouteMissing",
    "Sleep",
    "WooClient",
    "parse_retry_after",
]

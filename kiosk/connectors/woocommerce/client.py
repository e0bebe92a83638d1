"""The WooCommerce REST v3 HTTP client: one `_request()` through which every call passes.

`_request` owns the timeout, the auth, the concurrency bound, pacing (429 / 503 with Retry-After)
and the retry of failed reads, and turns every failure into kiosk.connectors.errors. It never
retries a write whose outcome it cannot know: that is OutcomeUnknown, for the caller to look up.

Pacing is shared: when the store answers one request 429 (or 503 with Retry-After), every
request of this client waits with it before it is sent (the store is limiting the client, not
that one request), and sending resumes when the longest such wait is over.

Sites without pretty permalinks have no /wp-json/ (it is a rewrite rule); WordPress reads the
route from `?rest_route=` instead. With `rest_route=True` every request goes to
`<site>/index.php?rest_route=/wc/v3/...`: WooCommerce's OAuth check signs for the home URL plus
the path sent, so `/index.php` (not `/`, which it signs as the bare home URL that no RFC 5849
client produces) is the form that authenticates over plain HTTP too.
"""

from __future__ import annotations

import asyncio
import logging
import random
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
from yarl import URL

from kiosk.connectors.errors import (
    BadResponse,
    ConnectionLost,
    OutcomeUnknown,
    RateLimited,
    ServerError,
    StoreUnreachable,
    Timeout,
    TLSFailure,
)
from kiosk.connectors.session import SessionOwner
from kiosk.connectors.woocommerce.answers import (
    Page,
    Redirected,
    Response,
    RouteMissing,
    http_error,
    json_body,
    parse_retry_after,
    store_error,
)
from kiosk.connectors.woocommerce.auth import Authenticator, Keys, choose_mode, redact, unsigned

log = logging.getLogger(__name__)

API_ROOT = "/wp-json/wc/v3"
PER_PAGE = 100  # the most WooCommerce serves in one page (101 is a 400)

Sleep = Callable[[float], Awaitable[None]]
T = TypeVar("T")


class WooClient(SessionOwner):
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
        rest_route: bool = False,
    ) -> None:
        self.url = url.rstrip("/")
        self.rest_route = rest_route  # the API at ?rest_route= (plain permalinks)
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
        # Shared pacing: set while no request is held back; `_pausing` counts the waits on.
        self._go = asyncio.Event()
        self._go.set()
        self._pausing = 0

    # -- lifecycle ------------------------------------------------------------------------------

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
            # aiohttp sends a GET again by itself when a kept-alive connection drops, with the
            # same signed URL: a store that saw the first refuses its OAuth nonce (401), which
            # reads as bad keys. _request retries reads itself, signed afresh. There is no public
            # switch (aiohttp issue 10790); aiohttp's own test client sets the same attribute.
            self._session._retry_connection = False
        return self._session

    # -- the choke point ------------------------------------------------------------------------

    def _full_url(self, path: str) -> str:
        if not path.startswith("/"):
            path = "/" + path
        return self.url + (path if path.startswith("/wp-json") else API_ROOT + path)

    def _target(self, path: str, query: dict[str, str]) -> tuple[str, dict[str, str]]:
        """The URL to send to and its query: /wp-json/... or /index.php?rest_route=/...."""
        url = self._full_url(path)
        if not self.rest_route:
            return url, query
        route = url[len(self.url) + len("/wp-json") :] or "/"
        return f"{self.url}/index.php", {"rest_route": route, **query}

    async def _pause(self, delay: float) -> None:
        """Hold every request of this client back for `delay` seconds (a 429's wait)."""
        self._pausing += 1
        self._go.clear()
        try:
            await self._sleep(delay)
        finally:
            self._pausing -= 1
            if not self._pausing:
                self._go.set()

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
        url, query = self._target(path, {k: str(v) for k, v in (params or {}).items()})
        paced = failed = 0
        while True:
            await self._go.wait()  # another request's 429 holds this one back too
            signed = self._auth.sign(method, url, query) if authenticate else unsigned(url, query)
            started = time.monotonic()
            try:
                async with self._slots:
                    status, headers, body = await self._exchange(method, path, signed, json, write)
            except ConnectionLost as exc:
                # A read lost mid-way is sent again, signed afresh (a store refuses a repeated
                # OAuth nonce): the same few tries as a read the store failed.
                if failed >= self._read_retries:
                    raise
                delay = self._backoff_delay(failed)
                log.warning("%s, retrying in %.1f s", exc, delay)
                failed += 1
                await self._sleep(delay)
                continue
            log.debug(
                "%s %s -> %s in %.0f ms",
                method,
                path,
                status,
                (time.monotonic() - started) * 1000,
            )
            if 200 <= status < 300:
                return Response(status, json_body(method, path, status, headers, body), headers)
            code, message = store_error(body)
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
                await self._pause(delay)
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
            raise http_error(
                method, path, status, code, message, headers, write=write, keys=self._keys
            )

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
            raise ConnectionLost(
                f"{method} {path}: the connection to {host} was lost ({self._why(exc)})"
            ) from None

    def _why(self, exc: BaseException) -> str:
        return redact(str(exc) or type(exc).__name__, self._keys)

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

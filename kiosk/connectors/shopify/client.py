"""The Shopify Admin GraphQL client: one `_request()` through which every query passes.

What it relies on (shopify.dev: "GraphQL Admin API rate limits", "About the GraphQL Admin API",
API versioning): every call is a POST of `{"query", "variables"}` to
`https://<shop>.myshopify.com/admin/api/<version>/graphql.json` with the Admin API access token in
`X-Shopify-Access-Token` (a legacy private app's "API password" is such a token); the version is
pinned (2026-10). A wrong token is HTTP 401 with `{"errors": "[API] Invalid API key or access
token ..."}`; a missing scope 403 (or an ACCESS_DENIED error); query errors come back as HTTP 200
with `errors`; being over the cost budget is a 200 whose error has `extensions.code:
"THROTTLED"` and whose `extensions.cost.throttleStatus` says how full the bucket is.

`_request` owns the timeout, the concurrency bound, pacing on throttleStatus (kiosk.connectors.
shopify.pacing: wait exactly as long as the restore rate needs, never a fixed sleep), the retry
of THROTTLED answers, 429s and 5xx on queries, and turns every failure into
kiosk.connectors.errors. The token is sent in a header only and never logged or put in an error.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import aiohttp
from yarl import URL

from kiosk.connectors.errors import (
    ApiDisabled,
    AuthFailed,
    BadResponse,
    ConnectionLost,
    ConnectorError,
    NotAStore,
    OutcomeUnknown,
    PermissionDenied,
    RateLimited,
    ServerError,
    StoreUnreachable,
    Timeout,
)
from kiosk.connectors.session import SessionOwner
from kiosk.connectors.shopify import API_VERSION
from kiosk.connectors.shopify.pacing import Pacer, ThrottleStatus

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
# Floating point leaves a wait of 1e-14 s after an exact one: not worth a sleep (or a log line).
_NEGLIGIBLE = 1e-3


def shop_url(shop: str) -> str:
    """`NAME.myshopify.com` (or a full URL) as the https address the Admin API lives under."""
    shop = shop.strip().rstrip("/")
    return shop if "://" in shop else f"https://{shop}"


class ShopifyClient(SessionOwner):
    """A GraphQL client for one shop. Use as an async context manager, or close()."""

    def __init__(
        self,
        shop: str,
        token: str,
        *,
        api_version: str = API_VERSION,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        concurrency: int = 2,
        throttle_retries: int = 8,
        read_retries: int = 2,
        backoff: float = 1.0,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
        session: aiohttp.ClientSession | None = None,
        user_agent: str = "kiosk-pos/0.1",
    ) -> None:
        self.url = shop_url(shop)
        if not URL(self.url).host:
            raise ValueError(f"the shop address {shop!r} has no host name")
        if concurrency < 1:
            raise ValueError(f"concurrency must be 1 or more, not {concurrency}")
        self.endpoint = f"{self.url}/admin/api/{api_version}/graphql.json"
        self.api_version = api_version
        self._token = token
        self._timeout = aiohttp.ClientTimeout(
            total=timeout, sock_connect=min(connect_timeout, timeout)
        )
        self.concurrency = concurrency
        self._slots = asyncio.Semaphore(concurrency)
        self._throttle_retries = throttle_retries
        self._read_retries = read_retries
        self._backoff = backoff
        self.sleep = sleep  # pacing waits and the bulk copy's polls both go through it
        self._clock = clock
        self._jitter = jitter
        self._session = session
        self._own_session = session is None
        self._user_agent = user_agent
        self.pacer = Pacer()
        self._pace = asyncio.Lock()  # requests wait for the bucket one after another, in order
        self.waits: list[float] = []  # every pacing wait, in order (progress and tests read it)

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.concurrency),
                headers={"User-Agent": self._user_agent, "Accept": "application/json"},
            )
        return self._session

    # -- the choke point ------------------------------------------------------------------------

    async def _wait(self, seconds: float, why: str) -> None:
        self.waits.append(seconds)
        log.info("Shopify: %s, waiting %.2f s", why, seconds)
        await self.sleep(seconds)

    async def _paced(self, document: str) -> float:
        """Wait until the bucket holds this document's known cost; reserve it."""
        cost = float(self.pacer.costs.get(document, 0))
        async with self._pace:
            wait = self.pacer.wait_for(cost, self._clock())
            if wait > _NEGLIGIBLE:
                await self._wait(wait, f"the cost budget needs {wait:.2f} s for {cost:g} points")
            self.pacer.reserve(cost)
        return cost

    async def _request(
        self,
        document: str,
        variables: Mapping[str, Any] | None = None,
        *,
        name: str = "",
        write: bool = False,
    ) -> dict[str, Any]:
        """Send one GraphQL query (retrying what is safe) and return its `data`.

        Raises a ConnectorError subclass for everything else. A `write` (a mutation whose
        repetition is not harmless, like orderCreate) is sent again only after an answer that
        proves it was not carried out (THROTTLED, 429: refused before execution); a lost
        connection, a timeout or a 5xx after sending it is OutcomeUnknown.
        """
        what = name or "query"
        throttled = failed = 0
        body = {"query": document, "variables": dict(variables or {})}
        while True:
            reserved = await self._paced(document)
            started = self._clock()
            try:
                async with self._slots:
                    status, headers, answer = await self._exchange(what, body)
            except (ConnectionLost, Timeout) as exc:
                self.pacer.settle(reserved, None, self._clock())
                if write:
                    raise OutcomeUnknown(f"{exc}: it may or may not have been done") from None
                if failed >= self._read_retries:
                    raise
                failed += 1
                await self._wait(self._backoff_delay(failed), f"{exc}; trying again")
                continue
            extensions = answer.get("extensions") if isinstance(answer, dict) else None
            self.pacer.settle(reserved, ThrottleStatus.of(extensions), self._clock())
            self.pacer.learn(document, extensions)
            log.debug("Shopify %s -> %s in %.0f ms", what, status, (self._clock() - started) * 1e3)
            if status == 200 and isinstance(answer, dict):
                errors = answer.get("errors")
                if _code(errors) == "THROTTLED":
                    throttled += 1
                    if throttled > self._throttle_retries:
                        raise RateLimited(
                            f"Shopify {what}: still throttled after {throttled} tries"
                        )
                    wait = self._throttle_wait(document, extensions)
                    await self._wait(wait, f"{what} was throttled")
                    continue
                if errors:
                    raise _graphql_error(what, errors)
                data = answer.get("data")
                if not isinstance(data, dict):
                    if write:
                        raise OutcomeUnknown(f"Shopify {what}: the answer has no data")
                    raise BadResponse(f"Shopify {what}: the answer has no data")
                return data
            if status == 200 and write:
                raise OutcomeUnknown(f"Shopify {what}: the answer is unreadable")
            if status == 429:
                throttled += 1
                if throttled > self._throttle_retries:
                    raise RateLimited(f"Shopify {what}: the shop keeps answering 429")
                retry_after = _seconds(headers.get("Retry-After")) or 1.0
                await self._wait(retry_after, f"{what} answered 429")
                continue
            if status >= 500:
                if write:
                    raise OutcomeUnknown(f"Shopify {what}: the shop failed ({status}) mid-write")
                if failed >= self._read_retries:
                    raise ServerError(f"Shopify {what}: the shop failed ({status})", status)
                failed += 1
                await self._wait(self._backoff_delay(failed), f"Shopify failed ({status})")
                continue
            raise self._http_error(what, status, answer)

    def _throttle_wait(self, document: str, extensions: Any) -> float:
        """How long a THROTTLED query must wait: its cost less what the bucket holds, restored."""
        cost = self.pacer.costs.get(document, 0)
        wait = self.pacer.wait_for(cost, self._clock())
        # A bucket with no restore rate would never refill: fall back to a short backoff.
        return wait if wait > 0 or self.pacer.status else self._backoff_delay(1)

    def _backoff_delay(self, attempt: int) -> float:
        delay = min(30.0, self._backoff * 2.0 ** (attempt - 1))
        return delay / 2 + delay / 2 * self._jitter()

    def _http_error(self, what: str, status: int, answer: Any) -> ConnectorError:
        host = URL(self.url).host
        detail = self._redact(_message(answer))
        if status == 401:
            return AuthFailed(
                f"{host} refused the Admin API access token ({detail or 'unauthorized'}): "
                "check the token, or make a new one in the app's API credentials"
            )
        if status == 403:
            return PermissionDenied(f"{host}: the token may not do this ({detail or status})")
        if status == 404:
            return NotAStore(
                f"{host} has no Admin API {self.api_version} (is it the NAME.myshopify.com "
                "address of the shop?)"
            )
        if status in (402, 423):
            return ApiDisabled(f"{host}: the shop is unavailable ({status}: {detail})")
        return BadResponse(f"Shopify {what}: unexpected HTTP {status} ({detail})")

    def _redact(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text

    async def _exchange(self, what: str, body: Any) -> tuple[int, Mapping[str, str], Any]:
        """One HTTP exchange; transport failures become ConnectorErrors (the token redacted)."""
        host = URL(self.url).host
        try:
            async with self._get_session().post(
                self.endpoint,
                json=body,
                headers={"X-Shopify-Access-Token": self._token},
                timeout=self._timeout,
                allow_redirects=False,
            ) as resp:
                try:
                    answer = await resp.json(content_type=None)
                except ValueError:
                    answer = None
                return resp.status, resp.headers, answer
        except aiohttp.ConnectionTimeoutError:
            raise StoreUnreachable(f"no connection to {host}: connecting timed out") from None
        except aiohttp.ClientConnectorError as exc:
            raise StoreUnreachable(f"no connection to {host}: {self._redact(str(exc))}") from None
        except TimeoutError:
            raise Timeout(f"Shopify {what}: no answer within {self._timeout.total:g} s") from None
        except (aiohttp.ClientError, OSError) as exc:
            why = self._redact(str(exc) or type(exc).__name__)
            raise ConnectionLost(
                f"Shopify {what}: the connection to {host} was lost ({why})"
            ) from None

    # -- helpers over _request ------------------------------------------------------------------

    async def query(
        self, document: str, variables: Mapping[str, Any] | None = None, *, name: str = ""
    ) -> dict[str, Any]:
        return await self._request(document, variables, name=name)

    async def mutate(
        self, document: str, variables: Mapping[str, Any] | None = None, *, name: str = ""
    ) -> dict[str, Any]:
        """A mutation that must not run twice: never re-sent once its outcome is in doubt."""
        return await self._request(document, variables, name=name, write=True)

    async def lines(self, url: str) -> AsyncIterator[bytes]:
        """The lines of a bulk operation's JSONL file (a signed URL: the token is not sent)."""
        timeout = aiohttp.ClientTimeout(total=None, sock_read=self._timeout.total)
        try:
            async with self._get_session().get(url, timeout=timeout) as resp:
                if resp.status != 200:
                    raise BadResponse(f"the bulk operation's file answered {resp.status}")
                async for line in resp.content:
                    if line.strip():
                        yield line
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise ConnectionLost(
                f"downloading the bulk operation's file failed ({type(exc).__name__})"
            ) from None


def _code(errors: Any) -> str | None:
    if isinstance(errors, list):
        for error in errors:
            if isinstance(error, dict) and isinstance(error.get("extensions"), dict):
                code = error["extensions"].get("code")
                if isinstance(code, str):
                    return code
    return None


def _message(answer: Any) -> str:
    errors = answer.get("errors") if isinstance(answer, dict) else answer
    if isinstance(errors, str):
        return errors
    if isinstance(errors, list):
        return "; ".join(
            str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors
        )
    return ""


def _graphql_error(what: str, errors: Any) -> ConnectorError:
    message = _message({"errors": errors})[:500]
    if _code(errors) == "ACCESS_DENIED":
        return PermissionDenied(f"Shopify {what}: access denied ({message}): grant the scope")
    return BadResponse(f"Shopify {what}: {message}")


def _seconds(text: str | None) -> float | None:
    try:
        return max(0.0, float(text)) if text else None
    except ValueError:
        return None

"""How WordPress finds the REST API on a site: `/wp-json/...` or `?rest_route=/...`.

WordPress serves the REST API at `/?rest_route=/wc/v3/products` on every site (rest_api_loaded
reads the `rest_route` query variable); `/wp-json/...` is a rewrite rule, so it only exists with
pretty permalinks. A store with plain permalinks (`pretty_permalinks=False` here) answers
`/wp-json/...` with the theme's HTML 404 page, and only `?rest_route=` reaches the API.

The OAuth signature of a `rest_route` request covers the path as sent (`/` or `/index.php`) and
the `rest_route` parameter with the others, so the original path is kept in the request's state
for kiosk.sim.woocommerce.auth.

Handlers see the request's parameters as PHP parsed them (`php_view`): one value per name,
`name[]` arrays, `+` and `%20` as spaces (kiosk.sim.woocommerce.php_request).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from kiosk.sim.woocommerce import php_request

REST_PREFIX = "/wp-json"
ENTRY_PATHS = ("/", "/index.php")  # where `?rest_route=` is read
SIGNED_PATH = web.RequestKey("kiosk.sim.signed_path", str)  # the raw path the client sent
NOT_FOUND_HTML = (
    "<!DOCTYPE html><html><head><title>Page not found</title></head>"
    "<body><h1>Nothing here</h1></body></html>"
)


def route_of(request: web.Request) -> str | None:
    """The REST route a `?rest_route=` request asks for (None for any other request)."""
    if request.path not in ENTRY_PATHS:
        return None
    route = php_request.scalar(php_request.parse(request.rel_url.raw_query_string), "rest_route")
    if route is None:
        return None
    return "/" + route.strip("/") if route.strip("/") else "/"


def rest_path(request: web.Request) -> str:
    """The path a request reaches the REST API at: /wp-json/... for both forms."""
    route = route_of(request)
    if route is None:
        return request.path
    return REST_PREFIX + ("" if route == "/" else route)


def signed_path(request: web.Request) -> str:
    """The raw path the client sent (and signed), before any rest_route dispatch."""
    sent = request.get(SIGNED_PATH)
    return sent if isinstance(sent, str) else request.rel_url.raw_path


def php_view(request: web.Request) -> web.Request:
    """The request as a handler should read it: its query as PHP's `$_GET` holds it.

    Make it before reading the body (aiohttp cannot clone a request whose body was read) and
    read the body from the view.
    """
    params = php_request.parse(request.rel_url.raw_query_string)
    params.pop("rest_route", None)
    query = php_request.canonical_query(params)
    return request.clone(rel_url=request.rel_url.raw_path + (f"?{query}" if query else ""))


def middleware(pretty_permalinks: Callable[[], bool]) -> Any:
    """Dispatch `?rest_route=` requests to the REST routes; hide /wp-json without permalinks."""

    @web.middleware
    async def dispatch(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        route = route_of(request)
        if route is None:
            if request.path.startswith(REST_PREFIX) and not pretty_permalinks():
                return web.Response(status=404, text=NOT_FOUND_HTML, content_type="text/html")
            return await handler(request)
        inner = request.clone(rel_url=f"{rest_path(request)}?{request.rel_url.raw_query_string}")
        inner[SIGNED_PATH] = request.rel_url.raw_path
        match = await request.app.router.resolve(inner)
        match.add_app(request.app)
        match.freeze()
        # As Application._handle does after resolving (no public way to re-route a request).
        inner._match_info = match
        return await match.handler(inner)

    return dispatch


__all__ = ["middleware", "php_view", "rest_path", "route_of", "signed_path"]

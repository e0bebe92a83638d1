"""WordPress REST plumbing: error bodies, argument validation, paging headers and `_fields`.

Messages follow WordPress core (`rest_validate_value_from_schema`) and WooCommerce's controllers,
so a client that reads `code` or `message` sees what a real store sends.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, NoReturn
from urllib.parse import urlencode

from aiohttp import web

Obj = dict[str, Any]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Guard = Callable[[str], Callable[[Handler], Handler]]  # guard(kind) wraps a route with auth


class WooError(Exception):
    """A WP_Error: raise it from a handler to answer `{"code","message","data":{"status"}}`."""

    def __init__(self, code: str, message: str, status: int, **data: Any) -> None:
        super().__init__(message)
        self.code, self.message, self.status, self.data = code, message, status, data

    def response(self) -> web.Response:
        body = {
            "code": self.code,
            "message": self.message,
            "data": {"status": self.status, **self.data},
        }
        return web.json_response(body, status=self.status)


def invalid_params(problems: dict[str, tuple[str, str]]) -> NoReturn:
    """Raise WordPress's `rest_invalid_param` for {param: (detail code, message)}."""
    raise WooError(
        "rest_invalid_param",
        f"Invalid parameter(s): {', '.join(problems)}",
        400,
        params={k: msg for k, (_, msg) in problems.items()},
        details={
            k: {"code": code, "message": msg, "data": None} for k, (code, msg) in problems.items()
        },
    )


def _wp_list(items: Sequence[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]


class Args:
    """Validated query arguments of one request, with WordPress's error for a bad one."""

    def __init__(self, request: web.Request) -> None:
        self.query = request.query
        self.problems: dict[str, tuple[str, str]] = {}

    def check(self) -> None:
        if self.problems:
            invalid_params(self.problems)

    def text(self, name: str, default: str = "") -> str:
        return self.query.get(name, default)

    def integer(
        self, name: str, default: int, low: int | None = None, high: int | None = None
    ) -> int:
        raw = self.query.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            self.problems[name] = ("rest_invalid_type", f"{name} is not of type integer.")
            return default
        if low is not None and high is not None and not low <= value <= high:
            self.problems[name] = (
                "rest_out_of_bounds",
                f"{name} must be between {low} (inclusive) and {high} (inclusive)",
            )
        elif low is not None and value < low:
            self.problems[name] = (
                "rest_out_of_bounds",
                f"{name} must be greater than or equal to {low}",
            )
        return value

    def choice(self, name: str, options: Sequence[str], default: str) -> str:
        value = self.query.get(name, default)
        if value not in options:
            self.problems[name] = ("rest_not_in_enum", f"{name} is not one of {_wp_list(options)}.")
            return default
        return value

    def ids(self, name: str) -> list[int]:
        raw = self.query.getall(name, []) + self.query.getall(f"{name}[]", [])
        out: list[int] = []
        for chunk in raw:
            for part in chunk.split(","):
                if part.strip():
                    try:
                        out.append(int(part))
                    except ValueError:
                        self.problems[name] = (
                            "rest_invalid_type",
                            f"{name}[0] is not of type integer.",
                        )
        return out

    def words(self, name: str) -> list[str]:
        raw = self.query.getall(name, []) + self.query.getall(f"{name}[]", [])
        return [w.strip() for chunk in raw for w in chunk.split(",") if w.strip()]

    def flag(self, name: str) -> bool:
        return self.query.get(name, "").lower() in ("1", "true", "yes")

    def date(self, name: str) -> datetime | None:
        raw = self.query.get(name)
        if not raw:
            return None
        try:
            value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            self.problems[name] = ("rest_invalid_date", "Invalid date.")
            return None
        return value


def date_filter(args: Args, to_utc_local: Callable[[str], datetime]) -> Callable[[Obj], bool]:
    """`after`/`before` (created) and `modified_after`/`modified_before`, site time unless
    `dates_are_gmt` (then the `*_gmt` fields are compared)."""
    gmt = args.flag("dates_are_gmt")
    bounds = {n: args.date(n) for n in ("after", "before", "modified_after", "modified_before")}

    def value(obj: Obj, field: str) -> datetime:
        if gmt:
            return datetime.fromisoformat(obj[f"{field}_gmt"][:19]).replace(tzinfo=UTC)
        return to_utc_local(obj[field])

    def bound(name: str) -> datetime | None:
        when = bounds[name]
        if when is None:
            return None
        if when.tzinfo is not None:
            return when.astimezone(UTC)
        return when.replace(tzinfo=UTC) if gmt else to_utc_local(when.isoformat())

    after, before = bound("after"), bound("before")
    m_after, m_before = bound("modified_after"), bound("modified_before")
    if not (after or before or m_after or m_before):
        return lambda obj: True  # no bounds: skip parsing every object's dates

    def keep(obj: Obj) -> bool:
        created, modified = value(obj, "date_created"), value(obj, "date_modified")
        return not (
            (after and created <= after)
            or (before and created >= before)
            or (m_after and modified <= m_after)
            or (m_before and modified >= m_before)
        )

    return keep


def sort_objects(items: list[Obj], orderby: str, order: str, include: list[int]) -> list[Obj]:
    keys: dict[str, Callable[[Obj], Any]] = {
        "date": lambda o: (o.get("date_created_gmt", ""), o["id"]),
        "modified": lambda o: (o.get("date_modified_gmt", ""), o["id"]),
        "id": lambda o: o["id"],
        "title": lambda o: (str(o.get("name", "")).lower(), o["id"]),
        "name": lambda o: (str(o.get("name", o.get("first_name", ""))).lower(), o["id"]),
        "slug": lambda o: (str(o.get("slug", "")), o["id"]),
        "menu_order": lambda o: (o.get("menu_order", 0), o["id"]),
        "price": lambda o: (float(o.get("price") or 0), o["id"]),
        "order": lambda o: (o.get("order", 0), o["id"]),
        "registered_date": lambda o: (o.get("date_created_gmt", ""), o["id"]),
    }
    if orderby == "include" and include:
        rank = {pid: i for i, pid in enumerate(include)}
        return sorted(items, key=lambda o: rank.get(o["id"], len(rank)))
    return sorted(items, key=keys.get(orderby, keys["id"]), reverse=order == "desc")


# Query parameters that only choose which slice of a listing to send, or sign the request.
PAGING_PARAMS = ("page", "per_page", "_fields")


def listing_key(request: web.Request) -> tuple[tuple[str, str], ...]:
    """The query parameters that decide a listing's filtered, sorted items, in request order
    (order matters: `include` ranks by it), to key a memoised listing on."""
    return tuple(
        (k, v)
        for k, v in request.query.items()
        if k not in PAGING_PARAMS and not k.startswith("oauth_")
    )


def pick_fields(obj: Obj, fields: str) -> Obj:
    """`_fields=a,b`: only those top-level keys (WordPress drops `_links` too)."""
    wanted = [f.strip().split(".")[0] for f in fields.split(",") if f.strip()]
    return {k: obj[k] for k in wanted if k in obj}


def page_response(
    request: web.Request,
    args: Args,
    items: list[Obj],
    base_url: str,
    render: Callable[[Obj], Obj],
    *,
    default_per_page: int = 10,
    max_per_page: int = 100,
) -> web.Response:
    """One page of `items` with X-WP-Total, X-WP-TotalPages and a Link header like WooCommerce.

    `per_page` is 1..max_per_page (WooCommerce: 1..100, default 10); a page past the end is 200
    with `[]`.
    """
    page = args.integer("page", 1, low=1)
    per_page = args.integer("per_page", default_per_page, low=1, high=max_per_page)
    args.check()
    total = len(items)
    pages = -(-total // per_page)
    chunk = items[(page - 1) * per_page : page * per_page]
    fields = request.query.get("_fields")
    body = [render(o) for o in chunk]
    if fields:
        body = [pick_fields(o, fields) for o in body]
    resp = web.Response(text=json.dumps(body), content_type="application/json", charset="UTF-8")
    resp.headers["X-WP-Total"] = str(total)
    resp.headers["X-WP-TotalPages"] = str(pages)
    base = f"{base_url}{request.path}"
    params = [(k, v) for k, v in request.query.items() if k != "page"]
    links = []
    if page > 1:
        prev = min(page - 1, pages) if pages else 1
        links.append(f'<{base}?{urlencode([*params, ("page", prev)])}>; rel="prev"')
    if pages > page:
        links.append(f'<{base}?{urlencode([*params, ("page", page + 1)])}>; rel="next"')
    if links:
        resp.headers["Link"] = ", ".join(links)
    return resp


def one(request: web.Request, obj: Obj, status: int = 200) -> web.Response:
    fields = request.query.get("_fields")
    return web.json_response(pick_fields(obj, fields) if fields else obj, status=status)

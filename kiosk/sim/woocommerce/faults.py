"""Injected failures: what a flaky host, a rate limiter or a dropped connection look like.

Faults are matched in the order they were added, by method and path prefix; each applies to
`count` requests and is then used up. A relative path ("orders") is a prefix under wc/v3 and
under the companion plugin's kiosk/v1 alike: "orders" is the order upload whichever route the
device takes. Only the first matching fault applies to a request.
A random fault (`add_random`) is never used up: it applies to each matching request with its
`rate`, drawn from the plan's seeded generator, once no counted fault has matched.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from aiohttp import web

from kiosk.sim.fault_plan import Holds, check_fault, split_spec, use_first

KINDS = ("429", "503", "500", "timeout", "drop", "drop_after_commit")
API_PREFIX = "/wp-json/wc/v3/"
PLUGIN_PREFIX = "/wp-json/kiosk/v1/"

_HTML = (
    "<!DOCTYPE html><html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
)


@dataclass
class Fault:
    kind: str
    method: str | None
    path: str | None
    count: int
    retry_after: float | None
    rate: float | None = None  # a random fault: the share of matching requests it hits
    hold_s: float | None = None  # "timeout": answer after this long if not released first

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        if self.path is None or path.startswith(self.path):
            return True
        # A relative path given at creation matches the plugin's route of the same name too.
        return self.path.startswith(API_PREFIX) and path.startswith(
            PLUGIN_PREFIX + self.path[len(API_PREFIX) :]
        )


class FaultPlan(Holds):
    """The faults still to happen. `release()` lets held ("timeout") requests go."""

    def __init__(self, seed: int = 0) -> None:
        super().__init__()
        self.pending: list[Fault] = []
        self.random: list[Fault] = []
        self.rng = random.Random(seed)
        self.fired: list[tuple[str, str, str]] = []  # (kind, method, path), in order

    def add(
        self,
        kind: str,
        *,
        method: str | None = None,
        path: str | None = None,
        count: int = 1,
        retry_after: float | None = None,
        hold_s: float | None = None,
    ) -> Fault:
        """Queue a fault. `path` is a prefix: "/wp-json/wc/v3/orders" or just "orders"."""
        fault = _fault(kind, method, path, count, retry_after, hold_s)
        self.pending.append(fault)
        return fault

    def add_random(
        self,
        kind: str,
        rate: float,
        *,
        method: str | None = None,
        path: str | None = None,
        retry_after: float | None = None,
        hold_s: float | None = None,
    ) -> Fault:
        """A fault that hits each matching request with probability `rate`, until cleared."""
        if not 0 < rate <= 1:
            raise ValueError(f"fault rate must be above 0 and at most 1, not {rate}")
        fault = _fault(kind, method, path, 1, retry_after, hold_s)
        fault.rate = rate
        self.random.append(fault)
        return fault

    def clear(self) -> None:
        self.pending.clear()
        self.random.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """The fault that applies to this request, counted as used."""
        self.saw_request()
        fault = use_first(self.pending, lambda f: f.matches(method, path))
        if fault is None:
            fault = next(
                (
                    f
                    for f in self.random
                    if f.matches(method, path) and self.rng.random() < (f.rate or 0)
                ),
                None,
            )
        if fault is not None:
            self.fired.append((fault.kind, method, path))
        return fault


def _fault(
    kind: str,
    method: str | None,
    path: str | None,
    count: int,
    retry_after: float | None,
    hold_s: float | None,
) -> Fault:
    check_fault(kind, KINDS, count)
    if hold_s is not None and (kind != "timeout" or hold_s < 0):
        raise ValueError("hold_s is for timeout faults, and cannot be negative")
    if path is not None and not path.startswith("/"):
        path = API_PREFIX + path
    return Fault(kind, method, path, count, retry_after, hold_s=hold_s)


def fault_response(fault: Fault) -> web.Response:
    """The answer for a status fault (429, 503, 500): HTML, as hosts and proxies send it."""
    titles = {
        "429": "429 Too Many Requests",
        "503": "503 Service Unavailable",
        "500": "500 Internal Server Error",
    }
    resp = web.Response(
        status=int(fault.kind),
        text=_HTML.format(title=titles[fault.kind]),
        content_type="text/html",
    )
    if fault.kind in ("429", "503"):
        retry = fault.retry_after if fault.retry_after is not None else 1
        resp.headers["Retry-After"] = f"{retry:g}"
    return resp


def parse_fault_spec(spec: str) -> tuple[str, str | None, int]:
    """`KIND:PATH[:COUNT]` from the command line, e.g. `503:orders:2` or `timeout:/wp-json`."""
    return split_spec(spec, KINDS)

"""Injected failures on the GraphQL endpoint, as kiosk.sim.woocommerce.faults has them for REST.

Faults apply in the order they were added to the requests whose document contains `match` (all
when empty), each to `count` requests. Kinds: "429" (Shopify's plain HTTP throttle, with
Retry-After), "500", "503", "throttled" (a 200 with Shopify's THROTTLED error and an emptied
bucket's throttleStatus), "timeout" (held until release() or `hold_s`), "drop" (the connection
closed unanswered) and "drop_after_commit" (the request is carried out, then the connection
closed before the answer).
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.sim.fault_plan import Holds, check_fault, use_first

KINDS = ("429", "500", "503", "throttled", "timeout", "drop", "drop_after_commit")


@dataclass
class Fault:
    kind: str
    match: str
    count: int
    hold_s: float | None = None
    retry_after: float = 1.0


class FaultPlan(Holds):
    """The faults still to happen. `release()` lets held ("timeout") requests go."""

    def __init__(self) -> None:
        super().__init__()
        self.pending: list[Fault] = []
        self.fired: list[str] = []  # kinds, in order

    def add(
        self,
        kind: str,
        *,
        match: str = "",
        count: int = 1,
        hold_s: float | None = None,
        retry_after: float = 1.0,
    ) -> Fault:
        check_fault(kind, KINDS, count)
        fault = Fault(kind, match, count, hold_s, retry_after)
        self.pending.append(fault)
        return fault

    def clear(self) -> None:
        self.pending.clear()

    def take(self, document: str) -> Fault | None:
        self.saw_request()
        fault = use_first(self.pending, lambda f: f.match in document)
        if fault is not None:
            self.fired.append(fault.kind)
        return fault


def parse_fault_spec(spec: str) -> tuple[str, str, int]:
    """`KIND[:MATCH[:COUNT]]` from the command line, e.g. `throttled::3` or `500:products`."""
    kind, _, rest = spec.partition(":")
    match, _, count = rest.partition(":")
    if kind not in KINDS:
        raise ValueError(f"fault {spec!r}: kind {kind!r} is not one of {', '.join(KINDS)}")
    return kind, match, int(count) if count.isdigit() else 1

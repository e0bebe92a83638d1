"""Injected failures of the API itself (the readers' own faults are levers in terminal.py).

Kinds: "429" (Stripe's rate_limit error), "lock_timeout" (429 for a locked object): refused
before anything runs; "500" (api_error once the endpoint began: kept under the idempotency key,
as Stripe keeps 500s); "timeout" (the request is held once it has begun, its idempotency key
taken, until `release()` or `hold_s`, then carried out and answered, whether or not its client
is still there); "drop" (the connection closes before anything is done)
and "drop_after_commit" (the request is carried out, its idempotent result saved, and the
connection closes before the answer: a lost response). Faults match by method and path prefix
("payment_intents" means "/v1/payment_intents"), apply to `count` requests, in the order added.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.sim.fault_plan import Holds, check_fault, split_spec, use_first

KINDS = ("429", "lock_timeout", "500", "timeout", "drop", "drop_after_commit")


@dataclass
class Fault:
    kind: str
    method: str | None
    path: str | None
    count: int
    hold_s: float | None = None

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path is None or path.startswith(self.path)


class FaultPlan(Holds):
    """The faults still to come; `seen` counts every API request looked at."""

    def __init__(self) -> None:
        super().__init__()
        self.pending: list[Fault] = []
        self.fired: list[tuple[str, str, str]] = []  # (kind, method, path)

    def add(
        self,
        kind: str,
        *,
        method: str | None = None,
        path: str | None = None,
        count: int = 1,
        hold_s: float | None = None,
    ) -> Fault:
        check_fault(kind, KINDS, count)
        if hold_s is not None and (kind != "timeout" or hold_s < 0):
            raise ValueError("hold_s is for timeout faults, and cannot be negative")
        if path is not None and not path.startswith("/"):
            path = "/v1/" + path
        fault = Fault(kind, method, path, count, hold_s)
        self.pending.append(fault)
        return fault

    def clear(self) -> None:
        self.pending.clear()

    def take(self, method: str, path: str) -> Fault | None:
        self.saw_request()
        fault = use_first(self.pending, lambda f: f.matches(method, path))
        if fault is not None:
            self.fired.append((fault.kind, method, path))
        return fault


def parse_fault_spec(spec: str) -> tuple[str, str | None, int]:
    """`KIND[:PATH[:COUNT]]` from the command line, e.g. `429:payment_intents:2`."""
    return split_spec(spec, KINDS)

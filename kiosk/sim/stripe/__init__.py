"""A Stripe API simulator for the till's card path: PaymentIntents, Terminal, Refunds, on 127.0.0.1.

    async with running_stripe_sim() as sim:
        client = stripe.StripeClient(sim.restricted_key, base_addresses={"api": sim.url})
        sim.secret_key, sim.restricted_key        # sk_test_... (all), rk_test_... (the till's)
        sim.add_key(restricted=True, livemode=True, permissions={"rak_payment_intent_write"})
        sim.state                                 # StripeState: payment_intents, charges, refunds,
                                                  # locations, readers (Stripe's JSON shapes)
        sim.requests                              # RequestRecord per API request (params, response)

Readers (`sim.terminal`, a Terminal): register one through the API with the registration code
`simulated-s710` (or `simulated-s700`, `simulated-wpe`), or `sim.terminal.show_pairing_code(
"apple-berry-cherry")` for a "real" S710 that registers with that code once. Then:
    sim.terminal.tap(reader_id, number="4000000000009995")  # the customer presents a card
    sim.terminal.decline_next("incorrect_pin")       # the next presented card is declined so
    sim.terminal.customer_cancels(reader_id)         # Cancel on the reader: customer_canceled
    sim.terminal.set_online(reader_id, False)        # terminal_reader_offline; status "offline"
    sim.terminal.set_busy(reader_id, True)           # terminal_reader_busy on every command
    sim.terminal.time_out_next(reader_id, delivered=True)  # terminal_reader_timeout (it acted)
    gate = sim.terminal.hold_authorizations()        # a presented card authorizes only once
                                                     # gate.set(): cancel_action gets busy then
    sim.terminal.auto_present_ms = 300               # the reader taps a card 300 ms after a
    sim.terminal.auto_present_card = "4242..."       # payment starts (None: only when told)
    await sim.terminal.wait_action(reader_id, "succeeded", "failed")   # event, not a sleep

The API itself (`sim.faults`, a FaultPlan): `sim.faults.add("429", path="payment_intents")`,
"lock_timeout", "500", "timeout" (held until `sim.faults.release()` or `hold_s`), "drop"
(closed before anything happens), "drop_after_commit" (done and saved, then the answer is
lost); `await sim.faults.wait_for_requests(n)` (arrived), `await sim.faults.wait_until_held()`,
`await sim.wait_for_records(n)` (answered). A request whose client gave up is still carried out.
`sim.latency_ms` delays every answer. The same levers are served over HTTP under `/__sim/`
(admin.py). Idempotency keys replay for 24 h of `clock` time (`clock` is injectable).

Checking a restricted key: Stripe has no endpoint that lists a key's permissions. Make one
harmless request per permission (cancel `pi_missing`, cancel_action on `tmr_x`, ...): a 404
means permitted, a 403 PermissionError names the missing one ("Having the
'rak_terminal_reader_write' permission would allow this request to continue";
tests/sim/stripe/test_keys.py PROBES). A key's mode is its prefix (`sk_live_`/`rk_live_` vs
`_test_`); a live key asking for a test object gets 404 "...a similar object exists in test
mode, but a live mode key was used". The till's key (TILL_PERMISSIONS) needs Charges read too:
the receipt's card details are on the Charge (`expand[]=latest_charge`).

What was relied on about Stripe is written in each module's docstring; where the simulator had
to guess, the module says "ours". Its requests and answers are checked against Stripe's
OpenAPI description in tests/sim/stripe (tests/fixtures/stripe_openapi_subset.json).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import web

from kiosk.sim.stripe.admin import admin_routes
from kiosk.sim.stripe.app import RequestRecord, SimContext, build_app
from kiosk.sim.stripe.faults import FaultPlan
from kiosk.sim.stripe.routes_payments import ROUTES as PAYMENT_ROUTES
from kiosk.sim.stripe.routes_terminal import ROUTES as TERMINAL_ROUTES
from kiosk.sim.stripe.state import TILL_PERMISSIONS, ApiKey, StripeState, new_state
from kiosk.sim.stripe.terminal import Terminal
from kiosk.sim.wire import bound_socket

__all__ = [
    "TILL_PERMISSIONS",
    "ApiKey",
    "FaultPlan",
    "RequestRecord",
    "StripeSimHandle",
    "StripeState",
    "Terminal",
    "running_stripe_sim",
]


@dataclass
class StripeSimHandle:
    """A running simulator and the levers tests pull on it (see the module docstring)."""

    url: str
    secret_key: str
    restricted_key: str
    state: StripeState
    terminal: Terminal
    faults: FaultPlan
    context: SimContext

    @property
    def requests(self) -> list[RequestRecord]:
        return self.context.requests

    async def wait_for_records(self, n: int) -> None:
        """Return once `n` API requests in all have been answered or dropped."""
        await self.context.wait_for_records(n)

    @property
    def latency_ms(self) -> float:
        return self.context.latency_ms

    @latency_ms.setter
    def latency_ms(self, value: float) -> None:
        self.context.latency_ms = value

    def add_key(
        self,
        *,
        restricted: bool = True,
        livemode: bool = False,
        permissions: Iterable[str] | None = None,
    ) -> str:
        """Mint another key (a live one, or a restricted one with other permissions)."""
        return self.state.add_key(
            restricted=restricted, livemode=livemode, permissions=permissions
        ).secret

    def sign_in(self) -> dict[str, str]:
        """The JSON line `kiosk sim stripe` prints."""
        return {
            "url": self.url,
            "secret_key": self.secret_key,
            "restricted_key": self.restricted_key,
        }


@asynccontextmanager
async def running_stripe_sim(
    *,
    port: int = 0,
    latency_ms: float = 0,
    seed: int | None = None,
    clock: Callable[[], float] | None = None,
    auto_present_ms: float | None = None,
) -> AsyncIterator[StripeSimHandle]:
    """Serve a simulated Stripe account on 127.0.0.1 until the block exits.

    `clock` (seconds since the epoch) stamps `created` and ages idempotency keys; `seed` makes
    ids repeatable; `auto_present_ms` makes readers tap the default card that long after a
    payment starts.
    """
    state = new_state(seed, clock)
    secret = state.add_key(restricted=False, livemode=False)
    restricted = state.add_key(restricted=True, livemode=False)
    terminal = Terminal(state)
    terminal.auto_present_ms = auto_present_ms
    ctx = SimContext(state=state, terminal=terminal, latency_ms=latency_ms)
    sock = bound_socket(port)
    runner: web.AppRunner | None = None
    try:
        runner = web.AppRunner(
            build_app(ctx, PAYMENT_ROUTES + TERMINAL_ROUTES, admin_routes(ctx)),
            # A request whose client has gone is still carried out, as on Stripe's servers:
            # that is what makes a timed-out request's outcome unknown to the till.
            handler_cancellation=False,
            access_log=None,
        )
        await runner.setup()
        await web.SockSite(runner, sock).start()
        yield StripeSimHandle(
            url=f"http://127.0.0.1:{sock.getsockname()[1]}",
            secret_key=secret.secret,
            restricted_key=restricted.secret,
            state=state,
            terminal=terminal,
            faults=ctx.faults,
            context=ctx,
        )
    finally:
        terminal.close()
        ctx.faults.release()
        if runner is not None:
            await runner.cleanup()
        sock.close()

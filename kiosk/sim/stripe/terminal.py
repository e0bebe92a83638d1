"""Simulated Terminal readers: registration, the reader action, card presentment, and its faults.

Relied on (server-driven Terminal guide, Terminal Readers reference, "Test Stripe Terminal"):
registration codes `simulated-wpe`, `simulated-s700` and `simulated-s710` make simulated
readers in test mode; a real reader registers with the pairing code on its screen.
`process_payment_intent` answers at once with the reader, its `action` of type
process_payment_intent `in_progress`; the card's outcome moves it to `succeeded` or `failed`
(failure_code/failure_message, e.g. card_declined "Your card has insufficient funds.").
The PaymentIntent must be `requires_payment_method` (else intent_invalid_state). A payment not
yet presented can be replaced by a new one; while a card is being authorized, new actions and
`cancel_action` get terminal_reader_busy. `cancel_action` leaves `action: null`. An offline
reader (no signal for 2 minutes) answers terminal_reader_offline; a command that reached no
reader in time terminal_reader_timeout, sometimes falsely (the reader got it). The customer
tapping Cancel fails the action with failure_code customer_canceled. The simulated reader is
presented a card only by `test_helpers/.../present_payment_method` (`card_present[number]`).

Ours, not verified against Stripe: presenting with no action in progress, and cancelling a
PaymentIntent a reader is showing (the reader is reset, as cancel_action does).
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field

from kiosk.sim.stripe import cards, errors, payments
from kiosk.sim.stripe.state import ApiKey, Obj, StripeState

SIMULATED = {
    "simulated-wpe": "simulated_wisepos_e",
    "simulated-s700": "simulated_stripe_s700",
    "simulated-s710": "simulated_stripe_s710",
}
CUSTOMER_CANCELED = "This action could not be completed due to an error on the card reader."


@dataclass
class ReaderSim:
    """What the reader is doing beyond its JSON: the levers' state."""

    online: bool = True
    busy: bool = False  # updating, changing settings: refuses every command
    timeouts: list[bool] = field(default_factory=list)  # next commands time out; True: delivered
    authorizing: bool = False
    presented: bool = False  # the current action has had a card
    auto: asyncio.Task[None] | None = None


class Terminal:
    """The readers and the levers tests pull on them (see the package docstring)."""

    def __init__(self, state: StripeState) -> None:
        self.state = state
        self.sims: dict[str, ReaderSim] = {}
        self.declines: list[str] = []  # decline codes for the next presented cards
        self.auto_present_ms: float | None = None  # None: only the test helper presents
        self.auto_present_card = cards.DEFAULT_CARD
        self.gate: asyncio.Event | None = None  # set: authorizations wait for it
        self._changed = asyncio.Event()

    # -- what the API does ------------------------------------------------------------------

    def register(self, key: ApiKey, code: str, label: str | None, location: str | None) -> Obj:
        device = SIMULATED.get(code)
        if device is not None and key.livemode:
            raise errors.invalid(  # ours: Stripe's words were not found
                "Simulated readers can only be registered in test mode.",
                param="registration_code",
            )
        if device is None:
            device = self.state.pairing_codes.pop(code, None)
        if device is None:
            raise errors.invalid_state(  # ours: Stripe's words were not found
                None,
                f"No reader is showing the registration code '{code}'.",
                param="registration_code",
            )
        rid = self.state.new_id("tmr", 14)
        simulated = device.startswith("simulated_")
        reader: Obj = {
            "id": rid,
            "object": "terminal.reader",
            "action": None,
            "device_sw_version": "2.37.2.0",
            "device_type": device,
            "ip_address": "0.0.0.0" if simulated else "192.0.2.10",
            "label": label or device.removeprefix("simulated_").replace("_", " ").upper(),
            "livemode": key.livemode,
            "location": location,
            "metadata": {},
            "serial_number": str(uuid.UUID(int=self.state.rng.getrandbits(128)))
            if simulated
            else f"STRS7{self.state.rng.randrange(10**10):010d}",
            "status": "online",
        }
        self.state.readers[rid] = self.state.created(reader)
        self.sims[rid] = ReaderSim()
        return reader

    def delete(self, reader: Obj) -> Obj:
        self._stop_auto(reader["id"])
        del self.state.readers[reader["id"]]
        gone = {"id": reader["id"], "object": "terminal.reader", "deleted": True}
        self.state.deleted_readers[reader["id"]] = {**gone, "livemode": reader["livemode"]}
        return gone

    def _reachable(self, reader: Obj) -> ReaderSim:
        sim = self.sims[reader["id"]]
        if not sim.online:
            raise errors.reader_offline()
        if sim.busy or sim.authorizing:
            raise errors.reader_busy()
        return sim

    def _timed_out(self, sim: ReaderSim) -> bool | None:
        """None: no timeout; else whether the timed-out command reached the reader."""
        return sim.timeouts.pop(0) if sim.timeouts else None

    def process(self, reader: Obj, intent: Obj, config: Obj | None) -> Obj:
        sim = self._reachable(reader)
        if intent["status"] != "requires_payment_method":
            raise errors.invalid_state(
                "intent_invalid_state",
                "Payment intent must be in the requires_payment_method state to be processed"
                " by a reader.",
            )
        delivered = self._timed_out(sim)
        if delivered is False:
            raise errors.reader_timeout()
        action: Obj = {
            "type": "process_payment_intent",
            "status": "in_progress",
            "failure_code": None,
            "failure_message": None,
            "process_payment_intent": {"payment_intent": intent["id"]},
        }
        if config:
            action["process_payment_intent"]["process_config"] = config
        self._stop_auto(reader["id"])
        reader["action"] = action
        sim.presented = False
        if self.auto_present_ms is not None:
            sim.auto = asyncio.get_running_loop().create_task(self._auto(reader, action))
        self._notify()
        if delivered:
            raise errors.reader_timeout()  # it got the command, but we never heard back
        return reader

    def cancel_action(self, reader: Obj) -> Obj:
        sim = self._reachable(reader)
        delivered = self._timed_out(sim)
        if delivered is False:
            raise errors.reader_timeout()
        self._stop_auto(reader["id"])
        reader["action"] = None
        self._notify()
        if delivered:
            raise errors.reader_timeout()
        return reader

    def present(self, reader: Obj, number: str, read_method: str = "contactless_emv") -> Obj:
        """A card tapped on `reader`: authorize the action's PaymentIntent (now, or at the gate)."""
        sim = self.sims[reader["id"]]
        if not sim.online:
            raise errors.reader_offline()
        if sim.authorizing:
            raise errors.reader_busy()
        action = reader["action"]
        if action is None or action["status"] != "in_progress" or sim.presented:
            raise errors.invalid_state(  # ours: Stripe's words were not found
                None,
                "This reader has no action in progress to present a payment method to.",
            )
        sim.presented = True
        self._stop_auto(reader["id"])
        if self.gate is None or self.gate.is_set():
            self._authorize(reader, action, number, read_method)
        else:
            sim.authorizing = True
            gate = self.gate
            asyncio.get_running_loop().create_task(
                self._authorize_later(gate, reader, action, number, read_method)
            )
        return reader

    def _authorize(self, reader: Obj, action: Obj, number: str, read_method: str) -> None:
        intent = self.state.payment_intents[action["process_payment_intent"]["payment_intent"]]
        decline = self.declines.pop(0) if self.declines else None
        declined = payments.authorize(self.state, intent, number, decline, read_method)
        if declined is None:
            action["status"] = "succeeded"
        else:
            action.update(
                status="failed", failure_code=declined.code, failure_message=declined.message
            )
        self._notify()

    async def _authorize_later(
        self, gate: asyncio.Event, reader: Obj, action: Obj, number: str, read_method: str
    ) -> None:
        try:
            await gate.wait()
            if reader.get("action") is action:
                self._authorize(reader, action, number, read_method)
        finally:
            sim = self.sims.get(reader["id"])
            if sim is not None:
                sim.authorizing = False

    async def _auto(self, reader: Obj, action: Obj) -> None:
        # The simulated customer takes this long to tap: a human delay, not a test's sleep.
        await asyncio.sleep((self.auto_present_ms or 0) / 1000)
        sim = self.sims.get(reader["id"])
        if sim is not None and reader.get("action") is action and not sim.presented:
            sim.auto = None
            self.present(reader, self.auto_present_card)

    def _stop_auto(self, rid: str) -> None:
        sim = self.sims.get(rid)
        if sim is not None and sim.auto is not None and sim.auto is not asyncio.current_task():
            sim.auto.cancel()
            sim.auto = None

    def intent_canceled(self, intent_id: str) -> None:
        """A canceled PaymentIntent leaves every reader showing it (ours: see the docstring)."""
        for reader in self.state.readers.values():
            action = reader["action"]
            if (
                action is not None
                and action["status"] == "in_progress"
                and action["process_payment_intent"]["payment_intent"] == intent_id
            ):
                self._stop_auto(reader["id"])
                reader["action"] = None
                self._notify()

    # -- levers -------------------------------------------------------------------------------

    def reader(self, rid: str) -> Obj:
        return self.state.readers[rid]

    def set_online(self, rid: str, online: bool = True) -> None:
        self.sims[rid].online = online
        self.state.readers[rid]["status"] = "online" if online else "offline"
        self._notify()

    def set_busy(self, rid: str, busy: bool = True) -> None:
        """A reader updating its software or settings refuses commands with reader_busy."""
        self.sims[rid].busy = busy

    def time_out_next(self, rid: str, *, delivered: bool = False, count: int = 1) -> None:
        """The next `count` commands to the reader time out; `delivered`: it acted on them."""
        self.sims[rid].timeouts.extend([delivered] * count)

    def decline_next(self, code: str) -> None:
        """The next card presented (on any reader) is declined with `code` (cards.DECLINES)."""
        if code not in cards.DECLINES:
            raise ValueError(f"decline code {code!r} is not one of {', '.join(cards.DECLINES)}")
        self.declines.append(code)

    def tap(self, rid: str, number: str = cards.DEFAULT_CARD) -> Obj:
        """The customer presents `number` (as the test helper does); returns the reader."""
        return self.present(self.state.readers[rid], number)

    def customer_cancels(self, rid: str) -> Obj:
        """The customer taps Cancel on the reader: the action fails with customer_canceled."""
        reader = self.state.readers[rid]
        sim = self.sims[rid]
        action = reader["action"]
        if action is None or action["status"] != "in_progress" or sim.authorizing:
            raise ValueError(f"reader {rid} has no payment waiting for a card")
        self._stop_auto(rid)
        action.update(
            status="failed", failure_code="customer_canceled", failure_message=CUSTOMER_CANCELED
        )
        self._notify()
        return reader

    def show_pairing_code(self, code: str, device_type: str = "stripe_s710") -> None:
        """A real reader shows `code`: `POST /v1/terminal/readers` may register it once."""
        self.state.pairing_codes[code] = device_type

    def hold_authorizations(self) -> asyncio.Event:
        """Cards presented from now wait at the returned event (set it to let them finish)."""
        self.gate = asyncio.Event()
        return self.gate

    async def wait_action(self, rid: str, *statuses: str) -> Obj | None:
        """Return the reader's action once its status is one of `statuses` ("none": no action)."""
        while True:
            action: Obj | None = self.state.readers[rid]["action"]
            status = "none" if action is None else action["status"]
            if status in statuses:
                return action
            changed = self._changed
            await changed.wait()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def close(self) -> None:
        for rid in list(self.sims):
            self._stop_auto(rid)
        if self.gate is not None:
            self.gate.set()

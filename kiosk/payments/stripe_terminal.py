"""The Stripe Terminal reader (S710, server-driven): the one module that imports `stripe`.

A charge is four steps, each under the idempotency key "<payment id>:<step>":
  create   a PaymentIntent (card_present, manual capture, metadata order_id and attempt);
  process  `process_payment_intent` on the reader (":process:<n>", n counting re-sends);
  follow   GET the reader, only while its action for this PaymentIntent is in_progress, waiting
           POLL between polls (0.05 s, doubling to at most 2 s: the fleet shares one
           account's rate limit); cancel() wakes it at once;
  capture  with the charge expanded, which carries the card details for the receipt.
So an approval costs 3 requests plus the polls. Exactly once: one PaymentIntent per payment id
(create replays under its key for 24 h), and a PaymentIntent authorises at most once. A lost
answer, a timeout or a 429 is resolved by retrieving the PaymentIntent or the reader before any
step is sent again; while Stripe cannot be reached after the reader may have been asked,
charge() raises PaymentUnknown and the same id, charged again, picks up where it stood.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import stripe

from kiosk.core.models import CardResult
from kiosk.core.money import Money
from kiosk.payments import stripe_outcomes as words
from kiosk.payments import stripe_plan as plan
from kiosk.payments.base import (
    OFFLINE_DETAIL,
    PaymentUnknown,
    ReaderError,
    ReaderFault,
    ReaderState,
    ReaderStatus,
    check_charge,
)
from kiosk.payments.stripe_api import Obj, plain, replayed
from kiosk.payments.stripe_api import StripeApi as StripeApi  # its importers' old home
from kiosk.payments.stripe_api import close_client as close_client
from kiosk.payments.stripe_api import connect_client as connect_client

log = logging.getLogger(__name__)
T = TypeVar("T")
# Errors after which a request's outcome is unknown or it was refused for now: ask again.
TRANSIENT = (stripe.APIConnectionError, stripe.RateLimitError, asyncio.TimeoutError)
LOST = "The connection to Stripe was lost mid-payment: charge again to find out what happened"


class _Unanswered(Exception):
    """No answer after every try (the caller looks at the PaymentIntent instead)."""


class StripeTerminalReader:
    """A CardReader over one server-driven Terminal reader (see the module docstring)."""

    def __init__(
        self,
        client: stripe.StripeClient,
        reader_id: str,
        *,
        poll: plan.Backoff = plan.POLL,
        retry: plan.Backoff = plan.RETRY,
        tries: int = 4,
        unreachable_polls: int = 15,
        status_ttl_s: float = 15.0,
    ) -> None:
        self.client = client
        self.reader_id = reader_id
        self._poll, self._retry, self._tries = poll, retry, tries
        self._unreachable_polls = unreachable_polls
        self._results: dict[str, CardResult] = {}
        self._running: tuple[str, Money, asyncio.Task[CardResult]] | None = None
        self._cancelled: set[str] = set()  # payment ids staff cancelled
        self._wake = asyncio.Event()
        # The screen asks every second; Stripe is asked at most every ttl (one rate limit for
        # the whole fleet), and a charge's own answers refresh it.
        self._status_ttl_s = status_ttl_s
        self._status: tuple[float, ReaderStatus] | None = None
        self._waiting: str | None = None  # the payment whose card the reader is asking for
        self._waiting_now = asyncio.Event()

    # -- CardReader -------------------------------------------------------------------------------

    async def status(self) -> ReaderStatus:
        if self._running is not None and not self._running[2].done():
            return ReaderStatus(ReaderState.BUSY, "Waiting for the card")
        now = asyncio.get_running_loop().time()
        if self._status is not None and now - self._status[0] < self._status_ttl_s:
            return self._status[1]
        self._status = (now, await self._ask_status())
        return self._status[1]

    async def _ask_status(self) -> ReaderStatus:
        try:
            reader = plain(await self.client.v1.terminal.readers.retrieve_async(self.reader_id))
        except stripe.AuthenticationError:
            return ReaderStatus(ReaderState.UNAVAILABLE, words.KEY_REFUSED)
        except stripe.InvalidRequestError as exc:
            return ReaderStatus(ReaderState.UNAVAILABLE, words.reader_fault(exc.code, str(exc)))
        except (*TRANSIENT, stripe.APIError):
            return ReaderStatus(ReaderState.OFFLINE, OFFLINE_DETAIL)
        if reader.get("status") == "offline":
            return ReaderStatus(ReaderState.OFFLINE, words.READER_FAULTS["terminal_reader_offline"])
        return ReaderStatus(ReaderState.READY)

    async def charge(self, payment_id: str, amount: Money) -> CardResult:
        """See CardReader.charge: the same `payment_id` always gets the same result."""
        check_charge(payment_id, amount)
        known = self._results.get(payment_id)
        if known is not None:
            return self._same(known, payment_id, amount)
        running = self._running
        if running is not None and not running[2].done():
            if running[0] != payment_id:
                raise words.reader_error("terminal_reader_busy", "")
            task = running[2]
        else:
            task = asyncio.get_running_loop().create_task(self._charge(payment_id, amount))
            self._running = (payment_id, amount, task)
        # Shielded: a caller that gives up leaves the charge running, and a retry joins it.
        try:
            result = await asyncio.shield(task)
        except ReaderError:
            self._status = None  # offline or busy now: the screen's next look asks again
            raise
        self._results[payment_id] = result
        return self._same(result, payment_id, amount)

    @property
    def pending(self) -> str | None:
        """The payment id whose card the reader is asking for, if one is (WaitsForCard)."""
        return self._waiting

    async def wait_pending(self) -> str:
        while self._waiting is None:
            await self._waiting_now.wait()
        return self._waiting

    async def cancel(self) -> None:
        """Staff's cancel: the reader stops waiting for a card (nothing if no charge runs)."""
        running = self._running
        if running is None or running[2].done():
            return
        self._cancelled.add(running[0])
        await self.cancel_action()
        self._wake.set()

    async def cancel_action(self) -> None:
        """Tell the reader to stop waiting for a card (best effort)."""
        try:
            await self.client.v1.terminal.readers.cancel_action_async(self.reader_id)
        except stripe.StripeError as exc:  # busy authorising: the payment ends as it ends
            log.info("cancel_action refused: %s", exc.code or exc.user_message)

    # -- the steps --------------------------------------------------------------------------------

    async def _charge(self, pid: str, amount: Money) -> CardResult:
        intent, resumed = await self._create(pid, amount)
        if resumed:  # a replay answers as the PaymentIntent was then: ask how it is now
            intent = await self._intent(intent["id"])
        sends, looks, waits = 0, 0, self._retry.delays()
        while True:
            status = intent["status"]
            if status == "succeeded":
                return words.approved(await self._intent(intent["id"], charge=True), amount)
            if status == "requires_capture":
                return await self._capture(pid, intent["id"], amount)
            if status == "canceled" or pid in self._cancelled:  # a decline keeps its words
                why = None if pid in self._cancelled else words.decline_code(intent)
                return await self._not_approved(pid, intent, amount, why or words.CANCELLED_CODE)
            if status != "requires_payment_method":  # processing, requires_action: look again
                looks += 1
                if looks > self._tries:
                    raise PaymentUnknown(LOST)
                await asyncio.sleep(next(waits))
                intent = await self._intent(intent["id"])
                continue
            if resumed and intent.get("last_payment_error"):
                return await self._not_approved(pid, intent, amount, None)
            action = None
            if resumed or sends:  # the reader may already be on it: never send it twice blind
                action = plan.ours(await self._reader(), intent["id"])
            if action is None or action["status"] == "succeeded":
                sends += 1
                if sends > self._tries:
                    raise PaymentUnknown(LOST)
                action = await self._process(pid, sends, intent["id"])
            action = await self._follow(pid, intent["id"], action)
            shown = None if action is None else action["process_payment_intent"]["payment_intent"]
            shown = shown if isinstance(shown, dict) else None  # expanded by the poll
            if action is not None and action["status"] == "failed":
                code = words.decline_code(shown) or action.get("failure_code")
                return await self._not_approved(pid, intent, amount, code)
            # Succeeded, or gone (cancelled, replaced): the PaymentIntent says which.
            if action is None or shown is None or pid in self._cancelled:
                shown = await self._intent(intent["id"])
            intent, resumed = shown, True

    async def _create(self, pid: str, amount: Money) -> tuple[Obj, bool]:
        """The payment's PaymentIntent, and whether it existed already (a resumed charge)."""

        params: Any = plan.intent_params(pid, amount)  # the library's TypedDict, as plain JSON

        async def send() -> Any:
            return await self.client.v1.payment_intents.create_async(
                params, {"idempotency_key": f"{pid}:create"}
            )

        try:
            # Re-sent under its key: a lost answer replays, so there is only ever one.
            made = await self._again(
                send, unknown=ReaderError(words.UNREACHABLE, ReaderFault.UNREACHABLE)
            )
        except stripe.APIError:  # a 500 replays under its key: this attempt cannot go on
            raise ReaderError(words.UNREACHABLE, ReaderFault.UNREACHABLE) from None
        except stripe.StripeError as exc:
            raise self._refused(exc) from None
        return plain(made), replayed(made)

    async def _process(self, pid: str, n: int, intent_id: str) -> Obj | None:
        """Hand the PaymentIntent to the reader; its action, or None when it is not on it."""
        try:
            answer = await self.client.v1.terminal.readers.process_payment_intent_async(
                self.reader_id,
                {"payment_intent": intent_id},
                {"idempotency_key": f"{pid}:process:{n}"},
            )
        except stripe.InvalidRequestError as exc:
            if exc.code in ("terminal_reader_offline", "terminal_reader_busy"):
                raise words.reader_error(exc.code, str(exc)) from None
            if exc.code not in ("terminal_reader_timeout", "intent_invalid_state"):
                raise self._refused(exc) from None
            action = plan.ours(await self._reader(), intent_id)  # did it reach the reader?
            if action is None and exc.code == "terminal_reader_timeout":
                raise words.reader_error(exc.code, str(exc)) from None
            return action
        except (*TRANSIENT, stripe.APIError):
            return plan.ours(await self._reader(), intent_id)  # the loop re-sends if not
        except stripe.StripeError as exc:
            raise self._refused(exc) from None
        return plan.ours(plain(answer), intent_id)

    async def _follow(self, pid: str, intent_id: str, action: Obj | None) -> Obj | None:
        """Poll while the reader's action for `intent_id` is in progress; its last state."""
        try:
            return await self._poll_action(pid, intent_id, action)
        finally:
            self._waiting = None
            self._waiting_now.clear()

    async def _poll_action(self, pid: str, intent_id: str, action: Obj | None) -> Obj | None:
        delays, failures, told = self._poll.delays(), 0, False
        while action is not None and action["status"] == "in_progress":
            if self._waiting is None:
                self._waiting = pid
                self._waiting_now.set()
            if pid in self._cancelled and not told:  # staff's cancel crossed our process call
                told = True
                await self.cancel_action()
            self._wake.clear()
            with contextlib.suppress(TimeoutError):  # the wait is up, or cancel() woke it
                await asyncio.wait_for(self._wake.wait(), next(delays))
            try:
                reader = await self.client.v1.terminal.readers.retrieve_async(
                    self.reader_id, {"expand": plan.EXPAND_INTENT}
                )
            except (*TRANSIENT, stripe.APIError):
                failures += 1
                if failures >= self._unreachable_polls:
                    raise PaymentUnknown(LOST) from None
                continue
            failures = 0
            action = plan.ours(plain(reader), intent_id)
        return action

    async def _capture(self, pid: str, intent_id: str, amount: Money) -> CardResult:
        for n in range(1, self._tries + 1):
            # After a 500 (which replays under its key) the next capture takes a new key;
            # capturing twice is safe anyway: a PaymentIntent captures once.
            key = f"{pid}:capture" if n == 1 else f"{pid}:capture:{n}"

            async def send(key: str = key) -> Any:
                return await self.client.v1.payment_intents.capture_async(
                    intent_id, {"expand": ["latest_charge"]}, {"idempotency_key": key}
                )

            try:
                done = await self._again(send, unknown=_Unanswered())
                return words.approved(plain(done), amount)
            except (_Unanswered, stripe.APIError, stripe.InvalidRequestError):
                pass  # no answer, a 500, or unexpected_state (captured or cancelled): look
            intent = await self._intent(intent_id, charge=True)
            if intent["status"] == "succeeded":
                return words.approved(intent, amount)
            if intent["status"] != "requires_capture":
                return words.declined(intent_id, amount, words.decline_code(intent, "canceled"))
        raise PaymentUnknown(LOST)

    async def _not_approved(
        self, pid: str, intent: Obj, amount: Money, code: str | None
    ) -> CardResult:
        """Final for this id: the PaymentIntent is cancelled so no reader can take it later."""
        code = code or words.decline_code(intent)
        if intent["status"] != "canceled":
            try:
                await self.client.v1.payment_intents.cancel_async(
                    intent["id"], options={"idempotency_key": f"{pid}:cancel"}
                )
            except stripe.StripeError as exc:  # start-up reconciling cancels what is left
                log.info("payment %s not cancelled at Stripe: %s", intent["id"], exc.code)
        return words.declined(intent["id"], amount, code)

    # -- reads ------------------------------------------------------------------------------------

    async def _reader(self) -> Obj:
        return plain(
            await self._again(
                lambda: self.client.v1.terminal.readers.retrieve_async(
                    self.reader_id, {"expand": plan.EXPAND_INTENT}
                ),
                unknown=PaymentUnknown(LOST),
            )
        )

    async def _intent(self, intent_id: str, *, charge: bool = False) -> Obj:
        """The PaymentIntent now; with `charge`, its latest charge expanded (the card)."""
        params: Any = {"expand": ["latest_charge"]} if charge else None
        return plain(
            await self._again(
                lambda: self.client.v1.payment_intents.retrieve_async(intent_id, params),
                unknown=PaymentUnknown(LOST),
            )
        )

    async def _again(self, send: Callable[[], Awaitable[T]], *, unknown: Exception) -> T:
        """`send()`, sent again after each transient failure, `tries` times; then `unknown`."""
        delays = self._retry.delays()
        for _ in range(self._tries):
            try:
                return await send()
            except TRANSIENT as exc:
                log.info("stripe: %s; asking again", type(exc).__name__)
                await asyncio.sleep(next(delays))
        raise unknown

    # -- inside -----------------------------------------------------------------------------------

    @staticmethod
    def _refused(exc: stripe.StripeError) -> ReaderError:
        if isinstance(exc, stripe.AuthenticationError):
            return ReaderError(words.KEY_REFUSED, ReaderFault.NOT_SET_UP)
        if isinstance(exc, stripe.PermissionError):
            why = exc.user_message or exc
            return ReaderError(f"{words.KEY_REFUSED} ({why})", ReaderFault.NOT_SET_UP)
        return words.reader_error(exc.code, exc.user_message or str(exc))

    @staticmethod
    def _same(result: CardResult, payment_id: str, amount: Money) -> CardResult:
        if result.amount != amount:
            raise ValueError(f"payment id {payment_id!r} was already used for another amount")
        return result

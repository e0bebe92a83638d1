"""The pay sheet: cash with quick amounts and the change shown large, card, split tender."""

from __future__ import annotations

from collections.abc import Callable

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout

from kiosk.core.money import Money
from kiosk.counter import card_outcome
from kiosk.counter.card_outcome import CardOutcome
from kiosk.counter.outcome import Completed, LeftPayment
from kiosk.counter.session import SaleSession
from kiosk.payments.base import PaymentUnknown, ReaderError, ReaderLevers
from kiosk.ui import theme
from kiosk.ui.cash import keyed, quick_amounts, typed_amount
from kiosk.ui.services import Spawn
from kiosk.ui.widgets.basics import PosButton, PosLabel
from kiosk.ui.widgets.sheet import Sheet


class PaySheet(Sheet):
    def __init__(
        self,
        th: theme.Theme,
        session: SaleSession,
        *,
        spawn: Spawn,
        done: Callable[[Completed], None],
        left: Callable[[LeftPayment], None],
        sim_reader: ReaderLevers | None = None,
    ) -> None:
        super().__init__(th, "Pay", back="Back to sale", on_back=lambda: self._leave())
        self.session, self.spawn, self.sim_reader = session, spawn, sim_reader
        self._done, self._left = done, left
        self.digits = ""
        # Set at the tap itself, not when its task runs: the second touch of a double tap
        # arrives before then.
        self._busy = False
        self.total = self.title  # the sheet's title says what is to pay
        self.paid = self.note("", color=theme.MUTED)
        self.message = self.note("", color=theme.WARN)
        # A card payment's outcome, in the room the cash keys leave while it shows (none else).
        self.outcome = BoxLayout(orientation="vertical", size_hint_y=None, height=0)
        self.outcome_title = PosLabel(text="", font_size=th.large, bold=True, color=theme.WARN)
        self.outcome_detail = PosLabel(text="", font_size=th.font)
        self.outcome_buttons = BoxLayout(size_hint_y=None, height=th.row, spacing=th.pad)
        self.add(self.outcome)
        self.shown: CardOutcome | None = None
        self.quick = BoxLayout(size_hint_y=None, height=th.row, spacing=th.pad)
        self.add(self.quick)
        self.keypad = keypad = GridLayout(
            cols=4, spacing=th.pad, size_hint_y=None, height=3 * th.row + 2 * th.pad
        )
        for key in ("7", "8", "9", theme.BACKSPACE, "4", "5", "6", "00", "1", "2", "3", "0"):
            keypad.add_widget(
                PosButton(text=key, font_size=th.font, on_release=lambda _b, k=key: self._key(k))
            )
        self.add(keypad)
        row = BoxLayout(size_hint_y=None, height=th.row, spacing=th.pad)
        self.cash_button = PosButton(
            text="Cash",
            font_size=th.font,
            tone=theme.ACCENT,
            on_release=lambda _b: self._typed_cash(),
        )
        self.card_button = PosButton(
            text="Card",
            font_size=th.font,
            tone=theme.ACCENT,
            on_release=lambda _b: self._card_tapped(),
        )
        row.add_widget(self.cash_button)
        row.add_widget(self.card_button)
        self.tender_row = self.add(row)
        # Empty (no height) until a card payment waits on the simulated reader.
        self.reader_row = BoxLayout(size_hint_y=None, height=0, spacing=th.pad)
        self.add(self.reader_row)
        self.levers_row = BoxLayout(size_hint_y=None, height=0, spacing=th.pad)  # the demo's
        self.add(self.levers_row)
        self.add(BoxLayout())  # what is left of the sheet stays below the keys, not above them
        self.refresh()

    # -- showing --------------------------------------------------------------------------------

    def _fmt(self, m: Money) -> str:
        return m.format(self.session.cart.settings.locale)

    def refresh(self) -> None:
        s = self.session
        total, due = s.cart.totals().total, s.due()
        self.total.text = f"Pay · Total {self._fmt(total)}"
        tenders = ", ".join(f"{t.method.value.title()} {self._fmt(t.amount)}" for t in s.tenders)
        self.paid.text = (
            f"Paid: {tenders} · Due {self._fmt(due)}" if tenders else f"Due {self._fmt(due)}"
        )
        self.quick.clear_widgets()
        for amount in quick_amounts(due):
            label = f"Exact {self._fmt(amount)}" if amount == due else self._fmt(amount)
            b = PosButton(
                text=label, font_size=self.th.font, on_release=lambda _b, a=amount: self._cash(a)
            )
            b.role = "quick-cash"
            self.quick.add_widget(b)
        typed = typed_amount(self.digits, s.cart.currency)
        self.cash_button.text = (
            f"Cash {self._fmt(typed)}" if self.digits else "Cash (type the amount)"
        )
        self.cash_button.disabled = not self.digits
        self.card_button.text = f"Card {self._fmt(due)}"
        self.spawn(self._reader_state())

    async def _reader_state(self) -> None:
        reader = await self.session.card_status()
        self.card_button.disabled = not reader.ready or self.session.due().minor == 0
        if not reader.ready:
            self.card_button.text = f"Card unavailable: {reader.detail}"

    # -- acting ---------------------------------------------------------------------------------

    def _key(self, key: str) -> None:
        self.digits = keyed(self.digits, key)
        self.refresh()

    def _typed_cash(self) -> None:
        self._cash(typed_amount(self.digits, self.session.cart.currency))

    def _cash(self, amount: Money) -> None:
        if self._busy:
            return
        self.digits, self.message.text = "", ""
        self.session.add_cash(amount)
        self._after_tender()

    def _card_tapped(self) -> None:
        if self._busy:
            return
        self._busy = True
        self.card_button.disabled = True
        self.spawn(self._card(), waits_on_person=True)

    async def _card(self) -> None:
        self.card_button.disabled = True
        self._show(None)
        self.message.text = "Present the card on the reader…"
        self._keys_shown(False)  # no cash while the card is on the reader
        self._reader_buttons()
        try:
            shown = card_outcome.of_result(await self.session.pay_card())
        except (ReaderError, PaymentUnknown) as exc:
            shown = card_outcome.of_error(exc)
        finally:
            self._busy = False
            for row in (self.reader_row, self.levers_row):
                row.clear_widgets()
                row.height = 0
        self.message.text = ""
        if shown.approved:
            self.message.text = f"{shown.title}: {shown.detail}"  # split: what the card paid
            self._keys_shown(True)
            self._after_tender()
            return
        self._show(shown)
        self.refresh()

    def _show(self, shown: CardOutcome | None) -> None:
        """A card outcome in place of the keys, with its own buttons; None: the keys again."""
        self.shown = shown
        box = self.outcome
        box.clear_widgets()
        self.outcome_buttons.clear_widgets()
        if shown is None:
            box.height = 0
            self.tender_row.height, self.tender_row.opacity, self.tender_row.disabled = (
                self.th.row,
                1,
                False,
            )
            return
        self.outcome_title.text, self.outcome_detail.text = shown.title, shown.detail
        for label in (self.outcome_title, self.outcome_detail):
            label.size_hint_y, label.height = None, self.th.row
        self.outcome_detail.height = 2 * self.th.row  # two lines of plain words at most
        if shown.retry:
            self.outcome_buttons.add_widget(
                PosButton(
                    text=shown.retry,
                    font_size=self.th.font,
                    tone=theme.ACCENT,
                    on_release=lambda _b: self._card_tapped(),
                )
            )
        if shown.cash:
            self.outcome_buttons.add_widget(
                PosButton(
                    text="Take cash", font_size=self.th.font, on_release=lambda _b: self._to_cash()
                )
            )
        for w in (self.outcome_title, self.outcome_detail, self.outcome_buttons):
            box.add_widget(w)
        box.height = 4 * self.th.row + 2 * self.th.pad
        box.spacing = self.th.pad
        # The outcome's buttons stand for Card and Cash until one is tapped.
        self.tender_row.height, self.tender_row.opacity, self.tender_row.disabled = 0, 0, True
        self._keys_shown(False)

    def _to_cash(self) -> None:
        self._show(None)
        self._keys_shown(True)
        self.refresh()

    def _keys_shown(self, shown: bool) -> None:
        """The cash keys, or (while a card is on the reader) room for the reader's state."""
        for w, height in (
            (self.quick, self.th.row),
            (self.keypad, 3 * self.th.row + 2 * self.th.pad),
        ):
            w.height, w.opacity, w.disabled = (height, 1, False) if shown else (0, 0, True)

    def _reader_buttons(self) -> None:
        """While the reader waits: staff's Cancel, and the simulated customer's levers (demo)."""
        cancel = PosButton(
            text="Cancel payment",
            font_size=self.th.font,
            on_release=lambda _b: self.spawn(self.session.cancel_card()),
        )
        cancel.role = "cancel-card"
        self.reader_row.clear_widgets()
        self.reader_row.add_widget(cancel)
        self.reader_row.height = self.th.row
        levers = self.sim_reader
        if levers is None:
            return
        self.levers_row.clear_widgets()
        self.levers_row.height = self.th.row
        for text, act in (
            ("Simulated reader: approve", levers.approve),
            ("Simulated reader: decline", lambda: levers.decline("Card declined by the bank")),
            ("Simulated reader: customer cancels", lambda: self.spawn(levers.cancel())),
        ):
            b = PosButton(text=text, font_size=self.th.small, on_release=lambda _b, a=act: a())
            b.role = "sim-reader"
            self.levers_row.add_widget(b)

    def _after_tender(self) -> None:
        if self.session.settled():
            self._busy = True  # paid: every further tap is too late
            self.spawn(self._complete())
        else:
            self.refresh()

    async def _complete(self) -> None:
        for child in (self.quick, self.cash_button, self.card_button):
            child.disabled = True  # a double tap must not pay twice (complete() also guards)
        done = await self.session.complete()
        self._done(done)
        self.dismiss()

    def _leave(self) -> None:
        left = self.session.leave_payment()
        if not left.left:
            self.message.text = left.message
            return
        self.dismiss()
        self._left(left)  # after the dismiss: what the cashier must hand back shows on top

"""The Shift sheet's desk: open with the float, cash in and out, the X report, close with the count.

The screen shows what these return and decides nothing: every refusal is an Outcome in words,
and a report comes back with its paper (printed on the till's printer, the same path as a
receipt). Who does it is the signed-in staff member (or the device's cashier setting).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from kiosk.core.models import ShopSettings
from kiosk.core.money import Money
from kiosk.core.receipt import Receipt, device_zone
from kiosk.counter.outcome import Outcome
from kiosk.hardware.base import PrinterError, ReceiptPrinter
from kiosk.shifts import close, shift
from kiosk.shifts.printout import report_receipt
from kiosk.shifts.report import ShiftReport
from kiosk.shifts.shift import MovementKind, Shift, ShiftError, Who
from kiosk.store import catalog
from kiosk.store.db import Database

log = logging.getLogger(__name__)

# What cash goes in or out for, as the sheet offers it: a till's everyday reasons.
REASONS_IN = ("Change from the bank", "Float top-up")
REASONS_OUT = ("Taken to the bank", "Paid out to a supplier", "Petty cash")


@dataclass(frozen=True, slots=True)
class Reported:
    """A report, its paper, and what the cashier is told (printed, or why not)."""

    report: ShiftReport
    paper: Receipt
    outcome: Outcome


class ShiftDesk:
    def __init__(
        self,
        db: Database,
        printer: ReceiptPrinter,
        *,
        now: Callable[[], datetime],
        who: Callable[[], Who],
        width: int = 48,
        timezone: tzinfo | None = None,
    ) -> None:
        self._db, self._printer, self._now, self._who = db, printer, now, who
        self._width = width
        self._zone = timezone or device_zone()

    async def settings(self) -> ShopSettings:
        found = await catalog.load_shop_settings(self._db)
        if found is None:
            raise ShiftError("this device has no shop settings yet: connect a store first")
        return found

    async def current(self) -> Shift | None:
        return await shift.current_shift(self._db)

    async def fmt(self, amount: Money) -> str:
        return amount.format((await self.settings()).locale)

    async def open(self, float_: Money) -> Outcome:
        try:
            opened = await shift.open_shift(
                self._db, float_=float_, by=self._who(), now=self._now()
            )
        except ShiftError as exc:
            return Outcome(_first_up(str(exc)), warn=True)
        return Outcome(
            f"Shift {opened.number} open, with {await self.fmt(opened.float)} in the drawer"
        )

    async def move(self, kind: MovementKind, amount: Money, reason: str) -> Outcome:
        try:
            done = await shift.move_cash(
                self._db, kind, amount, reason=reason, by=self._who(), now=self._now()
            )
        except ShiftError as exc:
            return Outcome(_first_up(str(exc)), warn=True)
        way = "into" if done.kind is MovementKind.IN else "out of"
        return Outcome(f"{await self.fmt(done.amount)} {way} the drawer: {done.reason}")

    async def x_report(self) -> Reported | Outcome:
        try:
            report = await close.x_report(self._db, now=self._now())
        except ShiftError as exc:
            return Outcome(_first_up(str(exc)), warn=True)
        return await self._print(report)

    async def close(self, counted: Money) -> Reported | Outcome:
        settings = await self.settings()
        try:
            report = await close.close_shift(
                self._db, counted=counted, by=self._who(), locale=settings.locale, now=self._now()
            )
        except ShiftError as exc:
            return Outcome(_first_up(str(exc)), warn=True)
        return await self._print(report)

    async def _print(self, report: ShiftReport) -> Reported:
        settings = await self.settings()
        paper = report_receipt(
            report,
            shop=settings.name,
            locale=settings.locale,
            width=self._width,
            timezone=self._zone,
        )
        try:
            await self._printer.print_receipt(paper)
        except PrinterError as exc:
            log.warning("%s not printed: %s", paper.reference, exc)
            return Reported(report, paper, Outcome(f"Not printed: {exc}", warn=True))
        return Reported(report, paper, Outcome(f"{report.kind.value} report printed"))


def _first_up(text: str) -> str:
    return text[:1].upper() + text[1:]

"""The receipt printer (and the cash drawer it kicks) as the app sees it: a narrow Protocol.

The real ESC/POS printer (issue 5), the demo's image printer and the tests' fake all sit behind
`ReceiptPrinter`; the app never knows which one it has.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

from kiosk.core.receipt import Receipt


class PrinterState(StrEnum):
    """What the printer can do now. Only READY prints; the printer adapter moves it."""

    READY = "ready"
    OFFLINE = "offline"  # not connected, or powered off
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    BUSY = "busy"


# What a cashier reads when a state stops a print and the printer gave no detail of its own.
STATE_MESSAGES: dict[PrinterState, str] = {
    PrinterState.READY: "The printer is ready",
    PrinterState.OFFLINE: "The printer is not connected: check its cable and power",
    PrinterState.PAPER_OUT: "The printer is out of paper",
    PrinterState.COVER_OPEN: "The printer cover is open",
    PrinterState.BUSY: "The printer is busy: try again in a moment",
}


class PrinterError(RuntimeError):
    """The printer could not do what was asked; the message is fit to show the cashier."""


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    state: PrinterState
    detail: str = ""  # for people, e.g. "Paper low"

    @property
    def ready(self) -> bool:
        return self.state is PrinterState.READY

    @property
    def message(self) -> str:
        """The detail, or the state's standard words when there is none."""
        return self.detail or STATE_MESSAGES[self.state]


def check_ready(status: PrinterStatus) -> None:
    """Raise PrinterError with the status's message unless the printer is READY."""
    if not status.ready:
        raise PrinterError(status.message)


@runtime_checkable
class ReceiptPrinter(Protocol):
    """A receipt printer with a cash drawer on its kick port.

    Contract: `print_receipt` and `open_drawer` return once done, or raise PrinterError (its
    message for the cashier) when they could not; they never raise anything else for a printer
    fault. `status` does not raise for a printer fault: it reports it.
    """

    async def status(self) -> PrinterStatus: ...

    async def print_receipt(self, receipt: Receipt) -> None: ...

    async def open_drawer(self) -> None: ...


class SettableStatus:
    """A printer whose state is set from outside (the fake and simulated printers)."""

    def __init__(self) -> None:
        self._status = PrinterStatus(PrinterState.READY)

    def set_state(self, state: PrinterState, detail: str = "") -> None:
        self._status = PrinterStatus(PrinterState(state), detail)

    async def status(self) -> PrinterStatus:
        return self._status

"""The strip along the top: who sells, the link, the queue, printer and reader, the time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.ui import theme
from kiosk.ui.widgets.basics import Panel, PosButton, PosLabel


@dataclass(frozen=True, slots=True)
class BarState:
    """Everything the bar shows, already in words."""

    shop: str = ""
    cashier: str = ""
    online: bool | None = None  # None: not known yet
    link: str = ""  # "WiFi ShopNet 72%", "Cellular", or "" when not known
    metered: bool = False  # the link's data costs money (a SIM, a phone hotspot)
    link_detail: str = ""  # why offline
    no_network: bool = False  # no link at all (NetworkManager says so)
    waiting: int = 0
    failed: int = 0
    printer: str = "Printer ready"
    printer_ok: bool = True
    reader: str = "Reader ready"
    reader_ok: bool = True
    time: str = ""


BAR = (0.07, 0.08, 0.09, 1)


class StatusBar(Panel):
    def __init__(
        self,
        th: theme.Theme,
        *,
        show_failed: Callable[[], None],
        show_devices: Callable[[], None],
        show_staff: Callable[[], None] | None = None,
        show_orders: Callable[[], None] = lambda: None,
        **kw: Any,
    ) -> None:
        super().__init__(
            size_hint_y=None,
            height=th.bar,
            padding=(th.pad, 0),
            spacing=th.pad * 2,
            fill=BAR,
            **kw,
        )
        small = th.small
        self._narrow = th.cols <= theme.COMPACT.cols  # the 7" display: room for the cashier only
        who_x = 0.8 if self._narrow else 1.6
        self.who: PosLabel | PosButton = PosLabel(font_size=small, size_hint_x=who_x)
        if show_staff is not None:  # who sells is a tap away from the lock and quick switch
            self.who = PosButton(
                font_size=small,
                size_hint_x=who_x,
                tone=BAR,
                halign="left",
                on_release=lambda _b: show_staff(),
            )
            self.who.role = "who"
        self.link = PosLabel(font_size=small, size_hint_x=2.1 if self._narrow else 1.5)
        # The upload queue opens the Orders sheet: every sale, its upload state, reprint, refund.
        self.queue = PosButton(
            font_size=small, size_hint_x=1.0, tone=BAR, on_release=lambda _b: show_orders()
        )
        self.queue.role = "orders"
        self.failed = PosButton(
            font_size=small, size_hint_x=1.1, tone=theme.DANGER, on_release=lambda _b: show_failed()
        )
        # The printer's state opens the Devices sheet: test page, drawer, last receipt, scanners.
        self.printer = PosButton(
            font_size=small, size_hint_x=1.2, tone=BAR, on_release=lambda _b: show_devices()
        )
        self.printer.role = "devices"
        self.reader = PosLabel(font_size=small, size_hint_x=1.2)
        self.clock = PosLabel(font_size=th.font, size_hint_x=0.6, halign="right", bold=True)
        self._failed_slot = BoxLayout(size_hint_x=1.1)
        for w in (
            self.who,
            self.link,
            self.queue,
            self._failed_slot,
            self.printer,
            self.reader,
            self.clock,
        ):
            self.add_widget(w)
        self.state = BarState()

    def show(self, s: BarState) -> None:
        self.state = s
        names = (s.cashier,) if self._narrow and s.cashier else (s.cashier, s.shop)
        self.who.text = " · ".join(v for v in names if v)
        if s.online is None:
            self.link.text, self.link.color = "Connecting…", theme.MUTED
        elif s.online:
            # Metered is said so that staff know why the catalog is slow to follow the store.
            words = f"Online · {s.link}".rstrip(" ·") + (" · metered" if s.metered else "")
            self.link.text, self.link.color = words, (0.45, 0.85, 0.55, 1)
        else:
            # No network at all is the technician's problem; a link without the store is not.
            why = "No network" if s.no_network else "Offline"
            self.link.text, self.link.color = f"{why}: cash only", theme.WARN
        queue = f"{s.waiting} to upload" if s.waiting else "All uploaded"
        self.queue.text = queue if self._narrow else f"{queue} ›"  # the 7" bar has no room
        # Added or removed only when that changes: a button re-added every second can lose a tap.
        shown = self.failed.parent is self._failed_slot
        if s.failed:
            self.failed.text = f"{s.failed} failed ›"
            if not shown:
                self._failed_slot.add_widget(self.failed)
        elif shown:
            self._failed_slot.remove_widget(self.failed)
        self.printer.text = f"{s.printer} ›"
        self.printer.color = theme.TEXT if s.printer_ok else theme.WARN
        self.reader.text = s.reader
        self.reader.color = theme.TEXT if s.reader_ok else theme.WARN
        self.clock.text = s.time

"""How each kiosk.toml setting is checked: one rule per "section.field"; the rest is free text.

A rule is a range, the values allowed, or a check whose ValueError is the refusal. config.py
applies them as it loads, and names the setting and where its value came from.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from babel.core import Locale

from kiosk.core.cart import MAX_QUANTITY
from kiosk.core.money import check_currency, parse_limit
from kiosk.hardware.settings import PAPER_COLUMNS
from kiosk.staff.settings import parse_discount_limit

Rule = range | tuple[object, ...] | Callable[[Any], object]
PLATFORMS = ("woocommerce", "shopify")
TERMINATORS = ("enter", "tab", "none")
_PREFIX = r"[A-Za-z0-9][A-Za-z0-9-]{0,11}"


def apply_rule(rule: Rule, value: Any) -> None:
    """Raise ValueError when `value` breaks `rule`: a range, the values allowed, or a check."""
    if isinstance(rule, range):
        if value not in rule:
            raise ValueError(f"must be between {rule.start} and {rule[-1]}, not {value}")
    elif isinstance(rule, tuple):
        if value not in rule:
            listed = " or ".join(str(c) for c in rule if c != "")
            raise ValueError(f"must be {listed}, not {value!r}")
    else:
        rule(value)


def matches(pattern: str, why: str) -> Callable[[str], None]:
    """A rule: the whole value matches `pattern`; else "must <why>"."""

    def check(value: str) -> None:
        if not re.fullmatch(pattern, value):
            raise ValueError(f"must {why}" + (f", not {value!r}" if value else ""))

    return check


def url(value: str) -> None:
    parts = urlsplit(value)
    if value and (parts.scheme not in ("http", "https") or not parts.hostname):
        raise ValueError(f"must be an address such as https://shop.example, not {value!r}")


def existing_file(path: str) -> None:
    if path and not Path(path).is_file():
        raise ValueError(f"must name a file, and there is none at {path}")


def _uris(text: str, *, serial: bool = False) -> None:
    try:  # the parser comes with the hardware extra: without it nothing prints or scans anyway
        from kiosk.hardware.printer_uri import PrinterKind, parse_printer_uri
    except ImportError:
        return
    for uri in filter(None, (u.strip() for u in (text.split(",") if serial else [text]))):
        if parse_printer_uri(uri).kind is not PrinterKind.SERIAL and serial:
            raise ValueError(f"must list serial: URIs such as serial:/dev/ttyACM0, not {uri!r}")


def _layout(name: str) -> None:
    try:
        from kiosk.hardware.keymap import KeyDecoder
    except ImportError:  # evdev, which is Linux's: no scanner is read directly without it
        return
    KeyDecoder(name)


# The platform-neutral sections' rules; each platform's section brings its own
# (config_platforms.py), and config.CHECKS is the two together.
CHECKS: dict[str, Rule] = {
    "device.name": matches(r".+", "not be empty"),
    "device.order_prefix": matches(
        _PREFIX, "be 1-12 letters, digits or '-', starting with a letter or digit"
    ),
    "shop.locale": Locale.parse,
    "shop.currency": lambda code: check_currency(code) if code else None,
    "store.platform": ("", *PLATFORMS),
    "store.url": url,
    "store.public_url": url,
    "sync.interval_s": range(1, 86_400 + 1),
    "sync.metered_interval_s": range(1, 86_400 + 1),
    "sync.audit_interval_s": range(1, 86_400 + 1),
    "sync.concurrency": range(1, 64 + 1),  # more than this hammers a shop's web server
    "sync.webhook_port": range(1, 65535 + 1),
    "hardware.printer": _uris,
    "hardware.paper_mm": tuple(PAPER_COLUMNS),
    "hardware.drawer_pin": (2, 5),
    "hardware.drawer_pulse_ms": range(2, 510 + 1),  # ESC p: 1 to 255 units of 2 ms
    "hardware.logo": existing_file,
    "hardware.scanners": matches(r"(/[^,]*)?(\s*,\s*/[^,]*)*", "list full paths (/dev/...)"),
    "hardware.serial_scanners": functools.partial(_uris, serial=True),
    "hardware.scanner_layout": _layout,
    "hardware.scanner_terminator": TERMINATORS,
    "hardware.scanner_gap_ms": range(1, 1000 + 1),
    "barcodes.item_digits": range(1, 10 + 1),
    "barcodes.price_check": ("yes", "no"),
    "limits.max_amount": parse_limit,
    "limits.max_quantity": range(1, MAX_QUANTITY + 1),
    "network.fail_back_hold_s": range(10, 3600 + 1),  # below 10 s a flapping WiFi see-saws
    "network.max_switches_per_hour": range(1, 60 + 1),
    "network.probe_host": matches(
        r"([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?)+|\[?[0-9A-Fa-f:.]+\]?|",
        "be a host name or address such as shop.example (no scheme, no path)",
    ),
    "network.probe_port": range(1, 65535 + 1),
    "staff.discount_limit_percent": parse_discount_limit,
    "staff.idle_lock_s": range(10, 86_400 + 1),  # under 10 s it locks mid-sale
    "pickup.only_local_pickup": ("yes", "no"),
}

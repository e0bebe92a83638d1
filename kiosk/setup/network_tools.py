"""What the wizard's network step offers beside joining WiFi: the networks in range, the WiFi
country, and the cellular APN and SIM PIN (kiosk/network), each answering with errors keyed by
the field to change. Kivy-independent; the screen calls these and shows the errors by the field.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from kiosk.network.country import CountryError, Regulatory, check_country


@dataclass(frozen=True, slots=True)
class Seen:
    """A WiFi network in range, as the list on the screen shows it."""

    ssid: str
    signal: int  # percent
    security: str  # "open", "WPA2", "WPA3", "WPA2/WPA3"

    @property
    def label(self) -> str:
        return f"{self.ssid}  ·  {self.signal}%  ·  {self.security}"


Scan = Callable[[], Awaitable[list[Seen]]]
Cellular = Callable[[str, str | None], Awaitable[None]]  # (APN, PIN): saved and checked


class CellularError(Exception):
    """The APN or PIN was refused; `field` is which ("apn" or "pin")."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class NetworkTools:
    scan: Scan | None = None
    regulatory: Regulatory | None = None
    cellular: Cellular | None = None

    async def networks(self) -> tuple[list[Seen], str]:
        """The networks in range, strongest first, and what went wrong in words ("" if fine)."""
        if self.scan is None:
            return [], "this device cannot scan for WiFi (no NetworkManager)"
        try:
            return await self.scan(), ""
        except Exception as exc:  # the scan's own words, shown above the list
            return [], str(exc)

    async def country(self) -> str:
        if self.regulatory is None:
            return ""
        try:
            return await self.regulatory.current() or ""
        except Exception:
            return ""  # not known: the field starts empty

    async def set_country(self, code: str) -> dict[str, str]:
        """Set the WiFi country; {} when done, else {"country": why not}."""
        try:
            country = check_country(code)
            if self.regulatory is None:
                return {"country": "this device cannot set the WiFi country"}
            if await self.regulatory.current() != country:
                await self.regulatory.set(country)
        except CountryError as exc:
            return {"country": str(exc)}
        return {}

    async def set_cellular(self, apn: str, pin: str) -> dict[str, str]:
        """Save the APN (and SIM PIN) and bring the link up once; {} when it came up."""
        apn = apn.strip()
        if not apn:
            return {"apn": "give the APN your SIM's provider names (e.g. internet)"}
        if self.cellular is None:
            return {"apn": "this device has no cellular modem it can set up"}
        try:
            await self.cellular(apn, pin.strip() or None)
        except CellularError as exc:
            return {exc.field: str(exc)}
        return {}

"""The WiFi country (the radio's regulatory domain), behind a narrow Protocol with a fake.

A radio with no country set keeps to the channels and power every country allows ("00", the
world domain): 5 GHz networks on the other channels are not found at all. How a Raspberry Pi OS
(Bookworm, NetworkManager) sets it, and what this module does the same way:
- the kernel's regulatory domain, now: `iw reg set XX` (needs CAP_NET_ADMIN); `iw reg get`
  prints "country XX: ..." for the domain in force (the first, global, one);
- for every later boot: `cfg80211.ieee80211_regdom=XX` on the kernel command line,
  /boot/firmware/cmdline.txt (one line), replacing an earlier one. Raspberry Pi Imager and
  raspi-config write it there since NetworkManager replaced wpa_supplicant.conf's `country=`.
Both need root: the setup wizard calls this through a privileged helper (system/), never as the
kiosk user; `Regulatory` is what it asks, and FakeRegulatory stands in for it in tests.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Protocol

CMDLINE = Path("/boot/firmware/cmdline.txt")
ISO3166 = Path("/usr/share/zoneinfo/iso3166.tab")  # tzdata's list of country codes
REGDOM = "cfg80211.ieee80211_regdom"
WORLD = "00"  # the kernel's "no country set"

Run = Callable[[list[str]], Awaitable[tuple[int, str]]]  # argv -> (exit status, output)


class CountryError(Exception):
    """The country is not a country, or the system refused it; the message says which."""


def known_countries(table: Path = ISO3166) -> frozenset[str] | None:
    """The ISO 3166-1 alpha-2 codes tzdata lists, or None without tzdata (then any two letters)."""
    try:
        lines = table.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    return frozenset(line.split("\t", 1)[0] for line in lines if line and not line.startswith("#"))


def check_country(code: str, known: frozenset[str] | None = None) -> str:
    """`code` as the kernel wants it (two capital letters); CountryError names a wrong one."""
    country = code.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise CountryError(f"the WiFi country is a two-letter code such as GB or DE, not {code!r}")
    if known is not None and country not in known:
        raise CountryError(f"{country} is not a country code (ISO 3166-1)")
    return country


def with_regdom(cmdline: str, country: str) -> str:
    """The kernel command line `cmdline` with the WiFi country set to `country`, once."""
    words = [w for w in cmdline.split() if not w.startswith(REGDOM + "=")]
    return " ".join([*words, f"{REGDOM}={country}"]) + "\n"


def parse_reg_get(output: str) -> str | None:
    """The country in force from `iw reg get`, None when it is the world domain."""
    found = re.search(r"^country ([A-Z0-9]{2}):", output, re.MULTILINE)
    if found is None or found.group(1) == WORLD:
        return None
    return found.group(1)


class Regulatory(Protocol):
    """Reads and sets the WiFi country.

    Contract: `current` returns the two-letter code in force or None (not set, or not known);
    `set` takes effect now and after a reboot, or raises CountryError saying why not.
    """

    async def current(self) -> str | None: ...

    async def set(self, country: str) -> None: ...


async def run_command(argv: list[str]) -> tuple[int, str]:
    """Run `argv`; its exit status and what it printed (stdout and stderr together)."""
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
    except OSError as e:  # no such program
        return 127, str(e)
    out, _ = await proc.communicate()
    return proc.returncode or 0, out.decode(errors="replace")


class SystemRegulatory:
    """The kernel's regulatory domain through `iw`, kept for later boots in cmdline.txt."""

    def __init__(self, *, run: Run = run_command, cmdline: Path = CMDLINE) -> None:
        self._run, self._cmdline = run, cmdline

    async def current(self) -> str | None:
        status, output = await self._run(["iw", "reg", "get"])
        return parse_reg_get(output) if status == 0 else None

    async def set(self, country: str) -> None:
        country = check_country(country, known_countries())
        status, output = await self._run(["iw", "reg", "set", country])
        if status != 0:
            raise CountryError(f"the radio refused WiFi country {country}: {output.strip()}")
        try:
            line = self._cmdline.read_text(encoding="utf-8")
            self._cmdline.write_text(with_regdom(line, country), encoding="utf-8")
        except OSError as e:
            # Set for now, but the next boot would forget it: the caller must know.
            raise CountryError(
                f"WiFi country {country} is set until the next restart only: {e}"
            ) from e


class FakeRegulatory:
    """A Regulatory that keeps the country in memory; `refuse` makes `set` fail as iw would."""

    def __init__(self, country: str | None = None) -> None:
        self.country = country
        self.refuse = False
        self.sets: list[str] = []

    async def current(self) -> str | None:
        return self.country

    async def set(self, country: str) -> None:
        country = check_country(country)
        self.sets.append(country)
        if self.refuse:
            raise CountryError(f"the radio refused WiFi country {country}: Operation not permitted")
        self.country = country

"""The WiFi country: checked, set with `iw` now and on the kernel command line for later boots."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.network.country import (
    CountryError,
    FakeRegulatory,
    Regulatory,
    SystemRegulatory,
    check_country,
    known_countries,
    parse_reg_get,
    with_regdom,
)

REG_GET_GB = """global
country GB: DFS-ETSI
\t(2400 - 2483 @ 40), (N/A, 20), (N/A)
\t(5150 - 5250 @ 80), (N/A, 23), (N/A), NO-OUTDOOR, AUTO-BW

phy#0
country GB: DFS-ETSI
"""
REG_GET_UNSET = "global\ncountry 00: DFS-UNSET\n\t(2402 - 2472 @ 40), (6, 20), (N/A)\n"
CMDLINE = "console=serial0,115200 console=tty1 root=PARTUUID=1234-02 rootfstype=ext4 fsck.repair=yes rootwait\n"  # noqa: E501


class Runner:
    """`iw` as the test wants it: answers by argv, and a record of what was run."""

    def __init__(self, answers: dict[str, tuple[int, str]]) -> None:
        self.answers = answers
        self.ran: list[str] = []

    async def __call__(self, argv: list[str]) -> tuple[int, str]:
        self.ran.append(" ".join(argv))
        return self.answers.get(" ".join(argv), (0, ""))


@pytest.mark.parametrize(("code", "country"), [("gb", "GB"), (" DE ", "DE"), ("US", "US")])
def test_a_country_is_two_capital_letters(code: str, country: str) -> None:
    assert check_country(code) == country


@pytest.mark.parametrize("code", ["", "G", "GBR", "1A", "United Kingdom"])
def test_anything_else_is_refused_naming_it(code: str) -> None:
    with pytest.raises(CountryError, match="two-letter code such as GB"):
        check_country(code)


def test_a_code_that_is_no_country_is_refused(tmp_path: Path) -> None:
    table = tmp_path / "iso3166.tab"
    table.write_text("# ISO 3166 alpha-2 country codes\nGB\tBritain (UK)\nDE\tGermany\n")
    known = known_countries(table)
    assert known == frozenset({"GB", "DE"})
    assert check_country("de", known) == "DE"
    with pytest.raises(CountryError, match="XX is not a country code"):
        check_country("XX", known)
    assert known_countries(tmp_path / "missing") is None  # then any two letters will do


def test_the_kernel_command_line_gets_the_country_once() -> None:
    once = with_regdom(CMDLINE, "GB")
    assert once == CMDLINE.rstrip("\n") + " cfg80211.ieee80211_regdom=GB\n"
    again = with_regdom(once, "DE")  # a new country replaces the old one
    assert again.count("ieee80211_regdom") == 1
    assert again.endswith(" cfg80211.ieee80211_regdom=DE\n")
    assert again.startswith("console=serial0,115200 console=tty1 root=PARTUUID=1234-02")


def test_iw_reg_get_names_the_country_in_force() -> None:
    assert parse_reg_get(REG_GET_GB) == "GB"
    assert parse_reg_get(REG_GET_UNSET) is None  # the world domain: no country set
    assert parse_reg_get("") is None


async def test_the_system_sets_it_now_and_for_later_boots(tmp_path: Path) -> None:
    cmdline = tmp_path / "cmdline.txt"
    cmdline.write_text(CMDLINE)
    run = Runner({"iw reg get": (0, REG_GET_UNSET)})
    system: Regulatory = SystemRegulatory(run=run, cmdline=cmdline)
    assert await system.current() is None

    await system.set("gb")

    assert run.ran == ["iw reg get", "iw reg set GB"]
    assert cmdline.read_text().endswith(" cfg80211.ieee80211_regdom=GB\n")
    run.answers["iw reg get"] = (0, REG_GET_GB)
    assert await system.current() == "GB"


async def test_a_refusal_is_a_clear_error_and_the_boot_line_is_left_alone(tmp_path: Path) -> None:
    cmdline = tmp_path / "cmdline.txt"
    cmdline.write_text(CMDLINE)
    run = Runner({"iw reg set GB": (1, "command failed: Operation not permitted (-1)\n")})
    system = SystemRegulatory(run=run, cmdline=cmdline)

    with pytest.raises(CountryError, match="the radio refused WiFi country GB: command failed"):
        await system.set("GB")

    assert cmdline.read_text() == CMDLINE


async def test_a_boot_line_that_cannot_be_written_says_the_setting_will_not_last(
    tmp_path: Path,
) -> None:
    system = SystemRegulatory(run=Runner({}), cmdline=tmp_path / "no-such-dir" / "cmdline.txt")
    with pytest.raises(CountryError, match="set until the next restart only"):
        await system.set("GB")


async def test_the_fake_keeps_what_it_is_given() -> None:
    fake: Regulatory = FakeRegulatory()
    assert await fake.current() is None
    await fake.set("de")
    assert await fake.current() == "DE"
    assert isinstance(fake, FakeRegulatory)
    fake.refuse = True
    with pytest.raises(CountryError, match="refused WiFi country FR"):
        await fake.set("FR")
    assert await fake.current() == "DE"
    assert fake.sets == ["DE", "FR"]

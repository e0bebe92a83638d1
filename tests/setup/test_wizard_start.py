"""When `kiosk ui` shows the setup wizard, and the network step's extras (network_tools.py): the
WiFi list, the WiFi country and the cellular APN/PIN, each error keyed by its field."""

from __future__ import annotations

from pathlib import Path

from kiosk.cli.setup_ui import needs_setup
from kiosk.config import Config, StoreConfig, load_config, save_config
from kiosk.network.country import FakeRegulatory
from kiosk.setup.network_tools import CellularError, NetworkTools, Seen
from kiosk.setup.state import WizardState, save_state


def test_the_wizard_shows_on_a_blank_device_and_while_unfinished(tmp_path: Path) -> None:
    assert needs_setup(load_config(None, tmp_path)) is True  # no store: first boot
    save_config(Config(data_dir=tmp_path, store=StoreConfig("woocommerce", "https://s.example")))
    provisioned = load_config(None, tmp_path)
    assert needs_setup(provisioned) is False  # set up by kiosk provision: no wizard state
    save_state(tmp_path, WizardState("hardware", values={"store": {}}))
    assert needs_setup(provisioned) is True  # the store is in, the wizard is not done
    save_state(tmp_path, WizardState("staff", finished=True))
    assert needs_setup(provisioned) is False


async def test_the_wifi_list_and_a_scan_that_fails_in_words() -> None:
    async def scan() -> list[Seen]:
        return [Seen("ShopNet", 72, "WPA2"), Seen("Cafe6E", 64, "WPA3")]

    found, problem = await NetworkTools(scan=scan).networks()
    assert ([n.label for n in found], problem) == (
        ["ShopNet  ·  72%  ·  WPA2", "Cafe6E  ·  64%  ·  WPA3"],
        "",
    )

    async def broken() -> list[Seen]:
        raise RuntimeError("NetworkManager refused to scan for WiFi: not allowed")

    assert await NetworkTools(scan=broken).networks() == (
        [],
        "NetworkManager refused to scan for WiFi: not allowed",
    )
    assert "cannot scan" in (await NetworkTools().networks())[1]


async def test_the_wifi_country_is_checked_and_set_once() -> None:
    radio = FakeRegulatory()
    tools = NetworkTools(regulatory=radio)
    assert await tools.country() == ""
    assert "two-letter code" in (await tools.set_country("Britain"))["country"]
    assert await tools.set_country("gb") == {}
    assert await tools.set_country("GB") == {}  # already in force: not set again
    assert (radio.sets, await tools.country()) == (["GB"], "GB")
    radio.refuse = True
    assert "refused WiFi country DE" in (await tools.set_country("DE"))["country"]


async def test_the_cellular_apn_and_pin_errors_by_field() -> None:
    given: list[tuple[str, str | None]] = []

    async def cellular(apn: str, pin: str | None) -> None:
        given.append((apn, pin))
        if pin == "0000":
            raise CellularError("pin", "the SIM refused its PIN")

    tools = NetworkTools(cellular=cellular)
    assert "APN" in (await tools.set_cellular(" ", ""))["apn"]
    assert await tools.set_cellular("internet", "0000") == {"pin": "the SIM refused its PIN"}
    assert await tools.set_cellular(" internet ", "") == {}
    assert given == [("internet", "0000"), ("internet", None)]
    assert "no cellular modem" in (await NetworkTools().set_cellular("internet", ""))["apn"]

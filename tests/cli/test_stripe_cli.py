"""`kiosk provision stripe`, `kiosk reader ...` and `kiosk sale --card` against the simulator."""

from __future__ import annotations

import asyncio
import json
import stat
import tomllib
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.runtime import open_card_reader
from kiosk.sim.stripe import TILL_PERMISSIONS
from tests.cli.conftest import Run, as_json
from tests.cli.stripe_thread import ThreadSim, stripe_sim

__all__ = ["stripe_sim"]  # the fixture, used by name below


def provision(kiosk: Run, sim: ThreadSim, key: str, *more: str) -> tuple[int, str, str]:
    return kiosk("provision", "stripe", "--key", key, "--api-base", sim.url, *more, "--json")


@pytest.fixture
def provisioned(kiosk: Run, stripe_sim: ThreadSim) -> Run:
    code, _out, err = provision(
        kiosk, stripe_sim, stripe_sim.handle.restricted_key, "--country", "GB"
    )
    assert code == 0, err
    return kiosk


@pytest.fixture
def paired(provisioned: Run) -> str:
    code, out, err = provisioned("reader", "pair", "simulated-s710", "--label", "Till 1", "--json")
    assert code == 0, err
    reader: str = as_json(out)["reader"]
    return reader


def test_a_restricted_key_is_checked_and_saved_where_only_this_user_reads_it(
    kiosk: Run, stripe_sim: ThreadSim, data_dir: Path
) -> None:
    key = stripe_sim.handle.restricted_key
    code, out, err = provision(
        kiosk, stripe_sim, key, "--country", "gb", "--location-name", "Front"
    )
    assert code == 0, err
    got = as_json(out)
    assert (got["mode"], got["restricted"], got["location_created"]) == ("test", True, True)
    assert got["location_name"] == "Front"
    assert key not in out + err
    secrets = data_dir / "secrets.json"
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    assert json.loads(secrets.read_text())["stripe"] == {"api_key": key}
    settings = tomllib.loads((data_dir / "kiosk.toml").read_text())["stripe"]
    assert settings == {"location": got["location"], "reader": "", "api_base": stripe_sim.url}
    # Again: the one location there is now is picked, not another made.
    code, out, err = provision(kiosk, stripe_sim, key)
    assert code == 0, err
    assert (as_json(out)["location"], as_json(out)["location_created"]) == (got["location"], False)
    assert len(stripe_sim.handle.state.locations) == 1


def test_a_secret_key_is_refused(kiosk: Run, stripe_sim: ThreadSim, data_dir: Path) -> None:
    code, out, err = provision(kiosk, stripe_sim, stripe_sim.handle.secret_key, "--country", "GB")
    assert code == 2
    assert "--key is a secret key" in err
    assert "restricted key" in err
    assert stripe_sim.handle.secret_key not in out + err
    assert not (data_dir / "secrets.json").exists()


def test_each_missing_permission_is_named(kiosk: Run, stripe_sim: ThreadSim) -> None:
    lacking = {"rak_refund_write", "rak_charge_read"}
    key = stripe_sim.call(stripe_sim.handle.add_key, permissions=TILL_PERMISSIONS - lacking)
    code, _out, err = provision(kiosk, stripe_sim, key, "--country", "GB")
    assert code == 2
    assert "--key lacks rak_refund_write, rak_charge_read" in err
    assert stripe_sim.handle.state.locations == {}  # refused before anything was made


def test_a_live_key_against_a_test_setup_is_named(provisioned: Run, stripe_sim: ThreadSim) -> None:
    live = stripe_sim.call(stripe_sim.handle.add_key, livemode=True, permissions=TILL_PERMISSIONS)
    code, _out, err = provision(provisioned, stripe_sim, live)
    assert code == 2
    assert "--key is a live key, but location tml_" in err
    assert "test-mode object" in err


def test_unknown_keys_and_missing_places_are_bad_input(kiosk: Run, stripe_sim: ThreadSim) -> None:
    code, _out, err = provision(kiosk, stripe_sim, "rk_test_nonsense1234", "--country", "GB")
    assert (code, "Stripe does not accept this key" in err) == (2, True)
    code, _out, err = provision(kiosk, stripe_sim, "pk_test_abc")
    assert (code, "publishable" in err) == (2, True)
    code, _out, err = provision(kiosk, stripe_sim, stripe_sim.handle.restricted_key)
    assert (code, "--country" in err) == (2, True)
    code, _out, err = provision(
        kiosk, stripe_sim, stripe_sim.handle.restricted_key, "--location", "tml_nope"
    )
    assert (code, "--location tml_nope: no such Terminal location" in err) == (2, True)


def test_pair_status_and_unpair(provisioned: Run, stripe_sim: ThreadSim, paired: str) -> None:
    code, out, err = provisioned("reader", "status", "--json")
    assert code == 0, err
    status = as_json(out)
    assert status["paired"] is True
    assert (status["reader"], status["label"], status["state"]) == (paired, "Till 1", "online")
    assert status["device_type"] == "simulated_stripe_s710"
    assert status["firmware"]
    assert status["serial_number"]
    assert status["location"].startswith("tml_")
    assert status["location_name"] == "Counter"
    stripe_sim.call(stripe_sim.handle.terminal.set_online, paired, False)
    assert as_json(provisioned("reader", "status", "--json")[1])["state"] == "offline"
    code, out, err = provisioned("reader", "status")
    assert code == 0
    assert "offline" in out
    assert "firmware" in out
    code, out, err = provisioned("reader", "unpair", "--json")
    assert (code, as_json(out)["unpaired"]) == (0, paired)
    assert paired not in stripe_sim.handle.state.readers
    assert as_json(provisioned("reader", "status", "--json")[1])["paired"] is False


def test_a_wrong_pairing_code_is_named(provisioned: Run, stripe_sim: ThreadSim) -> None:
    code, _out, err = provisioned("reader", "pair", "apple-berry-cherry")
    assert code == 2
    assert "CODE 'apple-berry-cherry'" in err
    stripe_sim.call(stripe_sim.handle.terminal.show_pairing_code, "apple-berry-cherry")
    code, out, err = provisioned("reader", "pair", "apple-berry-cherry", "--json")
    assert code == 0, err
    assert as_json(out)["device_type"] == "stripe_s710"


def test_reader_commands_before_provisioning_say_what_to_do(kiosk: Run) -> None:
    code, _out, err = kiosk("reader", "status")
    assert code == 1
    assert "kiosk provision stripe" in err


def test_a_card_sale_end_to_end(
    loaded: Run, stripe_sim: ThreadSim, demo_products: list, paired: str
) -> None:
    stripe_sim.call(setattr, stripe_sim.handle.terminal, "auto_present_ms", 0)  # a tap at once
    sku = demo_products[0].sku
    code, out, err = loaded("sale", "--item", sku, "--card", "--json")
    assert code == 0, err
    sale = as_json(out)
    card = sale["card"]
    assert (card["approved"], card["brand"], card["last4"], card["entry_mode"]) == (
        True,
        "Visa",
        "4242",
        "Contactless",
    )
    [intent] = stripe_sim.handle.state.payment_intents.values()
    assert intent["id"] == card["reference"]
    assert intent["status"] == "succeeded"
    assert intent["metadata"] == {"order_id": sale["order_id"], "attempt": "1"}
    code, out, err = loaded("orders", "show", sale["number"], "--json")
    assert code == 0, err
    assert card["reference"] in out


def test_a_declined_card_sale_sells_nothing(
    loaded: Run, stripe_sim: ThreadSim, demo_products: list, paired: str
) -> None:
    stripe_sim.call(setattr, stripe_sim.handle.terminal, "auto_present_ms", 0)
    stripe_sim.call(stripe_sim.handle.terminal.decline_next, "insufficient_funds")
    code, out, _err = loaded("sale", "--item", demo_products[0].sku, "--card", "--json")
    assert code == 1
    got = as_json(out)
    assert (got["approved"], got["message"], got["code"]) == (
        False,
        "Insufficient funds",
        "insufficient_funds",
    )
    [intent] = stripe_sim.handle.state.payment_intents.values()
    assert intent["status"] == "canceled"
    assert all(not c["captured"] for c in stripe_sim.handle.state.charges.values())


def test_a_card_sale_without_a_reader_says_how_to_set_one_up(
    loaded: Run, demo_products: list
) -> None:
    code, _out, err = loaded("sale", "--item", demo_products[0].sku, "--card")
    assert code == 1
    assert "kiosk provision stripe" in err


def test_the_runtime_picks_the_stripe_reader_once_one_is_paired(
    provisioned: Run, stripe_sim: ThreadSim, data_dir: Path
) -> None:
    from kiosk.payments.base import ReaderState
    from kiosk.payments.stripe_terminal import StripeTerminalReader

    async def chosen() -> tuple[str, ReaderState | None]:
        async with open_card_reader(load_config(None, data_dir)) as reader:
            if reader is None:
                return "none", None
            return type(reader).__name__, (await reader.status()).state

    assert asyncio.run(chosen()) == ("none", None)  # provisioned, but no reader paired yet
    code, _out, err = provisioned("reader", "pair", "simulated-s710")
    assert code == 0, err
    assert asyncio.run(chosen()) == (StripeTerminalReader.__name__, ReaderState.READY)


def test_reader_reconcile_settles_what_a_stopped_till_left(
    loaded: Run, stripe_sim: ThreadSim, data_dir: Path, paired: str
) -> None:
    from datetime import UTC, datetime, timedelta

    from kiosk.core.money import Money
    from kiosk.store import card_attempts
    from kiosk.store.db import Database

    async def left_open() -> str:
        db = await Database.open(data_dir / "kiosk.db")
        try:  # written before the reader was asked, an hour ago; then the power went
            then = datetime.now(UTC) - timedelta(hours=1)
            made = await card_attempts.begin(
                db, "0b7f0e1c-0000-4000-8000-00000000000d", Money(850, "GBP"), now=then
            )
        finally:
            await db.close()
        return made.key

    key = asyncio.run(left_open())
    code, out, err = loaded("reader", "reconcile", "--json")
    assert code == 0, err
    [settled] = as_json(out)["settled"]
    assert (settled["payment_id"], settled["action"]) == (key, "forget")
    code, out, err = loaded("reader", "reconcile")
    assert (code, out.strip()) == (0, "No card payment was left unfinished.")

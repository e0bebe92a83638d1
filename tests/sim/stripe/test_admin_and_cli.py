"""The levers over HTTP (`/__sim/`), and `kiosk sim stripe` on the command line."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from typing import Any

import aiohttp
import pytest
import stripe

from kiosk.sim.stripe import StripeSimHandle
from tests.sim.stripe.conftest import SALE, start_sale


async def _post(sim: StripeSimHandle, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as s, s.post(f"{sim.url}{path}", json=body) as r:
        return r.status, await r.json()


async def test_reader_levers_over_http(
    sim: StripeSimHandle, client: stripe.StripeClient, reader: Any
) -> None:
    assert (await _post(sim, f"/__sim/readers/{reader.id}", {"online": False}))[1]["status"] == (
        "offline"
    )
    with pytest.raises(stripe.InvalidRequestError, match="offline"):
        await start_sale(client, reader.id)
    await _post(sim, f"/__sim/readers/{reader.id}", {"online": True})
    await _post(sim, "/__sim/declines", {"code": "expired_card"})
    await start_sale(client, reader.id)
    status, tapped = await _post(sim, f"/__sim/readers/{reader.id}/present", {})
    assert status == 200
    assert tapped["action"]["failure_code"] == "expired_card"
    await start_sale(client, reader.id)
    status, canceled = await _post(sim, f"/__sim/readers/{reader.id}/customer_cancel", {})
    assert canceled["action"]["failure_code"] == "customer_canceled"
    assert (await _post(sim, "/__sim/readers/tmr_nope", {"busy": True}))[0] == 404


async def test_settings_faults_and_the_request_log_over_http(
    sim: StripeSimHandle, client: stripe.StripeClient, reader: Any
) -> None:
    _, settings = await _post(sim, "/__sim/settings", {"auto_present_ms": 0})
    assert settings["auto_present_ms"] == 0
    await start_sale(client, reader.id)
    action = await sim.terminal.wait_action(reader.id, "succeeded", "failed")
    assert action is not None
    assert action["status"] == "succeeded"
    assert (await _post(sim, "/__sim/faults", {"kind": "429", "path": "payment_intents"}))[1] == {
        "pending": 1
    }
    with pytest.raises(stripe.RateLimitError):
        await client.v1.payment_intents.create_async(SALE)
    assert (await _post(sim, "/__sim/faults", {"kind": "nonsense"}))[0] == 400
    async with aiohttp.ClientSession() as s, s.get(f"{sim.url}/__sim/requests") as r:
        log = await r.json()
    assert [e["status"] for e in log][-1] == 429
    assert log[0]["path"] == "/v1/terminal/locations"


def test_cli_prints_its_json_line_and_serves() -> None:
    cmd = [sys.executable, "-m", "kiosk", "sim", "stripe", "--port", "0"]
    cmd += ["--fault", "429:payment_intents:1"]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as proc:
        try:
            assert proc.stdout is not None
            line = json.loads(proc.stdout.readline())
            assert set(line) == {"url", "secret_key", "restricted_key"}
            assert line["url"].startswith("http://127.0.0.1:")
            assert line["secret_key"].startswith("sk_test_")
            assert line["restricted_key"].startswith("rk_test_")
            client = stripe.StripeClient(
                line["restricted_key"], base_addresses={"api": line["url"]}, max_network_retries=0
            )
            with pytest.raises(stripe.RateLimitError):
                client.v1.payment_intents.create(SALE)
            assert client.v1.payment_intents.create(SALE).status == "requires_payment_method"
            request = urllib.request.Request(
                f"{line['url']}/__sim/settings", data=b'{"latency_ms": 1}', method="POST"
            )
            with urllib.request.urlopen(request, timeout=10) as answer:
                assert json.load(answer)["latency_ms"] == 1
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    assert proc.returncode == 0

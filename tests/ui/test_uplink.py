"""The status bar names the uplink NetworkManager reports: its kind, strength, and cost.

The app reads dbusmock's NetworkManager (and ModemManager, for the modem's signal) on a private
bus; screenshots at both sizes land in screenshots/<size>/ (gitignored).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from kiosk.sim.woocommerce import SimHandle
from tests.ui.harness import SIZES, running_till

if TYPE_CHECKING:
    from tests.network.nm_mock import MockNetworkManager

pytestmark = pytest.mark.timeout(240)

METERED_YES = 1  # NMMetered


@pytest.mark.parametrize("size", SIZES)
async def test_the_bar_follows_the_uplink_from_wifi_to_metered_cellular(
    device: Path, display: str, store: SimHandle, network: MockNetworkManager, size: str
) -> None:
    _, _, wifi = await network.wifi("ShopNet", strength=72)
    await network.set_primary(wifi)
    async with running_till(device, display, size) as till:
        shown = await till.wait_text("Online · WiFi ShopNet 72%")
        assert "metered" not in shown["text"]
        await till.shot("20-uplink-wifi")

        # The failover lands on the modem: ModemManager gives its signal, the SIM is metered.
        await network.modem_signal(58)
        await network.set_primary(await network.cellular("Vodafone"), metered=METERED_YES)
        await till.wait_text("Online · Cellular 58% · metered")
        await till.shot("21-uplink-cellular-metered")

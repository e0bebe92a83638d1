"""The link as people read it, and the fake the UI and tests use."""

from __future__ import annotations

import pytest

from kiosk.network.base import Link, LinkKind, NetworkInfo
from kiosk.network.fake import FakeNetwork


@pytest.mark.parametrize(
    ("link", "label"),
    [
        (Link(LinkKind.WIFI, name="ShopNet", signal=72), "WiFi ShopNet 72%"),
        (Link(LinkKind.WIFI, name="ShopNet"), "WiFi ShopNet"),
        (Link(LinkKind.WIFI, signal=0), "WiFi 0%"),
        (Link(LinkKind.WIFI), "WiFi"),
        (Link(LinkKind.CELLULAR, name="Vodafone", metered=True), "Cellular"),
        (Link(LinkKind.CELLULAR, signal=55), "Cellular 55%"),
        (Link(LinkKind.ETHERNET, name="Wired connection 1"), "Ethernet"),
        (Link(LinkKind.NONE), "No network"),
        (Link(LinkKind.UNKNOWN, name="Office VPN"), "Network unknown"),
    ],
)
def test_label_is_the_link_in_a_few_words(link: Link, label: str) -> None:
    assert link.label == label


async def test_fake_reports_what_it_was_set_to() -> None:
    network = FakeNetwork()
    assert isinstance(network, NetworkInfo)
    assert (await network.current()).label == "WiFi Demo 100%"

    network.set(Link(LinkKind.CELLULAR, metered=True))

    assert await network.current() == Link(LinkKind.CELLULAR, metered=True)
    assert network.calls == 2


async def test_fake_starts_from_the_link_it_is_given() -> None:
    assert await FakeNetwork(Link(LinkKind.NONE)).current() == Link(LinkKind.NONE)

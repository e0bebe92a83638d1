"""The agent follows the network: a link that comes back, or a new one, sends the uploads now."""

from __future__ import annotations

from kiosk.network.base import NO_NETWORK, UNKNOWN, Link, LinkKind
from kiosk.network.fake import FakeNetwork
from kiosk.sync.link_watch import LinkWatch

WIFI = Link(LinkKind.WIFI, "ShopNet", 70)
CELL = Link(LinkKind.CELLULAR, "", 40, metered=True)


async def _watch(links: list[Link]) -> tuple[int, LinkWatch]:
    network = FakeNetwork(links[0])
    calls: list[None] = []
    watch = LinkWatch(network, lambda: calls.append(None))
    for link in links:
        network.set(link)
        await watch.check()
    return len(calls), watch


async def test_coming_back_from_no_network_sends_now() -> None:
    assert (await _watch([WIFI, NO_NETWORK, WIFI]))[0] == 1


async def test_failing_over_to_cellular_and_back_sends_each_time() -> None:
    count, watch = await _watch([WIFI, CELL, WIFI, CELL])
    assert count == 3
    assert watch.metered  # on cellular: the agent pulls less often


async def test_the_same_link_or_an_unusable_one_does_nothing() -> None:
    assert (await _watch([WIFI, Link(LinkKind.WIFI, "ShopNet", 30), WIFI]))[0] == 0
    assert (await _watch([WIFI, NO_NETWORK, UNKNOWN, NO_NETWORK]))[0] == 0
    # Unknown at first (NetworkManager's reader still loading) is not a new link...
    assert (await _watch([UNKNOWN, WIFI, WIFI]))[0] == 0
    # ...nor does an unknown reading between hide that the link came back.
    assert (await _watch([WIFI, NO_NETWORK, UNKNOWN, WIFI]))[0] == 1

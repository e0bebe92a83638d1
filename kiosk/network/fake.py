"""A network whose link is set from outside: for the demo, the UI and the tests."""

from __future__ import annotations

from kiosk.network.base import Link, LinkKind


class FakeNetwork:
    """A NetworkInfo that reports whatever Link it was last given (WiFi at full strength at first).

    `calls` counts `current()` calls, so a test can see that a poller asked.
    """

    def __init__(self, link: Link | None = None) -> None:
        self.link = link if link is not None else Link(LinkKind.WIFI, name="Demo", signal=100)
        self.calls = 0

    def set(self, link: Link) -> None:
        self.link = link

    async def current(self) -> Link:
        self.calls += 1
        return self.link

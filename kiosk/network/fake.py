"""A network whose link is set from outside, and a failover Control the same: for the demo, the UI
and the tests."""

from __future__ import annotations

from kiosk.network.base import Link, LinkKind
from kiosk.network.control import ControlError, Snapshot
from kiosk.network.failover import Action


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


class FakeControl:
    """A failover Control over a Snapshot set from outside; records the actions asked of it.

    `refuse` names actions (as "verb kind") it raises ControlError for; `down` makes `observe`
    fail as a NetworkManager that is restarting does.
    """

    def __init__(self, snapshot: Snapshot | None = None) -> None:
        self.snapshot = snapshot if snapshot is not None else Snapshot()
        self.actions: list[str] = []
        self.refuse: set[str] = set()
        self.down = False

    async def observe(self) -> Snapshot:
        if self.down:
            raise ControlError("cannot read NetworkManager: it is not on the bus")
        return self.snapshot

    async def act(self, action: Action, snapshot: Snapshot) -> None:
        self.actions.append(str(action))
        if str(action) in self.refuse:
            raise ControlError("refused")

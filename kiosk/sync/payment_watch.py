"""Whether a till is charging a card right now, as the agent can see it: through the database.

The failover policy never switches the uplink back during a card payment, but the payment runs
in the counter app's process. The app writes each attempt before the reader is asked and its
outcome after (store.card_attempts), so an attempt without an outcome that began recently is a
payment under way. One that never got an outcome (the app died mid-charge) stops counting after
`window`, so a crashed till cannot hold the uplink forever.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from kiosk.store import card_attempts
from kiosk.store.db import Database

log = logging.getLogger(__name__)


class PaymentWatch:
    """`current()` answers from the last look; `run()` looks every `every_s` seconds."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Callable[[], datetime],
        window: timedelta = timedelta(minutes=3),
        every_s: float = 1.0,
    ) -> None:
        self._db, self._clock = db, clock
        self._window, self._every_s = window, every_s
        self.paying = False

    def current(self) -> bool:
        return self.paying

    async def look(self) -> bool:
        self.paying = await card_attempts.charging(self._db, since=self._clock() - self._window)
        return self.paying

    async def run(self) -> None:
        """Look until cancelled."""
        while True:
            await self.look()
            await asyncio.sleep(self._every_s)

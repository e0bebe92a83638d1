"""The touchscreen's factory reset: refused while anything waits to upload; otherwise the
request a manager approved is left for `kiosk reset` (kiosk.reset.request)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from kiosk.reset.request import write_request
from kiosk.reset.unsynced import pending
from kiosk.staff.overrides import Approval
from kiosk.store.db import Database


class ResetDesk:
    def __init__(self, db: Database, data_dir: Path, *, now: Callable[[], datetime]) -> None:
        self._db, self._data_dir, self._now = db, data_dir, now

    async def refusal(self) -> str:
        """Why the till cannot be reset now, in words ("" when it can)."""
        todo = await self._db.read(pending)
        if not todo.total:
            return ""
        return f"Not reset: {todo.words()} still to upload. Let them upload first."

    async def request(self, approval: Approval | None, *, by: str) -> Path | None:
        """Leave the reset request (None: refused, something waits to upload after all)."""
        if await self.refusal():
            return None
        return write_request(
            self._data_dir, approval_id=approval.id if approval else "", by=by, at=self._now()
        )

"""The touchscreen's factory reset: refused while a sale waits to upload; a request, 0600, once
nothing does."""

from __future__ import annotations

import stat
from pathlib import Path

from kiosk.counter.reset_desk import ResetDesk
from kiosk.reset.request import read_request
from kiosk.store import outbox
from kiosk.store.db import Database
from tests.counter.till import MUG, make_till
from tests.store.factory import T0


async def test_a_reset_is_refused_until_every_sale_is_uploaded(
    shop: Database, tmp_path: Path
) -> None:
    till = await make_till(shop)
    till.session.add(MUG)
    till.session.add_cash(till.session.due())
    await till.session.complete()
    desk = ResetDesk(shop, tmp_path, now=lambda: T0)
    assert await desk.refusal() == "Not reset: 1 order(s) still to upload. Let them upload first."
    assert await desk.request(None, by="Mia") is None
    assert read_request(tmp_path) is None

    (item,) = await outbox.claim_due(shop, T0, 1)
    await outbox.mark_synced(shop, item.order_id, "101", T0)
    assert await desk.refusal() == ""
    path = await desk.request(None, by="Mia")
    assert path is not None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_request(tmp_path) == {"approval_id": "", "by": "Mia", "at": T0.isoformat()}

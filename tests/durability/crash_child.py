"""A till that sells until it is killed: the child side of the crash test.

It reports on `conn` ("begin", uuid) before each commit and ("done", uuid) only after the commit
returned, so the parent knows exactly which sales were complete when the SIGKILL landed.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
from multiprocessing.connection import Connection
from pathlib import Path

from kiosk.checkout import Checkout
from kiosk.core.models import PaymentMethod
from kiosk.core.tender import Tender
from kiosk.store.db import Database

SALES_PER_CHILD = 12


def _arm_self_kill(conn: sqlite3.Connection, rng: random.Random) -> None:
    """SIGKILL this process from inside SQLite after a random number of VM steps."""
    countdown = [rng.randint(1, 400)]

    def tick() -> int:
        countdown[0] -= 1
        if countdown[0] <= 0:
            os.kill(os.getpid(), signal.SIGKILL)
        return 0

    conn.set_progress_handler(tick, rng.randint(1, 40))


async def _sell(
    db_path: Path, codes: list[str], seed: int, self_kill: bool, out: Connection
) -> None:
    rng = random.Random(seed)
    db = await Database.open(db_path)
    try:
        if self_kill:
            await db.read(lambda c: _arm_self_kill(c, rng))
        checkout = Checkout(db, order_prefix="T-")
        for _ in range(SALES_PER_CHILD):
            cart = await checkout.start()
            for code in rng.sample(codes, rng.randint(1, 3)):
                await checkout.add_code(cart, code, rng.randint(1, 3))
            due = cart.totals().total
            out.send(("begin", cart.id))
            await checkout.complete(cart, [Tender(PaymentMethod.CASH, due)])
            out.send(("done", cart.id))
    finally:
        await db.close()


def run_child(db_path: str, codes: list[str], seed: int, self_kill: bool, out: Connection) -> None:
    asyncio.run(_sell(Path(db_path), codes, seed, self_kill, out))
    out.send(("exit", ""))

"""The soak in the suite: 500 sales queued offline, drained through every fault, exactly once.

Bounded to well under a minute each; `make soak` runs longer ones with more seeds and checks the
time target. A failure prints the seed and the plan, so it can be run again as it was.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.soak.drain import soak
from tests.soak.kills import soak_with_kills

SEED = int(os.environ.get("KIOSK_SOAK_SEED", "20261203"))


async def test_500_sales_land_exactly_once_through_every_fault(tmp_path: Path) -> None:
    outcome = await soak(tmp_path, sales=500, seed=SEED)
    assert outcome.problems == (), outcome.describe()
    # Every kind of fault and both outages happened: a soak that met none proves nothing.
    assert set(outcome.fired) >= {"429", "503", "500", "timeout", "drop", "drop_after_commit"}
    assert outcome.fired["outage"] == 2, outcome.describe()


async def test_500_sales_land_exactly_once_with_the_agent_killed_mid_drain(
    tmp_path: Path,
) -> None:
    outcome = await soak_with_kills(tmp_path, sales=500, seed=SEED, kills=6)
    assert outcome.problems == (), outcome.describe()
    assert outcome.fired["drop_after_commit"] > 0, outcome.describe()

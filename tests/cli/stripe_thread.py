"""The Stripe simulator on a thread of its own, for commands that run their own event loop.

`kiosk ...` runs in the test's thread under asyncio.run, so the simulator serves from another
loop; its levers are pulled on that loop through `call`. At the end every exchange is checked
against Stripe's OpenAPI description, as tests/sim/stripe's fixture does.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest

from kiosk.sim.stripe import StripeSimHandle, running_stripe_sim
from tests.sim.stripe.conftest import drift

T = TypeVar("T")


@dataclass
class ThreadSim:
    handle: StripeSimHandle
    loop: asyncio.AbstractEventLoop

    @property
    def url(self) -> str:
        return self.handle.url

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`fn(*args)` on the simulator's loop (its levers are not thread-safe), its result."""

        async def run() -> T:
            return fn(*args, **kwargs)

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(10)


@pytest.fixture
def stripe_sim() -> Iterator[ThreadSim]:
    box: dict[str, Any] = {}
    ready = threading.Event()

    async def serve() -> None:
        async with running_stripe_sim(seed=11) as handle:
            box["sim"] = ThreadSim(handle, asyncio.get_running_loop())
            box["stop"] = asyncio.Event()
            ready.set()
            await box["stop"].wait()

    thread = threading.Thread(target=lambda: asyncio.run(serve()), daemon=True)
    thread.start()
    assert ready.wait(10), "the Stripe simulator did not start"
    sim: ThreadSim = box["sim"]
    try:
        yield sim
    finally:
        sim.loop.call_soon_threadsafe(box["stop"].set)
        thread.join(10)
    problems = drift(sim.handle)
    assert problems == [], "\n".join(problems)

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from kiosk.sim.catalog import generate_export
from kiosk.sim.woocommerce import SimHandle, running_sim
from tests.ui.harness import Xvfb


@pytest.fixture(scope="session")
def display() -> Iterator[str]:
    x = Xvfb()
    try:
        yield x.display
    finally:
        x.stop()


def shop_export() -> dict[str, Any]:
    """A small shop: a few dozen products in categories, some with sizes and colours."""
    return generate_export(40, variable_share=0.25, variations_per=4, seed=11)


@pytest.fixture
async def store() -> AsyncIterator[SimHandle]:
    async with running_sim(export=shop_export()) as sim:
        yield sim

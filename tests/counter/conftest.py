from __future__ import annotations

import pytest

from kiosk.store.db import Database
from tests.counter.till import Till, make_till, stock_shop
from tests.store.conftest import db

__all__ = ["db"]  # the same database fixture as the store tests


@pytest.fixture
async def shop(db: Database) -> Database:
    return await stock_shop(db)


@pytest.fixture
async def till(shop: Database) -> Till:
    return await make_till(shop)

from __future__ import annotations

from tests.store.conftest import db

__all__ = ["db"]  # the same database fixture as the store tests

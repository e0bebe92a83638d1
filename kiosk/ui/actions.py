"""The apps' running actions (the till's and the setup wizard's): each runs on the app's loop,
and its failure is logged, kept for the tests' driver and shown, never swallowed."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

log = logging.getLogger(__name__)


class Actions:
    """`tasks` running now; `person_tasks` those that may wait on someone (a card on the
    reader, a barcode to scan), which "settled" does not wait for; `errors` every failure."""

    def __init__(self, say: Callable[[str], None]) -> None:
        self._say = say
        self.tasks: set[asyncio.Task[Any]] = set()
        self.person_tasks: set[asyncio.Task[Any]] = set()
        self.errors: list[str] = []

    def spawn(
        self, coro: Coroutine[Any, Any, Any], *, waits_on_person: bool = False
    ) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        if waits_on_person:
            self.person_tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        self.person_tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.error("screen action failed", exc_info=exc)
            self.errors.append(f"{type(exc).__name__}: {exc}")
            self._say(f"Something went wrong: {exc}")

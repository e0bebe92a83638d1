"""The setup wizard's app: the WizardScreen alone in the window, on the asyncio loop.

`kiosk ui` runs it instead of the sale screen while the device is not set up; when the wizard
is done the app stops and `kiosk ui` starts again, now on the sale screen (kiosk/cli/setup_ui.py).
It answers the UI driver (kiosk/ui/driver.py) as PosApp does: ready, settled, errors, stop.
Import kiosk.ui.boot.prepare() before this module: Kivy reads its settings at import time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window

from kiosk import system_notify
from kiosk.ui import theme
from kiosk.ui.actions import Actions
from kiosk.ui.screens.wizard import Setup, WizardScreen
from kiosk.ui.screens.wizard_steps import PREPARE, VIEWS, WedgeTests
from kiosk.ui.wedge import Wedge

log = logging.getLogger(__name__)
ENTER, TAB = 13, 9


class SetupApp(App):
    title = "Universal Offline POS: setting up"

    def __init__(self, setup: Setup, **kw: Any) -> None:
        super().__init__(**kw)
        self.setup = setup
        self.actions = Actions(self._failed)
        # Tasks that wait on a person (a barcode to scan) are not waited for by "settled".
        self.tasks, self.person_tasks = self.actions.tasks, self.actions.person_tasks
        self.errors = self.actions.errors
        self.ready = asyncio.Event()
        self.finished = False
        self.wedge = Wedge()
        self.screen: WizardScreen | None = None
        self.notify = system_notify.notifier()

    def build(self) -> WizardScreen:
        th = theme.theme_for(*Window.size)
        self.screen = WizardScreen(
            th, self.setup, self.spawn, self._done, views=VIEWS, prepare=PREPARE
        )
        deps = self.setup.wizard.deps
        deps.hardware = WedgeTests(deps.hardware, self.screen)  # a typing scanner counts too
        Window.bind(on_textinput=self._typed, on_key_down=self._key_down)
        if (every := self.notify.watchdog_every_s) is not None:
            Clock.schedule_interval(lambda _dt: self.notify.watchdog(), every)
        self.spawn(self._start())
        return self.screen

    async def _start(self) -> None:
        assert self.screen is not None
        await self.screen.show(await self.setup.wizard.current())
        Clock.schedule_once(lambda _dt: self._up(), 0)

    def _up(self) -> None:
        self.ready.set()
        self.notify.ready("setting up")

    def _done(self) -> None:
        self.finished = True
        self.stop()

    def spawn(
        self, coro: Coroutine[Any, Any, Any], *, waits_on_person: bool = False
    ) -> asyncio.Task[Any]:
        """Run a coroutine on the app's loop; its failure is shown, never swallowed."""
        return self.actions.spawn(coro, waits_on_person=waits_on_person)

    def _failed(self, words: str) -> None:
        if self.screen is not None:
            self.screen.say(words, warn=True)

    async def settled(self) -> None:
        """Until every action started so far has finished, except those waiting on a person
        (a barcode to scan) or running for minutes on their own (the catalog's copy)."""
        while busy := self.tasks - self.person_tasks:
            await asyncio.wait(busy)

    def _typed(self, _window: Any, text: str) -> None:
        for ch in text:
            if self.screen is not None and self.screen.typed(ch):
                continue
            self.wedge.feed(ch, time.monotonic())

    def _key_down(self, _window: Any, key: int, *_args: Any) -> bool:
        if key not in (ENTER, TAB) or self.screen is None:
            return False
        if not self.screen.enter():
            code = self.wedge.feed("\r", time.monotonic())
            if code:
                self.screen.scanned(code)
        return True


async def run_setup_app(
    setup: Setup, *, on_ready: Callable[[SetupApp], Coroutine[Any, Any, Any]] | None = None
) -> bool:
    """Run the wizard until it is done (True) or its window closes (False)."""
    app = SetupApp(setup)
    jobs = [app.async_run(async_lib="asyncio")]
    if on_ready is not None:
        jobs.append(_when_ready(app, on_ready))
    await asyncio.gather(*jobs)
    return bool(app.finished)


async def _when_ready(app: SetupApp, job: Callable[[SetupApp], Coroutine[Any, Any, Any]]) -> None:
    await app.ready.wait()
    await job(app)

"""The baseline for the app's start: a bare Kivy app, set up as the app is, drawing one label.

It prints "ready" once its first frame is on screen, then quits; the bench times that from spawn.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from kiosk.ui.boot import prepare


def main() -> None:
    prepare((800, 480), fullscreen=False, home=Path(os.environ["KIVY_HOME"]))
    from kivy.app import App
    from kivy.core.window import Window
    from kivy.uix.label import Label

    class Bare(App):  # type: ignore[misc]
        def build(self) -> Label:
            Window.bind(on_flip=self.shown)
            return Label(text="Scan or tap a product to start a sale")

        def shown(self, *_: Any) -> None:
            Window.unbind(on_flip=self.shown)
            print("kiosk ui: ready", flush=True)
            self.stop()

    Bare().run()


if __name__ == "__main__":
    main()

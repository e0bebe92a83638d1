"""Kivy's settings, which it reads once at import: call prepare() before importing kivy."""

from __future__ import annotations

import os
from pathlib import Path


def prepare(size: tuple[int, int], *, fullscreen: bool, home: Path) -> None:
    """Set the window and input up for a counter; must run before the first kivy import."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")  # our argv is ours, not Kivy's
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")  # Kivy logs through logging, like us
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("KIVY_HOME", str(home))
    from kivy.config import Config

    width, height = size
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "resizable", "0")
    Config.set("kivy", "exit_on_escape", "0")  # a stray Esc must not close the till
    Config.set("kivy", "keyboard_mode", "system")
    # One input provider per device: a touchscreen seen by two providers sends every tap twice.
    for option in list(Config.options("input")):
        Config.remove_option("input", option)
    Config.set("input", "mouse", "mouse,disable_multitouch")
    if fullscreen:
        Config.set("input", "touch", "probesysfs,provider=hidinput")

"""What the wizard's store step asks for each platform, as plain data the screen lays out (the
screen never names a platform: the composition root, kiosk/cli, fills these in)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str  # the key the step's submit() takes, and its errors are keyed by
    label: str
    secret: bool = False  # shown as dots, never kept in the wizard's state
    hint: str = ""  # what to type, under an empty field


@dataclass(frozen=True, slots=True)
class StoreKind:
    platform: str  # the key the store step takes
    title: str  # the platform's name, as the merchant knows it
    fields: tuple[FieldSpec, ...]

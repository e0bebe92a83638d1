"""Keys and tokens, kept apart from the settings in one file only the kiosk user can read.

The file is written whole (temporary file, fsync, rename) with mode 0600 from its creation, so
there is never a moment when it exists with looser permissions, or half-written. It holds the
device's own webhook secret and one section per platform, each that platform's to define:

    {"webhook_secret": "...", "woocommerce": {"consumer_key": "...", "consumer_secret": "..."}}
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Self

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

SECRETS_NAME = "secrets.json"
# Files from before sections kept WooCommerce's keys at the top: where each one belongs now.
_FLAT = {"consumer_key": "woocommerce", "consumer_secret": "woocommerce"}


class SecretsError(ValueError):
    """The secrets file is unreadable, malformed, or readable by others."""


def masked_repr(obj: DataclassInstance) -> str:
    """A dataclass's repr with each value shown as *** (or nothing when empty)."""
    shown = ", ".join(f"{f.name}={'***' if getattr(obj, f.name) else ''}" for f in fields(obj))
    return f"{type(obj).__name__}({shown})"


@dataclass(frozen=True, slots=True, repr=False)
class SecretsSection:
    """A platform's typed section of the secrets file: text values, never shown when printed.

    Subclasses are frozen dataclasses of str fields with `repr=False` (so this masked repr stays
    theirs) and name their section in SECTION; of() reads it, into() writes it back.
    """

    SECTION: ClassVar[str]

    def __repr__(self) -> str:
        return masked_repr(self)

    __str__ = __repr__

    @classmethod
    def of(cls, secrets: Secrets) -> Self:
        values = secrets.section(cls.SECTION)
        return cls(**{f.name: values.get(f.name, "") for f in fields(cls)})

    def into(self, secrets: Secrets) -> Secrets:
        """`secrets` with this as its platform's section."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return secrets.with_section(self.SECTION, values)


@dataclass(frozen=True, slots=True)
class Secrets:
    """The secrets file: the webhook secret and each platform's section (name -> its values).

    Sections are read through section() and replaced through with_section(); a section this
    version does not know (a newer one's) is kept as it is and written back.
    """

    webhook_secret: str = ""  # the device's own, checking deliveries to its webhook endpoint
    sections: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def section(self, name: str) -> Mapping[str, str]:
        """Platform `name`'s values; empty when the file has none."""
        return self.sections.get(name, {})

    def with_section(self, name: str, values: Mapping[str, str]) -> Secrets:
        """A copy whose section `name` is `values`, the other sections as they were."""
        return Secrets(self.webhook_secret, {**self.sections, name: dict(values)})

    def __repr__(self) -> str:
        # Never let a stray log line or traceback print a key.
        shown = [f"webhook_secret={'***' if self.webhook_secret else ''}"]
        shown += [
            f"{name}.{key}={'***' if value else ''}"
            for name, values in self.sections.items()
            for key, value in values.items()
        ]
        return f"Secrets({', '.join(shown)})"

    __str__ = __repr__


def secrets_path(data_dir: Path) -> Path:
    return data_dir / SECRETS_NAME


def save_secrets(data_dir: Path, secrets: Secrets) -> Path:
    """Write the whole file, mode 0600, in the sectioned layout (whatever layout it had)."""
    path = secrets_path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    sections = {name: dict(values) for name, values in secrets.sections.items()}
    data = {"webhook_secret": secrets.webhook_secret, **sections}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # O_CREAT's mode is masked by umask; make it exact
        os.write(fd, (json.dumps(data, indent=2) + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    return path


def load_secrets(data_dir: Path) -> Secrets:
    """The stored secrets, or empty ones when the device has none yet.

    A file in the old flat layout (consumer_key, consumer_secret at the top) reads as its
    sections; the next save writes it sectioned.
    """
    path = secrets_path(data_dir)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return Secrets()
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretsError(
            f"{path}: readable by other users (mode {stat.S_IMODE(mode):o}); run `chmod 600 {path}`"
        )
    try:
        data: Any = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise SecretsError(f"{path}: cannot read: {exc}") from None
    if not isinstance(data, dict):
        raise SecretsError(f"{path}: expected a JSON object")
    webhook = data.pop("webhook_secret", "")
    bad = [] if isinstance(webhook, str) else ["webhook_secret"]
    sections: dict[str, dict[str, str]] = {}
    flat: dict[str, dict[str, str]] = {}
    for key, value in data.items():
        if key in _FLAT:
            if isinstance(value, str):
                flat.setdefault(_FLAT[key], {})[key] = value
            else:
                bad.append(key)
        elif isinstance(value, dict):
            bad += [f"{key}.{k}" for k, v in value.items() if not isinstance(v, str)]
            sections[key] = value
        # Anything else is no secret of ours: it is not kept (as before sections).
    if bad:
        raise SecretsError(f"{path}: {', '.join(bad)} must be text")
    for name, values in flat.items():  # a section written since wins over the flat leftovers
        sections[name] = {**values, **sections.get(name, {})}
    return Secrets(webhook, sections)

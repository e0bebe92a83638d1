"""What the rest of the device needs of a store platform, as one record per platform.

A platform package (kiosk/connectors/<name>/platform.py) fills one in; connectors/factory.py
holds the table. Adding a platform is a package and a row in that table: nothing above the
connectors names a platform. Its settings are its own section of kiosk.toml (a row in
kiosk/config_platforms.py, read with config.section) and of the secrets file (secrets.section).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from kiosk.config import Config
from kiosk.connectors.base import Connector, WebhookReader
from kiosk.secrets import Secrets


@dataclass(frozen=True, slots=True)
class Platform:
    name: str  # as kiosk.toml's store.platform says it
    provision_usage: str  # the command that connects a device to such a store
    has_keys: Callable[[Secrets], bool]  # the secrets file holds what `connect` needs
    connect: Callable[[Config, Secrets, str], Connector]  # (settings, secrets, locale)
    webhooks: Callable[[str], WebhookReader]  # a reader checking deliveries with this secret
    # Tell the store where to deliver (idempotent); returns a summary for the log.
    register_webhooks: Callable[[Connector, str, str], Awaitable[str]]

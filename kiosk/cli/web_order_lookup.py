"""The store's web orders looked up by number for a refund at the till (composition root).

Each lookup opens the provisioned store's connector and closes it again: a refund of a web
order is rare, and the till keeps no connection open for it.
"""

from __future__ import annotations

from kiosk.config import Config
from kiosk.connectors.errors import ConnectorError
from kiosk.connectors.factory import NotProvisioned, open_connector, platform_of
from kiosk.core.models import Order
from kiosk.counter.web_orders import WebOrderFinder
from kiosk.secrets import load_secrets


def web_order_finder(config: Config, *, locale: str = "en_US") -> WebOrderFinder | None:
    """A finder for the provisioned store's web orders; None when no store is provisioned."""
    try:
        platform_of(config)
    except NotProvisioned:
        return None

    async def find(number: str) -> Order | None:
        try:
            connector = open_connector(config, load_secrets(config.data_dir), locale=locale)
        except NotProvisioned as exc:  # the keys are missing: said like any store trouble
            raise ConnectorError(str(exc)) from None
        try:
            return await connector.online_order(number)
        finally:
            await connector.close()

    return find

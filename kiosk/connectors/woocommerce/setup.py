"""Testing a WooCommerce store's address and keys, step by step, for the setup wizard.

Each step fails with its own error and a message a vendor can act on: the host cannot be reached,
its certificate is not trusted, it is not WordPress, WooCommerce's REST API is off, the keys are
wrong, or the keys are read-only. Nothing is created on the store.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from kiosk.connectors.base import StoreInfo
from kiosk.connectors.errors import (
    ApiDisabled,
    AuthFailed,
    BadResponse,
    NotAStore,
    NotFound,
    PermissionDenied,
    Rejected,
    StoreUnreachable,
    TLSFailure,
)
from kiosk.connectors.woocommerce import PLATFORM
from kiosk.connectors.woocommerce.auth import AuthMode, Keys
from kiosk.connectors.woocommerce.client import Redirected, RouteMissing, WooClient

log = logging.getLogger(__name__)

KEYS_HELP = "WooCommerce > Settings > Advanced > REST API"

# An order body every store refuses at validation (status is an enum): keys that may write get a
# 400, read-only keys are stopped before validation with a 401. Nothing can be created by it.
_PROBE_ORDER = {"status": "kiosk-connection-test", "set_paid": False}


async def check_client(client: WooClient, *, require_write: bool = False) -> StoreInfo:
    """Run the connection checks through `client`; see test_connection."""
    site = client.url
    index = await _index(client)
    namespaces = index.get("namespaces")
    if not isinstance(namespaces, list) or "wc/v3" not in namespaces:
        raise ApiDisabled(
            f"{site} is a WordPress site, but its WooCommerce REST API (wc/v3) is not available: "
            "check that WooCommerce is installed and active, and that no security plugin "
            "disables the REST API"
        )
    try:
        general = await client.get("/settings/general")
    except RouteMissing:
        raise ApiDisabled(
            f"{site} lists the WooCommerce REST API but does not serve it: check for a plugin "
            "or host rule that blocks /wp-json/wc/v3"
        ) from None
    except AuthFailed as exc:
        raise AuthFailed(_auth_help(client, str(exc))) from None
    except PermissionDenied as exc:
        raise PermissionDenied(
            f"the keys work, but their WordPress user may not manage WooCommerce ({exc}); "
            f"create the keys for an administrator or shop manager in {KEYS_HELP}"
        ) from None
    currency = _currency(general)
    can_write = await _can_write(client)
    if require_write and not can_write:
        raise PermissionDenied(
            f"these API keys are read-only, so the device could not upload its sales: create "
            f"keys with Read/Write permission in {KEYS_HELP}"
        )
    name = index.get("name")
    return StoreInfo(
        platform=PLATFORM,
        url=site,
        name=name if isinstance(name, str) else "",
        currency=currency,
        can_write=can_write,
        settings=(("api_route", "rest_route" if client.rest_route else "pretty"),),
    )


async def test_connection(
    url: str,
    key: str,
    secret: str,
    *,
    ca_file: Path | str | None = None,  # noqa: PT028 (not a pytest test, despite the name)
    query_auth: bool = False,  # noqa: PT028
    require_write: bool = False,  # noqa: PT028
    request_timeout: float = 20.0,  # noqa: PT028
) -> StoreInfo:
    """Check that `url` is a WooCommerce store these keys may read (and write, if required).

    Raises StoreUnreachable, TLSFailure, NotAStore, ApiDisabled, AuthFailed or PermissionDenied
    (read-only keys when `require_write`), each with a message saying what to fix.
    """
    try:
        keys = Keys(key, secret)
    except ValueError as exc:
        raise AuthFailed(f"{exc}: copy both from {KEYS_HELP}") from None
    try:
        client = WooClient(
            url, keys, query_auth=query_auth, ca_file=ca_file, timeout=request_timeout
        )
    except ValueError as exc:
        raise NotAStore(
            f"{exc} (enter the shop's address, such as https://shop.example.com)"
        ) from None
    async with client:
        return await check_client(client, require_write=require_write)


test_connection.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


async def _index(client: WooClient) -> dict[str, Any]:
    """The site's REST index; a site whose /wp-json/ is not there (plain permalinks) is asked
    at ?rest_route=/ too, and the client keeps using that form if it answers."""
    try:
        return await _index_at(client)
    except NotAStore:
        if client.rest_route:
            raise
        client.rest_route = True
        try:
            index = await _index_at(client)
        except (NotAStore, StoreUnreachable, TLSFailure, ApiDisabled):
            client.rest_route = False
        else:
            log.info("%s has no pretty permalinks: using ?rest_route=", client.url)
            return index
        raise


async def _index_at(client: WooClient) -> dict[str, Any]:
    site = client.url
    try:
        # The index is public: asking without keys tells "not WordPress" from "wrong keys".
        data = (await client._request("GET", "/wp-json/", authenticate=False)).data
    except StoreUnreachable as exc:
        raise StoreUnreachable(
            f"cannot reach {site} ({exc}): check the address, and that this device is online"
        ) from None
    except TLSFailure as exc:
        raise TLSFailure(
            f"{exc}. If the store uses a private certificate authority, give its CA certificate "
            "(a PEM file); otherwise check the address and the store's certificate"
        ) from None
    except Redirected as exc:
        raise NotAStore(
            f"{site} redirects to {exc.location or 'another address'}: enter that address instead"
        ) from None
    except (AuthFailed, PermissionDenied) as exc:
        raise ApiDisabled(
            f"{site} refuses its REST API to visitors ({exc}): a security plugin or host rule "
            "probably blocks /wp-json/; allow it for WooCommerce"
        ) from None
    except (NotFound, BadResponse, Rejected) as exc:
        raise NotAStore(
            f"{site} does not look like a WordPress site (no REST index at /wp-json/: {exc}); "
            "check the address"
        ) from None
    if not isinstance(data, dict) or "namespaces" not in data:
        raise NotAStore(
            f"{site} answered /wp-json/ with JSON that is not a WordPress REST index; "
            "check the address"
        )
    return data


def _auth_help(client: WooClient, detail: str) -> str:
    hint = ""
    if client.mode is AuthMode.BASIC:
        hint = (
            "; if the keys are right, the host may strip the Authorization header: "
            "try sending the keys in the query string"
        )
    return (
        f"the store refused the API keys ({detail}): "
        f"check the consumer key and secret in {KEYS_HELP}{hint}"
    )


def _currency(general: Any) -> str:
    if isinstance(general, list):
        for item in general:
            if isinstance(item, dict) and item.get("id") == "woocommerce_currency":
                value = item.get("value")
                if isinstance(value, str) and value:
                    return value.upper()
    raise BadResponse("the store's general settings do not name its currency")


async def _can_write(client: WooClient) -> bool:
    try:
        created = await client._request("POST", "/orders", json=_PROBE_ORDER, write=True)
    except Rejected:
        return True  # validation ran, so the keys passed the write check
    except (PermissionDenied, AuthFailed):
        return False
    # A store that accepted the probe is not following its own schema: take its order away.
    oid = created.data.get("id") if isinstance(created.data, dict) else None
    log.error("the store accepted an invalid probe order (id %s); deleting it", oid)
    if isinstance(oid, int):
        await client._request("DELETE", f"/orders/{oid}", params={"force": "true"}, write=True)
    return True


__all__ = ["PLATFORM", "check_client", "test_connection"]

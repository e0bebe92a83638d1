"""`kiosk provision shopify`: check the shop's access token and its scopes on the spot, pick the
till's location, register the webhooks where the shop can reach the device, and save.

The token (a custom app's Admin API access token; a legacy private app's "API password" is the
same thing) goes to the 0600 secrets file only, never to output. Shopify signs webhooks with the
app's client secret (`--app-secret`), so without it the device registers none: polling keeps it
up to date anyway.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import secrets as token_bytes
from typing import Any

from kiosk.agent.webhooks import webhook_path
from kiosk.cli.output import UsageError, emit
from kiosk.cli.provision_stripe import check_api_base
from kiosk.config import load_config, save_config
from kiosk.config_platforms import ShopifyConfig
from kiosk.connectors.errors import ConnectorError, StoreUnreachable
from kiosk.connectors.shopify import PLATFORM
from kiosk.connectors.shopify.client import ShopifyClient
from kiosk.connectors.shopify.platform import ShopifySecrets
from kiosk.connectors.shopify.setup import PickLocation, check_shop, register_webhooks
from kiosk.secrets import load_secrets, save_secrets

_SHOP = re.compile(r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$")


def add_shopify_parser(psub: Any) -> None:
    s = psub.add_parser(
        "shopify",
        help="a Shopify shop, with a custom app's Admin API access token",
        description="Check the token and its scopes, pick the till's location, register "
        "webhooks, and save them for the agent.",
    )
    s.add_argument("--shop", required=True, help="the shop's NAME.myshopify.com address")
    s.add_argument("--token", required=True, help="the Admin API access token (shpat_...)")
    s.add_argument("--location", default="", help="the till's location id (when there are several)")
    s.add_argument("--app-secret", default="", help="the app's client secret, to check webhooks")
    s.add_argument(
        "--tax-rate",
        default=None,
        help="the tax the till charges on taxable lines, in percent (Shopify's API lists none)",
    )
    s.add_argument("--tax-name", default=None, help="that tax's name on receipts (VAT, Sales tax)")
    s.add_argument("--api-base", default="", help="another API address (the simulator's)")
    s.add_argument("--json", action="store_true", help="print one JSON object")
    s.set_defaults(handler=run_shopify, no_runtime=True)


def check_shop_name(text: str) -> str:
    shop = text.strip().lower().removeprefix("https://").rstrip("/")
    if not _SHOP.match(shop):
        raise UsageError(
            f"--shop {text!r} must be the shop's NAME.myshopify.com address (Settings > Domains "
            "shows it), not its own domain"
        )
    return shop


async def run_shopify(args: argparse.Namespace, _rt: None) -> int:
    shop, api_base = check_shop_name(args.shop), check_api_base(args.api_base)
    access = args.token.strip()
    tax_rate = None if args.tax_rate is None else args.tax_rate.strip().rstrip("%")
    if tax_rate and not re.fullmatch(r"\d{1,2}(\.\d{1,4})?", tax_rate):
        raise UsageError(f"--tax-rate {args.tax_rate!r} must be a percentage such as 20 or 8.875")
    if not access:
        raise UsageError("--token is empty: copy the Admin API access token from the app")
    load_config(args.config, args.data_dir)  # every setting in force is checked first
    config = load_config(args.config, args.data_dir, env=False)  # what is saved: the file's
    old = load_secrets(config.data_dir)
    app_secret = args.app_secret.strip()
    url = api_base or f"https://{shop}"
    public = config.store.public_url.rstrip("/")
    hooks = ""
    try:
        async with ShopifyClient(url, access) as client:
            checked = await check_shop(client, args.location.strip())
            if public and app_secret:
                delivery = public + webhook_path(PLATFORM)
                hooks = f"webhooks: {await register_webhooks(client, delivery)} at {delivery}"
    except PickLocation as exc:
        raise UsageError(str(exc)) from None
    except StoreUnreachable:
        raise
    except ConnectorError as exc:
        raise UsageError(f"{shop}: {exc}") from None
    if not hooks:
        hooks = (
            "webhooks: none registered ("
            + ("no store.public_url: the shop cannot reach this device" if not public else "")
            + ("; " if not public and not app_secret else "")
            + ("no --app-secret to check them with" if not app_secret else "")
            + "); polling keeps the device up to date"
        )
    store = dataclasses.replace(config.store, platform=PLATFORM, url=url)
    settings = dataclasses.replace(
        config.section(ShopifyConfig), shop=shop, location=checked.location.id
    )
    if tax_rate is not None:  # else what the file had stays
        settings = dataclasses.replace(settings, tax_rate=tax_rate)
    if args.tax_name is not None and args.tax_name.strip():
        settings = dataclasses.replace(settings, tax_name=args.tax_name.strip())
    path = save_config(dataclasses.replace(config, store=store).with_section(settings))
    webhook_secret = app_secret or old.webhook_secret or token_bytes.token_urlsafe(32)
    secret_path = save_secrets(
        config.data_dir,
        ShopifySecrets(access).into(dataclasses.replace(old, webhook_secret=webhook_secret)),
    )
    loc = checked.location
    emit(
        args.json,
        {
            "platform": PLATFORM,
            "shop": shop,
            "url": url,
            "store_name": checked.name,
            "currency": checked.currency,
            "location": loc.id,
            "location_name": loc.name,
            "webhooks": hooks,
            "tax_rate": settings.tax_rate,
            "config": str(path),
            "secrets": str(secret_path),
        },
        f"Connected to {checked.name or shop} ({checked.currency}); the token has every scope "
        f"the till needs.\nLocation: {loc.name} ({loc.id.rsplit('/', 1)[-1]}).\n{hooks}.\n"
        + (
            f"Tax: {settings.tax_name} {settings.tax_rate} % on taxable lines.\n"
            if settings.tax_rate
            else "Tax: none charged (--tax-rate sets the shop's rate; Shopify's API lists none).\n"
        )
        + f"Settings saved to {path}; token saved to {secret_path} (readable only by this user).\n"
        "Next: `kiosk sync --once` for the first copy of the catalog, or start the agent.",
    )
    return 0


__all__ = ["add_shopify_parser"]

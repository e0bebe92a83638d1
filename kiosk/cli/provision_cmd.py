"""`kiosk provision woocommerce|stripe|shopify`: connect this device to a store or its card account,
after testing the keys."""

from __future__ import annotations

import argparse
import dataclasses
import secrets as token
from pathlib import Path
from typing import Any

from kiosk.cli.output import UsageError, emit
from kiosk.config import Config, load_config, save_config
from kiosk.config_platforms import WooCommerceConfig
from kiosk.connectors.errors import ConnectorError, StoreUnreachable
from kiosk.connectors.woocommerce.platform import WooCommerceSecrets
from kiosk.connectors.woocommerce.setup import test_connection
from kiosk.secrets import load_secrets, save_secrets


def add_parser(sub: Any) -> None:
    p = sub.add_parser("provision", help="connect this device to a store")
    from kiosk.cli.provision_file import run_file

    p.add_argument(
        "--file",
        type=Path,
        help="provision everything from a kiosk.toml (store, keys, WiFi, reader, staff); "
        "the result is written beside it as kiosk-provisioned.txt",
    )
    p.set_defaults(handler=run_file, no_runtime=True)
    psub = p.add_subparsers(dest="platform", metavar="PLATFORM", required=False)
    w = psub.add_parser(
        "woocommerce",
        help="a WooCommerce store, with a REST API key pair (read/write)",
        description="Test the store URL and keys, then save them for the agent.",
    )
    w.add_argument("--url", required=True, help="the store's address, e.g. https://shop.example")
    w.add_argument("--key", required=True, help="consumer key (ck_...)")
    w.add_argument("--secret", required=True, help="consumer secret (cs_...)")
    w.add_argument("--ca-file", type=Path, help="PEM of a private certificate authority")
    w.add_argument(
        "--query-auth",
        action="store_true",
        help="send the keys in the query string (for hosts that strip the Authorization header)",
    )
    w.add_argument("--json", action="store_true", help="print one JSON object")
    w.set_defaults(handler=run_woocommerce, no_runtime=True)
    from kiosk.cli.provision_stripe import add_stripe_parser

    add_stripe_parser(psub)
    from kiosk.cli.provision_shopify import add_shopify_parser

    add_shopify_parser(psub)


async def run_woocommerce(args: argparse.Namespace, _rt: None) -> int:
    url = args.url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise UsageError(f"--url {args.url!r} must start with https:// (or http://)")
    if args.ca_file is not None and not args.ca_file.is_file():
        raise UsageError(f"--ca-file {args.ca_file}: no such file")
    try:
        info = await test_connection(
            url,
            args.key.strip(),
            args.secret.strip(),
            ca_file=args.ca_file,
            query_auth=args.query_auth,
            require_write=True,
        )
    except StoreUnreachable:
        raise
    except ConnectorError as exc:
        raise UsageError(str(exc)) from None
    except ValueError as exc:  # malformed keys
        raise UsageError(str(exc)) from None
    load_config(args.config, args.data_dir)  # every setting in force is checked first
    # What is saved is the file's own settings: a KIOSK_* variable set for this one command
    # must not become permanent.
    # An older file's WooCommerce settings under [store] are saved in [woocommerce] from now on.
    config: Config = load_config(args.config, args.data_dir, env=False)
    store = dataclasses.replace(config.store, platform="woocommerce", url=url)
    woo = dataclasses.replace(
        config.section(WooCommerceConfig),
        auth="query" if args.query_auth else "basic",
        ca_file=str(args.ca_file.resolve()) if args.ca_file else "",
        api_route=dict(info.settings).get("api_route", "pretty"),
    )
    path = save_config(dataclasses.replace(config, store=store).with_section(woo))
    # The other sections (another platform's keys) stay; an old flat file is written sectioned.
    old = load_secrets(config.data_dir)
    keys = WooCommerceSecrets(args.key.strip(), args.secret.strip())
    webhook_secret = old.webhook_secret or token.token_urlsafe(32)
    secret_path = save_secrets(
        config.data_dir, keys.into(dataclasses.replace(old, webhook_secret=webhook_secret))
    )
    emit(
        args.json,
        {
            "platform": "woocommerce",
            "url": url,
            "store_name": info.name,
            "currency": info.currency,
            "config": str(path),
            "secrets": str(secret_path),
        },
        f"Connected to {info.name or url} ({info.currency}).\n"
        f"Settings saved to {path}; keys saved to {secret_path} (readable only by this user).\n"
        "Next: `kiosk sync --once` for the first copy of the catalog, or start the agent.",
    )
    return 0

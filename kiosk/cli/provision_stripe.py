"""`kiosk provision stripe`: check the card account's key on the spot, pick a location, save.

A secret key (sk_...) is refused, not warned about: it can do anything to the account, and a
till is a device that can be carried off. The key goes to the 0600 secrets file only.
"""

from __future__ import annotations

import argparse
from typing import Any

from kiosk.cli.output import UsageError, emit
from kiosk.config import load_config, save_config
from kiosk.config_platforms import StripeConfig
from kiosk.secrets import load_secrets, save_secrets


def add_stripe_parser(psub: Any) -> None:
    s = psub.add_parser(
        "stripe",
        help="the card reader's Stripe account, with a restricted key",
        description="Check the key's mode and permissions, pick or create a Terminal location, "
        "and save them for the card reader.",
    )
    s.add_argument("--key", required=True, help="a restricted key (rk_live_... or rk_test_...)")
    s.add_argument("--api-base", default="", help="another API address (the simulator's)")
    s.add_argument("--location", default="", help="the Terminal location to use (tml_...)")
    s.add_argument("--country", default="", help="the shop's country, to create a location")
    s.add_argument("--location-name", default="", help="a new location's name (the device's)")
    s.add_argument("--json", action="store_true", help="print one JSON object")
    s.set_defaults(handler=run_stripe, no_runtime=True)


def check_api_base(text: str) -> str:
    base = text.strip().rstrip("/")
    if base and not base.startswith(("http://", "https://")):
        raise UsageError(f"--api-base {text!r} must start with https:// (or http://)")
    return base


async def run_stripe(args: argparse.Namespace, _rt: None) -> int:
    from kiosk.payments import stripe_setup as setup
    from kiosk.payments.stripe_errors import Kind, StripeProblem

    key, api_base = args.key.strip(), check_api_base(args.api_base)
    country = args.country.strip()
    if country and not (len(country) == 2 and country.isalpha()):
        raise UsageError(f"--country {args.country!r} must be a two-letter code such as GB")
    try:
        mode = setup.key_mode(key)
    except setup.SetupError as exc:
        raise UsageError(str(exc)) from None
    if not mode.restricted:
        raise UsageError(
            f"--key is a secret key (sk_{mode.mode}_...), which can do anything to the account: "
            f"it does not go on a device; {setup.MAKE_RESTRICTED}"
        )
    load_config(args.config, args.data_dir)  # every setting in force is checked first
    config = load_config(args.config, args.data_dir, env=False)  # what is saved: the file's
    old = config.section(StripeConfig)
    try:
        async with setup.stripe_account(key, api_base) as api:
            missing = await setup.missing_permissions(api)
            if missing:
                raise UsageError(f"--key lacks {', '.join(missing)}: {setup.MAKE_RESTRICTED}")
            location, created = await setup.choose_location(
                api,
                mode,
                wanted=args.location.strip(),
                configured=old.location,
                name=args.location_name.strip() or config.device.name,
                country=country,
            )
    except setup.SetupError as exc:
        raise UsageError(str(exc)) from None
    except StripeProblem as exc:
        if exc.kind is Kind.AUTH:
            raise UsageError(f"--key: Stripe does not accept this key ({exc})") from None
        if exc.kind is Kind.PERMISSION:
            raise UsageError(f"--key lacks {exc.permission() or 'a permission'}: {exc}") from None
        raise
    # A reader paired at another location (or in the other mode) is not this setup's.
    reader = old.reader if location["id"] == old.location else ""
    stripe_settings = StripeConfig(location=location["id"], reader=reader, api_base=api_base)
    path = save_config(config.with_section(stripe_settings))
    secret_path = save_secrets(
        config.data_dir, setup.StripeSecrets(key).into(load_secrets(config.data_dir))
    )
    name = location.get("display_name", "")
    emit(
        args.json,
        {
            "platform": "stripe",
            "mode": mode.mode,
            "restricted": True,
            "location": location["id"],
            "location_name": name,
            "location_created": created,
            "reader": reader,
            "config": str(path),
            "secrets": str(secret_path),
        },
        f"Stripe key checked: {mode.mode} mode, restricted, with every permission the till "
        f"needs.\nLocation {location['id']} ({name}){' created' if created else ''}.\n"
        f"Settings saved to {path}; key saved to {secret_path} (readable only by this user).\n"
        + ("Next: `kiosk reader pair CODE` with the code the reader shows." if not reader else ""),
    )
    return 0


__all__ = ["add_stripe_parser"]

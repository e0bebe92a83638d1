"""`kiosk reader pair|status|unpair|reconcile`: the Stripe card reader of this till."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from kiosk.cli.output import UsageError, emit
from kiosk.config import Config, load_config, save_config
from kiosk.config_platforms import StripeConfig
from kiosk.connectors.factory import NotProvisioned
from kiosk.runtime import Runtime
from kiosk.secrets import load_secrets

if TYPE_CHECKING:
    from kiosk.payments.stripe_api import StripeApi

NOT_SET_UP = (
    "the card reader's Stripe account is not set up: run `kiosk provision stripe --key KEY`"
)
NOT_PAIRED = "no card reader is paired: run `kiosk reader pair CODE` with the code it shows"


def add_parser(sub: Any) -> None:
    p = sub.add_parser("reader", help="pair the Stripe card reader, and see how it is")
    rsub = p.add_subparsers(dest="reader_command", metavar="ACTION", required=True)
    pair = rsub.add_parser("pair", help="register the reader by the code on its screen")
    pair.add_argument("code", metavar="CODE", help="the registration code the reader shows")
    pair.add_argument("--label", default="", help="the reader's name, e.g. Till 1")
    pair.add_argument("--json", action="store_true", help="print one JSON object")
    pair.set_defaults(handler=run_pair, no_runtime=True)
    status = rsub.add_parser("status", help="paired, online, offline or busy; firmware; location")
    status.add_argument("--json", action="store_true", help="print one JSON object")
    status.set_defaults(handler=run_status, no_runtime=True)
    unpair = rsub.add_parser("unpair", help="remove the reader from the account and this till")
    unpair.add_argument("--json", action="store_true", help="print one JSON object")
    unpair.set_defaults(handler=run_unpair, no_runtime=True)
    reconcile = rsub.add_parser(
        "reconcile", help="settle card payments the till stopped in the middle of"
    )
    reconcile.add_argument(
        "--older-than-min",
        type=int,
        default=15,
        help="only payments started this many minutes ago or more (a sale being paid for now "
        "is not touched; default 15)",
    )
    reconcile.add_argument("--json", action="store_true", help="print one JSON object")
    reconcile.set_defaults(handler=run_reconcile)


def _settings(args: argparse.Namespace) -> tuple[Config, StripeConfig, str]:
    load_config(args.config, args.data_dir)  # every setting in force is checked first
    config = load_config(args.config, args.data_dir, env=False)
    from kiosk.payments.stripe_setup import StripeSecrets

    key = StripeSecrets.of(load_secrets(config.data_dir)).api_key
    stripe = config.section(StripeConfig)
    if not key or not stripe.location:
        raise NotProvisioned(NOT_SET_UP)
    return config, stripe, key


@asynccontextmanager
async def _account(stripe: StripeConfig, key: str) -> AsyncIterator[StripeApi]:
    from kiosk.payments.stripe_setup import stripe_account

    async with stripe_account(key, stripe.api_base) as api:
        yield api


async def run_pair(args: argparse.Namespace, _rt: None) -> int:
    from kiosk.payments.stripe_setup import SetupError, pair

    code = args.code.strip()
    if not code:
        raise UsageError("CODE: give the registration code the reader shows")
    config, stripe, key = _settings(args)
    try:
        async with _account(stripe, key) as api:
            reader = await pair(api, code, stripe.location, args.label.strip())
    except SetupError as exc:
        raise UsageError(str(exc)) from None
    path = save_config(config.with_section(dataclasses.replace(stripe, reader=reader["id"])))
    emit(
        args.json,
        {
            "reader": reader["id"],
            "label": reader.get("label", ""),
            "device_type": reader.get("device_type", ""),
            "location": stripe.location,
            "replaced": stripe.reader if stripe.reader != reader["id"] else "",
            "config": str(path),
        },
        f"Paired {reader.get('label') or reader['id']} ({reader.get('device_type', '')}) at "
        f"{stripe.location}; saved to {path}.",
    )
    return 0


async def run_status(args: argparse.Namespace, _rt: None) -> int:
    from kiosk.payments.stripe_errors import StripeProblem
    from kiosk.payments.stripe_setup import reader_report

    _config, stripe, key = _settings(args)
    if not stripe.reader:
        emit(args.json, {"paired": False, "location": stripe.location}, f"Not paired: {NOT_PAIRED}")
        return 0
    async with _account(stripe, key) as api:
        try:
            reader = await api.call("terminal.readers.retrieve", stripe.reader)
        except StripeProblem as exc:
            if not exc.missing:
                raise
            raise NotProvisioned(
                f"reader {stripe.reader} is not on the account any more: {NOT_PAIRED}"
            ) from None
        location = None
        if reader.get("location"):
            location = await api.call("terminal.locations.retrieve", reader["location"])
    report = reader_report(reader, location)
    emit(
        args.json,
        report,
        f"Reader {report['label'] or report['reader']}: {report['state']}\n"
        f"Device: {report['device_type']}, firmware {report['firmware'] or 'unknown'}, "
        f"serial {report['serial_number'] or 'unknown'}\n"
        f"Location: {report['location_name'] or '-'} ({report['location'] or 'none'})",
    )
    return 0


async def run_unpair(args: argparse.Namespace, _rt: None) -> int:
    from kiosk.payments.stripe_errors import StripeProblem

    config, stripe, key = _settings(args)
    if not stripe.reader:
        raise UsageError(NOT_PAIRED)
    async with _account(stripe, key) as api:
        try:
            await api.call("terminal.readers.delete", stripe.reader)
        except StripeProblem as exc:
            if not exc.missing:  # already gone from the account: forgetting it is enough
                raise
    path = save_config(config.with_section(dataclasses.replace(stripe, reader="")))
    emit(
        args.json,
        {"unpaired": stripe.reader, "config": str(path)},
        f"Unpaired reader {stripe.reader}; card payments are off until one is paired.",
    )
    return 0


async def run_reconcile(args: argparse.Namespace, rt: Runtime) -> int:
    from kiosk.counter.card_reconcile import settle_open_attempts

    if args.older_than_min < 0:
        raise UsageError("--older-than-min cannot be negative")
    _config, stripe, key = _settings(args)
    before = rt.checkout.now() - timedelta(minutes=args.older_than_min)
    async with _account(stripe, key) as api:
        report = await settle_open_attempts(rt.db, api, started_before=before)
    emit(args.json, report.as_json(), report.text())
    return 0

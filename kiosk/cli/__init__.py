"""The `kiosk` command: exit 0 on success, 2 on bad input (naming it), 1 on other failures."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from kiosk import __version__
from kiosk.catalog_export import ExportError
from kiosk.checkout import NotReady, UnknownCode
from kiosk.cli import (
    catalog_cmd,
    db_cmd,
    demo_cmd,
    doctor_cmd,
    hw_cmd,
    network_cmd,
    orders_cmd,
    pickup_cmd,
    provision_cmd,
    reader_cmd,
    receipt_cmd,
    reset_cmd,
    sale_cmd,
    shift_cmd,
    sim_cmd,
    staff_cmd,
    status_cmd,
    sync_cmd,
    ui_cmd,
    update_cmd,
)
from kiosk.cli.output import UsageError
from kiosk.config import ConfigError, load_config
from kiosk.connectors.errors import ConnectorError
from kiosk.connectors.factory import NotProvisioned
from kiosk.core.cart import CartError
from kiosk.core.tender import PaymentError
from kiosk.hardware.base import PrinterError
from kiosk.runtime import Runtime, open_runtime
from kiosk.secrets import SecretsError

Handler = Callable[[argparse.Namespace, Runtime], Awaitable[int]]

# Errors that mean the input was wrong, not the machine: exit 2.
BAD_INPUT = (UsageError, ConfigError, UnknownCode, CartError, PaymentError, ExportError)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk", description="Universal Offline POS: the counter appliance's command line."
    )
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    parser.add_argument(
        "--data-dir", type=Path, help="where the database lives (default: $KIOSK_DATA_DIR)"
    )
    parser.add_argument(
        "--config", type=Path, help="settings file (default: <data dir>/kiosk.toml)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    modules = (
        status_cmd,
        sale_cmd,
        orders_cmd,
        pickup_cmd,
        staff_cmd,
        shift_cmd,
        catalog_cmd,
        db_cmd,
        sync_cmd,
        provision_cmd,
        reader_cmd,
        sim_cmd,
        demo_cmd,
        ui_cmd,
        receipt_cmd,
        hw_cmd,
        network_cmd,
        reset_cmd,
        doctor_cmd,
        update_cmd,
    )
    for module in modules:
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return asyncio.run(_dispatch(args))
    except BAD_INPUT as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 2
    except (NotReady, NotProvisioned, SecretsError, ConnectorError, PrinterError) as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("kiosk: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        logging.getLogger("kiosk").debug("failed", exc_info=True)
        print(f"kiosk: failed: {exc}", file=sys.stderr)
        return 1


async def _dispatch(args: argparse.Namespace) -> int:
    handler: Handler = args.handler
    if getattr(args, "no_runtime", False):
        return await handler(args, None)  # type: ignore[arg-type]
    config = load_config(args.config, args.data_dir)
    async with open_runtime(config) as rt:
        return await handler(args, rt)

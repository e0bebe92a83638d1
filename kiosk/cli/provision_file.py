"""`kiosk provision --file FILE`: zero-touch provisioning from a kiosk.toml (kiosk/provisioning)."""

from __future__ import annotations

import argparse

from kiosk.cli.output import UsageError, emit
from kiosk.config import default_data_dir
from kiosk.connectors.shopify.platform import ShopifySecrets
from kiosk.connectors.woocommerce.platform import WooCommerceSecrets
from kiosk.payments.stripe_setup import StripeSecrets
from kiosk.provisioning.apply import Tools
from kiosk.provisioning.run import Context, provision_file
from kiosk.provisioning.schema import SecretClasses
from kiosk.provisioning.staff import DbStaff
from kiosk.provisioning.wifi import NmWifi
from kiosk.reset.wipe import DB_NAME

# Which secrets each section of the file may hold: the platforms' own secrets classes.
SECRET_CLASSES: SecretClasses = {
    "woocommerce": WooCommerceSecrets,
    "shopify": ShopifySecrets,
    "stripe": StripeSecrets,
}


async def run_file(args: argparse.Namespace, _rt: None) -> int:
    if args.file is None:
        raise UsageError("give --file FILE, or a platform: woocommerce or stripe")
    data_dir = args.data_dir or default_data_dir()
    ctx = Context(
        data_dir=data_dir,
        config_path=args.config,
        tools=Tools(wifi=NmWifi(), staff=DbStaff(data_dir / DB_NAME)),
        secret_classes=SECRET_CLASSES,
    )
    result = await provision_file(args.file, ctx)
    emit(
        getattr(args, "json", False),
        {
            "ok": not result.failed,
            "problems": [{"field": p.path, "message": p.message} for p in result.problems],
            "steps": [
                {"step": s.name, "outcome": s.outcome.value, "detail": s.detail}
                for s in result.steps
            ],
            "notes": list(result.notes),
            "report": str(result.report) if result.report else "",
        },
        result.text + (f"\n(written to {result.report})" if result.report else ""),
    )
    if result.problems:
        return 2
    return 1 if result.failed else 0

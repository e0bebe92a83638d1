"""`kiosk doctor [--json] [--bundle PATH]`: every check a technician needs, and a diagnostics
bundle with every secret removed (kiosk/doctor)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kiosk.cli.output import emit
from kiosk.config import CONFIG_NAME, Config, ConfigError, default_data_dir, load_config
from kiosk.doctor.base import Check, Status, fail
from kiosk.doctor.bundle import members, write_bundle
from kiosk.doctor.checks import Probes, run_checks
from kiosk.doctor.logs import Journal, LogSource
from kiosk.provisioning.report import REPORT_NAME
from kiosk.secrets import Secrets, SecretsError, load_secrets

BOOT_REPORT = Path("/boot/firmware/kiosk-provisioned.txt")
MARK = {Status.OK: "ok  ", Status.WARN: "WARN", Status.FAIL: "FAIL"}


def add_parser(sub: Any) -> None:
    p = sub.add_parser("doctor", help="check everything a technician needs; diagnostics bundle")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--bundle", type=Path, metavar="PATH", help="also write a tar.gz for support (no secrets)"
    )
    p.set_defaults(handler=run, no_runtime=True)


async def diagnose(
    config_path: Path | None, data_dir: Path, probes: Probes
) -> tuple[Config, list[Check]]:
    """The settings as far as they can be read, and every check (bad settings are one)."""
    checks: list[Check] = []
    try:
        config = load_config(config_path, data_dir)
    except ConfigError as exc:
        checks.append(fail("settings", str(exc), "fix the setting named, or provision again"))
        # The file as it is still goes in the bundle (redacted): it is what needs fixing.
        default = data_dir / CONFIG_NAME
        path = config_path or (default if default.exists() else None)
        config = Config(data_dir=data_dir, path=path)
    try:
        secrets = load_secrets(data_dir)
    except SecretsError as exc:
        checks.append(fail("secrets", str(exc), "fix what the message names"))
        secrets = Secrets()
    return config, checks + await run_checks(config, secrets, probes)


async def doctor(
    args: argparse.Namespace, probes: Probes, logs: LogSource, extra: list[Path]
) -> int:
    data_dir = args.data_dir or default_data_dir()
    config, checks = await diagnose(args.config, data_dir, probes)
    bundle = None
    if args.bundle is not None:
        files, _ = members(config, checks, await logs.recent(), extra)
        bundle = write_bundle(args.bundle, files)
    worst = max((c.status for c in checks), key=list(Status).index, default=Status.OK)
    emit(
        args.json,
        {
            "status": worst.value,
            "checks": [c.as_dict() for c in checks],
            "bundle": str(bundle) if bundle else None,
        },
        "\n".join(_text(checks))
        + (f"\nBundle written to {bundle} (secrets removed)." if bundle else ""),
    )
    return 1 if worst is Status.FAIL else 0


def _text(checks: list[Check]) -> list[str]:
    out = []
    for c in checks:
        out.append(f"{MARK[c.status]}  {c.name}: {c.summary}")
        if c.fix:
            out.append(f"      fix: {c.fix}")
    return out


async def run(args: argparse.Namespace, _rt: None) -> int:
    from kiosk.doctor.probes import system_probes

    data_dir = args.data_dir or default_data_dir()
    return await doctor(args, system_probes(), Journal(), [BOOT_REPORT, data_dir / REPORT_NAME])

"""One provisioning run from a file: validate it whole, apply it, write the report beside it."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from kiosk.config import ConfigError, load_config
from kiosk.provisioning.apply import Outcome, Step, Tools, apply_plan
from kiosk.provisioning.report import render, write_report
from kiosk.provisioning.schema import Invalid, Problem, SecretClasses, read_file, validate
from kiosk.provisioning.serials import read_serial
from kiosk.secrets import SecretsError, load_secrets


@dataclass(frozen=True, slots=True)
class Result:
    steps: tuple[Step, ...] = ()
    problems: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()
    report: Path | None = None
    text: str = ""

    @property
    def failed(self) -> bool:
        return bool(self.problems) or any(s.outcome is Outcome.FAILED for s in self.steps)


@dataclass
class Context:
    """Where the device keeps its settings, and what provisioning is carried out with."""

    data_dir: Path
    tools: Tools
    secret_classes: SecretClasses
    config_path: Path | None = None  # the device's own settings file (default: in data_dir)
    serial: Callable[[], str | None] = read_serial
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


async def provision_file(source: Path, ctx: Context) -> Result:
    """Provision this device from `source`; the report is written beside it in every case."""
    serial = ctx.serial()
    device = f"serial {serial}" if serial else "serial unknown"
    try:
        raw = read_file(source)
        try:
            current = load_config(ctx.config_path, ctx.data_dir, env=False)
            secrets = load_secrets(ctx.data_dir)
        except (ConfigError, SecretsError) as exc:
            raise Invalid([Problem("", f"this device's own settings: {exc}")]) from None
        if current.path is not None and _same(current.path, source):
            raise Invalid([Problem("", f"{source} is this device's settings file: give another")])
        staff = ctx.tools.staff
        names = await staff.names() if staff is not None else set()
        plan = validate(
            source,
            raw,
            current=current,
            secrets=secrets,
            secret_classes=ctx.secret_classes,
            serial=serial,
            staff_exists=lambda name: name.casefold() in names,
        )
    except Invalid as exc:
        text = render(source, ctx.now(), problems=exc.problems, device=device)
        report = _write(source, ctx.data_dir, text, applied=False)
        return Result(problems=tuple(exc.problems), report=report, text=text)
    steps = await apply_plan(plan, raw, ctx.tools)
    text = render(source, ctx.now(), steps=steps, notes=plan.notes, device=device)
    report = _write(source, ctx.data_dir, text, applied=True)
    return Result(tuple(steps), notes=plan.notes, report=report, text=text)


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _write(source: Path, data_dir: Path, text: str, *, applied: bool) -> Path | None:
    """The report beside the file; a copy in the data folder too once anything was applied
    (for `kiosk doctor`'s bundle, and a boot partition the service may not write)."""
    written: list[Path] = []
    # A read-only boot partition: the report still goes to stdout (the journal).
    for place in (source, data_dir / source.name) if applied else (source,):
        with contextlib.suppress(OSError):
            written.append(write_report(place, text))
    return written[0] if written else None

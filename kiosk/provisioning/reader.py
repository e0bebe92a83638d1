"""Setting up the card account and pairing the reader in one go, for the provisioning file and
the setup wizard alike, through kiosk/payments/stripe_setup.py (what `kiosk provision stripe`
and `kiosk reader pair` do)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from kiosk.config_platforms import StripeConfig

# stripe_setup's messages name the command's flags; the file and the wizard name their fields.
FIELDS = {
    "--key": "api_key",
    "--location": "location",
    "--country": "country",
    "CODE": "registration_code",
}


class ReaderFailed(Exception):
    """The account or the reader was not set up; `field` is the input to fix ("" if none)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class ReaderDone:
    settings: StripeConfig  # location and reader, to save in [stripe]
    location_name: str


async def setup_reader(
    stripe: StripeConfig,
    key: str,
    *,
    configured_location: str,
    code: str,
    label: str,
    country: str,
) -> ReaderDone:
    """Check `key`, pick (or make) the location, and pair the reader showing `code` if given.

    Raises ReaderFailed naming the field: a secret or malformed key, missing permissions, an
    unknown location, a missing country, a wrong code, a key Stripe refuses.
    """
    from kiosk.payments import stripe_setup as setup
    from kiosk.payments.stripe_errors import Kind, StripeProblem

    try:
        mode = setup.key_mode(key)
        if not mode.restricted:
            raise setup.SetupError(
                f"--key is a secret key (sk_{mode.mode}_...), which can do anything to the "
                f"account: it does not go on a device; {setup.MAKE_RESTRICTED}"
            )
        async with setup.stripe_account(key, stripe.api_base) as api:
            missing = await setup.missing_permissions(api)
            if missing:
                raise setup.SetupError(f"--key lacks {', '.join(missing)}: {setup.MAKE_RESTRICTED}")
            location, _created = await setup.choose_location(
                api,
                mode,
                wanted=stripe.location,
                configured=configured_location,
                name=label,
                country=country,
            )
            paired = stripe.reader if location["id"] == stripe.location else ""
            if code:
                paired = (await setup.pair(api, code, location["id"], label))["id"]
    except setup.SetupError as exc:
        raise _failed(str(exc)) from None
    except StripeProblem as exc:
        if exc.kind is Kind.AUTH:
            raise ReaderFailed(f"Stripe does not accept this key: {exc}", "api_key") from None
        raise ReaderFailed(f"Stripe: {exc}") from None
    settings = dataclasses.replace(stripe, location=location["id"], reader=paired)
    return ReaderDone(settings, str(location.get("display_name", "")))


def _failed(message: str) -> ReaderFailed:
    for flag, name in FIELDS.items():
        if message.startswith(flag):
            return ReaderFailed(message[len(flag) :].strip(), name)
    return ReaderFailed(message)

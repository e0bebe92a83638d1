"""What staff read for an order: tax labels and state words."""

from __future__ import annotations

from decimal import Decimal

from kiosk.cli.render import STATE_WORDS, tax_label
from kiosk.core.models import TaxLine
from kiosk.core.money import Money
from kiosk.store.outbox import OutboxState


def _line(label: str, rate: str) -> TaxLine:
    return TaxLine("1", label, Decimal(rate), False, Money(100, "GBP"))


def test_tax_label_adds_the_rate_when_the_name_lacks_it() -> None:
    assert tax_label(_line("VAT", "20.0000")) == "VAT 20%"
    assert tax_label(_line("GST", "12.5000")) == "GST 12.5%"
    assert tax_label(_line("VAT (5%)", "5.0000")) == "VAT (5%)"


def test_every_upload_state_has_words() -> None:
    assert set(STATE_WORDS) == set(OutboxState)
    assert STATE_WORDS[OutboxState.PENDING_SYNC] == "waiting to upload"

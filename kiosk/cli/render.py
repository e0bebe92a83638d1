"""Orders as people and programs read them: plain text for staff, JSON for tools."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kiosk.cli.output import table
from kiosk.core.models import TaxLine
from kiosk.core.money import Money
from kiosk.store.orders import StoredOrder
from kiosk.store.outbox import OutboxState

# What staff read for each upload state.
STATE_WORDS = {
    OutboxState.PENDING_SYNC: "waiting to upload",
    OutboxState.SYNCING: "uploading",
    OutboxState.SYNCED: "uploaded",
    OutboxState.FAILED: "failed",
}


def when(ts: datetime | None) -> str:
    """A timestamp in the device's local time, to the minute."""
    return ts.astimezone().strftime("%Y-%m-%d %H:%M") if ts else "never"


def iso(ts: datetime | None) -> str | None:
    return ts.isoformat() if ts else None


def order_summary_json(s: StoredOrder, locale: str) -> dict[str, Any]:
    o = s.order
    return {
        "order_id": o.id,
        "number": o.number,
        "created_at": iso(o.created_at),
        "total": o.total.to_json(locale),
        "status": str(s.state),
        "attempts": s.attempts,
        "last_error": s.last_error,
        "remote_id": s.remote_id,
    }


def order_json(s: StoredOrder, locale: str) -> dict[str, Any]:
    o = s.order
    data = order_summary_json(s, locale)
    data.update(
        {
            "currency": o.currency,
            "cashier": o.cashier,
            "customer_id": o.customer_id,
            "offline": o.offline,
            "prices_include_tax": o.prices_include_tax,
            "next_attempt_at": iso(s.next_attempt_at),
            "subtotal": o.subtotal.to_json(locale),
            "discount_total": o.discount_total.to_json(locale),
            "tax_total": o.tax_total.to_json(locale),
            "change": o.change.to_json(locale),
            "lines": [
                {
                    "line_no": li.line_no,
                    "product_id": li.product_id,
                    "variation_id": li.variation_id,
                    "name": li.name,
                    "sku": li.sku,
                    "quantity": li.quantity,
                    "unit_price": li.unit_price.to_json(locale),
                    "subtotal": li.subtotal.to_json(locale),
                    "total": li.total.to_json(locale),
                    "total_tax": li.total_tax.to_json(locale),
                }
                for li in o.lines
            ],
            "taxes": [
                {
                    "rate_id": t.rate_id,
                    "label": t.label,
                    "rate": str(t.rate),
                    "amount": t.amount.to_json(locale),
                }
                for t in o.tax_lines
            ],
            "payments": [
                {
                    "method": str(p.method),
                    "amount": p.amount.to_json(locale),
                    "tendered": p.tendered.to_json(locale),
                    "change": p.change.to_json(locale),
                    "reference": p.reference,
                }
                for p in o.payments
            ],
        }
    )
    return data


def tax_label(t: TaxLine) -> str:
    """The rate's name, with its percentage when the name does not already say it."""
    if "%" in t.label:
        return t.label
    return f"{t.label} {t.rate.normalize():f}%"


def _fmt(locale: str, m: Money) -> str:
    return m.format(locale)


def order_text(s: StoredOrder, locale: str) -> str:
    o = s.order
    head = [
        f"Order {o.number}   ({o.id})",
        f"Sold {when(o.created_at)}"
        + (f" by {o.cashier}" if o.cashier else "")
        + ("   (sold offline)" if o.offline else ""),
        f"Status: {STATE_WORDS[s.state]}"
        + (f" after {s.attempts} attempt(s)" if s.attempts else "")
        + (f": {s.last_error}" if s.last_error else ""),
        "",
    ]
    rows: list[list[str]] = []
    for li in o.lines:
        amount = li.total + li.total_tax if o.prices_include_tax else li.total
        rows.append([f"{li.quantity} x", li.name, _fmt(locale, amount)])
    rows.append(["", "", ""])
    if o.discount_total:
        disc = o.discount_total + o.discount_tax if o.prices_include_tax else o.discount_total
        rows.append(["", "Discount", "-" + _fmt(locale, disc)])
    for t in o.tax_lines:
        label = tax_label(t) + (" (included)" if o.prices_include_tax else "")
        rows.append(["", label, _fmt(locale, t.amount)])
    rows.append(["", "Total", _fmt(locale, o.total)])
    for p in o.payments:
        rows.append(["", p.method.value.capitalize(), _fmt(locale, p.tendered)])
        if p.change:
            rows.append(["", "Change", _fmt(locale, p.change)])
    return "\n".join(head) + table(rows, right=frozenset({2})) + "\n"


def orders_table(items: list[StoredOrder], locale: str) -> str:
    if not items:
        return "No orders."
    rows = [["Number", "Sold", "Total", "Status", ""]]
    for s in items:
        rows.append(
            [
                s.order.number,
                when(s.order.created_at),
                s.order.total.format(locale),
                STATE_WORDS[s.state],
                s.last_error or "",
            ]
        )
    return table(rows, right=frozenset({2}))

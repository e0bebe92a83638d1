"""find_by_code: a barcode in any equivalent form (EAN-13, UPC-A, UPC-E, GTIN-14), then SKU."""

from __future__ import annotations

import pytest

from kiosk.store import catalog
from kiosk.store.db import Database
from tests.store.factory import simple, variation

KLEENEX_UPCA = "036000291452"
COKE_UPCE, COKE_UPCA = "04963406", "049000006346"
PEPSI_EAN13 = "0012000161155"
NUTELLA = "3017620422003"


@pytest.fixture
async def shop(db: Database) -> Database:
    await catalog.upsert_products(
        db,
        [
            simple("1", "Tissues", barcode=KLEENEX_UPCA),  # held as UPC-A
            simple("2", "Cola can", barcode=COKE_UPCE),  # held as UPC-E
            simple("3", "Pepsi", barcode=PEPSI_EAN13),  # held as EAN-13 with the leading 0
            simple("4", "Nutella", sku="NUT-400", barcode=NUTELLA),
            simple("5", "Old label", barcode="4006381333932"),  # a wrong check digit, as stored
            simple("6", "Bags", sku="12345678"),  # a numeric SKU that is no valid EAN-8
            simple("7", "Deli ham", sku="12345", barcode=""),
            simple("8", "Draft twin", barcode="00036000291452", status="draft"),
            simple("9", "Card", sku="HTTPS://SHOP.EXAMPLE/G/9"),
            variation("10a", "10", "Tee - S", barcode="96385074"),
        ],
    )
    return db


async def found(db: Database, code: str, *also: str) -> str | None:
    p = await catalog.find_by_code(db, code, also=also)
    return None if p is None else p.id


@pytest.mark.parametrize(
    ("code", "pid"),
    [
        (KLEENEX_UPCA, "1"),
        ("0" + KLEENEX_UPCA, "1"),  # its EAN-13 form
        ("00" + KLEENEX_UPCA, "1"),  # its GTIN-14 form (a sellable row beats the draft twin)
        (COKE_UPCE, "2"),
        (COKE_UPCA, "2"),  # UPC-A finds the product held by its UPC-E
        ("0" + COKE_UPCA, "2"),
        (PEPSI_EAN13, "3"),
        (PEPSI_EAN13[1:], "3"),  # UPC-A finds the product held by its EAN-13
        (NUTELLA, "4"),
        (" nut-400 ", "4"),  # SKUs as before: stripped, case-insensitive
        ("96385074", "10a"),
        ("0000096385074", "10a"),  # EAN-8 zero-padded
    ],
)
async def test_equivalent_forms_find_the_same_product(shop: Database, code: str, pid: str) -> None:
    assert await found(shop, code) == pid


async def test_a_misread_code_is_matched_only_exactly(shop: Database) -> None:
    assert await found(shop, "036000291453") is None  # Kleenex with a wrong check digit
    assert await found(shop, "0036000291450") is None
    assert await found(shop, "4006381333932") == "5"  # the store holds exactly this code
    assert await found(shop, "4006381333931") is None  # never "corrected" to a neighbour
    assert await found(shop, "12345678") == "6"  # an exact numeric SKU still sells


async def test_other_text_and_extra_codes(shop: Database) -> None:
    assert await found(shop, "https://shop.example/g/9") == "9"  # a QR code's text, as SKU
    assert await found(shop, "2012345000001") is None
    assert await found(shop, "2012345000001", "12345") == "7"  # an item code alone, as SKU
    assert await found(shop, "", " ") is None
    assert await found(shop, "   ") is None


async def test_barcode_lookup_is_one_indexed_search(shop: Database) -> None:
    forms = '["0036000291452", "036000291452", "00036000291452"]'
    plan = await shop.read(
        lambda conn: " ".join(
            str(r[-1]) for r in conn.execute("EXPLAIN QUERY PLAN " + catalog._BY_BARCODES, (forms,))
        )
    )
    assert "USING INDEX products_barcode" in plan
    assert "SCAN products" not in plan.replace("SCAN products_", "")

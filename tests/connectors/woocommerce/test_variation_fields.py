"""PRODUCT_FIELDS and VARIATION_FIELDS, the `_fields` listings ask for, hold every field the
mapping reads."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from kiosk.connectors.woocommerce.mapping import (
    PRODUCT_FIELDS,
    VARIATION_FIELDS,
    product_from_woo,
    variation_from_woo,
)

FIXTURES = Path(__file__).parent / "fixtures"


class Recording(Mapping[str, Any]):
    """A JSON object that notes which of its keys were asked for."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.asked: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        self.asked.add(key)
        return self.data[key]

    def get(self, key: str, default: Any = None) -> Any:
        self.asked.add(key)
        return self.data.get(key, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


def _fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def test_the_mapping_reads_only_requested_fields_and_maps_them_alike() -> None:
    parent = product_from_woo(_fixture("product_variable"), "GBP")
    full = _fixture("variation")
    # Without a barcode of its own the mapping looks in meta_data too: cover that path.
    for variant in (full, {**full, "global_unique_id": ""}, {**full, "tax_class": "parent"}):
        obj = Recording(variant)
        mapped = variation_from_woo(obj, parent, "GBP")
        assert obj.asked <= set(VARIATION_FIELDS)
        trimmed = {k: v for k, v in variant.items() if k in VARIATION_FIELDS}
        assert variation_from_woo(trimmed, parent, "GBP") == mapped


def test_products_need_only_the_requested_fields_and_map_alike() -> None:
    simple = _fixture("product_simple")
    # Without a global_unique_id the barcode comes from meta_data; the status filter reads status.
    for name, variant in (
        ("simple", simple),
        ("simple, meta barcode", {**simple, "global_unique_id": ""}),
        ("variable", _fixture("product_variable")),
    ):
        obj = Recording(variant)
        mapped = product_from_woo(obj, "GBP")
        assert obj.asked <= set(PRODUCT_FIELDS), name
        trimmed = {k: v for k, v in variant.items() if k in PRODUCT_FIELDS}
        assert product_from_woo(trimmed, "GBP") == mapped, name
    assert "status" in PRODUCT_FIELDS  # the connector drops drafts by it before mapping

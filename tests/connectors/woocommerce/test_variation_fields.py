"""VARIATION_FIELDS, the `_fields` the plugin path asks for, holds every field the mapping reads."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from kiosk.connectors.woocommerce.mapping import (
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

"""The search rules of kiosk.store.search.search, in plain Python, to check the SQL against."""

from __future__ import annotations

from collections.abc import Sequence

from kiosk.core.models import SELLABLE_STATUSES, Product, ProductKind


def _fold(text: str) -> str:
    return text.lower()


class Reference:
    """Products in insertion order (their rowid order) and what search should return."""

    def __init__(self, products: Sequence[Product]) -> None:
        self.products = list(products)
        options: dict[str, set[str]] = {}
        for p in self.products:
            if p.kind is ProductKind.VARIATION and p.parent_id:
                bucket = options.setdefault(p.parent_id, set())
                bucket.update(_fold(o) for a in p.attributes for o in a.options)
        self.search_text = [
            ""
            if p.kind is ProductKind.VARIATION
            else _fold(p.name) + " " + " ".join(sorted(options.get(p.id, ())))
            for p in self.products
        ]
        self.fields = [
            (t, _fold(p.sku), _fold(p.barcode))
            for t, p in zip(self.search_text, self.products, strict=True)
        ]
        order = sorted(range(len(self.products)), key=lambda i: (_fold(self.products[i].name), i))
        self.listed = [i for i in order if self.products[i].status in SELLABLE_STATUSES]

    def search(self, text: str, limit: int = 50, offset: int = 0) -> list[str]:
        q = " ".join(text.split())
        listed = self.listed
        if not q:
            hits = [i for i in listed if self.products[i].kind is not ProductKind.VARIATION]
            return [self.products[i].id for i in hits[offset : offset + limit]]
        folded = _fold(q)
        exact = [
            i
            for i in listed
            if _fold(self.products[i].sku) == folded or self.products[i].barcode == q
        ]
        terms = folded.split(" ")
        skip = set(exact)
        rest: list[int] = []
        for i in listed:
            if i in skip:
                continue
            p = self.products[i]
            if any(len(t) >= 3 for t in terms):
                ok = all(any(t in f for f in self.fields[i]) for t in terms)
            else:
                ok = (
                    p.kind is not ProductKind.VARIATION and _fold(p.name).startswith(folded)
                ) or _fold(p.sku).startswith(folded)
            if ok:
                rest.append(i)
        hits = exact + rest
        return [self.products[i].id for i in hits[offset : offset + limit]]

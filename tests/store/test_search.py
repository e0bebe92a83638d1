"""Catalog search: the rules, escaping of nasty input, paging, and correctness at 100k products."""

from __future__ import annotations

import time
from collections.abc import Sequence

import pytest

from kiosk.core.models import Attribute, Product
from kiosk.store import catalog, search
from kiosk.store.db import Database
from tests.store.factory import generate_catalog, simple, variable, variation
from tests.store.reference import Reference

SHOP = [
    simple("1", "Red Mug", sku="MUG-R", barcode="5000000000011"),
    simple("2", "Blue Mug", sku="MUG-B", barcode="5000000000028"),
    simple("3", "Mug Tree", sku="TREE", barcode="5000000000035"),
    simple("4", "Draft Mug", sku="MUG-D", status="draft"),
    simple("5", "Private Mug", sku="MUG-P", status="private"),
    variable("6", "Linen Apron", sku="APRON"),
    variation("6a", "6", "Linen Apron - Navy", sku="APRON-NVY", barcode="7000000000016",
              attributes=(Attribute("Colour", ("Navy",)),)),
    variation("6b", "6", "Linen Apron - Sky Blue", sku="APRON-SKY", barcode="7000000000023",
              attributes=(Attribute("Colour", ("Sky Blue",)),)),
    simple("7", 'Quote "Mug" 100% *star* AND_OR', sku="Q-1"),
    simple("8", "mug", sku="MUG"),  # lower-case name sorts with the others
    simple("9", "Tree House Kit", sku="KIT-mug-r"),  # contains another product's SKU
    simple("10", "Émaille Becher", sku="ÉM-1"),
]  # fmt: skip


@pytest.fixture
async def shop(db: Database) -> Database:
    await catalog.upsert_products(db, SHOP)
    return db


async def ids(db: Database, text: str, **kw: int) -> list[str]:
    return [p.id for p in await search.search(db, text, **kw)]


async def test_substring_case_insensitive_in_name_order(shop: Database) -> None:
    assert await ids(shop, "mug") == ["8", "2", "3", "5", "7", "1", "9"]
    assert await ids(shop, "MUG") == await ids(shop, "mug")
    assert await ids(shop, "ree") == ["3", "9"]
    assert await ids(shop, "émai") == ["10"]
    assert await ids(shop, "ÉMAI") == ["10"]  # folding is not ASCII-only


async def test_exact_code_hits_come_first(shop: Database) -> None:
    # "MUG-R" is product 1's SKU exactly; product 9's SKU merely contains it.
    assert await ids(shop, "mug-r") == ["1", "9"]
    assert await ids(shop, "5000000000028") == ["2"]
    assert await ids(shop, "tree") == ["3", "9"]  # exact SKU "TREE" first, then by name


async def test_every_term_must_occur(shop: Database) -> None:
    assert await ids(shop, "red mug") == ["1"]
    assert await ids(shop, "  mug   red ") == ["1"]
    assert await ids(shop, "mug tree") == ["3", "9"]  # 9: "tree" in its name, "mug" in its SKU
    assert await ids(shop, "mug zzz") == []


async def test_variations_by_code_parents_by_name(shop: Database) -> None:
    assert await ids(shop, "apron") == ["6", "6a", "6b"]  # parent by name, both by SKU
    assert await ids(shop, "linen") == ["6"]  # a variation's name finds its parent
    assert await ids(shop, "navy") == ["6"]  # and so do its options
    assert await ids(shop, "sky blue") == ["6"]
    assert await ids(shop, "nvy") == ["6a"]  # a SKU finds the variation itself
    assert await ids(shop, "7000000000023") == ["6b"]
    assert await ids(shop, "00000000002") == ["2", "6b"]  # barcode substring


async def test_only_listed_statuses(shop: Database) -> None:
    found = await ids(shop, "mug")
    assert "4" not in found
    assert "5" in found
    assert await ids(shop, "MUG-D") == []


async def test_short_queries_match_prefixes(shop: Database) -> None:
    # Names "mug" and "Mug Tree", and the SKUs MUG-*: by name.
    assert await ids(shop, "m") == ["2", "8", "3", "5", "1"]
    assert await ids(shop, "Mu") == ["2", "8", "3", "5", "1"]
    assert await ids(shop, "q-") == ["7"]
    assert await ids(shop, "é") == ["10"]
    assert await ids(shop, "ap") == ["6", "6a", "6b"]
    assert await ids(shop, "ug") == []


@pytest.mark.parametrize(
    "nasty",
    ['"', '""', '"mug', "mug\"'", "*", "mug*", "AND", "OR", "NOT", "NEAR", "AND OR NOT", "%",
     "_", "%%", "\\", "'", "(", ")", "mug)", "{name}:", "name:mug", "^mug", "-", "+", ":", ";",
     "mug -red", "\x00", "🙂", "a" * 500],
)  # fmt: skip
async def test_nasty_input_is_plain_text(shop: Database, nasty: str) -> None:
    got = await ids(shop, nasty)
    assert got == Reference(SHOP).search(nasty)


async def test_syntax_characters_match_literally(shop: Database) -> None:
    assert await ids(shop, '"mug"') == ["7"]
    assert await ids(shop, "100%") == ["7"]
    assert await ids(shop, "*star*") == ["7"]
    assert await ids(shop, "and_or") == ["7"]
    assert await ids(shop, "AND") == ["7"]
    assert await ids(shop, "0%") == []  # two characters: a prefix, and no name starts so


async def test_paging_is_consistent(shop: Database) -> None:
    whole = await ids(shop, "mug", limit=100)
    pages = [await ids(shop, "mug", limit=2, offset=o) for o in range(0, 8, 2)]
    assert [i for page in pages for i in page] == whole
    assert await ids(shop, "mug-r", limit=1, offset=1) == ["9"]  # past the exact hit
    with pytest.raises(ValueError, match="limit"):
        await search.search(shop, "mug", limit=0)
    with pytest.raises(ValueError, match="offset"):
        await search.search(shop, "mug", offset=-1)


async def test_empty_query_lists_products_by_name(shop: Database) -> None:
    # By folded name in code point order: "émaille" sorts after the ASCII letters.
    assert await ids(shop, "", limit=3) == ["2", "6", "8"]
    assert (await ids(shop, ""))[-1] == "10"
    assert await ids(shop, "   ") == Reference(SHOP).search("")


async def test_search_like_is_the_naive_baseline(shop: Database) -> None:
    assert [p.id for p in await search.search_like(shop, "mug-r")] == ["1", "9"]
    assert [p.id for p in await search.search_like(shop, "100%")] == ["7"]
    assert [p.id for p in await search.search_like(shop, "_")] == ["7"]


def _queries(products: Sequence[Product]) -> list[tuple[str, int]]:
    return [
        ("mug", 0),  # broad: the walk answers
        ("mug", 5000),  # deep page
        ("rustic", 0),  # a first word, clustered in name order
        ("honey 77", 0),  # a short term with a long one
        ("sku-1", 0),  # a code prefix shared by thousands
        ("sku-12340", 0),  # exact SKU first, then its variations and longer SKUs
        ("SKU-12340-XL", 0),  # a variation's exact SKU
        ("30000012340", 0),  # a variation barcode prefix
        ("2000000099", 0),  # a barcode substring
        ("xl", 0),  # short: prefix
        ("sk", 0),  # short, and the prefix of every SKU: names are walked for it
        ("sk", 3000),  # ... to a deep page
        ("r", 0),  # one letter: names and SKUs that start with it
        ("xl towel", 0),  # an option and a name word: parents
        ("nothing here", 0),
        ("", 200),
        (products[12345].name, 0),  # one product's full name
    ]


async def test_search_at_100k_products_matches_the_reference(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = time.monotonic()
    products = generate_catalog(100_000)
    for i in range(0, len(products), 5000):
        await catalog.upsert_products(db, products[i : i + 5000])
    assert (await catalog.counts(db)).products == 100_000
    ref = Reference(products)
    for text, offset in _queries(products):
        want = ref.search(text, limit=50, offset=offset)
        assert await ids(db, text, limit=50, offset=offset) == want, (text, offset)
        # Whichever plan answers, the page is the same.
        monkeypatch.setattr(search, "WALK_THRESHOLD", 0)
        assert await ids(db, text, limit=50, offset=offset) == want, ("walk", text, offset)
        monkeypatch.setattr(search, "WALK_THRESHOLD", 10**9)
        assert await ids(db, text, limit=50, offset=offset) == want, ("indexed", text, offset)
        monkeypatch.undo()
    assert len(ref.search("mug")) == 50
    assert time.monotonic() - started < 60  # a generous bound; the benchmark measures speed

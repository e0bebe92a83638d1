"""The variation picker: only combinations that exist, "any" values, stock flags, conflicts."""

from __future__ import annotations

from typing import Any

import pytest

from kiosk.core.models import Attribute, Product, ProductKind, StockStatus
from kiosk.core.money import Money
from kiosk.core.variant_picker import Option, Picker


def tee(*attributes: Attribute) -> Product:
    return Product("10", ProductKind.VARIABLE, "Tee", None, attributes=attributes)


def var(pid: str, **values: str | Any) -> Product:
    extra = {k: values.pop(k) for k in ("status", "stock_status") if k in values}
    attrs = tuple(Attribute(k, (v,)) for k, v in values.items())
    return Product(
        pid,
        ProductKind.VARIATION,
        f"Tee {pid}",
        Money(1500, "EUR"),
        parent_id="10",
        attributes=attrs,
        **extra,
    )


SIZE = Attribute("Size", ("S", "M"))
COLOUR = Attribute("Colour", ("Navy", "Red", "White"))
# 2 x 3 grid with one combination missing (M/White) and one not for sale (S/White is a draft).
GRID = [
    var("11", Size="S", Colour="Navy"),
    var("12", Size="S", Colour="Red"),
    var("13", Size="S", Colour="White", status="draft"),
    var("14", Size="M", Colour="Navy"),
    var("15", Size="M", Colour="Red", stock_status=StockStatus.OUT_OF_STOCK),
]


def values(options: tuple[Option, ...]) -> list[tuple[str, bool]]:
    return [(o.value, o.available) for o in options]


def test_a_grid_offers_only_what_exists() -> None:
    p = Picker(tee(SIZE, COLOUR), GRID)
    assert p.attributes == ("Size", "Colour")
    # White is never for sale (its only variation is a draft): it is not offered at all.
    assert values(p.options("Colour")) == [("Navy", True), ("Red", True)]
    assert p.match is None
    p = p.choose("Size", "M")
    assert p.chosen == {"Size": "M"}
    assert p.match is None  # two colours still fit
    assert [v.id for v in p.candidates] == ["14", "15"]
    p = p.choose("Colour", "Navy")
    assert p.match is not None
    assert p.match.id == "14"


def test_out_of_stock_is_offered_but_flagged() -> None:
    p = Picker(tee(SIZE, COLOUR), GRID).choose("Size", "M")
    red = next(o for o in p.options("Colour") if o.value == "Red")
    assert red == Option("Red", available=True, in_stock=False, chosen=False)
    assert p.choose("Colour", "Red").match == GRID[4]


def test_a_missing_combination_is_shown_unavailable() -> None:
    grid = [*GRID[:2], var("16", Size="M", Colour="White")]
    p = Picker(tee(SIZE, COLOUR), grid).choose("Colour", "White")
    assert values(p.options("Size")) == [("S", False), ("M", True)]
    # One variation fits once White is chosen: it is the match without choosing a size.
    assert p.match == grid[2]


def test_a_conflicting_choice_clears_only_what_conflicts() -> None:
    third = Attribute("Fit", ("Slim", "Loose"))
    grid = [
        var("21", Size="S", Colour="Navy", Fit="Slim"),
        var("22", Size="M", Colour="Red", Fit="Slim"),
        var("23", Size="M", Colour="Navy", Fit="Loose"),
    ]
    p = Picker(tee(SIZE, COLOUR, third), grid).choose("Size", "S").choose("Fit", "Slim")
    assert p.chosen == {"Size": "S", "Fit": "Slim"}
    p = p.choose("Colour", "Red")  # only M/Red/Slim exists: the small goes, Slim stays
    assert p.chosen == {"Colour": "Red", "Fit": "Slim"}
    assert values(p.options("Size")) == [("S", False), ("M", True)]
    assert p.match == grid[1]
    # The earlier picker is unchanged: choose() returns a new state.
    assert Picker(tee(SIZE, COLOUR, third), grid).choose("Size", "S").chosen == {"Size": "S"}


def test_a_single_attribute() -> None:
    p = Picker(tee(SIZE), [var("31", Size="S"), var("32", Size="M")])
    assert p.attributes == ("Size",)
    assert p.match is None
    p = p.choose("size", "m")  # the store's names and values are case-insensitive
    assert p.chosen == {"Size": "M"}
    assert p.match is not None
    assert p.match.id == "32"
    assert [o.chosen for o in p.options("Size")] == [False, True]
    assert p.clear("Size").chosen == {}


def test_any_value_matches_every_option() -> None:
    # WooCommerce "any size": the Navy variation has no Size, Red is M only.
    grid = [var("41", Colour="Navy"), var("42", Size="M", Colour="Red")]
    p = Picker(tee(SIZE, COLOUR), grid)
    assert values(p.options("Size")) == [("S", True), ("M", True)]
    p = p.choose("Size", "S")
    assert values(p.options("Colour")) == [("Navy", True), ("Red", False)]
    assert p.match == grid[0]  # only the "any" one fits a small
    p = Picker(tee(SIZE, COLOUR), grid).choose("Size", "M")
    assert p.match is None  # both fit a medium
    assert p.choose("Colour", "Navy").match == grid[0]


def test_an_any_value_written_as_empty_text() -> None:
    grid = [var("51", Size="", Colour="Navy")]
    p = Picker(tee(SIZE, COLOUR), grid).choose("Size", "M").choose("Colour", "Navy")
    assert p.match == grid[0]


def test_all_out_of_stock_is_still_offered() -> None:
    out = StockStatus.OUT_OF_STOCK
    grid = [var("61", Size="S", stock_status=out), var("62", Size="M", stock_status=out)]
    p = Picker(tee(SIZE), grid)
    assert [(o.value, o.available, o.in_stock) for o in p.options("Size")] == [
        ("S", True, False),
        ("M", True, False),
    ]
    assert p.choose("Size", "S").match == grid[0]


def test_nothing_for_sale_offers_nothing() -> None:
    p = Picker(tee(SIZE), [var("71", Size="S", status="draft")])
    assert p.attributes == ()
    assert p.options("Size") == ()
    assert p.match is None
    with pytest.raises(ValueError, match="'Tee' is not sold in Size 'S'"):
        p.choose("Size", "S")


def test_unknown_attributes_values_and_products_are_refused() -> None:
    p = Picker(tee(SIZE), [var("81", Size="S")])
    with pytest.raises(ValueError, match="no attribute 'Colour'"):
        p.choose("Colour", "Red")
    with pytest.raises(ValueError, match="'XL' is not a Size of 'Tee'"):
        p.choose("Size", "XL")
    simple = Product("1", ProductKind.SIMPLE, "Mug", Money(500, "EUR"))
    with pytest.raises(ValueError, match="'Mug' has no variations"):
        Picker(simple, [])

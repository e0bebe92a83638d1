"""Choosing a variation attribute by attribute, offering only combinations the store sells.

WooCommerce rules it follows: a variation with no value for an attribute (the attribute left
out, or option "") is sold for "any" value of it; when several variations fit, the first one
in the store's order wins. Names and values match case-insensitively, as the store's do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kiosk.core.models import Product, ProductKind, StockStatus


@dataclass(frozen=True, slots=True)
class Option:
    """One value of an attribute, as the picker shows it.

    `available`: some variation for sale has it together with the other choices made so far
    (choosing one that is not clears the choices it conflicts with). `in_stock`: one of those
    is in stock; an out-of-stock one can still be sold, with a warning to staff.
    """

    value: str
    available: bool
    in_stock: bool
    chosen: bool


def _key(text: str) -> str:
    return text.strip().casefold()


class Picker:
    """The choices made so far for one variable product; choose() returns a new Picker."""

    def __init__(
        self,
        parent: Product,
        variations: Iterable[Product],
        chosen: Mapping[str, str] | None = None,
    ) -> None:
        if parent.kind is not ProductKind.VARIABLE:
            raise ValueError(f"{parent.name!r} has no variations to choose from")
        self.parent = parent
        # Only what the till may sell counts; the rest must never be offered.
        self._variations = tuple(
            v for v in variations if v.kind is ProductKind.VARIATION and v.sellable
        )
        # Per variation: attribute key -> value key; an attribute it lacks is "any".
        self._values = [
            {_key(a.name): _key(a.options[0]) for a in v.attributes if a.options and a.options[0]}
            for v in self._variations
        ]
        self._names: dict[str, str] = {}  # attribute key -> display name, in picker order
        self._options: dict[str, list[str]] = {}  # attribute key -> display values, in order
        for a in parent.attributes:
            self._offer(a.name, a.options)
        for v in self._variations:  # values the parent does not list still exist if sold
            for a in v.attributes:
                self._offer(a.name, a.options[:1])
        self._chosen: dict[str, str] = {}
        for name, value in (chosen or {}).items():
            self._chosen[self._attribute(name)] = self._value(name, value)

    def _offer(self, name: str, options: Iterable[str]) -> None:
        k = _key(name)
        self._names.setdefault(k, name.strip())
        values = self._options.setdefault(k, [])
        known = {_key(o) for o in values}
        for o in options:
            if o.strip() and _key(o) not in known:
                known.add(_key(o))
                values.append(o.strip())

    # -- views ----------------------------------------------------------------------------------

    @property
    def attributes(self) -> tuple[str, ...]:
        """Attribute names in the parent's order; only those with a value for sale."""
        return tuple(self._names[k] for k in self._names if self._offered(k))

    @property
    def chosen(self) -> dict[str, str]:
        """attribute name -> chosen value."""
        return {self._names[k]: self._display(k, v) for k, v in self._chosen.items()}

    @property
    def candidates(self) -> tuple[Product, ...]:
        """The variations for sale that fit every choice so far, in the store's order."""
        return tuple(self._fitting(self._chosen))

    @property
    def match(self) -> Product | None:
        """The variation to sell: once every attribute is chosen, or when only one fits."""
        fits = self._fitting(self._chosen)
        if not fits:
            return None
        every = all(k in self._chosen for k in self._names if self._offered(k))
        return fits[0] if every or len(fits) == 1 else None

    def options(self, attribute: str) -> tuple[Option, ...]:
        """The values of `attribute` that some variation for sale has, in the parent's order."""
        k = self._attribute(attribute)
        others = {a: v for a, v in self._chosen.items() if a != k}
        result = []
        for value in self._options[k]:
            if not self._fitting({k: _key(value)}):
                continue  # no variation for sale has it at all: never offer it
            fits = self._fitting({**others, k: _key(value)})
            result.append(
                Option(
                    value=value,
                    available=bool(fits),
                    in_stock=any(v.stock_status is StockStatus.IN_STOCK for v in fits),
                    chosen=self._chosen.get(k) == _key(value),
                )
            )
        return tuple(result)

    # -- changes --------------------------------------------------------------------------------

    def choose(self, attribute: str, value: str) -> Picker:
        """A picker with `attribute` set to `value`; earlier choices that no variation for sale
        combines with it are cleared. Raises ValueError when nothing for sale has the value."""
        k, v = self._attribute(attribute), self._value(attribute, value)
        if not self._fitting({k: v}):
            raise ValueError(f"{self.parent.name!r} is not sold in {attribute} {value!r}")
        chosen = {k: v}
        for other in self._names:  # keep the others, in picker order, while they still fit
            if other in self._chosen and other != k:
                trial = {**chosen, other: self._chosen[other]}
                if self._fitting(trial):
                    chosen = trial
        return self._with(chosen)

    def clear(self, attribute: str) -> Picker:
        """A picker without a choice for `attribute`."""
        k = self._attribute(attribute)
        return self._with({a: v for a, v in self._chosen.items() if a != k})

    # -- internals ------------------------------------------------------------------------------

    def _with(self, chosen: dict[str, str]) -> Picker:
        new = Picker.__new__(Picker)
        new.parent = self.parent
        new._variations, new._values = self._variations, self._values
        new._names, new._options = self._names, self._options
        new._chosen = chosen
        return new

    def _fitting(self, chosen: Mapping[str, str]) -> list[Product]:
        return [
            variation
            for variation, values in zip(self._variations, self._values, strict=True)
            if all(values.get(a, v) == v for a, v in chosen.items())
        ]

    def _offered(self, k: str) -> bool:
        return any(self._fitting({k: _key(value)}) for value in self._options[k])

    def _attribute(self, name: str) -> str:
        k = _key(name)
        if k not in self._names:
            raise ValueError(f"{self.parent.name!r} has no attribute {name!r}")
        return k

    def _value(self, attribute: str, value: str) -> str:
        v = _key(value)
        if v not in {_key(o) for o in self._options[self._attribute(attribute)]}:
            raise ValueError(f"{value!r} is not a {attribute} of {self.parent.name!r}")
        return v

    def _display(self, k: str, v: str) -> str:
        return next(o for o in self._options[k] if _key(o) == v)

    def __repr__(self) -> str:
        return (
            f"<Picker {self.parent.id} chosen={self.chosen} match={self.match and self.match.id}>"
        )

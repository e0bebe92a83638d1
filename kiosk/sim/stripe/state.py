"""The simulated Stripe account: its keys and its objects, kept in Stripe's JSON shapes.

Relied on: API keys are `sk_test_`/`sk_live_` (secret) and `rk_test_`/`rk_live_` (restricted);
the key's mode is the object's `livemode`, and a key of one mode never sees the other mode's
objects ("No such ...; a similar object exists in test mode"). A restricted key holds a set of
permissions named as Stripe's permission errors name them (`rak_payment_intent_write`, ...);
Write implies Read. Lists are newest first, `limit` 1..100 (default 10), paged with
`starting_after`/`ending_before`, and answer `{"object": "list", "data", "has_more", "url"}`.
"""

from __future__ import annotations

import random
import string
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from kiosk.sim.stripe import errors

Obj = dict[str, Any]
_ALPHABET = string.ascii_letters + string.digits

# What the till's restricted key is given (issue 12: Terminal + PaymentIntents + Refunds). The
# receipt's card details live on the Charge, so reading them (expand=latest_charge) needs
# Charges read as well.
TILL_PERMISSIONS = frozenset(
    {
        "rak_payment_intent_write",
        "rak_terminal_reader_write",
        "rak_terminal_location_write",
        "rak_terminal_connection_token_write",
        "rak_refund_write",
        "rak_charge_read",
    }
)


@dataclass(frozen=True)
class ApiKey:
    """One API key; `permissions` is None for a secret key (it may do everything)."""

    secret: str
    livemode: bool
    permissions: frozenset[str] | None = None

    @property
    def restricted(self) -> bool:
        return self.permissions is not None

    def allows(self, permission: str) -> bool:
        if self.permissions is None or permission in self.permissions:
            return True
        return permission.endswith("_read") and (
            permission.removesuffix("_read") + "_write" in self.permissions
        )


@dataclass
class StripeState:
    """The account. Tests may read these dicts directly; the routes keep them consistent."""

    account_id: str
    rng: random.Random
    clock: Callable[[], float] = time.time
    keys: dict[str, ApiKey] = field(default_factory=dict)
    payment_intents: dict[str, Obj] = field(default_factory=dict)
    charges: dict[str, Obj] = field(default_factory=dict)
    refunds: dict[str, Obj] = field(default_factory=dict)
    locations: dict[str, Obj] = field(default_factory=dict)
    readers: dict[str, Obj] = field(default_factory=dict)
    deleted_readers: dict[str, Obj] = field(default_factory=dict)
    # Pairing codes shown on real (not simulated) readers: code -> device_type.
    pairing_codes: dict[str, str] = field(default_factory=dict)
    _order: dict[str, int] = field(default_factory=dict)  # id -> creation sequence

    def now(self) -> int:
        return int(self.clock())

    def new_id(self, prefix: str, length: int = 24) -> str:
        return f"{prefix}_" + "".join(self.rng.choice(_ALPHABET) for _ in range(length))

    def add_key(
        self, *, restricted: bool, livemode: bool, permissions: Iterable[str] | None = None
    ) -> ApiKey:
        """Mint a key; a restricted one gets `permissions` (default: the till's)."""
        kind = "rk" if restricted else "sk"
        mode = "live" if livemode else "test"
        secret = f"{kind}_{mode}_51{self.account_id[5:]}{self.new_id('x', 60)[2:]}"
        perms = frozenset(TILL_PERMISSIONS if permissions is None else permissions)
        key = ApiKey(secret, livemode, perms if restricted else None)
        self.keys[secret] = key
        return key

    def created(self, obj: Obj) -> Obj:
        """Record a new object's creation order (lists sort on it) and return it."""
        self._order[obj["id"]] = len(self._order)
        return obj

    def find(self, table: dict[str, Obj], kind: str, oid: str, key: ApiKey, param: str) -> Obj:
        """The object, or Stripe's 404 (naming the other mode when it lives there)."""
        found = table.get(oid)
        if found is None:
            raise errors.no_such(kind, oid, param)
        if found["livemode"] != key.livemode:
            raise errors.no_such(kind, oid, param, other_mode=found["livemode"])
        return found

    def page(self, items: Iterable[Obj], key: ApiKey, args: Obj, url: str) -> Obj:
        """A Stripe list of `items` in the key's mode, newest first, paged by `args`."""
        rows = sorted(
            (o for o in items if o["livemode"] == key.livemode),
            key=lambda o: self._order.get(o["id"], 0),
            reverse=True,
        )
        limit = args.get("limit", 10)
        if not 1 <= limit <= 100:
            raise errors.invalid(
                "This value must be greater than or equal to 1 and less than or equal to 100.",
                param="limit",
            )
        ids = [o["id"] for o in rows]
        if "starting_after" in args:
            rows = rows[self._cursor(ids, args["starting_after"], "starting_after") + 1 :]
        elif "ending_before" in args:
            end = self._cursor(ids, args["ending_before"], "ending_before")
            rows = rows[max(end - limit, 0) : end]
        return {
            "object": "list",
            "data": rows[:limit],
            "has_more": len(rows) > limit,
            "url": url,
        }

    @staticmethod
    def _cursor(ids: list[str], oid: str, param: str) -> int:
        try:
            return ids.index(oid)
        except ValueError:
            raise errors.invalid(f"No such object: '{oid}'", param=param) from None


def new_state(seed: int | None = None, clock: Callable[[], float] | None = None) -> StripeState:
    """An account with one id; keys are added by the caller."""
    rng = random.Random(seed)
    state = StripeState(account_id="", rng=rng, clock=clock or time.time)
    state.account_id = "acct_1" + "".join(rng.choice(_ALPHABET) for _ in range(15))
    return state

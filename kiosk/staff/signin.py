"""Who is signed in at the till: sign-in by name and PIN, lock after idle, quick switch.

The screens are a thin view over this. Contract: while `locked` (nobody signed in yet, idle for
longer than `idle_lock_s`, or locked by hand) the till sells nothing; signing in, by the same
person or another (the quick switch), unlocks it and from then on every order records that
person (it sets `Checkout.cashier` through `on_cashier`). Time comes from the injected clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from kiosk.core.money import Money
from kiosk.staff import accounts, drawer, overrides
from kiosk.staff.accounts import StaffError, StaffMember
from kiosk.staff.drawer import Drawer, Opening, Reason
from kiosk.staff.overrides import Action, Approval
from kiosk.staff.pins import DEFAULT_PARAMS, PinParams
from kiosk.store.db import Database

Clock = Callable[[], datetime]


class StaffSession:
    """The till's signed-in staff member, and when the till locks."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Clock,
        idle_lock_s: int = 120,
        on_cashier: Callable[[str], None] = lambda name: None,
        params: PinParams = DEFAULT_PARAMS,
    ) -> None:
        self._db = db
        self._clock = clock
        self._idle = timedelta(seconds=idle_lock_s)
        self._on_cashier = on_cashier
        self._params = params
        self._member: StaffMember | None = None
        self._last_touch: datetime | None = None
        self._locked_by_hand = True

    @property
    def member(self) -> StaffMember | None:
        """Who signed in last (shown on the lock screen to sign back in quickly)."""
        return self._member

    @property
    def locked(self) -> bool:
        if self._member is None or self._locked_by_hand or self._last_touch is None:
            return True
        return self._clock() - self._last_touch >= self._idle

    def idle_left(self) -> timedelta:
        """How long until the till locks if nobody touches it (zero once locked)."""
        if self.locked or self._last_touch is None:
            return timedelta(0)
        return self._idle - (self._clock() - self._last_touch)

    def touch(self) -> bool:
        """A tap or a scan: the idle time starts again. False (and nothing changes) if the
        till has locked meanwhile: the tap goes to the lock screen, not the sale."""
        if self.locked:
            self._locked_by_hand = True  # once locked by idle, it stays locked until sign-in
            return False
        self._last_touch = self._clock()
        return True

    def lock(self) -> None:
        """Lock now (the Lock button, or leaving the till)."""
        self._locked_by_hand = True

    async def sign_in(self, name: str, pin: str) -> StaffMember:
        """Sign `name` in with their PIN (the lockout applies); raises as verify_pin does.

        The same person unlocks; another is a quick switch: the next order is theirs."""
        member = await accounts.verify_pin(
            self._db, name, pin, now=self._clock(), params=self._params
        )
        self._member = member
        self._last_touch = self._clock()
        self._locked_by_hand = False
        self._on_cashier(member.name)
        return member

    async def who_can_sign_in(self) -> list[StaffMember]:
        return await accounts.list_staff(self._db)

    async def managers(self) -> list[StaffMember]:
        return [m for m in await accounts.list_staff(self._db) if m.is_manager]

    async def approve(
        self,
        action: Action | str,
        manager: str,
        pin: str,
        *,
        subject: str = "",
        detail: str = "",
        amount: Money | None = None,
    ) -> Approval:
        """A manager's approval for what the signed-in member asked, recorded (overrides.approve);
        a manager's approval counts as a touch of the till."""
        approval = await overrides.approve(
            self._db,
            action,
            manager=manager,
            pin=pin,
            requested_by=self._member.name if self._member else "",
            subject=subject,
            detail=detail,
            amount=amount,
            now=self._clock(),
            params=self._params,
        )
        self.touch()
        return approval

    async def add_member(self, name: str, role: str, pin: str, approval: Approval) -> StaffMember:
        """A manager adds a staff member at the till (a SETTINGS approval); raises StaffError."""
        _check_settings(approval)
        return await accounts.add_staff(
            self._db, name=name, role=role, pin=pin, now=self._clock(), params=self._params
        )

    async def remove_member(self, name: str, approval: Approval) -> StaffMember:
        """A manager removes a staff member (never the last manager, nor the one signed in)."""
        _check_settings(approval)
        if self._member is not None and name.casefold() == self._member.name.casefold():
            raise StaffError(f"{self._member.name} is signed in: sign in as someone else first")
        return await accounts.remove_staff(self._db, name, now=self._clock())

    async def open_drawer(
        self, drawer_: Drawer, reason: Reason | str, approval: Approval | None = None
    ) -> Opening:
        """Open the drawer as the signed-in member, recorded (a no-sale needs `approval`)."""
        who = self._member
        return await drawer.open_drawer(
            self._db,
            drawer_,
            reason,
            staff=who.name if who else "",
            staff_id=who.id if who else None,
            approval=approval,
            now=self._clock(),
        )


def _check_settings(approval: Approval) -> None:
    if approval.action is not Action.SETTINGS:
        raise StaffError("changing the staff needs a manager's approval")

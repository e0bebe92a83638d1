"""Staff accounts on the device: add, list, remove, and sign-in by name and PIN (offline).

The API other modules call (the CLI, the provisioning file, the screens):
`add_staff(db, name=, role=, pin=)`, `list_staff(db)`, `remove_staff(db, ident)` (refusing to
remove the last manager) and `verify_pin(db, ident, pin, now=)`, which applies the lockout
(kiosk.staff.lockout) and raises WrongPin or LockedOut. `ident` is a staff id or a name (any
case). The scrypt work runs in a thread, off the loop that draws the screen.
"""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from kiosk.staff import lockout, pins
from kiosk.staff.pins import DEFAULT_PARAMS, PinParams
from kiosk.store.db import Database
from kiosk.store.rows import from_text, opt_from_text, to_text

MAX_NAME = 40  # it is printed on receipts beside "Cashier"


class Role(StrEnum):
    """What a staff member may do: a manager also approves what needs a manager (overrides)."""

    CASHIER = "cashier"
    MANAGER = "manager"


class StaffError(ValueError):
    """A staff change or sign-in was refused; the message says why in plain words."""


class UnknownStaff(StaffError):
    pass


class WrongPin(StaffError):
    """The PIN did not match; `locked_until` says when the next try is allowed, if it must wait."""

    def __init__(self, message: str, locked_until: datetime | None = None) -> None:
        super().__init__(message)
        self.locked_until = locked_until


class LockedOut(StaffError):
    """Too many wrong PINs: no PIN is checked before `until`."""

    def __init__(self, message: str, until: datetime) -> None:
        super().__init__(message)
        self.until = until


@dataclass(frozen=True, slots=True)
class StaffMember:
    """Who is at the till, as the rest of the app knows them: never their PIN hash."""

    id: str
    name: str
    role: Role
    created_at: datetime
    locked_until: datetime | None = None

    @property
    def is_manager(self) -> bool:
        return self.role is Role.MANAGER


def utc_now() -> datetime:
    return datetime.now(UTC)


def check_name(name: str) -> str:
    """The name trimmed, if it can be a staff name: 1 to 40 printable characters."""
    clean = " ".join(name.split()) if isinstance(name, str) else ""
    if not clean:
        raise StaffError("the name must not be empty")
    if len(clean) > MAX_NAME or not clean.isprintable():
        raise StaffError(f"the name must be at most {MAX_NAME} printable characters")
    return clean


def check_role(role: str | Role) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise StaffError(f"the role must be cashier or manager, not {role!r}") from None


_SELECT = "SELECT id, name, role, created_at, locked_until, pin_hash, failures FROM staff "


def _member(row: tuple[str, str, str, str, str | None]) -> StaffMember:
    return StaffMember(row[0], row[1], Role(row[2]), from_text(row[3]), opt_from_text(row[4]))


def _find(conn: sqlite3.Connection, ident: str) -> tuple[StaffMember, str, int] | None:
    """The active member with this id or name, their hash and failure count."""
    row = conn.execute(
        _SELECT + "WHERE removed_at IS NULL AND (id = ? OR fold_name = ?)",
        (ident, " ".join(ident.split()).casefold()),
    ).fetchone()
    if row is None:
        return None
    return _member(row[:5]), row[5], row[6]


async def add_staff(
    db: Database,
    *,
    name: str,
    role: str | Role,
    pin: str = "",
    pin_hash: str = "",
    staff_id: str | None = None,
    now: datetime | None = None,
    params: PinParams = DEFAULT_PARAMS,
) -> StaffMember:
    """Add a staff member; StaffError (or pins.BadPin) when the name is taken or a value is not
    acceptable. Give the `pin`, or its `pin_hash` as pins.hash_pin made it (so a provisioning
    file need not carry PINs in the clear); `staff_id` keeps the file's own id (else a UUID)."""
    clean, kind = check_name(name), check_role(role)
    if bool(pin) == bool(pin_hash):
        raise StaffError("give the PIN or its hash, one of the two")
    if pin_hash:
        try:
            pins.params_of(pin_hash)
        except ValueError:
            raise StaffError(f"the PIN hash for {clean} is not one kiosk made") from None
        stored = pin_hash
    else:
        pins.check_new_pin(pin)
        stored = await asyncio.to_thread(pins.hash_pin, pin, params)
    member = StaffMember(staff_id or str(uuid.uuid4()), clean, kind, now or utc_now())

    def run(conn: sqlite3.Connection) -> StaffMember:
        taken = conn.execute(
            "SELECT 1 FROM staff WHERE removed_at IS NULL AND fold_name = ?", (clean.casefold(),)
        ).fetchone()
        if taken:
            raise StaffError(f"there is already a staff member called {clean}")
        if conn.execute("SELECT 1 FROM staff WHERE id = ?", (member.id,)).fetchone():
            raise StaffError(f"there is already a staff member with the id {member.id}")
        conn.execute(
            "INSERT INTO staff (id, name, fold_name, role, pin_hash, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (member.id, clean, clean.casefold(), kind.value, stored, to_text(member.created_at)),
        )
        return member

    return await db.write(run)


async def list_staff(db: Database) -> list[StaffMember]:
    """The staff who can sign in, by name."""

    def run(conn: sqlite3.Connection) -> list[StaffMember]:
        rows = conn.execute(_SELECT + "WHERE removed_at IS NULL ORDER BY fold_name").fetchall()
        return [_member(r[:5]) for r in rows]

    return await db.read(run)


async def get_staff(db: Database, ident: str) -> StaffMember | None:
    """The active staff member with this id or name, or None."""

    def run(conn: sqlite3.Connection) -> StaffMember | None:
        found = _find(conn, ident)
        return found[0] if found else None

    return await db.read(run)


async def remove_staff(db: Database, ident: str, *, now: datetime | None = None) -> StaffMember:
    """Remove a staff member (what they did keeps their name); refuses the last manager."""
    at = now or utc_now()

    def run(conn: sqlite3.Connection) -> StaffMember:
        found = _find(conn, ident)
        if found is None:
            raise UnknownStaff(f"no staff member is called {ident}")
        member = found[0]
        if member.is_manager:
            managers = conn.execute(
                "SELECT count(*) FROM staff WHERE removed_at IS NULL AND role = 'manager'"
            ).fetchone()[0]
            if managers <= 1:
                raise StaffError(
                    f"{member.name} is the only manager: add another manager before removing them"
                )
        conn.execute("UPDATE staff SET removed_at = ? WHERE id = ?", (to_text(at), member.id))
        return member

    return await db.write(run)


async def verify_pin(
    db: Database,
    ident: str,
    pin: str,
    *,
    now: datetime | None = None,
    params: PinParams = DEFAULT_PARAMS,
) -> StaffMember:
    """The staff member whose name (or id) and PIN these are; raises UnknownStaff, WrongPin
    (counted towards the lockout) or LockedOut (nothing is checked until the wait is over).

    A good PIN clears the count; one hashed at a lower cost than `params` is stored again.
    """
    at = now or utc_now()
    found = await db.read(lambda conn: _find(conn, ident))
    if found is None:
        raise UnknownStaff(f"no staff member is called {ident}")
    member, stored, _ = found
    if member.locked_until is not None and at < member.locked_until:
        raise LockedOut(_locked_words(member.locked_until, at), member.locked_until)
    good = await asyncio.to_thread(pins.verify, pin, stored)
    rehashed = None
    if good and pins.needs_rehash(stored, params):
        rehashed = await asyncio.to_thread(pins.hash_pin, pin, params)

    def run(conn: sqlite3.Connection) -> tuple[int, datetime | None]:
        if good:
            conn.execute(
                "UPDATE staff SET failures = 0, locked_until = NULL, "
                "pin_hash = coalesce(?, pin_hash) WHERE id = ?",
                (rehashed, member.id),
            )
            return 0, None
        # Counted in the database, so two tills or a restart cannot split the count.
        failures = conn.execute(
            "UPDATE staff SET failures = failures + 1 WHERE id = ? RETURNING failures",
            (member.id,),
        ).fetchone()[0]
        until = lockout.locked_until(failures, at)
        conn.execute(
            "UPDATE staff SET locked_until = ? WHERE id = ?",
            (None if until is None else to_text(until), member.id),
        )
        return failures, until

    _, until = await db.write(run)
    if not good:
        if until is None:
            raise WrongPin("wrong PIN: try again")
        raise WrongPin("wrong PIN: " + _locked_words(until, at), until)
    return StaffMember(member.id, member.name, member.role, member.created_at)


def _locked_words(until: datetime, now: datetime) -> str:
    return f"too many wrong PINs, try again in {lockout.wait_words(until, now)}"


async def set_pin(
    db: Database, ident: str, pin: str, *, params: PinParams = DEFAULT_PARAMS
) -> StaffMember:
    """Give a staff member a new PIN (a manager's reset); clears any lockout."""
    pins.check_new_pin(pin)
    stored = await asyncio.to_thread(pins.hash_pin, pin, params)

    def run(conn: sqlite3.Connection) -> StaffMember:
        found = _find(conn, ident)
        if found is None:
            raise UnknownStaff(f"no staff member is called {ident}")
        conn.execute(
            "UPDATE staff SET pin_hash = ?, failures = 0, locked_until = NULL WHERE id = ?",
            (stored, found[0].id),
        )
        return found[0]

    return await db.write(run)

"""The provisioning file's [[staff]] applied through the staff accounts (kiosk.staff.accounts)."""

from __future__ import annotations

from pathlib import Path

from kiosk.staff.accounts import Role, add_staff, get_staff, list_staff, set_pin
from kiosk.store.db import Database


class DbStaff:
    """StaffAccounts over the device's database, opened only when there is something to do
    (a file with problems must leave no database behind)."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path

    async def names(self) -> set[str]:
        if not self.db_path.exists():
            return set()
        async with await Database.open(self.db_path) as db:
            return {m.name.casefold() for m in await list_staff(db)}

    async def has_manager(self) -> bool:
        if not self.db_path.exists():
            return False
        async with await Database.open(self.db_path) as db:
            return any(m.is_manager for m in await list_staff(db))

    async def provision(self, name: str, role: str, pin: str, pin_hash: str = "") -> str:
        async with await Database.open(self.db_path) as db:
            member = await get_staff(db, name)
            if member is None:
                await add_staff(db, name=name, role=role, pin=pin, pin_hash=pin_hash)
                return f"{name} added ({role})"
            if not pin:
                return ""  # a hash is for a new account: an existing one keeps its PIN
            # The file's PIN is set again (hashed); a re-run from a scrubbed file gives none.
            await set_pin(db, member.id, pin)
        if member.role is not Role(role):
            return f"{name}'s PIN set; their role stays {member.role.value} (a manager changes it)"
        return f"{name}'s PIN set"

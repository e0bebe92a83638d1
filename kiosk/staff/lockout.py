"""How long a staff member must wait after wrong PINs: free tries, then a delay that doubles.

Pure: the caller passes the failure count and the time. Kept in the database with the staff row,
so pulling the plug does not reset it (a 4-digit PIN would fall to a restart loop otherwise).
"""

from __future__ import annotations

from datetime import datetime, timedelta

FREE_TRIES = 3  # wrong PINs in a row before any wait: a slip of the finger costs nothing
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(minutes=15)


def delay_after(failures: int) -> timedelta:
    """The wait after `failures` wrong PINs in a row: none for the first FREE_TRIES - 1, then
    30 s, 60 s, 120 s... up to MAX_DELAY."""
    if failures < FREE_TRIES:
        return timedelta(0)
    steps = failures - FREE_TRIES
    # Capped before the power grows large: the count can climb for as long as someone guesses.
    if steps >= 10:
        return MAX_DELAY
    return min(FIRST_DELAY * int(2**steps), MAX_DELAY)


def locked_until(failures: int, now: datetime) -> datetime | None:
    """When PINs may be tried again after the failure just counted, or None for at once."""
    wait = delay_after(failures)
    return now + wait if wait else None


def wait_words(until: datetime, now: datetime) -> str:
    """ "2 minutes 5 seconds" from now to `until` (rounded up to the second)."""
    left = max(0, int((until - now).total_seconds() + 0.999999))
    minutes, seconds = divmod(left, 60)
    parts = []
    if minutes:
        parts.append(f"{minutes} minute" + ("s" if minutes != 1 else ""))
    if seconds or not minutes:
        parts.append(f"{seconds} second" + ("s" if seconds != 1 else ""))
    return " ".join(parts)

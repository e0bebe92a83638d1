"""One check's verdict: ok, warn or fail, what was seen, and what to do about it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"  # works now, or works partly; worth a look
    FAIL = "fail"  # selling or uploading is broken, or will be


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: Status
    summary: str  # what was seen
    fix: str = ""  # what to do, in words; "" when ok

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.name,
            "status": self.status.value,
            "summary": self.summary,
            "fix": self.fix,
        }


def ok(name: str, summary: str) -> Check:
    return Check(name, Status.OK, summary)


def warn(name: str, summary: str, fix: str) -> Check:
    return Check(name, Status.WARN, summary, fix)


def fail(name: str, summary: str, fix: str) -> Check:
    return Check(name, Status.FAIL, summary, fix)

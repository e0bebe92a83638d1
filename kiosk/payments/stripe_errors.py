"""Stripe's refusals as plain values, so the code above the adapter never imports `stripe`."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    """Which of Stripe's error classes it was."""

    AUTH = "authentication"  # 401: the key is unknown or revoked
    PERMISSION = "permission"  # 403: a restricted key lacks a permission (the message names it)
    INVALID = "invalid_request"  # 400/404: the request or its object is wrong
    RATE = "rate_limit"  # 429: ask again later
    CONNECTION = "connection"  # no answer: the outcome is unknown
    API = "api"  # 5xx or anything else


class StripeProblem(Exception):
    """A Stripe request that failed; `code` is Stripe's error code ("resource_missing")."""

    def __init__(self, kind: Kind, message: str, *, code: str = "", status: int | None = None):
        super().__init__(message)
        self.kind, self.code, self.status = kind, code, status

    @property
    def missing(self) -> bool:
        return self.kind is Kind.INVALID and (self.code == "resource_missing" or self.status == 404)

    def permission(self) -> str:
        """The permission a 403 names ("rak_refund_write"), else ""."""
        text = str(self)
        start = text.find("Having the '")
        if self.kind is not Kind.PERMISSION or start < 0:
            return ""
        return text[start + len("Having the '") :].split("'", 1)[0]

"""Staff PINs: salted scrypt hashes that carry their own parameters, checked in constant time.

hashlib.scrypt is the standard library's memory-hard KDF (RFC 7914). A stored hash reads
"scrypt$<n>$<r>$<p>$<salt b64>$<key b64>", so the cost can be raised later: a hash made with less
than DEFAULT_PARAMS still verifies, and `needs_rehash` says to store it again at the new cost
(done on the next good sign-in). n=2**14, r=8, p=1 takes 16 MiB and ~0.1 s on this VM: slow for a
guesser with the database, unnoticed at the counter. The PIN itself is never stored or logged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

PIN_DIGITS = range(4, 13)  # 4 to 12 digits
SALT_BYTES = 16
KEY_BYTES = 32
_PIN = re.compile(r"[0-9]+")


class BadPin(ValueError):
    """A new PIN is not acceptable; the message says why (never the PIN itself)."""


@dataclass(frozen=True, slots=True)
class PinParams:
    """scrypt's cost: n (CPU and memory, a power of two), r (block size), p (parallelism)."""

    n: int = 2**14
    r: int = 8
    p: int = 1

    def __post_init__(self) -> None:
        if self.n < 2 or self.n & (self.n - 1) or self.r < 1 or self.p < 1:
            raise ValueError(f"scrypt parameters n={self.n} r={self.r} p={self.p} are not valid")

    def weaker_than(self, other: PinParams) -> bool:
        return self.n < other.n or self.r < other.r or self.p < other.p


DEFAULT_PARAMS = PinParams()


def check_new_pin(pin: str) -> str:
    """`pin` if it can be used: 4 to 12 digits, not one digit repeated; else BadPin."""
    if not isinstance(pin, str) or not _PIN.fullmatch(pin) or not pin.isascii():
        raise BadPin("the PIN must be digits only")
    if len(pin) not in PIN_DIGITS:
        raise BadPin(f"the PIN must be {PIN_DIGITS.start} to {PIN_DIGITS[-1]} digits long")
    if len(set(pin)) == 1:
        raise BadPin("the PIN must not be one digit repeated")
    return pin


def _derive(pin: str, salt: bytes, params: PinParams) -> bytes:
    # maxmem: scrypt needs 128*r*n bytes; OpenSSL's default cap (32 MiB) would refuse a raise.
    need = 128 * params.r * params.n * (params.p + 1)
    return hashlib.scrypt(
        pin.encode("ascii"),
        salt=salt,
        n=params.n,
        r=params.r,
        p=params.p,
        maxmem=need + 1024 * 1024,
        dklen=KEY_BYTES,
    )


def hash_pin(pin: str, params: PinParams = DEFAULT_PARAMS) -> str:
    """The stored form of a new PIN (checked with check_new_pin first), with a fresh salt."""
    check_new_pin(pin)
    salt = secrets.token_bytes(SALT_BYTES)
    key = _derive(pin, salt, params)
    b64 = base64.b64encode
    return f"scrypt${params.n}${params.r}${params.p}${b64(salt).decode()}${b64(key).decode()}"


def params_of(stored: str) -> PinParams:
    """The parameters a stored hash was made with; ValueError if it is not one of ours."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt" or not all(x.isdigit() for x in parts[1:4]):
        raise ValueError("not a PIN hash this device wrote")
    return PinParams(int(parts[1]), int(parts[2]), int(parts[3]))


def verify(pin: str, stored: str) -> bool:
    """Whether `pin` is the PIN `stored` was made from (constant-time compare)."""
    params = params_of(stored)
    _, _, _, _, salt64, key64 = stored.split("$")
    if not isinstance(pin, str) or not pin.isascii() or not _PIN.fullmatch(pin):
        return False
    key = _derive(pin, base64.b64decode(salt64), params)
    return hmac.compare_digest(key, base64.b64decode(key64))


def needs_rehash(stored: str, params: PinParams = DEFAULT_PARAMS) -> bool:
    """Whether `stored` was made at a lower cost than `params` (store it again after a match)."""
    return params_of(stored).weaker_than(params)

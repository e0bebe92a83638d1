"""Webhook signatures as WooCommerce and Shopify both make them: base64(HMAC-SHA256(body, secret)).

Each platform names its own header (X-WC-Webhook-Signature, X-Shopify-Hmac-Sha256); the formula
and the constant-time check are the same, so they live here once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def signature(body: bytes, secret: str) -> str:
    """base64(HMAC-SHA256(raw body, secret)), as the store signs a delivery."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify(body: bytes, given: str | None, secret: str) -> bool:
    """True when `given` is the delivery's signature; compared in constant time.

    Never raises: a missing, empty, non-base64, wrongly sized or non-ASCII header is False, and
    so is any header when there is no secret to check it with.
    """
    if not given or not secret:
        return False
    try:
        # aiohttp hands undecodable header bytes over as lone surrogates; compare_digest on str
        # refuses anything non-ASCII with TypeError, so bytes are compared.
        offered = given.strip().encode("ascii")
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(signature(body, secret).encode("ascii"), offered)

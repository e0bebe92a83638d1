"""Removing secrets from text bound for a diagnostics bundle.

Two nets, both always cast: every value the device knows to be secret (each value of the secrets
file, also base64-, URL- and JSON-encoded, and a Basic-auth pair), and the shapes secrets take
in logs whatever their value: Authorization and token headers, signed-URL query parameters
(oauth_signature, consumer_key/consumer_secret, access_token, ...), key=value and "key": "value"
pairs named like secrets, and the prefixes of WooCommerce, Stripe and Shopify keys. Removing too
much is harmless in a bundle; leaving one out is not.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

REMOVED = "[removed]"
_NAMES = (
    r"oauth_signature|oauth_consumer_key|oauth_token|oauth_nonce|consumer_key|consumer_secret|"
    r"access_token|refresh_token|api_key|apikey|client_secret|webhook_secret|token|secret|"
    r"password|passwd|psk|pin|signature|sig|key"
)
_PATTERNS = [
    # Headers: "Authorization: Basic abc", "X-Shopify-Access-Token: shpat_...", in any quoting.
    re.compile(
        r"(?i)((?:proxy-)?authorization|x-shopify-access-token|x-shopify-hmac-sha256|"
        r"x-wc-webhook-signature|stripe-signature|cookie|set-cookie)"
        # The value: an OAuth header's whole parameter list, else a scheme and its credential.
        r"([\"']?\s*[:=]\s*[\"']?)(OAuth\s[^\r\n]*|(?:[A-Za-z]+\s+)?[^\s\"',;]+)"
    ),
    re.compile(r"(?i)\b(bearer|basic)(\s+)([A-Za-z0-9._~+/=-]{6,})"),
    # Query parameters and key=value pairs named like secrets.
    re.compile(rf"(?i)(?<![A-Za-z0-9_])({_NAMES})(=)([^&\s\"'#;,]+)"),
    # "name": "value" (JSON) and name = "value" (TOML) pairs named like secrets.
    re.compile(rf"(?i)([\"']?(?:{_NAMES})[\"']?)(\s*[:=]\s*)(\"[^\"]*\"|'[^']*')"),
    # Key shapes, whatever names them.
    re.compile(r"()()\b((?:ck|cs)_[0-9a-fA-F]{8,})"),
    re.compile(r"()()\b((?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{4,})"),
    re.compile(r"()()\b((?:shpat|shpss|shpca|shppa|shpua)_[0-9A-Za-z]{8,})"),
    re.compile(r"()()\b(whsec_[0-9A-Za-z]{8,})"),
]


def variants(value: str) -> set[str]:
    """The forms a secret value takes in logs and files."""
    forms = {value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1]}
    forms.add(base64.b64encode(value.encode()).decode())
    return {f for f in forms if len(f) >= 4}


class Redactor:
    """Removes `secrets` (and secret-shaped text) from whatever it is given."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        values = {s for s in secrets if s and len(s) >= 4}
        # A Basic-auth header is base64("key:secret"): every pair of the known values.
        pairs = {
            base64.b64encode(f"{a}:{b}".encode()).decode()
            for a, b in itertools.permutations(values, 2)
        }
        known = set().union(*(variants(v) for v in values), pairs) if values else set()
        self._known = sorted(known, key=len, reverse=True)  # longest first: no half-removals

    def __call__(self, text: str) -> str:
        for value in self._known:
            text = text.replace(value, REMOVED)
        for pattern in _PATTERNS:
            text = pattern.sub(_keep_name, text)
        return text


def _keep_name(match: re.Match[str]) -> str:
    value = match.group(3)
    if value.strip("\"'") == REMOVED:
        return match.group(0)
    quote_char = value[0] if value[:1] in "\"'" and value[-1:] == value[:1] else ""
    return f"{match.group(1)}{match.group(2)}{quote_char}{REMOVED}{quote_char}"


def secret_values(tree: object) -> list[str]:
    """Every text value in a secrets file's JSON (sections of name -> value)."""
    if isinstance(tree, str):
        return [tree]
    if isinstance(tree, dict):
        return [v for item in tree.values() for v in secret_values(item)]
    if isinstance(tree, list):
        return [v for item in tree for v in secret_values(item)]
    return []

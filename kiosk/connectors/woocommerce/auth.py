"""How each request proves who it is to a WooCommerce store, and keeping the keys out of logs.

Over HTTPS the store takes HTTP Basic auth (the default) or the keys as query parameters (for
hosts that strip the Authorization header). Over plain HTTP it takes only OAuth 1.0a one-legged,
HMAC-SHA1, with the OAuth parameters in the query string, signed for the exact
scheme://host:port/path the store sees.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import quote, urlencode, urlsplit

from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, SIGNATURE_TYPE_QUERY
from oauthlib.oauth1 import Client as OAuth1Client

# Query parameters whose values are secrets (or let a replay pass): never shown anywhere.
SECRET_PARAMS = frozenset(
    {
        "consumer_key",
        "consumer_secret",
        "oauth_consumer_key",
        "oauth_signature",
        "oauth_nonce",
        "oauth_token",
    }
)
_REDACTED = "***"
_QUERY_PAIR = re.compile(r"(?P<key>[A-Za-z_][A-Za-z0-9_\[\]%]*)=(?P<value>[^&#\s'\"]*)")


class AuthMode(StrEnum):
    BASIC = "basic"  # Authorization: Basic (HTTPS only)
    QUERY = "query"  # ?consumer_key=&consumer_secret= (HTTPS only)
    OAUTH = "oauth"  # OAuth 1.0a signed query string (what plain HTTP requires)


@dataclass(frozen=True, slots=True)
class Keys:
    """A WooCommerce REST API key pair; repr never shows the secret."""

    key: str
    secret: str = field(repr=False)

    def __post_init__(self) -> None:
        if not self.key.strip() or not self.secret.strip():
            raise ValueError(
                "both the consumer key (ck_...) and the consumer secret (cs_...) are needed"
            )


def choose_mode(url: str, query_auth: bool = False) -> AuthMode:
    """The auth a store at `url` accepts: OAuth over http://; Basic (or query keys) over https://."""
    scheme = urlsplit(url).scheme.lower()
    if scheme == "http":
        return AuthMode.OAUTH
    if scheme == "https":
        return AuthMode.QUERY if query_auth else AuthMode.BASIC
    raise ValueError(f"the store address must start with https:// or http://, not {url!r}")


def encode_query(params: Mapping[str, str]) -> str:
    """A query string with every reserved character escaped, in a stable order.

    OAuth signs the query string as sent, so it is built once here and sent byte for byte.
    """
    return urlencode(sorted(params.items()), quote_via=quote, safe="")


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """What to send: the full URL (already encoded, send as is) and extra headers.

    The headers may hold the Authorization header: never log them.
    """

    url: str
    headers: dict[str, str] = field(repr=False)


class Authenticator:
    """Turns (method, url, params) into a SignedRequest for one auth mode.

    Sign every attempt afresh: a store rejects a repeated OAuth nonce.
    """

    def __init__(self, keys: Keys, mode: AuthMode) -> None:
        self.keys = keys
        self.mode = mode

    def sign(self, method: str, url: str, params: Mapping[str, str]) -> SignedRequest:
        if self.mode is AuthMode.QUERY:
            params = {
                **params,
                "consumer_key": self.keys.key,
                "consumer_secret": self.keys.secret,
            }
        query = encode_query(params)
        full = f"{url}?{query}" if query else url
        if self.mode is AuthMode.BASIC:
            token = base64.b64encode(f"{self.keys.key}:{self.keys.secret}".encode()).decode()
            return SignedRequest(full, {"Authorization": f"Basic {token}"})
        if self.mode is AuthMode.QUERY:
            return SignedRequest(full, {})
        client = OAuth1Client(
            self.keys.key,
            client_secret=self.keys.secret,
            signature_method=SIGNATURE_HMAC_SHA1,
            signature_type=SIGNATURE_TYPE_QUERY,
        )
        # The JSON body of a POST is not part of an OAuth 1.0a signature: sign without it.
        signed_url, headers, _ = client.sign(full, http_method=method.upper())
        return SignedRequest(str(signed_url), dict(headers))


def unsigned(url: str, params: Mapping[str, str]) -> SignedRequest:
    """A request without credentials (the /wp-json index needs none)."""
    query = encode_query(params)
    return SignedRequest(f"{url}?{query}" if query else url, {})


def redact(text: str, keys: Keys | None = None) -> str:
    """`text` with secret query values and the key pair itself replaced by ***.

    Use on every URL or exception message before it reaches a log line or an error a person sees.
    """

    def hide(m: re.Match[str]) -> str:
        name = m.group("key").lower()
        if name in SECRET_PARAMS:
            return f"{m.group('key')}={_REDACTED}"
        return m.group(0)

    out = _QUERY_PAIR.sub(hide, text)
    if keys is not None:
        for value in (keys.secret, keys.key):
            for secret in {value, quote(value, safe="")}:
                if secret:
                    out = out.replace(secret, _REDACTED)
    return out


__all__ = [
    "SECRET_PARAMS",
    "AuthMode",
    "Authenticator",
    "Keys",
    "SignedRequest",
    "choose_mode",
    "encode_query",
    "redact",
    "unsigned",
]

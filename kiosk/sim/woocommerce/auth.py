"""REST API keys and request authentication as WC_REST_Authentication does it.

Over HTTPS: `consumer_key`/`consumer_secret` query parameters first, then Basic auth; if neither
identifies a key, OAuth is tried as well. Over plain HTTP only OAuth 1.0a one-legged: the
signature is checked over the method, the store's own URL (scheme://host:port/path, not the Host
header) and the sorted parameters, then the 15-minute timestamp window, then the nonce.
Unknown keys over Basic simply leave the request unauthenticated; the route then refuses it.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

from aiohttp import web
from oauthlib.oauth1.rfc5849 import signature as oauth_sig

from kiosk.sim.woocommerce.listing import WooError

WINDOW = 15 * 60
OAUTH_PARAMS = (
    "oauth_consumer_key",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_signature",
    "oauth_signature_method",
)


@dataclass
class ApiKey:
    consumer_key: str
    consumer_secret: str
    permissions: str  # "read", "write" or "read_write"
    nonces: dict[str, int] = field(default_factory=dict)  # nonce -> timestamp

    @classmethod
    def generate(cls, permissions: str) -> ApiKey:
        """A key pair shaped like WooCommerce's: ck_/cs_ and 40 hex characters."""
        return cls(f"ck_{secrets.token_hex(20)}", f"cs_{secrets.token_hex(20)}", permissions)

    def can(self, method: str) -> bool:
        if method in ("GET", "HEAD"):
            return self.permissions in ("read", "read_write")
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            return self.permissions in ("write", "read_write")
        return method == "OPTIONS"


def _auth_error(message: str, code: str = "woocommerce_rest_authentication_error") -> WooError:
    return WooError(code, message, 401)


class Authenticator:
    """Finds the API key of a request, or the error WooCommerce would answer with."""

    def __init__(
        self, keys: list[ApiKey], *, base_url: str, now: Callable[[], float] = time.time
    ) -> None:
        self.keys = {k.consumer_key: k for k in keys}
        self.base_url = base_url  # the store's home URL: what OAuth signatures must be made for
        self.now = now

    def authenticate(self, request: web.Request, body: bytes) -> ApiKey | None:
        """The key the request proves, None when it is anonymous; raises WooError(401)."""
        if request.scheme == "https" or self.base_url.startswith("https:"):
            key = self._basic(request)
            if key is not None:
                return self._permitted(key, request.method)
        key = self._oauth(request, body)
        return None if key is None else self._permitted(key, request.method)

    def _permitted(self, key: ApiKey, method: str) -> ApiKey:
        if not key.can(method):
            kind = "read" if method in ("GET", "HEAD") else "write"
            raise _auth_error(f"The API key provided does not have {kind} permissions.")
        return key

    def _basic(self, request: web.Request) -> ApiKey | None:
        ck = request.query.get("consumer_key", "")
        cs = request.query.get("consumer_secret", "")
        if not (ck and cs):
            ck, cs = _basic_credentials(request.headers.get("Authorization", ""))
        if not (ck and cs):
            return None
        key = self.keys.get(ck)
        if key is None:
            return None
        if not hmac.compare_digest(key.consumer_secret, cs):
            raise _auth_error("Consumer secret is invalid.")
        return key

    def _oauth(self, request: web.Request, body: bytes) -> ApiKey | None:
        params = list(request.query.items())
        if request.content_type == "application/x-www-form-urlencoded" and body:
            params += oauth_sig.collect_parameters(body=body.decode("utf-8", "replace"))
        header = request.headers.get("Authorization", "")
        if header.startswith("OAuth "):
            params += oauth_sig.collect_parameters(headers={"Authorization": header})
        given = dict(params)
        present = [p for p in OAUTH_PARAMS if given.get(p)]
        if not present:
            return None
        missing = [p for p in OAUTH_PARAMS if not given.get(p)]
        if missing:
            word = "parameter" if len(missing) == 1 else "parameters"
            raise _auth_error(
                f"Missing OAuth {word} {', '.join(missing)}",
                "woocommerce_rest_authentication_missing_parameter",
            )
        key = self.keys.get(given["oauth_consumer_key"])
        if key is None:
            raise _auth_error("Consumer key is invalid.")
        method = given["oauth_signature_method"]
        if method not in ("HMAC-SHA1", "HMAC-SHA256"):
            raise _auth_error("Invalid signature - signature method is invalid.")
        signed = [(k, v) for k, v in params if k != "oauth_signature"]
        base_string = oauth_sig.signature_base_string(
            request.method.upper(),
            oauth_sig.base_string_uri(self.base_url + request.path),
            oauth_sig.normalize_parameters(signed),
        )
        sign = (
            oauth_sig.sign_hmac_sha1_with_client
            if method == "HMAC-SHA1"
            else oauth_sig.sign_hmac_sha256_with_client
        )
        expected = sign(
            base_string,
            SimpleNamespace(client_secret=key.consumer_secret, resource_owner_secret=""),
        )
        if not hmac.compare_digest(expected, given["oauth_signature"].replace(" ", "+")):
            raise _auth_error("Invalid signature - provided signature does not match.")
        now = int(self.now())
        try:
            stamp = int(given["oauth_timestamp"])
        except ValueError:
            raise _auth_error("Invalid timestamp.") from None
        if not now - WINDOW <= stamp <= now + WINDOW:
            raise _auth_error("Invalid timestamp.")
        nonce = given["oauth_nonce"]
        if nonce in key.nonces:
            raise _auth_error("Invalid nonce - nonce has already been used.")
        key.nonces = {n: t for n, t in key.nonces.items() if t >= now - WINDOW}
        key.nonces[nonce] = stamp
        return key


def _basic_credentials(header: str) -> tuple[str, str]:
    if not header.lower().startswith("basic "):
        return "", ""
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    user, _, password = decoded.partition(":")
    return user, password


def sign_oauth(
    method: str,
    url: str,
    key: str,
    secret: str,
    *,
    timestamp: int | None = None,
    nonce: str | None = None,
) -> str:
    """`url` with OAuth 1.0a one-legged HMAC-SHA1 parameters added to its query string."""
    from oauthlib.oauth1 import SIGNATURE_TYPE_QUERY, Client

    client = Client(
        key,
        client_secret=secret,
        signature_type=SIGNATURE_TYPE_QUERY,
        timestamp=None if timestamp is None else str(timestamp),
        nonce=nonce,
    )
    signed, _, _ = client.sign(url, http_method=method.upper())
    return str(signed)

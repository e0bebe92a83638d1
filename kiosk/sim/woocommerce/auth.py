"""REST API keys and request authentication as WC_REST_Authentication does it.

Read in WooCommerce's includes/rest-api/... class-wc-rest-authentication.php (9.x):
- Over HTTPS: `consumer_key`/`consumer_secret` from `$_GET` first, then Basic auth; if neither
  identifies a key, OAuth is tried as well. Unknown keys over Basic simply leave the request
  unauthenticated; the route then refuses it.
- Over plain HTTP only OAuth 1.0a one-legged. The parameters are `array_merge($_GET, $_POST)`
  with the `Authorization: OAuth` header's over them: PHP's parsing (php_request: one value per
  name, the last; `name[]` arrays), so a query string sent twice signs as if sent once. The
  signature is HMAC-SHA1/256 with key `secret&` over METHOD & rawurlencode(home URL + path) &
  the parameters sorted by name (strcmp), each name and value rawurlencoded, arrays joined as
  name%5Bkey%5D, each `name=value` encoded once more and joined with %26. Then the 15-minute
  timestamp window, then the nonce.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, unquote_plus, urlsplit

from aiohttp import web

from kiosk.sim.woocommerce import php_request, rest_route
from kiosk.sim.woocommerce.listing import WooError

WINDOW = 15 * 60
Params = dict[str, php_request.PhpValue]
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
        php_get = php_request.parse(request.rel_url.raw_query_string)
        if request.scheme == "https" or self.base_url.startswith("https:"):
            key = self._basic(request, php_get)
            if key is not None:
                return self._permitted(key, request.method)
        php_post: dict[str, php_request.PhpValue] = {}
        if request.content_type == "application/x-www-form-urlencoded" and body:
            php_post = php_request.parse(body.decode("utf-8", "replace"))
        key = self._oauth(request, {**php_get, **php_post})
        return None if key is None else self._permitted(key, request.method)

    def _permitted(self, key: ApiKey, method: str) -> ApiKey:
        if not key.can(method):
            kind = "read" if method in ("GET", "HEAD") else "write"
            raise _auth_error(f"The API key provided does not have {kind} permissions.")
        return key

    def _basic(
        self, request: web.Request, php_get: dict[str, php_request.PhpValue]
    ) -> ApiKey | None:
        ck = php_request.scalar(php_get, "consumer_key") or ""
        cs = php_request.scalar(php_get, "consumer_secret") or ""
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

    def _oauth(
        self, request: web.Request, params: dict[str, php_request.PhpValue]
    ) -> ApiKey | None:
        """get_oauth_parameters + check_oauth_signature + check_oauth_timestamp_and_nonce."""
        header = request.headers.get("Authorization", "").strip()
        if header.startswith("OAuth "):
            params = {**params, **_oauth_header(header)}
        present = [p for p in OAUTH_PARAMS if not _php_empty(params.get(p))]
        if not present:
            return None
        missing = [p for p in OAUTH_PARAMS if _php_empty(params.get(p))]
        if missing:
            word = "parameter" if len(missing) == 1 else "parameters"
            raise _auth_error(
                f"Missing OAuth {word} {', '.join(missing)}",
                "woocommerce_rest_authentication_missing_parameter",
            )
        given = {k: v for k, v in params.items() if isinstance(v, str)}
        key = self.keys.get(given.get("oauth_consumer_key", ""))
        if key is None:
            raise _auth_error("Consumer key is invalid.")
        if not hmac.compare_digest(self._signature(request, params, key), _provided(params)):
            raise _auth_error("Invalid signature - provided signature does not match.")
        now = int(self.now())
        try:
            stamp = int(given["oauth_timestamp"])
        except (KeyError, ValueError):
            raise _auth_error("Invalid timestamp.") from None
        if not now - WINDOW <= stamp <= now + WINDOW:
            raise _auth_error("Invalid timestamp.")
        nonce = given.get("oauth_nonce", "")
        if nonce in key.nonces:
            raise _auth_error("Invalid nonce - nonce has already been used.")
        key.nonces = {n: t for n, t in key.nonces.items() if t >= now - WINDOW}
        key.nonces[nonce] = stamp
        return key

    def _signature(
        self, request: web.Request, params: dict[str, php_request.PhpValue], key: ApiKey
    ) -> str:
        """The signature WooCommerce expects, built as check_oauth_signature builds it.

        The base URI is the home URL plus the request's raw path with the home's path cut off
        (`get_home_url(null, $request_path)`): `/?rest_route=...` on plain permalinks is signed
        for the bare home URL, `/index.php?rest_route=...` for `<home>/index.php`.
        """
        path = rest_route.signed_path(request)
        home_path = urlsplit(self.base_url).path.rstrip("/") + "/"
        if path.startswith(home_path):
            path = path[len(home_path) :]
        home = self.base_url.rstrip("/")
        base_uri = quote(f"{home}/{path.lstrip('/')}" if path else home, safe="")
        signed = {k: v for k, v in params.items() if k != "oauth_signature"}
        ordered = sorted(signed, key=lambda k: k.encode("utf-8"))  # uksort($params, 'strcmp')
        pieces = _join_with_equals_sign({_rfc3986(k): _rfc3986_deep(signed[k]) for k in ordered})
        method = signed.get("oauth_signature_method")
        if method not in ("HMAC-SHA1", "HMAC-SHA256"):
            raise _auth_error("Invalid signature - signature method is invalid.")
        to_sign = f"{request.method.upper()}&{base_uri}&{'%26'.join(pieces)}"
        digest = hashlib.sha1 if method == "HMAC-SHA1" else hashlib.sha256
        mac = hmac.new(f"{key.consumer_secret}&".encode(), to_sign.encode(), digest)
        return base64.b64encode(mac.digest()).decode()


def _php_empty(value: php_request.PhpValue | None) -> bool:
    """PHP's empty(): absent, "", "0" (and an empty array)."""
    return value is None or value in ("", "0") or value == {}


def _provided(params: dict[str, php_request.PhpValue]) -> str:
    """rawurldecode(str_replace(' ', '+', $params['oauth_signature']))."""
    raw = params.get("oauth_signature")
    return unquote(raw.replace(" ", "+")) if isinstance(raw, str) else ""


def _rfc3986(value: str) -> str:
    """wc_rest_urlencode_rfc3986: rawurlencode (which keeps ~ as of PHP 5.3)."""
    return quote(value, safe="~")


def _rfc3986_deep(value: php_request.PhpValue) -> php_request.PhpValue:
    """array_map over arrays, keys kept as they are."""
    if isinstance(value, dict):
        return {k: _rfc3986_deep(v) for k, v in value.items()}
    return _rfc3986(value)


def _join_with_equals_sign(params: dict[str, Any], key: str = "") -> list[str]:
    """WooCommerce's join_with_equals_sign: arrays become key%5Binner%5D, then each pair is
    encoded once more (so the base string carries `name%3Dvalue` joined by %26)."""
    out: list[str] = []
    for name, value in params.items():
        full = f"{key}%5B{name}%5D" if key else name
        if isinstance(value, dict):
            out += _join_with_equals_sign(value, full)
        else:
            out.append(_rfc3986(f"{full}={value}"))
    return out


def _oauth_header(header: str) -> dict[str, php_request.PhpValue]:
    """parse_header: `oauth_*="..."` pairs of an `Authorization: OAuth` header, urldecoded."""
    out: dict[str, php_request.PhpValue] = {}
    for name, quoted, bare in re.findall(r'(oauth_[a-z_-]*)=(?:"([^"]*)"|([^,]*))', header):
        out[name] = unquote_plus(quoted or bare)
    out.pop("realm", None)
    return out


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

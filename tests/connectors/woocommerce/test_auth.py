"""Auth selection, OAuth 1.0a signatures (checked by oauthlib's own verifier) and redaction."""

from __future__ import annotations

import base64
from urllib.parse import parse_qsl, urlsplit

import pytest
from oauthlib.common import Request
from oauthlib.oauth1.rfc5849 import signature

from kiosk.connectors.woocommerce.auth import (
    Authenticator,
    AuthMode,
    Keys,
    choose_mode,
    encode_query,
    redact,
)

KEYS = Keys("ck_0123456789abcdef", "cs_fedcba9876543210")


def _verify(method: str, url: str, secret: str) -> bool:
    """What a store does with an OAuth request: rebuild the base string, compare signatures."""
    query = urlsplit(url).query
    given = dict(signature.collect_parameters(uri_query=query, exclude_oauth_signature=False))
    request = Request(url, http_method=method)
    request.params = signature.collect_parameters(uri_query=query)  # all but the signature
    request.signature = given["oauth_signature"]
    return bool(signature.verify_hmac_sha1(request, client_secret=secret))


def test_mode_follows_the_scheme() -> None:
    assert choose_mode("https://shop.example") is AuthMode.BASIC
    assert choose_mode("https://shop.example", query_auth=True) is AuthMode.QUERY
    assert choose_mode("http://127.0.0.1:8080") is AuthMode.OAUTH
    assert choose_mode("HTTP://shop.example", query_auth=True) is AuthMode.OAUTH
    with pytest.raises(ValueError, match="https://"):
        choose_mode("ftp://shop.example")


def test_keys_need_both_halves_and_hide_the_secret() -> None:
    with pytest.raises(ValueError, match="consumer secret"):
        Keys("ck_x", " ")
    assert "cs_" not in repr(KEYS)


def test_oauth_signature_verifies_for_the_exact_url() -> None:
    auth = Authenticator(KEYS, AuthMode.OAUTH)
    params = {
        "per_page": "100",
        "modified_after": "2024-05-01T09:30:00",
        "include": "1,2,3",
        "search": "tea & cake",
    }
    signed = auth.sign("GET", "http://127.0.0.1:8080/wp-json/wc/v3/products", params)
    assert not signed.headers
    assert _verify("GET", signed.url, KEYS.secret)
    sent = dict(parse_qsl(urlsplit(signed.url).query))
    assert sent["include"] == "1,2,3"
    assert sent["search"] == "tea & cake"
    assert sent["oauth_consumer_key"] == KEYS.key
    assert sent["oauth_signature_method"] == "HMAC-SHA1"
    # Signed for host:port, method and secret: any change breaks it.
    assert not _verify("GET", signed.url.replace(":8080", ":8081"), KEYS.secret)
    assert not _verify("POST", signed.url, KEYS.secret)
    assert not _verify("GET", signed.url, "cs_wrong")


def test_oauth_signs_each_attempt_with_a_fresh_nonce() -> None:
    auth = Authenticator(KEYS, AuthMode.OAUTH)
    a = auth.sign("POST", "http://shop.test/wp-json/wc/v3/orders", {})
    b = auth.sign("POST", "http://shop.test/wp-json/wc/v3/orders", {})
    nonce = [dict(parse_qsl(urlsplit(s.url).query))["oauth_nonce"] for s in (a, b)]
    assert nonce[0] != nonce[1]
    assert _verify("POST", a.url, KEYS.secret)


def test_basic_and_query_modes() -> None:
    basic = Authenticator(KEYS, AuthMode.BASIC).sign("GET", "https://s.example/x", {"page": "2"})
    assert basic.url == "https://s.example/x?page=2"
    token = base64.b64decode(basic.headers["Authorization"].removeprefix("Basic "))
    assert token.decode() == f"{KEYS.key}:{KEYS.secret}"
    query = Authenticator(KEYS, AuthMode.QUERY).sign("GET", "https://s.example/x", {"page": "2"})
    assert "Authorization" not in query.headers
    assert dict(parse_qsl(urlsplit(query.url).query)) == {
        "page": "2",
        "consumer_key": KEYS.key,
        "consumer_secret": KEYS.secret,
    }


def test_encode_query_escapes_reserved_characters() -> None:
    assert encode_query({"b": "a&b=c", "a": "2024-01-01T00:00:00"}) == (
        "a=2024-01-01T00%3A00%3A00&b=a%26b%3Dc"
    )


def test_redact_hides_secrets_in_urls_and_text() -> None:
    signed = Authenticator(KEYS, AuthMode.QUERY).sign("GET", "https://s.example/x", {"page": "2"})
    text = f"Cannot connect to {signed.url} (key {KEYS.key}, secret {KEYS.secret})"
    out = redact(text, KEYS)
    assert KEYS.key not in out
    assert KEYS.secret not in out
    assert "consumer_secret=***" in out
    assert "page=2" in out
    oauth = Authenticator(KEYS, AuthMode.OAUTH).sign("GET", "http://s.example/x", {})
    hidden = redact(oauth.url)
    assert "oauth_signature=***" in hidden
    assert "oauth_nonce=***" in hidden
    assert KEYS.key not in hidden

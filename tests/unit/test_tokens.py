"""Access tokens: signature, expiry, issuer and audience are all checked; alg none never passes."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from joserfc import jwt

from lensgraph.adapters.tokens import (
    AccessTokens,
    GalleryTokens,
    InvalidToken,
    new_api_key,
    same_digest,
    split_api_key,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def signer(issuer: str = "lensgraph", audience: str = "lensgraph-api", key: bytes = b"k" * 32) -> AccessTokens:
    return AccessTokens(key, issuer, audience, timedelta(minutes=15))


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_round_trip_and_fifteen_minute_expiry():
    user_id = uuid4()
    token, expires_at = signer().issue(user_id, "BRAND", NOW, token_version=1)
    assert expires_at == NOW + timedelta(minutes=15)
    claims = signer().verify(token, NOW + timedelta(minutes=14))
    assert claims.user_id == user_id and claims.role == "BRAND"
    with pytest.raises(InvalidToken):
        signer().verify(token, NOW + timedelta(minutes=16))


def test_a_token_verified_before_still_expires_at_its_exp_to_the_second():
    tokens = signer()
    token, expires_at = tokens.issue(uuid4(), "BRAND", NOW, token_version=1)
    tokens.verify(token, NOW)  # verified once: later uses check only its expiry
    assert tokens.verify(token, expires_at - timedelta(seconds=1)).expires_at == expires_at
    with pytest.raises(InvalidToken):
        tokens.verify(token, expires_at)
    # A fresh verifier, which checks everything, draws the line at the same second.
    with pytest.raises(InvalidToken):
        signer().verify(token, expires_at)
    assert signer().verify(token, expires_at - timedelta(seconds=1)).expires_at == expires_at


def test_a_forged_token_is_refused_every_time_not_only_the_first():
    tokens = signer()
    token, _ = signer(key=b"x" * 32).issue(uuid4(), "ADMIN", NOW, token_version=1)
    for _ in range(2):
        with pytest.raises(InvalidToken):
            tokens.verify(token, NOW)


@pytest.mark.parametrize(
    "other", [signer(issuer="someone-else"), signer(audience="another-api"), signer(key=b"x" * 32)]
)
def test_wrong_issuer_audience_or_key_is_refused(other):
    token, _ = other.issue(uuid4(), "BRAND", NOW, token_version=1)
    with pytest.raises(InvalidToken):
        signer().verify(token, NOW)


def test_alg_none_is_refused():
    token, _ = signer().issue(uuid4(), "ADMIN", NOW, token_version=1)
    payload = token.split(".")[1]
    with pytest.raises(InvalidToken):
        signer().verify(f"{b64({'alg': 'none', 'typ': 'JWT'})}.{payload}.", NOW)


def test_api_keys_have_the_documented_shape():
    raw, prefix, secret_hash = new_api_key()
    assert raw.startswith(f"lg_{prefix}_")
    found_prefix, secret = split_api_key(raw) or ("", "")
    assert found_prefix == prefix and same_digest(secret, secret_hash)
    assert not same_digest(secret + "x", secret_hash)
    assert split_api_key("lg_only") is None and split_api_key("xx_a_b") is None


def test_the_token_carries_the_account_token_version():
    token, _ = signer().issue(uuid4(), "BRAND", NOW, token_version=7)
    assert signer().verify(token, NOW).token_version == 7


def test_a_token_without_a_version_reads_as_version_zero():
    # Issued before token versions existed: no account is at version 0, so such a token is never current.
    claims = {
        "sub": str(uuid4()),
        "role": "BRAND",
        "iss": "lensgraph",
        "aud": "lensgraph-api",
        "exp": int((NOW + timedelta(minutes=5)).timestamp()),
    }
    token = jwt.encode({"alg": "HS256"}, claims, signer()._key, algorithms=["HS256"])
    assert signer().verify(token, NOW).token_version == 0


@pytest.mark.parametrize("version", ["1", 1.5, True, None])
def test_a_version_that_is_not_a_whole_number_is_refused(version):
    claims = {
        "sub": str(uuid4()),
        "role": "BRAND",
        "iss": "lensgraph",
        "aud": "lensgraph-api",
        "ver": version,
        "exp": int((NOW + timedelta(minutes=5)).timestamp()),
    }
    token = jwt.encode({"alg": "HS256"}, claims, signer()._key, algorithms=["HS256"])
    with pytest.raises(InvalidToken):
        signer().verify(token, NOW)


def test_gallery_tokens_name_their_gallery_expire_and_pass_for_no_account_token():
    gallery_tokens = GalleryTokens(b"k" * 32, "lensgraph", timedelta(minutes=60))
    gallery_id = uuid4()
    token, expires_at = gallery_tokens.issue(gallery_id, "jane@example.com", NOW, access_version=3)
    claims = gallery_tokens.verify(token, NOW + timedelta(minutes=59))
    assert (claims.gallery_id, claims.visitor, claims.access_version) == (gallery_id, "jane@example.com", 3)
    assert claims.expires_at == expires_at == NOW + timedelta(minutes=60)
    with pytest.raises(InvalidToken):
        gallery_tokens.verify(token, NOW + timedelta(minutes=61))
    # Neither kind of token passes for the other, though both are signed from the same secret.
    with pytest.raises(InvalidToken):
        signer().verify(token, NOW)
    account_token, _ = signer().issue(uuid4(), "BRAND", NOW, token_version=1)
    with pytest.raises(InvalidToken):
        gallery_tokens.verify(account_token, NOW)
    with pytest.raises(InvalidToken):
        GalleryTokens(b"x" * 32, "lensgraph", timedelta(minutes=60)).verify(token, NOW)

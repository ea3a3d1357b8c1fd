"""Access tokens (JWT, HS256 via joserfc) and opaque secrets stored as digests."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey
from joserfc.jwt import JWTClaimsRegistry

ALGORITHM = "HS256"
API_KEY_PREFIX = "lg"
# Tokens whose signature and claims were checked, per kind of token: a caller sends the same one on every request.
VERIFIED_TOKENS_KEPT = 4096


@dataclass(frozen=True)
class AccessClaims:
    user_id: UUID
    role: str
    expires_at: datetime
    # The account's token version when the token was issued; 0 for tokens from before versions existed.
    token_version: int


class InvalidToken(Exception):
    pass


class _SignedClaims:
    """Signs and checks one kind of short-lived JWT: its own key and audience, ``exp``, ``iss``, ``aud`` and
    ``sub`` required, so that no kind of token passes for another."""

    def __init__(self, key: bytes, purpose: bytes, issuer: str, audience: str, lifetime: timedelta) -> None:
        self._key = OctKey.import_key(hashlib.sha256(purpose + key).digest())
        self._issuer = issuer
        self._audience = audience
        self.lifetime = lifetime
        # The claims of tokens verified before, oldest first (dropped past ``VERIFIED_TOKENS_KEPT``).
        self._verified: dict[str, dict[str, Any]] = {}
        self._keeping = threading.Lock()

    def _sign(self, subject: UUID, now: datetime, claims: dict[str, object]) -> tuple[str, datetime]:
        expires_at = now + self.lifetime
        registered = {
            "sub": str(subject),
            "iss": self._issuer,
            "aud": self._audience,
            "iat": int(now.timestamp()),
            "exp": int(expires_at.timestamp()),
        }
        return jwt.encode({"alg": ALGORITHM}, {**claims, **registered}, self._key, algorithms=[ALGORITHM]), expires_at

    def _checked(self, token: str, now: datetime) -> dict[str, Any]:
        """The token's claims once its signature, issuer, audience, expiry and subject hold; InvalidToken else.
        Of a token verified before, only the expiry is checked again: nothing else about it can have changed
        (revocation is the account's token version, checked by the caller on every use)."""
        claims = self._verified.get(token)
        if claims is None:
            claims = self._verify(token, now)
            with self._keeping:  # jobs running in threads verify tokens too
                self._verified[token] = claims
                if len(self._verified) > VERIFIED_TOKENS_KEPT:
                    del self._verified[next(iter(self._verified))]
        elif claims["exp"] <= int(now.timestamp()):  # as joserfc decides it, with no leeway
            raise InvalidToken("the token has expired")
        return dict(claims)

    def _verify(self, token: str, now: datetime) -> dict[str, Any]:
        try:
            decoded = jwt.decode(token, self._key, algorithms=[ALGORITHM])
            JWTClaimsRegistry(
                now=int(now.timestamp()),
                iss={"essential": True, "value": self._issuer},
                aud={"essential": True, "value": self._audience},
                exp={"essential": True},
                sub={"essential": True},
            ).validate(decoded.claims)
        except (JoseError, ValueError, KeyError, TypeError) as exc:
            raise InvalidToken(str(exc)) from exc
        return dict(decoded.claims)


class AccessTokens(_SignedClaims):
    """Access tokens of accounts."""

    def __init__(self, key: bytes, issuer: str, audience: str, lifetime: timedelta) -> None:
        super().__init__(key, b"jwt:", issuer, audience, lifetime)

    def issue(self, user_id: UUID, role: str, now: datetime, *, token_version: int) -> tuple[str, datetime]:
        return self._sign(user_id, now, {"role": role, "ver": token_version, "jti": secrets.token_urlsafe(12)})

    def verify(self, token: str, now: datetime) -> AccessClaims:
        claims = self._checked(token, now)
        try:
            return AccessClaims(
                user_id=UUID(claims["sub"]),
                role=str(claims.get("role", "")),
                expires_at=datetime.fromtimestamp(claims["exp"], tz=now.tzinfo),
                token_version=_token_version(claims.get("ver", 0)),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidToken(str(exc)) from exc


@dataclass(frozen=True)
class GalleryClaims:
    gallery_id: UUID
    # Who unlocked it: the client's email, in lowercase.
    visitor: str
    expires_at: datetime
    # The gallery's access version when the token was issued: a password changed since refuses it.
    access_version: int


class GalleryTokens(_SignedClaims):
    """Gallery access tokens: one gallery each, with a key and an audience of their own."""

    def __init__(self, key: bytes, issuer: str, lifetime: timedelta) -> None:
        super().__init__(key, b"gallery-jwt:", issuer, f"{issuer}-gallery", lifetime)

    def issue(self, gallery_id: UUID, visitor: str, now: datetime, *, access_version: int) -> tuple[str, datetime]:
        return self._sign(gallery_id, now, {"vis": visitor, "ver": access_version})

    def verify(self, token: str, now: datetime) -> GalleryClaims:
        claims = self._checked(token, now)
        try:
            return GalleryClaims(
                gallery_id=UUID(claims["sub"]),
                visitor=str(claims["vis"]),
                expires_at=datetime.fromtimestamp(claims["exp"], tz=now.tzinfo),
                access_version=_token_version(claims["ver"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidToken(str(exc)) from exc


@dataclass(frozen=True)
class GalleryDownloadClaims:
    download_id: UUID
    gallery_id: UUID
    # The gallery's access version when the download was asked for: a password changed since refuses the link.
    access_version: int


class GalleryDownloadTokens(_SignedClaims):
    """The token of a gallery download's link: names one recorded download and its gallery, with a key and an
    audience of their own, so that no gallery access token (or any other) opens a download, nor one of these a
    gallery."""

    def __init__(self, key: bytes, issuer: str, lifetime: timedelta) -> None:
        super().__init__(key, b"gallery-download-jwt:", issuer, f"{issuer}-gallery-download", lifetime)

    def issue(self, download_id: UUID, gallery_id: UUID, now: datetime, *, access_version: int) -> tuple[str, datetime]:
        return self._sign(download_id, now, {"gal": str(gallery_id), "ver": access_version})

    def verify(self, token: str, now: datetime) -> GalleryDownloadClaims:
        """The download the token names; InvalidToken for anything else or past its expiry."""
        claims = self._checked(token, now)
        try:
            return GalleryDownloadClaims(
                download_id=UUID(claims["sub"]),
                gallery_id=UUID(claims["gal"]),
                access_version=_token_version(claims["ver"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidToken(str(exc)) from exc


class DataExportTokens(_SignedClaims):
    """The token of a data export's link (GDPR Article 20): names one export request and its owner, with a key
    and an audience of its own; issued at the time the export became ready, so it ends with the export."""

    def __init__(self, key: bytes, issuer: str, lifetime: timedelta) -> None:
        super().__init__(key, b"data-export-jwt:", issuer, f"{issuer}-data-export", lifetime)

    def issue(self, request_id: UUID, user_id: UUID, ready_at: datetime) -> tuple[str, datetime]:
        return self._sign(request_id, ready_at, {"usr": str(user_id)})

    def verify(self, token: str, now: datetime) -> tuple[UUID, UUID]:
        """(request id, user id) the token names; InvalidToken for anything else or past its expiry."""
        claims = self._checked(token, now)
        try:
            return UUID(claims["sub"]), UUID(claims["usr"])
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidToken(str(exc)) from exc


def _token_version(claim: object) -> int:
    if not isinstance(claim, int) or isinstance(claim, bool):
        raise InvalidToken("the token version is not a number")
    return claim


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """Secrets with 256 bits of entropy need no slow hash; SHA-256 lets us look them up by value."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_api_key() -> tuple[str, str, str]:
    """Returns (raw key shown once, prefix stored in clear, digest of the secret)."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return f"{API_KEY_PREFIX}_{prefix}_{secret}", prefix, digest(secret)


def split_api_key(raw: str) -> tuple[str, str] | None:
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def same_digest(secret: str, expected_digest: str) -> bool:
    return hmac.compare_digest(digest(secret), expected_digest)

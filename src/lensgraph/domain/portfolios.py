"""Portfolio rules: the public page's words, theme and links, and the photos it features."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from urllib.parse import urlsplit
from uuid import UUID

from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.photos import PhotoStatus

MAX_HEADLINE = 200
MAX_BIO = 2000
MAX_URL = 300
MAX_FEATURED = 24


class PortfolioTheme(Enum):
    LIGHT = "LIGHT"
    DARK = "DARK"
    MINIMAL = "MINIMAL"


DEFAULT_THEME = PortfolioTheme.LIGHT


class SocialNetwork(Enum):
    BEHANCE = "BEHANCE"
    FACEBOOK = "FACEBOOK"
    FLICKR = "FLICKR"
    INSTAGRAM = "INSTAGRAM"
    LINKEDIN = "LINKEDIN"
    PINTEREST = "PINTEREST"
    TIKTOK = "TIKTOK"
    VIMEO = "VIMEO"
    X = "X"
    YOUTUBE = "YOUTUBE"
    WEBSITE = "WEBSITE"


# A link labelled with a network must lead there, so a profile cannot dress another page up as Instagram.
# WEBSITE is the photographer's own site: any host.
NETWORK_DOMAINS: dict[SocialNetwork, tuple[str, ...]] = {
    SocialNetwork.BEHANCE: ("behance.net",),
    SocialNetwork.FACEBOOK: ("facebook.com",),
    SocialNetwork.FLICKR: ("flickr.com",),
    SocialNetwork.INSTAGRAM: ("instagram.com",),
    SocialNetwork.LINKEDIN: ("linkedin.com",),
    SocialNetwork.PINTEREST: ("pinterest.com",),
    SocialNetwork.TIKTOK: ("tiktok.com",),
    SocialNetwork.VIMEO: ("vimeo.com",),
    SocialNetwork.X: ("x.com", "twitter.com"),
    SocialNetwork.YOUTUBE: ("youtube.com",),
}


@dataclass(frozen=True)
class SocialLink:
    network: SocialNetwork
    url: str


def clean_headline(headline: str) -> str:
    cleaned = " ".join(headline.split())
    if len(cleaned) > MAX_HEADLINE:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Use at most {MAX_HEADLINE} characters.", ["headline"])
    return cleaned


def clean_bio(bio: str) -> str:
    cleaned = bio.strip()
    if len(cleaned) > MAX_BIO:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Use at most {MAX_BIO} characters.", ["bio"])
    return cleaned


def clean_social_links(links: Sequence[SocialLink]) -> list[SocialLink]:
    """At most one link per network, each an https URL on that network's site."""
    seen: set[SocialNetwork] = set()
    cleaned = []
    for index, link in enumerate(links):
        if link.network in seen:
            raise DomainError(
                ErrorCode.INVALID_INPUT, "Give at most one link per network.", ["socialLinks", str(index), "network"]
            )
        seen.add(link.network)
        cleaned.append(SocialLink(link.network, _check_link_url(link, ["socialLinks", str(index), "url"])))
    return cleaned


def _check_link_url(link: SocialLink, field: list[str]) -> str:
    url = link.url.strip()
    if len(url) > MAX_URL or any(character.isspace() or not character.isprintable() for character in url):
        raise DomainError(ErrorCode.INVALID_INPUT, f"Give a URL of at most {MAX_URL} characters.", field)
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        raise DomainError(ErrorCode.INVALID_INPUT, "This is not a valid URL.", field) from None
    if parts.scheme != "https" or "." not in host or parts.username is not None or parts.password is not None:
        raise DomainError(ErrorCode.INVALID_INPUT, "Give an https:// address without a user name.", field)
    domains = NETWORK_DOMAINS.get(link.network)
    if domains and not any(host == domain or host.endswith("." + domain) for domain in domains):
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"A {link.network.value} link must be on {' or '.join(domains)}; use WEBSITE for other sites.",
            field,
        )
    return url


def stored_links(links: Sequence[SocialLink]) -> dict[str, str]:
    """As kept in ``portfolios.social_links``: ``{"instagram": "https://..."}``, in the order given."""
    return {link.network.value.lower(): link.url for link in links}


def links_from_storage(stored: Mapping[str, str]) -> list[SocialLink]:
    """Networks that are no longer offered are left out rather than failing the page."""
    offered = {network.value.lower(): network for network in SocialNetwork}
    return [SocialLink(offered[key], url) for key, url in stored.items() if key in offered]


def theme_from_storage(stored: str) -> PortfolioTheme:
    try:
        return PortfolioTheme(stored)
    except ValueError:
        return DEFAULT_THEME


def check_featured(requested: Sequence[UUID], own_photo_statuses: Mapping[UUID, PhotoStatus]) -> list[UUID]:
    """The photos to feature, in order: at most 24, each once, each one of your own READY photos.

    ``own_photo_statuses`` holds the requested photos that belong to the caller; another person's photo
    is missing from it and reads as not found, like any photo that is not yours.
    """
    if len(requested) > MAX_FEATURED:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Feature at most {MAX_FEATURED} photos.", ["photoIds"])
    if len(set(requested)) != len(requested):
        raise DomainError(ErrorCode.INVALID_INPUT, "Name each photo only once.", ["photoIds"])
    for index, photo_id in enumerate(requested):
        status = own_photo_statuses.get(photo_id)
        if status is None:
            raise DomainError(ErrorCode.NOT_FOUND, "No such photo of yours.", ["photoIds", str(index)])
        if status is not PhotoStatus.READY:
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                "Only photos that finished processing can be featured.",
                ["photoIds", str(index)],
            )
    return list(requested)

"""Authorization: one place decides, every resolver and ``node()`` asks it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from lensgraph.domain.accounts import Role


@dataclass(frozen=True)
class Viewer:
    """Who is calling: a signed-in user (by token or API key) or nobody."""

    user_id: UUID
    role: Role
    via_api_key: bool = False
    # When the credential stops being valid (access tokens); live subscriptions end then.
    expires_at: datetime | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


def can_manage_api_keys(viewer: Viewer | None) -> bool:
    """An API key cannot mint or revoke keys: a leaked key must not be able to entrench itself."""
    return viewer is not None and not viewer.via_api_key


def owns(viewer: Viewer | None, owner_id: UUID) -> bool:
    """API keys, notifications, webhook endpoints and deliveries are their owner's alone, not even an admin's."""
    return viewer is not None and viewer.user_id == owner_id

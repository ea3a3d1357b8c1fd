"""Authorization policies: private user data, API keys and key management, who sees a photo."""

from __future__ import annotations

from uuid import uuid4

import pytest

from lensgraph.domain.accounts import Role
from lensgraph.domain.licensing import Party
from lensgraph.domain.photos import PhotoStatus, Visibility
from lensgraph.domain.policies import (
    Viewer,
    can_administer_accounts,
    can_manage_credentials,
    can_view_photo,
    license_party,
    owns,
)

OWNER = uuid4()
OTHER = uuid4()


def viewer(user_id=OWNER, role=Role.PHOTOGRAPHER, via_api_key=False) -> Viewer:
    return Viewer(user_id=user_id, role=role, via_api_key=via_api_key)


@pytest.mark.parametrize("role", list(Role))
def test_is_admin_only_for_admin_role(role):
    assert viewer(role=role).is_admin is (role is Role.ADMIN)


# --- owns ------------------------------------------------------------------------------------


def test_anonymous_owns_nothing():
    assert owns(None, OWNER) is False


@pytest.mark.parametrize("via_api_key", [False, True])
def test_owner_owns_their_objects(via_api_key):
    assert owns(viewer(OWNER, via_api_key=via_api_key), OWNER) is True


@pytest.mark.parametrize("role", list(Role))
def test_nobody_else_owns_them_not_even_admin(role):
    assert owns(viewer(OTHER, role), OWNER) is False


# --- can_manage_credentials ------------------------------------------------------------------


def test_anonymous_cannot_manage_credentials():
    assert can_manage_credentials(None) is False


@pytest.mark.parametrize("role", list(Role))
def test_signed_in_user_can_manage_credentials(role):
    assert can_manage_credentials(viewer(role=role)) is True


@pytest.mark.parametrize("role", list(Role))
def test_api_key_viewer_cannot_manage_credentials(role):
    assert can_manage_credentials(viewer(role=role, via_api_key=True)) is False


# --- can_administer_accounts ------------------------------------------------------------------


def test_only_a_password_signed_in_admin_administers_accounts():
    assert can_administer_accounts(viewer(role=Role.ADMIN)) is True
    assert can_administer_accounts(viewer(role=Role.ADMIN, via_api_key=True)) is False
    assert can_administer_accounts(None) is False


@pytest.mark.parametrize("role", sorted(set(Role) - {Role.ADMIN}, key=lambda role: role.value))
def test_other_roles_do_not_administer_accounts(role):
    assert can_administer_accounts(viewer(role=role)) is False


# --- can_view_photo ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", list(PhotoStatus))
@pytest.mark.parametrize("visibility", list(Visibility))
def test_the_owner_sees_their_photo_in_every_state(status, visibility):
    assert can_view_photo(viewer(OWNER), OWNER, status, visibility) is True


@pytest.mark.parametrize("someone", [None, viewer(OTHER), viewer(OTHER, Role.ADMIN), viewer(OTHER, Role.BRAND)])
def test_everyone_else_sees_only_ready_public_photos(someone):
    assert can_view_photo(someone, OWNER, PhotoStatus.READY, Visibility.PUBLIC) is True
    assert can_view_photo(someone, OWNER, PhotoStatus.READY, Visibility.PRIVATE) is False
    for unfinished in (PhotoStatus.PROCESSING, PhotoStatus.FAILED):
        assert can_view_photo(someone, OWNER, unfinished, Visibility.PUBLIC) is False


# Licenses ------------------------------------------------------------------------------------


def test_license_party_is_the_viewers_side():
    brand, photographer = uuid4(), uuid4()
    assert license_party(viewer(brand, Role.BRAND), brand, photographer) is Party.BRAND
    assert license_party(viewer(photographer), brand, photographer) is Party.PHOTOGRAPHER


@pytest.mark.parametrize("role", list(Role))
def test_license_party_is_none_for_everyone_else(role):
    """Outsiders, administrators included, and the anonymous are no party: the license does not exist for them."""
    brand, photographer = uuid4(), uuid4()
    assert license_party(viewer(OTHER, role), brand, photographer) is None
    assert license_party(None, brand, photographer) is None


def test_license_party_ignores_how_the_viewer_signed_in():
    brand, photographer = uuid4(), uuid4()
    assert license_party(viewer(brand, Role.BRAND, via_api_key=True), brand, photographer) is Party.BRAND

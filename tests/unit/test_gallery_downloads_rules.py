"""Gallery download rules: the policy, the PIN's form, what is asked for, and the names inside the zip."""

from __future__ import annotations

import pytest

from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.galleries import DownloadPolicy
from lensgraph.domain.gallery_downloads import (
    MAX_PHOTOS_NAMED,
    DownloadKind,
    DownloadSize,
    MemberSource,
    check_download_pin,
    download_kind,
    download_size,
    member_names,
    zip_name,
)

JPEG = "image/jpeg"


def test_the_policy_decides_the_size_and_none_refuses():
    assert download_size(DownloadPolicy.WEB_SIZE) is DownloadSize.WEB
    assert download_size(DownloadPolicy.FULL_SIZE) is DownloadSize.ORIGINAL
    with pytest.raises(DomainError) as refused:
        download_size(DownloadPolicy.NONE)
    assert refused.value.code is ErrorCode.DOWNLOADS_DISABLED


@pytest.mark.parametrize("pin", ["1234", "12345678"])
def test_a_pin_has_four_to_eight_digits(pin):
    check_download_pin(pin)


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", " 1234", ""])
def test_other_pins_are_refused(pin):
    with pytest.raises(DomainError) as refused:
        check_download_pin(pin)
    assert refused.value.code is ErrorCode.INVALID_INPUT and refused.value.field == ["downloadPin"]


def test_photos_a_set_or_the_whole_gallery_but_not_photos_and_a_set():
    assert download_kind(3, set_named=False) is DownloadKind.PHOTOS
    assert download_kind(0, set_named=True) is DownloadKind.SET
    assert download_kind(0, set_named=False) is DownloadKind.GALLERY
    for count, set_named in ((2, True), (MAX_PHOTOS_NAMED + 1, False)):
        with pytest.raises(DomainError) as refused:
            download_kind(count, set_named)
        assert refused.value.code is ErrorCode.INVALID_INPUT


def test_member_names_are_harmless_and_unique_per_folder_ignoring_case():
    members = [
        MemberSource("Beach", None, JPEG),
        MemberSource("beach", None, JPEG),
        MemberSource("Beach", "Ceremony", JPEG),
        MemberSource("../../etc/passwd", "../..", JPEG),
        MemberSource("", None, "image/png"),
        MemberSource("Beach", None, JPEG),
    ]
    assert member_names(members) == [
        "Beach.jpg",
        "beach (2).jpg",
        "Ceremony/Beach.jpg",
        "Set/etc passwd.jpg",
        "photo.png",
        "Beach (3).jpg",
    ]


def test_the_zip_is_named_after_the_gallery():
    assert zip_name("Smith / Jones wedding") == "Smith Jones wedding.zip"
    assert zip_name("..") == "gallery.zip"

"""Pure rules of gallery media: sniffing MP4/MOV by their ftyp box, the reminder window, restoring."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lensgraph.domain import galleries as rules
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.media import check_sniffed_video, check_video_request, sniff_video


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = b"ftyp" + major + b"\x00\x00\x02\x00" + b"".join(compatible)
    return (len(body) + 4).to_bytes(4, "big") + body + b"\x00\x00\x00\x08free"


@pytest.mark.parametrize(
    ("head", "found"),
    [
        (ftyp(b"isom", b"isom", b"mp41"), "video/mp4"),
        (ftyp(b"mp42", b"mp42"), "video/mp4"),
        (ftyp(b"qt  ", b"qt  "), "video/quicktime"),
        # An unknown major brand with a QuickTime compatible brand is a MOV.
        (ftyp(b"abcd", b"qt  "), "video/quicktime"),
        (ftyp(b"heic", b"mif1", b"heic"), None),  # an HEIC photo is ISO-BMFF too, but no video
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, None),
        (b"RIFF\x00\x00\x00\x00AVI LIST", None),
        (b"", None),
    ],
)
def test_the_container_is_read_from_the_bytes(head, found):
    assert sniff_video(head) == found


def test_a_file_that_is_no_video_is_upload_invalid():
    with pytest.raises(DomainError) as refused:
        check_sniffed_video(b"GIF89a" + b"\x00" * 30)
    assert refused.value.code is ErrorCode.UPLOAD_INVALID


def test_the_video_request_takes_mp4_and_mov_within_the_limit():
    assert check_video_request("my film.mov", "video/quicktime", 10, 100) == "my-film.mov"
    for mime, size, code in (
        ("video/webm", 10, ErrorCode.UPLOAD_INVALID),
        ("video/mp4", 101, ErrorCode.QUOTA_EXCEEDED),
    ):
        with pytest.raises(DomainError) as refused:
            check_video_request("a.mp4", mime, size, 100)
        assert refused.value.code is code


def test_the_reminder_window_and_zero_days_turning_reminders_off():
    now = datetime(2026, 12, 4, tzinfo=UTC)
    assert rules.reminder_window(now, 3) == now + timedelta(days=3)
    assert rules.reminder_window(now, 0) is None


def test_the_reminder_names_the_gallery_link_and_expiry():
    subject, body = rules.reminder_text("Smith", "https://x/galleries/smith", datetime(2027, 1, 2, 9, 30), "")
    assert "Smith" in subject and "https://x/galleries/smith" in body and "02 January 2027 at 09:30" in body
    assert body.startswith("Hello,")


def test_only_an_archived_gallery_is_restored():
    rules.check_restorable(rules.GalleryStatus.ARCHIVED)
    with pytest.raises(DomainError) as refused:
        rules.check_restorable(rules.GalleryStatus.ACTIVE)
    assert refused.value.code is ErrorCode.INVALID_TRANSITION

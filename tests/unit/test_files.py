"""Where confirmed files are stored and what downloads are called: from the sniffed type, never the client."""

from __future__ import annotations

from uuid import UUID

import pytest

from lensgraph.domain import files
from lensgraph.domain.errors import DomainError
from lensgraph.domain.photos import check_sniffed_format
from lensgraph.domain.releases import check_document_format

RECORD = UUID("12345678-1234-5678-1234-567812345678")


def test_stored_keys_are_named_by_the_sniffed_type() -> None:
    assert files.stored_key("photos", RECORD, "original", "image/jpeg") == f"photos/{RECORD}/original.jpg"
    assert files.stored_key("releases", RECORD, "document", "application/pdf") == f"releases/{RECORD}/document.pdf"
    assert files.upload_key(RECORD, RECORD) == f"uploads/{RECORD}/{RECORD}"


@pytest.mark.parametrize(
    ("label", "media_type", "expected"),
    [
        ("Sunset over the pier", "image/jpeg", "Sunset over the pier.jpg"),
        ("evil.html", "image/jpeg", "evil.html.jpg"),
        ('../../etc/"passwd";\r\nX: y', "image/png", "etc passwd X y.png"),
        ("Été à Paris", "application/pdf", "Été à Paris.pdf"),
        ("...", "image/webp", "file.webp"),
        ("x" * 300, "image/tiff", "x" * files.MAX_DOWNLOAD_STEM + ".tif"),
        ("notes", "text/html", "notes.bin"),
    ],
)
def test_download_names_end_in_the_sniffed_type(label: str, media_type: str, expected: str) -> None:
    assert files.download_name(label, media_type) == expected


def test_the_sniffed_format_decides_the_media_type() -> None:
    assert check_sniffed_format("image/jpeg", "JPEG") == "image/jpeg"
    assert check_document_format("application/pdf", "PDF") == "application/pdf"
    with pytest.raises(DomainError):
        check_sniffed_format("image/jpeg", "PNG")
    with pytest.raises(DomainError):
        check_document_format("image/png", None)

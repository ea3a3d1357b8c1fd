"""The licensed copy's writer: the license read back by exiv2 (an independent reader), the image data untouched, old
XMP and IPTC replaced, EXIF kept, and files it must refuse."""

from __future__ import annotations

import io
import struct
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from uuid import UUID

import pyexiv2
import pytest
from PIL import Image

from lensgraph.adapters.license_metadata import LicenseTooLong, NotAJpeg, write_license
from lensgraph.domain.marketplace import LicenseNotice, LicenseTier
from lensgraph.domain.money import Currency, Money
from tests.api.images import photo_jpeg, png_bomb

XMP_SIGNATURE = b"http://ns.adobe.com/xap/1.0/\x00"
PURCHASE = UUID("3f1c9a52-8d7e-4b0a-9c61-2f5e8a7b9d10")


def notice(terms: str = "Commercial use in marketing materials & <print>") -> LicenseNotice:
    return LicenseNotice(
        purchase_id=PURCHASE,
        buyer='Zoë "Z" Ångström (@zoe)',
        seller="Ada Lovelace (@ada)",
        tier=LicenseTier.COMMERCIAL,
        terms=terms,
        verification_code="LG-7Q2K",
        price=Money(5000, Currency("EUR")),
        licensed_at=datetime(2026, 12, 4, 15, 30, tzinfo=UTC),
    )


def segments(jpeg: bytes) -> tuple[list[tuple[int, bytes]], bytes]:
    """The test's own walk: (marker, payload) of each segment before the scan, and the bytes from SOS on."""
    assert jpeg[:2] == b"\xff\xd8"
    found, at = [], 2
    while jpeg[at + 1] != 0xDA:
        marker, (length,) = jpeg[at + 1], struct.unpack_from(">H", jpeg, at + 2)
        found.append((marker, jpeg[at + 4 : at + 2 + length]))
        at += 2 + length
    return found, jpeg[at:]


def read_back(jpeg: bytes) -> tuple[dict, dict, dict]:
    with pyexiv2.ImageData(jpeg) as image:
        return image.read_xmp(), image.read_iptc(), image.read_exif()


def test_the_license_reads_back_from_xmp_and_iptc():
    licensed = write_license(photo_jpeg(320, 200), notice())
    xmp, iptc, _ = read_back(licensed)
    rights = '© Ada Lovelace (@ada). Licensed to Zoë "Z" Ångström (@zoe) (commercial license).'
    assert xmp["Xmp.dc.rights"] == {'lang="x-default"': rights}
    assert xmp["Xmp.xmpRights.Marked"] == "True"
    assert xmp["Xmp.xmpRights.UsageTerms"] == {'lang="x-default"': notice().usage_terms()}
    assert {key: value for key, value in xmp.items() if key.startswith("Xmp.lensgraph.")} == {
        "Xmp.lensgraph.PurchaseId": str(PURCHASE),
        "Xmp.lensgraph.Licensee": 'Zoë "Z" Ångström (@zoe)',
        "Xmp.lensgraph.Licensor": "Ada Lovelace (@ada)",
        "Xmp.lensgraph.Tier": "COMMERCIAL",
        "Xmp.lensgraph.Terms": "Commercial use in marketing materials & <print>",
        "Xmp.lensgraph.VerificationCode": "LG-7Q2K",
        "Xmp.lensgraph.Price": "50.00 EUR",
        "Xmp.lensgraph.LicensedAt": "2026-12-04T15:30:00+00:00",
    }
    assert iptc["Iptc.Envelope.CharacterSet"] == "\x1b%G"
    assert iptc["Iptc.Application2.Copyright"] == rights
    assert iptc["Iptc.Application2.SpecialInstructions"] == notice().usage_terms()
    # One XMP packet, well-formed XML on its own.
    packets = [payload for marker, payload in segments(licensed)[0] if payload.startswith(XMP_SIGNATURE)]
    assert len(packets) == 1
    root = ET.fromstring(packets[0].removeprefix(XMP_SIGNATURE))
    assert root.tag == "{adobe:ns:meta/}xmpmeta"


def test_the_image_data_and_exif_are_kept_byte_for_byte():
    original = photo_jpeg(640, 400, seed=3)
    licensed = write_license(original, notice())
    before, scan_before = segments(original)
    after, scan_after = segments(licensed)
    assert scan_after == scan_before  # the entropy-coded data, and all after it
    # Every segment of the original is still there, in order (EXIF, tables, frame header): only two were added.
    assert [segment for segment in after if segment in before] == before
    assert len(after) == len(before) + 2
    exif = [payload for marker, payload in after if marker == 0xE1 and payload.startswith(b"Exif\x00\x00")]
    assert exif == [payload for marker, payload in before if marker == 0xE1 and payload.startswith(b"Exif")]
    assert read_back(licensed)[2]["Exif.Image.Make"] == "Canon"
    with Image.open(io.BytesIO(licensed)) as got, Image.open(io.BytesIO(original)) as expected:
        assert got.tobytes() == expected.tobytes()


def test_existing_xmp_and_iptc_are_replaced_not_added_to():
    original = photo_jpeg(320, 200, seed=5)
    with pyexiv2.ImageData(original) as image:
        image.modify_xmp({"Xmp.dc.creator": ["Someone Else"], "Xmp.dc.rights": {'lang="x-default"': "All mine"}})
        image.modify_iptc({"Iptc.Application2.Byline": ["Someone Else"], "Iptc.Application2.Copyright": "Mine"})
        marked = image.get_bytes()
    assert read_back(marked)[0]["Xmp.dc.creator"] == ["Someone Else"]

    licensed = write_license(marked, notice())
    xmp, iptc, exif = read_back(licensed)
    assert "Xmp.dc.creator" not in xmp and "Iptc.Application2.Byline" not in iptc
    assert xmp["Xmp.dc.rights"]['lang="x-default"'].startswith("© Ada Lovelace")
    assert iptc["Iptc.Application2.Copyright"].startswith("© Ada Lovelace")
    assert exif["Exif.Image.Model"] == "EOS R5"
    found = segments(licensed)[0]
    assert sum(payload.startswith(XMP_SIGNATURE) for _, payload in found) == 1
    assert sum(marker == 0xED for marker, _ in found) == 1
    # Same facts, same bytes: writing again over a licensed copy changes nothing.
    assert write_license(licensed, notice()) == licensed
    assert segments(licensed)[1] == segments(original)[1]


def test_iptc_is_cut_to_its_octet_limits_and_the_xmp_keeps_everything():
    terms = "日本語の利用条件。" * 200  # 1,800 characters, three octets each
    licensed = write_license(photo_jpeg(200, 120), notice(terms))
    xmp, iptc, _ = read_back(licensed)
    assert xmp["Xmp.lensgraph.Terms"] == terms
    special = iptc["Iptc.Application2.SpecialInstructions"]
    assert len(special.encode()) <= 256 and notice(terms).usage_terms().startswith(special)
    assert len(iptc["Iptc.Application2.Copyright"].encode()) <= 128


def test_terms_too_long_for_a_segment_are_refused():
    with pytest.raises(LicenseTooLong, match="65533"):
        write_license(photo_jpeg(200, 120), notice("x" * 40_000))


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(png_bomb(100, 100), id="png"),
        pytest.param(b"\xff\xd8\xff\xe0\x00\x10JFIF", id="truncated-segment"),
        pytest.param(b"\xff\xd8\x00\x00\x00", id="no-marker-after-soi"),
        pytest.param(b"\xff\xd8\xff\xd9", id="ends-before-image"),
        pytest.param(b"\xff\xd8\xff\xda\x00\x02\x00", id="scan-without-frame"),
    ],
)
def test_what_is_not_a_readable_jpeg_is_refused(data):
    with pytest.raises(NotAJpeg):
        write_license(data, notice())


def test_a_truncated_photo_is_refused():
    original = photo_jpeg(200, 120)
    sos = segments(original)[1]
    with pytest.raises(NotAJpeg):
        write_license(original[: len(original) - len(sos) - 7], notice())

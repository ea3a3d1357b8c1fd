"""Writing a marketplace license into a JPEG's metadata with exiv2 (``pyexiv2``): XMP (Dublin Core rights, XMP
Rights Management usage terms, and our own namespace for the facts a machine reads back) and IPTC IIM.

Only metadata changes: the image data is copied as it is, so the licensed copy shows the very pixels verified.
"""

from __future__ import annotations

import pyexiv2

from lensgraph.domain.marketplace import LicenseNotice

NAMESPACE = "https://lensgraph.dev/ns/license/1.0/"
PREFIX = "lensgraph"
# IPTC IIM's field lengths (IIM 4.2): longer values are cut, the XMP keeps them whole.
IPTC_COPYRIGHT = 128
IPTC_SPECIAL_INSTRUCTIONS = 256
# ISO 2022 escape for UTF-8: without it, readers take IPTC text as Latin-1.
IPTC_UTF8 = "\x1b%G"

pyexiv2.registerNs(NAMESPACE, PREFIX)


class NotAJpeg(Exception):
    """exiv2 could not read or write the file's metadata."""


def _lang_alt(text: str) -> dict[str, str]:
    return {'lang="x-default"': text}


def write_license(jpeg: bytes, notice: LicenseNotice) -> bytes:
    """The JPEG with the license in its XMP and IPTC, replacing any rights statement it carried."""
    rights = f"© {notice.seller}. Licensed to {notice.buyer} ({notice.tier.value.lower()} license)."
    usage = notice.usage_terms()
    try:
        with pyexiv2.ImageData(jpeg) as image:
            image.modify_xmp(
                {
                    "Xmp.dc.rights": _lang_alt(rights),
                    "Xmp.xmpRights.Marked": "True",
                    "Xmp.xmpRights.UsageTerms": _lang_alt(usage),
                    f"Xmp.{PREFIX}.PurchaseId": str(notice.purchase_id),
                    f"Xmp.{PREFIX}.Licensee": notice.buyer,
                    f"Xmp.{PREFIX}.Licensor": notice.seller,
                    f"Xmp.{PREFIX}.Tier": notice.tier.value,
                    f"Xmp.{PREFIX}.Terms": notice.terms,
                    f"Xmp.{PREFIX}.VerificationCode": notice.verification_code,
                    f"Xmp.{PREFIX}.Price": notice.price.formatted(),
                    f"Xmp.{PREFIX}.LicensedAt": notice.licensed_at.isoformat(),
                }
            )
            image.modify_iptc(
                {
                    "Iptc.Envelope.CharacterSet": IPTC_UTF8,
                    "Iptc.Application2.Copyright": rights[:IPTC_COPYRIGHT],
                    "Iptc.Application2.SpecialInstructions": usage[:IPTC_SPECIAL_INSTRUCTIONS],
                }
            )
            data: bytes = image.get_bytes()
    except RuntimeError as error:
        raise NotAJpeg(str(error)) from error
    return data

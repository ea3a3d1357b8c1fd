"""Writing a marketplace license into a JPEG's metadata: XMP (Dublin Core rights, XMP Rights Management usage terms,
and our own namespace for the facts a machine reads back) and IPTC IIM (in a Photoshop APP13 resource).

Lossless by construction: only the marker segments before the scan are rewritten, and everything from the start of
scan onwards (the entropy-coded data) is copied byte for byte, so the licensed copy shows the very pixels verified.
Standard library only (exiv2's bindings are GPL-3.0; tests use them to read the result back independently).
"""

from __future__ import annotations

import re
import struct
from typing import Protocol
from xml.sax.saxutils import escape

NAMESPACE = "https://lensgraph.dev/ns/license/1.0/"
PREFIX = "lensgraph"
# IPTC IIM's field lengths in octets (IIM 4.2): longer values are cut, the XMP keeps them whole.
IPTC_COPYRIGHT = 128
IPTC_SPECIAL_INSTRUCTIONS = 256
# ISO 2022 escape for UTF-8: without it, readers take IPTC text as Latin-1.
IPTC_UTF8 = b"\x1b%G"
# A segment's length field counts itself: 65535 - 2 bytes of payload at most.
MAX_SEGMENT_PAYLOAD = 65533

XMP_SIGNATURE = b"http://ns.adobe.com/xap/1.0/\x00"
# The rest of an XMP packet too big for one segment: orphaned once the main packet is replaced.
EXTENDED_XMP_SIGNATURE = b"http://ns.adobe.com/xmp/extension/\x00"
PHOTOSHOP_SIGNATURE = b"Photoshop 3.0\x00"
IPTC_RESOURCE = 0x0404

SOI, SOS, EOI, APP1, APP13 = 0xD8, 0xDA, 0xD9, 0xE1, 0xED
FRAME_HEADERS = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers without a length field: TEM and the restart markers.
STANDALONE = {0x01, *range(0xD0, 0xD8)}
# Characters XML 1.0 cannot carry, even escaped.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class LicenseNotice(Protocol):
    """What a licensed file says about itself: a marketplace purchase's (``domain.marketplace.LicenseNotice``) or a
    negotiated license's (``domain.license_references.LicenseFileNotice``)."""

    def rights(self) -> str:
        """The copyright line (dc:rights, IPTC CopyrightNotice)."""
        ...

    def usage_terms(self) -> str:
        """The terms in a sentence or two (xmpRights:UsageTerms, IPTC SpecialInstructions)."""
        ...

    def facts(self) -> dict[str, str]:
        """Name -> value in our XMP namespace, for machines to read back."""
        ...


class LicenseNotWritten(Exception):
    """The license could not be written into the file."""


class NotAJpeg(LicenseNotWritten):
    """The bytes are not a JPEG whose marker segments can be read."""


class LicenseTooLong(LicenseNotWritten):
    """The license's XMP packet does not fit in one JPEG segment."""


def write_license(jpeg: bytes, notice: LicenseNotice) -> bytes:
    """The JPEG with the license in its XMP and IPTC, replacing any XMP and IPTC it carried."""
    rights, usage = notice.rights(), notice.usage_terms()
    xmp = _segment(APP1, XMP_SIGNATURE + _xmp_packet(notice, rights, usage), "XMP")
    iptc = _segment(APP13, PHOTOSHOP_SIGNATURE + _photoshop_resource(IPTC_RESOURCE, _iptc(rights, usage)), "IPTC")
    head, scan = _split(jpeg)
    kept = [segment for segment in head if not _replaced(segment)]
    at = next((i for i, segment in enumerate(kept) if not _is_app_or_comment(segment)), len(kept))
    return b"\xff\xd8" + b"".join([*kept[:at], xmp, iptc, *kept[at:]]) + scan


def _split(jpeg: bytes) -> tuple[list[bytes], bytes]:
    """The marker segments before the first scan (each with its marker), and the rest from SOS on, untouched."""
    if jpeg[:2] != b"\xff\xd8":
        raise NotAJpeg("no start-of-image marker: not a JPEG")
    segments: list[bytes] = []
    at = 2
    while True:
        start = at
        if at >= len(jpeg) or jpeg[at] != 0xFF:
            raise NotAJpeg(f"expected a marker at byte {at}: the JPEG is malformed or truncated")
        while at < len(jpeg) and jpeg[at] == 0xFF:  # fill bytes may pad a marker
            at += 1
        if at >= len(jpeg):
            raise NotAJpeg("the JPEG ends before its image data")
        marker = jpeg[at]
        at += 1
        body = at
        if marker == SOS:
            if not any(segment[1] in FRAME_HEADERS for segment in segments):
                raise NotAJpeg("the image data has no frame header (SOF) before it")
            return segments, jpeg[start:]
        if marker in (EOI, SOI, 0x00):
            raise NotAJpeg(f"unexpected marker 0xFF{marker:02X} at byte {at - 1} before the image data")
        if marker not in STANDALONE:
            if at + 2 > len(jpeg):
                raise NotAJpeg("the JPEG is truncated inside a segment header")
            (length,) = struct.unpack_from(">H", jpeg, at)
            if length < 2 or at + length > len(jpeg):
                raise NotAJpeg(f"segment 0xFF{marker:02X} at byte {start} has an impossible length {length}")
            at += length
        segments.append(bytes([0xFF, marker]) + jpeg[body:at])  # fill bytes dropped


def _replaced(segment: bytes) -> bool:
    marker, payload = segment[1], segment[4:]
    if marker == APP1:
        return payload.startswith((XMP_SIGNATURE, EXTENDED_XMP_SIGNATURE))
    return marker == APP13 and payload.startswith(PHOTOSHOP_SIGNATURE)


def _is_app_or_comment(segment: bytes) -> bool:
    return 0xE0 <= segment[1] <= 0xEF or segment[1] == 0xFE


def _segment(marker: int, payload: bytes, what: str) -> bytes:
    if len(payload) > MAX_SEGMENT_PAYLOAD:
        raise LicenseTooLong(
            f"the license's {what} takes {len(payload)} bytes; a JPEG segment holds at most {MAX_SEGMENT_PAYLOAD}"
        )
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


# XMP ---------------------------------------------------------------------------------------------


def _xml_text(value: str) -> str:
    # A carriage return would be read back as a line feed unless it is a character reference.
    return escape(NOT_XML.sub("\ufffd", value), {"\r": "&#13;"})


def _lang_alt(name: str, text: str) -> str:
    return (
        f"   <{name}>\n    <rdf:Alt>\n"
        f'     <rdf:li xml:lang="x-default">{_xml_text(text)}</rdf:li>\n'
        f"    </rdf:Alt>\n   </{name}>\n"
    )


def _xmp_packet(notice: LicenseNotice, rights: str, usage: str) -> bytes:
    ours = notice.facts()
    simple = "".join(f"   <{PREFIX}:{name}>{_xml_text(value)}</{PREFIX}:{name}>\n" for name, value in ours.items())
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about=""\n'
        '    xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        '    xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/"\n'
        f'    xmlns:{PREFIX}="{NAMESPACE}">\n'
        + _lang_alt("dc:rights", rights)
        + "   <xmpRights:Marked>True</xmpRights:Marked>\n"
        + _lang_alt("xmpRights:UsageTerms", usage)
        + simple
        + "  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    )
    return packet.encode("utf-8")


# IPTC IIM ----------------------------------------------------------------------------------------


def _cut(text: str, octets: int) -> bytes:
    """At most ``octets`` bytes of UTF-8, never splitting a character."""
    return text.encode("utf-8")[:octets].decode("utf-8", errors="ignore").encode("utf-8")


def _dataset(record: int, number: int, value: bytes) -> bytes:
    # Every value here is at most 256 octets: the standard (not extended) length field suffices.
    return struct.pack(">BBBH", 0x1C, record, number, len(value)) + value


def _iptc(rights: str, usage: str) -> bytes:
    return b"".join(
        [
            _dataset(1, 90, IPTC_UTF8),  # CodedCharacterSet
            _dataset(2, 0, struct.pack(">H", 4)),  # RecordVersion
            _dataset(2, 40, _cut(usage, IPTC_SPECIAL_INSTRUCTIONS)),  # SpecialInstructions
            _dataset(2, 116, _cut(rights, IPTC_COPYRIGHT)),  # CopyrightNotice
        ]
    )


def _photoshop_resource(resource_id: int, data: bytes) -> bytes:
    """One image resource block: '8BIM', its id, an empty Pascal name (padded to even), size, even-padded data."""
    return b"8BIM" + struct.pack(">HHI", resource_id, 0, len(data)) + data + b"\x00" * (len(data) % 2)

"""Video rules: which films a gallery takes, how their type is found from the bytes, and how long they may run."""

from __future__ import annotations

from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.photos import safe_filename

# Declared types a video upload may name; the bytes decide what is kept.
VIDEO_TYPES = {"video/mp4": "MP4", "video/quicktime": "MOV"}
# ISO base media file format: bytes 4-8 are "ftyp", then the major brand; QuickTime's is "qt  ".
FTYP = b"ftyp"
QUICKTIME_BRAND = b"qt  "
MP4_BRANDS = frozenset(
    {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"M4VP", b"dash", b"mmp4"}
)
POSTER = "poster"


def check_video_request(filename: str, mime_type: str, size: int, limit: int) -> str:
    """A safe file name; refuses declared types other than MP4/MOV and sizes over the video limit."""
    if mime_type not in VIDEO_TYPES:
        raise DomainError(ErrorCode.UPLOAD_INVALID, "Upload a video/mp4 or video/quicktime file.", ["mimeType"])
    if size <= 0:
        raise DomainError(ErrorCode.INVALID_INPUT, "Give the file's size in bytes.", ["fileSizeBytes"])
    if size > limit:
        raise DomainError(
            ErrorCode.QUOTA_EXCEEDED, f"Videos may be at most {limit // (1024 * 1024)} MB.", ["fileSizeBytes"]
        )
    return safe_filename(filename)


def sniff_video(head: bytes) -> str | None:
    """The media type the first bytes show (an ISO-BMFF ``ftyp`` box and its brands), whatever the name says."""
    if len(head) < 12 or head[4:8] != FTYP:
        return None
    box_size = int.from_bytes(head[0:4], "big")
    brands = [head[8:12]] + [head[i : i + 4] for i in range(16, min(box_size, len(head)) - 3, 4)]
    if brands[0] == QUICKTIME_BRAND:
        return "video/quicktime"
    if any(brand in MP4_BRANDS for brand in brands):
        return "video/mp4"
    if QUICKTIME_BRAND in brands:
        return "video/quicktime"
    return None


def check_sniffed_video(head: bytes) -> str:
    """The media type the bytes were found to be; anything but an MP4 or MOV container is refused."""
    found = sniff_video(head)
    if found is None:
        raise DomainError(ErrorCode.UPLOAD_INVALID, "The file is not an MP4 or MOV video.", ["uploadId"])
    return found


def check_video_stream(duration_ms: int | None, width: int, height: int) -> None:
    """A decodable film has a picture: a file with no video frame (or no size) is not one."""
    if width <= 0 or height <= 0 or duration_ms is None or duration_ms <= 0:
        raise DomainError(ErrorCode.UPLOAD_INVALID, "The file holds no playable video.", ["uploadId"])

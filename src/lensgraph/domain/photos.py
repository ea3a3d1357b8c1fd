"""Photo rules: what may be uploaded, how a photo's text is cleaned, what analysis concludes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.files import media_type_of

# A decoded image larger than this is refused before its pixels are decoded (decompression bombs).
MAX_PIXELS = 120_000_000
ACCEPTED_TYPES = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/tiff": "TIFF",
    "image/webp": "WEBP",
    "image/heic": "HEIF",
}
MAX_TITLE = 200
MAX_DESCRIPTION = 5000
MAX_KEYWORDS = 50
MAX_KEYWORD_LENGTH = 50
# No word anyone types holds one, and PostgreSQL text cannot hold NUL at all.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Perceptual hashes this close (out of 64 bits) are the same picture, resized or recompressed.
DUPLICATE_DISTANCE = 6
# Thumbnails, previews and watermarked previews: JPEGs the pipeline makes.
RENDITION_TYPE = "image/jpeg"
THUMBNAIL_PX = 256
PREVIEW_PX = 1280
# How many of the palette's colours (most present first) describe a photo: keywords and colour filters.
DOMINANT_COLORS = 3
# The auto keyword of a photo in which analysis found faces.
PEOPLE_KEYWORD = "people"


class PhotoStatus(Enum):
    PROCESSING = "PROCESSING"
    READY = "READY"
    FAILED = "FAILED"
    # Taken down by an administrator after a duplicate claim: out of the catalogue, its owner's alone to see.
    TAKEN_DOWN = "TAKEN_DOWN"


class MediaKind(Enum):
    """What a library item is: a still photo, or a video (kept as uploaded, shown through a poster frame)."""

    PHOTO = "PHOTO"
    VIDEO = "VIDEO"


class Visibility(Enum):
    """Photos and collections: PUBLIC ones are browsable by anyone; PRIVATE ones only by their owner."""

    PUBLIC = "PUBLIC"
    PRIVATE = "PRIVATE"


class PhotoCategory(Enum):
    """Set by the photographer; the pipeline suggests PEOPLE when it finds faces and none was set."""

    ABSTRACT = "ABSTRACT"
    ANIMALS = "ANIMALS"
    ARCHITECTURE = "ARCHITECTURE"
    BUSINESS = "BUSINESS"
    EVENTS = "EVENTS"
    FASHION = "FASHION"
    FOOD = "FOOD"
    NATURE = "NATURE"
    PEOPLE = "PEOPLE"
    SPORTS = "SPORTS"
    TECHNOLOGY = "TECHNOLOGY"
    TRAVEL = "TRAVEL"
    URBAN = "URBAN"


class ReleaseKind(Enum):
    MODEL = "MODEL"
    PROPERTY = "PROPERTY"


class UploadPurpose(Enum):
    PHOTO = "PHOTO"
    RELEASE_DOCUMENT = "RELEASE_DOCUMENT"
    # The two halves of a verification: the camera's RAW file and the JPEG said to be developed from it.
    RAW = "RAW"
    IMAGE_FOR_VERIFICATION = "IMAGE_FOR_VERIFICATION"
    # An MP4 or MOV film for a client gallery (confirmVideoUpload); its own size limit.
    VIDEO = "VIDEO"


class TagKind(Enum):
    """What a photo is indexed under for exact filters (search is full-text, elsewhere)."""

    KEYWORD = "KEYWORD"
    COLOR = "COLOR"
    # A license usage the owner offers the photo for (``licensing.Usage`` values).
    USAGE = "USAGE"


class Orientation(Enum):
    LANDSCAPE = "LANDSCAPE"
    PORTRAIT = "PORTRAIT"
    SQUARE = "SQUARE"


def check_upload_request(filename: str, mime_type: str, size: int, limit: int) -> str:
    """Returns a safe file name; refuses types we cannot analyse and sizes over the limit."""
    if mime_type not in ACCEPTED_TYPES:
        accepted = ", ".join(sorted(ACCEPTED_TYPES))
        raise DomainError(ErrorCode.UPLOAD_INVALID, f"Upload one of: {accepted}.", ["mimeType"])
    if size <= 0:
        raise DomainError(ErrorCode.INVALID_INPUT, "Give the file's size in bytes.", ["fileSizeBytes"])
    if size > limit:
        megabytes = limit // (1024 * 1024)
        raise DomainError(
            ErrorCode.QUOTA_EXCEEDED,
            f"Files may be at most {megabytes} MB on your plan; a higher plan takes larger files.",
            ["fileSizeBytes"],
        )
    return safe_filename(filename)


def safe_filename(filename: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", filename.strip().rsplit("/", 1)[-1]).strip(".-")[:120]
    if not name:
        raise DomainError(ErrorCode.INVALID_INPUT, "Give the file's name.", ["filename"])
    return name


def check_sniffed_format(declared_mime: str, sniffed_format: str | None) -> str:
    """What the bytes are, not what the client said, decides: answers the media type they were found to be."""
    if sniffed_format is None or sniffed_format not in ACCEPTED_TYPES.values():
        raise DomainError(ErrorCode.UPLOAD_INVALID, "The file is not an image we accept.", ["uploadId"])
    if ACCEPTED_TYPES[declared_mime] != sniffed_format:
        raise DomainError(
            ErrorCode.UPLOAD_INVALID,
            f"The file is {sniffed_format}, not {ACCEPTED_TYPES[declared_mime]} as declared.",
            ["uploadId"],
        )
    return media_type_of(sniffed_format, ACCEPTED_TYPES)


def check_pixels(width: int, height: int) -> None:
    if width * height > MAX_PIXELS:
        raise DomainError(
            ErrorCode.UPLOAD_INVALID, f"Images may have at most {MAX_PIXELS // 1_000_000} megapixels.", ["uploadId"]
        )


def clean_title(title: str) -> str:
    cleaned = " ".join(title.split())
    if not cleaned or len(cleaned) > MAX_TITLE:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Give a title of 1 to {MAX_TITLE} characters.", ["title"])
    return cleaned


def clean_description(description: str | None) -> str:
    cleaned = (description or "").strip()
    if len(cleaned) > MAX_DESCRIPTION:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Use at most {MAX_DESCRIPTION} characters.", ["description"])
    return cleaned


def clean_keywords(keywords: list[str]) -> list[str]:
    """Lower-cased, trimmed, unique, in the order given."""
    seen: dict[str, None] = {}
    for keyword in keywords:
        cleaned = " ".join(keyword.lower().split())
        if not cleaned:
            continue
        if len(cleaned) > MAX_KEYWORD_LENGTH:
            raise DomainError(
                ErrorCode.INVALID_INPUT, f"Keywords may have at most {MAX_KEYWORD_LENGTH} characters.", ["keywords"]
            )
        if CONTROL_CHARACTERS.search(cleaned):
            raise DomainError(ErrorCode.INVALID_INPUT, "Keywords may not hold control characters.", ["keywords"])
        seen.setdefault(cleaned, None)
    if len(seen) > MAX_KEYWORDS:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Use at most {MAX_KEYWORDS} keywords.", ["keywords"])
    return list(seen)


def orientation_of(width: int, height: int) -> Orientation:
    if abs(width - height) <= max(width, height) * 0.02:
        return Orientation.SQUARE
    return Orientation.LANDSCAPE if width > height else Orientation.PORTRAIT


def hamming(first_hex: str, second_hex: str) -> int:
    return (int(first_hex, 16) ^ int(second_hex, 16)).bit_count()


def is_duplicate(first_hex: str, second_hex: str) -> bool:
    return hamming(first_hex, second_hex) <= DUPLICATE_DISTANCE


@dataclass(frozen=True)
class NamedColor:
    name: str
    rgb: tuple[int, int, int]


# A small, honest vocabulary: the nearest of these names describes a dominant colour.
COLOR_NAMES = (
    NamedColor("black", (20, 20, 20)),
    NamedColor("white", (240, 240, 240)),
    NamedColor("gray", (128, 128, 128)),
    NamedColor("red", (200, 30, 30)),
    NamedColor("orange", (240, 140, 20)),
    NamedColor("yellow", (240, 220, 40)),
    NamedColor("green", (40, 160, 60)),
    NamedColor("blue", (40, 90, 200)),
    NamedColor("purple", (130, 60, 170)),
    NamedColor("pink", (240, 150, 190)),
    NamedColor("brown", (120, 80, 40)),
)


def color_name(rgb: tuple[int, int, int]) -> str:
    return min(COLOR_NAMES, key=lambda named: sum((a - b) ** 2 for a, b in zip(named.rgb, rgb, strict=True))).name


def auto_keywords(
    orientation: Orientation, palette: list[tuple[int, int, int]], exif: dict[str, str], *, faces: int = 0
) -> list[str]:
    """Only what the pixels and metadata say: orientation, dominant colour names, camera facts, people."""
    words = [orientation.value.lower()]
    words += [color_name(rgb) for rgb in palette[:DOMINANT_COLORS]]
    if exif.get("flash") == "fired":
        words.append("flash")
    if exif.get("scene"):
        words.append(exif["scene"].lower())
    if faces:
        words.append(PEOPLE_KEYWORD)
    return list(dict.fromkeys(words))


def suggested_category(chosen: PhotoCategory | None, faces: int) -> PhotoCategory | None:
    """The photographer's choice stands; without one, a photo with faces is filed under PEOPLE."""
    if chosen is None and faces:
        return PhotoCategory.PEOPLE
    return chosen


def needs_model_release(face_count: int | None, model_releases: int) -> bool:
    """Recognisable people need a signed model release before a photo is licensed for commercial use.

    ``face_count`` is None until analysis ran: nothing found yet, nothing required yet.
    """
    return bool(face_count) and model_releases == 0


def check_licensable_status(status: PhotoStatus) -> None:
    """Only a READY photo is licensed: a taken-down one never again, one still in analysis not yet."""
    if status is PhotoStatus.TAKEN_DOWN:
        raise DomainError(
            ErrorCode.PHOTO_TAKEN_DOWN,
            "This photo was taken down after a duplicate claim: it cannot be licensed.",
            ["photoId"],
        )
    if status is not PhotoStatus.READY:
        raise DomainError(ErrorCode.INVALID_INPUT, "This photo is not ready to be licensed yet.", ["photoId"])


@dataclass(frozen=True)
class EmbeddedText:
    """The photographer's own words found in the file: IPTC IIM title (2:05), caption (2:120), keywords (2:25), or
    their XMP equivalents (dc:title, dc:description, dc:subject)."""

    title: str = ""
    caption: str = ""
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class PhotoText:
    title: str
    description: str
    keywords: list[str]


def with_embedded_text(typed: PhotoText, embedded: EmbeddedText) -> PhotoText:
    """Fills what the owner left empty from the file's own text; what the owner typed always stands.

    The file's text is someone else's input: control characters go, overlong values are cut, bad keywords are
    dropped (never refused: a photo is not failed for its metadata), at most ``MAX_KEYWORDS`` are kept.
    """
    title = typed.title or _printable(embedded.title)[:MAX_TITLE].strip()
    description = typed.description or _printable(embedded.caption, keep_lines=True)[:MAX_DESCRIPTION].strip()
    keywords = typed.keywords
    if not keywords:
        found: dict[str, None] = {}
        for keyword in embedded.keywords:
            cleaned = " ".join(_printable(keyword).lower().split())
            if cleaned and len(cleaned) <= MAX_KEYWORD_LENGTH:
                found.setdefault(cleaned, None)
        keywords = list(found)[:MAX_KEYWORDS]
    return PhotoText(title, description, keywords)


def _printable(text: str, *, keep_lines: bool = False) -> str:
    if keep_lines:
        return "\n".join(" ".join(CONTROL_CHARACTERS.sub(" ", line).split()) for line in text.splitlines())
    return " ".join(CONTROL_CHARACTERS.sub(" ", text).split())

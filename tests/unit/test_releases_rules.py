"""Release rules (documents, names, dates, photo lists), when a photo needs a model release, what faces imply."""

from __future__ import annotations

from datetime import date

import pytest

from lensgraph.domain import releases as rules
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.photos import (
    Orientation,
    PhotoCategory,
    ReleaseKind,
    auto_keywords,
    needs_model_release,
    suggested_category,
)


def refusal(call, *args) -> DomainError:
    with pytest.raises(DomainError) as raised:
        call(*args)
    return raised.value


# Needing a model release ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("face_count", "model_releases", "needed"),
    [
        (None, 0, False),  # not analysed yet
        (0, 0, False),
        (1, 0, True),
        (3, 0, True),
        (1, 1, False),
        (2, 2, False),
    ],
)
def test_faces_without_a_model_release_need_one(face_count, model_releases, needed):
    assert needs_model_release(face_count, model_releases) is needed


def test_faces_file_a_photo_under_people_unless_the_photographer_chose():
    assert suggested_category(None, 2) is PhotoCategory.PEOPLE
    assert suggested_category(None, 0) is None
    assert suggested_category(PhotoCategory.FOOD, 1) is PhotoCategory.FOOD
    assert suggested_category(PhotoCategory.PEOPLE, 0) is PhotoCategory.PEOPLE


def test_faces_add_the_people_keyword_once():
    palette = [(20, 20, 20)]
    assert auto_keywords(Orientation.PORTRAIT, palette, {}, faces=2) == ["portrait", "black", "people"]
    assert "people" not in auto_keywords(Orientation.PORTRAIT, palette, {}, faces=0)
    assert "people" not in auto_keywords(Orientation.PORTRAIT, palette, {})


# The document --------------------------------------------------------------------------------


@pytest.mark.parametrize("mime_type", ["application/pdf", "image/jpeg", "image/png"])
def test_documents_may_be_pdf_jpeg_or_png(mime_type):
    assert rules.check_document_request("../Signed release (Ana).pdf", mime_type, 1000) == "Signed-release-Ana-.pdf"


def test_other_document_types_and_sizes_are_refused():
    wrong_type = refusal(rules.check_document_request, "a.docx", "application/msword", 1000)
    assert (wrong_type.code, wrong_type.field) == (ErrorCode.UPLOAD_INVALID, ["mimeType"])
    too_large = refusal(rules.check_document_request, "a.pdf", "application/pdf", 20 * 1024 * 1024 + 1)
    assert (too_large.code, too_large.field) == (ErrorCode.UPLOAD_INVALID, ["fileSizeBytes"])
    empty = refusal(rules.check_document_request, "a.pdf", "application/pdf", 0)
    assert (empty.code, empty.field) == (ErrorCode.INVALID_INPUT, ["fileSizeBytes"])
    nameless = refusal(rules.check_document_request, "///", "application/pdf", 10)
    assert nameless.field == ["filename"]
    assert rules.check_document_request("a.pdf", "application/pdf", 20 * 1024 * 1024) == "a.pdf"


def test_a_pdf_has_its_header_and_its_trailer():
    assert rules.looks_like_pdf(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
    assert not rules.looks_like_pdf(b"%PDF-1.7\n1 0 obj\n<<>>\nend")  # truncated
    assert not rules.looks_like_pdf(b"hello %%EOF")
    assert not rules.looks_like_pdf(b"%PDF-1.7\n%%EOF" + b"\n" * 2000)  # trailer far from the end


def test_the_sniffed_format_must_be_the_declared_one():
    rules.check_document_format("application/pdf", "PDF")
    rules.check_document_format("image/png", "PNG")
    mismatch = refusal(rules.check_document_format, "image/jpeg", "PNG")
    assert mismatch.code is ErrorCode.UPLOAD_INVALID and "PNG, not JPEG" in mismatch.message
    unreadable = refusal(rules.check_document_format, "application/pdf", None)
    assert unreadable.field == ["uploadId"] and "not a readable PDF" in unreadable.message


# What a release says -------------------------------------------------------------------------


def test_the_subject_name_is_required_and_reported_on_the_kinds_field():
    assert rules.clean_subject_name("  Ana   Lima ", ReleaseKind.MODEL) == "Ana Lima"
    assert refusal(rules.clean_subject_name, " ", ReleaseKind.MODEL).field == ["modelName"]
    assert refusal(rules.clean_subject_name, "x" * 201, ReleaseKind.PROPERTY).field == ["propertyName"]


def test_details_are_optional_and_bounded():
    assert rules.clean_details(None) == ""
    assert rules.clean_details("  12 Quay Street \n") == "12 Quay Street"
    assert refusal(rules.clean_details, "x" * 2001).field == ["details"]


def test_a_release_cannot_be_signed_in_the_future():
    today = date(2026, 3, 10)
    rules.check_signed_on(date(2019, 1, 1), today)
    rules.check_signed_on(today, today)
    rules.check_signed_on(date(2026, 3, 11), today)  # already the 11th east of UTC
    future = refusal(rules.check_signed_on, date(2026, 3, 12), today)
    assert (future.code, future.field) == (ErrorCode.INVALID_INPUT, ["signedOn"])


def test_one_to_a_hundred_unique_photos_at_a_time():
    assert rules.clean_photo_ids(["b", "a", "b"]) == ["b", "a"]
    assert rules.clean_photo_ids([str(n) for n in range(100)]) == [str(n) for n in range(100)]
    assert refusal(rules.clean_photo_ids, []).field == ["photoIds"]
    too_many = refusal(rules.clean_photo_ids, [str(n) for n in range(101)])
    assert (too_many.code, too_many.field) == (ErrorCode.INVALID_INPUT, ["photoIds"])

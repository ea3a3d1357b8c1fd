"""Bulk test data written straight to the database, for tests that need many photos quickly.

Tests of the upload flow itself go through the API (``tests/api/test_photos.py``); tests that only need
READY photos to exist (lists, collections, statement counts) use ``ready_photos`` instead of uploading
and analysing dozens of images.
"""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import imagehash
from PIL import Image

from lensgraph.domain.photos import Orientation, PhotoStatus
from lensgraph.domain.verification import VerificationStatus
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.discovery import replace_tags
from lensgraph.persistence.models import Photo, Verification
from lensgraph.resolvers.context import Services
from lensgraph.schema.core import from_global_id


def user_key(account: Any) -> UUID:
    """The database key behind an ``Account`` from ``tests.api.helpers.sign_up``."""
    return from_global_id(account.id)[1]


async def ready_photos(services: Services, owner: Any, count: int, **fields: Any) -> list[UUID]:
    """``count`` READY photos of ``owner`` (an Account), newest last; ``fields`` override column values."""
    owner_id = user_key(owner)
    start = utcnow() - timedelta(minutes=count)
    rows = []
    for index in range(count):
        photo_id = uuid4()
        values: dict[str, Any] = {
            "id": photo_id,
            "user_id": owner_id,
            "title": f"Photo {index + 1}",
            "description": "",
            "keywords": [],
            "auto_keywords": [],
            "colors": [],
            "status": PhotoStatus.READY,
            "original_key": f"photos/{photo_id}/original.jpg",
            "mime_type": "image/jpeg",
            "size_bytes": 1000,
            "width": 1600,
            "height": 1000,
            "orientation": Orientation.LANDSCAPE,
            "created_at": start + timedelta(minutes=index),
            **fields,
        }
        rows.append(Photo(**values))
    async with services.db.unit_of_work() as uow:
        uow.session.add_all(rows)
        await uow.session.flush()
        for row in rows:
            await replace_tags(uow.session, row)
    return [row.id for row in rows]


async def verification(
    services: Services,
    owner: Any,
    jpeg: bytes,
    *,
    status: VerificationStatus = VerificationStatus.COMPLETED,
    authentic: bool | None = True,
) -> UUID:
    """A verification of ``owner``'s with its JPEG in storage, written straight to the database: test setup for the
    marketplace and the verified badge, which need a finished verification, not the analysis that makes one
    (tested in ``test_verification*``). Its verdict is what the test says it is."""
    verification_id = uuid4()
    image_key = f"verifications/{verification_id}/image.jpg"
    await services.storage.write(image_key, jpeg, content_type="image/jpeg")
    with Image.open(io.BytesIO(jpeg)) as image:
        phash = str(imagehash.phash(image))
    finished = status in (VerificationStatus.COMPLETED, VerificationStatus.FAILED)
    row = Verification(
        id=verification_id,
        user_id=user_key(owner),
        name=f"Verification {verification_id.hex[:6]}",
        status=status,
        authentic=authentic if status is VerificationStatus.COMPLETED else None,
        result_confidence=0.97 if status is VerificationStatus.COMPLETED else None,
        raw_key=f"verifications/{verification_id}/raw.dng",
        raw_sha256="0" * 64,
        raw_format="DNG",
        raw_size=1,
        image_key=image_key,
        image_sha256=hashlib.sha256(jpeg).hexdigest(),
        image_size=len(jpeg),
        image_phash=phash,
        short_code=verification_id.hex[:10].upper(),
        completed_at=utcnow() if finished else None,
    )
    async with services.db.unit_of_work() as uow:
        uow.session.add(row)
    return verification_id

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

from lensgraph.app.services import Services
from lensgraph.domain.accounts import Role
from lensgraph.domain.photos import Orientation, PhotoStatus
from lensgraph.domain.verification import VerificationStatus, new_short_code
from lensgraph.persistence import accounts as account_queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.discovery import replace_tags
from lensgraph.persistence.models import Photo, Verification
from lensgraph.schema.core import from_global_id
from tests.api.helpers import sign_in, sign_up


def user_key(account: Any) -> UUID:
    """The database key behind an ``Account`` from ``tests.api.helpers.sign_up``."""
    return from_global_id(account.id)[1]


async def ready_photos(services: Services, owner: Any, count: int, **fields: Any) -> list[UUID]:
    """``count`` READY photos of ``owner`` (an Account), newest last; ``fields`` override column values."""
    return await ready_photos_each(services, owner, [fields] * count)


async def ready_photos_each(services: Services, owner: Any, each: list[dict[str, Any]]) -> list[UUID]:
    """A READY photo of ``owner`` per entry of ``each`` (its column values), newest last, in one transaction."""
    owner_id = user_key(owner)
    count = len(each)
    start = utcnow() - timedelta(minutes=count)
    rows = []
    for index, fields in enumerate(each):
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


async def completed_verifications(services: Services, owner: Any, count: int, **fields: Any) -> list[UUID]:
    """``count`` COMPLETED authentic verifications of ``owner`` (their files are not stored), newest last;
    ``fields`` override column values."""
    owner_id = user_key(owner)
    start = utcnow() - timedelta(minutes=count)
    rows = []
    for index in range(count):
        verification_id = uuid4()
        created_at = start + timedelta(minutes=index)
        values: dict[str, Any] = {
            "id": verification_id,
            "user_id": owner_id,
            "name": f"Verification {index + 1}",
            "status": VerificationStatus.COMPLETED,
            "authentic": True,
            "result_confidence": 0.95,
            "integrity_score": 0.9,
            "security_score": 0.9,
            "checks": [
                {"analyzer": "RAW_INTEGRITY", "outcome": "PASS", "confidence": 0.9, "details": {}, "regions": []}
            ],
            "raw_metadata": {"format": "DNG"},
            "image_metadata": {},
            "raw_key": f"verifications/{verification_id}/raw.dng",
            "raw_sha256": f"{index:064x}",
            "raw_format": "DNG",
            "raw_size": 1000,
            "image_key": f"verifications/{verification_id}/image.jpg",
            "image_sha256": f"{index + 1:064x}",
            "image_size": 1000,
            "short_code": new_short_code(),
            "created_at": created_at,
            "completed_at": created_at,
            **fields,
        }
        rows.append(Verification(**values))
    async with services.db.unit_of_work() as uow:
        uow.session.add_all(rows)
    return [row.id for row in rows]


async def verification(
    services: Services,
    owner: Any,
    jpeg: bytes,
    *,
    status: VerificationStatus = VerificationStatus.COMPLETED,
    authentic: bool | None = True,
) -> UUID:
    """One of ``completed_verifications`` with ``jpeg`` as its image, stored, and the status and verdict the test
    says: setup for the marketplace and the verified badge, which need a finished verification of a given JPEG,
    not the analysis that makes one (tested in ``test_verifications``)."""
    verification_id = uuid4()
    image_key = f"verifications/{verification_id}/image.jpg"
    await services.storage.write(image_key, jpeg, content_type="image/jpeg")
    with Image.open(io.BytesIO(jpeg)) as image:
        phash = str(imagehash.phash(image))
    completed = status is VerificationStatus.COMPLETED
    finished = completed or status is VerificationStatus.FAILED
    [created] = await completed_verifications(
        services,
        owner,
        1,
        id=verification_id,
        status=status,
        authentic=authentic if completed else None,
        image_key=image_key,
        image_sha256=hashlib.sha256(jpeg).hexdigest(),
        image_size=len(jpeg),
        image_phash=phash,
        completed_at=utcnow() if finished else None,
    )
    return created


async def admin_account(client: Any, services: Services) -> Any:
    """A new account made ADMIN (as ``lensgraph grant-admin`` makes one), signed in again to carry the role."""
    account = await sign_up(client, role="PHOTOGRAPHER")
    async with services.db.unit_of_work() as uow:
        assert await account_queries.grant_role(uow.session, account.email, Role.ADMIN)
    account.access_token = await sign_in(client, account.email)
    return account

"""The records the differential test reads: every kind of photo a read can meet, and who may see which.

Built once per module through the API (accounts, collections, lightbox, license, gallery) and ``ready_photos``
(photos in bulk): two photographers with PUBLIC and PRIVATE photos, READY and not (PROCESSING, FAILED), some
with keywords, colours, EXIF, faces, capture dates, a category and renditions (signed URLs), others bare;
public and private collections; a brand with a lightbox and a signed license; a studio with a gallery; an admin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from lensgraph.domain.accounts import Role
from lensgraph.domain.photos import Orientation, PhotoCategory, PhotoStatus, Visibility
from lensgraph.persistence import accounts as account_queries
from lensgraph.schema.core import to_global_id
from tests.api.factories import ready_photos
from tests.api.helpers import Account, sign_in, sign_up
from tests.api.payment_flows import signed_license
from tests.conftest import GraphQLClient

CALLERS = ("ANONYMOUS", "PHOTOGRAPHER", "BRAND", "STUDIO", "ADMIN")
ERRORS = "userErrors { field code message }"
CREATE_COLLECTION = f"""mutation($input: CreateCollectionInput!) {{ createCollection(input: $input) {{
  collection {{ id slug }} {ERRORS} }} }}"""
ADD_TO_COLLECTION = f"""mutation($input: AddPhotoToCollectionInput!) {{ addPhotoToCollection(input: $input) {{
  {ERRORS} }} }}"""
ADD_TO_LIGHTBOX = f"mutation($input: AddToLightboxInput!) {{ addToLightbox(input: $input) {{ {ERRORS} }} }}"
CREATE_GALLERY = f"""mutation($input: CreateGalleryInput!) {{ createGallery(input: $input) {{
  gallery {{ id slug }} {ERRORS} }} }}"""
ADD_TO_GALLERY = f"mutation($input: AddPhotosToGalleryInput!) {{ addPhotosToGallery(input: $input) {{ {ERRORS} }} }}"
FIRST_PAGE_CURSOR = "{ photos(first: 10) { pageInfo { endCursor } } }"

RICH = {
    "keywords": ["sunset", "coast", "lisbon"],
    "auto_keywords": ["sea", "sky"],
    "colors": ["#2255cc", "#f0f0f0", "#cc8833"],
    "exif": {"Make": "Canon", "Model": "EOS R5", "FNumber": 8.0, "ExposureTime": "1/250", "ISOSpeedRatings": 100},
    "face_count": 2,
    "captured_at": datetime(2025, 6, 1, 18, 30, tzinfo=UTC),
    "category": PhotoCategory.NATURE,
    "description": "Evening light over the coast.",
}


def renditions() -> dict[str, str]:
    """Keys of a thumbnail and a preview, so that the photo's URL fields answer signed URLs (not null)."""
    key = uuid4()
    return {"thumbnail_key": f"photos/{key}/thumbnail.webp", "preview_key": f"photos/{key}/preview.webp"}


def photo_ids(keys: list[UUID]) -> list[str]:
    return [to_global_id("Photo", key) for key in keys]


@dataclass
class Dataset:
    accounts: dict[str, Account]
    tokens: dict[str, str | None]
    public_photos: list[str]  # the photographer's, READY and PUBLIC
    private_photos: list[str]
    unready_photos: list[str]  # PROCESSING and FAILED
    other_photos: list[str]  # the second photographer's and the studio's
    collection_ids: list[str]
    slugs: list[str]  # collections' (public and private) and the gallery's
    gallery_id: str
    license_id: str
    cursor: str  # a real endCursor of the public catalogue
    usernames: list[str] = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        """Every global id the dataset has, of every type."""
        users = [account.id for account in self.accounts.values()]
        return [
            *self.public_photos[:4],
            *self.private_photos[:2],
            *self.unready_photos,
            *self.other_photos[:3],
            *self.collection_ids,
            self.gallery_id,
            self.license_id,
            *users,
        ]

    @property
    def strings(self) -> list[str]:
        """The dataset's usernames, slugs and a cursor: what String arguments look records up by."""
        return [*self.usernames, *self.slugs, self.cursor]


async def photos(services: Any, owner: Account, count: int, **fields: Any) -> list[str]:
    return photo_ids(await ready_photos(services, owner, count, **fields))


async def payload(client: GraphQLClient, document: str, account: Account, **values: Any) -> dict[str, Any]:
    data = await client.data(document, {"input": values}, token=account.access_token)
    answered: dict[str, Any] = next(iter(data.values()))
    assert answered["userErrors"] == [], answered
    return answered


async def build(client: GraphQLClient, services: Any) -> Dataset:
    photographer = await sign_up(client, role="PHOTOGRAPHER")
    second = await sign_up(client, role="PHOTOGRAPHER")
    brand = await sign_up(client, role="BRAND")
    studio = await sign_up(client, role="STUDIO")
    admin = await sign_up(client, role="BRAND")
    async with services.db.unit_of_work() as uow:
        assert await account_queries.grant_role(uow.session, admin.email, Role.ADMIN)
    admin.access_token = await sign_in(client, admin.email)
    accounts = {"PHOTOGRAPHER": photographer, "BRAND": brand, "STUDIO": studio, "ADMIN": admin, "SECOND": second}

    # More than 100 public photos, so that the 100-photo pages have a next page to follow.
    public = await photos(services, photographer, 60)
    public += await photos(services, photographer, 50, **RICH, **renditions())
    private = await photos(services, photographer, 6, visibility=Visibility.PRIVATE, **renditions())
    unready = await photos(services, photographer, 2, status=PhotoStatus.PROCESSING, width=None, height=None)
    unready += await photos(services, photographer, 1, status=PhotoStatus.FAILED, failure_reason="Not an image.")
    other = await photos(
        services, second, 20, keywords=["mountain"], orientation=Orientation.PORTRAIT, width=1000, height=1600
    )
    other += await photos(services, second, 3, visibility=Visibility.PRIVATE)
    studio_photos = await photos(services, studio, 6, **renditions())
    other += studio_photos

    collection_ids, slugs = [], []
    for title, visibility, members in [
        ("Coast", "PUBLIC", [*public[-8:], private[0]]),
        ("Drafts", "PRIVATE", [*private[1:3], public[0]]),
        ("Empty", "PUBLIC", []),
        ("Early work", "PUBLIC", public[:5]),
    ]:
        made = (await payload(client, CREATE_COLLECTION, photographer, title=title, visibility=visibility))[
            "collection"
        ]
        collection_ids.append(made["id"])
        slugs.append(made["slug"])
        for photo in members:
            await payload(client, ADD_TO_COLLECTION, photographer, collectionId=made["id"], photoId=photo)
    theirs = (await payload(client, CREATE_COLLECTION, second, title="Peaks", visibility="PUBLIC"))["collection"]
    collection_ids.append(theirs["id"])
    slugs.append(theirs["slug"])
    await payload(client, ADD_TO_COLLECTION, second, collectionId=theirs["id"], photoId=other[0])

    for photo in [public[-1], public[3], other[1]]:
        await payload(client, ADD_TO_LIGHTBOX, brand, photoId=photo)
    license_id = await signed_license(client, brand, photographer, public[-2])

    gallery = (await payload(client, CREATE_GALLERY, studio, title="Ortiz wedding", clientEmail="lena@example.com"))[
        "gallery"
    ]
    await payload(client, ADD_TO_GALLERY, studio, galleryId=gallery["id"], photoIds=studio_photos[:4])
    slugs.append(gallery["slug"])

    cursor = (await client.data(FIRST_PAGE_CURSOR))["photos"]["pageInfo"]["endCursor"]
    tokens: dict[str, str | None] = {"ANONYMOUS": None}
    tokens.update({caller: accounts[caller].access_token for caller in CALLERS[1:]})
    return Dataset(
        accounts=accounts,
        tokens=tokens,
        public_photos=public,
        private_photos=private,
        unready_photos=unready,
        other_photos=other,
        collection_ids=collection_ids,
        slugs=slugs,
        gallery_id=gallery["id"],
        license_id=license_id,
        cursor=cursor,
        usernames=[account.username for account in accounts.values()],
    )

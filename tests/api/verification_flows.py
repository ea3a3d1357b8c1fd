"""Verification steps for API tests, each through the GraphQL API: RAW + JPEG pairs from the simulated cameras
(lensgraph/seed/cameras.py), uploads with requestUpload, createVerification."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from PIL import Image

from lensgraph.seed.cameras import CAMERAS, Exposure, develop, jpeg, shot
from tests.api.helpers import Account

REQUEST_UPLOAD = """
mutation($input: RequestUploadInput!) {
  requestUpload(input: $input) {
    uploadId uploadUrl method headers fields expiresAt userErrors { field code message }
  }
}"""

CREATE = """
mutation($input: CreateVerificationInput!) {
  createVerification(input: $input) {
    verification { id name status shortCode rawHash imageHash rawFormat }
    userErrors { field code message }
  }
}"""

VERIFICATION_FIELDS = """
  id name status failureReason result resultConfidence integrityScore securityScore shortCode
  rawHash imageHash rawFormat rawMetadata imageMetadata createdAt completedAt imageUrl
  captureLocation { latitude longitude }
  checks { analyzer outcome confidence details regions { x y width height score } }
"""

NODE = "query($id: ID!) { node(id: $id) { ... on Verification { " + VERIFICATION_FIELDS + " } } }"


@dataclass(frozen=True)
class Pair:
    raw: bytes
    image: bytes


@lru_cache(maxsize=8)
def camera_pair(seed: int = 1, *, width: int = 640, height: int = 480, gps: tuple[float, float] | None = None) -> Pair:
    """A DNG of the first simulated camera and the JPEG developed from it (optionally carrying GPS EXIF)."""
    camera, exposure = CAMERAS[0], Exposure()
    scenes = ("astronaut", "coffee", "chelsea", "rocket")
    raw = shot(scenes[seed % len(scenes)], camera, seed, width, height, exposure)
    developed = develop(raw)
    image = jpeg(developed, camera, exposure)
    if gps is not None:
        image = _with_gps(developed, image, *gps)
    return Pair(raw, image)


def _with_gps(pixels: Any, image: bytes, latitude: float, longitude: float) -> bytes:
    """The same development encoded again from its pixels with the camera EXIF plus a GPS position."""
    exif = Image.open(io.BytesIO(image)).getexif()
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = ("N" if latitude >= 0 else "S"), _dms(abs(latitude))
    gps[3], gps[4] = ("E" if longitude >= 0 else "W"), _dms(abs(longitude))
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=90, exif=exif.tobytes())
    return buffer.getvalue()


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    return float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 4)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def request(
    client: Any,
    account: Account,
    purpose: str,
    data: bytes,
    *,
    filename: str,
    mime: str,
    declared_sha256: str | None = None,
) -> dict[str, Any]:
    variables = {
        "input": {
            "purpose": purpose,
            "filename": filename,
            "mimeType": mime,
            "fileSizeBytes": len(data),
            "sha256": declared_sha256,
        }
    }
    answer: dict[str, Any] = (await client.data(REQUEST_UPLOAD, variables, token=account.access_token))["requestUpload"]
    return answer


async def sent(
    client: Any,
    account: Account,
    purpose: str,
    data: bytes,
    *,
    filename: str | None = None,
    mime: str | None = None,
    declared_sha256: str | None = None,
) -> str:
    """An upload of ``data`` for ``purpose``, requested and sent; answers its id."""
    raw = purpose == "RAW"
    target = await request(
        client,
        account,
        purpose,
        data,
        filename=filename or ("shot.DNG" if raw else "shot.jpg"),
        mime=mime or ("image/x-adobe-dng" if raw else "image/jpeg"),
        declared_sha256=declared_sha256,
    )
    assert target["userErrors"] == [], target
    response = await client.http.request(
        target["method"], target["uploadUrl"], headers=target["headers"] or {}, content=data
    )
    assert response.status_code == 200, response.text
    upload_id: str = target["uploadId"]
    return upload_id


async def create(
    client: Any, account: Account, raw_upload_id: str, image_upload_id: str, name: str | None = "Harbour at dawn"
) -> dict[str, Any]:
    variables = {"input": {"rawUploadId": raw_upload_id, "imageUploadId": image_upload_id, "name": name}}
    answer: dict[str, Any] = (await client.data(CREATE, variables, token=account.access_token))["createVerification"]
    return answer


async def verify(
    client: Any, account: Account, pair: Pair | None = None, name: str = "Harbour at dawn"
) -> dict[str, Any]:
    """Both halves uploaded and the verification created; answers the createVerification payload."""
    pair = pair or camera_pair()
    raw_id = await sent(client, account, "RAW", pair.raw)
    image_id = await sent(client, account, "IMAGE_FOR_VERIFICATION", pair.image)
    return await create(client, account, raw_id, image_id, name)

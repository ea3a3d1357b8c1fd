"""Videos in client galleries: uploaded through requestUpload(VIDEO), checked by their bytes, given a poster frame
by the analysis job, added to a gallery like a photo and played by its client from a signed URL."""

from __future__ import annotations

import io

import av
import numpy as np
import pytest
from PIL import Image

from tests.api.factories import ready_photos
from tests.api.images import photo_jpeg
from tests.api.test_galleries import ADD, created, mutate, photo_gid, studio
from tests.api.verification_flows import request, sent

CONFIRM_VIDEO = """mutation($input: ConfirmVideoUploadInput!) { confirmVideoUpload(input: $input) {
  photo { id kind status title width height durationSeconds } userErrors { field code message } } }"""
VIDEO = "query($id: ID!) { node(id: $id) { ... on Photo { kind status width height durationSeconds visibility } } }"
OPEN = """query($slug: String!) { gallery(slug: $slug) { photos { edges { node {
  id kind title width height durationSeconds posterUrl videoUrl thumbnailUrl previewUrl } } } } }"""


def film(container: str = "mp4", *, frames: int = 24, rate: int = 12, width: int = 96, height: int = 64) -> bytes:
    """A short film made here with PyAV (MPEG-4 Part 2 in an MP4 or MOV): a grey ramp, two seconds at 12 fps."""
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=container) as output:
        stream = output.add_stream("mpeg4", rate=rate)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index in range(frames):
            pixels = np.full((height, width, 3), (index * 10) % 256, dtype=np.uint8)
            pixels[:, : width // 2, 0] = 200  # a red half: the poster is a real picture, not a flat grey
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                output.mux(packet)
        for packet in stream.encode():
            output.mux(packet)
    return buffer.getvalue()


async def confirm_video(client, owner, data: bytes, *, filename: str = "film.mp4", mime: str = "video/mp4"):
    upload_id = await sent(client, owner, "VIDEO", data, filename=filename, mime=mime)
    answer = await client.data(
        CONFIRM_VIDEO, {"input": {"uploadId": upload_id, "title": "First dance"}}, token=owner.access_token
    )
    return answer["confirmVideoUpload"]


async def fetch(client, url: str):
    response = await client.http.get(url)
    assert response.status_code == 200, response.text
    return response


@pytest.mark.parametrize(("container", "served_as"), [("mp4", "video/mp4"), ("mov", "video/quicktime")])
async def test_a_video_is_analysed_added_to_a_gallery_and_played_by_its_client(
    client, services, background, container, served_as
):
    owner = await studio(client)
    data = film(container)
    # The name and declared type say MP4 either way: what is kept and served follows the bytes.
    confirmed = await confirm_video(client, owner, data, filename="film.mp4")
    assert confirmed["userErrors"] == []
    video = confirmed["photo"]
    assert video["kind"] == "VIDEO" and video["status"] == "PROCESSING"
    assert (video["width"], video["height"]) == (96, 64) and video["durationSeconds"] == pytest.approx(2.0, abs=0.1)

    await background.settle()
    seen = (await client.data(VIDEO, {"id": video["id"]}, token=owner.access_token))["node"]
    assert seen["status"] == "READY" and seen["kind"] == "VIDEO" and seen["visibility"] == "PRIVATE"

    [still] = await ready_photos(services, owner, 1, preview_key="renditions/plain.jpg")
    gallery = await created(client, owner, title="Film night")
    added = await mutate(client, owner, ADD, galleryId=gallery["id"], photoIds=[photo_gid(still), video["id"]])
    assert added["userErrors"] == [] and added["gallery"]["photoCount"] == 2

    items = [
        edge["node"] for edge in (await client.data(OPEN, {"slug": gallery["slug"]}))["gallery"]["photos"]["edges"]
    ]
    assert [(item["id"], item["kind"]) for item in items] == [(photo_gid(still), "PHOTO"), (video["id"], "VIDEO")]
    photo_item, video_item = items
    assert photo_item["videoUrl"] is None and photo_item["posterUrl"] is None and photo_item["durationSeconds"] is None
    assert video_item["durationSeconds"] == pytest.approx(2.0, abs=0.1)

    played = await fetch(client, video_item["videoUrl"])
    assert played.headers["content-type"] == served_as and played.content == data
    poster = Image.open(io.BytesIO((await fetch(client, video_item["posterUrl"])).content))
    assert poster.format == "JPEG" and poster.size == (96, 64)
    # Reddish on the left, as the film was drawn.
    red, green, _ = poster.convert("RGB").getpixel((10, 32))
    assert red > green + 80
    thumbnail = Image.open(io.BytesIO((await fetch(client, video_item["thumbnailUrl"])).content))
    assert thumbnail.format == "JPEG"


async def test_files_that_are_not_decodable_videos_are_refused(client):
    owner = await studio(client)
    data = film()
    # An ftyp box and then junk: the container sniffs as MP4, but nothing decodes.
    broken = data[:32] + bytes(range(256)) * 8
    truncated = data[: len(data) // 3]
    for bytes_sent in (photo_jpeg(width=64, height=48), broken, truncated):
        refused = await confirm_video(client, owner, bytes_sent)
        assert refused["photo"] is None
        assert [(error["field"], error["code"]) for error in refused["userErrors"]] == [
            (["uploadId"], "UPLOAD_INVALID")
        ]


async def test_a_video_upload_declares_a_video_type_within_the_video_limit(client, settings):
    owner = await studio(client)
    wrong_type = await request(client, owner, "VIDEO", b"x" * 10, filename="clip.avi", mime="video/x-msvideo")
    assert [(error["field"], error["code"]) for error in wrong_type["userErrors"]] == [(["mimeType"], "UPLOAD_INVALID")]
    empty = await request(client, owner, "VIDEO", b"", filename="empty.mp4", mime="video/mp4")
    assert [error["code"] for error in empty["userErrors"]] == ["INVALID_INPUT"]
    over = settings.max_video_bytes + 1
    answer = await client.data(
        "mutation($input: RequestUploadInput!) { requestUpload(input: $input) { userErrors { field code } } }",
        {"input": {"purpose": "VIDEO", "filename": "long.mp4", "mimeType": "video/mp4", "fileSizeBytes": over}},
        token=owner.access_token,
    )
    assert answer["requestUpload"]["userErrors"] == [{"field": ["fileSizeBytes"], "code": "QUOTA_EXCEEDED"}]


async def test_a_photo_upload_cannot_be_confirmed_as_a_video(client):
    owner = await studio(client)
    upload_id = await sent(client, owner, "PHOTO", photo_jpeg(width=64, height=48))
    refused = await client.data(
        CONFIRM_VIDEO, {"input": {"uploadId": upload_id, "title": "Nope"}}, token=owner.access_token
    )
    assert [error["code"] for error in refused["confirmVideoUpload"]["userErrors"]] == ["UPLOAD_INVALID"]

"""photoUri with the outbound guard on (``outbound_allow_private`` off, as in production): private, loopback and
reserved targets are refused at submission, and again by the fetch job (which also checks every redirect hop)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lensgraph.config import Settings
from lensgraph.domain.ugc import ContentSource, ContentStatus, MediaStatus
from lensgraph.persistence.models import Content, Photo
from lensgraph.schema.core import from_global_id
from tests.api.factories import user_key
from tests.api.ugc_helpers import SUBMIT, ImageServer, album, brand, content, signed_post


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"outbound_allow_private": False})


@pytest.mark.parametrize(
    "uri",
    [
        "http://127.0.0.1:8080/a.jpg",
        "http://localhost/a.jpg",
        "http://2130706433/a.jpg",
        "http://[::1]/a.jpg",
        "http://10.0.0.5/a.jpg",
        "http://169.254.169.254/latest/meta-data",
        "http://printer.local/a.jpg",
    ],
)
async def test_private_photo_uri_is_refused_and_nothing_stored(client, services, uri):
    owner = await brand(client)
    summer = await album(client, owner)
    answer = await signed_post(
        client, owner, SUBMIT, {"input": {"albumId": summer["id"], "photoUri": uri, "username": "a"}}
    )
    errors = answer["data"]["submitContent"]["userErrors"]
    assert [(error["code"], error["field"]) for error in errors] == [("INVALID_INPUT", ["photoUri"])]
    async with services.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Content)) == 0


async def test_the_fetch_job_refuses_a_loopback_target_itself(client, services, background):
    """Content whose URL reaches the job pointing at loopback (as a redirect or a changed DNS answer would make it)
    is failed by the job's own check, and the local server is never asked."""
    owner = await brand(client)
    summer = await album(client, owner)
    with ImageServer().running() as host:
        async with services.db.unit_of_work() as uow:
            row = Content(
                brand_id=user_key(owner.account),
                album_id=from_global_id(summer["id"])[1],
                source=ContentSource.API,
                source_url=f"{host.url}/photo.jpg",
                title="t",
                author_username="a",
                status=ContentStatus.PENDING,
                media_status=MediaStatus.FETCHING,
            )
            uow.session.add(row)
        background.send("ugc.fetch_content", str(row.id))
        await background.settle()
        assert host.requests == []
    from lensgraph.schema.core import to_global_id

    failed = await content(client, owner, to_global_id("Content", row.id))
    assert failed["mediaStatus"] == "FAILED" and "not allowed" in failed["failureReason"]
    async with services.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Photo)) == 0

"""galleryActivity against a real server, with the gql client over WebSocket: the owning studio hears its
client's view, favourite and validated selection as they happen; another account is refused."""

from __future__ import annotations

import asyncio
from contextlib import suppress
from typing import Any

import httpx
from gql import gql

from .conftest import Server
from .test_live_updates import STUDIO, start, upload_photo
from .test_subscriptions import (
    PHOTOGRAPHER,
    TIMEOUT,
    eventually,
    gql_session,
    graphql,
    graphql_socket,
    login,
    refusal_errors,
)

ACTIVITY = "subscription($id: ID!) { galleryActivity(galleryId: $id) { kind clientEmail list photoId gallery { id } } }"
PHOTO_STATUS = "query($id: ID!) { node(id: $id) { ... on Photo { status } } }"
CREATE = """mutation($input: CreateGalleryInput!) { createGallery(input: $input) {
  gallery { id slug } userErrors { code } } }"""
ADD = """mutation($input: AddPhotosToGalleryInput!) { addPhotosToGallery(input: $input) { userErrors { code } } }"""
UNLOCK = (
    """mutation($input: UnlockGalleryInput!) { unlockGallery(input: $input) { accessToken userErrors { code } } }"""
)
OPEN = "query($slug: String!) { gallery(slug: $slug) { photos { totalCount } } }"
FAVORITE = """mutation($input: FavoritePhotoInput!) { favoritePhoto(input: $input) { userErrors { code } } }"""
SUBMIT = """mutation($input: SubmitGallerySelectionInput!) { submitGallerySelection(input: $input) {
  userErrors { code } } }"""


async def as_client(server: Server, token: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=TIMEOUT) as http:
        response = await http.post(
            "/graphql", json={"query": query, "variables": variables}, headers={"X-Gallery-Token": token}
        )
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return dict(body["data"])


async def ready_gallery(server: Server, token: str) -> dict[str, Any]:
    """An open gallery of the studio holding one READY photo."""
    photo_id = await upload_photo(server, token)

    async def ready() -> bool:
        return (await graphql(server, PHOTO_STATUS, {"id": photo_id}, token))["node"]["status"] == "READY"

    await eventually(ready, "the uploaded photo is READY")
    created = (await graphql(server, CREATE, {"input": {"title": "Activity e2e"}}, token))["createGallery"]
    assert created["userErrors"] == []
    gallery = created["gallery"]
    added = await graphql(server, ADD, {"input": {"galleryId": gallery["id"], "photoIds": [photo_id]}}, token)
    assert added["addPhotosToGallery"]["userErrors"] == []
    return {**gallery, "photoId": photo_id}


async def test_the_owning_studio_follows_its_clients_activity_live(server: Server):
    studio = await login(server, STUDIO)
    photographer = await login(server, PHOTOGRAPHER)
    gallery = await ready_gallery(server, studio.access_token)

    async with graphql_socket(server, photographer.access_token) as spy:
        await start(spy, "spy", ACTIVITY, {"id": gallery["id"]})
        assert [error["extensions"]["code"] for error in await refusal_errors(spy, "spy")] == ["NOT_FOUND"]

    async with gql_session(server, studio.access_token) as (session, transport):
        received: asyncio.Queue[dict[str, Any] | BaseException] = asyncio.Queue()

        async def consume() -> None:
            try:
                request = gql(ACTIVITY)
                request.variable_values = {"id": gallery["id"]}
                async for result in session.subscribe(request):
                    received.put_nowait(result["galleryActivity"])
            except Exception as error:
                received.put_nowait(error)

        listening = len(transport.listeners)
        task = asyncio.create_task(consume())

        async def sent() -> bool:
            return len(transport.listeners) > listening or task.done()

        try:
            await eventually(sent, "gql sent the subscribe message")
            assert await session.execute(gql("{ __typename }")) == {"__typename": "Query"}

            unlocked = (
                await graphql(server, UNLOCK, {"input": {"slug": gallery["slug"], "email": "jane@example.com"}})
            )["unlockGallery"]
            token = unlocked["accessToken"]
            assert (await as_client(server, token, OPEN, {"slug": gallery["slug"]}))["gallery"]["photos"] == {
                "totalCount": 1
            }
            favorite = await as_client(server, token, FAVORITE, {"input": {"photoId": gallery["photoId"]}})
            assert favorite["favoritePhoto"]["userErrors"] == []
            submitted = await as_client(server, token, SUBMIT, {"input": {"note": "All good"}})
            assert submitted["submitGallerySelection"]["userErrors"] == []

            heard = []
            for _ in range(3):
                item = await asyncio.wait_for(received.get(), TIMEOUT)
                assert not isinstance(item, BaseException), item
                heard.append(item)
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task

    assert {item["kind"] for item in heard} == {"VIEWED", "FAVORITED", "VALIDATED"}
    assert all(item["gallery"] == {"id": gallery["id"]} for item in heard)
    by_kind = {item["kind"]: item for item in heard}
    assert by_kind["FAVORITED"]["photoId"] == gallery["photoId"]
    assert by_kind["FAVORITED"]["clientEmail"] == "jane@example.com"
    assert by_kind["VALIDATED"]["list"] == "Favorites"

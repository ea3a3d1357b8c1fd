"""The compiled read path: the same answers as the resolvers, in one statement per root field.

``test_compiled_differential.py`` holds both paths to the same JSON over a whole corpus; these tests pin what the
planner promises on its own: which documents it answers, how many statements it sends, that a run it cannot
answer falls back (never wrong), and that errors and side effects stay the resolvers'.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from lensgraph.adapters.metrics import COMPILED_OPERATIONS
from lensgraph.app.services import Services
from lensgraph.domain.accounts import Role
from lensgraph.domain.photos import PhotoStatus, Visibility
from lensgraph.domain.policies import Viewer, can_view_photo
from lensgraph.schema.core import to_global_id
from tests.api.factories import ready_photos, user_key
from tests.api.helpers import sign_up
from tests.conftest import GraphQLClient, StatementCounter

BROWSE = """
query Browse($first: Int, $after: String) {
  photos(first: $first, after: $after, orderBy: NEWEST) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id title width height orientation colors keywords createdAt status
                          photographer { id username firstName lastName role } thumbnailUrl } }
  }
}"""
DETAIL = """
query Detail($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Photo { title description keywords autoKeywords category visibility status width height orientation colors
                   capturedAt createdAt faceCount exif location possibleDuplicate previewUrl
                   photographer { username } }
  }
}"""
SIGNATURE = re.compile(r"exp=\d+&(.*)sig=[0-9a-f]+")


def compiled_count() -> float:
    return COMPILED_OPERATIONS.labels("compiled")._value.get()


def unsigned(body: Any) -> str:
    """The answer as text, without what moves between two requests whatever path answers: signed URLs' expiry
    and signature (the clock), and what the caller's cost bucket holds (each request spends from it)."""
    throttle = (body.get("extensions") or {}).get("cost", {}).get("throttleStatus")
    if throttle:
        throttle.pop("currentlyAvailable", None)
    return SIGNATURE.sub(r"\1", httpx.Response(200, json=body).text)


async def both(
    client: GraphQLClient, resolvers: GraphQLClient, query: str, variables: dict[str, Any], **kwargs: Any
) -> dict[str, Any]:
    """The compiled answer, after checking it is the resolvers' (asked twice: the plan is made on the first)."""
    expected = (await resolvers.post(query, variables, **kwargs)).json()
    for _ in range(2):
        answer = await client.post(query, variables, **kwargs)
        assert unsigned(answer.json()) == unsigned(expected)
    body: dict[str, Any] = answer.json()
    return body


async def test_browse_is_one_statement_and_the_resolvers_answer(
    client: GraphQLClient, resolvers: GraphQLClient, services: Services, sql: StatementCounter
) -> None:
    owner = await sign_up(client)
    await ready_photos(services, owner, 7, keywords=["harbour", "dawn"], colors=["#112233"])
    await ready_photos(services, owner, 2, visibility=Visibility.PRIVATE)
    await ready_photos(services, owner, 1, status=PhotoStatus.PROCESSING)

    before = compiled_count()
    first = await both(client, resolvers, BROWSE, {"first": 3})
    page = first["data"]["photos"]
    assert page["totalCount"] == 7 and len(page["edges"]) == 3 and page["pageInfo"]["hasNextPage"]
    second = await both(client, resolvers, BROWSE, {"first": 5, "after": page["pageInfo"]["endCursor"]})
    assert len(second["data"]["photos"]["edges"]) == 4
    assert compiled_count() - before == 4

    sql.reset()
    await client.post(BROWSE, {"first": 50})
    assert sql.count == 1  # the page, its photographers and totalCount: one statement


async def test_node_of_a_photo_shows_owner_fields_to_the_owner_only(
    client: GraphQLClient, resolvers: GraphQLClient, services: Services, sql: StatementCounter
) -> None:
    owner, stranger = await sign_up(client), await sign_up(client)
    [public] = await ready_photos(services, owner, 1, exif={"Model": "X100V"}, face_count=2)
    [private] = await ready_photos(services, owner, 1, visibility=Visibility.PRIVATE)

    for token in (None, owner.access_token, stranger.access_token):
        for key in (public, private):
            await both(client, resolvers, DETAIL, {"id": to_global_id("Photo", key)}, token=token)
    as_owner = (await client.data(DETAIL, {"id": to_global_id("Photo", public)}, token=owner.access_token))["node"]
    assert as_owner["exif"] == {"Model": "X100V"} and as_owner["faceCount"] == 2
    as_stranger = await client.data(DETAIL, {"id": to_global_id("Photo", private)}, token=stranger.access_token)
    assert as_stranger["node"] is None

    sql.reset()
    await client.post(DETAIL, {"id": to_global_id("Photo", public)})
    assert sql.count == 1


async def test_node_of_another_type_falls_back_to_the_resolvers(
    client: GraphQLClient, resolvers: GraphQLClient
) -> None:
    owner = await sign_up(client)
    user = await both(client, resolvers, DETAIL, {"id": owner.id})
    assert user["data"]["node"] == {"__typename": "User", "id": owner.id}


@pytest.mark.parametrize(
    ("variables", "code"),
    [({"first": 101}, "INVALID_INPUT"), ({"first": 2, "after": "not-a-cursor"}, "INVALID_INPUT")],
)
async def test_bad_input_is_refused_as_the_resolvers_refuse_it(
    client: GraphQLClient, resolvers: GraphQLClient, variables: dict[str, Any], code: str
) -> None:
    refused = await both(client, resolvers, BROWSE, variables)
    assert refused["errors"][0]["extensions"]["code"] == code


async def test_a_bad_id_is_refused_as_the_resolvers_refuse_it(client: GraphQLClient, resolvers: GraphQLClient) -> None:
    refused = await both(client, resolvers, DETAIL, {"id": "bm90IGFuIGlk"})
    assert refused["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_fields_that_need_their_resolver_keep_the_whole_operation_on_the_resolvers(
    client: GraphQLClient, resolvers: GraphQLClient, services: Services
) -> None:
    owner = await sign_up(client)
    await ready_photos(services, owner, 2)
    query = "{ photos(first: 2) { edges { node { id needsModelRelease verified } } } }"
    before = compiled_count()
    await both(client, resolvers, query, {})
    assert compiled_count() == before


async def test_the_short_way_keeps_the_request_headers_and_the_cost(
    client: GraphQLClient, resolvers: GraphQLClient, services: Services
) -> None:
    owner = await sign_up(client)
    await ready_photos(services, owner, 3)
    slow = await resolvers.post(BROWSE, {"first": 2}, token=owner.access_token)
    await client.post(BROWSE, {"first": 2}, token=owner.access_token)  # the plan is made
    fast = await client.post(BROWSE, {"first": 2}, token=owner.access_token)
    assert fast.status_code == slow.status_code == 200
    fast_cost, slow_cost = fast.json()["extensions"]["cost"], slow.json()["extensions"]["cost"]
    assert fast_cost["requestedQueryCost"] == fast_cost["actualQueryCost"] == slow_cost["actualQueryCost"] == 5
    # The short way spends from the caller's one bucket too (which refills at 50 points a second meanwhile).
    assert fast_cost["throttleStatus"]["currentlyAvailable"] < slow_cost["throttleStatus"]["currentlyAvailable"]
    assert set(fast.headers) >= {"x-request-id", "ratelimit-limit", "ratelimit-remaining", "content-type"}
    assert fast.headers["content-type"] == slow.headers["content-type"]
    assert fast.headers["ratelimit-limit"] == slow.headers["ratelimit-limit"]


async def test_a_view_is_counted_once_per_read(client: GraphQLClient, services: Services) -> None:
    owner, reader = await sign_up(client), await sign_up(client)
    [photo] = await ready_photos(services, owner, 1)
    before = services.views.pending
    for _ in range(3):  # the first through strawberry (the plan is made), then the short way
        await client.data(DETAIL, {"id": to_global_id("Photo", photo)}, token=reader.access_token)
    assert services.views.pending - before == 3


NESTED = """
query Nested($collections: Int, $photos: Int) {
  viewer {
    __typename
    collections(first: $collections) {
      pageInfo { hasNextPage endCursor }
      edges {
        cursor
        node {
          id title slug visibility createdAt
          photos(first: $photos) {
            totalCount pageInfo { hasNextPage startCursor } edges { cursor node { id title photographer { username } } }
          }
        }
      }
    }
  }
}"""
CREATE_COLLECTION = """
mutation($input: CreateCollectionInput!) {
  createCollection(input: $input) { collection { id } userErrors { code } }
}"""
ADD = """
mutation($input: AddPhotoToCollectionInput!) { addPhotoToCollection(input: $input) { userErrors { code message } } }"""


async def test_collections_with_their_photos_are_one_statement_however_many(
    client: GraphQLClient, resolvers: GraphQLClient, services: Services, sql: StatementCounter
) -> None:
    owner, stranger = await sign_up(client), await sign_up(client)
    photos = await ready_photos(services, owner, 6)
    [private] = await ready_photos(services, owner, 1, visibility=Visibility.PRIVATE)
    made = []
    for index, visibility in enumerate(["PUBLIC", "PRIVATE", "PUBLIC"]):
        input_ = {"title": f"Set {index}", "slug": f"set-{index}-{owner.username}", "visibility": visibility}
        created = await client.data(CREATE_COLLECTION, {"input": input_}, token=owner.access_token)
        made.append(created["createCollection"]["collection"]["id"])
    for collection, keys in ((made[0], [*photos[:4], private]), (made[2], photos[:2])):
        for key in keys:
            added = {"collectionId": collection, "photoId": to_global_id("Photo", key)}
            await client.data(ADD, {"input": added}, token=owner.access_token)

    for token in (owner.access_token, stranger.access_token, None):
        for collections, photos_each in ((2, 3), (5, 20), (0, 1)):
            sizes = {"collections": collections, "photos": photos_each}
            await both(client, resolvers, NESTED, sizes, token=token)
    sql.reset()
    answer = await client.data(NESTED, {"collections": 5, "photos": 3}, token=owner.access_token)
    assert sql.count == 1
    newest, _middle, oldest = answer["viewer"]["collections"]["edges"]
    assert newest["node"]["photos"]["totalCount"] == 2
    assert oldest["node"]["photos"]["totalCount"] == 5 and oldest["node"]["photos"]["pageInfo"]["hasNextPage"]


async def test_the_sql_form_of_photo_visibility_is_the_domain_rule(client: GraphQLClient, services: Services) -> None:
    """``persistence.photos.shown_to_everyone`` (the lists' predicate) and ``policies.can_view_photo`` (applied to
    a node's row) must agree on every status and visibility, for strangers, anonymous callers and the owner."""
    owner, stranger = await sign_up(client), await sign_up(client)
    made = {}
    for status in PhotoStatus:
        for visibility in Visibility:
            [key] = await ready_photos(services, owner, 1, status=status, visibility=visibility)
            made[key] = (status, visibility)
    browsed = await client.data("{ photos(first: 100) { edges { node { id } } } }")
    listed = {edge["node"]["id"] for edge in browsed["photos"]["edges"]}
    for key, (status, visibility) in made.items():
        for viewer, account in ((None, None), (stranger, stranger), (owner, owner)):
            rule = can_view_photo(
                Viewer(user_key(account), Role.PHOTOGRAPHER) if account else None, user_key(owner), status, visibility
            )
            if viewer is not owner:
                assert (to_global_id("Photo", key) in listed) == rule, (status, visibility)
            token = account.access_token if account else None
            node = (await client.data(DETAIL, {"id": to_global_id("Photo", key)}, token=token))["node"]
            assert (node is not None) == rule, (status, visibility, viewer)


async def test_root_fields_the_planner_leaves_are_answered_by_the_resolvers_in_the_same_operation(
    client: GraphQLClient, resolvers: GraphQLClient, services: Services, sql: StatementCounter
) -> None:
    owner = await sign_up(client)
    await ready_photos(services, owner, 4)
    query = """
    query Mixed($first: Int) {
      collection(slug: "no-such-collection") { id title }
      photos(first: $first) { totalCount edges { node { id title photographer { username } } } }
      me: viewer { user { username } }
      again: photos(first: 1) { edges { node { id } } }
    }"""
    before = compiled_count()
    answer = await both(client, resolvers, query, {"first": 3}, token=owner.access_token)
    assert list(answer["data"]) == ["collection", "photos", "me", "again"]
    assert answer["data"]["me"]["user"]["username"] == owner.username
    assert compiled_count() - before == 2


async def test_a_non_null_root_field_keeps_the_whole_operation_on_the_resolvers(
    client: GraphQLClient, resolvers: GraphQLClient
) -> None:
    """Once it fails, which of its siblings' errors are reported depends on timing: the resolvers answer all."""
    before = compiled_count()
    await both(client, resolvers, "{ plans(role: BRAND) { id } photos(first: 1) { edges { node { id } } } }", {})
    assert compiled_count() == before


async def test_introspection_beside_a_compiled_field_is_the_executors(
    client: GraphQLClient, resolvers: GraphQLClient
) -> None:
    query = '{ __schema { queryType { name } } __type(name: "Photo") { name } photos(first: 1) { totalCount } }'
    answer = await both(client, resolvers, query, {})
    assert answer["data"]["__schema"]["queryType"]["name"] == "Query"

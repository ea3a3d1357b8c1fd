"""Reading user-generated content: album.media (filters, RECENCY or POPULARITY, forward pages) and productMedia,
for the brand (everything) and for anyone (approved media only, nothing private)."""

from __future__ import annotations

from tests.api.helpers import sign_up
from tests.api.ugc_helpers import Brand, ImageServer, album, brand, products, submit

MEDIA = """
query M($id: ID!, $filter: MediaFilter, $order: MediaOrder, $first: Int, $after: String) {
  album(id: $id) {
    name
    uploadLink
    media(filter: $filter, orderBy: $order, first: $first, after: $after) {
      edges { node { id title authorUsername imageUrl thumbnailUrl products { sku } content { status } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""
PRODUCT_MEDIA = """
query P($sku: String!, $brandId: ID, $first: Int, $after: String) {
  productMedia(sku: $sku, brandId: $brandId, first: $first, after: $after) {
    edges { node { id title products { sku } } }
    pageInfo { hasNextPage endCursor }
  }
}"""
VIEWER_ID = "{ viewer { user { id } } }"


async def seeded(client, background) -> tuple[Brand, dict, list[str]]:
    """A brand's album with three approved media (the newest two tagged) and one pending, newest last."""
    owner = await brand(client)
    await products(client, owner, "TEE-1", "CAP-2")
    summer = await album(client, owner)
    made = []
    with ImageServer().running() as host:
        for index, (approved, skus) in enumerate(
            [(True, []), (True, ["TEE-1"]), (True, ["TEE-1", "CAP-2"]), (False, ["CAP-2"])]
        ):
            sent = await submit(
                client,
                owner,
                albumId=summer["id"],
                photoUri=f"{host.url}/photo.jpg",
                username=f"fan{index}",
                title=f"Shot {index}",
                approved=approved,
                productSkus=skus,
            )
            made.append(sent["content"]["id"])
        await background.settle()
    return owner, summer, made


def titles(answer: dict) -> list[str]:
    return [edge["node"]["title"] for edge in answer["album"]["media"]["edges"]]


async def test_the_brand_reads_all_its_media_with_filters(client, background):
    owner, summer, _ = await seeded(client, background)
    every = await client.data(MEDIA, {"id": summer["id"]}, token=owner.token)
    assert titles(every) == ["Shot 3", "Shot 2", "Shot 1", "Shot 0"]
    assert every["album"]["uploadLink"].endswith("/ugc/albums/" + every["album"]["uploadLink"].rsplit("/", 1)[-1])
    first = every["album"]["media"]["edges"][0]["node"]
    assert first["content"] == {"status": "PENDING"} and first["imageUrl"].startswith("http")
    approved = await client.data(MEDIA, {"id": summer["id"], "filter": {"approved": True}}, token=owner.token)
    assert titles(approved) == ["Shot 2", "Shot 1", "Shot 0"]
    pending = await client.data(MEDIA, {"id": summer["id"], "filter": {"approved": False}}, token=owner.token)
    assert titles(pending) == ["Shot 3"]
    tagged = await client.data(
        MEDIA,
        {"id": summer["id"], "filter": {"approved": True, "hasProducts": True}},
        headers={"X-API-Key": owner.api_key},
    )
    assert titles(tagged) == ["Shot 2", "Shot 1"]
    untagged = await client.data(MEDIA, {"id": summer["id"], "filter": {"hasProducts": False}}, token=owner.token)
    assert titles(untagged) == ["Shot 0"]


async def test_anyone_reads_approved_media_only_and_nothing_private(client, background):
    _, summer, _ = await seeded(client, background)
    stranger = await sign_up(client, role="BRAND")
    for credential in ({}, {"token": stranger.access_token}):
        seen = await client.data(MEDIA, {"id": summer["id"], "filter": {"approved": False}}, **credential)
        assert seen["album"]["uploadLink"] is None
        # Asking for the others gives approved media still: nobody else sees pending or rejected content.
        assert titles(seen) == ["Shot 2", "Shot 1", "Shot 0"]
        nodes = [edge["node"] for edge in seen["album"]["media"]["edges"]]
        assert all(node["content"] is None and node["imageUrl"] for node in nodes)
        assert nodes[0]["products"] == [{"sku": "CAP-2"}, {"sku": "TEE-1"}]


async def test_pages_forward_by_recency(client, background):
    _, summer, _ = await seeded(client, background)
    seen, after = [], None
    while True:
        answer = await client.data(MEDIA, {"id": summer["id"], "first": 2, "after": after})
        seen += titles(answer)
        info = answer["album"]["media"]["pageInfo"]
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    assert seen == ["Shot 2", "Shot 1", "Shot 0"]
    refused = await client.execute(MEDIA, {"id": summer["id"], "first": 2, "after": "junk"})
    assert refused["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_product_media_for_the_brand_and_for_anyone(client, background):
    owner, _, _ = await seeded(client, background)
    own = await client.data(PRODUCT_MEDIA, {"sku": "CAP-2"}, headers={"X-API-Key": owner.api_key})
    assert [edge["node"]["title"] for edge in own["productMedia"]["edges"]] == ["Shot 3", "Shot 2"]
    brand_id = (await client.data(VIEWER_ID, token=owner.token))["viewer"]["user"]["id"]
    public = await client.data(PRODUCT_MEDIA, {"sku": "CAP-2", "brandId": brand_id})
    assert [edge["node"]["title"] for edge in public["productMedia"]["edges"]] == ["Shot 2"]
    paged = await client.data(PRODUCT_MEDIA, {"sku": "TEE-1", "brandId": brand_id, "first": 1})
    assert paged["productMedia"]["pageInfo"]["hasNextPage"] is True
    rest = await client.data(
        PRODUCT_MEDIA,
        {"sku": "TEE-1", "brandId": brand_id, "first": 1, "after": paged["productMedia"]["pageInfo"]["endCursor"]},
    )
    assert [edge["node"]["title"] for edge in rest["productMedia"]["edges"]] == ["Shot 1"]
    assert (await client.data(PRODUCT_MEDIA, {"sku": "NOPE", "brandId": brand_id}))["productMedia"] is None
    anonymous = await client.execute(PRODUCT_MEDIA, {"sku": "CAP-2"})
    assert anonymous["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    bad_id = await client.execute(PRODUCT_MEDIA, {"sku": "CAP-2", "brandId": "junk"})
    assert bad_id["errors"][0]["extensions"]["code"] == "NOT_FOUND"  # as any malformed ID


async def test_a_page_of_media_with_products_and_images_is_a_fixed_number_of_statements(client, background, sql):
    owner, summer, _ = await seeded(client, background)
    counts = []
    for first in (1, 10):
        sql.reset()
        answer = await client.data(MEDIA, {"id": summer["id"], "first": first}, token=owner.token)
        assert len(answer["album"]["media"]["edges"]) == min(first, 4)
        counts.append(sql.count)
    # The album, the page, its products and its photos: one statement each, however many media.
    assert counts[0] == counts[1] <= 5, sql.statements

"""Brand profiles and matches through the API: the profile mutation, matches scored on photo.analyzed and on a
profile change, ordering by score, statuses (DISMISSED stays, also racing the job), events once, dashboards."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, update

from lensgraph.adapters.embeddings import EmbeddingsUnavailable, get_embedder
from lensgraph.domain.photos import PhotoCategory
from lensgraph.persistence.embeddings import store_photo_embedding
from lensgraph.persistence.models import BrandMatch, BrandProfile, OutboxEvent
from lensgraph.schema.core import to_global_id
from tests.api.factories import ready_photos
from tests.api.helpers import sign_up
from tests.api.images import photo_jpeg
from tests.api.test_photos import upload

UPSERT = """mutation($input: UpsertBrandProfileInput!) { upsertBrandProfile(input: $input) {
  profile { companyName website description preferredCategories styles colors keywords excludedKeywords
    budget { currency min { amount formatted } max { amount } } }
  userErrors { field code message } } }"""
PROFILE = "{ viewer { brandProfile { companyName keywords budget { currency } } } }"
MATCHES = """query($status: MatchStatus, $first: Int, $after: String) { viewer {
  brandMatches(status: $status, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id score reasons status photo { id title } } } } } }"""
SET_STATUS = """mutation($input: UpdateMatchStatusInput!) { updateMatchStatus(input: $input) {
  match { id status } userErrors { field code message } } }"""
DASHBOARD = """query($from: Date!, $to: Date!) { viewer { brandDashboard(from: $from, to: $to) {
  matchesByStatus { status count } } } }"""
MATCH_COUNT = "query($id: ID!) { node(id: $id) { ... on Photo { matchCount } } }"

SURF = {
    "companyName": "Tidewater Surf Co.",
    "website": "https://tidewater.example",
    "description": "Surf wear for cold water.",
    "preferredCategories": ["SPORTS"],
    "styles": ["golden hour"],
    "colors": ["blue"],
    "keywords": ["surf", "beach", "wave"],
    "excludedKeywords": ["crowd"],
    "budget": {"currency": "EUR", "min": 10000, "max": 50000},
}


def gid(photo_id) -> str:
    return to_global_id("Photo", photo_id)


async def save_profile(client, brand, **overrides):
    payload = await client.data(UPSERT, {"input": {**SURF, **overrides}}, token=brand.access_token)
    return payload["upsertBrandProfile"]


async def matches(client, brand, **variables):
    return (await client.data(MATCHES, variables, token=brand.access_token))["viewer"]["brandMatches"]


async def set_status(client, brand, match_id, status):
    variables = {"input": {"matchId": match_id, "status": status}}
    return (await client.data(SET_STATUS, variables, token=brand.access_token))["updateMatchStatus"]


async def events(services, event_type) -> int:
    async with services.db.session() as session:
        return int(await session.scalar(select(func.count()).where(OutboxEvent.type == event_type)))


async def surf_catalogue(services, photographer):
    """Photos fitting the surf profile less and less: the order matches must come back in."""
    photos = []
    for title, keywords, category in (
        ("Surfers riding a wave at golden hour", ["beach", "ocean"], PhotoCategory.SPORTS),
        ("Surf beach at dawn", ["sand"], PhotoCategory.SPORTS),
        ("Beach huts", ["summer", "surf"], PhotoCategory.TRAVEL),
        ("Wave pattern", [], None),
    ):
        [photo_id] = await ready_photos(
            services, photographer, 1, title=title, keywords=keywords, category=category, colors=["#2850c8"]
        )
        photos.append(photo_id)
    [crowded] = await ready_photos(services, photographer, 1, title="Surf contest crowd", keywords=["surf", "beach"])
    [unrelated] = await ready_photos(services, photographer, 1, title="Office desk", keywords=["laptop"])
    return photos, crowded, unrelated


async def test_a_brand_saves_and_reads_its_profile(client):
    brand = await sign_up(client, role="BRAND")
    assert (await client.data(PROFILE, token=brand.access_token))["viewer"]["brandProfile"] is None
    saved = await save_profile(client, brand, keywords=["Surf", "surf", "Beach"], colors=["Blue"])
    assert saved["userErrors"] == []
    assert saved["profile"]["keywords"] == ["surf", "beach"] and saved["profile"]["colors"] == ["blue"]
    assert saved["profile"]["budget"] == {
        "currency": "EUR",
        "min": {"amount": 10000, "formatted": "100.00 EUR"},
        "max": {"amount": 50000},
    }
    again = await save_profile(client, brand, companyName="Tidewater", budget=None, keywords=[])
    assert again["profile"]["companyName"] == "Tidewater" and again["profile"]["budget"] is None
    profile = (await client.data(PROFILE, token=brand.access_token))["viewer"]["brandProfile"]
    assert profile == {"companyName": "Tidewater", "keywords": [], "budget": None}


async def test_a_profile_with_bad_input_is_refused_and_nothing_is_written(client):
    brand = await sign_up(client, role="BRAND")
    for overrides, field in (
        ({"budget": {"currency": "XYZ", "min": 0, "max": 100}}, ["budget.currency"]),
        ({"budget": {"currency": "EUR", "min": 500, "max": 100}}, ["budget", "min"]),
        ({"companyName": " "}, ["companyName"]),
        ({"colors": ["teal-ish"]}, ["colors", "0"]),
        ({"website": "javascript:alert(1)"}, ["website"]),
    ):
        saved = await save_profile(client, brand, **overrides)
        assert saved["profile"] is None
        assert [(error["code"], error["field"]) for error in saved["userErrors"]] == [("INVALID_INPUT", field)]
    assert (await client.data(PROFILE, token=brand.access_token))["viewer"]["brandProfile"] is None


async def test_only_brands_have_a_profile_and_matches(client):
    for role in ("PHOTOGRAPHER", "STUDIO"):
        account = await sign_up(client, role=role)
        for document, variables in ((UPSERT, {"input": SURF}), (MATCHES, {}), (PROFILE, {})):
            body = await client.execute(document, variables, token=account.access_token)
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = await client.execute(UPSERT, {"input": SURF})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_profile_change_scores_the_catalogue_best_first(client, services, background):
    brand, photographer = await sign_up(client, role="BRAND"), await sign_up(client)
    photos, crowded, unrelated = await surf_catalogue(services, photographer)
    await save_profile(client, brand)
    await background.settle()

    found = await matches(client, brand)
    assert [edge["node"]["photo"]["id"] for edge in found["edges"]] == [gid(photo) for photo in photos]
    scores = [edge["node"]["score"] for edge in found["edges"]]
    assert scores == sorted(scores, reverse=True) and found["totalCount"] == 4
    best = found["edges"][0]["node"]
    assert best["status"] == "NEW"
    assert best["reasons"][0] == "keywords: surf, beach, wave, golden hour"
    assert "category: sports" in best["reasons"] and "palette: blue" in best["reasons"]
    shown = {edge["node"]["photo"]["id"] for edge in found["edges"]}
    assert gid(crowded) not in shown and gid(unrelated) not in shown  # excluded keyword; nothing in common

    # Keyset pages on (score, id): no repeats, no gaps.
    first = await matches(client, brand, first=2)
    rest = await matches(client, brand, first=2, after=first["pageInfo"]["endCursor"])
    assert [edge["node"]["id"] for edge in first["edges"] + rest["edges"]] == [
        edge["node"]["id"] for edge in found["edges"]
    ]
    assert not rest["pageInfo"]["hasNextPage"]

    # Excluding a word the best photo holds drops it at the next scoring.
    await save_profile(client, brand, excludedKeywords=["dawn"])
    await background.settle()
    again = await matches(client, brand)
    assert gid(photos[1]) not in {edge["node"]["photo"]["id"] for edge in again["edges"]}


async def test_a_newly_analysed_photo_is_scored_and_announced_once(client, services, background):
    brand, photographer = await sign_up(client, role="BRAND"), await sign_up(client)
    # The upload helper gives its photos the keywords "sea" and "dusk".
    await save_profile(client, brand, keywords=["sea", "dusk"], preferredCategories=[], colors=[], styles=[])
    await background.settle()
    assert (await matches(client, brand))["totalCount"] == 0

    confirmed = await upload(client, photographer, photo_jpeg(), title="Harbour lights")
    await background.settle()  # the analysis, which emits photo.analyzed
    await background.settle()  # the scoring that event asks for
    found = await matches(client, brand)
    [edge] = found["edges"]
    assert edge["node"]["photo"]["id"] == confirmed["photo"]["id"]
    assert edge["node"]["reasons"][0] == "keywords: sea, dusk"
    assert await events(services, "match.new") == 1 and await events(services, "photo.available") == 1

    # Scoring again, by either job, announces nothing more.
    photo_key = (await _keys(services))[0][1]
    background.send("matching.score_photo", str(photo_key))
    await save_profile(client, brand, keywords=["sea", "dusk"], preferredCategories=[], colors=[], styles=[])
    await background.settle()
    assert await events(services, "match.new") == 1 and await events(services, "photo.available") == 1
    assert (await matches(client, brand))["totalCount"] == 1

    # The photographer sees how often the photo was matched; others do not.
    owner_view = await client.data(MATCH_COUNT, {"id": confirmed["photo"]["id"]}, token=photographer.access_token)
    assert owner_view["node"]["matchCount"] == 1
    brand_view = await client.data(MATCH_COUNT, {"id": confirmed["photo"]["id"]}, token=brand.access_token)
    assert brand_view["node"]["matchCount"] is None


async def test_two_scorings_of_a_photo_at_once_announce_its_match_once(client, services, background):
    brand, photographer = await sign_up(client, role="BRAND"), await sign_up(client)
    await save_profile(client, brand, keywords=["sea", "dusk"], preferredCategories=[], colors=[], styles=[])
    await upload(client, photographer, photo_jpeg(), title="Harbour lights")
    await background.settle()
    await background.settle()
    assert await events(services, "match.new") == 1
    # The match forgotten as announced, two jobs score the photo at once: one of them announces it again.
    async with services.db.unit_of_work() as uow:
        await uow.session.execute(update(BrandMatch).values(announced_at=None))
    photo_key = (await _keys(services))[0][1]
    background.send("matching.score_photo", str(photo_key))
    background.send("matching.score_photo", str(photo_key))
    await background.settle()
    assert await events(services, "match.new") == 2


async def _keys(services):
    async with services.db.session() as session:
        return list((await session.execute(select(BrandMatch.id, BrandMatch.photo_id))).all())


async def test_statuses_move_forward_only_and_another_brands_match_is_not_found(client, services, background):
    brand, other, photographer = (
        await sign_up(client, role="BRAND"),
        await sign_up(client, role="BRAND"),
        await sign_up(client),
    )
    await surf_catalogue(services, photographer)
    await save_profile(client, brand)
    await background.settle()
    match_id = (await matches(client, brand))["edges"][0]["node"]["id"]

    assert (await set_status(client, brand, match_id, "VIEWED"))["match"]["status"] == "VIEWED"
    assert (await set_status(client, brand, match_id, "VIEWED"))["match"]["status"] == "VIEWED"
    assert (await set_status(client, brand, match_id, "INTERESTED"))["match"]["status"] == "INTERESTED"
    refused = await set_status(client, brand, match_id, "VIEWED")
    assert [error["code"] for error in refused["userErrors"]] == ["INVALID_TRANSITION"]
    back_to_new = await set_status(client, brand, match_id, "NEW")
    assert [error["code"] for error in back_to_new["userErrors"]] == ["INVALID_INPUT"]

    stranger = await set_status(client, other, match_id, "DISMISSED")
    assert [(error["code"], error["field"]) for error in stranger["userErrors"]] == [("NOT_FOUND", ["matchId"])]
    node = "query($id: ID!) { node(id: $id) { ... on BrandMatch { status } } }"
    assert (await client.data(node, {"id": match_id}, token=other.access_token))["node"] is None
    assert (await client.data(node, {"id": match_id}, token=brand.access_token))["node"] == {"status": "INTERESTED"}

    today = datetime.now(UTC).date().isoformat()
    dashboard = await client.data(DASHBOARD, {"from": today, "to": today}, token=brand.access_token)
    counts = {row["status"]: row["count"] for row in dashboard["viewer"]["brandDashboard"]["matchesByStatus"]}
    assert counts == {"NEW": 3, "VIEWED": 0, "INTERESTED": 1, "DISMISSED": 0}


async def test_a_dismissed_photo_never_comes_back(client, services, background):
    brand, photographer = await sign_up(client, role="BRAND"), await sign_up(client)
    photos, _, _ = await surf_catalogue(services, photographer)
    await save_profile(client, brand)
    await background.settle()
    match_id = (await matches(client, brand))["edges"][0]["node"]["id"]
    assert (await set_status(client, brand, match_id, "DISMISSED"))["userErrors"] == []

    # Scored again from both sides, with a profile that likes the photo even more.
    await save_profile(client, brand, keywords=["surf", "beach", "wave", "ocean"])
    background.send("matching.score_photo", str(photos[0]))
    await background.settle()
    shown = await matches(client, brand)
    assert match_id not in {edge["node"]["id"] for edge in shown["edges"]} and shown["totalCount"] == 3
    dismissed = await matches(client, brand, status="DISMISSED")
    assert [edge["node"]["id"] for edge in dismissed["edges"]] == [match_id]
    refused = await set_status(client, brand, match_id, "INTERESTED")
    assert [error["code"] for error in refused["userErrors"]] == ["INVALID_TRANSITION"]


async def test_dismissals_racing_the_matching_job_stay_dismissed(client, services, background):
    brand, photographer = await sign_up(client, role="BRAND"), await sign_up(client)
    await ready_photos(services, photographer, 12, keywords=["surf", "beach"], category=PhotoCategory.SPORTS)
    await save_profile(client, brand)
    await background.settle()
    ids = [edge["node"]["id"] for edge in (await matches(client, brand, first=50))["edges"]]
    assert len(ids) == 12

    # The job rescoring every match (the profile changed) while the brand dismisses each of them.
    await save_profile(client, brand, keywords=["surf", "beach", "sand"])
    relay = asyncio.create_task(background.settle())
    answers = await asyncio.gather(*(set_status(client, brand, match_id, "DISMISSED") for match_id in ids))
    await relay
    assert all(answer["userErrors"] == [] for answer in answers)
    background.send("matching.score_brand", str(await _brand_key(services)))
    await background.settle()

    assert (await matches(client, brand))["totalCount"] == 0
    assert (await matches(client, brand, status="DISMISSED", first=50))["totalCount"] == 12


async def _brand_key(services):
    async with services.db.session() as session:
        return await session.scalar(select(BrandMatch.brand_id).limit(1))


async def test_reading_matches_with_their_photos_stays_flat_in_sql(client, services, background, sql):
    brand, photographer = await sign_up(client, role="BRAND"), await sign_up(client)
    await ready_photos(services, photographer, 3, keywords=["surf"])
    await save_profile(client, brand)
    await background.settle()
    sql.reset()
    assert len((await matches(client, brand))["edges"]) == 3
    few = sql.count
    await ready_photos(services, photographer, 9, keywords=["surf"])
    await save_profile(client, brand, description="Cold water surf wear.")
    await background.settle()
    sql.reset()
    assert len((await matches(client, brand))["edges"]) == 12
    assert sql.count == few


async def test_with_the_embedding_model_the_profile_is_embedded_and_similarity_counts(
    client, services, background, embeddings_on
):
    try:
        embedder = get_embedder("local")
    except EmbeddingsUnavailable as unavailable:
        pytest.skip(str(unavailable))
    brand, photographer = await sign_up(client, role="BRAND"), await sign_up(client)
    # Shares no word with the profile: only its meaning brings it in.
    [photo_id] = await ready_photos(services, photographer, 1, title="Longboarder riding a swell", keywords=["sea"])
    [vector] = embedder.embed(["Longboarder riding a swell. sea"])
    async with services.db.unit_of_work() as uow:
        await store_photo_embedding(
            uow.session, photo_id, vector, model=embedder.model_name, version=embedder.model_version
        )
    await save_profile(
        client,
        brand,
        keywords=["surfing"],
        styles=[],
        colors=[],
        preferredCategories=[],
        budget=None,
        description="Surf wear for surfers who ride waves.",
    )
    await background.settle()

    async with services.db.session() as session:
        stored = await session.scalar(select(BrandProfile))
    assert stored is not None and stored.embedding_model == embedder.model_name
    assert stored.embedding_version == embedder.model_version and len(stored.embedding or []) == embedder.dimensions
    [edge] = (await matches(client, brand))["edges"]
    assert edge["node"]["photo"]["id"] == gid(photo_id)
    assert edge["node"]["reasons"][0].startswith("similar to your profile (")

    # The same text is not embedded again.
    before = stored.updated_at
    background.send("matching.score_brand", str(stored.user_id))
    await background.settle()
    async with services.db.session() as session:
        assert (await session.scalar(select(BrandProfile))).updated_at == before


async def test_each_brand_keeps_its_best_and_a_dismissal_frees_a_place(
    client, services, background, three_matches_kept
):
    brand, photographer = await sign_up(client, role="BRAND"), await sign_up(client)
    photos, _, _ = await surf_catalogue(services, photographer)
    await save_profile(client, brand)
    await background.settle()
    kept = await matches(client, brand)
    assert [edge["node"]["photo"]["id"] for edge in kept["edges"]] == [gid(photo) for photo in photos[:3]]
    async with services.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(BrandMatch)) == 3

    assert (await set_status(client, brand, kept["edges"][0]["node"]["id"], "DISMISSED"))["userErrors"] == []
    await save_profile(client, brand, description="Surf wear for cold water, all year.")
    await background.settle()
    again = await matches(client, brand)
    assert [edge["node"]["photo"]["id"] for edge in again["edges"]] == [gid(photo) for photo in photos[1:4]]
    assert (await matches(client, brand, status="DISMISSED"))["totalCount"] == 1

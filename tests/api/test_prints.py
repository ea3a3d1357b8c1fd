"""The print store through the API: a studio's products, a gallery client's order placed with the gallery access
token and paid through the checkout, the studio's production and shipping, bad input, isolation, statement counts."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select, update

from lensgraph.domain.payments import EarningStatus
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import Earning, Gallery, OutboxEvent
from tests.api.factories import ready_photos, user_key
from tests.api.helpers import sign_up
from tests.api.print_flows import (
    ADDRESS,
    CANCEL,
    CLIENT_VIEW,
    DELETE_PRODUCT,
    PAY,
    UPDATE_PRODUCT,
    client_call,
    confirm_offline,
    counts,
    move,
    paid_order,
    place,
    placed,
    product,
    store,
)
from tests.api.test_galleries import UPDATE, codes, mutate, photo_gid, studio

PRODUCT_NODE = "query($id: ID!) { node(id: $id) { ... on PrintProduct { id name } } }"
ORDER_NODE = "query($id: ID!) { node(id: $id) { ... on PrintOrder { id status email } } }"
PRODUCTS = "{ viewer { printProducts { totalCount edges { node { name active } } } } }"
ORDERS = """query($status: PrintOrderStatus, $first: Int) {
  viewer { printOrders(filter: {status: $status}, first: $first) {
  totalCount edges { node { id status total { amount } gallery { title }
    items { quantity productName lineTotal { amount } photo { id title } } } } } } }"""


async def test_a_studio_creates_updates_lists_and_deletes_its_print_products(client):
    owner = await studio(client)
    made = await product(client, owner, "  Fine   art print ", 2500)
    assert (made["name"], made["size"], made["active"]) == ("Fine art print", "20x30 cm", True)
    assert made["price"] == {"amount": 2500, "currency": "EUR", "formatted": "25.00 EUR"}

    changed = await mutate(client, owner, UPDATE_PRODUCT, id=made["id"], version=made["version"], name="Matte print")
    assert changed["userErrors"] == [] and changed["printProduct"]["name"] == "Matte print"
    stale = await mutate(client, owner, UPDATE_PRODUCT, id=made["id"], version=made["version"], name="Late")
    assert codes(stale) == [(["version"], "CONFLICT")]
    off = await mutate(client, owner, UPDATE_PRODUCT, id=made["id"], active=False)
    assert off["printProduct"]["active"] is False

    listed = (await client.data(PRODUCTS, token=owner.access_token))["viewer"]["printProducts"]
    assert listed["totalCount"] == 1 and listed["edges"][0]["node"] == {"name": "Matte print", "active": False}

    deleted = await mutate(client, owner, DELETE_PRODUCT, id=made["id"])
    assert (deleted["deletedPrintProductId"], deleted["printProduct"]) == (made["id"], None)
    assert (await client.data(PRODUCTS, token=owner.access_token))["viewer"]["printProducts"]["totalCount"] == 0


async def test_bad_products_are_refused_and_brands_keep_no_store(client):
    owner = await studio(client)
    create = (
        "mutation($input: CreatePrintProductInput!) { createPrintProduct(input: $input) { userErrors { field code } } }"
    )
    for fields, field in [
        ({"name": " ", "size": "A3", "price": {"amount": 100, "currency": "EUR"}}, ["name"]),
        ({"name": "Print", "size": "", "price": {"amount": 100, "currency": "EUR"}}, ["size"]),
        ({"name": "Print", "size": "A3", "price": {"amount": 0, "currency": "EUR"}}, ["price"]),
        ({"name": "Print", "size": "A3", "price": {"amount": -5, "currency": "EUR"}}, ["price"]),
        ({"name": "Print", "size": "A3", "price": {"amount": 100, "currency": "XXX"}}, ["price.currency"]),
    ]:
        payload = (await client.data(create, {"input": fields}, token=owner.access_token))["createPrintProduct"]
        assert payload["userErrors"] == [{"field": field, "code": "INVALID_INPUT"}], fields
    assert (await client.data(PRODUCTS, token=owner.access_token))["viewer"]["printProducts"]["totalCount"] == 0
    brand = await sign_up(client, role="BRAND")
    body = await client.execute(PRODUCTS, token=brand.access_token)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_the_client_sees_the_active_products_through_the_unlocked_gallery_only(client, services):
    shop = await store(client, services)
    await mutate(client, shop.owner, UPDATE_PRODUCT, id=shop.products[1]["id"], active=False)
    other = await studio(client)
    await product(client, other, "Someone else's print")

    locked = (await client.data(CLIENT_VIEW, {"slug": shop.slug}))["gallery"]
    assert locked["printProducts"] is None and locked["printOrders"] is None
    opened = (await client.data(CLIENT_VIEW, {"slug": shop.slug}, headers=shop.headers()))["gallery"]
    assert [item["name"] for item in opened["printProducts"]] == ["Fine art print"]
    assert opened["printOrders"]["totalCount"] == 0

    await mutate(client, shop.owner, UPDATE, id=shop.gallery["id"], printStore=False)
    closed = (await client.data(CLIENT_VIEW, {"slug": shop.slug}, headers=shop.headers()))["gallery"]
    assert closed["printProducts"] == []
    refused = await place(client, shop)
    assert codes(refused) == [(["gallerySlug"], "INVALID_INPUT")]


async def test_an_order_is_priced_paid_once_and_followed_by_its_client(client, services):
    shop = await store(client, services)
    payload = await placed(client, shop)
    order = payload["printOrder"]
    assert payload["checkoutUrl"].startswith("http://testserver/payments/offline/")
    assert order["status"] == "PENDING" and order["total"] == {"amount": 2 * 2500 + 9000, "currency": "EUR"}
    assert [(item["quantity"], item["lineTotal"]["amount"], item["photo"]) for item in order["items"]] == [
        (2, 5000, None),
        (1, 9000, None),
    ]
    assert order["shippingAddress"]["country"] == "FR" and order["shippingAddress"]["line2"] is None

    await confirm_offline(client, payload["checkoutUrl"])
    # The confirm page again is a replay of the same event: nothing more is earned.
    await confirm_offline(client, payload["checkoutUrl"])
    seen = (await client.data(CLIENT_VIEW, {"slug": shop.slug}, headers=shop.headers()))["gallery"]["printOrders"]
    assert [edge["node"]["status"] for edge in seen["edges"]] == ["PAID"]
    async with services.db.session() as session:
        earnings = list(await session.scalars(select(Earning)))
        events = list(await session.scalars(select(OutboxEvent).where(OutboxEvent.type == "print_order.paid")))
    assert [(row.photographer_id, row.gross, row.fee + row.net) for row in earnings] == [
        (user_key(shop.owner), 14_000, 14_000)
    ]
    assert earnings[0].status is EarningStatus.PENDING
    assert len(events) == 1 and events[0].payload["amount"] == 14_000

    studio_view = (await client.data(ORDERS, token=shop.owner.access_token))["viewer"]["printOrders"]
    [node] = [edge["node"] for edge in studio_view["edges"]]
    assert node["status"] == "PAID" and node["gallery"]["title"] == "Smith wedding"
    assert [item["photo"]["title"] for item in node["items"]] == ["Photo 1", "Photo 2"]

    # Another client of the same gallery sees none of Jane's orders.
    other = await client.data(
        "mutation($input: UnlockGalleryInput!) { unlockGallery(input: $input) { accessToken } }",
        {"input": {"slug": shop.slug, "password": "confetti", "email": "bob@example.com"}},
    )
    theirs = await client.data(
        CLIENT_VIEW, {"slug": shop.slug}, headers=shop.headers(other["unlockGallery"]["accessToken"])
    )
    assert theirs["gallery"]["printOrders"]["totalCount"] == 0


async def test_bad_orders_are_refused_with_clear_codes_and_write_nothing(client, services):
    shop = await store(client, services)
    other = await store(client, services)
    stray = [photo_gid(key) for key in await ready_photos(services, shop.owner, 1)]
    dollars = await product(client, shop.owner, "US print", 3000, currency="USD")
    retired = await product(client, shop.owner, "Retired", 100, active=False)

    def line(photo: str, product_id: str, quantity: int = 1) -> dict[str, object]:
        return {"photoId": photo, "productId": product_id, "quantity": quantity}

    first, mine = shop.photos[0], shop.products[0]["id"]
    cases = [
        ([line(stray[0], mine)], {}, [(["items", "0", "photoId"], "NOT_FOUND")]),
        ([line(other.photos[0], mine)], {}, [(["items", "0", "photoId"], "NOT_FOUND")]),
        ([line(first, other.products[0]["id"])], {}, [(["items", "0", "productId"], "NOT_FOUND")]),
        ([line(first, retired["id"])], {}, [(["items", "0", "productId"], "NOT_FOUND")]),
        ([line(first, mine, 0)], {}, [(["items", "0", "quantity"], "INVALID_INPUT")]),
        ([line(first, mine), line(first, mine, -1)], {}, [(["items", "1", "quantity"], "INVALID_INPUT")]),
        ([line(first, mine, 101)], {}, [(["items", "0", "quantity"], "INVALID_INPUT")]),
        ([line(first, mine), line(first, dollars["id"])], {}, [(["items", "1"], "INVALID_INPUT")]),
        ([line(first, mine)], {"shippingAddress": {**ADDRESS, "country": "XY"}}, None),
        ([line(first, mine)], {"shippingAddress": {**ADDRESS, "country": "FRA"}}, None),
        (
            [line(first, mine)],
            {"shippingAddress": {**ADDRESS, "city": " "}},
            [(["shippingAddress", "city"], "INVALID_INPUT")],
        ),
        ([line(first, mine)], {"email": "not an address"}, [(["email"], "INVALID_INPUT")]),
        ([line(first, mine)], {"gallerySlug": "no-such-gallery"}, [(["gallerySlug"], "NOT_FOUND")]),
    ]
    for items, values, expected in cases:
        refused = await place(client, shop, items, **values)
        assert refused["printOrder"] is None and refused["checkoutUrl"] is None
        wanted = expected or [(["shippingAddress", "country"], "INVALID_INPUT")]
        assert codes(refused) == wanted, (items, values)
    empty = await client_call(
        client,
        shop,
        "mutation($input: PlacePrintOrderInput!) { placePrintOrder(input: $input) { userErrors { field code } } }",
        gallerySlug=shop.slug,
        items=[],
        shippingAddress=ADDRESS,
        email="jane@example.com",
    )
    assert empty["userErrors"] == [{"field": ["items"], "code": "INVALID_INPUT"}]

    # A token for another gallery, or none: refused as an access error, not a user error.
    for headers, code in [({"X-Gallery-Token": other.token}, "FORBIDDEN"), ({}, "UNAUTHENTICATED")]:
        body = await client.execute(
            "mutation($input: PlacePrintOrderInput!) { placePrintOrder(input: $input) { checkoutUrl } }",
            {
                "input": {
                    "gallerySlug": shop.slug,
                    "items": [line(first, mine)],
                    "shippingAddress": ADDRESS,
                    "email": "jane@example.com",
                }
            },
            headers=headers,
        )
        assert body["errors"][0]["extensions"]["code"] == code
    assert await counts(services) == (0, 0, 0, 0)


async def test_every_allowed_and_refused_status_move(client, services):
    shop = await store(client, services)
    pending = (await placed(client, shop))["printOrder"]["id"]
    for target in ["PAID", "IN_PRODUCTION", "SHIPPED", "REFUNDED", "PENDING"]:
        refused = await move(
            client, shop.owner, pending, target, **({"trackingNumber": "T1"} if target == "SHIPPED" else {})
        )
        assert codes(refused) == [(["status"], "INVALID_TRANSITION")], target

    order = (await paid_order(client, shop))["id"]
    for target in ["PENDING", "PAID", "SHIPPED", "CANCELLED", "REFUNDED"]:
        refused = await move(
            client, shop.owner, order, target, **({"trackingNumber": "T1"} if target == "SHIPPED" else {})
        )
        assert codes(refused) == [(["status"], "INVALID_TRANSITION")], target
    tracked = await move(client, shop.owner, order, "IN_PRODUCTION", trackingNumber="T1")
    assert codes(tracked) == [(["trackingNumber"], "INVALID_INPUT")]
    making = await move(client, shop.owner, order, "IN_PRODUCTION")
    assert making["printOrder"]["status"] == "IN_PRODUCTION"
    for target in ["PENDING", "PAID", "IN_PRODUCTION", "CANCELLED", "REFUNDED"]:
        assert codes(await move(client, shop.owner, order, target)) == [(["status"], "INVALID_TRANSITION")], target
    untracked = await move(client, shop.owner, order, "SHIPPED")
    assert codes(untracked) == [(["trackingNumber"], "INVALID_INPUT")]
    stale = await move(
        client, shop.owner, order, "SHIPPED", trackingNumber="T1", version=making["printOrder"]["version"] - 1
    )
    assert codes(stale) == [(["version"], "CONFLICT")]
    shipped = await move(
        client, shop.owner, order, "SHIPPED", trackingNumber=" 1Z 999 ", version=making["printOrder"]["version"]
    )
    assert (shipped["printOrder"]["status"], shipped["printOrder"]["trackingNumber"]) == ("SHIPPED", "1Z 999")
    for target in ["PENDING", "PAID", "IN_PRODUCTION", "SHIPPED", "CANCELLED", "REFUNDED"]:
        refused = await move(
            client, shop.owner, order, target, **({"trackingNumber": "T2"} if target == "SHIPPED" else {})
        )
        assert codes(refused) == [(["status"], "INVALID_TRANSITION")], target
    seen = (await client.data(CLIENT_VIEW, {"slug": shop.slug}, headers=shop.headers()))["gallery"]["printOrders"]
    assert [(edge["node"]["status"], edge["node"]["trackingNumber"]) for edge in seen["edges"]] == [
        ("SHIPPED", "1Z 999"),
        ("PENDING", None),
    ]

    # The studio cancels a PENDING order; a CANCELLED one moves no more.
    cancelled = await move(client, shop.owner, pending, "CANCELLED")
    assert cancelled["printOrder"]["status"] == "CANCELLED"
    for target in ["PENDING", "PAID", "IN_PRODUCTION", "CANCELLED"]:
        assert codes(await move(client, shop.owner, pending, target)) == [(["status"], "INVALID_TRANSITION")], target


async def test_the_client_cancels_an_unpaid_order_and_a_late_payment_is_not_applied(client, services):
    shop = await store(client, services)
    payload = await placed(client, shop)
    order = payload["printOrder"]["id"]
    again = await client_call(client, shop, PAY, gallerySlug=shop.slug, id=order)
    assert again["checkoutUrl"] == payload["checkoutUrl"]
    cancelled = await client_call(client, shop, CANCEL, gallerySlug=shop.slug, id=order)
    assert cancelled["printOrder"]["status"] == "CANCELLED"
    twice = await client_call(client, shop, CANCEL, gallerySlug=shop.slug, id=order)
    assert codes(twice) == [(["id"], "INVALID_TRANSITION")]
    assert codes(await client_call(client, shop, PAY, gallerySlug=shop.slug, id=order)) == [
        (["id"], "INVALID_TRANSITION")
    ]
    # The checkout of the cancelled order, paid anyway: the order stays CANCELLED and nothing is earned.
    await confirm_offline(client, payload["checkoutUrl"])
    assert await counts(services) == (1, 2, 1, 0)

    paid = (await paid_order(client, shop))["id"]
    refused = await client_call(client, shop, CANCEL, gallerySlug=shop.slug, id=paid)
    assert codes(refused) == [(["id"], "INVALID_TRANSITION")]
    # Another client of the gallery cannot touch Jane's order.
    bob = await client.data(
        "mutation($input: UnlockGalleryInput!) { unlockGallery(input: $input) { accessToken } }",
        {"input": {"slug": shop.slug, "password": "confetti", "email": "bob@example.com"}},
    )
    foreign = await client_call(
        client, shop, CANCEL, token=bob["unlockGallery"]["accessToken"], gallerySlug=shop.slug, id=order
    )
    assert codes(foreign) == [(["id"], "NOT_FOUND")]


async def test_concurrent_moves_of_one_version_apply_once(client, services):
    shop = await store(client, services)
    order = (await paid_order(client, shop))["id"]
    [version] = [
        edge["node"]
        for edge in (
            await client.data(
                "{ viewer { printOrders { edges { node { version } } } } }", token=shop.owner.access_token
            )
        )["viewer"]["printOrders"]["edges"]
    ]
    answers = await asyncio.gather(
        *(move(client, shop.owner, order, "IN_PRODUCTION", version=version["version"]) for _ in range(4))
    )
    assert sorted(codes(answer)[0][1] if answer["userErrors"] else "OK" for answer in answers) == [
        "CONFLICT",
        "CONFLICT",
        "CONFLICT",
        "OK",
    ]


async def test_concurrent_confirmations_of_one_checkout_earn_once(client, services):
    shop = await store(client, services)
    payload = await placed(client, shop)
    await asyncio.gather(*(confirm_offline(client, payload["checkoutUrl"]) for _ in range(4)))
    assert await counts(services) == (1, 2, 1, 1)


async def test_a_product_once_ordered_is_deactivated_not_deleted(client, services):
    shop = await store(client, services)
    await placed(client, shop)
    kept = await mutate(client, shop.owner, DELETE_PRODUCT, id=shop.products[0]["id"])
    assert kept["deletedPrintProductId"] is None and kept["printProduct"]["active"] is False
    orders = (await client.data(ORDERS, token=shop.owner.access_token))["viewer"]["printOrders"]
    assert orders["edges"][0]["node"]["items"][0]["productName"] == "Fine art print"


async def test_studios_never_see_each_others_products_or_orders(client, services):
    shop = await store(client, services)
    order = (await paid_order(client, shop))["id"]
    rival = await studio(client)
    for query, key in [(PRODUCT_NODE, shop.products[0]["id"]), (ORDER_NODE, order)]:
        assert (await client.data(query, {"id": key}, token=rival.access_token))["node"] is None
        assert (await client.data(query, {"id": key}))["node"] is None
        assert (await client.data(query, {"id": key}, token=shop.owner.access_token))["node"]["id"] == key
    assert (await client.data(ORDERS, token=rival.access_token))["viewer"]["printOrders"]["totalCount"] == 0
    assert (await client.data(PRODUCTS, token=rival.access_token))["viewer"]["printProducts"]["totalCount"] == 0
    assert codes(await move(client, rival, order, "IN_PRODUCTION")) == [(["id"], "NOT_FOUND")]
    changed = await mutate(client, rival, UPDATE_PRODUCT, id=shop.products[0]["id"], name="Mine now")
    assert codes(changed) == [(["id"], "NOT_FOUND")]
    assert codes(await mutate(client, rival, DELETE_PRODUCT, id=shop.products[0]["id"])) == [(["id"], "NOT_FOUND")]


async def test_the_status_filter(client, services):
    shop = await store(client, services)
    await placed(client, shop)
    await paid_order(client, shop)
    by_status = {}
    for status in ["PENDING", "PAID", "SHIPPED"]:
        data = await client.data(ORDERS, {"status": status}, token=shop.owner.access_token)
        by_status[status] = data["viewer"]["printOrders"]["totalCount"]
    assert by_status == {"PENDING": 1, "PAID": 1, "SHIPPED": 0}


async def test_orders_with_their_items_cost_the_same_sql_at_3_and_at_12(client, services, sql, unmetered):
    shop = await store(client, services)

    async def statements_for(count: int) -> int:
        while (await client.data(ORDERS, token=shop.owner.access_token))["viewer"]["printOrders"]["totalCount"] < count:
            await placed(client, shop)
        sql.reset()
        data = await client.data(ORDERS, {"first": count}, token=shop.owner.access_token)
        edges = data["viewer"]["printOrders"]["edges"]
        assert len(edges) == count and all(len(edge["node"]["items"]) == 2 for edge in edges)
        return sql.count

    assert await statements_for(3) == await statements_for(12)


async def test_a_product_deleted_while_ordered_is_either_kept_for_the_order_or_never_ordered(client, services):
    shop = await store(client, services)
    for _ in range(3):
        fresh = await product(client, shop.owner, "Postcard", 300)
        items = [{"photoId": shop.photos[0], "productId": fresh["id"], "quantity": 1}]
        ordered, deleted = await asyncio.gather(
            place(client, shop, items), mutate(client, shop.owner, DELETE_PRODUCT, id=fresh["id"])
        )
        assert deleted["userErrors"] == []
        if ordered["userErrors"]:
            assert codes(ordered) == [(["items", "0", "productId"], "NOT_FOUND")]
            assert deleted["deletedPrintProductId"] == fresh["id"]
        else:
            assert deleted["printProduct"] == {**fresh, "active": False, "version": fresh["version"] + 1}
            assert ordered["printOrder"]["items"][0]["productId"] == fresh["id"]


async def test_an_expired_gallery_takes_no_orders(client, services):
    shop = await store(client, services)
    async with services.db.unit_of_work() as uow:
        await uow.session.execute(
            update(Gallery).where(Gallery.slug == shop.slug).values(expires_at=utcnow() - timedelta(minutes=1))
        )
    assert codes(await place(client, shop)) == [(["gallerySlug"], "GALLERY_EXPIRED")]
    assert await counts(services) == (0, 0, 0, 0)

"""Print store steps for API tests: a studio's products and a gallery with its print store on, a client holding the
gallery's access token, an order placed and paid (offline mode or through the Stripe fake)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from lensgraph.persistence.models import Earning, Payment, PrintOrder, PrintOrderItem
from tests.api.factories import ready_photos
from tests.api.helpers import Account
from tests.api.test_galleries import ADD, created, mutate, photo_gid, studio
from tests.api.test_gallery_access import HEADER, unlock

ERRORS = "userErrors { field code message }"
PRODUCT_FIELDS = "id name size active version price { amount currency formatted }"
CREATE_PRODUCT = f"""mutation($input: CreatePrintProductInput!) {{ createPrintProduct(input: $input) {{
  printProduct {{ {PRODUCT_FIELDS} }} {ERRORS} }} }}"""
UPDATE_PRODUCT = f"""mutation($input: UpdatePrintProductInput!) {{ updatePrintProduct(input: $input) {{
  printProduct {{ {PRODUCT_FIELDS} }} {ERRORS} }} }}"""
DELETE_PRODUCT = f"""mutation($input: DeletePrintProductInput!) {{ deletePrintProduct(input: $input) {{
  deletedPrintProductId printProduct {{ {PRODUCT_FIELDS} }} {ERRORS} }} }}"""
CLIENT_ORDER_FIELDS = """id status trackingNumber total { amount currency }
  shippingAddress { name line1 line2 city postalCode region country }
  items { photoId productId productName productSize quantity unitPrice { amount } lineTotal { amount } photo { id } }"""
PLACE = f"""mutation($input: PlacePrintOrderInput!) {{ placePrintOrder(input: $input) {{
  checkoutUrl printOrder {{ {CLIENT_ORDER_FIELDS} }} {ERRORS} }} }}"""
PAY = f"""mutation($input: ClientPrintOrderInput!) {{ payPrintOrder(input: $input) {{
  checkoutUrl printOrder {{ id status }} {ERRORS} }} }}"""
CANCEL = f"""mutation($input: ClientPrintOrderInput!) {{ cancelPrintOrder(input: $input) {{
  printOrder {{ id status }} {ERRORS} }} }}"""
MOVE = f"""mutation($input: UpdatePrintOrderStatusInput!) {{ updatePrintOrderStatus(input: $input) {{
  printOrder {{ id status trackingNumber version }} {ERRORS} }} }}"""
CLIENT_VIEW = f"""query($slug: String!) {{ gallery(slug: $slug) {{
  printProducts {{ id name size price {{ amount currency }} }}
  printOrders {{ totalCount edges {{ node {{ {CLIENT_ORDER_FIELDS} }} }} }} }} }}"""
ADDRESS = {"name": "Jane Client", "line1": "1 Rue de Rivoli", "city": "Paris", "postalCode": "75001", "country": "fr"}


@dataclass
class Store:
    owner: Account
    gallery: dict[str, Any]
    photos: list[str]
    products: list[dict[str, Any]]
    token: str

    @property
    def slug(self) -> str:
        return str(self.gallery["slug"])

    def headers(self, token: str | None = None) -> dict[str, str]:
        return {HEADER: token or self.token}


async def product(client, owner: Account, name: str = "Fine art print", amount: int = 2500, **fields: Any) -> Any:
    payload = await mutate(
        client,
        owner,
        CREATE_PRODUCT,
        name=name,
        size=fields.pop("size", "20x30 cm"),
        price={"amount": amount, "currency": fields.pop("currency", "EUR")},
        **fields,
    )
    assert payload["userErrors"] == [], payload
    return payload["printProduct"]


async def store(client, services, owner: Account | None = None, **gallery: Any) -> Store:
    """A studio with two products, a protected gallery selling prints with two READY photos, and a client who
    unlocked it."""
    owner = owner or await studio(client)
    keys = await ready_photos(services, owner, 2)
    photos = [photo_gid(key) for key in keys]
    made = await created(client, owner, title="Smith wedding", password="confetti", printStore=True, **gallery)
    assert (await mutate(client, owner, ADD, galleryId=made["id"], photoIds=photos))["userErrors"] == []
    products = [await product(client, owner), await product(client, owner, "Canvas", 9000, size="60x90 cm")]
    unlocked = await unlock(client, made["slug"], "confetti", "jane@example.com")
    return Store(owner, made, photos, products, unlocked["accessToken"])


async def client_call(client, shop: Store, document: str, token: str | None = None, **values: Any) -> Any:
    data = await client.data(document, {"input": values}, headers=shop.headers(token))
    return next(iter(data.values()))


async def place(client, shop: Store, items: list[dict[str, Any]] | None = None, **values: Any) -> Any:
    """An order of two prints of the first photo and one canvas of the second, unless ``items`` say otherwise."""
    chosen = items or [
        {"photoId": shop.photos[0], "productId": shop.products[0]["id"], "quantity": 2},
        {"photoId": shop.photos[1], "productId": shop.products[1]["id"], "quantity": 1},
    ]
    given = {"gallerySlug": shop.slug, "items": chosen, "shippingAddress": ADDRESS, "email": "jane@example.com"}
    return await client_call(client, shop, PLACE, **{**given, **values})


async def placed(client, shop: Store, **values: Any) -> Any:
    payload = await place(client, shop, **values)
    assert payload["userErrors"] == [], payload
    return payload


async def confirm_offline(client, checkout_url: str) -> None:
    """The offline payment mode's confirm page: what a paid Stripe checkout does."""
    response = await client.http.post(checkout_url.removeprefix("http://testserver"))
    assert response.status_code == 303, response.text


async def paid_order(client, shop: Store) -> dict[str, Any]:
    payload = await placed(client, shop)
    await confirm_offline(client, payload["checkoutUrl"])
    return dict(payload["printOrder"])


async def move(client, owner: Account, order_id: str, status: str, **values: Any) -> Any:
    return await mutate(client, owner, MOVE, id=order_id, status=status, **values)


async def counts(services) -> tuple[int, int, int, int]:
    """Rows of orders, order lines, payments and earnings."""
    async with services.db.session() as session:
        return tuple(  # type: ignore[return-value]
            [
                int(await session.scalar(select(func.count()).select_from(model)) or 0)
                for model in (PrintOrder, PrintOrderItem, Payment, Earning)
            ]
        )

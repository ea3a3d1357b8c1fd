"""The demo marketplace, built step by step through the API: what a person would have done in the first weeks."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from lensgraph.seed import scenes
from lensgraph.seed.catalogue import (
    ANSEL,
    ANSEL_PHOTOS,
    BRAND,
    DOROTHEA,
    DOROTHEA_PHOTOS,
    STUDIO,
    STUDIO_PHOTOS,
    DemoPhoto,
    DemoUser,
)
from lensgraph.seed.client import DemoClient, SeedError

# A documentation domain (RFC 2606): nothing there expects our deliveries, and the endpoint is disabled anyway.
DEMO_WEBHOOK_URL = "https://example.com/lensgraph-demo-webhook"

CREATE_WEBHOOK = """mutation($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) { endpoint { id } userErrors { field code message } } }"""
UPDATE_WEBHOOK = """mutation($input: UpdateWebhookEndpointInput!) {
  updateWebhookEndpoint(input: $input) { endpoint { enabled } userErrors { field code message } } }"""
MODEL_RELEASE = """mutation($input: SubmitModelReleaseInput!) {
  submitModelRelease(input: $input) { release { id } userErrors { field code message } } }"""
PROPERTY_RELEASE = """mutation($input: SubmitPropertyReleaseInput!) {
  submitPropertyRelease(input: $input) { release { id } userErrors { field code message } } }"""
CREATE_COLLECTION = """mutation($input: CreateCollectionInput!) {
  createCollection(input: $input) { collection { id } userErrors { field code message } } }"""
ADD_TO_COLLECTION = """mutation($input: AddPhotoToCollectionInput!) {
  addPhotoToCollection(input: $input) { userErrors { field code message } } }"""
PORTFOLIO = """mutation($input: UpdatePortfolioSettingsInput!) {
  updatePortfolioSettings(input: $input) { userErrors { field code message } } }"""
FEATURE = (
    """mutation($input: SetFeaturedPhotosInput!) { setFeaturedPhotos(input: $input) { userErrors { field code } } }"""
)
LIGHTBOX = """mutation($input: AddToLightboxInput!) { addToLightbox(input: $input) { userErrors { field code } } }"""
VIEW = """query($id: ID!) { node(id: $id) { id } }"""
ONBOARD = """mutation { startPayoutOnboarding { payoutAccount { status } userErrors { code message } } }"""
OFFER = """mutation($input: CreateLicenseOfferInput!) {
  createLicenseOffer(input: $input) { license { id } userErrors { field code message } } }"""
COUNTER = """mutation($input: CounterLicenseOfferInput!) {
  counterLicenseOffer(input: $input) { license { id } userErrors { field code message } } }"""
ACCEPT = """mutation($input: LicenseIdInput!) {
  acceptLicenseOffer(input: $input) { contract { id } userErrors { field code message } } }"""
DECLINE = """mutation($input: LicenseAnswerInput!) {
  declineLicenseOffer(input: $input) { license { id } userErrors { field code message } } }"""
SIGN = """mutation($input: SignContractInput!) { signContract(input: $input) { userErrors { field code message } } }"""
COMPANY = """mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { userErrors { field code } } }"""
# The paid demo licence carries the brand's references and its own wording, as buyers write them.
DUNES_REFERENCES = {"purchaseOrder": "PO-1042", "project": "Desert spring campaign", "client": "Oasis Travel"}
CHECKOUT = """mutation($input: CreateLicenseCheckoutInput!) {
  createLicenseCheckout(input: $input) { checkoutUrl userErrors { field code message } } }"""


def _terms(usage: str, media: list[str], amount: int, **more: Any) -> dict[str, Any]:
    return {"usage": usage, "media": media, "price": {"amount": amount, "currency": "EUR"}, **more}


class Marketplace:
    """Builds the demo marketplace; ``photos`` maps each ``DemoPhoto.key`` to the photo's global ID."""

    def __init__(self, api: DemoClient) -> None:
        self.api = api
        self.photos: dict[str, str] = {}

    async def build(self) -> None:
        # First, before any event exists: a disabled endpoint never receives a delivery.
        await self.webhook_endpoint()
        await self.upload(ANSEL, ANSEL_PHOTOS)
        await self.upload(DOROTHEA, DOROTHEA_PHOTOS)
        await self.upload(STUDIO, STUDIO_PHOTOS)
        await self.api.analysed(ANSEL, DOROTHEA, STUDIO)
        await self.releases()
        await self.collections()
        await self.portfolios()
        await self.lightbox_and_views()
        await self.licences()

    async def upload(self, owner: DemoUser, photos: tuple[DemoPhoto, ...]) -> None:
        for photo in photos:
            self.photos[photo.key] = await self.api.add_photo(photo, owner)

    def ids(self, *keys: str) -> list[str]:
        return [self.photos[key] for key in keys]

    async def webhook_endpoint(self) -> None:
        created = await self.api.mutate(
            "createWebhookEndpoint",
            CREATE_WEBHOOK,
            {
                "url": DEMO_WEBHOOK_URL,
                "events": ["license.created", "license.accepted", "contract.signed", "payment.completed"],
                "description": "Demo endpoint, disabled: set your receiver's URL and enable it",
            },
            ANSEL,
        )
        await self.api.mutate(
            "updateWebhookEndpoint", UPDATE_WEBHOOK, {"id": created["endpoint"]["id"], "enabled": False}, ANSEL
        )

    async def releases(self) -> None:
        signed_on = (datetime.now(UTC) - timedelta(days=30)).date().isoformat()
        document = await self.api.add_release_document(
            "eileen-collins.pdf", scenes.release_pdf("Eileen Collins"), DOROTHEA
        )
        given = {
            "uploadId": document,
            "modelName": "Eileen Collins",
            "signedOn": signed_on,
            "details": "Covers the portrait session only.",
            "photoIds": self.ids("astronaut"),
        }
        await self.api.mutate("submitModelRelease", MODEL_RELEASE, given, DOROTHEA)
        document = await self.api.add_release_document("loft.pdf", scenes.release_pdf("Loft Studios Ltd"), STUDIO)
        given = {
            "uploadId": document,
            "propertyName": "The Loft, 12 Harbour Street",
            "signedOn": signed_on,
            "photoIds": self.ids("studio-loft"),
        }
        await self.api.mutate("submitPropertyRelease", PROPERTY_RELEASE, given, STUDIO)

    async def collection(self, owner: DemoUser, title: str, visibility: str, keys: tuple[str, ...]) -> None:
        created = await self.api.mutate(
            "createCollection", CREATE_COLLECTION, {"title": title, "visibility": visibility}, owner
        )
        for photo_id in self.ids(*keys):
            given = {"collectionId": created["collection"]["id"], "photoId": photo_id}
            await self.api.mutate("addPhotoToCollection", ADD_TO_COLLECTION, given, owner)

    async def collections(self) -> None:
        await self.collection(ANSEL, "Coasts and dunes", "PUBLIC", ("dunes", "dunes-morning", "coast", "cove"))
        await self.collection(ANSEL, "Night skies", "PUBLIC", ("milky-way", "moonrise"))
        await self.collection(ANSEL, "Work in progress", "PRIVATE", ("dunes-study", "autumn"))
        await self.collection(DOROTHEA, "City lights", "PUBLIC", ("night-city", "skyline", "downtown", "towers"))
        await self.collection(DOROTHEA, "Portraits", "PUBLIC", ("astronaut", "briefing"))
        await self.collection(STUDIO, "Weddings", "PUBLIC", ("studio-garden", "studio-beach"))

    async def portfolio(self, owner: DemoUser, settings: dict[str, Any], featured: tuple[str, ...]) -> None:
        await self.api.mutate("updatePortfolioSettings", PORTFOLIO, settings, owner)
        await self.api.mutate("setFeaturedPhotos", FEATURE, {"photoIds": self.ids(*featured)}, owner)

    async def portfolios(self) -> None:
        await self.portfolio(
            ANSEL,
            {
                "headline": "Coasts, dunes and night skies",
                "theme": "DARK",
                "bio": "Landscapes in natural light, from the Atlantic coast to the Sahara.",
                "socialLinks": [{"network": "WEBSITE", "url": "https://ansel.example"}],
            },
            ("dunes", "coast", "peaks", "milky-way"),
        )
        await self.portfolio(
            DOROTHEA,
            {
                "headline": "Cities and the people in them",
                "theme": "LIGHT",
                "bio": "Street, architecture and portraits.",
                "socialLinks": [{"network": "INSTAGRAM", "url": "https://instagram.com/dorothea.demo"}],
            },
            ("night-city", "astronaut", "towers"),
        )
        await self.portfolio(
            STUDIO,
            {"headline": "Weddings and events", "theme": "MINIMAL", "bio": "A small studio by the harbour."},
            ("studio-garden", "studio-beach", "studio-loft"),
        )

    async def lightbox_and_views(self) -> None:
        for photo_id in self.ids("dunes", "coast", "night-city", "astronaut", "towers"):
            await self.api.mutate("addToLightbox", LIGHTBOX, {"photoId": photo_id}, BRAND)
        # Reads by others count as views on the photographers' dashboards (anonymous readers too).
        for key, times in (("dunes", 5), ("coast", 3), ("night-city", 4), ("astronaut", 2), ("peaks", 1)):
            for reader in (BRAND, None)[: 1 + times % 2]:
                for _ in range(times):
                    await self.api.call(VIEW, {"id": self.photos[key]}, reader)

    async def licences(self) -> None:
        for photographer in (ANSEL, DOROTHEA, STUDIO):
            await self.api.call(ONBOARD, as_user=photographer)
        await self.api.mutate("updateProfile", COMPANY, {"companyName": "Acme Outdoor GmbH"}, BRAND)
        await self.offer("peaks", _terms("EDITORIAL", ["WEB"], 15000), "For our travel magazine's spring issue")
        countered = await self.offer("coast", _terms("COMMERCIAL", ["WEB", "SOCIAL"], 20000, durationDays=365))
        await self.api.mutate(
            "counterLicenseOffer",
            COUNTER,
            {
                "licenseId": countered,
                "message": "Worldwide social use is worth more.",
                "terms": _terms("COMMERCIAL", ["WEB", "SOCIAL"], 35000, durationDays=365),
            },
            ANSEL,
        )
        # The face in this photo is covered by a model release, so commercial use may be offered.
        await self.accepted("astronaut", _terms("COMMERCIAL", ["PRINT"], 40000, territories=["FR", "DE"]), DOROTHEA)
        declined = await self.offer("briefing", _terms("EDITORIAL", ["WEB"], 9000))
        given = {"licenseId": declined, "message": "Not before a model release is signed."}
        await self.api.mutate("declineLicenseOffer", DECLINE, given, DOROTHEA)
        await self.signed("towers", _terms("EDITORIAL", ["WEB", "PRINT"], 12000), DOROTHEA)
        dunes = _terms(
            "COMMERCIAL", ["WEB", "SOCIAL"], 25000, durationDays=365, customTerms="Up to 3 social posts a month."
        )
        paid = await self.signed("dunes", dunes, ANSEL, references=DUNES_REFERENCES)
        await self.pay(paid)

    async def offer(
        self, key: str, terms: dict[str, Any], message: str | None = None, references: dict[str, str] | None = None
    ) -> str:
        given = {"photoId": self.photos[key], "terms": terms, "message": message, "references": references}
        license_id: str = (await self.api.mutate("createLicenseOffer", OFFER, given, BRAND))["license"]["id"]
        return license_id

    async def accepted(
        self, key: str, terms: dict[str, Any], photographer: DemoUser, references: dict[str, str] | None = None
    ) -> tuple[str, str]:
        license_id = await self.offer(key, terms, references=references)
        contract = await self.api.mutate("acceptLicenseOffer", ACCEPT, {"licenseId": license_id}, photographer)
        return license_id, contract["contract"]["id"]

    async def signed(
        self, key: str, terms: dict[str, Any], photographer: DemoUser, references: dict[str, str] | None = None
    ) -> str:
        license_id, contract_id = await self.accepted(key, terms, photographer, references)
        for signer, name in (
            (BRAND, "Bea Brand"),
            (photographer, f"{photographer.first_name} {photographer.last_name}"),
        ):
            given = {"contractId": contract_id, "signatureName": name}
            await self.api.mutate("signContract", SIGN, given, signer)
        return license_id

    async def pay(self, license_id: str) -> None:
        """Checks out and presses the offline checkout page's button, as the brand would in a browser."""
        checkout = await self.api.mutate("createLicenseCheckout", CHECKOUT, {"licenseId": license_id}, BRAND)
        await self.api.pay_offline(checkout["checkoutUrl"])
        for _ in range(100):
            status = await self.api.call(
                "query($id: ID!) { node(id: $id) { ... on License { status } } }", {"id": license_id}, BRAND
            )
            if status["node"]["status"] == "ACTIVE":
                return
            await asyncio.sleep(0.05)
        raise SeedError("the paid licence did not become ACTIVE")

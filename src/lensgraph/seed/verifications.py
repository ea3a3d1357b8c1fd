"""The demo's verifications and verified marketplace, through the API: RAW + JPEG pairs from the simulated cameras,
analysed by the real job; one report shared by link, one with the brand; a listing the brand bought a tier of."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from lensgraph.seed.cameras import CAMERAS, Camera, Exposure, clone, develop, jpeg, shot
from lensgraph.seed.catalogue import ANSEL, BRAND, DOROTHEA, DemoUser
from lensgraph.seed.client import REQUEST_UPLOAD, DemoClient, SeedError

# Small enough that four analyses take a few seconds; large enough for every check to have evidence.
WIDTH, HEIGHT = 640, 480
CREATE = """mutation($input: CreateVerificationInput!) {
  createVerification(input: $input) { verification { id } userErrors { field code message } } }"""
OPEN = "{ viewer { verifications(first: 50) { edges { node { status } } } } }"
SHARE = """mutation($input: SetVerificationSharingInput!) {
  setVerificationSharing(input: $input) { verification { id } userErrors { field code message } } }"""
INVITE = """mutation($input: VerificationInviteInput!) {
  inviteToVerification(input: $input) { invite { email } userErrors { field code message } } }"""
LIST = """mutation($input: CreateListingInput!) {
  createListing(input: $input) { listing { id } userErrors { field code message } } }"""
PURCHASE = """mutation($input: PurchaseListingInput!) {
  purchaseListing(input: $input) { purchase { id } checkoutUrl userErrors { field code message } } }"""
PURCHASE_STATUS = "query($id: ID!) { node(id: $id) { ... on Purchase { status } } }"
ANALYSIS_SECONDS = 120


@dataclass(frozen=True)
class DemoVerification:
    name: str
    scene: str  # a sample photo of lensgraph.seed.cameras
    camera: Camera
    seed: int
    retouched: bool = False  # a local edit: part of the picture covered by a copy of another part

    def files(self) -> tuple[bytes, bytes]:
        """The DNG and the JPEG developed from it (retouched, if so)."""
        exposure = Exposure()
        raw = shot(self.scene, self.camera, self.seed, WIDTH, HEIGHT, exposure)
        pixels = develop(raw)
        if self.retouched:
            pixels = clone(pixels, (HEIGHT // 3, WIDTH // 2, HEIGHT // 5, WIDTH // 5), (HEIGHT // 8, WIDTH // 10))
        return raw, jpeg(pixels, self.camera, exposure)


ROCKET = DemoVerification("Rocket on the launch pad", "rocket", CAMERAS[0], 11)
COFFEE = DemoVerification("Morning coffee, retouched", "coffee", CAMERAS[0], 12, retouched=True)
CHELSEA = DemoVerification("Chelsea the cat", "chelsea", CAMERAS[1], 13)
ASTRONAUT = DemoVerification("Astronaut in the studio, retouched", "astronaut", CAMERAS[1], 14, retouched=True)
DEMO_VERIFICATIONS: dict[DemoUser, tuple[DemoVerification, ...]] = {
    ANSEL: (ROCKET, COFFEE),
    DOROTHEA: (CHELSEA, ASTRONAUT),
}
LISTING_TIERS = [
    {"tier": "PERSONAL", "price": 1500, "terms": "Personal use: prints and private albums, no redistribution."},
    {"tier": "COMMERCIAL", "price": 6000, "terms": "Marketing and advertising, worldwide, one year."},
]


class VerifiedMarketplace:
    """Verifies the demo pairs, shares two reports, lists the authentic rocket, and has the brand buy a tier."""

    def __init__(self, api: DemoClient) -> None:
        self.api = api
        self.ids: dict[str, str] = {}  # DemoVerification.name -> global ID

    async def start(self) -> None:
        """Creates the verifications: the worker analyses them while the rest of the demo is made."""
        for owner, pairs in DEMO_VERIFICATIONS.items():
            for pair in pairs:
                self.ids[pair.name] = await self.verify(pair, owner)

    async def finish(self) -> None:
        """Once analysed: the sharing, the listing and the purchase."""
        await self.analysed(*DEMO_VERIFICATIONS)
        given = {"id": self.ids[ROCKET.name], "accessType": "ANYONE_WITH_LINK"}
        await self.api.mutate("setVerificationSharing", SHARE, given, ANSEL)
        await self.api.mutate(
            "inviteToVerification", INVITE, {"id": self.ids[CHELSEA.name], "email": BRAND.email}, DOROTHEA
        )
        listing = await self.api.mutate(
            "createListing",
            LIST,
            {
                "verificationId": self.ids[ROCKET.name],
                "title": "Rocket on the launch pad",
                "description": "Verified against the camera's RAW.",
                "currency": "EUR",
                "tiers": LISTING_TIERS,
            },
            ANSEL,
        )
        await self.buy(listing["listing"]["id"], "PERSONAL")

    async def verify(self, pair: DemoVerification, owner: DemoUser) -> str:
        raw, image = await asyncio.to_thread(pair.files)
        stem = pair.scene.upper()
        raw_id = await self.api.upload(
            REQUEST_UPLOAD,
            "requestUpload",
            {"purpose": "RAW", "filename": f"{stem}.DNG", "mimeType": "image/x-adobe-dng"},
            raw,
            owner,
        )
        image_id = await self.api.upload(
            REQUEST_UPLOAD,
            "requestUpload",
            {"purpose": "IMAGE_FOR_VERIFICATION", "filename": f"{stem}.jpg", "mimeType": "image/jpeg"},
            image,
            owner,
        )
        given = {"rawUploadId": raw_id, "imageUploadId": image_id, "name": pair.name}
        created = await self.api.mutate("createVerification", CREATE, given, owner)
        verification_id: str = created["verification"]["id"]
        return verification_id

    async def analysed(self, *owners: DemoUser) -> None:
        """Waits until the in-process worker has analysed every verification of ``owners`` (COMPLETED)."""
        deadline = asyncio.get_running_loop().time() + ANALYSIS_SECONDS
        for owner in owners:
            while True:
                edges = (await self.api.call(OPEN, as_user=owner))["viewer"]["verifications"]["edges"]
                statuses = {edge["node"]["status"] for edge in edges}
                if "FAILED" in statuses:
                    raise SeedError(f"a verification of {owner.username} FAILED")
                if statuses <= {"COMPLETED"}:
                    break
                if asyncio.get_running_loop().time() > deadline:
                    raise SeedError(f"the verifications of {owner.username} were not analysed in {ANALYSIS_SECONDS} s")
                await asyncio.sleep(0.2)

    async def buy(self, listing_id: str, tier: str) -> None:
        """The brand buys a tier through the offline checkout page, as it pays licences."""
        bought = await self.api.mutate("purchaseListing", PURCHASE, {"listingId": listing_id, "tier": tier}, BRAND)
        await self.api.pay_offline(bought["checkoutUrl"])
        for _ in range(100):
            found = await self.api.call(PURCHASE_STATUS, {"id": bought["purchase"]["id"]}, BRAND)
            if found["node"]["status"] == "COMPLETED":
                return
            await asyncio.sleep(0.05)
        raise SeedError("the demo purchase did not become COMPLETED")

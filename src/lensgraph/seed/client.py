"""The seed speaks to the app as any client does: GraphQL over HTTP, in process (no socket, no port)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from lensgraph.seed.catalogue import DEMO_PASSWORD, DemoPhoto, DemoUser

LOGIN = """mutation($input: LoginInput!) { login(input: $input) { accessToken userErrors { code message } } }"""
REGISTER = (
    """mutation($input: RegisterInput!) { register(input: $input) { user { id } userErrors { code message } } }"""
)
REQUEST_UPLOAD = """mutation($input: RequestUploadInput!) {
  requestUpload(input: $input) { uploadId uploadUrl method headers userErrors { field code message } } }"""
CONFIRM_PHOTO = """mutation($input: ConfirmPhotoUploadInput!) {
  confirmPhotoUpload(input: $input) { photo { id } userErrors { field code message } } }"""
PROCESSING = "{ viewer { photos(status: PROCESSING) { totalCount } } }"
ANALYSIS_SECONDS = 180


class SeedError(RuntimeError):
    """The app refused a step of the seed: a bug in the seed or in the app, never the user's doing."""


class DemoClient:
    """GraphQL calls as one of the demo users (or anonymously); every refusal stops the seed."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.tokens: dict[str, str] = {}

    async def call(self, query: str, variables: dict[str, Any] | None = None, as_user: DemoUser | None = None) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[as_user.email]}"} if as_user else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        body = response.json()
        if response.status_code != 200 or body.get("errors"):
            raise SeedError(f"{query.split('(')[0].strip()} failed: {body.get('errors', response.text)}")
        data: dict[str, Any] = body["data"]
        for payload in data.values():
            if isinstance(payload, dict) and payload.get("userErrors"):
                raise SeedError(f"{query.split('(')[0].strip()} refused: {payload['userErrors']}")
        return data

    async def mutate(self, name: str, query: str, given: dict[str, Any], as_user: DemoUser) -> Any:
        """The payload of mutation ``name`` called with ``input: given``."""
        return (await self.call(query, {"input": given}, as_user))[name]

    async def register(self, user: DemoUser) -> bool:
        """True when the account was created now, False when it already existed."""
        given = {
            "email": user.email,
            "password": DEMO_PASSWORD,
            "role": user.role,
            "firstName": user.first_name,
            "lastName": user.last_name,
            "username": user.username,
        }
        answer = await self.http.post("/graphql", json={"query": REGISTER, "variables": {"input": given}})
        errors = answer.json()["data"]["register"]["userErrors"]
        if errors and errors[0]["code"] != "ALREADY_EXISTS":
            raise SeedError(f"register {user.email} refused: {errors}")
        return not errors

    async def sign_in(self, user: DemoUser) -> bool:
        """Signs in with the demo password; False when it no longer works (the account was changed)."""
        answer = await self.http.post(
            "/graphql", json={"query": LOGIN, "variables": {"input": {"email": user.email, "password": DEMO_PASSWORD}}}
        )
        login = answer.json()["data"]["login"]
        if login["userErrors"]:
            return False
        self.tokens[user.email] = login["accessToken"]
        return True

    async def upload(self, request: str, name: str, given: dict[str, Any], data: bytes, as_user: DemoUser) -> str:
        """Requests an upload URL, sends the bytes to it, and answers the upload's id."""
        target = await self.mutate(name, request, {**given, "fileSizeBytes": len(data)}, as_user)
        sent = await self.http.request(target["method"], target["uploadUrl"], content=data, headers=target["headers"])
        if sent.status_code >= 300:
            raise SeedError(f"upload refused with {sent.status_code}: {sent.text}")
        upload_id: str = target["uploadId"]
        return upload_id

    async def add_photo(self, photo: DemoPhoto, as_user: DemoUser) -> str:
        """Uploads and confirms one photo; the analysis job is queued, as for any upload."""
        upload_id = await self.upload(
            REQUEST_UPLOAD,
            "requestUpload",
            {"purpose": "PHOTO", "filename": f"{photo.key}.jpg", "mimeType": "image/jpeg"},
            photo.draw(),
            as_user,
        )
        confirmed = await self.mutate(
            "confirmPhotoUpload",
            CONFIRM_PHOTO,
            {
                "uploadId": upload_id,
                "title": photo.title,
                "description": photo.description or None,
                "keywords": photo.keywords,
                "category": photo.category,
                "visibility": photo.visibility,
            },
            as_user,
        )
        photo_id: str = confirmed["photo"]["id"]
        return photo_id

    async def add_release_document(self, filename: str, data: bytes, as_user: DemoUser) -> str:
        return await self.upload(
            REQUEST_UPLOAD,
            "requestUpload",
            {"purpose": "RELEASE_DOCUMENT", "filename": filename, "mimeType": "application/pdf"},
            data,
            as_user,
        )

    async def pay_offline(self, checkout_url: str) -> None:
        """Presses the offline checkout page's button, as a buyer would in a browser."""
        if "/payments/offline/" not in checkout_url:
            raise SeedError("the demo pays through the offline payment mode only; unset LENSGRAPH_STRIPE_SECRET_KEY")
        confirmed = await self.http.post(checkout_url)
        if confirmed.status_code != 303:
            raise SeedError(f"the offline checkout answered {confirmed.status_code}")

    async def analysed(self, *users: DemoUser) -> None:
        """Waits until the in-process worker has analysed every photo of ``users``."""
        deadline = asyncio.get_running_loop().time() + ANALYSIS_SECONDS
        for user in users:
            while (await self.call(PROCESSING, as_user=user))["viewer"]["photos"]["totalCount"]:
                if asyncio.get_running_loop().time() > deadline:
                    raise SeedError(f"the photos of {user.username} were not analysed in {ANALYSIS_SECONDS} s")
                await asyncio.sleep(0.2)

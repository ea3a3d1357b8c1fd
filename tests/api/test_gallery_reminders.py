"""Expiry reminders: the gallery sweep mails a gallery's client once per expiry date, some days before it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import update

from lensgraph.persistence import gallery_extras
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import Gallery
from lensgraph.schema.core import from_global_id
from tests.api.test_galleries import ARCHIVE, UPDATE, created, mutate, studio


async def move_expiry(services, gallery: dict, when) -> None:
    """Time moves on: the gallery's expiry comes within the reminder window (set behind the API's back, as the
    API refuses no expiry in the future but the test wants exact instants)."""
    async with services.db.unit_of_work() as uow:
        await uow.session.execute(
            update(Gallery).where(Gallery.id == from_global_id(gallery["id"])[1]).values(expires_at=when)
        )


def reminders(inbox, address: str) -> list:
    return [message for message in inbox.messages if message["To"] == address]


async def sweep(background, times: int = 1) -> None:
    for _ in range(times):
        background.send("galleries.expire")
    await background.settle()


async def test_the_client_is_reminded_once_per_expiry_date(client, services, background, inbox, settings):
    assert settings.gallery_expiry_reminder_days == 3
    owner = await studio(client)
    gallery = await created(
        client,
        owner,
        title="Smith wedding",
        clientEmail="jane@example.com",
        clientName="Jane",
        expiresAt="2031-01-01T00:00:00Z",
    )
    await sweep(background)
    assert reminders(inbox, "jane@example.com") == []

    first_expiry = (utcnow() + timedelta(days=2)).replace(microsecond=0)
    await move_expiry(services, gallery, first_expiry)
    # Several sweeps, some of them concurrent in the worker: one mail.
    await sweep(background, times=3)
    [mail] = reminders(inbox, "jane@example.com")
    assert mail["Subject"] == 'Your gallery "Smith wedding" closes soon'
    body = mail.get_payload(decode=True).decode()
    assert "Hello Jane," in body and settings.gallery_url(gallery["slug"]) in body
    assert first_expiry.strftime("%d %B %Y at %H:%M UTC") in body

    # A new expiry re-arms the reminder: one more mail, for the new date.
    second_expiry = (utcnow() + timedelta(days=1)).replace(microsecond=0)
    changed = await mutate(client, owner, UPDATE, id=gallery["id"], expiresAt=second_expiry.isoformat())
    assert changed["userErrors"] == []
    await sweep(background, times=2)
    _, second = reminders(inbox, "jane@example.com")
    assert second_expiry.strftime("%d %B %Y at %H:%M UTC") in second.get_payload(decode=True).decode()


async def test_no_reminder_too_early_without_a_client_address_or_once_archived(client, services, background, inbox):
    owner = await studio(client)
    soon = utcnow() + timedelta(days=2)
    later = await created(
        client, owner, title="Later", clientEmail="later@example.com", expiresAt="2031-01-01T00:00:00Z"
    )
    await move_expiry(services, later, utcnow() + timedelta(days=4))
    nobody = await created(client, owner, title="Nobody", expiresAt="2031-01-01T00:00:00Z")
    await move_expiry(services, nobody, soon)
    archived = await created(
        client, owner, title="Archived", clientEmail="archived@example.com", expiresAt="2031-01-01T00:00:00Z"
    )
    await move_expiry(services, archived, soon)
    await mutate(client, owner, ARCHIVE, id=archived["id"])
    expired = await created(
        client, owner, title="Gone", clientEmail="gone@example.com", expiresAt="2031-01-01T00:00:00Z"
    )
    await move_expiry(services, expired, utcnow() - timedelta(minutes=1))

    await sweep(background, times=2)
    # (The studio may be mailed that "Gone" expired; its clients get nothing.)
    clients = {"later@example.com", "archived@example.com", "gone@example.com"}
    assert [message["To"] for message in inbox.messages if message["To"] in clients] == []
    assert not any("closes soon" in message["Subject"] for message in inbox.messages)


async def claim(services, gallery_id, now, before) -> bool:
    async with services.db.unit_of_work() as uow:
        return await gallery_extras.claim_reminder(uow.session, gallery_id, now, before) is not None


async def test_concurrent_claims_of_one_reminder_send_one_mail(client, services):
    """What concurrent sweeps (several workers) race on: the conditional UPDATE lets exactly one claim win."""
    owner = await studio(client)
    gallery = await created(client, owner, clientEmail="jane@example.com", expiresAt="2031-01-01T00:00:00Z")
    key = from_global_id(gallery["id"])[1]
    for round_number in range(3):
        # Each round a new expiry: the reminder is armed again, and again claimed once.
        await move_expiry(services, gallery, (utcnow() + timedelta(days=2, hours=round_number)).replace(microsecond=0))
        now = utcnow()
        won = await asyncio.gather(*(claim(services, key, now, now + timedelta(days=3)) for _ in range(6)))
        assert sorted(won) == [False] * 5 + [True]

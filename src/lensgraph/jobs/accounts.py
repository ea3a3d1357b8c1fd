"""Account mail: the single-use links of email verification and password reset, sent after the request committed.

The request only records an ``AccountLinkRequested`` event in its transaction (no token: the outbox holds no
secret); the relay hands the event id to ``accounts.send_link``, which makes the token and mails it in one
transaction. The token's id derives from the event, so a second run of the same event finds it and sends nothing,
and a send that fails rolls the token back for dramatiq's retry: each request mails one working link. A newer
request voids the older unused tokens of the same purpose, as before.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from lensgraph.adapters.mail import Mail
from lensgraph.adapters.tokens import digest, new_secret
from lensgraph.config import Settings
from lensgraph.domain.accounts import TokenPurpose
from lensgraph.domain.idempotency import derived_id
from lensgraph.jobs.services import current_services
from lensgraph.persistence import accounts as queries
from lensgraph.persistence.base import take_write_lock, utcnow
from lensgraph.persistence.models import OneTimeToken, User


async def send_account_link(event_id: str, account_id: str, purpose_name: str) -> None:
    """Mails the link one ``AccountLinkRequested`` event asked for, once."""
    services = current_services()
    user_id, purpose = uuid.UUID(account_id), TokenPurpose(purpose_name)
    async with services.database.unit_of_work() as uow:
        # First write of the transaction: two links for one account are issued one after the other, so the newer
        # always voids the older (and a second run of this event waits, then finds the token below).
        if not await take_write_lock(uow.session, User, User.id == user_id):
            return
        token_id = derived_id(event_id, purpose.value)
        if await uow.session.get(OneTimeToken, token_id) is not None:
            return
        user = await uow.session.get(User, user_id)
        if user is None or (purpose is TokenPurpose.VERIFY_EMAIL and user.email_verified_at is not None):
            return
        now = utcnow()
        settings = services.settings
        secret = new_secret()
        await queries.invalidate_one_time_tokens(uow.session, user_id, purpose, now)
        uow.session.add(
            OneTimeToken(
                id=token_id,
                user_id=user_id,
                purpose=purpose,
                token_hash=digest(secret),
                expires_at=now + _lifetime(purpose, settings),
            )
        )
        await uow.session.flush()
        # Sent inside the transaction: a mail server outage rolls the token back and dramatiq retries.
        await services.mailer.send(_mail(user, purpose, secret, settings))


def _lifetime(purpose: TokenPurpose, settings: Settings) -> timedelta:
    if purpose is TokenPurpose.VERIFY_EMAIL:
        return timedelta(hours=settings.email_token_hours)
    return timedelta(minutes=settings.password_reset_minutes)


def _mail(user: User, purpose: TokenPurpose, token: str, settings: Settings) -> Mail:
    if purpose is TokenPurpose.VERIFY_EMAIL:
        return Mail(
            to=user.email,
            subject="Confirm your email address",
            body=(
                f"Hello {user.first_name},\n\nConfirm your email address for Lensgraph with this token:\n\n"
                f"    {token}\n\nSend it with the verifyEmail mutation, or open\n"
                f"{settings.public_url}/verify-email?token={token}\n\n"
                f"It expires in {settings.email_token_hours} hours.\n"
            ),
        )
    return Mail(
        to=user.email,
        subject="Reset your password",
        body=(
            f"Hello {user.first_name},\n\nSomeone asked to reset your Lensgraph password. "
            f"If it was you, use this token with the resetPassword mutation:\n\n    {token}\n\n"
            f"or open {settings.public_url}/reset-password?token={token}\n\n"
            f"It expires in {settings.password_reset_minutes} minutes. If it was not you, ignore this message.\n"
        ),
    )

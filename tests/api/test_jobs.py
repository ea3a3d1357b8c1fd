"""Background jobs on the in-process broker of the embedded mode."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import OneTimeToken, RefreshToken
from tests.api.helpers import sign_up


async def count(services, model) -> int:
    async with services.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)))


async def test_purge_expired_tokens_runs_on_the_in_process_worker(client, services, background):
    account = await sign_up(client)
    await sign_up(client)
    await background.settle()  # each registration's verification token is issued when its mail goes out
    async with services.db.unit_of_work() as uow:
        # One verification token spent, and one refresh token long past expiry.
        await uow.session.execute(
            update(OneTimeToken).where(OneTimeToken.id.in_(select(OneTimeToken.id).limit(1))).values(used_at=utcnow())
        )
        await uow.session.execute(
            update(RefreshToken)
            .where(RefreshToken.user_id.in_(select(RefreshToken.user_id).limit(1)))
            .values(expires_at=utcnow() - timedelta(days=30))
        )
    assert await count(services, OneTimeToken) == 2 and await count(services, RefreshToken) == 2

    background.send("accounts.purge_expired_tokens")
    await background.settle()

    assert await count(services, OneTimeToken) == 1
    assert await count(services, RefreshToken) == 1
    assert account.access_token

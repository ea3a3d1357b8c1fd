"""Registration, sign-in, token rotation, email verification, password reset, profile."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from email_validator import EmailNotValidError, validate_email

from lensgraph.adapters.passwords import hash_password, verify_password
from lensgraph.adapters.tokens import digest, new_secret
from lensgraph.domain import accounts as rules
from lensgraph.domain.accounts import RefreshOutcome, RefreshTokenState, Role, TokenPurpose
from lensgraph.domain.audit import AuditAction
from lensgraph.domain.errors import DomainError, ErrorCode, forbidden
from lensgraph.domain.events import AccountLinkRequested, PasswordChanged, UserRegistered
from lensgraph.domain.policies import can_administer_accounts, can_manage_credentials
from lensgraph.persistence import accounts as queries
from lensgraph.persistence import verification_sharing as sharing_queries
from lensgraph.persistence.base import take_write_lock, utcnow
from lensgraph.persistence.db import ConstraintViolation, UnitOfWork
from lensgraph.persistence.models import RefreshToken, User
from lensgraph.resolvers import audit
from lensgraph.resolvers.context import Context

log = logging.getLogger(__name__)

SIGN_IN_REFUSED = "The email or password is incorrect."


@dataclass(frozen=True)
class SignedIn:
    user: User
    access_token: str
    refresh_token: str
    refresh_token_id: UUID
    expires_at: datetime


def normalize_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise DomainError(ErrorCode.INVALID_INPUT, f"This email address is not valid: {exc}", ["email"]) from None


async def register(
    ctx: Context,
    *,
    email: str,
    password: str,
    role: Role,
    first_name: str,
    last_name: str,
    username: str,
) -> User:
    email = normalize_email(email)
    rules.check_role_for_registration(role)
    rules.check_password(password, email)
    username = rules.normalize_username(username)
    user = User(
        email=email,
        username=username,
        password_hash=await hash_password(password),
        role=role,
        first_name=rules.clean_name(first_name, "firstName"),
        last_name=rules.clean_name(last_name, "lastName"),
    )
    try:
        async with ctx.db.unit_of_work() as uow:
            await _refuse_taken(uow, email=email, username=username)
            uow.session.add(user)
            await uow.session.flush()
            uow.emit(
                UserRegistered(user_id=user.id, role=role.value, audience=(user.id,)),
                AccountLinkRequested(user_id=user.id, purpose=TokenPurpose.VERIFY_EMAIL.value),
            )
    except ConstraintViolation:
        # Two registrations raced past the check; the unique index decided.
        raise DomainError(
            ErrorCode.ALREADY_EXISTS, "An account with this email or username exists.", ["email"]
        ) from None
    return user


async def _refuse_taken(uow: UnitOfWork, *, email: str | None = None, username: str | None = None) -> None:
    if email is not None and await queries.user_exists(uow.session, email=email):
        raise DomainError(ErrorCode.ALREADY_EXISTS, "An account with this email exists.", ["email"])
    if username is not None and await queries.user_exists(uow.session, username=username):
        raise DomainError(ErrorCode.ALREADY_EXISTS, "This username is taken.", ["username"])


async def login(ctx: Context, *, email: str, password: str) -> SignedIn:
    """Unknown email and wrong password cost the same and read the same."""
    key = email.strip().lower()
    user: User | None = None
    try:
        # Read before the attempt counts (which refuses past the lockout), so a refused attempt is recorded on
        # the account it was made on.
        async with ctx.db.session() as session:
            user = await queries.user_by_email(session, key)
        await _count_password_attempt(ctx, key, "email")
        verified = await verify_password(user.password_hash if user else None, password)
        if user is None or not verified:
            raise DomainError(ErrorCode.UNAUTHENTICATED, SIGN_IN_REFUSED, ["password"])
        await ctx.services.login_failures.reset(key)
        async with ctx.db.unit_of_work() as uow:
            signed_in = await _sign_in(ctx, uow, user, family_id=uuid4())
            await audit.record(ctx, AuditAction.LOGIN, uow=uow, subject_id=user.id, actor_id=user.id)
    except DomainError as refusal:
        await audit.record_failed_login(ctx, email=key, user_id=user.id if user else None, refusal=refusal.code)
        raise
    # Read afresh at sign-in (a role an operator granted applies from here on), the account's standing spares
    # the new session's first requests a database read.
    await ctx.services.account_standings.reload(user.id)
    return signed_in


async def _count_password_attempt(ctx: Context, account_key: str, field: str) -> None:
    """Every password tried on an account counts before it is checked (a success forgets them): concurrent
    guesses cannot all slip past a check made before any of them was recorded."""
    if not await ctx.services.login_failures.attempt(account_key):
        raise DomainError(
            ErrorCode.RATE_LIMITED, "Too many failed sign-in attempts. Try again in a few minutes.", [field]
        )


async def _sign_in(ctx: Context, uow: UnitOfWork, user: User, family_id: UUID) -> SignedIn:
    rules.check_can_sign_in(user.disabled_at)
    now = utcnow()
    access, expires_at = ctx.services.access_tokens.issue(
        user.id, user.role.value, now, token_version=user.token_version
    )
    refresh_secret = new_secret()
    refresh_token_id = uuid4()
    uow.session.add(
        RefreshToken(
            id=refresh_token_id,
            user_id=user.id,
            family_id=family_id,
            token_hash=digest(refresh_secret),
            expires_at=now + timedelta(days=ctx.settings.refresh_token_days),
        )
    )
    await uow.session.flush()
    return SignedIn(
        user=user,
        access_token=access,
        refresh_token=refresh_secret,
        refresh_token_id=refresh_token_id,
        expires_at=expires_at,
    )


async def refresh(ctx: Context, *, refresh_token: str) -> SignedIn:
    """Each refresh token works once; presenting a used one revokes every token of its login."""
    now = utcnow()
    async with ctx.db.unit_of_work() as uow:
        stored = await queries.refresh_token_by_hash(uow.session, digest(refresh_token))
        if stored is None:
            raise DomainError(ErrorCode.UNAUTHENTICATED, "This refresh token is not valid.", ["refreshToken"])
        outcome = rules.judge_refresh(
            RefreshTokenState(
                expires_at=stored.expires_at,
                revoked_at=stored.revoked_at,
                replaced=stored.replaced_by_id is not None,
            ),
            now,
        )
        if outcome is RefreshOutcome.REVOKE_FAMILY:
            await queries.revoke_refresh_family(uow.session, stored.family_id, now)
            log.warning("refresh token reuse for user %s: family %s revoked", stored.user_id, stored.family_id)
        elif outcome is RefreshOutcome.ROTATE:
            if not await queries.claim_refresh_token(uow.session, stored.id, now):
                # Presented twice at once, and the other presentation rotated it: that is reuse all the same
                # (RFC 6819 5.2.2.3): one of the two holders is not the client, so the whole login ends.
                await queries.revoke_refresh_family(uow.session, stored.family_id, now)
                log.warning("refresh token reuse for user %s: family %s revoked", stored.user_id, stored.family_id)
            elif (user := await uow.session.get(User, stored.user_id)) is not None:
                signed_in = await _sign_in(ctx, uow, user, stored.family_id)
                stored.replaced_by_id = signed_in.refresh_token_id
                stored.revoked_at = now
                return signed_in
    # Outside the block: the family revocation above must commit before we refuse.
    raise DomainError(ErrorCode.UNAUTHENTICATED, "This refresh token is no longer valid.", ["refreshToken"])


async def logout(ctx: Context, *, refresh_token: str | None, everywhere: bool) -> None:
    now = utcnow()
    if everywhere:
        viewer = ctx.require_viewer()
        if not can_manage_credentials(viewer):
            raise forbidden("Signing out every session takes a password sign-in, not an API key.")
        async with ctx.db.unit_of_work() as uow:
            await queries.end_every_session(uow.session, viewer.user_id, now)
        ctx.services.account_standings.forget(viewer.user_id)
        return
    async with ctx.db.unit_of_work() as uow:
        if not refresh_token:
            raise DomainError(
                ErrorCode.INVALID_INPUT, "Give the refresh token of the session to end.", ["refreshToken"]
            )
        stored = await queries.refresh_token_by_hash(uow.session, digest(refresh_token))
        if stored is None:
            raise DomainError(ErrorCode.NOT_FOUND, "This refresh token is not valid.", ["refreshToken"])
        await queries.revoke_refresh_family(uow.session, stored.family_id, now)


async def _consume_one_time_token(uow: UnitOfWork, token: str, purpose: TokenPurpose) -> User:
    """Uses the token up, first thing in the transaction: of two uses at once, one gets the user."""
    user_id = await queries.use_one_time_token(uow.session, digest(token), purpose, utcnow())
    if user_id is None:
        raise DomainError(
            ErrorCode.INVALID_INPUT, "This link is invalid, used or expired. Ask for a new one.", ["token"]
        )
    user = await uow.session.get(User, user_id)
    if user is None:
        raise DomainError(ErrorCode.NOT_FOUND, "This account no longer exists.", ["token"])
    return user


async def request_email_verification(ctx: Context) -> None:
    """The link is mailed after the commit (``jobs.accounts``); asking again voids the earlier one."""
    viewer = ctx.require_viewer()
    async with ctx.db.unit_of_work() as uow:
        user = await uow.session.get(User, viewer.user_id)
        if user is None:
            raise DomainError(ErrorCode.NOT_FOUND, "This account no longer exists.")
        if user.email_verified_at is not None:
            raise DomainError(ErrorCode.INVALID_TRANSITION, "Your email address is already verified.")
        uow.emit(AccountLinkRequested(user_id=user.id, purpose=TokenPurpose.VERIFY_EMAIL.value))


async def verify_email(ctx: Context, *, token: str) -> User:
    async with ctx.db.unit_of_work() as uow:
        user = await _consume_one_time_token(uow, token, TokenPurpose.VERIFY_EMAIL)
        if user.email_verified_at is None:
            user.email_verified_at = utcnow()
        await uow.session.flush()
        # Reports shared with this address before it was proven this account's become readable now.
        await sharing_queries.link_invites(uow.session, user.id, user.email)
        return user


async def request_password_reset(ctx: Context, *, email: str) -> None:
    """Says nothing about whether the account exists; the link is mailed after the commit (``jobs.accounts``)."""
    normalized = normalize_email(email)
    async with ctx.db.unit_of_work() as uow:
        user = await queries.user_by_email(uow.session, normalized)
        if user is None:
            log.info("password reset asked for an unknown address (request %s)", ctx.request_id)
            return
        uow.emit(AccountLinkRequested(user_id=user.id, purpose=TokenPurpose.RESET_PASSWORD.value))
        await audit.record(ctx, AuditAction.PASSWORD_RESET_REQUESTED, uow=uow, subject_id=user.id)


async def reset_password(ctx: Context, *, token: str, new_password: str) -> User:
    """A reset signs out every session, access tokens included: whoever knew the old password is out."""
    async with ctx.db.unit_of_work() as uow:
        user = await _consume_one_time_token(uow, token, TokenPurpose.RESET_PASSWORD)
        rules.check_password(new_password, user.email, "newPassword")
        user.password_hash = await hash_password(new_password)
        # Following the emailed link proves the address too.
        user.email_verified_at = user.email_verified_at or utcnow()
        await queries.end_every_session(uow.session, user.id, utcnow())
        uow.emit(PasswordChanged(user_id=user.id, audience=(user.id,)))
        # Whoever followed the link is the account's owner by then: the actor as well as the subject.
        await audit.record(ctx, AuditAction.PASSWORD_RESET, uow=uow, subject_id=user.id, actor_id=user.id)
        await ctx.services.login_failures.reset(user.email)
        await uow.session.flush()
    ctx.services.account_standings.forget(user.id)
    return user


async def change_password(ctx: Context, *, current_password: str, new_password: str) -> User:
    viewer = ctx.require_viewer()
    async with ctx.db.unit_of_work() as uow:
        user = await uow.session.get(User, viewer.user_id)
        if user is None:
            raise DomainError(ErrorCode.NOT_FOUND, "This account no longer exists.")
        # Someone holding a stolen session must not get unlimited guesses at the password either.
        await _count_password_attempt(ctx, user.email, "currentPassword")
        if not await verify_password(user.password_hash, current_password):
            raise DomainError(ErrorCode.UNAUTHENTICATED, "The current password is incorrect.", ["currentPassword"])
        await ctx.services.login_failures.reset(user.email)
        rules.check_password(new_password, user.email, "newPassword")
        if new_password == current_password:
            raise DomainError(ErrorCode.INVALID_INPUT, "Choose a password you have not used here.", ["newPassword"])
        user.password_hash = await hash_password(new_password)
        await queries.end_every_session(uow.session, user.id, utcnow())
        uow.emit(PasswordChanged(user_id=user.id, audience=(user.id,)))
        await audit.record(ctx, AuditAction.PASSWORD_CHANGED, uow=uow, subject_id=user.id)
        await uow.session.flush()
    ctx.services.account_standings.forget(user.id)
    return user


async def update_profile(
    ctx: Context,
    *,
    first_name: str | None,
    last_name: str | None,
    username: str | None,
    company_name: str | None = None,
) -> User:
    """Changes what is given; ``company_name`` "" clears it."""
    viewer = ctx.require_viewer()
    try:
        async with ctx.db.unit_of_work() as uow:
            user = await uow.session.get(User, viewer.user_id)
            if user is None:
                raise DomainError(ErrorCode.NOT_FOUND, "This account no longer exists.")
            if first_name is not None:
                user.first_name = rules.clean_name(first_name, "firstName")
            if last_name is not None:
                user.last_name = rules.clean_name(last_name, "lastName")
            if company_name is not None:
                user.company_name = rules.clean_company_name(company_name)
            if username is not None:
                candidate = rules.normalize_username(username)
                if candidate != user.username:
                    await _refuse_taken(uow, username=candidate)
                    user.username = candidate
            await uow.session.flush()
            return user
    except ConstraintViolation:
        raise DomainError(ErrorCode.ALREADY_EXISTS, "This username is taken.", ["username"]) from None


# Account administration (ADMIN, signed in with a password) -----------------------------------------------


def _require_account_administrator(ctx: Context) -> UUID:
    viewer = ctx.require_viewer()
    if not can_administer_accounts(viewer):
        raise forbidden("Only administrators signed in with their password administer accounts.")
    return viewer.user_id


async def _administered(uow: UnitOfWork, user_id: UUID) -> User:
    # Held before it is read, on SQLite too: of two administrators' changes at once, the second sees the first's,
    # so a change is made, and recorded in the audit log, once.
    await take_write_lock(uow.session, User, User.id == user_id)
    user = await uow.session.get(User, user_id, with_for_update=True)
    if user is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No user has this ID.", ["userId"])
    rules.check_administrable(user.role)
    return user


async def disable_user(ctx: Context, user_id: UUID, *, reason: str | None) -> User:
    """Ends every session, token and key of the user at once; they cannot sign in until enabled again."""
    admin_id = _require_account_administrator(ctx)
    reason = rules.clean_disable_reason(reason)
    now = utcnow()
    async with ctx.db.unit_of_work() as uow:
        user = await _administered(uow, user_id)
        # Disabling twice keeps the first time: a retried request gets the same answer.
        if user.disabled_at is None:
            user.disabled_at = now
            await queries.end_every_session(uow.session, user.id, now)
            log.warning("user %s disabled by administrator %s: %s", user.id, admin_id, reason or "(no reason given)")
            details = {"reason": reason} if reason else None
            await audit.record(ctx, AuditAction.USER_DISABLED, uow=uow, subject_id=user.id, details=details)
    ctx.services.account_standings.forget(user_id)
    return user


async def enable_user(ctx: Context, user_id: UUID) -> User:
    """The user may sign in again; what disabling ended stays ended (API keys work again: they were not revoked)."""
    admin_id = _require_account_administrator(ctx)
    async with ctx.db.unit_of_work() as uow:
        user = await _administered(uow, user_id)
        if user.disabled_at is not None:
            user.disabled_at = None
            log.warning("user %s enabled by administrator %s", user.id, admin_id)
            await audit.record(ctx, AuditAction.USER_ENABLED, uow=uow, subject_id=user.id)
    ctx.services.account_standings.forget(user_id)
    return user


async def change_user_role(ctx: Context, user_id: UUID, role: Role) -> User:
    """Takes effect on the user's next request: access tokens and API keys read the role from the account."""
    admin_id = _require_account_administrator(ctx)
    rules.check_role_change(role)
    async with ctx.db.unit_of_work() as uow:
        user = await _administered(uow, user_id)
        if user.role is not role:
            log.warning("user %s: role %s -> %s by administrator %s", user.id, user.role.value, role.value, admin_id)
            changed = {"from": user.role.value, "to": role.value}
            await audit.record(ctx, AuditAction.ROLE_CHANGED, uow=uow, subject_id=user.id, details=changed)
            user.role = role
    ctx.services.account_standings.forget(user_id)
    return user

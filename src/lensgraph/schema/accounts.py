"""Users, the viewer, sign-in and API keys."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry
from strawberry import Info

from lensgraph.domain import accounts as account_rules
from lensgraph.domain.pagination import page_request
from lensgraph.domain.policies import owns
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import ApiKey as ApiKeyRow
from lensgraph.persistence.models import User as UserRow
from lensgraph.resolvers import accounts, api_keys
from lensgraph.resolvers.context import Context
from lensgraph.schema.core import (
    AcknowledgedPayload,
    Connection,
    Node,
    UserError,
    expect_global_id,
    node_type,
    returns_user_errors,
    to_global_id,
)

Role = strawberry.enum(account_rules.Role, description="What a user does on Lensgraph.")


@node_type
@strawberry.type(description="A person's public profile.")
class User(Node):
    username: str
    first_name: str
    last_name: str
    role: Role  # type: ignore[valid-type]
    created_at: datetime
    company_name: str | None = strawberry.field(description="A brand's company, when it names one.")

    @classmethod
    def from_row(cls, row: UserRow) -> User:
        return cls(
            id=to_global_id("User", row.id),
            username=row.username,
            first_name=row.first_name,
            last_name=row.last_name,
            company_name=row.company_name,
            role=row.role,
            created_at=row.created_at,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> User | None:
        row = await info.context.loaders.user.load(key)
        return cls.from_row(row) if row else None


@node_type
@strawberry.type(description="A key for server-to-server calls. The secret is shown only once, at creation.")
class ApiKey(Node):
    prefix: str
    description: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    active: bool

    @classmethod
    def from_row(cls, row: ApiKeyRow) -> ApiKey:
        return cls(
            id=to_global_id("ApiKey", row.id),
            prefix=row.prefix,
            description=row.description,
            created_at=row.created_at,
            expires_at=row.expires_at,
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
            active=account_rules.is_api_key_usable(row.revoked_at, row.expires_at, utcnow()),
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> ApiKey | None:
        row = await info.context.loaders.api_key.load(key)
        if row is None or not owns(info.context.viewer, row.user_id):
            return None
        return cls.from_row(row)


@strawberry.type
class ViewerAccount:
    """Fields of ``Viewer`` about the account itself."""

    user: User
    email: str
    email_verified: bool

    @strawberry.field(description="Your API keys, newest first, revoked ones included.")
    async def api_keys(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[ApiKey]:
        page = await api_keys.list_api_keys(info.context, page_request(first, after, last, before))
        return Connection[ApiKey].from_page(page, ApiKey.from_row)


# Inputs and payloads -------------------------------------------------------------------------


@strawberry.input
class RegisterInput:
    email: str
    password: str
    role: Role  # type: ignore[valid-type]
    first_name: str
    last_name: str
    username: str


@strawberry.type
class RegisterPayload:
    user: User | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class LoginInput:
    email: str
    password: str


@strawberry.type(description="A signed-in session: a short-lived access token and a single-use refresh token.")
class AuthPayload:
    access_token: str | None = None
    refresh_token: str | None = None
    expires_at: datetime | None = strawberry.field(default=None, description="When the access token expires.")
    user: User | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def from_signed_in(cls, signed_in: accounts.SignedIn) -> AuthPayload:
        return cls(
            access_token=signed_in.access_token,
            refresh_token=signed_in.refresh_token,
            expires_at=signed_in.expires_at,
            user=User.from_row(signed_in.user),
        )


@strawberry.input
class RefreshTokenInput:
    refresh_token: str


@strawberry.input
class LogoutInput:
    refresh_token: str | None = strawberry.field(default=None, description="The session to end.")
    everywhere: bool = strawberry.field(default=False, description="End every session of the signed-in user.")


@strawberry.input
class VerifyEmailInput:
    token: str


@strawberry.input
class RequestPasswordResetInput:
    email: str


@strawberry.input
class ResetPasswordInput:
    token: str
    new_password: str


@strawberry.input
class ChangePasswordInput:
    current_password: str
    new_password: str


@strawberry.input
class UpdateProfileInput:
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    company_name: str | None = strawberry.field(
        default=None,
        description="A brand's company (at most 200 characters; empty clears it): its contracts name the company as "
        "licensee, with you signing for it.",
    )


@strawberry.type
class UserPayload:
    user: User | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class CreateApiKeyInput:
    description: str
    expires_in_days: int | None = strawberry.field(default=None, description="Leave out for a key that never expires.")


@strawberry.type
class CreateApiKeyPayload:
    api_key: ApiKey | None = None
    raw_key: str | None = strawberry.field(
        default=None, description="The whole key, `lg_<prefix>_<secret>`. Shown only now: store it safely."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class RevokeApiKeyInput:
    id: strawberry.ID


@strawberry.type
class RevokeApiKeyPayload:
    api_key: ApiKey | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class DisableUserInput:
    user_id: strawberry.ID
    reason: str | None = strawberry.field(
        default=None, description="Why, for the operators' log (at most 1000 characters)."
    )


@strawberry.input
class EnableUserInput:
    user_id: strawberry.ID


@strawberry.input
class ChangeUserRoleInput:
    user_id: strawberry.ID
    role: Role  # type: ignore[valid-type]


@strawberry.type(description="An account as an administrator changed it.")
class UserStatusPayload:
    user: User | None = None
    disabled_at: datetime | None = strawberry.field(
        default=None, description="When the account was disabled; null while it may sign in."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def from_row(cls, row: UserRow) -> UserStatusPayload:
        return cls(user=User.from_row(row), disabled_at=row.disabled_at)


@strawberry.type
class AccountMutations:
    @strawberry.mutation(description="Create an account. A verification email is sent.")
    @returns_user_errors(RegisterPayload)
    async def register(self, info: Info[Context, None], input: RegisterInput) -> RegisterPayload:
        row = await accounts.register(
            info.context,
            email=input.email,
            password=input.password,
            role=input.role,
            first_name=input.first_name,
            last_name=input.last_name,
            username=input.username,
        )
        return RegisterPayload(user=User.from_row(row))

    @strawberry.mutation(description="Sign in with email and password.")
    @returns_user_errors(AuthPayload)
    async def login(self, info: Info[Context, None], input: LoginInput) -> AuthPayload:
        signed_in = await accounts.login(info.context, email=input.email, password=input.password)
        return AuthPayload.from_signed_in(signed_in)

    @strawberry.mutation(description="Trade a refresh token for a new pair. Each refresh token works once.")
    @returns_user_errors(AuthPayload)
    async def refresh_token(self, info: Info[Context, None], input: RefreshTokenInput) -> AuthPayload:
        signed_in = await accounts.refresh(info.context, refresh_token=input.refresh_token)
        return AuthPayload.from_signed_in(signed_in)

    @strawberry.mutation(description="End this session (its refresh token), or every session.")
    @returns_user_errors(AcknowledgedPayload)
    async def logout(self, info: Info[Context, None], input: LogoutInput) -> AcknowledgedPayload:
        await accounts.logout(info.context, refresh_token=input.refresh_token, everywhere=input.everywhere)
        return AcknowledgedPayload(ok=True)

    @strawberry.mutation(description="Send a new email verification message to the signed-in user.")
    @returns_user_errors(AcknowledgedPayload)
    async def request_email_verification(self, info: Info[Context, None]) -> AcknowledgedPayload:
        await accounts.request_email_verification(info.context)
        return AcknowledgedPayload(ok=True)

    @strawberry.mutation(description="Confirm an email address with the token from the message.")
    @returns_user_errors(UserPayload)
    async def verify_email(self, info: Info[Context, None], input: VerifyEmailInput) -> UserPayload:
        return UserPayload(user=User.from_row(await accounts.verify_email(info.context, token=input.token)))

    @strawberry.mutation(description="Mail a reset token, if an account has this address. Always answers ok.")
    @returns_user_errors(AcknowledgedPayload)
    async def request_password_reset(
        self, info: Info[Context, None], input: RequestPasswordResetInput
    ) -> AcknowledgedPayload:
        await accounts.request_password_reset(info.context, email=input.email)
        return AcknowledgedPayload(ok=True)

    @strawberry.mutation(description="Set a new password with a reset token. Ends every session.")
    @returns_user_errors(UserPayload)
    async def reset_password(self, info: Info[Context, None], input: ResetPasswordInput) -> UserPayload:
        row = await accounts.reset_password(info.context, token=input.token, new_password=input.new_password)
        return UserPayload(user=User.from_row(row))

    @strawberry.mutation(description="Change your password. Ends every session; sign in again.")
    @returns_user_errors(UserPayload)
    async def change_password(self, info: Info[Context, None], input: ChangePasswordInput) -> UserPayload:
        row = await accounts.change_password(
            info.context, current_password=input.current_password, new_password=input.new_password
        )
        return UserPayload(user=User.from_row(row))

    @strawberry.mutation(description="Change your name, username or company name.")
    @returns_user_errors(UserPayload)
    async def update_profile(self, info: Info[Context, None], input: UpdateProfileInput) -> UserPayload:
        row = await accounts.update_profile(
            info.context,
            first_name=input.first_name,
            last_name=input.last_name,
            username=input.username,
            company_name=input.company_name,
        )
        return UserPayload(user=User.from_row(row))

    @strawberry.mutation(description="Create an API key. The raw key is in the answer, and nowhere else, ever.")
    @returns_user_errors(CreateApiKeyPayload)
    async def create_api_key(self, info: Info[Context, None], input: CreateApiKeyInput) -> CreateApiKeyPayload:
        created = await api_keys.create_api_key(
            info.context, description=input.description, expires_in_days=input.expires_in_days
        )
        return CreateApiKeyPayload(api_key=ApiKey.from_row(created.key), raw_key=created.raw_key)

    @strawberry.mutation(description="Revoke an API key at once.")
    @returns_user_errors(RevokeApiKeyPayload)
    async def revoke_api_key(self, info: Info[Context, None], input: RevokeApiKeyInput) -> RevokeApiKeyPayload:
        key = await api_keys.revoke_api_key(info.context, expect_global_id(input.id, "ApiKey"))
        return RevokeApiKeyPayload(api_key=ApiKey.from_row(key))

    @strawberry.mutation(
        description="Administrators: disable an account. Its sessions, access tokens and API keys stop at once, "
        "and it cannot sign in until enabled. Not for administrators' accounts."
    )
    @returns_user_errors(UserStatusPayload)
    async def disable_user(self, info: Info[Context, None], input: DisableUserInput) -> UserStatusPayload:
        row = await accounts.disable_user(
            info.context, expect_global_id(input.user_id, "User", "userId"), reason=input.reason
        )
        return UserStatusPayload.from_row(row)

    @strawberry.mutation(description="Administrators: let a disabled account sign in again.")
    @returns_user_errors(UserStatusPayload)
    async def enable_user(self, info: Info[Context, None], input: EnableUserInput) -> UserStatusPayload:
        row = await accounts.enable_user(info.context, expect_global_id(input.user_id, "User", "userId"))
        return UserStatusPayload.from_row(row)

    @strawberry.mutation(
        description="Administrators: move an account between PHOTOGRAPHER, BRAND and STUDIO. It applies to the "
        "account's next request, with any of its tokens or keys."
    )
    @returns_user_errors(UserStatusPayload)
    async def change_user_role(self, info: Info[Context, None], input: ChangeUserRoleInput) -> UserStatusPayload:
        row = await accounts.change_user_role(
            info.context, expect_global_id(input.user_id, "User", "userId"), input.role
        )
        return UserStatusPayload.from_row(row)


__all__ = ["AccountMutations", "ApiKey", "User", "ViewerAccount"]

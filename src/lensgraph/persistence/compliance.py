"""GDPR over every table: which rows are a person's, what an export holds and what a deletion does to them.

``RULES`` names every table of the schema; ``tests/api/test_compliance.py`` walks ``Base.metadata`` and fails for
a table without a rule, so an area added later must say here whether its rows are exported, deleted, kept
pseudonymised or hold nothing personal. Ownership is a path: columns naming the user (``Direct``), or a foreign
key to a parent table whose rows are the user's (``Via``). Export and deletion both follow the same paths.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ColumnElement, Select, String, Table, Text, delete, false, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from lensgraph.domain.compliance import DataRequestKind, DataRequestStatus, pseudonym, scrubbed
from lensgraph.persistence import payments as payment_queries
from lensgraph.persistence.base import Base, utcnow
from lensgraph.persistence.models import ConsentRecord, DataRequest, User

EXPORT_BATCH = 500


class Erasure(enum.Enum):
    """What deleting an account does to a table's rows of that person."""

    # Deleted (children go with them by their foreign keys' ON DELETE CASCADE); their files are removed.
    DELETE = "DELETE"
    # Deleted unless a kept record refers to them (then kept, pseudonymised, files removed): see KEPT_WHEN.
    DELETE_UNLESS_KEPT = "DELETE_UNLESS_KEPT"
    # Kept for the law (bookkeeping, signed contracts): the person's names and addresses replaced by a pseudonym.
    PSEUDONYMISE = "PSEUDONYMISE"
    # The users row itself: becomes a tombstone (see ``tombstone``), so kept records still have their party.
    TOMBSTONE = "TOMBSTONE"
    # Kept as is: the record that a request was made and carried out; names nothing but the tombstone's id.
    KEEP = "KEEP"
    # Holds nothing about a person (or only ids and expires by itself).
    NOT_PERSONAL = "NOT_PERSONAL"


@dataclass(frozen=True)
class Direct:
    """Rows whose columns name the user."""

    columns: tuple[str, ...]


@dataclass(frozen=True)
class Via:
    """Rows of a parent that is the user's (its own rule says how)."""

    column: str
    parent: str


@dataclass(frozen=True)
class Caller:
    """Rows keyed by the caller string ``user:<id>`` (idempotency keys)."""

    column: str


Owner = Direct | Via | Caller


@dataclass(frozen=True)
class Rule:
    erasure: Erasure
    owner: Owner | None = None
    # In the export zip as ``data/<table>.json``; False for caches and the credentials' digests.
    exported: bool = True


def _d(*columns: str) -> Direct:
    return Direct(columns)


D, K, P = Erasure.DELETE, Erasure.DELETE_UNLESS_KEPT, Erasure.PSEUDONYMISE

RULES: dict[str, Rule] = {
    # Accounts: the row becomes a tombstone; every credential is deleted (revoked).
    "users": Rule(Erasure.TOMBSTONE, _d("id")),
    "refresh_tokens": Rule(D, _d("user_id"), exported=False),
    "one_time_tokens": Rule(D, _d("user_id"), exported=False),
    "api_keys": Rule(D, _d("user_id")),
    "webhook_endpoints": Rule(D, _d("user_id")),
    "webhook_deliveries": Rule(D, Via("endpoint_id", "webhook_endpoints")),
    "notifications": Rule(D, _d("user_id")),
    "notification_preferences": Rule(D, _d("user_id")),
    "push_tokens": Rule(D, _d("user_id"), exported=False),
    # A delivery log of the notifications above to those devices: nothing the notifications do not say.
    "push_deliveries": Rule(D, Via("push_token_id", "push_tokens"), exported=False),
    "consent_records": Rule(D, _d("user_id")),
    "data_requests": Rule(Erasure.KEEP, _d("user_id")),
    # The security record (append-only, by triggers too): kept for the platform's legitimate interest in
    # investigating abuse; it holds ids, addresses and user agents, never names or email addresses.
    "audit_entries": Rule(Erasure.KEEP, _d("subject_id")),
    # Cached answers to retried requests: may hold anything the person was answered; expire in a day anyway.
    "idempotency_keys": Rule(D, Caller("caller"), exported=False),
    # Photos and what hangs on them.
    "photos": Rule(D, _d("user_id")),
    # Duplicate claims: the claimant's and the uploader's (deleted with either account, as with the photo claimed);
    # their history goes with the claim; a change's actor (an admin) is set null when that account goes.
    "duplicate_claims": Rule(D, _d("claimant_id", "uploader_id")),
    "duplicate_claim_changes": Rule(D, Via("claim_id", "duplicate_claims")),
    "photo_tags": Rule(D, Via("photo_id", "photos")),
    # A vector derived from the photo's own text: deleted with it; not exported (the export holds the text).
    "photo_embeddings": Rule(D, Via("photo_id", "photos"), exported=False),
    "photo_view_days": Rule(D, Via("photo_id", "photos")),
    "uploads": Rule(D, _d("user_id")),
    "releases": Rule(D, _d("user_id")),
    "release_photos": Rule(D, Via("release_id", "releases")),
    "collections": Rule(D, _d("user_id")),
    "collection_photos": Rule(D, Via("collection_id", "collections")),
    "lightbox_items": Rule(D, _d("user_id")),
    # Brand matching: the brand's profile and its matches go with the brand (a photographer's go with the photos).
    "brand_profiles": Rule(D, _d("user_id")),
    "brand_matches": Rule(D, _d("brand_id")),
    "portfolios": Rule(D, _d("user_id")),
    "featured_photos": Rule(D, _d("user_id")),
    # Licensing and payments: bookkeeping and signed contracts are kept, pseudonymised.
    "licenses": Rule(P, _d("brand_id", "photographer_id")),
    "license_revisions": Rule(P, Via("license_id", "licenses")),
    "contracts": Rule(P, Via("license_id", "licenses")),
    "payments": Rule(P, _d("brand_id")),
    "earnings": Rule(P, _d("photographer_id")),
    "payouts": Rule(P, _d("photographer_id")),
    "payout_accounts": Rule(D, _d("user_id")),
    "subscriptions": Rule(D, _d("user_id")),
    # Marketplace: a sold listing (and the verification it sells) is kept for its purchases.
    "verifications": Rule(K, _d("user_id")),
    "verification_invites": Rule(D, Via("verification_id", "verifications")),
    "verification_view_days": Rule(D, Via("verification_id", "verifications")),
    "verification_usage": Rule(D, _d("user_id")),
    "listings": Rule(K, _d("seller_id")),
    "listing_tiers": Rule(P, Via("listing_id", "listings")),
    "purchases": Rule(P, _d("buyer_id", "seller_id")),
    # Studio: clients with invoices and galleries with print orders stay for those records.
    "studio_profiles": Rule(D, _d("user_id")),
    "availability_windows": Rule(D, _d("studio_id")),
    "blocked_dates": Rule(D, _d("studio_id")),
    "session_types": Rule(D, _d("studio_id")),
    "clients": Rule(K, _d("studio_id")),
    "client_emails": Rule(D, _d("studio_id")),
    "client_tags": Rule(D, Via("client_id", "clients")),
    "bookings": Rule(D, _d("studio_id")),
    "document_templates": Rule(D, _d("studio_id")),
    "studio_documents": Rule(D, _d("studio_id")),
    "invoices": Rule(P, _d("studio_id")),
    "galleries": Rule(K, _d("user_id")),
    "gallery_sets": Rule(D, Via("gallery_id", "galleries")),
    "gallery_photos": Rule(D, Via("gallery_id", "galleries")),
    "gallery_view_days": Rule(D, Via("gallery_id", "galleries")),
    "gallery_downloads": Rule(D, Via("gallery_id", "galleries")),
    "gallery_selections": Rule(D, Via("gallery_id", "galleries")),
    "gallery_favorites": Rule(D, Via("gallery_id", "galleries")),
    "gallery_comments": Rule(D, Via("gallery_id", "galleries")),
    "gallery_collections": Rule(D, _d("user_id")),
    "gallery_collection_members": Rule(D, Via("collection_id", "gallery_collections")),
    "print_products": Rule(D, _d("studio_id")),
    "print_orders": Rule(P, _d("studio_id")),
    "print_order_items": Rule(P, Via("order_id", "print_orders")),
    # UGC.
    "ugc_content_secrets": Rule(D, _d("user_id"), exported=False),
    "ugc_albums": Rule(D, _d("user_id")),
    "ugc_products": Rule(D, _d("user_id")),
    "ugc_content": Rule(D, _d("brand_id")),
    "ugc_content_products": Rule(D, Via("content_id", "ugc_content")),
    "ugc_rights_requests": Rule(D, _d("brand_id")),
    # Storefront engagement per day: counts, no shopper in them; they go with the brand's content and products.
    "ugc_content_engagement_days": Rule(D, Via("content_id", "ugc_content")),
    "ugc_product_engagement_days": Rule(D, Via("product_id", "ugc_products")),
    # Machinery: event payloads carry ids and are relayed within seconds; Stripe's events name Stripe's ids.
    "outbox": Rule(Erasure.NOT_PERSONAL),
    "stripe_events": Rule(Erasure.NOT_PERSONAL),
}

# DELETE_UNLESS_KEPT: a row stays while a kept record refers to it (table -> (referring table, its column)).
KEPT_WHEN: dict[str, tuple[str, str]] = {
    "clients": ("invoices", "client_id"),
    "galleries": ("print_orders", "gallery_id"),
    "listings": ("purchases", "listing_id"),
    "verifications": ("listings", "verification_id"),
}

# Stored files, per table: exported (as ``files/<table>/<id>-<column>``) and removed from storage on deletion.
FILE_COLUMNS: dict[str, tuple[str, ...]] = {
    "photos": ("original_key", "thumbnail_key", "preview_key", "watermarked_key", "poster_key"),
    "uploads": ("storage_key",),
    "releases": ("document_key",),
    "verifications": ("raw_key", "image_key", "thumbnail_key", "watermarked_key"),
    "contracts": ("document_key",),
    "purchases": ("licensed_key",),
    "studio_documents": ("file_key",),
    "gallery_photos": ("watermarked_key",),
}
# Exported files: originals and documents, not the renditions made from them.
EXPORTED_FILES: dict[str, tuple[str, ...]] = {
    "photos": ("original_key",),
    "releases": ("document_key",),
    "verifications": ("raw_key", "image_key"),
    "contracts": ("document_key",),
    "purchases": ("licensed_key",),
    "studio_documents": ("file_key",),
}
# Never exported: digests of credentials and secrets (a copy of them would be a credential leak, not data).
SECRET_COLUMNS = frozenset(
    {
        "password_hash",
        "token_hash",
        "secret_hash",
        "secret",
        "previous_secret",
        "view_token_digest",
        "token_digest",
        "calendar_token_digest",
        "share_token_hash",
        "download_pin_hash",
        "request_hash",
        "response_body",
        "response_headers",
    }
)
# Cleared in kept rows: where the person signed from, and a studio's private notes on a client kept for its
# invoices (the invoice itself keeps the client's name, as bookkeeping requires).
CLEARED_IN_KEPT: dict[str, frozenset[str]] = {
    "contracts": frozenset({"brand_signed_ip", "photographer_signed_ip"}),
    "clients": frozenset({"notes", "phone"}),
}


def table(name: str) -> Table:
    return Base.metadata.tables[name]


def owned(name: str, user_id: uuid.UUID) -> ColumnElement[bool]:
    """The rows of ``name`` that are the user's, following the table's ownership path."""
    owner = RULES[name].owner
    rows = table(name)
    if isinstance(owner, Direct):
        return or_(*(rows.c[column] == user_id for column in owner.columns))
    if isinstance(owner, Via):
        parent = table(owner.parent)
        return rows.c[owner.column].in_(select(parent.c.id).where(owned(owner.parent, user_id)))
    if isinstance(owner, Caller):
        return rows.c[owner.column] == f"user:{user_id}"
    return false()


def _plain(value: Any) -> Any:
    """A column value as JSON: ids and times as strings, enums by value."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def exported_tables() -> list[str]:
    return [t.name for t in Base.metadata.sorted_tables if RULES[t.name].exported and RULES[t.name].owner]


async def export_rows(session: AsyncSession, name: str, user_id: uuid.UUID) -> AsyncIterator[dict[str, Any]]:
    """The user's rows of one table as JSON-ready dicts, secrets left out, in batches by id."""
    rows = table(name)
    columns = [column for column in rows.c if column.name not in SECRET_COLUMNS]
    # Keyset over the primary key (a tuple where it has several columns): no offset scans.
    key = list(rows.primary_key.columns)
    last: tuple[Any, ...] | None = None
    while True:
        query = select(*columns, *key).where(owned(name, user_id)).order_by(*key).limit(EXPORT_BATCH)
        if last is not None:
            query = query.where(tuple_(*key) > tuple_(*last))
        batch = (await session.execute(query)).all()
        for row in batch:
            yield {column.name: _plain(value) for column, value in zip(columns, row, strict=False)}
        if len(batch) < EXPORT_BATCH:
            return
        last = tuple(batch[-1][len(columns) :])


async def exported_files(session: AsyncSession, user_id: uuid.UUID) -> list[tuple[str, str]]:
    """(name in the zip, storage key) of each original and document of the user's."""
    files: list[tuple[str, str]] = []
    for name, columns in EXPORTED_FILES.items():
        rows = table(name)
        query = select(rows.c.id, *(rows.c[c] for c in columns)).where(_file_owner(name, user_id))
        for row in (await session.execute(query.order_by(rows.c.id))).all():
            for column, key in zip(columns, row[1:], strict=True):
                if key:
                    files.append((f"files/{name}/{row[0]}-{column}{_extension(key)}", key))
    return files


def _file_owner(name: str, user_id: uuid.UUID) -> ColumnElement[bool]:
    # A licensed copy is the buyer's file, not the seller's (whose original is in photos/verifications).
    if name == "purchases":
        return table(name).c.buyer_id == user_id
    return owned(name, user_id)


def _extension(key: str) -> str:
    tail = key.rsplit("/", 1)[-1]
    return "." + tail.rsplit(".", 1)[-1] if "." in tail else ""


async def stored_keys(session: AsyncSession, user_id: uuid.UUID) -> list[str]:
    """Every stored file of the user's (what deletion removes from storage)."""
    keys: set[str] = set()
    for name, columns in FILE_COLUMNS.items():
        rows = table(name)
        query = select(*(rows.c[c] for c in columns)).where(_file_owner(name, user_id))
        for row in (await session.execute(query)).all():
            keys.update(key for key in row if key)
    keys.update(await payment_queries.derived_keys(session, user_id))
    return sorted(keys)


async def stored_folders(session: AsyncSession, user_id: uuid.UUID) -> list[str]:
    """The folders of files made from the user's rows on request (removed whole: they hold every version)."""
    return await payment_queries.derived_folders(session, user_id)


def _kept_ids(name: str) -> Any:
    referring, column = KEPT_WHEN[name]
    return select(table(referring).c[column]).where(table(referring).c[column].is_not(None))


async def erase(session: AsyncSession, user_id: uuid.UUID, needles: Sequence[str]) -> None:
    """Deletes, pseudonymises and tombstones the user's rows, in one transaction (files are removed before)."""
    stand_in = pseudonym(user_id)
    # Kept rows first, while their parents are still there to find them by.
    for name, rule in RULES.items():
        if rule.erasure is Erasure.PSEUDONYMISE:
            await _pseudonymise(session, name, owned(name, user_id), needles, stand_in)
        elif rule.erasure is Erasure.DELETE_UNLESS_KEPT:
            kept = owned(name, user_id) & table(name).c.id.in_(_kept_ids(name))
            await _pseudonymise(session, name, kept, needles, stand_in)
    await _pseudonymise_signatures(session, user_id, stand_in)
    # Then deletions, children before parents (the reverse of the foreign keys' order).
    for rows in reversed(Base.metadata.sorted_tables):
        rule = RULES[rows.name]
        if rule.erasure is Erasure.DELETE:
            await session.execute(delete(rows).where(owned(rows.name, user_id)))
        elif rule.erasure is Erasure.DELETE_UNLESS_KEPT:
            await session.execute(delete(rows).where(owned(rows.name, user_id), rows.c.id.not_in(_kept_ids(rows.name))))
    await tombstone(session, user_id)


async def _pseudonymise(
    session: AsyncSession, name: str, where: ColumnElement[bool], needles: Sequence[str], stand_in: str
) -> None:
    """Replaces the person's names, username and email in every text and JSON column of the rows; clears where
    they signed from; forgets their stored files (removed from storage)."""
    rows = table(name)
    key = list(rows.primary_key.columns)
    texts = [c for c in rows.c if isinstance(c.type, String | Text | JSON) and not c.primary_key]
    files = [c for c in rows.c if c.name in FILE_COLUMNS.get(name, ())]
    for row in (await session.execute(select(*key, *texts).where(where))).all():
        identity, values = row[: len(key)], row[len(key) :]
        changes: dict[str, Any] = {}
        for column, value in zip(texts, values, strict=True):
            if column.name in CLEARED_IN_KEPT.get(name, ()):
                changes[column.name] = None if column.nullable else ""
                continue
            new = scrubbed(value, list(needles), stand_in)
            if new != value:
                changes[column.name] = new
        for column in files:
            # Non-null key columns keep an empty key: the row stays, its file is gone.
            changes[column.name] = None if column.nullable else ""
        if changes:
            match = [column == value for column, value in zip(key, identity, strict=True)]
            await session.execute(update(rows).where(*match).values(**changes))


async def _pseudonymise_signatures(session: AsyncSession, user_id: uuid.UUID, stand_in: str) -> None:
    """A signature is the name the person typed, whatever it was: their side of each kept contract gets the
    pseudonym instead."""
    contracts, licenses = table("contracts"), table("licenses")
    for side in ("brand", "photographer"):
        theirs = select(licenses.c.id).where(licenses.c[f"{side}_id"] == user_id)
        await session.execute(
            update(contracts)
            .where(contracts.c.license_id.in_(theirs), contracts.c[f"{side}_signature_name"].is_not(None))
            .values({f"{side}_signature_name": stand_in, f"{side}_signed_ip": None})
        )


async def tombstone(session: AsyncSession, user_id: uuid.UUID) -> None:
    """The users row stays (kept records name it) but holds nothing of the person, and can never sign in again:
    no password matches ``!``, ``disabled_at`` refuses sign-in, and the raised token version ends every token."""
    stand_in = pseudonym(user_id)
    now = utcnow()
    await session.execute(
        update(User)
        .where(User.id == user_id)
        .values(
            email=f"{stand_in}@deleted.invalid",
            username=stand_in,
            first_name="",
            last_name="",
            company_name=None,
            password_hash="!",
            email_verified_at=None,
            disabled_at=now,
            token_version=User.token_version + 1,
            verification_budget=0,
            version=User.version + 1,
        )
    )


def needles_of(user: User) -> list[str]:
    """The strings that identify the person in free text."""
    full = f"{user.first_name} {user.last_name}".strip()
    return [value for value in (user.email, user.username, full, user.first_name, user.last_name) if value]


# Data requests and consents -----------------------------------------------------------------------------


async def add_request(
    session: AsyncSession, user_id: uuid.UUID, kind: DataRequestKind, due_at: datetime | None
) -> DataRequest:
    """Flushed at once: a second pending request of the kind fails here on the partial unique index."""
    request = DataRequest(user_id=user_id, kind=kind, status=DataRequestStatus.PENDING, due_at=due_at)
    session.add(request)
    await session.flush()
    return request


async def cancel_pending_deletion(session: AsyncSession, user_id: uuid.UUID, now: datetime) -> DataRequest | None:
    """The pending deletion moved to CANCELLED by a conditional UPDATE; None when there was none, or its grace
    period is over (from then on the sweep owns it: it may be removing the files already)."""
    pending = await session.scalar(
        select(DataRequest).where(
            DataRequest.user_id == user_id,
            DataRequest.kind == DataRequestKind.DELETION,
            DataRequest.status == DataRequestStatus.PENDING,
        )
    )
    if pending is None:
        return None
    moved = await session.execute(
        update(DataRequest)
        .where(
            DataRequest.id == pending.id,
            DataRequest.status == DataRequestStatus.PENDING,
            DataRequest.due_at > now,
        )
        .values(status=DataRequestStatus.CANCELLED, cancelled_at=now)
        .execution_options(synchronize_session=False)
    )
    if int(getattr(moved, "rowcount", 0)) != 1:
        return None
    await session.refresh(pending)
    return pending


async def claim(session: AsyncSession, request_id: uuid.UUID, status: DataRequestStatus, **values: Any) -> bool:
    """Moves a PENDING request on, once: False when another run (or a cancellation) got there first."""
    moved = await session.execute(
        update(DataRequest)
        .where(DataRequest.id == request_id, DataRequest.status == DataRequestStatus.PENDING)
        .values(status=status, **values)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(moved, "rowcount", 0)) == 1


async def due_deletions(session: AsyncSession, now: datetime, limit: int) -> list[DataRequest]:
    query = (
        select(DataRequest)
        .where(
            DataRequest.kind == DataRequestKind.DELETION,
            DataRequest.status == DataRequestStatus.PENDING,
            DataRequest.due_at <= now,
        )
        .order_by(DataRequest.due_at)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def latest_consent(session: AsyncSession, user_id: uuid.UUID) -> ConsentRecord | None:
    query = (
        select(ConsentRecord)
        .where(ConsentRecord.user_id == user_id)
        .order_by(ConsentRecord.created_at.desc(), ConsentRecord.id.desc())
        .limit(1)
    )
    return await session.scalar(query)


# Newest first, for keyset pagination (indexes on user, created_at, id).
NEWEST_FIRST = (DataRequest.created_at, DataRequest.id)
CONSENTS_NEWEST_FIRST = (ConsentRecord.created_at, ConsentRecord.id)


def requests_of(user_id: uuid.UUID) -> Select[Any]:
    return select(DataRequest).where(DataRequest.user_id == user_id)


def consents_of(user_id: uuid.UUID) -> Select[Any]:
    return select(ConsentRecord).where(ConsentRecord.user_id == user_id)


async def request_status(session: AsyncSession, request_id: uuid.UUID) -> DataRequestStatus | None:
    return await session.scalar(select(DataRequest.status).where(DataRequest.id == request_id))


async def export_ids(session: AsyncSession, user_id: uuid.UUID) -> list[uuid.UUID]:
    """Every export of the account, whatever its state (a job may be writing one now)."""
    query = select(DataRequest.id).where(DataRequest.user_id == user_id, DataRequest.kind == DataRequestKind.EXPORT)
    return list((await session.scalars(query)).all())


async def cancel_open_exports(session: AsyncSession, user_id: uuid.UUID, now: datetime) -> None:
    """Exports still being built stop; those built are gone with their files."""
    await session.execute(
        update(DataRequest)
        .where(
            DataRequest.user_id == user_id,
            DataRequest.kind == DataRequestKind.EXPORT,
            DataRequest.status.in_([DataRequestStatus.PENDING, DataRequestStatus.READY]),
        )
        .values(status=DataRequestStatus.CANCELLED, cancelled_at=now)
    )

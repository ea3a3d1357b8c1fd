"""Assembles the schema: root types, limits, error shaping."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import strawberry
from graphql import ASTValidationRule, GraphQLError, NoSchemaIntrospectionCustomRule
from pydantic import SecretStr
from strawberry import Info
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import DEFAULT_ALLOWED_OPERATION_TYPES
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from lensgraph.adapters.metrics import COMPILED_OPERATIONS, labelled
from lensgraph.config import Settings
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.pagination import MAX_PAGE_SIZE
from lensgraph.resolvers.context import Context
from lensgraph.schema.accounts import AccountMutations, ApiKey, User
from lensgraph.schema.analytics import counted_view
from lensgraph.schema.audit import AuditEntry, AuditQueries
from lensgraph.schema.booking import Booking, BookingMutations, BookingQueries, SessionType
from lensgraph.schema.collections import Collection, CollectionMutations, CollectionQueries
from lensgraph.schema.compiled import Plan, Plans, compiled_first
from lensgraph.schema.compliance import ComplianceMutations, DataRequest
from lensgraph.schema.core import SCALAR_OVERRIDES, Node, resolve_global_id
from lensgraph.schema.costs import CostPlans, MeterCost, timed_out
from lensgraph.schema.discovery import DiscoveryQueries
from lensgraph.schema.documents import DocumentMutations, DocumentQueries, DocumentTemplate, StudioDocument
from lensgraph.schema.duplicates import DuplicateClaimQueries, DuplicateMutations
from lensgraph.schema.extensions import (
    PARSE_CACHE_SIZE,
    CountOperations,
    FreshLoaders,
    HideSuggestions,
    OperationContext,
    ParseCache,
    RefuseNulText,
    ShapeErrors,
    max_directives_rule,
    one_sensitive_mutation_rule,
)
from lensgraph.schema.galleries import Gallery, GalleryDownload, GalleryQueries, GallerySet
from lensgraph.schema.gallery_branding import GalleryBrandingMutations
from lensgraph.schema.gallery_collections import GalleryCollection, GalleryCollectionMutations
from lensgraph.schema.gallery_mutations import GalleryMutations
from lensgraph.schema.invoices import Invoice, InvoiceMutations, InvoiceQueries
from lensgraph.schema.licensing import Contract, License, LicensingMutations, LicensingSubscriptions
from lensgraph.schema.marketplace import Listing, MarketplaceMutations, MarketplaceQueries, Purchase
from lensgraph.schema.matching import BrandMatch, MatchingMutations
from lensgraph.schema.moderation import ModerationQueries
from lensgraph.schema.notifications import (
    Notification,
    NotificationMutations,
    NotificationQueries,
    NotificationSubscriptions,
)
from lensgraph.schema.payments import Payment, PaymentMutations, Payout
from lensgraph.schema.photos import Photo, PhotoMutations, PhotoSubscriptions
from lensgraph.schema.plans import PlanMutations, PlanQueries, PlanSubscription
from lensgraph.schema.portfolios import PortfolioMutations, PortfolioQueries
from lensgraph.schema.prints import PrintMutations, PrintOrder, PrintProduct
from lensgraph.schema.proofing import ProofingMutations, ProofingSubscriptions
from lensgraph.schema.proofing_types import GalleryComment, GallerySelection
from lensgraph.schema.releases import Release, ReleaseMutations
from lensgraph.schema.studio import Client, StudioMutations
from lensgraph.schema.ugc import Album, Content, Product, UgcQueries
from lensgraph.schema.ugc_mutations import UgcMutations
from lensgraph.schema.uploads import UploadMutations
from lensgraph.schema.verification import Verification, VerificationMutations, VerificationSubscriptions
from lensgraph.schema.verification_sharing import VerificationSharingMutations, VerificationSharingQueries
from lensgraph.schema.videos import VideoMutations
from lensgraph.schema.viewer import Viewer, resolve_viewer
from lensgraph.schema.webhooks import WebhookDelivery, WebhookEndpoint, WebhookMutations

MAX_NODES = MAX_PAGE_SIZE
# Distinct documents whose validation is remembered (strawberry's cache is bounded, least recently used first).
VALIDATION_CACHE_SIZE = 256
log = logging.getLogger("lensgraph.errors")


@strawberry.type
class Query(
    DiscoveryQueries,
    CollectionQueries,
    GalleryQueries,
    PortfolioQueries,
    ModerationQueries,
    PlanQueries,
    VerificationSharingQueries,
    MarketplaceQueries,
    BookingQueries,
    DocumentQueries,
    InvoiceQueries,
    UgcQueries,
    AuditQueries,
    NotificationQueries,
    DuplicateClaimQueries,
):
    @strawberry.field(description="The signed-in caller, or null for an anonymous one.")
    async def viewer(self, info: Info[Context, None]) -> Viewer | None:
        return await resolve_viewer(info)

    @strawberry.field(description="Any object by its global ID; null when it does not exist or is not yours to see.")
    async def node(self, info: Info[Context, None], id: strawberry.ID) -> Node | None:
        return counted_view(info, await resolve_global_id(info, id))

    @strawberry.field(description="Several objects by global ID, in the order asked; null where not visible.")
    async def nodes(self, info: Info[Context, None], ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise DomainError(ErrorCode.INVALID_INPUT, f"Ask for at most {MAX_NODES} IDs at once.", ["ids"])
        return list(await asyncio.gather(*(_node_or_refusal(info, global_id) for global_id in ids)))


async def _node_or_refusal(info: Info[Context, None], global_id: str) -> Any:
    """A bad ID's refusal is returned, not raised: GraphQL then nulls only its entry, with an error at its index."""
    try:
        return await resolve_global_id(info, global_id)
    except DomainError as refusal:
        return refusal


@strawberry.type
class Mutation(
    AccountMutations,
    PhotoMutations,
    NotificationMutations,
    WebhookMutations,
    ComplianceMutations,
    LicensingMutations,
    PaymentMutations,
    PlanMutations,
    CollectionMutations,
    GalleryMutations,
    GalleryCollectionMutations,
    GalleryBrandingMutations,
    PortfolioMutations,
    ReleaseMutations,
    MarketplaceMutations,
    UploadMutations,
    VideoMutations,
    VerificationMutations,
    VerificationSharingMutations,
    StudioMutations,
    BookingMutations,
    ProofingMutations,
    DocumentMutations,
    InvoiceMutations,
    PrintMutations,
    UgcMutations,
    DuplicateMutations,
    MatchingMutations,
):
    pass


@strawberry.type
class Subscription(
    NotificationSubscriptions,
    PhotoSubscriptions,
    LicensingSubscriptions,
    VerificationSubscriptions,
    ProofingSubscriptions,
):
    pass


class LensgraphSchema(strawberry.Schema):
    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        """Subscriptions run only through ``subscribe`` (over WebSocket): executed once, as over HTTP, they could
        not answer, so they are refused like any operation type the transport does not allow."""
        allowed = kwargs.get("allowed_operation_types") or DEFAULT_ALLOWED_OPERATION_TYPES
        kwargs["allowed_operation_types"] = set(allowed) - {OperationType.SUBSCRIPTION}
        return await super().execute(*args, **kwargs)

    # The execution time limit (``LENSGRAPH_EXECUTION_TIMEOUT_SECONDS``); set by ``build_schema``.
    execution_timeout: float | None = None

    # Plans of the compiled queries and mutations (``LENSGRAPH_COMPILED_OPERATIONS``); set by ``build_schema``, None
    # when off.
    compiled_plans: Plans | None = None
    # The priced operations MeterCost keeps; the compiled short way (app/compiled.py) prices with them too.
    cost_plans: CostPlans

    async def _execute_operation(
        self,
        execution_context: ExecutionContext,
        extensions_runner: Any,
        middleware_manager: Any,
        execute_function: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        """Runs a query or mutation (over HTTP or WebSocket alike) within the execution time limit. Stopped, it
        is answered with TIMEOUT inside the operation's extensions, so its answer is shaped, counted and costed
        like any other; its unfinished transaction is rolled back by the cancellation.

        A query the read planner compiled is answered by its plan (``schema/compiled.py``) inside the same
        extensions (cost, shared read session, error shaping), else by the resolvers."""
        plan = self._compiled_plan(execution_context)
        if plan is not None:
            execute_function = compiled_first(plan, execute_function)
        args = (extensions_runner, middleware_manager, execute_function, *args)
        if self.execution_timeout is None:
            return await super()._execute_operation(execution_context, *args, **kwargs)
        try:
            async with asyncio.timeout(self.execution_timeout):
                return await super()._execute_operation(execution_context, *args, **kwargs)
        except TimeoutError:
            execution_context.result = timed_out(self.execution_timeout, execution_context.operation_name)
            return execution_context.result

    def _compiled_plan(self, execution: ExecutionContext) -> Plan | None:
        """A query's plan, to answer it here. A mutation's is made too, but only kept: it runs the short way
        (app/compiled.py) from the next request on, never inside the executor's run."""
        if self.compiled_plans is None or execution.graphql_document is None or execution.query is None:
            return None
        if execution.operation_type not in {OperationType.QUERY, OperationType.MUTATION}:
            return None
        if not isinstance(execution.context, Context):
            return None
        plan = self.compiled_plans.get(
            self._schema, execution.query, execution.operation_name, execution.graphql_document
        )
        if not isinstance(plan, Plan):
            labelled(COMPILED_OPERATIONS, "resolvers").inc()
            return None
        return plan

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Keeps the error log for operators: a client's bad ID or missing token is answered, not logged as ours.

        Strawberry logs every error with its traceback; ``ShapeErrors`` logs the unexpected ones, with the
        request id the client is told to quote.
        """
        for error in errors:
            log.debug("client error: %s", error.message)


# Each is an attempt at a secret or mints one: one per request, so aliases cannot multiply attempts.
SENSITIVE_MUTATIONS = frozenset(
    {
        "login",
        "refreshToken",
        "resetPassword",
        "verifyEmail",
        "changePassword",
        "requestPasswordReset",
        "createApiKey",
        "revokeApiKey",
        "unlockGallery",
        "requestGalleryDownload",
    }
)


def build_schema(settings: Settings) -> strawberry.Schema:
    # Rule classes are made once per schema, never per request: the validation cache keys on them, so a limiter
    # extension made per request (each making its rule class anew) would never let it hit.
    rules: list[type[ASTValidationRule]] = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
        max_directives_rule(settings.max_directives),
        one_sensitive_mutation_rule(SENSITIVE_MUTATIONS),
    ]
    if not settings.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    # Production: no "Did you mean ...?" hints spelling out the schema to someone probing it.
    production_only = [HideSuggestions] if settings.is_production else []
    cost_plans = CostPlans(maxsize=256)
    schema = LensgraphSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[
            User,
            ApiKey,
            Photo,
            Notification,
            WebhookEndpoint,
            WebhookDelivery,
            License,
            Contract,
            Payment,
            Payout,
            PlanSubscription,
            Collection,
            Gallery,
            GallerySet,
            GallerySelection,
            GalleryComment,
            GalleryCollection,
            GalleryDownload,
            Release,
            Listing,
            Purchase,
            BrandMatch,
            Verification,
            Client,
            DocumentTemplate,
            StudioDocument,
            SessionType,
            Booking,
            Invoice,
            PrintProduct,
            PrintOrder,
            Album,
            Content,
            Product,
            DataRequest,
            AuditEntry,
        ],
        config=StrawberryConfig(),
        scalar_overrides=SCALAR_OVERRIDES,
        extensions=[
            OperationContext,
            CountOperations,
            *production_only,
            ShapeErrors,
            RefuseNulText,
            FreshLoaders,
            lambda: MeterCost(cost_plans, settings.max_query_cost, settings.slow_operation_seconds),
            lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
            lambda: AddValidationRules(rules),
            lambda: ParseCache(maxsize=PARSE_CACHE_SIZE),
            lambda: ValidationCache(maxsize=VALIDATION_CACHE_SIZE),
        ],
    )
    schema.execution_timeout = settings.execution_timeout_seconds
    schema.compiled_plans = Plans() if settings.compiled_operations else None
    schema.cost_plans = cost_plans
    return schema


def sdl() -> str:
    """The SDL as committed in ``schema.graphql``; limits do not change it, so defaults suffice."""
    from strawberry.printer import print_schema

    return print_schema(build_schema(Settings(secret_key=SecretStr("export-only")))) + "\n"

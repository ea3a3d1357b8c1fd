"""A hand-written fake of the part of the Stripe API Lensgraph uses, at the network boundary.

It is written by hand from Stripe's API reference, not recorded from Stripe: nothing here was captured from a
real Stripe answer. localstripe answers 404 to /v1/checkout/sessions, /v1/accounts, /v1/account_links and
/v1/transfers, so this stands in for it: a small Starlette app served by uvicorn on 127.0.0.1 (a random port),
which the real ``stripe`` library talks HTTP to. It serves Checkout Sessions, Connect accounts, account links,
transfers, products, Billing subscriptions and meter events, refunds (of paid checkouts' charges), and (as test
controls) charges refunded and webhook events.
tests/api/test_stripe_fake_shapes.py builds each object it answers into the ``stripe`` library's own class and
fails on any field that class does not declare, or a value of another type, and checks the fields our adapter
reads: so its shapes cannot drift from Stripe's unnoticed. It records every request (method,
path, decoded form parameters, headers), and does what Stripe does with an ``Idempotency-Key``: a repeated
key with the same parameters gets the first answer again, with other parameters a 400. Its events are signed
as Stripe signs webhooks: ``Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<payload>">``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

SESSION_LIFETIME_SECONDS = 24 * 3600
_BRACKETS = re.compile(r"\[([^\]]*)\]")


@dataclass
class Recorded:
    method: str
    path: str
    params: dict[str, Any]
    headers: dict[str, str]


@dataclass
class _Planned:
    """A scripted answer for the next request to a path: an error, or a success whose answer is lost."""

    status: int
    message: str
    # Do the work (and remember it under the idempotency key), then answer the error anyway.
    after_effect: bool = False


def decode_form(body: str) -> dict[str, Any]:
    """Stripe's form encoding (``line_items[0][price_data][currency]=eur``) back into nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        name, _, rest = key.partition("[")
        path = [name, *_BRACKETS.findall("[" + rest)] if rest else [name]
        node = root
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    return _listify(root)


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {key: _listify(value) for key, value in node.items()}
    if converted and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted


def _id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(12)}"


def _error(status: int, message: str, kind: str = "invalid_request_error") -> JSONResponse:
    return JSONResponse({"error": {"type": kind, "message": message}}, status_code=status)


@dataclass
class StripeFake:
    secret_key: str = "sk_test_lensgraph_fake"
    webhook_secret: str = "whsec_lensgraph_fake"
    # Events of connected accounts reach a Connect webhook endpoint, which has a signing secret of its own.
    connect_webhook_secret: str = "whsec_lensgraph_fake_connect"
    requests: list[Recorded] = field(default_factory=list)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    # What each session was created with: Stripe keeps line items and subscription data, but does not send them back.
    session_params: dict[str, dict[str, Any]] = field(default_factory=dict)
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    transfers: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Charges of paid checkouts, by payment intent; made on their first refund.
    charges: dict[str, dict[str, Any]] = field(default_factory=dict)
    products: dict[str, dict[str, Any]] = field(default_factory=dict)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Billing meter events, by their identifier (Stripe refuses a second event with one already used).
    meter_events: dict[str, dict[str, Any]] = field(default_factory=dict)
    _idempotent: dict[str, tuple[dict[str, Any], int, dict[str, Any]]] = field(default_factory=dict)
    _planned: dict[str, list[_Planned]] = field(default_factory=dict)

    # Test controls -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def calls(self, method: str, path: str) -> list[Recorded]:
        return [item for item in self.requests if item.method == method and item.path == path]

    def refuse_next(self, path: str, message: str, status: int = 400) -> None:
        """The next request to ``path`` fails as Stripe refuses one (``invalid_request_error``)."""
        self._planned.setdefault(path, []).append(_Planned(status, message))

    def lose_next_answer(self, path: str) -> None:
        """The next request to ``path`` succeeds, but its answer is a 500, as if lost on the way back."""
        self._planned.setdefault(path, []).append(_Planned(500, "An unknown error occurred", after_effect=True))

    def complete_onboarding(self, account_id: str) -> dict[str, Any]:
        """The person finished Stripe's onboarding: the account as the next ``account.updated`` carries it."""
        account = self.accounts[account_id]
        account.update(charges_enabled=True, payouts_enabled=True, details_submitted=True)
        return dict(account)

    def checkout_paid(self, session_id: str) -> dict[str, Any]:
        """The brand paid: the session as ``checkout.session.completed`` carries it."""
        session = self.sessions[session_id]
        session.update(status="complete", payment_status="paid", payment_intent=_id("pi"))
        return dict(session)

    def subscription_checkout_paid(self, session_id: str) -> dict[str, Any]:
        """The first month was paid: Stripe made the customer and the subscription; the session as
        ``checkout.session.completed`` carries it (the subscription by id only, as Stripe sends it)."""
        session = self.sessions[session_id]
        customer = session.get("customer") or _id("cus")
        subscription_id = _id("sub")
        start = int(time.time())
        params = self.session_params[session_id]
        price = params["line_items"][0]["price_data"]
        self.subscriptions[subscription_id] = {
            "id": subscription_id,
            "object": "subscription",
            "customer": customer,
            "status": "active",
            "cancel_at_period_end": False,
            "metadata": dict(params.get("subscription_data", {}).get("metadata", {})),
            "items": {"object": "list", "data": [self._item(price, start)]},
            "created": start,
            "livemode": False,
        }
        session.update(status="complete", payment_status="paid", customer=customer, subscription=subscription_id)
        return dict(session)

    def change_subscription(self, subscription_id: str, **changes: Any) -> dict[str, Any]:
        """Stripe changed the subscription by itself (a renewal, a failed payment, its end): as its event carries it."""
        subscription = self.subscriptions[subscription_id]
        period_end = changes.pop("current_period_end", None)
        if period_end is not None:
            subscription["items"]["data"][0]["current_period_end"] = period_end
        subscription.update(changes)
        return json.loads(json.dumps(subscription))

    @staticmethod
    def _item(price: dict[str, Any], start: int) -> dict[str, Any]:
        return {
            "id": _id("si"),
            "object": "subscription_item",
            "price": {
                "id": _id("price"),
                "object": "price",
                "currency": price["currency"],
                "unit_amount": int(price["unit_amount"]),
                "product": price["product"],
                "recurring": {"interval": price["recurring"]["interval"]},
            },
            "quantity": 1,
            "current_period_start": start,
            "current_period_end": start + 30 * 24 * 3600,
        }

    def refund(self, session_id: str, amount: int | None = None) -> dict[str, Any]:
        """A refund (from the dashboard) of ``amount`` more of a paid checkout's charge, or of all that is left: the
        Charge as ``charge.refunded`` carries it, with everything refunded of it so far."""
        session = self.sessions[session_id]
        intent = session["payment_intent"]
        charge = self.charges.setdefault(
            intent,
            {
                "id": _id("ch"),
                "object": "charge",
                "amount": session["amount_total"],
                "amount_captured": session["amount_total"],
                "amount_refunded": 0,
                "captured": True,
                "currency": session["currency"],
                "paid": True,
                "payment_intent": intent,
                "refunded": False,
                "status": "succeeded",
                "livemode": False,
                "created": int(time.time()),
            },
        )
        left = charge["amount"] - charge["amount_refunded"]
        if amount is not None and not 0 < amount <= left:
            raise ValueError(f"Stripe refunds 1 to {left} of this charge, not {amount}")
        charge["amount_refunded"] += left if amount is None else amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        return dict(charge)

    def checkout_expired(self, session_id: str) -> dict[str, Any]:
        session = self.sessions[session_id]
        session.update(status="expired", url=None)
        return dict(session)

    @staticmethod
    def event(event_type: str, data_object: dict[str, Any]) -> dict[str, Any]:
        """A webhook event in Stripe's envelope; about a connected account, it names the account, as Stripe does."""
        connected = {"account": data_object["id"]} if data_object.get("object") == "account" else {}
        return {
            **connected,
            "id": _id("evt"),
            "object": "event",
            "api_version": "2026-10-28.endive",
            "created": int(time.time()),
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": event_type,
            "data": {"object": data_object},
        }

    def signed(
        self, event: dict[str, Any], *, secret: str | None = None, timestamp: int | None = None
    ) -> tuple[str, str]:
        """The event's JSON and its ``Stripe-Signature`` header, signed with the secret of the endpoint it goes to
        (the Connect endpoint's for a connected account's event) unless another is given."""
        payload = json.dumps(event)
        at = int(time.time()) if timestamp is None else timestamp
        endpoint_secret = self.connect_webhook_secret if "account" in event else self.webhook_secret
        key = (secret or endpoint_secret).encode()
        signature = hmac.new(key, f"{at}.{payload}".encode(), hashlib.sha256).hexdigest()
        return payload, f"t={at},v1={signature}"

    # Endpoints ---------------------------------------------------------------------------------

    def _create_session(self, params: dict[str, Any]) -> dict[str, Any]:
        [item] = params["line_items"]
        amount = int(item["price_data"]["unit_amount"]) * int(item["quantity"])
        session_id = _id("cs")
        created = int(time.time())
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": params["mode"],
            "status": "open",
            "payment_status": "unpaid",
            "amount_total": amount,
            "amount_subtotal": amount,
            "currency": item["price_data"]["currency"],
            "client_reference_id": params.get("client_reference_id"),
            "metadata": params.get("metadata", {}),
            "success_url": params["success_url"],
            "cancel_url": params["cancel_url"],
            "payment_intent": None,
            "customer": params.get("customer"),
            "customer_email": params.get("customer_email"),
            "subscription": None,
            "livemode": False,
            "created": created,
            "expires_at": created + SESSION_LIFETIME_SECONDS,
            "url": f"https://checkout.stripe.com/c/pay/{session_id}#fidkdWxOYHwnPyd1blpxYHZxWjA0",
        }
        self.sessions[session_id] = session
        self.session_params[session_id] = params
        return session

    def _create_account(self, params: dict[str, Any]) -> dict[str, Any]:
        account_id = f"acct_{secrets.token_hex(8)}"
        account = {
            "id": account_id,
            "object": "account",
            "type": params["type"],
            "email": params.get("email"),
            "country": params.get("country", "FR"),
            "charges_enabled": False,
            "payouts_enabled": False,
            "details_submitted": False,
            "capabilities": {name: "inactive" for name in params.get("capabilities", {})},
            "metadata": params.get("metadata", {}),
            "created": int(time.time()),
        }
        self.accounts[account_id] = account
        return account

    def _create_link(self, params: dict[str, Any]) -> dict[str, Any]:
        if params["account"] not in self.accounts:
            raise LookupError(f"No such account: '{params['account']}'")
        created = int(time.time())
        return {
            "object": "account_link",
            "created": created,
            "expires_at": created + 300,
            "url": f"https://connect.stripe.com/setup/e/{params['account']}/{secrets.token_urlsafe(12)}",
        }

    def _create_product(self, params: dict[str, Any]) -> dict[str, Any]:
        product_id = params.get("id") or _id("prod")
        if product_id in self.products:
            raise LookupError(f"Product already exists with ID {product_id}")
        product = {"id": product_id, "object": "product", "name": params["name"], "active": True}
        self.products[product_id] = product
        return product

    def _update_subscription(self, subscription_id: str, params: dict[str, Any]) -> dict[str, Any]:
        subscription = self.subscriptions.get(subscription_id)
        if subscription is None:
            raise LookupError(f"No such subscription: '{subscription_id}'")
        if "cancel_at_period_end" in params:
            subscription["cancel_at_period_end"] = params["cancel_at_period_end"] == "true"
        subscription["metadata"].update(params.get("metadata", {}))
        for change in params.get("items", []):
            [item] = [item for item in subscription["items"]["data"] if item["id"] == change["id"]]
            if change["price_data"]["product"] not in self.products:
                raise LookupError(f"No such product: '{change['price_data']['product']}'")
            replaced = self._item(change["price_data"], item["current_period_start"])
            replaced.update(id=item["id"], current_period_end=item["current_period_end"])
            item.update(replaced)
        return subscription

    def _create_transfer(self, params: dict[str, Any]) -> dict[str, Any]:
        if params["destination"] not in self.accounts:
            raise LookupError(f"No such destination: '{params['destination']}'")
        transfer_id = _id("tr")
        transfer = {
            "id": transfer_id,
            "object": "transfer",
            "amount": int(params["amount"]),
            "currency": params["currency"],
            "destination": params["destination"],
            "transfer_group": params.get("transfer_group"),
            "metadata": params.get("metadata", {}),
            "reversed": False,
            "livemode": False,
            "created": int(time.time()),
        }
        self.transfers[transfer_id] = transfer
        return transfer

    def _create_meter_event(self, params: dict[str, Any]) -> dict[str, Any]:
        payload = params.get("payload", {})
        customer = payload.get("stripe_customer_id")
        if not params.get("event_name") or customer is None or "value" not in payload:
            raise LookupError("Missing required param: event_name, payload[stripe_customer_id] or payload[value].")
        if customer not in {subscription["customer"] for subscription in self.subscriptions.values()}:
            raise LookupError(f"No such customer: '{customer}'")
        identifier = params.get("identifier") or _id("mtr")
        if identifier in self.meter_events:
            raise LookupError(f"An event already exists with identifier {identifier}.")
        event = {
            "object": "billing.meter_event",
            "created": int(time.time()),
            "event_name": params["event_name"],
            "identifier": identifier,
            "livemode": False,
            "payload": {"stripe_customer_id": customer, "value": str(payload["value"])},
            "timestamp": int(params.get("timestamp") or time.time()),
        }
        self.meter_events[identifier] = event
        return event

    def _create_refund(self, params: dict[str, Any]) -> dict[str, Any]:
        """``POST /v1/refunds`` of a paid checkout's payment intent: the charge refunded as ``refund`` refunds it, the
        refund answered with its charge expanded when asked (``expand[]=charge``)."""
        intent = params.get("payment_intent")
        session_id = next((key for key, row in self.sessions.items() if row.get("payment_intent") == intent), None)
        if session_id is None:
            raise LookupError(f"No such payment_intent: '{intent}'")
        try:
            charge = self.refund(session_id, int(params["amount"]) if "amount" in params else None)
        except ValueError as refused:
            raise LookupError(str(refused)) from None
        expand = params.get("expand") or []
        expanded = "charge" in (expand.values() if isinstance(expand, dict) else expand)
        return {
            "id": _id("re"),
            "object": "refund",
            "amount": int(params.get("amount", charge["amount"])),
            "currency": charge["currency"],
            "charge": charge if expanded else charge["id"],
            "payment_intent": intent,
            "reason": params.get("reason"),
            "metadata": params.get("metadata", {}),
            "status": "succeeded",
            "created": int(time.time()),
        }

    def _app(self) -> Starlette:
        creators = {
            "/v1/checkout/sessions": self._create_session,
            "/v1/accounts": self._create_account,
            "/v1/account_links": self._create_link,
            "/v1/transfers": self._create_transfer,
            "/v1/products": self._create_product,
            "/v1/billing/meter_events": self._create_meter_event,
            "/v1/refunds": self._create_refund,
        }
        collections = {"accounts": self.accounts, "products": self.products, "subscriptions": self.subscriptions}

        async def handle(request: Request) -> JSONResponse:
            path = request.url.path
            params = decode_form((await request.body()).decode())
            headers = {key.lower(): value for key, value in request.headers.items()}
            self.requests.append(Recorded(request.method, path, params, headers))
            if headers.get("authorization") != f"Bearer {self.secret_key}":
                return _error(401, "Invalid API Key provided.")
            planned = self._planned.get(path, [])
            script = planned.pop(0) if planned else None
            if script and not script.after_effect:
                return _error(script.status, script.message)
            if request.method == "GET":
                kind, _, object_id = path.removeprefix("/v1/").partition("/")
                found = collections[kind].get(object_id)
                return JSONResponse(found) if found else _error(404, f"No such {kind.removesuffix('s')}: '{object_id}'")
            key = headers.get("idempotency-key")
            if key in self._idempotent:
                first_params, status, body = self._idempotent[key]
                if first_params != params:
                    return _error(400, "Keys for idempotent requests can only be used with the same parameters.")
                return JSONResponse(body, status_code=status)
            try:
                if path.startswith("/v1/subscriptions/"):
                    body = self._update_subscription(path.removeprefix("/v1/subscriptions/"), params)
                else:
                    body = creators[path](params)
            except LookupError as missing:
                return _error(400, str(missing))
            if key:
                self._idempotent[key] = (params, 200, body)
            if script:
                return _error(script.status, script.message, "api_error")
            return JSONResponse(body)

        async def unknown(request: Request) -> JSONResponse:
            return _error(404, f"Unrecognized request URL ({request.method}: {request.url.path}).")

        return Starlette(
            routes=[
                *(Route(path, handle, methods=["POST"]) for path in creators),
                Route("/v1/accounts/{account_id}", handle, methods=["GET"]),
                Route("/v1/products/{product_id}", handle, methods=["GET"]),
                Route("/v1/subscriptions/{subscription_id}", handle, methods=["GET", "POST"]),
                Route("/{rest:path}", unknown, methods=["GET", "POST", "DELETE"]),
            ]
        )

    # Lifecycle ---------------------------------------------------------------------------------

    def start(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port = int(self._socket.getsockname()[1])
        self._server = uvicorn.Server(uvicorn.Config(self._app(), log_level="warning", lifespan="off"))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the Stripe fake did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()

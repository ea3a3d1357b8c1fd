"""Account helpers for API tests: every step goes through the GraphQL API."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count
from typing import Any

PASSWORD = "correct horse battery"
_serial = count(1)

REGISTER = """
mutation Register($input: RegisterInput!) {
  register(input: $input) { user { id username role } userErrors { field code message } }
}"""

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) { accessToken refreshToken expiresAt user { id } userErrors { field code message } }
}"""


@dataclass
class Account:
    id: str
    email: str
    username: str
    access_token: str
    refresh_token: str


def registration(**overrides: Any) -> dict[str, Any]:
    serial = next(_serial)
    values = {
        "email": f"user{serial}@example.com",
        "password": PASSWORD,
        "role": "PHOTOGRAPHER",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "username": f"user{serial}",
    }
    values.update(overrides)
    return values


async def sign_in(client: Any, email: str, password: str = PASSWORD) -> str:
    """A fresh access token (it carries the role as it is now)."""
    login = (await client.data(LOGIN, {"input": {"email": email, "password": password}}))["login"]
    assert login["userErrors"] == []
    token: str = login["accessToken"]
    return token


async def sign_up(client: Any, **overrides: Any) -> Account:
    values = registration(**overrides)
    data = await client.data(REGISTER, {"input": values})
    assert data["register"]["userErrors"] == []
    login = (await client.data(LOGIN, {"input": {"email": values["email"], "password": values["password"]}}))["login"]
    assert login["userErrors"] == []
    return Account(
        id=data["register"]["user"]["id"],
        email=values["email"],
        username=values["username"],
        access_token=login["accessToken"],
        refresh_token=login["refreshToken"],
    )


SUBSCRIBE = """
mutation Subscribe($input: SubscribeToPlanInput!) {
  subscribeToPlan(input: $input) {
    checkoutUrl subscription { id status inForce cancelAtPeriodEnd currentPeriodEnd plan { id name } }
    userErrors { field code message }
  }
}"""


async def subscribe(client: Any, account: Account, plan_id: str) -> dict[str, Any]:
    """Subscribes through the offline checkout page, as a person clicking its button: the plan is in force after."""
    payload = (await client.data(SUBSCRIBE, {"input": {"planId": plan_id}}, token=account.access_token))[
        "subscribeToPlan"
    ]
    assert payload["userErrors"] == [], payload
    confirmed = await client.http.post(payload["checkoutUrl"].removeprefix("http://testserver"))
    assert confirmed.status_code == 303
    return payload

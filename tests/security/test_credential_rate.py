"""A request whose credential fails is counted against its address before it is refused: guessing API keys or
tokens is throttled like any other request."""

from __future__ import annotations

import pytest

from tests.api.helpers import sign_up
from tests.api.test_api_keys import create_key
from tests.api.test_rate_limits import serving

WHO = "{ viewer { user { username } } }"
BAD_CREDENTIALS = [
    {"X-API-Key": "lg_abcdefgh_not-the-secret"},
    {"Authorization": "Bearer lg_abcdefgh_not-the-secret"},
    {"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bm90LWEtc2lnbmF0dXJl"},
]


@pytest.mark.parametrize("headers", BAD_CREDENTIALS)
async def test_bad_credentials_past_the_rate_are_rate_limited(settings, headers):
    async with serving(settings, "3/minute") as client:
        answers = [await client.post(WHO, headers=headers) for _ in range(4)]
        anonymous = await client.post(WHO)
    assert [answer.status_code for answer in answers] == [401, 401, 401, 429]
    assert answers[3].json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert int(answers[3].headers["retry-after"]) > 0
    # The same address's rate, as an anonymous caller there sees.
    assert anonymous.status_code == 429


async def test_past_the_rate_a_right_key_answers_as_a_wrong_one_does(settings):
    async with serving(settings, "off") as setup:
        owner = await sign_up(setup)
        key = (await create_key(setup, owner.access_token))["rawKey"]
    async with serving(settings, "3/minute") as client:
        for _ in range(3):
            assert (await client.post(WHO, headers={"X-API-Key": f"{key}x"})).status_code == 401
        right = await client.post(WHO, headers={"X-API-Key": key})
        token = await client.post(WHO, token=owner.access_token)
    # Guessing cannot go on past the rate: the right key is not even checked.
    assert right.status_code == 429
    assert right.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert token.status_code == 429

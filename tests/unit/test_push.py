"""Push rules: what a browser subscription must hold and what a push service's answer means."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.push import (
    Outcome,
    check_web_push,
    fcm_error_code,
    fcm_message,
    outcome,
    parse_subscription_json,
    web_push_message,
)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


# A fixed key: test ids hold it, and every pytest-xdist worker must collect the same ones.
P256DH = b64url(
    ec.derive_private_key(0x1CE_CAFE_F00D, ec.SECP256R1())
    .public_key()
    .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
)
AUTH = b64url(b"0123456789abcdef")


def test_a_valid_subscription_is_kept_in_canonical_form():
    kept = check_web_push("https://Push.Example.COM/abc", P256DH, AUTH + "==", allow_insecure=False)
    assert kept.endpoint == "https://push.example.com/abc" and kept.p256dh == P256DH and kept.auth == AUTH


@pytest.mark.parametrize(
    ("endpoint", "p256dh", "auth", "field"),
    [
        ("http://push.example.com/a", P256DH, AUTH, "endpoint"),
        ("https://127.0.0.1/a", P256DH, AUTH, "endpoint"),
        ("https://push.local/a", P256DH, AUTH, "endpoint"),
        ("https://push.example.com/a", b64url(b"\x04" + b"\x00" * 64), AUTH, "p256dh"),
        ("https://push.example.com/a", b64url(b"\x02" + b"\x01" * 32), AUTH, "p256dh"),
        ("https://push.example.com/a", P256DH.replace("_", "/"), AUTH, "p256dh"),
        ("https://push.example.com/a", P256DH, b64url(b"x" * 15), "auth"),
        ("https://push.example.com/a", P256DH, "", "auth"),
    ],
)
def test_a_bad_subscription_is_refused(endpoint, p256dh, auth, field):
    with pytest.raises(DomainError) as refused:
        check_web_push(endpoint, p256dh, auth, allow_insecure=False)
    assert refused.value.code is ErrorCode.INVALID_INPUT and refused.value.field == ["webPush", field]


def test_http_and_loopback_only_when_allowed():
    assert check_web_push("http://127.0.0.1:9/p", P256DH, AUTH, allow_insecure=True).endpoint == "http://127.0.0.1:9/p"


def test_the_subscription_json_as_a_token():
    text = json.dumps({"endpoint": "https://e/x", "expirationTime": None, "keys": {"p256dh": "a", "auth": "b"}})
    assert parse_subscription_json(text) == ("https://e/x", "a", "b")
    assert parse_subscription_json("an-fcm-token") is None
    with pytest.raises(DomainError):
        parse_subscription_json('{"endpoint": "https://e/x"}')


@pytest.mark.parametrize(
    ("status", "fcm_error", "expected"),
    [
        (201, None, Outcome.SENT),
        (200, None, Outcome.SENT),
        (None, None, Outcome.RETRY),
        (500, None, Outcome.RETRY),
        (503, None, Outcome.RETRY),
        (404, None, Outcome.GONE),
        (410, None, Outcome.GONE),
        (400, "UNREGISTERED", Outcome.GONE),
        (400, "INVALID_ARGUMENT", Outcome.FAILED),
        (403, None, Outcome.FAILED),
        (413, None, Outcome.FAILED),
        (429, None, Outcome.RETRY),
    ],
)
def test_what_an_answer_means(status, fcm_error, expected):
    assert outcome(status, fcm_error) is expected


def test_fcm_error_code_and_message():
    body = {"error": {"details": [{"@type": "type.googleapis.com/google.rpc.X"}, {"errorCode": "UNREGISTERED"}]}}
    assert fcm_error_code(body) == "UNREGISTERED"
    assert fcm_error_code({"error": "x"}) is None and fcm_error_code(None) is None
    push = web_push_message("Tm90aWZpY2F0aW9uOjE", "license.created", "Offer.", {"licenseId": "TGk"}, "2026-12-05")
    message = fcm_message("device", push)["message"]
    assert message["token"] == "device" and message["notification"] == {"title": "Lensgraph", "body": "Offer."}
    assert message["data"] == {
        "notificationId": "Tm90aWZpY2F0aW9uOjE",
        "eventType": "license.created",
        "data": '{"licenseId":"TGk"}',
    }


def test_a_large_payload_is_left_out_of_the_push():
    push = web_push_message("n", "t", "m", {"text": "x" * 5000}, "now")
    assert push["data"] == {}

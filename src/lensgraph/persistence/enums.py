"""Stored enumerations that belong to no domain rule."""

from __future__ import annotations

from enum import Enum


class PushPlatform(Enum):
    IOS = "IOS"
    ANDROID = "ANDROID"
    WEB = "WEB"


class DeliveryStatus(Enum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"

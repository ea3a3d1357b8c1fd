"""Verifications: a RAW and the JPEG said to be developed from it, analysed for authenticity.

The status machine, who is charged what for one more verification, and the short codes that name a report.
"""

from __future__ import annotations

from enum import Enum


class VerificationStatus(Enum):
    PENDING = "PENDING"
    QUEUED = "QUEUED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class AccessType(Enum):
    """Who may open a report besides its owner: invited users only, or anyone holding its share link."""

    RESTRICTED = "RESTRICTED"
    ANYONE_WITH_LINK = "ANYONE_WITH_LINK"

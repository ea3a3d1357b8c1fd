"""The brand's own references on a license (purchase order, project, client) and what the licensed file says
about its license: they travel from the offer to the contract, the receipts and the delivered file's metadata."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from lensgraph.domain.errors import DomainError, ErrorCode

if TYPE_CHECKING:
    from lensgraph.domain.licensing import Terms

MAX_REFERENCE = 200


@dataclass(frozen=True)
class BuyerReferences:
    """The brand's own references for a license: they appear on its contract, receipts and the delivered file."""

    purchase_order: str | None = None
    project: str | None = None
    client: str | None = None

    def items(self) -> list[tuple[str, str]]:
        """(label, value) of the references given, in a fixed order."""
        labelled = (("Purchase order", self.purchase_order), ("Project", self.project), ("Client", self.client))
        return [(label, value) for label, value in labelled if value]

    def snapshot(self) -> dict[str, str | None]:
        return {"purchaseOrder": self.purchase_order, "project": self.project, "client": self.client}

    @classmethod
    def from_snapshot(cls, snapshot: dict[str, Any] | None) -> BuyerReferences:
        snapshot = snapshot or {}
        return cls(snapshot.get("purchaseOrder"), snapshot.get("project"), snapshot.get("client"))


def check_references(references: BuyerReferences) -> BuyerReferences:
    """Each reference trimmed, empty as none, at most MAX_REFERENCE characters (INVALID_INPUT names the field)."""
    cleaned: dict[str, str | None] = {}
    for name, field in (("purchase_order", "purchaseOrder"), ("project", "project"), ("client", "client")):
        value = " ".join((getattr(references, name) or "").split())
        if len(value) > MAX_REFERENCE:
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                f"A reference has at most {MAX_REFERENCE} characters.",
                ["references", field],
            )
        cleaned[name] = value or None
    return BuyerReferences(**cleaned)


def check_reference_filter(reference: str | None) -> str | None:
    """``viewer.licenses(filter: {reference:})``, spaces collapsed; None when empty."""
    cleaned = " ".join((reference or "").split())
    if len(cleaned) > MAX_REFERENCE:
        raise DomainError(
            ErrorCode.INVALID_INPUT, f"A reference has at most {MAX_REFERENCE} characters.", ["filter", "reference"]
        )
    return cleaned or None


@dataclass(frozen=True)
class LicenseFileNotice:
    """What the brand's licensed copy of the photo says in its metadata: from the contract (names, terms) and the
    brand's references, so a file found later leads back to the license, its purchase order and its client."""

    license_id: UUID
    licensee: str
    licensor: str
    terms: Terms
    references: BuyerReferences
    agreed_at: str

    def rights(self) -> str:
        return f"© {self.licensor}. Licensed to {self.licensee} ({self.terms.usage.value.lower()} license)."

    def usage_terms(self) -> str:
        territory = "worldwide" if self.terms.worldwide else ", ".join(sorted(self.terms.territories))
        media = ", ".join(sorted(medium.value.replace("_", " ").lower() for medium in self.terms.media))
        references = "".join(f" {label}: {value}." for label, value in self.references.items())
        custom = f" {self.terms.custom_terms}" if self.terms.custom_terms else ""
        return (
            f"{self.terms.usage.value.title()} license {self.license_id} for {self.licensee}: {media}; {territory}; "
            f"exclusivity {self.terms.exclusivity.value.lower()}.{references}{custom}"
        )

    def facts(self) -> dict[str, str]:
        facts = {
            "LicenseId": str(self.license_id),
            "Licensee": self.licensee,
            "Licensor": self.licensor,
            "Usage": self.terms.usage.value,
            "Terms": self.terms.custom_terms,
            "Price": self.terms.price.formatted(),
            "LicensedAt": self.agreed_at,
        }
        named = {"PurchaseOrder": self.references.purchase_order, "Project": self.references.project}
        named["Client"] = self.references.client
        return facts | {name: value for name, value in named.items() if value}

"""CONTENT_CREDENTIALS: the JPEG's C2PA manifest, when it has one: signer, claim generator, actions, validation.

INCONCLUSIVE without a manifest (most photos have none). FAIL when the manifest does not validate (the image or
the manifest changed after signing) or declares generative AI as the source. A valid manifest whose signer is on
no trust list passes with lower confidence: the signature holds, but anyone can make such a certificate.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lensgraph.domain.forensics import Analyzer, Outcome, VerificationCheck

GENERATIVE = ("trainedAlgorithmicMedia", "compositeWithTrainedAlgorithmicMedia", "algorithmicMedia")
# Codes that say who signed is unknown, not that anything changed.
TRUST_ONLY = ("signingCredential.untrusted", "signingCredential.ocsp.skipped", "timeStamp.untrusted")


def check_content_credentials(store: Mapping[str, Any] | None, read_error: str | None) -> VerificationCheck:
    """``store``: the manifest store as c2pa reports it (JSON); ``read_error``: why it could not be read."""
    if read_error is not None:
        unreadable = {"present": True, "error": read_error}
        return VerificationCheck(Analyzer.CONTENT_CREDENTIALS, Outcome.FAIL, 0.8, unreadable)
    if not store or not store.get("manifests"):
        return VerificationCheck(Analyzer.CONTENT_CREDENTIALS, Outcome.INCONCLUSIVE, 0.5, {"present": False})
    manifests: Mapping[str, Any] = store["manifests"]
    active = manifests.get(store.get("active_manifest") or "", {}) or next(iter(manifests.values()))
    signature = active.get("signature_info") or {}
    actions = [
        {key: action.get(key) for key in ("action", "softwareAgent", "digitalSourceType") if action.get(key)}
        for assertion in active.get("assertions") or []
        if str(assertion.get("label", "")).startswith("c2pa.actions")
        for action in (assertion.get("data") or {}).get("actions") or []
    ]
    codes = [str(status.get("code")) for status in store.get("validation_status") or [] if isinstance(status, Mapping)]
    generator = active.get("claim_generator") or ", ".join(
        str(info.get("name")) for info in active.get("claim_generator_info") or [] if isinstance(info, Mapping)
    )
    details: dict[str, Any] = {
        "present": True,
        "signer": signature.get("common_name") or signature.get("issuer"),
        "issuer": signature.get("issuer"),
        "signedAt": signature.get("time"),
        "claimGenerator": generator,
        "actions": actions,
        "validationState": store.get("validation_state"),
        "validationCodes": codes,
    }
    failures = [code for code in codes if code not in TRUST_ONLY]
    generative = [a for a in actions if any(str(a.get("digitalSourceType", "")).endswith(g) for g in GENERATIVE)]
    if failures or store.get("validation_state") == "Invalid":
        return VerificationCheck(Analyzer.CONTENT_CREDENTIALS, Outcome.FAIL, 0.95, details)
    if generative:
        return VerificationCheck(Analyzer.CONTENT_CREDENTIALS, Outcome.FAIL, 0.9, details)
    trusted = not codes and store.get("validation_state") == "Trusted"
    return VerificationCheck(Analyzer.CONTENT_CREDENTIALS, Outcome.PASS, 0.9 if trusted else 0.6, details)

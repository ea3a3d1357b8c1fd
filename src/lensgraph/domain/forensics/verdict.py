"""Combining the checks into a verdict.

The rule:
- authentic when RAW_INTEGRITY and STRUCTURAL_SIMILARITY pass and no check fails. An INCONCLUSIVE check (no EXIF
  to compare, noise destroyed by heavy downsizing, no C2PA manifest) does not reject, it only lowers confidence;
  any FAIL rejects, because each analyser catches something the others miss.
- each check's support for authenticity: 0.5 + c/2 for PASS, 0.5 - c/2 for FAIL, 0.5 for INCONCLUSIVE, with c its
  confidence.
- integrity_score: mean support of RAW_INTEGRITY and EXIF_CONSISTENCY (and CONTENT_CREDENTIALS when a manifest is
  present); security_score: mean support of STRUCTURAL_SIMILARITY, HISTOGRAM, SENSOR_NOISE and RECAPTURE.
- confidence in the verdict: when authentic, the mean support of all checks (an absent manifest left out); when
  not, the confidence of the surest failing check (or 0.5 when only a required check was inconclusive).
"""

from __future__ import annotations

from collections.abc import Iterable

from lensgraph.domain.forensics import Analyzer, Outcome, VerificationCheck

REQUIRED = (Analyzer.RAW_INTEGRITY, Analyzer.STRUCTURAL_SIMILARITY)
INTEGRITY = (Analyzer.RAW_INTEGRITY, Analyzer.EXIF_CONSISTENCY, Analyzer.CONTENT_CREDENTIALS)
SECURITY = (Analyzer.STRUCTURAL_SIMILARITY, Analyzer.HISTOGRAM, Analyzer.SENSOR_NOISE, Analyzer.RECAPTURE)


def support(check: VerificationCheck) -> float:
    if check.outcome is Outcome.PASS:
        return 0.5 + check.confidence / 2
    if check.outcome is Outcome.FAIL:
        return 0.5 - check.confidence / 2
    return 0.5


def combine(checks: Iterable[VerificationCheck]) -> tuple[bool, float, float, float]:
    """(authentic, confidence, integrity_score, security_score) by the rule in this module's docstring."""
    by_analyzer = {check.analyzer: check for check in checks}
    counted = [
        check
        for check in by_analyzer.values()
        if not (check.analyzer is Analyzer.CONTENT_CREDENTIALS and check.outcome is Outcome.INCONCLUSIVE)
    ]
    failures = [check for check in counted if check.outcome is Outcome.FAIL]
    required_pass = all(
        analyzer in by_analyzer and by_analyzer[analyzer].outcome is Outcome.PASS for analyzer in REQUIRED
    )
    authentic = required_pass and not failures
    if authentic:
        confidence = sum(support(check) for check in counted) / len(counted)
    elif failures:
        confidence = max(check.confidence for check in failures)
    else:
        confidence = 0.5
    return authentic, round(confidence, 3), _mean_support(counted, INTEGRITY), _mean_support(counted, SECURITY)


def _mean_support(checks: list[VerificationCheck], group: tuple[Analyzer, ...]) -> float:
    members = [support(check) for check in checks if check.analyzer in group]
    return round(sum(members) / len(members), 3) if members else 0.5

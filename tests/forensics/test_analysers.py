"""Each analyser on its own, over arrays and dicts (no files): a clear positive and negative case per check."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy import ndimage
from skimage import data as samples
from skimage.transform import resize

from lensgraph.domain.forensics import Analyzer, Outcome, VerificationCheck
from lensgraph.domain.forensics.alignment import AlignedPair, align
from lensgraph.domain.forensics.content_credentials import check_content_credentials
from lensgraph.domain.forensics.development import fit_development
from lensgraph.domain.forensics.exif_consistency import check_exif_consistency
from lensgraph.domain.forensics.histogram import check_histogram
from lensgraph.domain.forensics.raw_integrity import check_raw_integrity
from lensgraph.domain.forensics.recapture import check_recapture
from lensgraph.domain.forensics.sensor_noise import check_sensor_noise
from lensgraph.domain.forensics.structural_similarity import check_structural_similarity
from lensgraph.domain.forensics.verdict import combine

FACTS = {"format": "DNG", "white_level": 4095, "black_levels": [256] * 4, "bits_per_sample": 12}


@pytest.fixture(scope="module")
def scene() -> Any:
    """A developed RAW stand-in: the astronaut, smooth at pixel level (as after a lens), with sensor noise."""
    image = resize(samples.astronaut() / 255.0, (600, 900), anti_aliasing=True).astype(np.float32)
    image = ndimage.gaussian_filter(image, (1.2, 1.2, 0))
    noise = np.random.default_rng(5).normal(0, 0.02, image.shape).astype(np.float32)
    return np.clip(image * 0.85 + 0.05 + noise, 0, 1).astype(np.float32)


def pair_of(raw: Any, jpeg: Any) -> AlignedPair:
    aligned = align(raw, jpeg)
    assert aligned is not None
    return aligned


def test_raw_integrity_passes_noisy_12_bit_data() -> None:
    sensor = np.random.default_rng(1).normal(1500, 300, (800, 1200)).clip(0, 4095).astype(np.uint16)
    assert check_raw_integrity(sensor, FACTS).outcome is Outcome.PASS


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (lambda s: np.full_like(s, 900), "constant"),
        (lambda s: np.concatenate([s[:600], np.zeros_like(s[600:])]), "truncated"),
        (lambda s: (s // 16) * 16, "8-bit"),
        (lambda s: s + 4000, "above the white level"),
    ],
)
def test_raw_integrity_fails_damaged_data(damage: Any, problem: str) -> None:
    sensor = np.random.default_rng(1).normal(1500, 300, (800, 1200)).clip(0, 4095).astype(np.uint16)
    check = check_raw_integrity(damage(sensor).astype(np.uint16), FACTS)
    assert check.outcome is Outcome.FAIL
    assert any(problem in text for text in check.details["problems"])


EXIF = {
    "make": "NIKON CORPORATION",
    "model": "NIKON Z 6",
    "serial": "6012345",
    "iso": 400.0,
    "exposure_time": 0.004,
    "f_number": 2.8,
    "captured_at": "2026-06-14T10:30:15",
}


def test_exif_consistency() -> None:
    same = check_exif_consistency(EXIF, {**EXIF, "make": "NIKON", "software": "Lightroom"})
    assert same.outcome is Outcome.PASS and same.details["jpegSoftware"] == "Lightroom"
    other = check_exif_consistency(EXIF, {**EXIF, "serial": "6099999", "captured_at": "2026-06-14T10:30:16"})
    assert other.outcome is Outcome.FAIL and other.details["mismatched"] == ["serial", "captured_at"]
    assert check_exif_consistency(EXIF, {"software": "Photoshop"}).outcome is Outcome.INCONCLUSIVE


def test_alignment_finds_rotation_and_crop_and_refuses_another_scene(scene: Any) -> None:
    crop = np.rot90(scene[100:500, 200:800], 1)
    aligned = pair_of(scene, np.ascontiguousarray(crop))
    assert aligned.transform == 3  # three more quarter turns bring the JPEG back to the RAW's orientation
    assert aligned.offset == pytest.approx((100, 200), abs=1.0)
    assert aligned.scale == pytest.approx((1, 1), abs=0.01)
    other = resize(samples.coffee() / 255.0, (400, 600)).astype(np.float32)
    assert align(scene, other) is None


def developed(scene: Any) -> Any:
    """A legitimate development: warmer, brighter, more contrast (monotone per channel)."""
    return np.clip(scene ** np.array([0.8, 0.9, 1.1], dtype=np.float32) * 1.05, 0, 1).astype(np.float32)


def run(check: Any, raw: Any, jpeg: Any) -> VerificationCheck:
    aligned = pair_of(raw, jpeg)
    return check(aligned, fit_development(aligned.raw, aligned.jpeg))


def test_structural_similarity(scene: Any) -> None:
    assert run(check_structural_similarity, scene, developed(scene)).outcome is Outcome.PASS
    pasted = developed(scene)
    pasted[200:300, 300:420] = resize(samples.coffee() / 255.0, (100, 120, 3)).astype(np.float32)
    check = run(check_structural_similarity, scene, pasted)
    assert check.outcome is Outcome.FAIL and check.regions
    region = check.regions[0]
    assert 250 <= region.x + region.width / 2 <= 470 and 150 <= region.y + region.height / 2 <= 350
    assert check_structural_similarity(None, None).outcome is Outcome.FAIL


def test_histogram(scene: Any) -> None:
    assert run(check_histogram, scene, developed(scene)).outcome is Outcome.PASS
    swapped = np.ascontiguousarray(developed(scene)[..., [2, 0, 1]])
    assert run(check_histogram, scene, swapped).outcome is Outcome.FAIL
    burned = developed(scene)
    burned[150:350, 500:750] *= 0.55
    check = run(check_histogram, scene, burned)
    assert check.outcome is Outcome.FAIL and check.regions


def test_sensor_noise(scene: Any) -> None:
    assert check_sensor_noise(pair_of(scene, developed(scene))).outcome is Outcome.PASS
    clean = ndimage.gaussian_filter(scene, (0.0, 0.0, 0))  # same content, another exposure's noise
    other = clean - np.random.default_rng(5).normal(0, 0.02, scene.shape).astype(np.float32) * 0.85
    other += np.random.default_rng(6).normal(0, 0.02, scene.shape).astype(np.float32)
    assert check_sensor_noise(pair_of(scene, np.clip(other, 0, 1))).outcome is Outcome.FAIL
    cloned = developed(scene)
    cloned[60:180, 80:260] = cloned[400:520, 500:680]
    check = check_sensor_noise(pair_of(scene, cloned))
    assert check.outcome is Outcome.FAIL and check.regions


def test_recapture(scene: Any) -> None:
    assert check_recapture(scene).outcome is Outcome.PASS
    ys, xs = np.mgrid[0 : scene.shape[0], 0 : scene.shape[1]]
    grid = (0.75 + 0.25 * np.cos(2 * np.pi * xs / 3.3) * np.cos(2 * np.pi * ys / 3.3)).astype(np.float32)
    check = check_recapture(scene * grid[..., None])
    assert check.outcome is Outcome.FAIL and check.details["peakRatio"] > 30


STORE = {
    "active_manifest": "urn:c2pa:1",
    "manifests": {
        "urn:c2pa:1": {
            "claim_generator_info": [{"name": "Lensgraph Develop"}],
            "signature_info": {"issuer": "Lensgraph Test CA", "time": "2026-06-14T10:31:00Z"},
            "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [{"action": "c2pa.color_adjustments"}]}}],
        }
    },
    "validation_state": "Valid",
    "validation_status": [{"code": "signingCredential.untrusted"}],
}


def test_content_credentials() -> None:
    assert check_content_credentials(None, None).outcome is Outcome.INCONCLUSIVE
    valid = check_content_credentials(STORE, None)
    assert valid.outcome is Outcome.PASS and valid.details["issuer"] == "Lensgraph Test CA"
    assert valid.details["actions"] == [{"action": "c2pa.color_adjustments"}]
    tampered = {**STORE, "validation_state": "Invalid", "validation_status": [{"code": "assertion.dataHash.mismatch"}]}
    assert check_content_credentials(tampered, None).outcome is Outcome.FAIL
    generated = {
        **STORE,
        "manifests": {
            "urn:c2pa:1": {
                **STORE["manifests"]["urn:c2pa:1"],  # type: ignore[index]
                "assertions": [
                    {
                        "label": "c2pa.actions",
                        "data": {
                            "actions": [
                                {
                                    "action": "c2pa.created",
                                    "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia",
                                }
                            ]
                        },
                    }
                ],
            }
        },
    }
    assert check_content_credentials(generated, None).outcome is Outcome.FAIL


def check(analyzer: Analyzer, outcome: Outcome, confidence: float = 0.9) -> VerificationCheck:
    return VerificationCheck(analyzer, outcome, confidence, {})


def test_combine_rule() -> None:
    passing = [check(analyzer, Outcome.PASS) for analyzer in Analyzer if analyzer is not Analyzer.CONTENT_CREDENTIALS]
    absent = check(Analyzer.CONTENT_CREDENTIALS, Outcome.INCONCLUSIVE, 0.5)
    authentic, confidence, integrity, security = combine([*passing, absent])
    assert authentic and confidence == pytest.approx(0.95) and integrity == security == pytest.approx(0.95)
    noise_unknown = [*passing[:4], check(Analyzer.SENSOR_NOISE, Outcome.INCONCLUSIVE, 0.5), *passing[5:]]
    authentic, lower, _, _ = combine(noise_unknown)
    assert authentic and lower < confidence
    one_fail = [*passing[:3], check(Analyzer.HISTOGRAM, Outcome.FAIL, 0.8), *passing[4:]]
    authentic, confidence, _, security = combine(one_fail)
    assert not authentic and confidence == 0.8 and security < 0.8
    no_ssim = [c for c in passing if c.analyzer is not Analyzer.STRUCTURAL_SIMILARITY]
    assert combine(no_ssim)[0] is False

"""C2PA through analyse_pair: a JPEG signed offline (c2pa-python ships no test certificate, so the test makes a
CA and a signer with ``cryptography``), the same JPEG altered after signing, and one without a manifest."""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path

import c2pa
import numpy as np
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from lensgraph.adapters.forensics import analyse_pair
from lensgraph.domain.forensics import Analyzer, ForensicReport, Outcome
from lensgraph.seed.cameras import CAMERAS, Exposure, develop, dng, jpeg, mosaic, scene

CAPTURE = "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Lensgraph Tests"),
        ]
    )


def _usage(*, signing: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signing,
        crl_sign=not signing,
        encipher_only=False,
        decipher_only=False,
    )


def make_signer() -> c2pa.Signer:
    """A CA and an ES256 signer it certifies (digitalSignature, emailProtection: what C2PA accepts)."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())

    def certificate(subject: str, public: ec.EllipticCurvePublicKey, *, ca: bool) -> x509.CertificateBuilder:
        return (
            x509.CertificateBuilder()
            .subject_name(_name(subject))
            .issuer_name(_name("Lensgraph Test CA"))
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(_usage(signing=not ca), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        )

    authority = certificate("Lensgraph Test CA", ca_key.public_key(), ca=True).sign(ca_key, hashes.SHA256())
    leaf = (
        certificate("Lensgraph Test Signer", key.public_key(), ca=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    chain = leaf.public_bytes(serialization.Encoding.PEM) + authority.public_bytes(serialization.Encoding.PEM)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return c2pa.Signer.from_info(c2pa.C2paSignerInfo(alg=b"es256", sign_cert=chain, private_key=private, ta_url=None))


def _sign(image: bytes, source_type: str) -> bytes:
    manifest = {
        "claim_generator_info": [{"name": "lensgraph-tests", "version": "1.0"}],
        "title": "shot.jpg",
        "format": "image/jpeg",
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {"actions": [{"action": "c2pa.created", "digitalSourceType": source_type}]},
            }
        ],
    }
    signed = io.BytesIO()
    with c2pa.Builder(json.dumps(manifest)) as builder:
        builder.sign(make_signer(), "image/jpeg", io.BytesIO(image), signed)
    return signed.getvalue()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("c2pa")
    camera = CAMERAS[1]
    raw = dng(mosaic(scene("chelsea", 960, 640), camera, np.random.default_rng(11)), camera, Exposure())
    (folder / "shot.dng").write_bytes(raw)
    plain = jpeg(develop(raw), camera, Exposure(), quality=90)
    (folder / "plain.jpg").write_bytes(plain)
    signed = _sign(plain, CAPTURE)
    (folder / "signed.jpg").write_bytes(signed)
    altered = bytearray(signed)
    altered[-4000] ^= 0x55  # inside the entropy-coded pixels, after signing
    (folder / "altered.jpg").write_bytes(bytes(altered))
    (folder / "generated.jpg").write_bytes(
        _sign(plain, "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia")
    )
    return folder


def credentials(report: ForensicReport) -> tuple[Outcome, dict[str, object]]:
    check = next(check for check in report.checks if check.analyzer is Analyzer.CONTENT_CREDENTIALS)
    return check.outcome, dict(check.details)


def test_no_manifest_is_inconclusive_and_does_not_reject(folder: Path) -> None:
    report = analyse_pair(folder / "shot.dng", folder / "plain.jpg")
    assert credentials(report) == (Outcome.INCONCLUSIVE, {"present": False})
    assert report.authentic


def test_a_signed_jpeg_passes_with_its_signer_and_actions(folder: Path) -> None:
    report = analyse_pair(folder / "shot.dng", folder / "signed.jpg")
    outcome, details = credentials(report)
    assert outcome is Outcome.PASS
    assert details["signer"] == "Lensgraph Test Signer"
    assert details["claimGenerator"] == "lensgraph-tests"
    assert details["actions"] == [{"action": "c2pa.created", "digitalSourceType": CAPTURE}]
    assert details["validationCodes"] == ["signingCredential.untrusted"]  # our test CA is on no trust list
    assert report.authentic


def test_a_jpeg_altered_after_signing_fails(folder: Path) -> None:
    report = analyse_pair(folder / "shot.dng", folder / "altered.jpg")
    outcome, details = credentials(report)
    assert outcome is Outcome.FAIL
    assert "assertion.dataHash.mismatch" in details["validationCodes"]  # type: ignore[operator]
    assert not report.authentic


def test_a_manifest_declaring_generative_ai_fails(folder: Path) -> None:
    outcome, _ = credentials(analyse_pair(folder / "shot.dng", folder / "generated.jpg"))
    assert outcome is Outcome.FAIL

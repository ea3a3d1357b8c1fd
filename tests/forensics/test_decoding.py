"""sniff_raw / is_jpeg and what analyse_pair does with files that are not what they claim."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from lensgraph.adapters.forensics import analyse_pair, is_jpeg, sniff_raw
from lensgraph.domain.forensics import Analyzer, Outcome, UnreadableInput
from lensgraph.seed.cameras import CAMERAS, Exposure, develop, dng, jpeg, mosaic, scene


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("pair")
    camera = CAMERAS[0]
    raw = dng(mosaic(scene("coffee", 960, 640), camera, np.random.default_rng(3)), camera, Exposure())
    (folder / "shot.dng").write_bytes(raw)
    (folder / "shot.jpg").write_bytes(jpeg(develop(raw), camera, Exposure(), quality=88))
    return folder / "shot.dng", folder / "shot.jpg"


def test_sniff_raw_knows_a_dng_and_refuses_a_jpeg(pair: tuple[Path, Path]) -> None:
    raw_path, jpeg_path = pair
    assert sniff_raw(raw_path) == "DNG"
    assert sniff_raw(raw_path.read_bytes()[:4096]) == "DNG"
    assert sniff_raw(jpeg_path) is None
    assert is_jpeg(jpeg_path) and is_jpeg(jpeg_path.read_bytes())
    assert not is_jpeg(raw_path)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"II*\x00\x10\x00\x00\x00CR\x02\x00", "CR2"),
        (b"\x00\x00\x00\x18ftypcrx \x00\x00\x00\x01", "CR3"),
        (b"FUJIFILMCCD-RAW 0201FF383501", "RAF"),
        (b"IIRO\x08\x00\x00\x00", "ORF"),
        (b"IIU\x00\x08\x00\x00\x00", "RW2"),
        (b"GIF89a\x01\x00", None),
    ],
)
def test_sniff_raw_by_magic_bytes(head: bytes, expected: str | None) -> None:
    assert sniff_raw(head + bytes(64)) == expected


def test_a_tiff_by_its_maker_and_a_plain_tiff() -> None:
    def tiff(make: str) -> bytes:
        value = make.encode() + b"\x00"
        entry = (271).to_bytes(2, "little") + (2).to_bytes(2, "little") + len(value).to_bytes(4, "little")
        entry += (26).to_bytes(4, "little")
        return b"II*\x00" + (8).to_bytes(4, "little") + (1).to_bytes(2, "little") + entry + bytes(4) + value

    assert sniff_raw(tiff("NIKON CORPORATION")) == "NEF"
    assert sniff_raw(tiff("SONY")) == "ARW"
    assert sniff_raw(tiff("PENTAX Corporation")) == "PEF"
    assert sniff_raw(tiff("SAMSUNG")) == "SRW"
    assert sniff_raw(tiff("Some Scanner Inc")) is None


def test_an_authentic_development_passes(pair: tuple[Path, Path]) -> None:
    report = analyse_pair(*pair)
    outcomes = {check.analyzer: check.outcome for check in report.checks}
    assert outcomes[Analyzer.RAW_INTEGRITY] is Outcome.PASS
    assert outcomes[Analyzer.EXIF_CONSISTENCY] is Outcome.PASS
    assert outcomes[Analyzer.STRUCTURAL_SIMILARITY] is Outcome.PASS
    assert report.authentic and report.confidence > 0.6
    # Everything the API stores and returns is plain JSON.
    json.dumps([check.details for check in report.checks])
    json.dumps([report.raw_metadata, report.image_metadata])
    assert report.raw_metadata["serial"] == CAMERAS[0].serial
    assert report.image_metadata["make"] == CAMERAS[0].make


def test_a_renamed_jpeg_as_raw_is_unreadable(pair: tuple[Path, Path], tmp_path: Path) -> None:
    renamed = tmp_path / "photo.dng"
    renamed.write_bytes(pair[1].read_bytes())
    with pytest.raises(UnreadableInput, match="JPEG"):
        analyse_pair(renamed, pair[1])


def test_a_truncated_jpeg_is_unreadable(pair: tuple[Path, Path], tmp_path: Path) -> None:
    cut = tmp_path / "cut.jpg"
    data = pair[1].read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    assert is_jpeg(cut)  # the header is whole: only decoding tells
    with pytest.raises(UnreadableInput, match="JPEG does not decode"):
        analyse_pair(pair[0], cut)


def test_a_raw_as_the_image_is_unreadable(pair: tuple[Path, Path]) -> None:
    with pytest.raises(UnreadableInput, match="not a JPEG"):
        analyse_pair(pair[0], pair[0])


def test_a_truncated_dng_is_unreadable(pair: tuple[Path, Path], tmp_path: Path) -> None:
    """LibRaw refuses an uncompressed DNG cut short (a RAW it zero-fills instead fails RAW_INTEGRITY's flat-tail
    test: see test_analysers)."""
    cut = tmp_path / "cut.dng"
    data = pair[0].read_bytes()
    cut.write_bytes(data[: len(data) * 2 // 3])
    assert sniff_raw(cut) == "DNG"  # the header is whole: only decoding tells
    with pytest.raises(UnreadableInput, match="does not decode"):
        analyse_pair(cut, pair[1])


def test_a_jpeg_with_another_cameras_exif_fails(pair: tuple[Path, Path], tmp_path: Path) -> None:
    other = replace(CAMERAS[1])
    lying = tmp_path / "lying.jpg"
    lying.write_bytes(jpeg(develop(pair[0].read_bytes()), other, Exposure()))
    report = analyse_pair(pair[0], lying)
    exif = next(check for check in report.checks if check.analyzer is Analyzer.EXIF_CONSISTENCY)
    assert exif.outcome is Outcome.FAIL
    assert {"make", "model", "serial"} <= set(exif.details["mismatched"])
    assert not report.authentic

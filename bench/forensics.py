"""``python -m bench forensics``: one analyse_pair on a generated 24-megapixel RAW + JPEG pair, its time and peak
memory. The analysis runs in a child process, so its peak resident set (getrusage of the children) is its own,
numpy's buffers included (tracemalloc does not see them)."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

WIDTH, HEIGHT = 6000, 4000  # 24 megapixels


def generate_pair(folder: Path) -> tuple[Path, Path]:
    """A simulated camera's DNG (tests/forensics/cameras.py) and a JPEG developed from it at full size."""
    from tests.forensics.cameras import CAMERAS, Exposure, develop, dng, jpeg, mosaic, scene

    camera = CAMERAS[0]
    raw = dng(mosaic(scene("astronaut", WIDTH, HEIGHT), camera, np.random.default_rng(24)), camera, Exposure())
    raw_path, image_path = folder / "bench.dng", folder / "bench.jpg"
    raw_path.write_bytes(raw)
    image_path.write_bytes(jpeg(develop(raw), camera, Exposure(), quality=90))
    return raw_path, image_path


def child(raw_path: str, image_path: str) -> None:
    from lensgraph.adapters.forensics import analyse_pair

    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    report = analyse_pair(Path(raw_path), Path(image_path))
    seconds = time.perf_counter() - started
    outcomes = {check.analyzer.value: check.outcome.value for check in report.checks}
    print(
        json.dumps({"seconds": seconds, "baseline_kb": baseline_kb, "authentic": report.authentic, "checks": outcomes})
    )


def run() -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        raw_path, image_path = generate_pair(Path(folder))
        generated = time.perf_counter() - started
        sizes = (raw_path.stat().st_size, image_path.stat().st_size)
        output = subprocess.run(
            [sys.executable, "-m", "bench.forensics", str(raw_path), str(image_path)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    result = json.loads(output.strip().splitlines()[-1])
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # Linux: kilobytes
    return {
        "pixels": WIDTH * HEIGHT,
        "raw_mb": round(sizes[0] / 1e6, 1),
        "jpeg_mb": round(sizes[1] / 1e6, 1),
        "generate_seconds": round(generated, 1),
        "analyse_seconds": round(result["seconds"], 2),
        "peak_rss_mb": round(peak_kb / 1024),
        "rss_after_imports_mb": round(result["baseline_kb"] / 1024),
        "authentic": result["authentic"],
        "checks": result["checks"],
    }


if __name__ == "__main__":
    child(sys.argv[1], sys.argv[2])

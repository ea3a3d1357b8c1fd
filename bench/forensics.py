"""``python -m bench forensics``: one analyse_pair on a generated 24-megapixel RAW + JPEG pair, its time and peak
memory. Generation and analysis each run in their own child process, started from a small parent (a forked
child inherits the parent's peak), and the analysis child reports its own peak resident set (getrusage), numpy's
buffers included (tracemalloc does not see them)."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WIDTH, HEIGHT = 6000, 4000  # 24 megapixels


def generate_pair(folder: Path) -> tuple[Path, Path]:
    """A simulated camera's DNG (lensgraph/seed/cameras.py) and a JPEG developed from it at full size."""
    from lensgraph.seed.cameras import CAMERAS, Exposure, develop, jpeg, shot

    camera = CAMERAS[0]
    raw = shot("astronaut", camera, 24, WIDTH, HEIGHT)
    raw_path, image_path = folder / "bench.dng", folder / "bench.jpg"
    raw_path.write_bytes(raw)
    image_path.write_bytes(jpeg(develop(raw), camera, Exposure(), quality=90))
    return raw_path, image_path


def analyse_child(raw_path: str, image_path: str) -> None:
    from lensgraph.adapters.forensics import analyse_pair

    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    report = analyse_pair(Path(raw_path), Path(image_path))
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # Linux: kilobytes
    outcomes = {check.analyzer.value: check.outcome.value for check in report.checks}
    figures = {"seconds": seconds, "baseline_kb": baseline_kb, "peak_kb": peak_kb, "authentic": report.authentic}
    print(json.dumps({**figures, "checks": outcomes}))


def run() -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bench.forensics", "generate", folder], check=True)
        generated = time.perf_counter() - started
        raw_path, image_path = Path(folder) / "bench.dng", Path(folder) / "bench.jpg"
        sizes = (raw_path.stat().st_size, image_path.stat().st_size)
        output = subprocess.run(
            [sys.executable, "-m", "bench.forensics", "analyse", str(raw_path), str(image_path)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    result = json.loads(output.strip().splitlines()[-1])
    peak_kb = result["peak_kb"]
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
    if sys.argv[1] == "generate":
        generate_pair(Path(sys.argv[2]))
    else:
        analyse_child(sys.argv[2], sys.argv[3])

"""Face detection in the imaging adapter, with OpenCV's bundled cascade on real photos (skimage's samples).

The samples ship inside the scikit-image wheel (no download): a portrait, and photos without anyone in them.
"""

from __future__ import annotations

import pytest
from skimage import data as samples

from lensgraph.adapters import imaging
from lensgraph.domain.photos import PREVIEW_PX, THUMBNAIL_PX
from tests.api.images import jpeg_of, photo_jpeg


def faces_in(jpeg: bytes) -> int:
    analysis = imaging.analyse(jpeg, watermark_text="test", thumbnail_px=THUMBNAIL_PX, preview_px=PREVIEW_PX)
    return analysis.face_count


def test_the_astronaut_portrait_has_a_face():
    assert faces_in(jpeg_of(samples.astronaut())) >= 1


@pytest.mark.parametrize("sample", ["coffee", "rocket", "chelsea"])
def test_photos_of_things_and_a_cat_have_none(sample):
    assert faces_in(jpeg_of(getattr(samples, sample)())) == 0


def test_generated_shapes_have_none():
    assert [faces_in(photo_jpeg(seed=seed)) for seed in range(1, 6)] == [0] * 5

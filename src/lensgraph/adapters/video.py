"""Reading videos with PyAV (FFmpeg): running time, picture size and a poster frame, never trusting the name."""

from __future__ import annotations

import io
from dataclasses import dataclass
from fractions import Fraction

import av
from av.error import FFmpegError

# Decoding stops after this many packets when looking for a first frame: a file of junk ends fast.
MAX_PACKETS_FOR_POSTER = 600


class VideoUnreadable(Exception):
    """The bytes are not a video PyAV can decode."""


@dataclass(frozen=True)
class Probe:
    duration_ms: int | None
    width: int
    height: int
    poster_jpeg: bytes


def probe(data: bytes) -> Probe:
    """Opens the container, reads the first video stream's size and running time, and decodes a poster frame
    (the first frame) as a JPEG. Anything PyAV cannot decode is ``VideoUnreadable``."""
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            streams = container.streams.video
            if not streams:
                raise VideoUnreadable("no video stream")
            stream = streams[0]
            duration_ms = _duration_ms(container.duration, stream.duration, stream.time_base)
            frame = _first_frame(container, stream)
            image = frame.to_image()  # type: ignore[no-untyped-call]
            buffer = io.BytesIO()
            image.convert("RGB").save(buffer, "JPEG", quality=88)
            return Probe(duration_ms, frame.width, frame.height, buffer.getvalue())
    except (FFmpegError, OSError, ValueError, IndexError, EOFError) as exc:
        raise VideoUnreadable(str(exc)) from exc


def _first_frame(container: av.container.InputContainer, stream: av.VideoStream) -> av.VideoFrame:
    for count, packet in enumerate(container.demux(stream)):
        if count > MAX_PACKETS_FOR_POSTER:
            break
        for frame in packet.decode():
            if isinstance(frame, av.VideoFrame):
                return frame
    raise VideoUnreadable("no decodable frame")


def _duration_ms(container_us: int | None, stream_units: int | None, time_base: Fraction | None) -> int | None:
    """The stream's own duration when it states one, else the container's (in microseconds)."""
    if stream_units is not None and time_base is not None:
        return int(stream_units * time_base * 1000)
    if container_us is not None:
        return container_us // 1000
    return None

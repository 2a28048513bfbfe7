"""Encoded media for recording tests: real VP8 and Opus frames, made once per process."""

from __future__ import annotations

import functools
from fractions import Fraction

import av
import numpy as np
from av import AudioFrame, VideoFrame

from media.forward import EncodedFrame, is_vp8_keyframe

VIDEO_RATE, AUDIO_RATE = 90000, 48000
FPS = 30
VIDEO_STEP, AUDIO_STEP = VIDEO_RATE // FPS, 960


@functools.cache
def vp8_frames(count: int = 90, size: tuple[int, int] = (320, 240), gop: int = 30) -> list[bytes]:
    """A moving gradient, a keyframe every ``gop`` frames (like a browser answering PLIs)."""
    width, height = size
    encoder = av.CodecContext.create("libvpx", "w")
    encoder.width, encoder.height, encoder.pix_fmt = width, height, "yuv420p"
    encoder.time_base = Fraction(1, VIDEO_RATE)
    encoder.bit_rate = 400_000
    encoder.gop_size = gop
    encoder.options = {"deadline": "realtime", "cpu-used": "8"}
    out: list[bytes] = []
    for i in range(count):
        pixels = (np.add.outer(np.arange(height * 3 // 2), np.arange(width)) + i * 4) % 256
        frame = VideoFrame.from_ndarray(pixels.astype(np.uint8), format="yuv420p")
        frame.pts, frame.time_base = i * VIDEO_STEP, Fraction(1, VIDEO_RATE)
        out += [bytes(p) for p in encoder.encode(frame)]
    out += [bytes(p) for p in encoder.encode(None)]
    return out[:count]


@functools.cache
def opus_frames(count: int = 150, hz: float = 440.0) -> list[bytes]:
    encoder = av.CodecContext.create("libopus", "w")
    encoder.sample_rate, encoder.layout, encoder.format = AUDIO_RATE, "mono", "s16"
    encoder.time_base = Fraction(1, AUDIO_RATE)
    out: list[bytes] = []
    for i in range(count + 2):
        t = (np.arange(AUDIO_STEP) + i * AUDIO_STEP) / AUDIO_RATE
        pcm = (np.sin(2 * np.pi * hz * t) * 8000).astype(np.int16).reshape(1, -1)
        frame = AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate, frame.pts = AUDIO_RATE, i * AUDIO_STEP
        out += [bytes(p) for p in encoder.encode(frame)]
    return out[:count]


def video_frame(i: int, data: list[bytes]) -> EncodedFrame:
    payload = data[i % len(data)]
    return EncodedFrame(payload, i * VIDEO_STEP, VIDEO_RATE, is_vp8_keyframe(payload))


def audio_frame(i: int, data: list[bytes]) -> EncodedFrame:
    return EncodedFrame(data[i % len(data)], i * AUDIO_STEP, AUDIO_RATE, True)

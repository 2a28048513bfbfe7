"""The WebM recorder on its own: a file cut by kill -9 still plays; timestamps; short calls."""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import sys
import time
from pathlib import Path

import av

from media.forward import ReceiveCounters, Source
from media.recording import CallRecording, vp8_size
from server.settings import ROOT
from tests.recordings.synthetic import audio_frame, opus_frames, video_frame, vp8_frames


def count_frames(path: Path, kind: str) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(**{kind: 0}))


async def test_a_file_cut_by_kill_9_plays_up_to_the_cut(tmp_path: Path) -> None:
    path = tmp_path / "cut.webm"
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.recordings.record_forever", str(path),
        cwd=ROOT, stdout=asyncio.subprocess.PIPE,
    )
    assert child.stdout is not None
    try:
        recorded = 0
        while recorded < 60:  # two seconds of video
            line = await asyncio.wait_for(child.stdout.readline(), 10)
            assert line, "the recording process died"
            recorded = int(line.split()[1])
        await asyncio.sleep(0.4)
    finally:
        child.send_signal(signal.SIGKILL)
        await child.wait()
    assert child.returncode == -signal.SIGKILL

    # Everything but the last cluster (≤ ~1.5 s) decodes, with no error at the cut.
    video = await asyncio.to_thread(count_frames, path, "video")
    audio = await asyncio.to_thread(count_frames, path, "audio")
    assert video >= recorded - 45, (video, recorded)
    assert audio >= (recorded - 45) * 50 // 30, audio


async def test_timestamps_follow_the_wall_clock_across_a_source_change(tmp_path: Path) -> None:
    now = [0.0]
    recording = CallRecording(tmp_path / "t.webm", clock=lambda: now[0], header_wait_s=0.5)
    first, second = Source("video", ReceiveCounters()), Source("video", ReceiveCounters())
    audio = Source("audio", ReceiveCounters())
    data, sound = vp8_frames(), opus_frames()
    recording.inputs["citizen.audio"].attach(audio)
    recording.inputs["citizen.video"].attach(first)
    for i in range(50):  # one second of audio before any video
        now[0] = i * 0.02
        audio.push(audio_frame(i, sound))
    for i in range(1, 31):  # starts with a delta frame: dropped until the keyframe
        now[0] = 1 + i / 30
        first.push(video_frame(i, data))
    recording.inputs["citizen.video"].attach(second)  # the citizen reconnects: RTP from 0
    for i in range(30):
        now[0] = 3 + i / 30
        second.push(video_frame(i, data))
    result = await recording.close()
    assert result is not None and result.size == (tmp_path / "t.webm").stat().st_size
    assert result.sha256 == hashlib.sha256((tmp_path / "t.webm").read_bytes()).hexdigest()

    with av.open(str(tmp_path / "t.webm")) as container:
        video = [p for p in container.demux(video=0) if p.size]
    times = [float(p.pts * p.time_base) for p in video if p.pts is not None]
    # Of the first source only frame 30, its next keyframe (at t=2 s), is kept; then all 30
    # of the second source, which starts where the wall clock is, not at 0.
    assert len(times) == 1 + 30
    assert 1.9 < times[0] < 2.1
    assert 2.9 < times[1] < 3.1
    assert times == sorted(times)


async def test_nothing_recorded_means_no_result(tmp_path: Path) -> None:
    recording = CallRecording(tmp_path / "none.webm")
    assert await recording.close() is None
    assert not (tmp_path / "none.webm").exists()


async def test_a_call_shorter_than_the_header_wait_is_kept(tmp_path: Path) -> None:
    recording = CallRecording(tmp_path / "short.webm")
    audio = Source("audio", ReceiveCounters())
    recording.inputs["citizen.audio"].attach(audio)
    for i in range(10):
        audio.push(audio_frame(i, opus_frames()))
    result = await recording.close()
    assert result is not None and result.size > 0
    assert count_frames(tmp_path / "short.webm", "audio") == 10


def test_vp8_size_from_a_keyframe() -> None:
    frames = vp8_frames()
    assert vp8_size(frames[0]) == (320, 240)
    assert vp8_size(frames[1]) is None  # a delta frame carries no size
    assert vp8_size(b"") is None


def test_muxing_cost_per_packet(tmp_path: Path) -> None:
    """A budget, not a benchmark: remuxing must stay far below a frame interval."""
    recording = CallRecording(tmp_path / "cost.webm", clock=time.monotonic)
    video = Source("video", ReceiveCounters())
    recording.inputs["citizen.video"].attach(video)
    data = vp8_frames()
    video.push(video_frame(0, data))
    started = time.process_time()
    for i in range(1, 300):
        video.push(video_frame(i, data))
    per_packet = (time.process_time() - started) / 299
    asyncio.run(recording.close())
    assert per_packet < 0.001, f"{per_packet * 1e6:.0f} µs a packet"
    assert os.path.getsize(tmp_path / "cost.webm") > 0

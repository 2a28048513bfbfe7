"""Records synthetic media in real time until killed (the kill -9 test runs it as a child).

    python -m tests.recordings.record_forever PATH

Prints ``frames N`` after each second, so the test knows how much was recorded.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from media.forward import ReceiveCounters, Source
from media.recording import CallRecording
from tests.recordings.synthetic import audio_frame, opus_frames, video_frame, vp8_frames


async def record(path: Path) -> None:
    recording = CallRecording(path)
    video, audio = Source("video", ReceiveCounters()), Source("audio", ReceiveCounters())
    recording.inputs["citizen.video"].attach(video)
    recording.inputs["citizen.audio"].attach(audio)
    video_data, audio_data = vp8_frames(), opus_frames()
    start = time.monotonic()
    sent_video = sent_audio = 0
    while True:
        now = time.monotonic() - start
        while sent_audio <= now * 50:
            audio.push(audio_frame(sent_audio, audio_data))
            sent_audio += 1
        while sent_video <= now * 30:
            video.push(video_frame(sent_video, video_data))
            sent_video += 1
            if sent_video % 30 == 0:
                print(f"frames {sent_video}", flush=True)
        await asyncio.sleep(0.005)


if __name__ == "__main__":
    asyncio.run(record(Path(sys.argv[1])))

"""Audio input: files, bytes, raw PCM at any rate; bad input gets a clear error."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np
import pytest

from ctxasr.asr.audio import SAMPLE_RATE, AudioError, load_audio, pcm_to_wav


def _tone(rate: int, seconds: float = 0.5) -> bytes:
    t = np.arange(int(rate * seconds)) / rate
    return (np.sin(2 * np.pi * 440 * t) * 8000).astype("<i2").tobytes()


def test_raw_pcm_at_8khz_is_resampled_to_16khz() -> None:
    audio = load_audio(_tone(8_000), pcm_rate=8_000)
    assert audio.dtype == np.float32
    assert abs(audio.shape[0] - SAMPLE_RATE // 2) < 200


def test_wav_file_and_wav_bytes(tmp_path: Path) -> None:
    path = tmp_path / "tone.wav"
    path.write_bytes(pcm_to_wav(_tone(44_100), 44_100))
    from_file, from_bytes = load_audio(path), load_audio(path.read_bytes())
    assert from_file.shape == from_bytes.shape
    assert abs(from_file.shape[0] - SAMPLE_RATE // 2) < 200


def test_stereo_is_mixed_down(tmp_path: Path) -> None:
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(16_000)
        wav.writeframes(np.zeros(3200, dtype="<i2").tobytes())
    assert load_audio(out.getvalue()).shape == (1600,)


@pytest.mark.parametrize(
    ("source", "rate", "message"),
    [
        (b"", None, "empty"),
        (b"this is not audio at all" * 10, None, "not decodable"),
        (b"\x00\x01\x02", 16_000, "even number"),
        (b"\x00\x00", 1_000, "out of range"),
        ("/nonexistent/file.wav", None, "does not exist"),
    ],
)
def test_bad_audio(source: bytes | str, rate: int | None, message: str) -> None:
    with pytest.raises(AudioError, match=message):
        load_audio(source, pcm_rate=rate)


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.wav").write_bytes(b"")
    with pytest.raises(AudioError, match="empty"):
        load_audio(tmp_path / "empty.wav")

"""Audio input: files, bytes, raw PCM at any rate; bad input gets a clear error."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np
import pytest

from ctxasr.asr.audio import SAMPLE_RATE, AudioError, load_audio, pcm_to_wav, speech_extent_s


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


def _seconds(seconds: float) -> int:
    return int(SAMPLE_RATE * seconds)


def test_the_speech_extent_leaves_out_the_silence_around_it() -> None:
    t = np.arange(_seconds(1.5)) / SAMPLE_RATE
    voice = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    quiet = np.random.default_rng(0).normal(0, 0.001, _seconds(2.0)).astype(np.float32)
    audio = np.concatenate([quiet, voice, quiet])
    assert abs(speech_extent_s(audio) - 1.5) < 0.05


def test_the_speech_extent_of_steady_noise_is_the_whole_recording() -> None:
    # Nothing stands out from the floor: the extent never shrinks under what may be speech.
    noise = np.random.default_rng(0).normal(0, 0.1, _seconds(3.0)).astype(np.float32)
    assert speech_extent_s(noise) > 2.9


def test_digital_silence_has_no_speech_extent() -> None:
    assert speech_extent_s(np.zeros(_seconds(1.0), dtype=np.float32)) == 0.0

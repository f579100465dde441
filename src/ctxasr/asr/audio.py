"""Audio in: any file or byte string PyAV reads, or raw 16-bit PCM with its declared rate.

Everything comes out as mono float32 at 16 kHz, the rate Whisper expects.
"""

from __future__ import annotations

import gc
import io
import os
import wave
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import numpy as np
import numpy.typing as npt

from ctxasr.errors import InvalidInputError

if TYPE_CHECKING:
    import av

SAMPLE_RATE = 16_000
Audio = npt.NDArray[np.float32]


class AudioError(InvalidInputError):
    """The input is not usable audio: missing, empty, corrupt or of an unknown format."""


AudioSource = str | os.PathLike[str] | bytes | BinaryIO


def load_audio(source: AudioSource, pcm_rate: int | None = None) -> Audio:
    """Decode ``source``; with ``pcm_rate``, ``source`` is raw 16-bit little-endian mono PCM."""
    if pcm_rate is not None:
        if not isinstance(source, bytes):
            raise AudioError("raw PCM must be given as bytes")
        source = pcm_to_wav(source, pcm_rate)
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise AudioError(f"audio file {path} does not exist")
        if path.stat().st_size == 0:
            raise AudioError(f"audio file {path} is empty")
        return _decode(str(path), what=str(path))
    if isinstance(source, bytes):
        if not source:
            raise AudioError("audio is empty")
        return _decode(io.BytesIO(source), what="uploaded audio")
    return _decode(source, what="audio stream")


def pcm_to_wav(pcm: bytes, rate: int) -> bytes:
    """Wrap raw 16-bit mono PCM in a WAV container."""
    if not 4_000 <= rate <= 192_000:
        raise AudioError(f"PCM sample rate {rate} Hz is out of range (4000-192000)")
    if not pcm:
        raise AudioError("audio is empty")
    if len(pcm) % 2:
        raise AudioError("raw PCM must be 16-bit samples (an even number of bytes)")
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm)
    return out.getvalue()


def _decode(source: str | BinaryIO, what: str) -> Audio:
    import av  # noqa: PLC0415  (heavy; only the recognizer needs it)

    try:
        pcm = _decode_pcm16(source)
    except (av.error.FFmpegError, ValueError, IndexError, StopIteration) as exc:
        raise AudioError(f"{what} is not decodable audio: {exc}") from exc
    if pcm.size == 0:
        raise AudioError(f"{what} holds no audio samples")
    return pcm.astype(np.float32) / 32768.0


def _decode_pcm16(source: str | BinaryIO) -> npt.NDArray[np.int16]:
    """Mono 16-bit samples at 16 kHz, through PyAV's resampler.

    Like faster-whisper's ``decode_audio``, but its full ``gc.collect()`` (which frees the
    resampler's reference cycles) cost about 450 ms per request in the service's large heap;
    the cycles are young, so collecting the two young generations frees them as well.
    """
    import av  # noqa: PLC0415

    resampler = av.audio.resampler.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
    parts: list[npt.NDArray[np.int16]] = []
    with av.open(source, mode="r", metadata_errors="ignore") as container:
        for frame in container.decode(audio=0):
            parts.extend(_samples(out) for out in resampler.resample(frame))
        parts.extend(_samples(out) for out in resampler.resample(None))
    del resampler
    gc.collect(1)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)


def _samples(frame: av.AudioFrame) -> npt.NDArray[np.int16]:
    return np.asarray(frame.to_ndarray(), dtype=np.int16).reshape(-1)


def duration_s(audio: Audio) -> float:
    return float(audio.shape[0]) / SAMPLE_RATE


_FRAME_S = 0.02  # loudness frames of 20 ms
_PEAK_RANGE_DB = 30.0  # a frame this far under the loudest is quiet ...
_FLOOR_GAIN_DB = 12.0  # ... and so is one less than this over the recording's noise floor


def speech_extent_s(audio: Audio) -> float:
    """Seconds from the first to the last loud frame of ``audio``: the speech with the
    silence before and after it cut off. Loud is within 30 dB of the loudest frame and 12 dB
    over the noise floor (the 10th percentile frame), so in steady noise the extent grows
    toward the whole recording, never shrinks under the speech."""
    frame = int(SAMPLE_RATE * _FRAME_S)
    count = audio.shape[0] // frame
    if count == 0:
        return duration_s(audio)
    frames = audio[: count * frame].astype(np.float64).reshape(count, frame)
    rms = np.sqrt(np.mean(frames**2, axis=1))
    peak = float(rms.max())
    if peak == 0.0:
        return 0.0
    threshold = max(
        peak * 10 ** (-_PEAK_RANGE_DB / 20),
        float(np.percentile(rms, 10)) * 10 ** (_FLOOR_GAIN_DB / 20),
    )
    loud = np.flatnonzero(rms >= threshold)
    if loud.size == 0:  # a steady signal: its floor is its peak
        return duration_s(audio)
    return float(loud[-1] - loud[0] + 1) * _FRAME_S

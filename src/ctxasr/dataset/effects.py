"""Acoustic conditions for dev sets: white noise and background speech at a chosen SNR, and the
telephone band (300-3400 Hz at 8 kHz)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ctxasr.asr.audio import SAMPLE_RATE

Samples = npt.NDArray[np.float32]
TELEPHONE_RATE = 8_000
TELEPHONE_BAND_HZ = (300.0, 3_400.0)


def _power(signal: Samples) -> float:
    return float(np.mean(np.square(signal, dtype=np.float64))) + 1e-12


def mix_at_snr(speech: Samples, noise: Samples, snr_db: float) -> Samples:
    """``speech`` plus ``noise`` (looped or cut to length) scaled to ``snr_db``."""
    if noise.size == 0:
        return speech
    reps = int(np.ceil(speech.size / noise.size))
    noise = np.tile(noise, reps)[: speech.size]
    scale = np.sqrt(_power(speech) / (_power(noise) * 10 ** (snr_db / 10)))
    mixed = speech + scale * noise
    peak = float(np.max(np.abs(mixed))) or 1.0
    return np.asarray(mixed / max(1.0, peak / 0.99), dtype=np.float32)


def white_noise(samples: int, seed: int) -> Samples:
    return np.random.default_rng(seed).normal(0.0, 1.0, samples).astype(np.float32)


def telephone(audio: Samples) -> Samples:
    """Band-limit to 300-3400 Hz and resample 16 kHz → 8 kHz (the band-limit prevents aliasing)."""
    spectrum = np.fft.rfft(audio)
    freqs = np.fft.rfftfreq(audio.size, d=1.0 / SAMPLE_RATE)
    low, high = TELEPHONE_BAND_HZ
    spectrum[(freqs < low) | (freqs > high)] = 0
    band = np.fft.irfft(spectrum, n=audio.size)
    return np.asarray(band[:: SAMPLE_RATE // TELEPHONE_RATE], dtype=np.float32)


def to_pcm16(audio: Samples) -> bytes:
    return (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2").tobytes()

"""Acoustic conditions for dev sets: white noise and background speech at a chosen SNR, room
reverberation of a chosen decay time, and the telephone band (300-3400 Hz at 8 kHz)."""

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


def reverberate(audio: Samples, rt60_ms: float, seed: int) -> Samples:
    """``audio`` as heard in a room whose reverberation decays by 60 dB in ``rt60_ms``: convolved
    with a synthetic impulse response (the direct sound, then exponentially decaying noise from
    5 ms on, the usual statistical model of late reverberation), at the input's peak level."""
    if rt60_ms <= 0 or audio.size == 0:
        return audio
    length = int(SAMPLE_RATE * rt60_ms / 1000)
    t_s = np.arange(length) / SAMPLE_RATE
    decay = np.exp(-6.9 * t_s * 1000 / rt60_ms)  # e^-6.9 = -60 dB at rt60_ms
    tail = np.random.default_rng(seed).normal(0.0, 1.0, length) * decay
    tail[: int(SAMPLE_RATE * 0.005)] = 0.0  # the first reflections arrive after the direct sound
    response = tail / (np.sqrt(np.sum(np.square(tail))) or 1.0)  # late energy equal to direct
    response[0] = 1.0
    size = audio.size + length - 1
    wet = np.fft.irfft(np.fft.rfft(audio, size) * np.fft.rfft(response, size), size)[: audio.size]
    peak_in = float(np.max(np.abs(audio))) or 1.0
    peak_out = float(np.max(np.abs(wet))) or 1.0
    return np.asarray(wet * (peak_in / peak_out), dtype=np.float32)


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

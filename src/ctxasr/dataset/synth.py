"""``ctxasr dataset synth``: dev sets in the dialogue manifest format, voiced and noised.

Texts come from :mod:`ctxasr.dataset.scenarios` (seeded). Each item is spoken by one of several
synthesisers in turn, then gets an acoustic condition (clean, white noise or background speech
at a chosen SNR, room reverberation, or several of them in turn) and, for a share of items, the
telephone band at 8 kHz. The tags record all of it.
"""

from __future__ import annotations

import json
import logging
import random
import tempfile
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ctxasr.asr.audio import SAMPLE_RATE, load_audio
from ctxasr.dataset.effects import (
    TELEPHONE_RATE,
    Samples,
    mix_at_snr,
    reverberate,
    telephone,
    to_pcm16,
    white_noise,
)
from ctxasr.dataset.scenarios import ScenarioWriter, Scripted
from ctxasr.dataset.voices import Voice, VoiceError, make_voice
from ctxasr.errors import ConfigError

logger = logging.getLogger(__name__)

DEFAULT_VOICES = ("piper:joe", "espeak:en-us", "flite:slt")
# Drawn per item: "clean", "white:<snr dB>", "babble:<snr dB>" (background speech),
# "reverb:<rt60 ms>" (a room), or effects joined by "+" and applied in turn ("reverb:400+white:20").
DEFAULT_NOISE = ("clean", "clean", "white:20", "white:10", "babble:10")
_EFFECTS = {"clean", "white", "babble", "reverb"}
BABBLE_TEXTS = (
    "and then we went down to the market to buy some bread and cheese for the weekend",
    "the meeting moved to thursday afternoon so please update the shared calendar",
)


@dataclass(frozen=True)
class SynthOptions:
    out: Path
    size: int = 300
    seed: int = 1
    voices: tuple[str, ...] = DEFAULT_VOICES
    noise: tuple[str, ...] = DEFAULT_NOISE
    telephone_share: float = 0.2  # share of items turned into 8 kHz telephone audio

    def __post_init__(self) -> None:
        if self.size < 1:
            raise ConfigError("size must be positive")
        if not 0 <= self.telephone_share <= 1:
            raise ConfigError("telephone_share must lie in [0, 1]")
        for condition in self.noise:
            for effect in condition.split("+"):
                kind, _, value = effect.partition(":")
                if kind not in _EFFECTS or (kind != "clean" and not _is_float(value)):
                    raise ConfigError(
                        f"noise condition {condition!r}: use clean, white:SNR, babble:SNR, "
                        "reverb:RT60_MS, or several joined by '+'"
                    )


def synth_dataset(options: SynthOptions) -> Path:
    """Write ``manifest.jsonl`` and ``audio/`` under ``options.out``; return the manifest."""
    voices = _available_voices(options.voices)
    (options.out / "audio").mkdir(parents=True, exist_ok=True)
    scripted = ScenarioWriter(options.seed).items(options.size)
    manifest = options.out / "manifest.jsonl"
    with tempfile.TemporaryDirectory() as tmp:
        studio = _Studio(options, Path(tmp), _babble(voices, Path(tmp)))
        with manifest.open("w", encoding="utf-8") as out:
            for n, item in enumerate(scripted):
                row = studio.record(item, voices[n % len(voices)])
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    logger.info("wrote %d items to %s", len(scripted), manifest)
    return manifest


class _Studio:
    """Voices one item at a time and applies its acoustic condition."""

    def __init__(self, options: SynthOptions, tmp: Path, babble: Samples) -> None:
        self.options = options
        self.tmp = tmp
        self.babble = babble

    def record(self, item: Scripted, voice: Voice) -> dict[str, object]:
        raw = self.tmp / f"{item.id}.wav"
        voice.speak(item.reference, raw)
        # Every draw of an item comes from its own stream and before its audio is seen: piper's
        # audio differs run to run, and a length-bounded draw would shift all the later ones.
        rng = random.Random(f"{self.options.seed}:{item.id}")
        condition = rng.choice(self.options.noise)
        by_telephone = rng.random() < self.options.telephone_share
        audio = self._noised(load_audio(raw), condition, position=rng.random())
        rate = SAMPLE_RATE
        if by_telephone:
            audio, rate = telephone(audio), TELEPHONE_RATE
        path = self.options.out / "audio" / f"{item.id}.wav"
        _write_wav(path, audio, rate)
        return {
            "id": item.id,
            "audio": f"audio/{path.name}",
            "reference": item.reference,
            "entities": list(item.entities),
            "context": item.context,
            "tags": [*item.tags, f"voice={voice.name}", f"noise={condition}", f"rate={rate}"],
        }

    def _noised(self, audio: Samples, condition: str, position: float) -> Samples:
        """``audio`` in ``condition``, its effects in turn; ``position`` in [0, 1) picks the
        noise (the white noise's and the room's seed, or where in the babble the item starts)."""
        seed = int(position * 2**31)
        for effect in condition.split("+"):
            kind, _, value = effect.partition(":")
            if kind == "white":
                audio = mix_at_snr(audio, white_noise(audio.size, seed), float(value))
            elif kind == "babble":
                offset = int(position * max(1, self.babble.size - audio.size))
                audio = mix_at_snr(audio, self.babble[offset:], float(value))
            elif kind == "reverb":
                audio = reverberate(audio, float(value), seed)
        return audio


def _available_voices(names: tuple[str, ...]) -> list[Voice]:
    voices = []
    for name in names:
        try:
            voices.append(make_voice(name))
        except VoiceError as exc:
            logger.warning("voice %s left out: %s", name, exc)
    if not voices:
        raise VoiceError(f"none of the voices {names} is available")
    return voices


def _babble(voices: list[Voice], tmp: Path) -> Samples:
    """Background speech: several sentences by the first voice, joined and summed in pairs."""
    import numpy as np  # noqa: PLC0415

    clips = []
    for n, text in enumerate(BABBLE_TEXTS):
        path = tmp / f"babble{n}.wav"
        voices[-1].speak(text, path)
        clips.append(load_audio(path))
    joined = np.concatenate(clips)
    return (joined + np.roll(joined, joined.size // 3)).astype(np.float32)


def _write_wav(path: Path, audio: Samples, rate: int) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(to_pcm16(audio))


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def iter_manifest_ids(manifest: Path) -> Iterator[str]:
    for line in manifest.read_text(encoding="utf-8").splitlines():
        if line.strip():
            yield str(json.loads(line)["id"])

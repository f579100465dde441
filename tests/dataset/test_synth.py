"""The data set studio: each item's acoustic condition is fixed by the seed and its id."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from ctxasr.cli import main
from ctxasr.dataset.scenarios import ScenarioWriter
from ctxasr.dataset.synth import DEFAULT_NOISE, DEFAULT_VOICES, SynthOptions, _Studio
from ctxasr.dataset.voices import make_voice
from ctxasr.errors import ConfigError


class VaryingVoice:
    """A voice whose audio length changes from call to call, as piper's does."""

    name = "varying"

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)

    def speak(self, text: str, wav_path: Path) -> None:
        samples = int(self.rng.integers(4_000, 200_000))
        pcm = (self.rng.normal(0, 3_000, samples)).astype(np.int16)
        with wave.open(str(wav_path), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(16_000)
            wav.writeframes(pcm.tobytes())


def _conditions(tmp: Path, voice_seed: int) -> list[list[str]]:
    options = SynthOptions(
        out=tmp / f"out{voice_seed}",
        seed=5,
        noise=("clean", "white:10", "babble:10"),
        telephone_share=0.5,
    )
    (options.out / "audio").mkdir(parents=True)
    babble = np.random.default_rng(0).normal(0, 0.1, 16_000 * 20).astype(np.float32)
    studio = _Studio(options, tmp, babble)
    voice = VaryingVoice(voice_seed)
    rows = [studio.record(item, voice) for item in ScenarioWriter(5).items(24)]
    return [[t for t in row["tags"] if t.startswith(("noise=", "rate="))] for row in rows]


def test_an_items_condition_does_not_depend_on_the_audio_before_it(tmp_path: Path) -> None:
    first, second = _conditions(tmp_path, 1), _conditions(tmp_path, 2)
    assert first == second
    assert len({tuple(tags) for tags in first}) > 1  # the conditions do vary across items


def test_a_condition_chains_reverberation_and_noise(tmp_path: Path) -> None:
    options = SynthOptions(out=tmp_path, noise=("reverb:400+white:20",))
    babble = np.zeros(16_000, dtype=np.float32)
    studio = _Studio(options, tmp_path, babble)
    click = np.zeros(16_000, dtype=np.float32)
    click[100] = 0.5
    wet = studio._noised(click, "reverb:400", position=0.25)
    # the room's tail follows the click and dies away within its decay time
    assert float(np.max(np.abs(wet))) == pytest.approx(0.5, rel=1e-3)
    assert float(np.sum(np.square(wet[200:2_000]))) > 1e-3
    assert float(np.sum(np.square(wet[100 + 7_000 :]))) < 1e-6
    both = studio._noised(click, "reverb:400+white:20", position=0.25)
    assert float(np.sum(np.square(both[12_000:]))) > 1e-4  # the noise comes on top, everywhere


@pytest.mark.parametrize("condition", ["reverb", "reverb:x", "room:300", "clean+echo:3"])
def test_a_malformed_condition_is_refused(tmp_path: Path, condition: str) -> None:
    with pytest.raises(ConfigError, match="noise condition"):
        SynthOptions(out=tmp_path, noise=(condition,))


@pytest.mark.parametrize("name", ["piper:joe@fast", "piper:joe@9"])
def test_a_malformed_piper_pace_is_refused(name: str) -> None:
    with pytest.raises(ConfigError, match="length scale"):
        make_voice(name)


def test_the_cli_keeps_the_default_voices_and_noise_unless_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[SynthOptions] = []

    def fake_synth(options: SynthOptions) -> Path:
        seen.append(options)
        return options.out / "manifest.jsonl"

    monkeypatch.setattr("ctxasr.dataset.synth.synth_dataset", fake_synth)
    assert main(["dataset", "synth", "--out", str(tmp_path)]) == 0
    assert (
        main(["dataset", "synth", "--out", str(tmp_path), "--voices", "flite:slt, piper:joe"]) == 0
    )
    assert (seen[0].voices, seen[0].noise) == (DEFAULT_VOICES, DEFAULT_NOISE)
    assert (seen[1].voices, seen[1].noise) == (("flite:slt", "piper:joe"), DEFAULT_NOISE)

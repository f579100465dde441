"""End to end on real synthesised speech (piper) with the bundled Whisper tiny.en."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from ctxasr.asr import Recognizer, RecognizerOptions, load_audio
from ctxasr.asr.audio import SAMPLE_RATE
from ctxasr.asr.bias import BiasOptions
from ctxasr.cli import main
from ctxasr.context import DialogueContext
from ctxasr.dataset.scenarios import Resources
from ctxasr.dataset.voices import PiperVoice
from ctxasr.text import normalize, words
from tests.conftest import Speech

MEG = DialogueContext.from_json(
    {
        "turns": [
            {"role": "user", "text": "Call Meg."},
            {"role": "assistant", "text": "Do you mean Meg Jones or Meg Bauer?"},
        ],
        "catalogs": {
            "contacts": ["Meg Jones", "Meg Bauer", "Siobhan Okafor", "Liam Okafor"],
            "devices": ["Lava Lamp", "Porch Sconce"],
        },
    }
)
PHONETIC = DialogueContext.from_json(
    {
        "turns": [{"role": "assistant", "text": "Spell the code word, please."}],
        "catalogs": {"phonetic": ["Alfa", "Bravo", "Charlie", "Juliett"]},
    }
)


def test_bauer_after_the_meg_question(recognizer: Recognizer, speech: Speech) -> None:
    result = recognizer.recognize(speech.wav("Bauer."), MEG)
    assert words(result.text) == ["bauer"]
    assert result.context_used
    assert [(e.catalog, e.phrase) for e in result.entities] == [("contacts", "Bauer")]


def test_power_stays_power_with_bauer_in_context(recognizer: Recognizer, speech: Speech) -> None:
    result = recognizer.recognize(speech.wav("Turn the power off."), MEG)
    assert words(result.text) == ["turn", "the", "power", "off"]
    assert result.entities == ()


def test_a_surname_between_answer_fillers_is_a_short_answer(
    recognizer: Recognizer, speech: Speech
) -> None:
    # Plain Whisper hears "the Galaxy One."; while a part had to stand at an edge of the
    # answer ("the one with Kowalczyk"), the guard refused the biased pass's surname here.
    context = DialogueContext.from_json(
        {
            "turns": [
                {"role": "user", "text": "Call Hana."},
                {"role": "assistant", "text": "Do you mean Hana Nguyen or Hana Kowalczyk?"},
            ],
            "catalogs": {"contacts": ["Hana Nguyen", "Hana Kowalczyk", "Siobhan Okafor"]},
        }
    )
    result = recognizer.recognize(speech.wav("The Kowalczyk one."), context)
    assert words(result.text) == ["the", "kowalczyk", "one"]
    assert [e.phrase for e in result.entities] == ["Kowalczyk"]


ESI = DialogueContext.from_json(
    {
        "turns": [
            {"role": "user", "text": "Call Esi."},
            {"role": "assistant", "text": "Which Esi: Esi Jones or Esi Steele?"},
        ],
        "catalogs": {"contacts": ["Esi Jones", "Esi Steele"]},
    }
)


def test_an_unrelated_question_keeps_the_option_out(recognizer: Recognizer, speech: Speech) -> None:
    # With the answer check off, the prompted decoder makes this "Esi Steele stronger than
    # iron." (measured); "stronger" and "iron" show it is no reply to "Which Esi?".
    result = recognizer.recognize(speech.wav("Is steel stronger than iron?"), ESI)
    assert result.entities == ()
    assert "iron" in words(result.text)
    reply = recognizer.recognize(speech.wav("Esi Steele, please."), ESI)
    assert [e.phrase for e in reply.entities] == ["Esi Steele"]


def test_context_recovers_a_name_plain_whisper_misses(
    recognizer: Recognizer, speech: Speech
) -> None:
    wav = speech.wav("Siobhan Okafor.")
    plain = recognizer.recognize(wav)
    contextual = recognizer.recognize(wav, MEG)
    assert "siobhan okafor" not in normalize(plain.text)  # the failure context must fix
    assert normalize(contextual.text) == "siobhan okafor"
    assert contextual.unbiased_text == plain.text


SCREEN = DialogueContext.from_json(
    {
        "turns": [
            {"role": "user", "text": "Show me some movies."},
            {"role": "assistant", "text": "Here are a few movies on your screen."},
        ],
        "catalogs": {"screen": ["Oldboy", "Parasite", "Incendies", "Persepolis", "Amelie"]},
    }
)


def test_a_garbled_title_comes_back_in_its_request_frame(
    recognizer: Recognizer, tmp_path: Path
) -> None:
    """Piper at pace 1.25 says "Open Incendies." and tiny.en hears "Open and send these."
    with and without the prompt; the entries read after "Open" let the audio choose. The
    respelling of "and send these" (0.76 alike) brings it back too, on its own (the far-alike
    rule: the prompted decoder loses 5-6 nats on the name, the audio next to none)."""
    wav = tmp_path / "incendies.wav"
    PiperVoice(length_scale=1.25, variation=False).speak("Open Incendies.", wav)
    result = recognizer.recognize(wav, SCREEN)
    assert words(result.text) == ["open", "incendies"]
    assert [(e.catalog, e.phrase) for e in result.entities] == [("screen", "Incendies")]

    def heard_with(options: BiasOptions) -> list[str]:
        other = Recognizer(RecognizerOptions(bias=options), engine=recognizer.engine)
        return words(other.recognize(wav, SCREEN).text)

    assert "incendies" in heard_with(BiasOptions(frame_entry_limit=None))
    assert "incendies" in heard_with(BiasOptions(alike_loss=None))
    # Neither: the failure both fix.
    assert "incendies" not in heard_with(BiasOptions(frame_entry_limit=None, alike_loss=None))


def test_a_name_in_a_large_address_book_is_found_after_its_request_frame(
    recognizer: Recognizer, tmp_path: Path
) -> None:
    """Piper at pace 1.25 says "Message Lukas Chaudhry." and tiny.en hears "Message Lucas
    Shower." with and without the prompt; among 2,400 contacts, the search after "Message"
    finds the name and the audio singles it out. A reply of its own keeps its words."""
    book = DialogueContext.from_json(
        {"turns": [], "catalogs": {"contacts": Resources.load().full_names()}}
    )
    voice = PiperVoice(length_scale=1.25, variation=False)
    wav, reply = tmp_path / "lukas.wav", tmp_path / "volume.wav"
    voice.speak("Message Lukas Chaudhry.", wav)
    voice.speak("Turn the volume down.", reply)
    result = recognizer.recognize(wav, book)
    assert words(result.text) == ["message", "lukas", "chaudhry"]
    unsearched = RecognizerOptions(bias=BiasOptions(frame_search_beam=0))
    without = Recognizer(unsearched, engine=recognizer.engine).recognize(wav, book)
    assert "chaudhry" not in words(without.text)  # the failure the search fixes
    assert words(recognizer.recognize(reply, book).text) == ["turn", "the", "volume", "down"]


def test_catalog_spelling_of_a_homophone(recognizer: Recognizer, speech: Speech) -> None:
    result = recognizer.recognize(speech.wav("Alfa."), PHONETIC)
    assert words(result.text) == ["alfa"]


def test_silence_is_empty_and_names_no_entity(recognizer: Recognizer) -> None:
    result = recognizer.recognize(np.zeros(SAMPLE_RATE * 2, dtype=np.float32), MEG)
    assert result.text == ""
    assert result.entities == ()
    # The biased pass may overrule Whisper's no-speech rule only on clear speech: never on
    # noise, quiet or loud.
    for level in (0.003, 0.03, 0.1):
        noise = np.random.default_rng(0).normal(0, level, SAMPLE_RATE * 2).astype(np.float32)
        assert recognizer.recognize(noise, MEG).entities == ()


def test_telephone_band_8khz_pcm(recognizer: Recognizer, speech: Speech) -> None:
    audio = load_audio(speech.wav("Meg Bauer."))
    pcm_8k = (audio[::2] * 32767).astype("<i2").tobytes()  # naive decimation: telephone-ish
    result = recognizer.recognize(pcm_8k, MEG, pcm_rate=8_000)
    assert "bauer" in words(result.text)


def test_audio_longer_than_30_seconds(recognizer: Recognizer, speech: Speech) -> None:
    first = load_audio(speech.wav("Call Meg."))
    second = load_audio(speech.wav("Turn the power off."))
    gap = np.zeros(SAMPLE_RATE * 31, dtype=np.float32)
    result = recognizer.recognize(np.concatenate([first, gap, second]))
    assert "call" in words(result.text) and "power" in words(result.text)


def test_threads_get_the_same_results(recognizer: Recognizer, speech: Speech) -> None:
    texts = ["Bauer.", "Turn the power off.", "Siobhan Okafor."]
    wavs = [speech.wav(t) for t in texts]
    alone = [recognizer.recognize(w, MEG).text for w in wavs]
    with ThreadPoolExecutor(max_workers=3) as pool:
        together = list(pool.map(lambda w: recognizer.recognize(w, MEG).text, wavs))
    assert together == alone


def test_cli_transcribe_with_context(
    speech: Speech, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    context = tmp_path / "context.json"
    context.write_text(json.dumps({"catalogs": {"contacts": ["Siobhan Okafor"]}}))
    assert (
        main(
            ["transcribe", str(speech.wav("Siobhan Okafor.")), "--context", str(context), "--json"]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert normalize(out["text"]) == "siobhan okafor"
    assert out["context_used"] is True
    assert out["entities"][0]["phrase"] == "Siobhan Okafor"
    assert set(out["timings_ms"]) >= {"encode_ms", "biased_decode_ms", "total_ms"}


def test_cli_bad_input_exits_non_zero(tmp_path: Path) -> None:
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"not audio" * 50)
    proc = subprocess.run(
        [sys.executable, "-m", "ctxasr.cli", "transcribe", str(junk)],
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "not decodable audio" in proc.stderr
    bad_context = tmp_path / "bad.json"
    bad_context.write_text(json.dumps({"catalogs": {"contacts": []}}))
    assert main(["transcribe", str(junk), "--context", str(bad_context)]) == 1


def test_a_sentence_of_an_entry_s_homophones_keeps_its_words(
    recognizer: Recognizer, speech: Speech
) -> None:
    context = DialogueContext.from_json(
        {
            "turns": [{"role": "assistant", "text": "Who should I send it to?"}],
            "catalogs": {"contacts": ["Will Wright", "Rose Knight", "Meg Bauer"]},
        }
    )
    said = recognizer.recognize(speech.wav("I will write to you tomorrow."), context)
    assert words(said.text) == ["i", "will", "write", "to", "you", "tomorrow"]
    asked = recognizer.recognize(speech.wav("Message will write."), context)
    assert words(asked.text) == ["message", "will", "wright"]


def test_a_word_heard_for_sure_stays_after_a_listing(
    recognizer: Recognizer, tmp_path: Path
) -> None:
    """Piper at pace 0.8 says "Stop." after the assistant listed "Stumptown": every hypothesis
    of the unbiased n-best heard "Stop.", and the audio, its language prior taken out, loses
    far more than the lead rule allows on "Stumptown." (the code before read it so)."""
    nearby = DialogueContext.from_json(
        {
            "turns": [
                {"role": "user", "text": "Any coffee nearby?"},
                {
                    "role": "assistant",
                    "text": "Nearby there are Philz Coffee, Stumptown and Four Barrel.",
                },
            ],
            "catalogs": {
                "places": [
                    "Philz Coffee",
                    "Stumptown",
                    "Four Barrel",
                    "Blue Bottle Coffee",
                    "Verve Coffee",
                    "Ritual Coffee Roasters",
                    "Sightglass",
                    "Intelligentsia",
                    "Equator Coffees",
                    "Andytown",
                ]
            },
        }
    )
    wav = tmp_path / "stop.wav"
    PiperVoice(length_scale=0.8, variation=False).speak("Stop.", wav)
    result = recognizer.recognize(wav, nearby)
    assert words(result.text) == ["stop"]
    assert result.entities == ()

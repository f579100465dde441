"""The PyTorch twin of Whisper's decoder: same weights file, same answers as CTranslate2."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ctxasr.asr import Recognizer, load_audio
from ctxasr.asr.engine import DecodeOptions
from ctxasr.asr.models import ModelError
from ctxasr.asr.torch_decoder import read_decoder_weights
from ctxasr.asr.trie import EntryTrie, PhraseTrie, TrieOptions
from ctxasr.text import normalize
from tests.conftest import Speech


def test_weights_come_from_the_ctranslate2_file(recognizer: Recognizer) -> None:
    weights = read_decoder_weights(recognizer.engine.model_path / "model.bin")
    vocab, width = weights["embeddings/weight"].shape
    assert (vocab, width) == (51864, 384)  # tiny.en
    assert weights["layer_0/self_attention/linear_0/weight"].shape == (3 * width, width)


def test_a_corrupt_weights_file_is_a_model_error(tmp_path: Path) -> None:
    bad = tmp_path / "model.bin"
    bad.write_bytes(b"\x06\x00\x00\x00garbage")
    with pytest.raises(ModelError, match="cannot read"):
        read_decoder_weights(bad)


@pytest.mark.parametrize("text", ["Turn the power off.", "Call Siobhan Okafor."])
def test_unbiased_search_agrees_with_ctranslate2(
    recognizer: Recognizer, speech: Speech, text: str
) -> None:
    engine = recognizer.engine
    (chunk,) = engine.encode(load_audio(speech.wav(text)))
    options = DecodeOptions(beam_size=5, num_hypotheses=1)
    empty = PhraseTrie([], engine.tokenize)
    ours = engine.decode_biased(chunk, options, (), empty)
    theirs = engine.decode(chunk, options)
    assert normalize(ours.best.text) == normalize(theirs.best.text)


def test_the_trie_spells_a_name_the_plain_search_misses(
    recognizer: Recognizer, speech: Speech
) -> None:
    engine = recognizer.engine
    (chunk,) = engine.encode(load_audio(speech.wav("Call Siobhan Okafor.")))
    options = DecodeOptions(beam_size=5, num_hypotheses=5)
    plain = engine.decode_biased(chunk, options, (), PhraseTrie([], engine.tokenize))
    assert "siobhan" not in normalize(plain.best.text)
    names = ["Siobhan Okafor", "Liam Okafor", "Meg Bauer"]
    strong = TrieOptions(bonus_per_token=4.0, max_phrase_bonus=16.0)  # no prompt to help here
    biased = engine.decode_biased(chunk, options, (), PhraseTrie(names, engine.tokenize, strong))
    assert "siobhan okafor" in normalize(biased.best.text)


def test_recognizer_with_token_bias_answers_the_meg_question(speech: Speech) -> None:
    """The whole path: plan -> trie of its phrases -> PyTorch search -> guard -> text."""
    from ctxasr.asr import RecognizerOptions
    from ctxasr.asr.recognizer import trie_phrases
    from ctxasr.context import DialogueContext

    context = DialogueContext.from_json(
        {
            "turns": [{"role": "assistant", "text": "Do you mean Meg Jones or Meg Bauer?"}],
            "catalogs": {"contacts": ["Meg Jones", "Meg Bauer", "Siobhan Okafor"]},
        }
    )
    recognizer = Recognizer(RecognizerOptions(trie=TrieOptions()))
    plan = recognizer.plan(context)
    assert {"Meg Bauer", "Bauer", "Jones"} <= set(trie_phrases(plan))  # parts of named options
    bauer = recognizer.recognize(speech.wav("Bauer."), plan)
    assert normalize(bauer.text) == "bauer"
    power = recognizer.recognize(speech.wav("Turn the power off."), plan)
    assert normalize(power.text) == "turn the power off"


def test_scoring_a_reading_gives_the_search_its_own_log_probability(
    recognizer: Recognizer, speech: Speech
) -> None:
    """Teacher forcing (the spell check) and the beam search are the same model."""
    engine = recognizer.engine
    decoder = engine.torch_decoder()
    (chunk,) = engine.encode(load_audio(speech.wav("Call Siobhan Okafor.")))
    prefix = engine._prefix(DecodeOptions(), engine.tokenize(" Siobhan Okafor, Liam Okafor"))
    encoder_output = np.asarray(chunk.encoder_output)
    found = decoder.beam_search(encoder_output, prefix, None, beam_size=3, num_hypotheses=3)
    eot = engine.tokenizer.eot
    readings = [[*h.tokens, eot] for h in found]
    (state,) = decoder.prefix_states(encoder_output, [prefix])
    together = decoder.score(state, readings)  # sharing their common start
    alone = [decoder.score(state, [r])[0] for r in readings]
    # int8 dynamic quantisation scales activations per batch, so the batch a reading is run
    # in moves its score a little (a tenth of a nat or two over a whole reading).
    for hypothesis, joint, single in zip(found, together, alone, strict=True):
        assert joint == pytest.approx(hypothesis.logprob, abs=0.25)
        assert single == pytest.approx(hypothesis.logprob, abs=0.25)
        assert joint == pytest.approx(single, abs=0.25)


def test_the_scorer_prefers_the_words_that_were_said(
    recognizer: Recognizer, speech: Speech
) -> None:
    engine = recognizer.engine
    (chunk,) = engine.encode(load_audio(speech.wav("Turn the power off.")))
    scorer = engine.reading_scorer(chunk, engine.tokenize(" Meg Jones or Meg Bauer?"))
    said, other, unrelated = scorer.score(
        ["Turn the power off.", "Turn the tower off.", "Call Siobhan Okafor."]
    )
    assert said > other > unrelated


def test_the_scorer_also_reads_without_the_context_prompt(
    recognizer: Recognizer, speech: Speech
) -> None:
    """The contest's second opinion: the prompt naming Meg Bauer lifts "Bauer." over "Power."
    far more than the same decoder given no prompt does."""
    engine = recognizer.engine
    (chunk,) = engine.encode(load_audio(speech.wav("Bauer.")))
    scorer = engine.reading_scorer(chunk, engine.tokenize(" Do you mean Meg Jones or Meg Bauer?"))
    bauer, power = scorer.score(["Bauer.", "Power."])
    plain_bauer, plain_power = scorer.score(["Bauer.", "Power."], prompted=False)
    assert (bauer - power) - (plain_bauer - plain_power) > 2.0


def test_the_scorer_reads_the_language_prior_without_any_audio(
    recognizer: Recognizer, speech: Speech
) -> None:
    """With no audio the decoder is a language model: it prefers common words whatever was
    said, and the same readings score the same over any window."""
    engine = recognizer.engine
    (bauer,) = engine.encode(load_audio(speech.wav("Bauer.")))
    (power,) = engine.encode(load_audio(speech.wav("Turn the power off.")))
    readings = ["Turn the power off.", "Turn the Bauer off."]
    prompt = engine.tokenize(" Do you mean Meg Jones or Meg Bauer?")
    common, rare = engine.reading_scorer(bauer, prompt).score_unheard(readings)
    assert common > rare
    assert engine.reading_scorer(power, ()).score_unheard(readings) == [common, rare]
    # The audio moves the plain scores, not the prior.
    heard = engine.reading_scorer(power, ()).score(readings, prompted=False)
    assert heard[0] - heard[1] > common - rare


def test_recognition_runs_without_the_spell_check_when_the_decoder_cannot_load(
    recognizer: Recognizer, speech: Speech, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user's int8-quantised model has no float decoder weights: the spell check is skipped
    (best effort), recognition still answers, and the model file is not re-read every time."""
    from ctxasr.context import DialogueContext

    engine = recognizer.engine
    attempts = []

    def cannot_load() -> None:
        attempts.append(1)
        raise ModelError("no float decoder weights")

    monkeypatch.setattr(engine, "_torch_decoder", None)
    monkeypatch.setattr(engine, "_torch_error", None)
    monkeypatch.setattr(engine, "_load_torch_decoder", cannot_load)
    context = DialogueContext.from_json(
        {
            "turns": [{"role": "assistant", "text": "Do you mean Meg Jones or Meg Bauer?"}],
            "catalogs": {"contacts": ["Meg Jones", "Meg Bauer", "Siobhan Okafor"]},
        }
    )
    for text in ("Call Siobhan Okafor.", "Turn the power off."):
        result = recognizer.recognize(speech.wav(text), context)
        assert result.text and result.context_used
    assert len(attempts) == 1


FIRST = ["Meg", "Liam", "Siobhan", "Kenji", "Ingrid", "Thiago", "Amara", "Rhys", "Leila", "Omar"]
LAST = ["Okafor", "Bauer", "Jones", "Iwasaki", "Novak", "Dubois", "Castellanos", "Moreau"]


def test_the_entry_search_finds_the_name_said_among_many(
    recognizer: Recognizer, speech: Speech
) -> None:
    """An address book of 80 names, searched after the heard frame "Call": the search's
    log-probabilities are the decoder's own (teacher forcing agrees), and its best entry is
    the best of them all."""
    engine, decoder = recognizer.engine, recognizer.engine.torch_decoder()
    (chunk,) = engine.encode(load_audio(speech.wav("Call Siobhan Okafor.")))
    entries = [f"{first} {last}" for first in FIRST for last in LAST]
    trie = EntryTrie(entries, engine.tokenize)
    scorer = engine.reading_scorer(chunk, ())
    (found,) = scorer.search_entries(["Call"], trie, 4)
    assert found[0] == "Siobhan Okafor" and len(found) == 4
    # Every entry by teacher forcing, after the same frame: the search's best is their best.
    (_, state), frame = scorer._states.result(), engine.tokenize(" Call")
    forced = decoder.score(state, [frame + engine.tokenize(" " + e) for e in entries])
    (frame_only,) = decoder.score(state, [frame])
    best = max(range(len(entries)), key=lambda i: forced[i])
    assert entries[best] == "Siobhan Okafor"
    ranked = decoder.search_entries(state, frame, trie, 4)
    # The int8 projections quantise each batch as a whole: scores move with the batch (about
    # 1 nat at most here); a wrong position or cache would be many nats off.
    for number, logprob in ranked:
        assert logprob == pytest.approx(forced[number] - frame_only, abs=1.5)
    assert [lp for _, lp in ranked] == sorted((lp for _, lp in ranked), reverse=True)
    scorer.close()


def test_the_scorer_reads_a_catalog_s_readings_with_that_catalog_s_own_prompt(
    recognizer: Recognizer, speech: Speech
) -> None:
    engine = recognizer.engine
    (chunk,) = engine.encode(load_audio(speech.wav("Bauer.")))
    everything = engine.tokenize(" Lava Lamp, Porch Sconce, Meg Jones, Meg Bauer.")
    contacts = engine.tokenize(" Meg Jones, Meg Bauer.")
    scorer = engine.reading_scorer(chunk, everything, {"contacts": contacts})
    readings = ["Bauer.", "Power."]
    own = engine.reading_scorer(chunk, contacts).score(readings)
    assert scorer.score(readings, catalog="contacts") == pytest.approx(own, abs=1e-3)
    # Any other catalog, or none, is read with the prompt of every catalog.
    mixed = engine.reading_scorer(chunk, everything).score(readings)
    assert scorer.score(readings, catalog="devices") == pytest.approx(mixed, abs=1e-3)
    assert scorer.score(readings) == pytest.approx(mixed, abs=1e-3)
    assert scorer.score(readings, catalog="contacts") != pytest.approx(mixed, abs=1e-3)


def test_rows_share_the_window_in_cross_attention_with_the_same_numbers() -> None:
    import torch

    from ctxasr.asr.torch_decoder import _cross_attention

    generator = torch.Generator().manual_seed(0)
    queries = torch.randn(12, 6, 7, 64, generator=generator)
    keys, values = (torch.randn(1, 6, 1500, 64, generator=generator) for _ in range(2))
    functional = torch.nn.functional
    copied = functional.scaled_dot_product_attention(
        queries, keys.expand(12, -1, -1, -1), values.expand(12, -1, -1, -1)
    )
    stacked = _cross_attention(functional, queries, keys, values)
    assert stacked.shape == copied.shape
    assert torch.allclose(stacked, copied, atol=1e-6)
    # One query a row (a search step) keeps the per-row product: its numbers would move.
    one = queries[:, :, :1]
    expected = functional.scaled_dot_product_attention(
        one, keys.expand(12, -1, -1, -1), values.expand(12, -1, -1, -1)
    )
    assert torch.equal(_cross_attention(functional, one, keys, values), expected)


def test_a_one_row_prefix_cache_grows_into_every_row() -> None:
    import torch

    from ctxasr.asr.torch_decoder import _grown

    prefix = torch.arange(2 * 3 * 4, dtype=torch.float32).reshape(1, 2, 3, 4)
    new = -torch.ones(5, 2, 2, 4)
    grown = _grown(torch, prefix, new)
    assert grown.shape == (5, 2, 5, 4)
    assert torch.equal(grown, torch.cat([prefix.expand(5, -1, -1, -1), new], 2))
    per_row = torch.arange(5 * 2 * 3 * 4, dtype=torch.float32).reshape(5, 2, 3, 4)
    assert torch.equal(_grown(torch, per_row, new), torch.cat([per_row, new], 2))


def test_readings_scored_together_score_as_each_does_alone(
    recognizer: Recognizer, speech: Speech
) -> None:
    """Batched readings after one prompt score as each does alone (to rounding: the int8
    layers scale a batch by its largest activation)."""
    engine = recognizer.engine
    (chunk,) = engine.encode(load_audio(speech.wav("Call Siobhan Okafor.")))
    decoder = engine.torch_decoder()
    prefix = engine._prefix(DecodeOptions(), engine.tokenize(" Siobhan Okafor, Liam Okafor"))
    (state,) = decoder.prefix_states(np.asarray(chunk.encoder_output), [prefix])
    texts = [" Call Siobhan Okafor.", " Call Liam Okafor.", " Call Shavon of Offer."]
    readings = [[*engine.tokenize(t), engine.tokenizer.eot] for t in texts]
    together = decoder.score(state, readings)
    alone = [decoder.score(state, [r])[0] for r in readings]
    assert np.allclose(together, alone, atol=1.5)
    assert together[0] > together[2]

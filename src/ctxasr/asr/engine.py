"""The Whisper engine: faster-whisper's CTranslate2 model, driven one stage at a time.

``encode`` runs the audio encoder once per 30-second window; ``decode`` runs a beam search over
that encoder output with or without a prompt, so the biased and unbiased passes of the
recognizer share the expensive encoder work. ``transcribe_plain`` is stock faster-whisper, the
baseline every benchmark compares against.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ctxasr.asr.audio import SAMPLE_RATE, Audio, speech_extent_s
from ctxasr.asr.background import Background
from ctxasr.asr.models import DEFAULT_MODEL, ModelError, resolve_model
from ctxasr.asr.torch_decoder import (
    PrefixState,
    SpecialTokens,
    StepBias,
    TorchWhisperDecoder,
    read_decoder_weights,
)
from ctxasr.asr.trie import EntryTrie
from ctxasr.errors import ConfigError

logger = logging.getLogger(__name__)

CHUNK_SAMPLES = 30 * SAMPLE_RATE  # Whisper's window
MIN_CHUNK_SAMPLES = SAMPLE_RATE // 10  # a shorter tail holds no word
MAX_PROMPT_TOKENS = 223  # n_text_ctx // 2 - 1
MAX_LENGTH = 448  # n_text_ctx
HEAD_WIDTH = 64  # every Whisper size has 64-wide attention heads
WINDOW_FRAMES = 1500  # encoder output frames per 30-second window


@dataclass(frozen=True)
class EngineOptions:
    model: str = DEFAULT_MODEL  # "tiny.en", "base", "small" or a CTranslate2 model folder
    compute_type: str = "int8"
    language: str = "en"
    # Threads of the audio encoder (0: all cores), as stock faster-whisper runs it.
    cpu_threads: int = 0
    # A beam search is a chain of small matrix products that a second thread barely speeds up
    # (tiny.en on 2 cores: 59 ms on one thread, 77 on two), so each search runs on
    # decode_threads and decode_workers searches run side by side: the unbiased and biased
    # passes of a window at once. This loads the model a second time (weights only).
    decode_threads: int = 1
    decode_workers: int = 2

    def __post_init__(self) -> None:
        if self.cpu_threads < 0:
            raise ConfigError("cpu_threads must be >= 0")
        if self.decode_threads < 1 or self.decode_workers < 1:
            raise ConfigError("decode_threads and decode_workers must be >= 1")


@dataclass(frozen=True)
class DecodeOptions:
    beam_size: int = 5
    num_hypotheses: int = 1  # n-best size
    max_new_tokens: int = 128
    # Whisper's default mode predicts timestamps; without them decoding is a little faster.
    timestamps: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.num_hypotheses <= self.beam_size:
            raise ConfigError("need 1 <= num_hypotheses <= beam_size")


@dataclass(frozen=True)
class Hypothesis:
    text: str
    score: float  # mean log-probability per token (CTranslate2, length_penalty=1)


@dataclass(frozen=True)
class Decoded:
    hypotheses: tuple[Hypothesis, ...]  # best first
    no_speech_prob: float

    @property
    def best(self) -> Hypothesis:
        return self.hypotheses[0] if self.hypotheses else Hypothesis("", float("-inf"))


@dataclass(frozen=True)
class EncodedChunk:
    encoder_output: Any  # ctranslate2.StorageView, [1, 1500, d_model]
    start_s: float
    duration_s: float
    # The window's speech, first to last loud frame (``audio.speech_extent_s``); None: unknown,
    # taken as the whole window.
    speech_s: float | None = None

    @property
    def speech_or_duration_s(self) -> float:
        return self.duration_s if self.speech_s is None else self.speech_s


class WhisperEngine:
    """One loaded Whisper model; thread-safe (CTranslate2 queues work beyond its workers)."""

    def __init__(self, options: EngineOptions | None = None) -> None:
        from faster_whisper import WhisperModel  # noqa: PLC0415  (heavy import)
        from faster_whisper.tokenizer import Tokenizer  # noqa: PLC0415

        self.options = options or EngineOptions()
        self.model_path = resolve_model(self.options.model)
        self.model = WhisperModel(
            str(self.model_path),
            device="cpu",
            compute_type=self.options.compute_type,
            cpu_threads=self.options.cpu_threads,
        )
        self._searcher = self._load_searcher()
        multilingual = self.model.model.is_multilingual
        self.tokenizer = Tokenizer(
            self.model.hf_tokenizer,
            multilingual,
            task="transcribe",
            language=self.options.language if multilingual else "en",
        )
        self._sot = list(self.tokenizer.sot_sequence)
        self._torch_decoder: TorchWhisperDecoder | None = None
        self._torch_error: ModelError | None = None
        self._torch_lock = threading.Lock()
        self._unheard: PrefixState | None = None  # see unheard_state
        logger.info("loaded Whisper model %s", self.model_path)

    def _load_searcher(self) -> Any:
        """The model that runs beam searches: its own threading (see ``EngineOptions``)."""
        import ctranslate2  # noqa: PLC0415

        options = self.options
        try:
            return ctranslate2.models.Whisper(
                str(self.model_path),
                device="cpu",
                compute_type=options.compute_type,
                intra_threads=options.decode_threads,
                inter_threads=options.decode_workers,
            )
        except (RuntimeError, ValueError) as exc:
            raise ModelError(f"cannot load {self.model_path} for decoding: {exc}") from exc

    @property
    def name(self) -> str:
        return self.options.model

    def tokenize(self, text: str) -> list[int]:
        return list(self.tokenizer.encode(text))

    def encode(self, audio: Audio) -> list[EncodedChunk]:
        """Encoder output for each 30-second window of ``audio``."""
        from faster_whisper.audio import pad_or_trim  # noqa: PLC0415

        chunks = []
        for start in range(0, max(audio.shape[0], 1), CHUNK_SAMPLES):
            window = audio[start : start + CHUNK_SAMPLES]
            if window.shape[0] < MIN_CHUNK_SAMPLES and start > 0:
                break
            features = pad_or_trim(self.model.feature_extractor(window))
            chunks.append(
                EncodedChunk(
                    self.model.encode(features),
                    start / SAMPLE_RATE,
                    window.shape[0] / SAMPLE_RATE,
                    speech_extent_s(window),
                )
            )
        return chunks

    def decode(
        self,
        chunk: EncodedChunk,
        options: DecodeOptions,
        prompt_tokens: Sequence[int] = (),
    ) -> Decoded:
        """Beam search on one window, conditioned on ``prompt_tokens`` (previous text)."""
        prompt = self._prefix(options, prompt_tokens)
        (result,) = self._searcher.generate(
            chunk.encoder_output,
            [prompt],
            beam_size=options.beam_size,
            num_hypotheses=options.num_hypotheses,
            max_length=min(MAX_LENGTH, len(prompt) + options.max_new_tokens),
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=True,
            suppress_tokens=[-1],
        )
        hypotheses = tuple(
            Hypothesis(self._text(ids), float(score))
            for ids, score in zip(result.sequences_ids, result.scores, strict=True)
        )
        return Decoded(hypotheses, float(result.no_speech_prob))

    def decode_biased(
        self,
        chunk: EncodedChunk,
        options: DecodeOptions,
        prompt_tokens: Sequence[int],
        bias: StepBias,
    ) -> Decoded:
        """Beam search whose every step consults ``bias`` (PyTorch decoder, same weights).
        Scores are mean (log-prob + bonus) per token, so the guard weighs a reading as the
        biased search did. The no-speech probability is not computed."""
        decoder = self.torch_decoder()
        found = decoder.beam_search(
            np.asarray(chunk.encoder_output),
            self._prefix(options, prompt_tokens),
            bias,
            beam_size=options.beam_size,
            num_hypotheses=options.num_hypotheses,
            max_new_tokens=options.max_new_tokens,
        )
        hypotheses = tuple(Hypothesis(self._text(h.tokens), h.score) for h in found)
        return Decoded(hypotheses, 0.0)

    def reading_scorer(
        self,
        chunk: EncodedChunk,
        prompt_tokens: Sequence[int],
        catalog_prompts: Mapping[str, Sequence[int]] | None = None,
    ) -> ReadingScorer:
        """A scorer of whole readings of ``chunk``, given ``prompt_tokens``, given each
        catalog's own prompt (``catalog_prompts``, by catalog name), and given no prompt; it
        starts its work at once on a background thread, so that work overlaps whatever the
        caller does next."""
        options = DecodeOptions()
        prompted, plain = self._prefix(options, prompt_tokens), self._prefix(options, ())
        own = {c: self._prefix(options, t) for c, t in (catalog_prompts or {}).items()}
        return ReadingScorer(self, np.asarray(chunk.encoder_output), prompted, plain, own)

    def unheard_state(self) -> PrefixState:
        """The decoder after the plain prefix over no audio at all (an all-zero encoder output):
        what it then believes of a reading is its own language prior. Built once per engine;
        read-only, so threads share it."""
        decoder = self.torch_decoder()
        with self._torch_lock:
            if self._unheard is None:
                silent = np.zeros((1, WINDOW_FRAMES, decoder.width), dtype=np.float32)
                (self._unheard,) = decoder.prefix_states(
                    silent, [self._prefix(DecodeOptions(), ())]
                )
            return self._unheard

    def torch_decoder(self) -> TorchWhisperDecoder:
        """The PyTorch twin of the decoder, loaded on first use. A model it cannot read (an
        int8-quantised ``model.bin``) fails once: later calls raise at once, not re-read it."""
        with self._torch_lock:
            if self._torch_error is not None:
                raise self._torch_error
            if self._torch_decoder is None:
                try:
                    self._torch_decoder = self._load_torch_decoder()
                except ModelError as exc:
                    self._torch_error = exc
                    raise
            return self._torch_decoder

    def _load_torch_decoder(self) -> TorchWhisperDecoder:
        weights = read_decoder_weights(self.model_path / "model.bin")
        config = json.loads((self.model_path / "config.json").read_text())
        special = SpecialTokens(
            eot=self.tokenizer.eot,
            suppress=tuple(config.get("suppress_ids", ())),
            suppress_begin=tuple(config.get("suppress_ids_begin", ())),
        )
        n_heads = weights["embeddings/weight"].shape[1] // HEAD_WIDTH
        return TorchWhisperDecoder(weights, n_heads, special)

    def _prefix(self, options: DecodeOptions, prompt_tokens: Sequence[int]) -> list[int]:
        prompt = (
            list(self._sot) if options.timestamps else [*self._sot, self.tokenizer.no_timestamps]
        )
        if prompt_tokens:
            prompt = [self.tokenizer.sot_prev, *prompt_tokens[-MAX_PROMPT_TOKENS:], *prompt]
        return prompt

    def _text(self, ids: Sequence[int]) -> str:
        return str(self.tokenizer.decode([i for i in ids if i < self.tokenizer.eot])).strip()

    def transcribe_plain(
        self, audio: Audio, beam_size: int = 5, hotwords: str | None = None
    ) -> str:
        """Stock faster-whisper ``transcribe`` (the baseline), optionally with ``hotwords``."""
        segments, _ = self.model.transcribe(
            audio,
            language=self.options.language,
            beam_size=beam_size,
            hotwords=hotwords or None,
        )
        return " ".join(segment.text.strip() for segment in segments).strip()


class ReadingScorer:
    """How much the decoder believes each of several readings of one window, with the context
    prompt and without it: the summed log-probability of its tokens and the end token (teacher
    forcing in the PyTorch decoder; CTranslate2 cannot score a given reading). The passes of
    both prefixes over the window run on a background thread from construction, alongside the
    biased beam search."""

    def __init__(
        self,
        engine: WhisperEngine,
        encoder_output: np.ndarray,
        prompted: list[int],  # prefix with the context prompt
        plain: list[int],  # prefix without it
        own: Mapping[str, list[int]] | None = None,  # catalog -> prefix with its prompt alone
    ):
        self._engine = engine
        self.catalogs = tuple(own or {})  # those with a prompt of their own
        prefixes = [prompted, plain, *(own or {}).values()]
        self._states = Background(self._prefix_states, encoder_output, prefixes)

    def _prefix_states(
        self, encoder_output: np.ndarray, prefixes: list[list[int]]
    ) -> list[PrefixState]:
        return self._engine.torch_decoder().prefix_states(encoder_output, prefixes)

    def close(self) -> None:
        """Waits for the prefix passes if nothing scored: the window's work ends with it, not
        during the next request's (or after the interpreter's exit)."""
        self._states.wait()

    def score(
        self, texts: Sequence[str], prompted: bool = True, catalog: str | None = None
    ) -> list[float]:
        """Log-probabilities (nats) of ``texts``, with the context prompt (``catalog``'s own,
        if the scorer was given one) or without it."""
        try:
            with_prompt, without, *own = self._states.result()
        except Exception as exc:
            raise ModelError(f"cannot score readings: {exc}") from exc
        own_states = dict(zip(self.catalogs, own, strict=True))
        if prompted and catalog in own_states:
            return self._score(own_states[catalog], texts)
        return self._score(with_prompt if prompted else without, texts)

    def score_unheard(self, texts: Sequence[str]) -> list[float]:
        """Log-probabilities (nats) of ``texts`` without the prompt and without the audio: the
        decoder's language prior, which a reading's plain score includes."""
        try:
            state = self._engine.unheard_state()
        except Exception as exc:
            raise ModelError(f"cannot score readings: {exc}") from exc
        return self._score(state, texts)

    def search_entries(
        self, frames: Sequence[str], trie: EntryTrie, beam_size: int
    ) -> list[list[str]]:
        """For each of ``frames`` (the words before the entry, "" for none), the entries of
        ``trie`` the decoder most believes next, without the prompt (which holds only the
        entries retrieval chose): at most ``beam_size``, best first."""
        try:
            _, without, *_ = self._states.result()
        except Exception as exc:
            raise ModelError(f"cannot search entries: {exc}") from exc
        engine, decoder = self._engine, self._engine.torch_decoder()
        found = []
        for frame in frames:
            tokens = engine.tokenize(" " + frame) if frame else []
            ranked = decoder.search_entries(without, tokens, trie, beam_size)
            found.append([trie.entries[number] for number, _ in ranked])
        return found

    def _score(self, state: PrefixState, texts: Sequence[str]) -> list[float]:
        engine = self._engine
        eot = engine.tokenizer.eot
        readings = [[*engine.tokenize(" " + text.strip()), eot] for text in texts]
        return engine.torch_decoder().score(state, readings)

"""The Whisper engine: faster-whisper's CTranslate2 model, driven one stage at a time.

``encode`` runs the audio encoder once per 30-second window; ``decode`` runs a beam search over
that encoder output with or without a prompt, so the biased and unbiased passes of the
recognizer share the expensive encoder work. ``transcribe_plain`` is stock faster-whisper, the
baseline every benchmark compares against.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ctxasr.asr.audio import SAMPLE_RATE, Audio
from ctxasr.asr.models import DEFAULT_MODEL, resolve_model
from ctxasr.errors import ConfigError

logger = logging.getLogger(__name__)

CHUNK_SAMPLES = 30 * SAMPLE_RATE  # Whisper's window
MIN_CHUNK_SAMPLES = SAMPLE_RATE // 10  # a shorter tail holds no word
MAX_PROMPT_TOKENS = 223  # n_text_ctx // 2 - 1
MAX_LENGTH = 448  # n_text_ctx


@dataclass(frozen=True)
class EngineOptions:
    model: str = DEFAULT_MODEL  # "tiny.en", "base", "small" or a CTranslate2 model folder
    compute_type: str = "int8"
    cpu_threads: int = 0  # 0: all cores
    language: str = "en"

    def __post_init__(self) -> None:
        if self.cpu_threads < 0:
            raise ConfigError("cpu_threads must be >= 0")


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


class WhisperEngine:
    """One loaded Whisper model; thread-safe (CTranslate2 serialises its own work)."""

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
        multilingual = self.model.model.is_multilingual
        self.tokenizer = Tokenizer(
            self.model.hf_tokenizer,
            multilingual,
            task="transcribe",
            language=self.options.language if multilingual else "en",
        )
        self._sot = list(self.tokenizer.sot_sequence)
        logger.info("loaded Whisper model %s", self.model_path)

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
        prompt = (
            list(self._sot) if options.timestamps else [*self._sot, self.tokenizer.no_timestamps]
        )
        if prompt_tokens:
            prompt = [self.tokenizer.sot_prev, *prompt_tokens[-MAX_PROMPT_TOKENS:], *prompt]
        (result,) = self.model.model.generate(
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

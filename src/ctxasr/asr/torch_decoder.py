"""Whisper's text decoder in PyTorch, for beam searches that CTranslate2 cannot run.

CTranslate2 has no logits hook for Whisper, so a search that adds a bonus to the next tokens of
a catalog phrase (``ctxasr.asr.trie``) needs its own decoder. This one reads the decoder weights
straight from the CTranslate2 ``model.bin`` (the same file faster-whisper loads, so there is one
model on disk) and takes the encoder output CTranslate2 already computed: the audio is encoded
once for both passes. Linear layers run int8 (dynamic quantisation), like CTranslate2's.
"""

from __future__ import annotations

import logging
import struct
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ctxasr.asr.models import ModelError
from ctxasr.asr.trie import EntryTrie

logger = logging.getLogger(__name__)

# CTranslate2's DataType enum, in its order (include/ctranslate2/types.h).
_CT2_DTYPES: tuple[Any, ...] = (np.float32, np.int8, np.int16, np.int32, np.float16)
_LAYER_NORM_EPS = 1e-5


def read_decoder_weights(model_bin: Path) -> dict[str, np.ndarray]:
    """The ``decoder/...`` float variables of a CTranslate2 Whisper ``model.bin`` (names without
    the prefix), as float32 arrays."""
    try:
        data = model_bin.read_bytes()
        return _parse_ct2(data)
    except (OSError, struct.error, ValueError, IndexError) as exc:
        raise ModelError(f"cannot read Whisper decoder weights from {model_bin}: {exc}") from exc


def _parse_ct2(data: bytes) -> dict[str, np.ndarray]:
    offset = 0

    def take(fmt: str) -> int:
        nonlocal offset
        (value,) = struct.unpack_from(fmt, data, offset)
        offset += struct.calcsize(fmt)
        return int(value)

    def string() -> str:
        nonlocal offset
        size = take("H")
        text = data[offset : offset + size - 1].decode("utf-8")
        offset += size
        return text

    take("I")  # binary version
    string()  # spec name
    take("I")  # spec revision
    weights: dict[str, np.ndarray] = {}
    for _ in range(take("I")):
        name = string()
        shape = [take("I") for _ in range(take("B"))]
        dtype_id, n_bytes = take("B"), take("I")
        if name.startswith("decoder/") and shape and dtype_id in (0, 4):
            dtype = np.dtype(_CT2_DTYPES[dtype_id])
            array = np.frombuffer(data, dtype, n_bytes // dtype.itemsize, offset)
            weights[name.removeprefix("decoder/")] = array.reshape(shape).astype(np.float32)
        offset += n_bytes
    if "embeddings/weight" not in weights:
        raise ValueError("no float decoder weights (an int8-quantised model.bin is not supported)")
    return weights


class StepBias(Protocol):
    """Adds a bonus to the next-token scores of each beam (see ``ctxasr.asr.trie``)."""

    def start(self) -> Any: ...  # the state of a fresh hypothesis

    def adjust(self, scores: Any, states: Sequence[Any]) -> Any: ...  # [beams, vocab] -> same

    def advance(self, state: Any, token: int) -> tuple[Any, float]: ...  # new state, bonus


@dataclass(frozen=True)
class TokenHypothesis:
    tokens: tuple[int, ...]  # generated text tokens, without the end token
    logprob: float  # the model's own log-probability of them (bias excluded)
    bonus: float  # what the bias added on the way

    @property
    def score(self) -> float:
        """(log-prob + bonus) per token, the end token included: what the search ranks by."""
        return (self.logprob + self.bonus) / (len(self.tokens) + 1)


@dataclass(frozen=True)
class PrefixState:
    """The decoder after a prefix, over one window (read-only once built)."""

    cross: list[Any]  # per layer, cross-attention keys and values
    cache: list[tuple[Any, Any]]  # per layer, self-attention keys and values of the prefix
    first: Any  # log-probabilities of the first token after the prefix
    offset: int  # the prefix length


@dataclass(frozen=True)
class SpecialTokens:
    eot: int
    suppress: tuple[int, ...]  # never generated (the model's config.json ``suppress_ids``)
    suppress_begin: tuple[int, ...]  # not as the first token (a blank, the end)


class TorchWhisperDecoder:
    """Whisper's decoder over a given encoder output, with a biasable beam search.

    Thread-safe: the weights are read-only and each search keeps its own caches.
    """

    def __init__(self, weights: dict[str, np.ndarray], n_heads: int, special: SpecialTokens):
        import torch  # noqa: PLC0415  (heavy import, only for this decoding path)

        self.torch = torch
        self.n_heads = n_heads
        self.special = special
        self.n_layers = sum(k.endswith("self_attention/linear_1/weight") for k in weights)
        tensor = {k: torch.from_numpy(v) for k, v in weights.items()}
        self.positions = tensor["position_encodings/encodings"]
        self.norms = {
            k.removesuffix("/gamma"): (v, tensor[k.removesuffix("gamma") + "beta"])
            for k, v in tensor.items()
            if k.endswith("/gamma")
        }
        self.linears = _quantized_linears(torch, tensor)
        # Only a few rows are looked up per step (the output projection has its own int8
        # copy), so half precision is enough and halves the largest array (80 MB in tiny.en).
        self.embedding = tensor["embeddings/weight"].half()
        vocab = self.embedding.shape[0]
        self.width = int(self.embedding.shape[1])  # d_model
        self._suppress = torch.zeros(vocab, dtype=torch.bool)
        self._suppress[[t for t in special.suppress if 0 <= t < vocab]] = True
        self._suppress[special.eot + 1 :] = True  # no special tokens, no timestamps
        self._suppress_first = self._suppress.clone()
        self._suppress_first[[t for t in special.suppress_begin if 0 <= t < vocab]] = True

    # -- the network --------------------------------------------------------------------

    def cross_keys(self, encoder_output: np.ndarray) -> list[tuple[Any, Any]]:
        """Per layer, the cross-attention keys and values of one window ([1, heads, T, d])."""
        torch = self.torch
        with torch.inference_mode():
            enc = torch.from_numpy(np.ascontiguousarray(encoder_output, dtype=np.float32))
            out = []
            for i in range(self.n_layers):
                keys, values = self.linears[f"layer_{i}/attention/linear_1"](enc).chunk(2, -1)
                out.append((self._split(keys), self._split(values)))
            return out

    def _split(self, x: Any) -> Any:
        batch, length, width = x.shape
        return x.view(batch, length, self.n_heads, width // self.n_heads).transpose(1, 2)

    def _merge(self, x: Any) -> Any:
        batch, heads, length, width = x.shape
        return x.transpose(1, 2).reshape(batch, length, heads * width)

    def _norm(self, x: Any, name: str) -> Any:
        gamma, beta = self.norms[name]
        return self.torch.nn.functional.layer_norm(x, x.shape[-1:], gamma, beta, _LAYER_NORM_EPS)

    def forward(
        self, tokens: Any, offset: int, cache: list[tuple[Any, Any]] | None, cross: list[Any]
    ) -> tuple[Any, list[tuple[Any, Any]]]:
        """Log-probabilities of the next token after ``tokens`` ([beams, n], at ``offset``),
        and the grown self-attention cache."""
        hidden, new_cache = self._layers(tokens, offset, cache, cross)
        return self._logprobs(hidden[:, -1]), new_cache

    def _logprobs(self, hidden: Any) -> Any:
        last = self._norm(hidden, "layer_norm")
        return self.torch.nn.functional.log_softmax(self.linears["output"](last), dim=-1)

    def _layers(
        self, tokens: Any, offset: int, cache: list[tuple[Any, Any]] | None, cross: list[Any]
    ) -> tuple[Any, list[tuple[Any, Any]]]:
        """The last layer's hidden states at every position of ``tokens``, and the cache (one
        row per row of ``tokens``; a one-row ``cache`` serves them all)."""
        functional = self.torch.nn.functional
        x = self.embedding[tokens].float() + self.positions[offset : offset + tokens.shape[1]]
        new_cache = []
        for i in range(self.n_layers):
            name = f"layer_{i}"
            h = self._norm(x, f"{name}/self_attention/layer_norm")
            q, k, v = (
                self._split(t)
                for t in self.linears[f"{name}/self_attention/linear_0"](h).chunk(3, -1)
            )
            attended, grown = self._self_attention(q, k, v, None if cache is None else cache[i])
            new_cache.append(grown)
            x = x + self.linears[f"{name}/self_attention/linear_1"](self._merge(attended))
            h = self._norm(x, f"{name}/attention/layer_norm")
            q = self._split(self.linears[f"{name}/attention/linear_0"](h))
            x = x + self.linears[f"{name}/attention/linear_2"](
                self._merge(_cross_attention(functional, q, *cross[i]))
            )
            h = self._norm(x, f"{name}/ffn/layer_norm")
            x = x + self.linears[f"{name}/ffn/linear_1"](
                functional.gelu(self.linears[f"{name}/ffn/linear_0"](h))
            )
        return x, new_cache

    def _self_attention(
        self, q: Any, k: Any, v: Any, cached: tuple[Any, Any] | None
    ) -> tuple[Any, tuple[Any, Any]]:
        """Causal self-attention of the new positions over the cached and their own keys, and
        the grown cache. Rows that follow one prefix share its one-row cache: it is copied
        into each row's grown cache here, once (broadcasting the prefix into a cache made for
        the rows costs less than half of concatenating expanded copies of it)."""
        if cached is not None:
            k, v = _grown(self.torch, cached[0], k), _grown(self.torch, cached[1], v)
        mask = _causal(self.torch, q.shape[2], k.shape[2])
        attended = self.torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        return attended, (k, v)

    # -- teacher forcing ----------------------------------------------------------------

    def prefix_states(
        self, encoder_output: np.ndarray, prefixes: Sequence[Sequence[int]]
    ) -> list[PrefixState]:
        """The decoder's state after each prefix (prompt and start-of-transcript tokens) over
        one window, from which any number of readings are then scored; the cross-attention
        keys, the costly part, are computed once and shared."""
        torch = self.torch
        states = []
        with torch.inference_mode():
            cross = self.cross_keys(encoder_output)
            for prefix in prefixes:
                first, cache = self.forward(torch.tensor([list(prefix)]), 0, None, cross)
                states.append(PrefixState(cross, cache, first[0], len(prefix)))
        return states

    def score(self, state: PrefixState, texts: Sequence[Sequence[int]]) -> list[float]:
        """The model's log-probability (summed) of each token sequence after the prefix: how
        much it believes each reading of the audio. Each reading ends with the end token."""
        if not texts or any(not t for t in texts):
            raise ValueError("every reading to score needs at least one token")
        shared = _shared_start(texts)
        with self.torch.inference_mode():
            # The readings differ in one span: their common start is run once, not per reading.
            state, shared_logprob = self._extend(state, shared) if shared else (state, 0.0)
            rest = [t[len(shared) :] for t in texts]
            return [shared_logprob + x for x in self._score_from(state, rest)]

    def _extend(self, state: PrefixState, tokens: Sequence[int]) -> tuple[PrefixState, float]:
        """The state after ``tokens`` as well, and their log-probability."""
        torch = self.torch
        hidden, cache = self._layers(
            torch.tensor([list(tokens)]), state.offset, state.cache, state.cross
        )
        logprobs = self._logprobs(hidden[0])
        logprob = float(state.first[tokens[0]])
        logprob += sum(float(logprobs[i, tokens[i + 1]]) for i in range(len(tokens) - 1))
        return PrefixState(state.cross, cache, logprobs[-1], state.offset + len(tokens)), logprob

    def _score_from(self, state: PrefixState, texts: Sequence[Sequence[int]]) -> list[float]:
        torch = self.torch
        totals = [float(state.first[t[0]]) for t in texts]
        width = max(len(t) for t in texts) - 1
        if width == 0:
            return totals
        # Pad with the end token: a causal decoder never looks at what follows a reading.
        rows = [list(t[:-1]) + [self.special.eot] * (width - len(t) + 1) for t in texts]
        # The prefix's one-row cache serves every row (``_grown``).
        hidden, _ = self._layers(torch.tensor(rows), state.offset, state.cache, state.cross)
        # The vocabulary projection is most of the cost: only at real positions, not padding.
        where = [(row, i) for row, t in enumerate(texts) for i in range(len(t) - 1)]
        targets = torch.tensor([texts[row][i + 1] for row, i in where])
        picked_rows = hidden[[row for row, _ in where], [i for _, i in where]]
        logprobs = self._logprobs(picked_rows).gather(1, targets[:, None])[:, 0].tolist()
        for (row, _), logprob in zip(where, logprobs, strict=True):
            totals[row] += logprob
        return totals

    def search_entries(
        self,
        state: PrefixState,
        frame: Sequence[int],  # the reading's tokens before the entry
        trie: EntryTrie,
        beam_size: int,
    ) -> list[tuple[int, float]]:
        """The entries of ``trie`` the decoder most believes after ``state`` and ``frame``:
        (entry number, log-probability of its tokens), best first, at most ``beam_size``. A
        beam search that may only spell entries, so that a catalog of thousands costs a few
        steps of ``beam_size`` rows, not a reading each; what follows an entry is not scored."""
        torch = self.torch
        with torch.inference_mode():
            if frame:
                state, _ = self._extend(state, frame)
            beams: list[tuple[int, float]] = [(0, 0.0)]  # trie node, log-prob so far
            logprobs, cache, offset = state.first[None], state.cache, state.offset
            found: list[tuple[float, int]] = []
            while beams:
                steps = _entry_steps(trie, beams, logprobs, beam_size)
                for logprob, _, _, node in steps:
                    found.extend((logprob, entry) for entry in trie.ends(node))
                found = sorted(found, reverse=True)[:beam_size]
                bar = found[-1][0] if len(found) == beam_size else float("-inf")
                # A log-prob only falls as tokens are added: a beam below the last entry kept
                # can spell no better one.
                live = [s for s in steps if trie.children(s[3]) and s[0] > bar]
                if not live or offset >= self.positions.shape[0]:  # 448 positions known
                    break
                index = torch.tensor([row for _, row, _, _ in live])
                cache = [(k[index], v[index]) for k, v in cache]
                tokens = torch.tensor([[token] for _, _, token, _ in live])
                logprobs, cache = self.forward(tokens, offset, cache, state.cross)
                offset += 1
                beams = [(node, logprob) for logprob, _, _, node in live]
            return [(entry, logprob) for logprob, entry in found]

    # -- the search ---------------------------------------------------------------------

    def beam_search(
        self,
        encoder_output: np.ndarray,
        prefix: Sequence[int],  # prompt and start-of-transcript tokens
        bias: StepBias | None,
        *,
        beam_size: int = 5,
        num_hypotheses: int = 5,
        max_new_tokens: int = 128,
    ) -> list[TokenHypothesis]:
        """Finished hypotheses, best first by (log-prob + bonus) per token."""
        room = self.positions.shape[0] - len(prefix)  # the decoder knows 448 positions
        with self.torch.inference_mode():
            search = _Search(self, self.cross_keys(encoder_output), prefix, bias, beam_size)
            return search.run(min(max_new_tokens, room))[:num_hypotheses]

    def suppressed(self, step: int) -> Any:
        """The tokens never to generate at ``step`` (a boolean mask over the vocabulary)."""
        return self._suppress_first if step == 0 else self._suppress


class _Search:
    """One beam search (never shared between threads)."""

    def __init__(
        self,
        decoder: TorchWhisperDecoder,
        cross: list[Any],
        prefix: Sequence[int],
        bias: StepBias | None,
        beam_size: int,
    ) -> None:
        self.decoder = decoder
        self.torch = decoder.torch
        self.cross = cross
        self.bias = bias
        self.beam_size = beam_size
        self.offset = len(prefix)
        self.prefix = self.torch.tensor([list(prefix)])
        # Per live beam: tokens, model log-prob, bonus so far, bias state.
        self.beams: list[tuple[tuple[int, ...], float, float, Any]] = [
            ((), 0.0, 0.0, bias.start() if bias is not None else None)
        ]
        self.finished: list[TokenHypothesis] = []

    def run(self, max_new_tokens: int) -> list[TokenHypothesis]:
        logprobs, cache = self.decoder.forward(self.prefix, 0, None, self.cross)
        for step in range(max_new_tokens):
            logprobs = logprobs.masked_fill(self.decoder.suppressed(step), float("-inf"))
            rows = self._select(logprobs)
            if not rows or len(self.finished) >= self.beam_size:
                break
            index = self.torch.tensor(rows)
            cache = [(k[index], v[index]) for k, v in cache]
            tokens = self.torch.tensor([[beam[0][-1]] for beam in self.beams])
            logprobs, cache = self.decoder.forward(tokens, self.offset + step, cache, self.cross)
        if not self.finished:  # out of length: the live beams, as they stand
            self.finished = [TokenHypothesis(t, lp, b) for t, lp, b, _ in self.beams]
        return sorted(self.finished, key=lambda h: h.score, reverse=True)

    def _select(self, logprobs: Any) -> list[int]:
        """Extend the beams; returns, for each live new beam, the row of the beam it extends."""
        states = [beam[3] for beam in self.beams]
        scores = self.bias.adjust(logprobs, states) if self.bias is not None else logprobs
        totals = scores + self.torch.tensor([b[1] + b[2] for b in self.beams])[:, None]
        flat = totals.flatten()
        top = self.torch.topk(flat, min(2 * self.beam_size, flat.shape[0]))
        vocab = logprobs.shape[1]
        new_beams: list[tuple[tuple[int, ...], float, float, Any]] = []
        rows: list[int] = []
        for index in top.indices.tolist():
            row, token = divmod(index, vocab)
            tokens, logprob, bonus, state = self.beams[row]
            logprob += float(logprobs[row, token])
            if self.bias is not None:
                state, gained = self.bias.advance(state, token)
                bonus += gained
            if token == self.decoder.special.eot:
                if len(self.finished) < self.beam_size:
                    self.finished.append(TokenHypothesis(tokens, logprob, bonus))
                continue
            new_beams.append(((*tokens, token), logprob, bonus, state))
            rows.append(row)
            if len(new_beams) == self.beam_size:
                break
        self.beams = new_beams
        return rows


def _entry_steps(
    trie: EntryTrie, beams: list[tuple[int, float]], logprobs: Any, beam_size: int
) -> list[tuple[float, int, int, int]]:
    """The best ``beam_size`` one-token extensions of ``beams`` along the trie:
    (log-prob, beam row, token, node)."""
    steps = []
    for row, (node, logprob) in enumerate(beams):
        children = trie.children(node)
        tokens = list(children)
        for token, value in zip(tokens, logprobs[row, tokens].tolist(), strict=True):
            steps.append((logprob + value, row, token, children[token]))
    return sorted(steps, reverse=True)[:beam_size]


def _shared_start(texts: Sequence[Sequence[int]]) -> list[int]:
    """The tokens every text starts with, leaving each at least one of its own."""
    shortest = min(len(t) for t in texts) - 1
    shared: list[int] = []
    for position in range(shortest):
        token = texts[0][position]
        if any(t[position] != token for t in texts):
            break
        shared.append(token)
    return shared


def _cross_attention(functional: Any, queries: Any, keys: Any, values: Any) -> Any:
    """Attention of every row's queries ([rows, heads, n, d]) over one window's keys and
    values ([1, heads, frames, d]). The rows share the window and no mask applies, so they are
    stacked into one row of rows * n queries: one product with the 1,500 frames instead of one
    per row over copies of them, with the same numbers (a fifth of the scorer's cross-attention
    time on large catalogs). Rows of one query each (the steps of a search) keep the per-row
    product: stacked, their numbers would move by rounding, and the int8 layers after them
    would carry that into every score of the batch."""
    rows, heads, n, width = queries.shape
    if rows == 1 or n == 1 or keys.shape[0] != 1:
        keys, values = (t.expand(rows, -1, -1, -1) for t in (keys, values))
        return functional.scaled_dot_product_attention(queries, keys, values)
    stacked = queries.transpose(0, 1).reshape(1, heads, rows * n, width)
    out = functional.scaled_dot_product_attention(stacked, keys, values)
    return out.reshape(heads, rows, n, width).transpose(0, 1)


def _grown(torch: Any, cached: Any, new: Any) -> Any:
    """``cached`` keys or values ([1 or rows, heads, p, d]) followed by ``new`` ones
    ([rows, heads, n, d]), one row per row of ``new``."""
    rows, heads, n, width = new.shape
    length = cached.shape[2]
    out = torch.empty(rows, heads, length + n, width, dtype=new.dtype)
    out[:, :, :length] = cached
    out[:, :, length:] = new
    return out


def _causal(torch: Any, n_queries: int, n_keys: int) -> Any:
    if n_queries == 1:
        return None
    return torch.ones(n_queries, n_keys, dtype=torch.bool).tril(n_keys - n_queries)


def _quantized_linears(torch: Any, tensor: dict[str, Any]) -> dict[str, Any]:
    """Every linear layer (and the output projection, tied to the embeddings) as an int8
    dynamically quantised ``nn.Linear``: a 51,864-word projection per step is memory-bound, and
    int8 reads a quarter of the bytes (about 15x faster than float32 here)."""
    layers = torch.nn.ModuleDict()
    for name, weight in tensor.items():
        if name.endswith("/weight") and name != "embeddings/weight" and weight.dim() == 2:
            base = name.removesuffix("/weight")
            linear = torch.nn.Linear(weight.shape[1], weight.shape[0])
            linear.weight.data = weight
            linear.bias.data = tensor.get(f"{base}/bias", torch.zeros(weight.shape[0]))
            layers[base.replace("/", "__")] = linear
    output = torch.nn.Linear(
        tensor["embeddings/weight"].shape[1], tensor["embeddings/weight"].shape[0], bias=False
    )
    output.weight.data = tensor["embeddings/weight"]
    layers["output"] = output
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization's deprecation notices
        quantized = torch.ao.quantization.quantize_dynamic(
            layers, {torch.nn.Linear}, dtype=torch.qint8
        )
    return {name.replace("__", "/"): module for name, module in quantized.items()}

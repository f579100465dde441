"""From the biased and unbiased decodings of a window and a plan, to one text.

Three steps, each a small pure function:

1. ``choose_biased``: rescore the biased n-best (mean log-prob + a bonus per catalog phrase) after
   dropping hypotheses that echo the prompt or grow far beyond what the unbiased pass heard.
2. ``merge``: the guard. Start from the unbiased words; take a differing span from the biased
   hypothesis only when it names a catalog phrase, sounds like the unbiased words it replaces,
   and the biased decoder preferred it over any biased reading that kept those words.
3. ``canonicalize``: rewrite spans that *sound* like a catalog phrase to the catalog's spelling:
   homophones of whole entries ("Alpha" → "Alfa"), and spellings the lexicon does not know
   ("Shavon Okafor" → "Siobhan Okafor"). Real words are never respelled into a different-sounding
   entry ("power" stays "power"); only the decoder's own evidence (step 2) can do that.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from ctxasr.asr.engine import Decoded, Hypothesis
from ctxasr.context.index import IndexedPhrase, PhoneticIndex
from ctxasr.context.phonetics import Pronouncer, similarity
from ctxasr.context.plan import ContextPlan
from ctxasr.errors import ConfigError
from ctxasr.text import contains_phrase, normalize, words


@dataclass(frozen=True)
class BiasOptions:
    # Rescoring: bonus (mean log-prob units) per distinct catalog phrase in a hypothesis.
    context_bonus: float = 0.1
    # Silence: Whisper's own rule (no-speech probability high and mean log-prob low).
    no_speech_prob: float = 0.6
    silence_logprob: float = -1.0
    # Guard: a run of this many words copied from the previous turns, absent from the unbiased
    # text, is prompt echo; the biased text may hold at most max_extra_words more words.
    echo_ngram: int = 3
    max_extra_words: int = 2
    # Guard: a transplanted span must sound at least this much like what it replaces, and its
    # hypothesis must beat the best biased hypothesis keeping the unbiased words by this margin.
    transplant_similarity: float = 0.4
    transplant_margin: float = 0.05
    # Canonicalisation: unknown spellings snap to a catalog phrase at or above this similarity.
    respell_similarity: float = 0.8

    def __post_init__(self) -> None:
        for name in ("transplant_similarity", "respell_similarity", "no_speech_prob"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ConfigError(f"BiasOptions.{name} must lie in [0, 1]")
        if self.echo_ngram < 2 or self.max_extra_words < 0:
            raise ConfigError("echo_ngram must be >= 2 and max_extra_words >= 0")


@dataclass(frozen=True)
class EntityMatch:
    catalog: str
    phrase: str  # the catalog's spelling, as it now stands in the text
    start: int  # character span in the recognised text
    end: int
    score: float  # 1.0 for an exact match, else the phonetic similarity
    respelled_from: str | None = None  # what the decoder had written, when respelled


@dataclass(frozen=True)
class Merged:
    text: str
    transplanted: tuple[str, ...]  # biased spans taken over the unbiased words
    reason: str


def is_silence(decoded: Decoded, options: BiasOptions) -> bool:
    best = decoded.best
    if not normalize(best.text):
        return True
    return decoded.no_speech_prob > options.no_speech_prob and best.score < options.silence_logprob


class ContextBiaser:
    """Applies one plan to the decodings of one utterance."""

    def __init__(self, plan: ContextPlan, pronouncer: Pronouncer, options: BiasOptions) -> None:
        self.plan = plan
        self.pronouncer = pronouncer
        self.options = options
        self._turns = [words(text) for text in plan.turn_texts]

    # -- 1. rescoring ----------------------------------------------------------------------

    def choose(self, biased: Decoded, unbiased: Hypothesis) -> Hypothesis | None:
        """The best biased hypothesis after filtering echo and growth, rescored."""
        unbiased_words = words(unbiased.text)
        best: Hypothesis | None = None
        best_score = float("-inf")
        for hypothesis in biased.hypotheses:
            hyp_words = words(hypothesis.text)
            if not hyp_words or len(hyp_words) > len(unbiased_words) + self.options.max_extra_words:
                continue
            if self._echoes(hyp_words, unbiased_words):
                continue
            found = catalog_phrases_in(hyp_words, self.plan.index)
            score = hypothesis.score + self.options.context_bonus * len(found)
            if score > best_score:
                best, best_score = hypothesis, score
        return best

    def _echoes(self, hyp_words: list[str], unbiased_words: list[str]) -> bool:
        n = self.options.echo_ngram
        for start in range(len(hyp_words) - n + 1):
            gram = hyp_words[start : start + n]
            if contains_phrase(unbiased_words, gram):
                continue
            if any(contains_phrase(turn, gram) for turn in self._turns):
                return True
        return False

    # -- 2. the guard ----------------------------------------------------------------------

    def merge(self, unbiased: Hypothesis, chosen: Hypothesis, biased: Decoded) -> Merged:
        """The unbiased words, with the biased spans that the guard lets through."""
        u_tokens, b_tokens = unbiased.text.split(), chosen.text.split()
        u_norm = [normalize(t) for t in u_tokens]
        b_norm = [normalize(t) for t in b_tokens]
        out: list[str] = []
        taken: list[str] = []
        matcher = SequenceMatcher(None, u_norm, b_norm, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                out.extend(b_tokens[j1:j2])
                continue
            place = self._transplant_place(u_norm[i1:i2], b_norm[j1:j2], chosen, biased)
            if place is None:
                out.extend(u_tokens[i1:i2])
                continue
            # Unbiased words outside the part that sounds like the phrase stay.
            first, last = place
            out.extend([*u_tokens[i1 : i1 + first], *b_tokens[j1:j2], *u_tokens[i1 + last : i2]])
            taken.append(" ".join(b_tokens[j1:j2]))
        reason = "context phrase confirmed by the audio" if taken else "guard kept unbiased words"
        return Merged(" ".join(out), tuple(taken), reason)

    def _transplant_place(
        self, u_span: list[str], b_span: list[str], chosen: Hypothesis, biased: Decoded
    ) -> tuple[int, int] | None:
        """Where in ``u_span`` the biased span may replace unbiased words, or None."""
        b_words = [w for w in b_span if w]
        if not u_span or not b_words:
            return None  # inserted words (no audio evidence) or dropped words: keep unbiased
        if not catalog_phrases_in(b_words, self.plan.index):
            return None
        b_sound = self.pronouncer.phrase(" ".join(b_words))
        best, place = -1.0, (0, len(u_span))
        for first in range(len(u_span)):
            for last in range(first + 1, len(u_span) + 1):
                part = " ".join(w for w in u_span[first:last] if w)
                sound = similarity(self.pronouncer.phrase(part), b_sound) if part else 0.0
                if sound > best:
                    best, place = sound, (first, last)
        if best < self.options.transplant_similarity:
            return None
        kept = [w for w in u_span[place[0] : place[1]] if w]
        keeping = [h.score for h in biased.hypotheses if contains_phrase(words(h.text), kept)]
        if keeping and chosen.score - max(keeping) < self.options.transplant_margin:
            return None
        return place

    # -- 3. canonicalisation ---------------------------------------------------------------

    def canonicalize(self, text: str) -> tuple[str, tuple[EntityMatch, ...]]:
        """Respell spans that sound like catalog phrases; report every catalog phrase found."""
        tokens = text.split()
        pieces: list[_Piece] = []
        position = 0
        while position < len(tokens):
            step, piece = self._match_at(tokens, position)
            pieces.append(piece)
            position += step
        return _assemble(pieces)

    def _match_at(self, tokens: list[str], position: int) -> tuple[int, _Piece]:
        index = self.plan.index
        longest = min(index.max_words + 1, len(tokens) - position)
        for size in range(longest, 0, -1):
            span = tokens[position : position + size]
            span_text = normalize(" ".join(span))
            if not span_text:
                continue
            exact = index.exact(span_text)
            if exact:
                return size, _Piece(" ".join(span), _prefer_whole(exact), 1.0)
            found = self._respelling(span_text)
            if found is not None:
                phrase, score = found
                respelled = _keep_punctuation(span, phrase.text)
                return size, _Piece(respelled, phrase, score, " ".join(span))
        return 1, _Piece(tokens[position])

    def _respelling(self, span_text: str) -> tuple[IndexedPhrase, float] | None:
        index, plan = self.plan.index, self.plan
        span_words = span_text.split()
        unknown = any(not self.pronouncer.in_lexicon(w) for w in span_words if not w.isdigit())
        prons = self.pronouncer.phrase(span_text)
        for phrase in index.homophones(prons):
            if phrase.whole or unknown or plan.relevance_of(phrase.entry) > 0:
                return phrase, 1.0
        if not unknown:
            return None  # real words keep their spelling unless they are homophones
        for match in index.nearest(prons, limit=1):
            phrase = match.phrase
            if match.similarity < self.options.respell_similarity:
                continue
            if abs(phrase.n_words - len(span_words)) > 1:
                continue
            if phrase.whole or phrase.n_words > 1 or plan.relevance_of(phrase.entry) > 0:
                return phrase, match.similarity
        return None


@dataclass(frozen=True)
class _Piece:
    """A run of output tokens, and the catalog phrase it is, if any."""

    text: str
    phrase: IndexedPhrase | None = None
    score: float = 0.0
    respelled_from: str | None = None


def catalog_phrases_in(hyp_words: list[str], index: PhoneticIndex) -> set[str]:
    """Distinct catalog phrases occurring as whole-word runs in ``hyp_words``."""
    found = set()
    for size in range(1, min(index.max_words, len(hyp_words)) + 1):
        for start in range(len(hyp_words) - size + 1):
            run = " ".join(hyp_words[start : start + size])
            if index.exact(run):
                found.add(run)
    return found


def _prefer_whole(phrases: list[IndexedPhrase]) -> IndexedPhrase:
    return next((p for p in phrases if p.whole), phrases[0])


def _keep_punctuation(span: list[str], replacement: str) -> str:
    lead = span[0][: len(span[0]) - len(span[0].lstrip("\"'([{"))]
    core = span[-1].rstrip(".,!?;:\"')]}")
    return f"{lead}{replacement}{span[-1][len(core) :]}"


def _assemble(pieces: list[_Piece]) -> tuple[str, tuple[EntityMatch, ...]]:
    text = " ".join(piece.text for piece in pieces)
    matches: list[EntityMatch] = []
    offset = 0
    for piece in pieces:
        phrase = piece.phrase
        if phrase is not None:
            inner = piece.text.find(phrase.text)
            start = offset + max(inner, 0)
            end = start + (len(phrase.text) if inner >= 0 else len(piece.text))
            matches.append(
                EntityMatch(
                    phrase.catalog, phrase.text, start, end, piece.score, piece.respelled_from
                )
            )
        offset += len(piece.text) + 1
    return text, tuple(matches)

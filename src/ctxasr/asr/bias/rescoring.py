"""Step 1: what the decodings say before any word is weighed.

Whether a window is silence (Whisper's own rule), and which biased hypothesis to take: the
n-best rescored by a bonus per catalog phrase, after dropping hypotheses that echo the prompt's
turns or grow far beyond what the unbiased pass heard.
"""

from __future__ import annotations

from ctxasr.asr.bias.options import BiasOptions
from ctxasr.asr.bias.spans import catalog_phrases_in, catalog_positions
from ctxasr.asr.engine import Decoded, Hypothesis
from ctxasr.context.plan import ContextPlan
from ctxasr.text import contains_phrase, normalize, words


def is_silence(decoded: Decoded, options: BiasOptions) -> bool:
    best = decoded.best
    if not normalize(best.text):
        return True
    return decoded.no_speech_prob > options.no_speech_prob and best.score < options.silence_logprob


def is_clear_speech(decoded: Decoded, options: BiasOptions) -> bool:
    """Both of Whisper's signs say speech: a low no-speech probability *and* a confident
    reading (is_silence needs only one of them to call a window speech)."""
    best = decoded.best
    return (
        bool(normalize(best.text))
        and decoded.no_speech_prob <= options.no_speech_prob
        and best.score >= options.silence_logprob
    )


class Rescorer:
    """Picks the biased hypothesis that the later steps weigh against the unbiased words."""

    def __init__(self, plan: ContextPlan, options: BiasOptions) -> None:
        self.plan = plan
        self.options = options
        self._turns = [words(text) for text in plan.turn_texts]

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
        """Whether a run of the previous turns' words, absent from the unbiased reading, was
        copied into the hypothesis. Catalog phrases do not count: repeating an option the
        assistant offered is an answer, not an echo."""
        n = self.options.echo_ngram
        entity = catalog_positions(self.plan.index, hyp_words)
        for start in range(len(hyp_words) - n + 1):
            gram = hyp_words[start : start + n]
            if sum(i not in entity for i in range(start, start + n)) < 2:
                continue
            if contains_phrase(unbiased_words, gram):
                continue
            if any(contains_phrase(turn, gram) for turn in self._turns):
                return True
        return False

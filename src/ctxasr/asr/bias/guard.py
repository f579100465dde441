"""Step 2: the guard. The context must never make an unrelated utterance worse.

Start from the unbiased words; take a differing span from the biased hypothesis (spelled as the
catalogs spell it) only when it names a catalog phrase, is welcome where it stands (whole
entries anywhere, a part of one only as a short answer), sounds like the unbiased words it
replaces (a homophone of a word heard anywhere in the sentence counts for nothing: "martial" is
no evidence of "Marshall"), is mostly that phrase or the phrase in a request's frame ("Take me
to Intelligentsia." for "Take meat until again this year.", the phrase alone sounding alike),
and brings no stray part of another entry along (the prompt's list running on). How far the
biased beam preferred it plays no part: its context bonus deciding between near-equal readings
is what the bonus is for (a rule that refused such narrow wins blocked right answers and no
false bias).
A span refused on sound alone becomes a *contested* reading for the spell check, in each frame
the biased n-best gave it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ctxasr.asr.bias.canonical import Canonicalizer
from ctxasr.asr.bias.expectations import Expectations
from ctxasr.asr.bias.frames import frame_word
from ctxasr.asr.bias.options import BiasOptions
from ctxasr.asr.bias.readings import Alternative, Merged
from ctxasr.asr.bias.sound import Likeness
from ctxasr.asr.bias.spans import (
    Block,
    blocks,
    catalog_positions,
    joined,
    prefer_whole,
    spans,
)
from ctxasr.asr.engine import Decoded, Hypothesis
from ctxasr.context.index import PhoneticIndex
from ctxasr.context.plan import ContextPlan
from ctxasr.text import contains_phrase, normalize, words

_REFRAMED_CONTESTS = 2  # other biased readings of a contested phrase that the decoder judges


class Guard:
    """Merges one window's unbiased and biased decodings under one plan."""

    def __init__(
        self,
        plan: ContextPlan,
        expect: Expectations,
        likeness: Likeness,
        canonicalizer: Canonicalizer,
    ) -> None:
        self.plan = plan
        self.expect = expect
        self.likeness = likeness
        self.canonicalizer = canonicalizer
        self.options: BiasOptions = likeness.options

    def merge(self, unbiased: Decoded, chosen: Hypothesis, biased: Decoded) -> Merged:
        """The unbiased words, with the biased spans that the guard lets through; a span it
        refused on sound alone is kept as a contested reading for the decoder to judge. The
        biased words are first spelled as the catalogs spell them: an invented spelling
        ("Bobobie") is the biased pass reaching for a name ("Bobotie")."""
        spelled, _ = self.canonicalizer.canonicalize(chosen.text)
        u_tokens, b_tokens = unbiased.best.text.split(), spelled.split()
        u_norm = [normalize(t) for t in u_tokens]
        b_norm = [normalize(t) for t in b_tokens]
        nbest = [words(h.text) for h in unbiased.hypotheses]
        in_catalog = catalog_positions(self.plan.index, b_norm)
        out: list[str] = []
        taken: list[str] = []
        refusals: list[str] = []
        contests: list[tuple[tuple[int, int], list[str], _Refusal]] = []
        for equal, (i1, i2), (j1, j2) in _joined_to_phrases(
            blocks(u_norm, b_norm), b_norm, self.plan.index
        ):
            if equal:
                for u_token, j in zip(u_tokens[i1:i2], range(j1, j2), strict=True):
                    out.append(
                        b_tokens[j] if j in in_catalog else _cased(out, u_token, b_tokens, j)
                    )
                continue
            block = _Block(u_norm[i1:i2], b_norm, (j1, j2), u_norm[:i1] + u_norm[i2:])
            refusal = self._transplant_refusal(block, nbest)
            if refusal is None:
                out.extend(b_tokens[j1:j2])
                taken.append(" ".join(b_tokens[j1:j2]))
                continue
            if refusal.phrase is not None:
                contests.append(((len(out), len(out) + i2 - i1), b_tokens[j1:j2], refusal))
            out.extend(u_tokens[i1:i2])
            refusals.append(refusal.reason)
        if taken:
            reason = "context phrase confirmed by the audio"
        else:
            reason = "guard kept unbiased words" + (f" ({'; '.join(refusals)})" if refusals else "")
        contested = tuple(self._contest(out, *contest) for contest in contests)
        contested += _reframed(contested, biased)
        return Merged(" ".join(out), tuple(taken), reason, contested, spelled)

    def _contest(
        self, out: list[str], at: tuple[int, int], biased: list[str], refusal: _Refusal
    ) -> Alternative:
        """The merged text with one refused biased span put back."""
        text = " ".join([*out[: at[0]], *biased, *out[at[1] :]])
        spelled_so = self.plan.index.exact(refusal.phrase or "")
        phrase, named = prefer_whole(spelled_so), self.expect.named(*spelled_so)
        heard = " ".join(w for w in (normalize(t) for t in out[at[0] : at[1]]) if w)
        return Alternative(text, heard, phrase, refusal.similarity, named, contested=True)

    def _transplant_refusal(self, block: _Block, nbest: list[list[str]]) -> _Refusal | None:
        """Why the biased words of ``block`` may not replace the unbiased ones (None: they may).
        A refusal on sound alone names the catalog phrase: the decoder may still overrule it."""
        u_words = [w for w in block.u_span if w]
        b_words = [w for w in block.b_norm[block.b_range[0] : block.b_range[1]] if w]
        if not b_words:
            return _Refusal("inserted or dropped words")  # no audio evidence: keep unbiased
        found = self._covering_phrase(block)
        if found is None:
            return _Refusal("no catalog phrase" if u_words else "inserted or dropped words")
        (start, end), phrase = found
        overlap = min(end, block.b_range[1]) - max(start, block.b_range[0])
        mostly_other = 2 * overlap < len(b_words)  # the phrase in a request's frame, at best
        if mostly_other and not (
            _framed(block, (start, end)) and self._phrase_alike(u_words, phrase)
        ):
            return _Refusal("mostly not a catalog phrase")  # other words: nothing to contest
        if not self.expect.welcome(phrase, block.b_norm, (start, end)):
            return _Refusal("a part of an entry outside a short answer")
        if self._carries_a_stray_part(block, (start, end)):
            return _Refusal("a stray part of another entry", phrase, 0.0)
        # The phrase's words outside the block were heard by both passes ("Meg" of "Meg
        # Power." -> "Meg Bauer."): evidence of themselves, not under test.
        inside = block.b_norm[max(start, block.b_range[0]) : min(end, block.b_range[1])]
        if not self.likeness.rest_sounds_alike(u_words, inside, _elsewhere(block, (start, end))):
            return _Refusal("a homophone of a heard word", phrase, 0.0)
        if self._words_not_asked_for(block, u_words, (start, end)):
            return _Refusal("heard as words, and no entry asked for")  # nothing to contest
        if not u_words:
            return _Refusal("inserted or dropped words", phrase, 0.0)
        return self._sound_refusal(u_words, b_words, nbest, phrase)

    def _words_not_asked_for(
        self, block: _Block, u_words: list[str], phrase_at: tuple[int, int]
    ) -> bool:
        """Whether the phrase is dictionary words the passes heard, or words pronounced
        exactly like them ("I Will Wright to you tomorrow."), where no entry is asked for."""
        b_norm, (lo, hi) = block.b_norm, block.b_range
        phrase_words = [b_norm[i] for i in range(*phrase_at) if b_norm[i]]
        # The phrase's words outside the block were heard by both passes, as they stand.
        outside = [b_norm[i] for i in range(*phrase_at) if b_norm[i] and not lo <= i < hi]
        heard = [*u_words, *outside]
        return self.likeness.heard_as_words(heard, phrase_words) and not self.expect.asked_for(
            block.b_norm, phrase_at
        )

    def _phrase_alike(self, u_words: list[str], phrase: str) -> bool:
        """Whether the phrase on its own sounds like a run of the unbiased words: a request's
        frame ("Take me to") makes any sentence sound a little alike. The frame's words are
        taken on trust, so the phrase clears the bar of an unexpected one, named or not."""
        if not u_words:
            return False
        sound, _ = self.likeness.best_match(u_words, phrase.split())
        return self.likeness.alike_enough(sound, named=False)

    def _sound_refusal(
        self, u_words: list[str], b_words: list[str], nbest: list[list[str]], phrase: str
    ) -> _Refusal | None:
        """The guard's judgement by sound of the block's unbiased and biased words: alike
        enough, and not over words the unbiased n-best is sure of."""
        named = self.expect.named(*self.plan.index.exact(phrase))
        sound, heard = self.likeness.best_match(u_words, b_words)
        if not self.likeness.alike_enough(sound, named):
            return _Refusal(f"does not sound alike ({sound:.2f})", phrase, sound)
        if self.likeness.overruled(heard, nbest, sound, named):
            return _Refusal(f"confident words ({sound:.2f})", phrase, sound)
        return None

    def _covering_phrase(self, block: _Block) -> tuple[tuple[int, int], str] | None:
        """The longest catalog phrase occurrence in the biased words overlapping the block."""
        hyp = block.b_norm
        lo, hi = block.b_range
        best: tuple[tuple[int, int], str] | None = None
        for size in range(min(self.plan.index.max_words, len(hyp)), 0, -1):
            for start in range(max(0, lo - size + 1), min(hi, len(hyp) - size + 1)):
                run = " ".join(hyp[start : start + size])
                if self.plan.index.exact(run) and (best is None or size > best[0][1] - best[0][0]):
                    best = ((start, start + size), run)
            if best is not None:
                return best
        return None

    def _carries_a_stray_part(self, block: _Block, phrase_at: tuple[int, int]) -> bool:
        """Whether the block's other biased words hold a part of an entry that is not welcome
        where it stands ("Kwame Barr, Ravi." for "I come out near me."): the prompt's list
        running on, not something heard."""
        b_norm = block.b_norm
        for i in range(*block.b_range):
            word = b_norm[i]
            if phrase_at[0] <= i < phrase_at[1] or not self.plan.index.exact(word):
                continue
            if not self.expect.welcome(word, b_norm, (i, i + 1)):
                return True
        return False


def _joined_to_phrases(found: list[Block], b_norm: list[str], index: PhoneticIndex) -> list[Block]:
    """``found`` with each inserted or dropped run of words joined to the words beside it that
    a catalog phrase of the biased text spans with it: the biased "Open Reply All." against the
    heard "Open Reply to All." drops "to" inside "Reply All", and judged on its own that block
    holds no phrase at all."""
    out = found
    for equal, (i1, i2), (j1, j2) in found:
        if not equal and (i1 == i2 or j1 == j2):
            extent = _straddling(b_norm, (j1, j2), index)
            if extent is not None:
                out = _differing(out, extent)
    return out


def _differing(found: list[Block], at: tuple[int, int]) -> list[Block]:
    """``found`` with the biased words ``at`` in one differing block, the equal words among
    them included; adjacent differences joined, as ``blocks`` gives them."""
    start, end = at
    split: list[Block] = []
    for equal, (i1, i2), (j1, j2) in found:
        lo, hi = max(j1, start), min(j2, end)
        if not equal or lo >= hi:
            split.append((equal, (i1, i2), (j1, j2)))
            continue
        split.append((True, (i1, i1 + lo - j1), (j1, lo)))
        split.append((False, (i1 + lo - j1, i1 + hi - j1), (lo, hi)))
        split.append((True, (i1 + hi - j1, i2), (hi, j2)))
    return joined(split)


def _straddling(
    b_norm: list[str], at: tuple[int, int], index: PhoneticIndex
) -> tuple[int, int] | None:
    """The longest catalog phrase of ``b_norm`` that holds the inserted words ``at`` (or the
    place of dropped words) and words beside them. Inserted words that run past the phrase
    ("Swan Oyster Depot please" for the heard "Swan Oyster") are left as they are: the
    unbiased pass heard nothing there."""
    j1, j2 = at
    best: tuple[int, int] | None = None
    for start, end in spans(len(b_norm), index.max_words):
        inside = start < j1 < end if j1 == j2 else start <= j1 and j2 <= end
        beyond = start < j1 or end > j2
        if not (inside and beyond and b_norm[start] and b_norm[end - 1]):
            continue
        if index.exact(" ".join(w for w in b_norm[start:end] if w)):
            best = (start, end)  # spans come shortest first
    return best


def _reframed(contests: tuple[Alternative, ...], biased: Decoded) -> tuple[Alternative, ...]:
    """The biased n-best's other readings of a contested phrase: the beam ranks the words
    around a name by the prompt's taste ("Please, Snap Judgment." over "Play Snap Judgment."),
    and those words are for the audio to judge too."""
    seen = {tuple(words(contest.text)) for contest in contests}
    found: list[Alternative] = []
    for contest in contests:
        phrase_words = words(contest.phrase.text)
        for hypothesis in biased.hypotheses:
            reading = tuple(words(hypothesis.text))
            if reading in seen or not contains_phrase(list(reading), phrase_words):
                continue
            seen.add(reading)
            found.append(replace(contest, text=hypothesis.text))
    return tuple(found[:_REFRAMED_CONTESTS])


def _framed(block: _Block, phrase_at: tuple[int, int]) -> bool:
    """Whether the block's biased words outside the phrase are a request's frame ("me to" of
    "Take me to Intelligentsia."): function and request words, which say nothing of their own."""
    lo, hi = block.b_range
    rest = [
        w
        for i, w in enumerate(block.b_norm[lo:hi], lo)
        if w and not phrase_at[0] <= i < phrase_at[1]
    ]
    return all(frame_word(w) for w in rest)


def _elsewhere(block: _Block, phrase_at: tuple[int, int]) -> list[str]:
    """The unbiased words around ``block``, less those the phrase at ``phrase_at`` shares with
    the unbiased text ("Gasoline" of "cost to go Gasoline" is the phrase's own word)."""
    around = list(block.u_elsewhere)
    for word in block.b_norm[phrase_at[0] : phrase_at[1]]:
        if word in around:
            around.remove(word)
    return around


@dataclass(frozen=True)
class _Refusal:
    """Why the guard kept the unbiased words of a block; ``phrase`` is set when it refused a
    catalog phrase on sound alone, which the decoder's scores may overrule."""

    reason: str
    phrase: str | None = None
    similarity: float = 0.0


@dataclass(frozen=True)
class _Block:
    """A differing stretch: the unbiased words, and where it lies in the biased words."""

    u_span: list[str]
    b_norm: list[str]
    b_range: tuple[int, int]
    u_elsewhere: list[str]  # the unbiased words around the block


def _cased(out: list[str], u_token: str, b_tokens: list[str], j: int) -> str:
    """The biased spelling of a word both passes heard (not a catalog's), unless its capital
    only marks where the biased sentence began and the merged text goes on there ("No, but
    Please."): the decoder that scores the merged text reads it as a new sentence."""
    b_token = b_tokens[j]
    if b_token == u_token or b_token.lower() != u_token.lower():
        return b_token
    moved = _opens_sentence(b_tokens, j) and not _opens_sentence(out, len(out))
    return u_token if moved else b_token


def _opens_sentence(tokens: list[str], i: int) -> bool:
    return i == 0 or tokens[i - 1].endswith((".", "!", "?"))

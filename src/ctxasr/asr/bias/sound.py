"""How alike heard words and a catalog phrase sound, and when likeness is no evidence.

The guard and the spell check judge a catalog phrase against the words the unbiased pass heard
by the same three rules: the best-matching run of heard words, confident dictionary words that
need more likeness than chance, and homophones of heard words, which count for nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from ctxasr.asr.bias.options import BiasOptions
from ctxasr.asr.bias.spans import blocks
from ctxasr.context.index import ANSWER_FILLERS
from ctxasr.context.phonetics import VOWELS, Pronouncer, similarity
from ctxasr.text import contains_phrase, words

# The syllable rule judges readings that drop at least this many of the text's words; one
# that drops fewer respells them, and the extent of a short answer's speech is the least sure.
_DROPPED_WORDS = 3


class Likeness:
    """Phone-level likeness judgements under one set of options."""

    def __init__(self, pronouncer: Pronouncer, options: BiasOptions) -> None:
        self.pronouncer = pronouncer
        self.options = options

    def best_match(self, u_words: list[str], b_words: list[str]) -> tuple[float, list[str]]:
        """The run of unbiased words that sounds most like the biased words, and how much."""
        b_sound = self.pronouncer.phrase(" ".join(b_words))
        best, heard = -1.0, u_words
        for first in range(len(u_words)):
            for last in range(first + 1, len(u_words) + 1):
                run = u_words[first:last]
                sound = similarity(self.pronouncer.phrase(" ".join(run)), b_sound)
                if sound > best:
                    best, heard = sound, run
        return best, heard

    def reads_the_speech(self, text: str, reading: str, speech_s: float) -> bool:
        """Whether ``reading``, in place of ``text``, leaves no stretch of the speech unread
        (``BiasOptions.min_syllables_per_s``): its words that differ from the text's must
        have that many syllables a second of the speech the text's differing words take, their
        share of the text's syllables of ``speech_s``. A few words cannot be all that an
        eight-second sentence said, nor stand for twenty words of a thirty-second window."""
        rate = self.options.min_syllables_per_s
        if rate is None:
            return True
        heard, read = words(text), words(reading)
        unread, said = [], []
        for equal, (i1, i2), (j1, j2) in blocks(heard, read):
            if not equal:
                unread += heard[i1:i2]
                said += read[j1:j2]
        if len(unread) - len(said) < _DROPPED_WORDS:
            return True  # a respelling: a short answer in a long, noisy recording is one too
        # Counted only here: every merge and every pick is asked, and few drop words.
        total = self.syllables(" ".join(heard))
        if total == 0:
            return True
        span_s = speech_s * self.syllables(" ".join(unread)) / total
        return self.syllables(" ".join(said)) >= rate * span_s

    def syllables(self, text: str) -> int:
        """The most syllables (vowels) of any pronunciation of ``text``: a word of digits
        may also be read as its letters ("21st" as "st")."""
        readings = self.pronouncer.phrase(text)
        return max((sum(phone in VOWELS for phone in reading) for reading in readings), default=0)

    def alike_enough(self, sound: float, named: bool) -> bool:
        """Whether a catalog phrase ``sound`` alike may stand for the heard words at all: an
        option the assistant just named, being an expected answer, needs less."""
        options = self.options
        return sound >= (
            options.named_transplant_similarity if named else options.transplant_similarity
        )

    def overruled(
        self, heard: list[str], nbest: list[list[str]], sound: float, named: bool
    ) -> bool:
        """Whether confident words (``protected``) stand against a phrase only ``sound`` alike."""
        options = self.options
        bar = options.named_protected_similarity if named else options.protected_similarity
        return sound < bar and self.protected(heard, nbest)

    def protected(self, heard: list[str], nbest: list[list[str]]) -> bool:
        """Whether ``heard`` are dictionary words that most of the unbiased n-best agrees on."""
        if not all(self.pronouncer.in_lexicon(w) for w in heard):
            return False  # an invented spelling is evidence of a name, not of a word
        support = sum(contains_phrase(h, heard) for h in nbest) / max(1, len(nbest))
        return support >= self.options.protect_support

    def heard_for_sure(self, norm: list[str], nbest: list[list[str]]) -> bool:
        """Whether the words ``norm`` of a reply, answer fillers aside, were heard for sure
        (``protected``): "Stop." is a reply of its own, not a name misheard."""
        said = [w for w in norm if w and w not in ANSWER_FILLERS]
        return bool(said) and self.protected(said, nbest)

    def near_homophones(self, word: str, other: str) -> bool:
        """Whether two words sound at least evidence_similarity alike ("car" and "Carr"): the
        audio cannot tell them apart."""
        sound = similarity(self.pronouncer.phrase(word), self.pronouncer.phrase(other))
        return sound >= self.options.evidence_similarity

    def heard_as_words(self, heard: list[str], phrase_words: list[str]) -> bool:
        """Whether every word of a catalog phrase is a heard dictionary word or pronounced
        exactly like one ("Will Wright" for "will write"): the audio cannot tell the entry from
        the words, only where they stand can. A near homophone ("Uniform" for "uniformed",
        0.89 alike) is left to the likeness rules: the audio tells them apart a little."""
        lexical = [h for h in heard if self.pronouncer.in_lexicon(h)]
        return bool(phrase_words) and all(
            any(p_word == h_word or self._pronounced_alike(p_word, h_word) for h_word in lexical)
            for p_word in phrase_words
        )

    def _pronounced_alike(self, word: str, other: str) -> bool:
        return bool(set(self.pronouncer.phrase(word)) & set(self.pronouncer.phrase(other)))

    def rest_sounds_alike(
        self, heard: list[str], phrase_words: list[str], elsewhere: Sequence[str] = ()
    ) -> bool:
        """When a word of the phrase is a (near) homophone of a heard dictionary word ("Linh
        Marshall" for "play a martial", "Declan Bauer" for "turn the power off"), that word is
        no evidence (evidence_similarity): the rest must sound alike on its own, beyond chance
        (protected_similarity). A homophone heard ``elsewhere`` in the sentence counts too:
        "Zofia Carr to the car." took "Carr" from the "car" it kept."""
        for p_word in phrase_words:
            for h_word in [*heard, *elsewhere]:
                if not self.pronouncer.in_lexicon(h_word):
                    continue
                if not self.near_homophones(p_word, h_word):
                    continue
                rest_p = " ".join(w for w in phrase_words if w != p_word)
                rest_h = " ".join(w for w in heard if w != h_word)
                if not rest_p:
                    # The phrase is that homophone, which the homophone rule judges, unless
                    # the span also holds other words it would drop ("5, 5" is no "Five").
                    return h_word not in heard or _fillers_beside(heard, h_word)
                alike = similarity(self.pronouncer.phrase(rest_p), self.pronouncer.phrase(rest_h))
                return bool(rest_h) and alike >= self.options.protected_similarity
        return True


def _fillers_beside(heard: list[str], word: str) -> bool:
    """Whether every heard word but one ``word`` is an answer filler ("the power" for "Bauer")."""
    rest = list(heard)
    rest.remove(word)
    return all(w in ANSWER_FILLERS for w in rest)

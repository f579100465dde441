"""What the biasing steps hand each other and the recognizer: typed readings and verdicts."""

from __future__ import annotations

from dataclasses import dataclass

from ctxasr.context.index import IndexedPhrase
from ctxasr.text import words

# Kept after an entry read in a request frame, as they were said; no frame of their own.
POLITE_WORDS = frozenset({"please", "thanks"})


@dataclass(frozen=True)
class EntityMatch:
    catalog: str
    phrase: str  # the catalog's spelling, as it now stands in the text
    start: int  # character span in the recognised text
    end: int
    score: float  # 1.0 for an exact match, else the phonetic similarity
    respelled_from: str | None = None  # what the decoder had written, when respelled


@dataclass(frozen=True)
class Alternative:
    """A reading of the window with one span respelled as a catalog phrase."""

    text: str
    heard: str  # the words of the text it replaces
    phrase: IndexedPhrase
    similarity: float  # how alike the phrase and the heard words sound
    named: bool  # an option the assistant just named
    # A span of the biased pass that the guard refused on sound alone: it must convince the
    # decoder both with the context and without it.
    contested: bool = False
    # A catalog phrase already in the text traded for another: which of two entries was said
    # is a question for the audio, so the decoder must prefer it with and without the prompt.
    swapped: bool = False
    # It drops a word of the text that spells a catalog phrase ("Schmidt." -> "Hamid."): it
    # trades a name for a name, which only the stricter rules may do.
    drops_a_name: bool = False
    # The words it replaces are dictionary words that the unbiased n-best agrees on
    # (``Likeness.protected``): the recogniser was sure of them ("Stop." for "Stumptown").
    over_sure_words: bool = False
    # The whole utterance read as this entry, whatever the words heard: an option of the
    # assistant's question, or a small catalog's entry in the text's request frame. Only the
    # audio may vouch for it, so it is judged by its own rules alone. ``short_answer``: the
    # reading is only the words that tell the option apart, as a short reply gives it, or the
    # entry in the frame, and the heard words neither were heard for sure nor sound like it.
    whole_answer: str | None = None
    short_answer: bool = False
    # Such an entry or option put in the text's request frame (``bias.framed``): a guess at the
    # whole utterance around its heard frame, not a reading of the heard words it replaces.
    framed: bool = False
    # Such an entry found by searching a large catalog after the frame: one of thousands the
    # decoder ranked, so it may also win by a clear lead over the others (``Verdict``).
    searched: bool = False

    @property
    def stands_alone(self) -> bool:
        """Whether the reading is its phrase alone ("Golf.", "Golf, please."): no heard word
        of a frame around it vouches for it."""
        said = [w for w in words(self.text) if w not in POLITE_WORDS]
        return said == words(self.phrase.text)

    @property
    def plain_checked(self) -> bool:
        """Whether it must also hold when the decoder is scored without the context prompt."""
        return self.contested or self.swapped or self.whole_answer is not None


@dataclass(frozen=True)
class AudioChecks:
    """Which further scores a reading needs, beside its gain with the context prompt."""

    plain: bool  # its gain without the prompt
    prior: bool  # its gain with neither prompt nor audio (the language prior)


@dataclass(frozen=True)
class Scored:
    """What the decoder makes of an alternative against the current text: log-prob gains
    (nats) with the context prompt, without it, and without it or the audio (its language
    prior). The last two are measured only where ``ContextBiaser.audio_checks`` asks: the plain
    gain for readings that must hold without the prompt and for named options that narrowly
    lose with it; the prior for those of them (less swaps) that differ from the text in one
    span (see ``in_one_span``)."""

    alternative: Alternative
    gain: float
    plain_gain: float | None = None
    prior_gain: float | None = None

    @property
    def heard_gain(self) -> float | None:
        """The plain gain with the language prior taken out: what the audio adds."""
        if self.plain_gain is None or self.prior_gain is None:
            return None
        return self.plain_gain - self.prior_gain


@dataclass(frozen=True)
class Merged:
    text: str
    transplanted: tuple[str, ...]  # biased spans taken over the unbiased words
    reason: str
    contested: tuple[Alternative, ...] = ()  # readings with one refused span put back
    biased: str = ""  # the chosen biased reading, spelled as the catalogs spell it


@dataclass(frozen=True)
class Choice:
    """A short answer to the assistant's question, respelled as the option it sounds like."""

    text: str
    option: str  # the entry chosen, as the catalog spells it
    heard: str  # the words of the answer that now spell it
    similarity: float  # how alike they sound to the words that tell the option apart

"""What the assistant's last turn makes an expected answer.

After "Do you mean Meg Jones or Meg Bauer?" the two options are expected, and so is a part of
one ("Bauer.") standing as a short answer; a part both options share ("Meg.") chooses neither.
Every step asks these questions, so they are answered in one place.
"""

from __future__ import annotations

from functools import cached_property

from ctxasr.asr.bias.frames import frame_word, request_word
from ctxasr.asr.bias.options import BiasOptions
from ctxasr.context.index import ANSWER_WORDS, IndexedPhrase
from ctxasr.context.plan import NAMED_IN_LAST_TURN, SHARES_WORDS_WITH_LAST_TURN, ContextPlan
from ctxasr.text import contains_phrase, words

# Before an entry's homophones, a subject makes them a clause ("I will write"), not an answer.
SUBJECTS = frozenset(["i", "you", "he", "she", "it", "we", "they"])


class Expectations:
    """The answers one plan's last assistant turn invites (computed once per plan, lazily)."""

    def __init__(self, plan: ContextPlan, options: BiasOptions) -> None:
        self.plan = plan
        self.options = options

    def named(self, *phrases: IndexedPhrase) -> bool:
        """Whether one of ``phrases`` (the entries spelled one way) is an option the assistant
        just named, or shares words with its last turn: an expected answer."""
        return any(self.plan.phrase_relevance(p) >= SHARES_WORDS_WITH_LAST_TURN for p in phrases)

    @cached_property
    def question(self) -> bool:
        """Whether the assistant's last turn is a question (its named entries: options)."""
        last = self.plan.context.last_turn("assistant")
        return last is not None and last.text.rstrip().endswith("?")

    @cached_property
    def asks_options(self) -> bool:
        """Whether the last turn is a question that offers two or more entries to choose from."""
        return self.question and len(self.offered_options) >= 2

    @cached_property
    def only_offered(self) -> bool:
        """Whether only the options may be the answer to the last turn (``unoffered``)."""
        return self.options.only_offered_entries and self.asks_options

    @cached_property
    def offered(self) -> tuple[IndexedPhrase, ...]:
        """The phrases of the entries the assistant just named."""
        index, plan = self.plan.index, self.plan
        return tuple(p for p in index.phrases if plan.phrase_relevance(p) >= NAMED_IN_LAST_TURN)

    @cached_property
    def offered_options(self) -> tuple[str, ...]:
        """The entries the assistant just named, each once."""
        return tuple(dict.fromkeys(map(self.option, self.offered)))

    @cached_property
    def offered_catalogs(self) -> frozenset[str]:
        """The catalogs of the entries the assistant just named."""
        return frozenset(p.catalog for p in self.offered)

    @cached_property
    def offered_entries(self) -> tuple[list[str], ...]:
        """The words of each entry the assistant just named."""
        return tuple(words(entry) for entry in self.offered_options)

    def option(self, phrase: IndexedPhrase) -> str:
        """The entry the assistant just named that holds ``phrase`` ("Esi Novak" for "Novak"
        after "Esi Bergstrom or Esi Novak?"), or its first entry when it named none."""
        named = (e for e in phrase.entries if self.plan.relevance_of(e) >= NAMED_IN_LAST_TURN)
        return next(named, phrase.entry)

    @cached_property
    def _shared_words(self) -> frozenset[str]:
        """The words every entry the assistant just named holds (two entries or more)."""
        entries = self.offered_entries
        if len(entries) < 2:
            return frozenset()
        return frozenset(entries[0]).intersection(*entries[1:])

    def telling_words(self, entry: str) -> list[str]:
        """The words of ``entry`` that tell it from the other options just named: "Bauer" of
        "Meg Bauer" after "Meg Jones or Meg Bauer?" (all its words when none or all are shared)."""
        entry_words = words(entry)
        telling = [w for w in entry_words if w not in self._shared_words]
        return telling or entry_words

    def answer_positions(self, tokens: list[str]) -> set[int]:
        """Indexes of the words of ``tokens`` that already answer the question with options:
        an option's telling words standing as a short answer ("Tran" of "Tran, please." after
        "Omar Dubois or Omar Tran?"). The answer is given; no other entry is read there."""
        if not self.asks_options:
            return set()
        found = set[int]()
        for entry in self.offered_options:
            telling = self.telling_words(entry)
            for start in range(len(tokens) - len(telling) + 1):
                at = (start, start + len(telling))
                if tokens[at[0] : at[1]] == telling and self.is_answer(tokens, at):
                    found.update(range(*at))
        return found

    def unoffered(self, phrase: IndexedPhrase, tokens: list[str], at: tuple[int, int]) -> bool:
        """Whether ``phrase``, standing at ``at`` of ``tokens``, is an entry of the options'
        catalogs that the question did not offer, or a part of one given as a short answer:
        after "Do you mean Meg Jones or Meg Bauer?" the answer is one of the two, or neither
        (``BiasOptions.only_offered_entries``)."""
        if not self.only_offered or phrase.catalog not in self.offered_catalogs:
            return False
        phrase_words = words(phrase.text)
        if any(contains_phrase(entry, phrase_words) for entry in self.offered_entries):
            return False
        return phrase.whole or self.is_answer(tokens, at)

    def welcome(self, phrase: str, tokens: list[str], at: tuple[int, int]) -> bool:
        """Whether the catalog phrase ``phrase`` may stand at ``at`` of ``tokens``: whole
        entries anywhere, and parts of several words ("Oral Roberts" of "Oral Roberts
        University": a run of an entry's words that a sentence does not hold by chance); a
        one-word part only of an entry the dialogue mentions, as (most of) a short answer
        ("Marshall" is a word of "martial arts" too); and never a part that every option just
        named shares."""
        matches = self.plan.index.exact(phrase)
        if any(m.whole for m in matches):
            return True
        if len(words(phrase)) > 1:
            return not self.answers_nothing(phrase)
        if not any(self.plan.phrase_relevance(m) > 0 for m in matches):
            return False
        return self.answers(phrase, tokens, at)

    def answers(self, part: str, tokens: list[str], at: tuple[int, int]) -> bool:
        """Whether ``part``, standing at ``at`` of ``tokens``, is a short answer that chooses
        among the options (see ``is_answer`` and ``answers_nothing``)."""
        return self.is_answer(tokens, at) and not self.answers_nothing(part)

    def answers_nothing(self, part: str) -> bool:
        """Whether every option the assistant just named (two or more) holds ``part``: after
        "Hana Aguilar or Hana Haddad?", "Hana." would choose neither, so it is no answer."""
        entries, part_words = self.offered_entries, words(part)
        return len(entries) >= 2 and all(contains_phrase(e, part_words) for e in entries)

    def is_answer(self, tokens: list[str], at: tuple[int, int]) -> bool:
        """The words at ``at`` stand in a short utterance of answer fillers and hedges, at an
        edge ("the one with Bauer", "Bauer, I think") or between them ("the Bauer one"); an
        option turned down ("not Jones") is one of them too ("Bauer, not Jones.")."""
        others = [w for i, w in enumerate(tokens) if w and not at[0] <= i < at[1]]
        return len(others) <= self.options.part_answer_words and all(
            w in ANSWER_WORDS or self._turned_down(others, k) for k, w in enumerate(others)
        )

    def _turned_down(self, others: list[str], k: int) -> bool:
        """Whether ``others[k]`` is a word an option is told apart by, after "not"."""
        before = next((w for w in reversed(others[:k]) if w not in self._telling_vocabulary), "")
        return others[k] in self._telling_vocabulary and before == "not"

    @cached_property
    def _telling_vocabulary(self) -> frozenset[str]:
        """The words that tell the options just named apart ("jones", "bauer")."""
        return frozenset(w for entry in self.offered_options for w in self.telling_words(entry))

    def asked_for(self, tokens: list[str], at: tuple[int, int]) -> bool:
        """Whether the words at ``at`` of ``tokens`` stand where an utterance names an entry:
        after a request's frame ("message", "can you call", "take me to"), or an imperative
        verb the frame words do not list ("remind", "invite"), or as an answer, among answer
        fillers and catalog words ("Meg Power, please.", "Alpha, Bravo."), with no subject
        before them. "I will write (it down)." asks for no "Will Wright"."""
        before = [w for w in tokens[: at[0]] if w]
        after = [w for w in tokens[at[1] :] if w]
        requested = any(map(request_word, before))
        if SUBJECTS.intersection(before):
            return requested and all(map(frame_word, before))
        # The first word may be any verb: an imperative ("remind X about lunch").
        if before and all(map(frame_word, before[1:])) and (requested or not frame_word(before[0])):
            return True
        return all(map(self._answer_word, before)) and all(map(self._answer_word, after))

    def _answer_word(self, word: str) -> bool:
        return word in ANSWER_WORDS or word in self.plan.index.entry_words

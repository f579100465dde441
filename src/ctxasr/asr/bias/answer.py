"""The answer check: a question's options stay out of an utterance that is about something else.

After "Which Niamh: Niamh Chukwu or Niamh Wright?" a reply is an option, perhaps wrapped in a
request ("call Niamh Wright, please", "the second one"). "Should I turn right at the light?" is
no reply, yet it holds a word that sounds like an option, and the prompt makes the decoder
spell it so: "Show Niamh Wright after the light." What gives it away is the rest of the text:
"light" is a content word that neither the dialogue, nor a request, nor grammar explains. So
when a window's text newly names an option of a question and the words outside its catalog
phrases hold such a word, the unbiased text stands.

A reply also names the option it sounds like. After "Do you mean Amara Fitzgerald or Amara
Marshall?", "Play a martial arts movie." sounds far more like the second option than the first,
so a text that names the first ("Play Amara Fitzgerald.") is the prompt's taste, not the audio:
when another option of the question sounds clearly more like the unbiased words than the one
named, the unbiased text stands too. Options are compared by the words that tell them apart
(the surnames of "Amara Fitzgerald or Amara Marshall").

A listing ("I found Arco, Shell and Valero.") is no question: the reply to it is a request of
its own ("how do I get to Shell?"), whose words a recogniser often garbles ("reactions to
Shell"), so the check is kept to questions.
"""

from __future__ import annotations

from ctxasr.asr.bias.expectations import Expectations
from ctxasr.asr.bias.frames import frame_word
from ctxasr.asr.bias.options import BiasOptions
from ctxasr.asr.bias.sound import Likeness
from ctxasr.asr.bias.spans import catalog_positions
from ctxasr.context.index import IndexedPhrase
from ctxasr.text import contains_phrase, words


class AnswerCheck:
    """Whether a text that newly names an option of the assistant's question is a reply to it."""

    def __init__(self, expect: Expectations, likeness: Likeness) -> None:
        self.expect = expect
        self.likeness = likeness
        self.options: BiasOptions = likeness.options
        plan = expect.plan
        last = plan.context.last_turn("assistant")  # the turn whose options are ``offered``
        self.asks = last is not None and last.text.rstrip().endswith("?")
        self.said = frozenset(w for text in plan.turn_texts for w in words(text))

    def objection(self, text: str, unbiased: str) -> str | None:
        """Why ``text``, newly naming an option of the assistant's question, is no reply to it
        (None when it may be one): words about something else, or a likelier option."""
        tokens, heard = words(text), words(unbiased)
        new = self._new_options(tokens, heard)
        unexplained = self._unexplained(tokens, new)
        if unexplained:
            return f"no reply to the question ({', '.join(unexplained)})"
        rival = self._likelier(heard, new)
        if rival is not None:
            return f"the words sound more like another option ({rival})"
        return None

    def unexplained(self, text: str, unbiased: str) -> list[str]:
        """The words of ``text`` that show it is no reply to the question whose option it newly
        names (more than ``max_unexplained_words`` of them); empty when it may be one."""
        tokens = words(text)
        return self._unexplained(tokens, self._new_options(tokens, words(unbiased)))

    def likelier_option(self, text: str, unbiased: str) -> str | None:
        """Another option of the question that sounds at least ``rival_option_margin`` more like
        the unbiased words than an option ``text`` newly names; None when there is none."""
        heard = words(unbiased)
        return self._likelier(heard, self._new_options(words(text), heard))

    def _unexplained(self, tokens: list[str], new: list[IndexedPhrase]) -> list[str]:
        limit = self.options.max_unexplained_words
        if limit is None or not new:
            return []
        covered = catalog_positions(self.expect.plan.index, tokens)
        found = [w for i, w in enumerate(tokens) if i not in covered and not self._explained(w)]
        return found if len(found) > limit else []

    def _likelier(self, heard: list[str], new: list[IndexedPhrase]) -> str | None:
        """Whole entries are compared, whichever part of one the text holds, by the words that
        tell them apart: "Turn the power off." is far more like "Bauer" than "Papadopoulos",
        while the "Grainne" both share only dilutes the difference."""
        margin = self.options.rival_option_margin
        if margin is None or not heard:
            return None
        named = {
            p.entry
            for p in new
            if p.whole or not self.expect.answers_nothing(p.text)  # "Niamh" of "Niamh X or Y"
        }
        if not named:
            return None
        options = dict.fromkeys(p.entry for p in self.expect.offered)
        telling = self.expect.telling_words
        sounds = {entry: self.likeness.best_match(heard, telling(entry))[0] for entry in options}
        for entry in named:
            rival = max((e for e in options if e != entry), key=sounds.__getitem__, default=None)
            if rival is not None and sounds[rival] >= sounds[entry] + margin:
                return rival
        return None

    def _new_options(self, text_words: list[str], unbiased_words: list[str]) -> list[IndexedPhrase]:
        """The options of the question (if the last assistant turn is one) that the text names
        and the unbiased words do not: the ones the context put there."""
        if not self.asks:
            return []
        return [
            p
            for p in self.expect.offered
            if contains_phrase(text_words, pw := words(p.text))
            and not contains_phrase(unbiased_words, pw)
        ]

    def _explained(self, word: str) -> bool:
        return word in self.said or word.isdigit() or frame_word(word)

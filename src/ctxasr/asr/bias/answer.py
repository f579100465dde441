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

Nor does a reply name another entry of the options' catalogs that the unbiased words did not:
after "Do you mean Meg Jones or Meg Bauer?" the answer is one of the two (or neither), so a
contact the assistant did not offer, newly in the text, is the prompt's echo of the address
book ("Show me homes for sale nearby." read "... Niamh Nguyen."), and the unbiased text stands.

A listing ("I found Arco, Shell and Valero.") is no question: the reply to it is a request of
its own ("how do I get to Shell?"), whose words a recogniser often garbles ("reactions to
Shell"), so the check is kept to questions.

The other way round, a short answer that names no option may still be one: "That mood,
please." after "Linh O'Sullivan or Linh Mahmoud?" is a choice among a few, like the
canonicaliser's unknown spellings ("The one with Gatmaris."), even though its words are in the
lexicon. When the answer's words sound clearly like one option (by the words that tell the
options apart, offered_respell_similarity alike and offered_respell_margin ahead of the others)
they are respelled as that option.

And a short answer may come out as a sentence: given well under a second of audio, Whisper
often writes a likely sentence that shares nothing with the name ("Now let's take a look at
this." for "Gallagher."), beyond the reach of any respelling of its words. So a text that names
no option is also read as each option alone, for the decoder to judge (``Verdict``). The words
that tell an option apart are also a *short answer*, which the audio may choose among the few
options on weaker evidence: not when the unbiased n-best agrees on the text's words ("Stop." is
a reply of its own), nor when they sound like the option (the choice above judges those).
"""

from __future__ import annotations

from dataclasses import replace

from ctxasr.asr.bias.expectations import Expectations
from ctxasr.asr.bias.framed import frame_cuts
from ctxasr.asr.bias.frames import frame_word
from ctxasr.asr.bias.options import BiasOptions
from ctxasr.asr.bias.readings import Alternative, Choice
from ctxasr.asr.bias.sound import Likeness
from ctxasr.asr.bias.spans import (
    SPLIT_WORDS,
    catalog_positions,
    prefer_whole,
    respelled,
    spans,
)
from ctxasr.context.index import ANSWER_WORDS, IndexedPhrase
from ctxasr.context.phonetics import similarity
from ctxasr.text import contains_phrase, normalize, words


class AnswerCheck:
    """Whether a text that newly names an option of the assistant's question is a reply to it."""

    def __init__(self, expect: Expectations, likeness: Likeness) -> None:
        self.expect = expect
        self.likeness = likeness
        self.options: BiasOptions = likeness.options
        self.asks = expect.question
        self.said = frozenset(w for text in expect.plan.turn_texts for w in words(text))

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
        stranger = self._unoffered(tokens, heard)
        if stranger is not None:
            return f"names an entry the question did not offer ({stranger})"
        return None

    def unexplained(self, text: str, unbiased: str) -> list[str]:
        """The words of ``text`` that show it is no reply to the question whose option it newly
        names (more than ``max_unexplained_words`` of them); empty when it may be one."""
        tokens = words(text)
        return self._unexplained(tokens, self._new_options(tokens, words(unbiased)))

    def choice(self, text: str) -> Choice | None:
        """``text``, a short answer to the question that names none of its options, with its
        words respelled as the option they sound clearly like (None: no such option). How
        sure the recogniser was of the words does not matter: it is often sure of English
        words a formant voice never said ("Not on Europe." for "Nakamura."), and words it
        heard right ("Never mind.") do not sound clearly like one option."""
        tokens = text.split()
        norm = [normalize(t) for t in tokens]
        telling = self._options_unnamed_in(norm)
        if telling is None:
            return None
        content_at = [i for i, w in enumerate(norm) if w and w not in ANSWER_WORDS]
        if not content_at:
            return None
        content = (content_at[0], content_at[-1] + 1)
        best: Choice | None = None
        longest = max(map(len, telling.values())) + SPLIT_WORDS
        for at in self._answer_spans(norm, content, longest):
            heard = [w for w in norm[at[0] : at[1]] if w]
            found = self._clear_option(heard, telling)
            if found is not None and (best is None or found[1] > best.similarity):
                reading = respelled(tokens, at, _spelled(found[0], telling[found[0]]))
                best = Choice(reading, found[0], " ".join(heard), found[1])
        return best

    def whole_readings(self, text: str, nbest: list[list[str]]) -> list[Alternative]:
        """``text`` read whole as each option of the question (the entry, and the words that
        tell it apart), when it names none of them; none when the question offers fewer than
        two options or these readings are off. The telling words alone are also a *short
        answer* (``Verdict``) unless the unbiased n-best ``nbest`` agrees on the text's words
        or they hold a near homophone of them."""
        options = self.options
        if options.whole_answer_margin is None and options.short_answer_loss is None:
            return []
        norm = words(text)
        telling = self._options_unnamed_in(norm)
        if not norm or telling is None:
            return []
        said = " ".join(norm)
        heard = self.likeness.pronouncer.phrase(said)
        short = options.short_answer_loss is not None and not self.likeness.heard_for_sure(
            norm, nbest
        )
        found = []
        for entry, its_telling in telling.items():
            brief = _spelled(entry, its_telling)
            sounded = short and self._sounds_like(norm, its_telling)
            for reading in dict.fromkeys([entry, brief]):
                spelled_so = self.expect.plan.index.exact(reading)
                if not spelled_so:
                    continue
                phrase = prefer_whole(spelled_so)
                alike = similarity(heard, phrase.prons)
                short_answer = short and reading == brief and not sounded
                found.append(
                    Alternative(
                        f"{reading}.",
                        said,
                        phrase,
                        alike,
                        True,
                        whole_answer=entry,
                        short_answer=short_answer,
                    )
                )
        return found

    def framed_readings(self, text: str, answers: list[Alternative]) -> list[Alternative]:
        """Each short answer among ``answers`` (``whole_readings`` of ``text``) also in the
        text's request frame ("The one with Lefebvre." for "The one with your data.",
        "Achterberg, please." for "Back to our break, please."), judged as the short answer
        is; none when framed readings are off (``frame_entry_limit``)."""
        if self.options.frame_entry_limit is None:
            return []
        # The bare cut is the short answer itself.
        cuts = [cut for cut in frame_cuts(text) if cut.frame or cut.polite]
        return [
            replace(
                answer,
                text=cut.reading(answer.text.removesuffix(".")),
                heard=cut.heard,
                framed=True,
            )
            for answer in answers
            if answer.short_answer
            for cut in cuts
        ]

    def _sounds_like(self, norm: list[str], telling: list[str]) -> bool:
        """Whether a word of the text is a near homophone of one of the option's telling words
        ("car" of "Carr", evidence_similarity): the answer choice's case, not a sentence heard
        in place of a name."""
        return any(self.likeness.near_homophones(w, t) for w in norm if w for t in telling)

    def _options_unnamed_in(self, norm: list[str]) -> dict[str, list[str]] | None:
        """The question's options, each with the words that tell it apart, when it offers two
        or more and the words ``norm`` name none of them (None otherwise: an answer that names
        one the other steps have judged)."""
        if not self.expect.asks_options:
            return None
        telling = {entry: self.expect.telling_words(entry) for entry in self.expect.offered_options}
        if any(contains_phrase(norm, t) for t in telling.values()):
            return None
        return telling

    def _answer_spans(
        self, norm: list[str], content: tuple[int, int], max_words: int
    ) -> list[tuple[int, int]]:
        """The runs of ``norm`` that hold its ``content`` run and perhaps answer fillers beside
        it, reaching an edge of the text ("that mood" and "mood please" of "that mood please":
        the filler before a name may be part of it), at most ``max_words`` long, each a short
        answer (``Expectations.is_answer``)."""
        first, last = content
        found = []
        for start in range(first + 1):
            for end in range(last, len(norm) + 1):
                heard = [w for w in norm[start:end] if w]
                at_edge = start == 0 or end == len(norm)
                if not (heard and at_edge and len(heard) <= max_words):
                    continue
                if self.expect.is_answer(norm, (start, end)):
                    found.append((start, end))
        return found

    def _clear_option(
        self, heard: list[str], telling: dict[str, list[str]]
    ) -> tuple[str, float] | None:
        """The option whose telling words sound most like ``heard``, when clearly (the
        canonicaliser's bar for a choice among offered options)."""
        pronounce = self.likeness.pronouncer.phrase
        sound = pronounce(" ".join(heard))
        ranked = sorted(
            ((similarity(sound, pronounce(" ".join(t))), e) for e, t in telling.items()),
            reverse=True,
        )
        (alike, entry), (rival, _) = ranked[0], ranked[1]
        return (entry, alike) if self.options.clear_choice(alike, rival) else None

    def _unexplained(self, tokens: list[str], new: list[IndexedPhrase]) -> list[str]:
        limit = self.options.max_unexplained_words
        if limit is None or not new:
            return []
        # A word of another catalog's entry names nothing ("light" of "Study Ceiling Light"
        # beside the contacts): only whole entries and parts of the options' catalogs count.
        catalogs = self.expect.offered_catalogs
        covered = catalog_positions(self.expect.plan.index, tokens, parts_of=catalogs)
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
            self.expect.option(p)
            for p in new
            if p.whole or not self.expect.answers_nothing(p.text)  # "Niamh" of "Niamh X or Y"
        }
        if not named:
            return None
        options = self.expect.offered_options
        telling = self.expect.telling_words
        sounds = {entry: self.likeness.best_match(heard, telling(entry))[0] for entry in options}
        for entry in named:
            rival = max((e for e in options if e != entry), key=sounds.__getitem__, default=None)
            if rival is not None and sounds[rival] >= sounds[entry] + margin:
                return rival
        return None

    def _unoffered(self, tokens: list[str], heard: list[str]) -> str | None:
        """An entry of the offered options' catalogs, or a part of one given as a short answer
        ("Ciaran, please." after "Omar Dubois or Omar Tran?"), that ``tokens`` name and the
        unbiased words ``heard`` do not (``Expectations.unoffered``)."""
        if not self.expect.only_offered:
            return None
        index = self.expect.plan.index
        for start, end in spans(len(tokens), index.max_words):
            run = tokens[start:end]
            if contains_phrase(heard, run):
                continue
            for phrase in index.exact(" ".join(run)):
                if self.expect.unoffered(phrase, tokens, (start, end)):
                    return phrase.entry
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


def _spelled(entry: str, telling: list[str]) -> str:
    """The words of ``entry`` that tell it apart, as the catalog spells them."""
    return " ".join(w for w in entry.split() if normalize(w) in telling)

"""Step 3b: the decoder's verdict on the spell check's readings.

Each reading comes back with its log-prob gain (nats) over the current text, scored by teacher
forcing with the context prompt; where ``audio_checks`` asks, also without the prompt and with
neither prompt nor audio (the language prior). A plain respelling wins when the decoder
believes it more. A contested reading (a span the guard refused on sound alone) must win
clearly with the prompt and hold without it, or, sounding far beyond chance like the entry,
not be refused by the audio once the language prior is out; a swap (one entry for
another) must win both ways; a named option may win a narrow loss when the audio, the prior
taken out, prefers it; a plain respelling may win a narrow loss when it leads every reading of
another phrase clearly, or, sounding far beyond chance like its phrase, a wider one that the
audio, the prior taken out, does not share; and an option read as the whole utterance must win
clearly with the prompt and lose next to nothing by the audio alone, or, read as the words that
tell it apart (a short answer), be nearly accepted by both and ranked by both above every other
option; so must an entry of a small catalog guessed into the text's request frame (``framed``).
An entry a search of a large catalog found there may instead lead every other found entry
clearly on the two together. Whichever rule picks a reading, a reading of another entry over
the same words that sounds more like them, with evidence no weaker on the same measures,
takes its place; and a respelling alike only by chance that reads an option whole does not
win where the audio refuses that option read whole.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ctxasr.asr.bias.options import BiasOptions
from ctxasr.asr.bias.readings import Alternative, AudioChecks, Scored
from ctxasr.asr.bias.spans import SPLIT_WORDS, blocks
from ctxasr.text import contains_phrase, words

_FRAME_SLACK = 2  # words beside its phrase that a reading may change and keep the frame


class Verdict:
    """Decides, from the decoder's scores, which reading (if any) replaces the text."""

    def __init__(self, options: BiasOptions, options_offered: bool = False) -> None:
        self.options = options
        # The assistant's last turn is a question offering entries to choose from: the answer
        # is one of them, so only those are forgiven a wide loss (``_may_win_alike``).
        self.options_offered = options_offered

    def audio_checks(self, text: str, prompted: Sequence[Scored]) -> list[AudioChecks]:
        """For each reading scored with the prompt, whether ``pick`` also needs its gain
        without the prompt, and its gain without prompt or audio (its language prior)."""
        # A short answer is weighed against every other option's readings by the audio.
        short_in_reach = self._short_answer_in_reach(prompted)
        return [self._checks(text, judged, short_in_reach) for judged in prompted]

    def _checks(self, text: str, judged: Scored, short_in_reach: bool) -> AudioChecks:
        alternative = judged.alternative
        if alternative.whole_answer is not None:  # the whole text is its one span
            margin = self.options.whole_answer_margin
            clear = margin is not None and self._gain(judged) >= margin
            return AudioChecks(clear or short_in_reach, clear or short_in_reach)
        answer = self._may_answer(judged)
        framed = (alternative.contested or answer) and in_one_span(text, alternative)
        # The far-alike rule, and the lead over words heard for sure, ask the audio's consent.
        consent = self._may_win_alike(judged) or self._may_lead_over_sure_words(judged)
        consent = consent and in_one_span(text, alternative)
        return AudioChecks(alternative.plain_checked or answer or consent, framed or consent)

    def _may_lead_over_sure_words(self, judged: Scored) -> bool:
        """A reading the lead rule may pick over words the recogniser was sure of: it needs the
        audio's consent too (``_leading``)."""
        options, alternative = self.options, judged.alternative
        return (
            options.lead_margin is not None
            and alternative.over_sure_words
            and self._may_lead(alternative)
            and -options.lead_loss <= self._gain(judged) <= options.alternative_margin
        )

    def _may_lead(self, alternative: Alternative) -> bool:
        """Whether the lead rule may forgive ``alternative`` a loss at all: a forgivable
        reading that sounds alike beyond chance (protected_similarity)."""
        return (
            _forgivable(alternative) and alternative.similarity >= self.options.protected_similarity
        )

    def _may_win_alike(self, judged: Scored) -> bool:
        """A plain respelling, far more alike than chance, that the prompted decoder refuses
        by at most alike_loss nats: the audio may still decide for it (``_wins_alike``). After
        a question with options, only an option ("Joe, please." is no "Joao, please." after
        "Anouk Lefebvre or Anouk Jones?")."""
        options, alternative = self.options, judged.alternative
        return (
            options.alike_loss is not None
            and _forgivable(alternative)
            and not alternative.over_sure_words
            and (alternative.named or not self.options_offered)
            and alternative.similarity >= options.alike_contest_similarity
            and -options.alike_loss <= self._gain(judged) <= options.alternative_margin
        )

    def _wins_alike(self, judged: Scored) -> bool:
        heard = judged.heard_gain
        return (
            self._may_win_alike(judged)
            and heard is not None
            and heard >= -self.options.alike_heard_loss
        )

    def _may_answer(self, judged: Scored) -> bool:
        """A named option that the prompted decoder refuses by no more than named_answer_loss
        nats (named_prior included): the audio may still decide for it (``_wins_answer``)."""
        alternative, options = judged.alternative, self.options
        if not alternative.named or alternative.plain_checked:
            return False
        gain = judged.gain + options.named_prior
        return -options.named_answer_loss <= judged.gain and gain <= options.alternative_margin

    def pick(self, scored: Sequence[Scored]) -> Alternative | None:
        """The alternative the decoder believes more than the current reading, if any. A
        contested or swapped reading must also hold without the prompt (see ``Scored``); the
        winner gives way to a likelier, more alike reading of another entry (``_rival``)."""
        best: Scored | None = None
        best_gain = -math.inf
        refused = self._refused_whole(scored)
        for judged in scored:
            alternative, gain = judged.alternative, self._gain(judged)
            if _reads_refused(alternative, refused, self.options.protected_similarity):
                continue
            if alternative.whole_answer is not None:
                won = (
                    self._wins_whole_answer(gain, judged)
                    or self._wins_short_answer(gain, judged, scored)
                    or self._leads_search(judged, scored)
                )
            elif alternative.contested:
                won = self._wins_contest(gain, judged)
            elif alternative.swapped:
                won = self._wins_swap(judged)
            else:
                won = (
                    gain > self.options.alternative_margin
                    or self._wins_answer(judged)
                    or self._wins_alike(judged)
                )
            if won and gain > best_gain:
                best, best_gain = judged, gain
        if best is None:
            return self._leading(scored)
        return self._rival(best, scored, refused).alternative

    def _refused_whole(self, scored: Sequence[Scored]) -> set[tuple[str, ...]]:
        """The words of the entries read whole in ``scored`` whose audio, its prior taken out,
        loses more than chance_whole_heard_loss nats on them."""
        bar = self.options.chance_whole_heard_loss
        if bar is None:
            return set()
        return {
            tuple(words(j.alternative.text))
            for j in scored
            if j.alternative.whole_answer and j.heard_gain is not None and j.heard_gain < -bar
        }

    def _rival(
        self, winner: Scored, scored: Sequence[Scored], refused: set[tuple[str, ...]]
    ) -> Scored:
        """``winner``, or the reading of another entry over the same words that sounds more
        like them with evidence no weaker (``BiasOptions.rival_heard_weight``). An option the
        assistant named gives way only to another option."""
        weight = self.options.rival_heard_weight
        if weight is None:
            return winner
        best, best_evidence = winner, self._rival_evidence(winner, winner, weight)
        for judged in scored:
            alternative = judged.alternative
            if alternative.similarity <= winner.alternative.similarity:
                continue
            if winner.alternative.named and not alternative.named:
                continue
            if not _rivals(winner.alternative, alternative):
                continue
            if _reads_refused(alternative, refused, self.options.protected_similarity):
                continue
            evidence = self._rival_evidence(judged, winner, weight)
            if evidence >= best_evidence:
                best, best_evidence = judged, evidence
        return best

    def _rival_evidence(self, judged: Scored, winner: Scored, weight: float) -> float:
        """``judged``'s evidence, on the measures taken of ``winner``; -inf where those of
        ``judged`` differ: a reading the audio was asked about is not compared with one it
        was not."""
        measured = (judged.heard_gain is not None, judged.plain_gain is not None)
        if measured != (winner.heard_gain is not None, winner.plain_gain is not None):
            return -math.inf
        evidence = self._gain(judged)
        if judged.heard_gain is not None:
            return evidence + weight * judged.heard_gain
        if judged.plain_gain is not None:
            return evidence + judged.plain_gain
        return evidence

    def _gain(self, judged: Scored) -> float:
        """The prompted gain, with the named options' head start (named_prior nats)."""
        return judged.gain + (self.options.named_prior if judged.alternative.named else 0.0)

    def _leading(self, scored: Sequence[Scored]) -> Alternative | None:
        """The plain respelling nearly as likely as the text that leads every reading of
        another phrase by lead_margin nats, if any (see ``BiasOptions.lead_loss``). Only a
        reading that sounds alike beyond chance (protected_similarity) is forgiven a loss, and
        not over heard words that are already a homophone of another phrase ("Rossy" is
        "Rossi", whatever the decoder thinks of "Ravi"). Over words the recogniser was sure of,
        the audio must consent as well: with the language prior out it may lose at most
        near_plain_loss nats ("Stop.", heard so by the whole n-best after a listing with
        "Stumptown", lost 10.1 on it; "next week." for "X-ray." after a call for code words,
        1.1)."""
        options = self.options
        plain = [j for j in scored if self._may_lead(j.alternative)]
        if options.lead_margin is None or not plain:
            return None
        best = max(plain, key=self._gain)
        phrase = best.alternative.phrase.text
        # Entries guessed into the request frame read no heard words: they rival nothing here.
        rivals = [
            j for j in scored if j.alternative.phrase.text != phrase and not j.alternative.framed
        ]
        if not rivals:
            return None  # a lone reading leads nothing: no sign that the audio singled it out
        if max(j.alternative.similarity for j in rivals) >= options.homophone_similarity:
            return None  # the heard words already sound like another phrase: a name for a name
        if best.alternative.over_sure_words and not self._consents(best):
            return None
        gain = self._gain(best)
        lead = gain - max(self._gain(j) for j in rivals)
        if gain >= -options.lead_loss and lead >= options.lead_margin:
            return best.alternative
        return None

    def _consents(self, judged: Scored) -> bool:
        """Whether the audio, the language prior taken out, loses at most near_plain_loss
        nats on the reading (False: unmeasured)."""
        heard = judged.heard_gain
        return heard is not None and heard >= -self.options.near_plain_loss

    def _wins_answer(self, judged: Scored) -> bool:
        heard = judged.heard_gain
        return (
            self._may_answer(judged)
            and heard is not None
            and heard >= self.options.named_answer_heard
        )

    def _wins_whole_answer(self, gain: float, judged: Scored) -> bool:
        margin, heard = self.options.whole_answer_margin, judged.heard_gain
        return (
            margin is not None
            and heard is not None
            and gain >= margin
            and heard >= -self.options.whole_answer_heard_loss
        )

    def _short_answer_in_reach(self, batch: Sequence[Scored]) -> bool:
        """Whether a short answer of ``batch`` is within short_answer_loss of the text (a
        searched entry: within search_lead_loss, where the lead rule applies)."""
        options = self.options
        for j in batch:
            if not j.alternative.short_answer:
                continue
            loss = options.short_answer_loss
            if j.alternative.searched and options.search_lead_margin is not None:
                loss = max(loss or 0.0, options.search_lead_loss)
            if loss is not None and self._gain(j) >= -loss:
                return True
        return False

    def _wins_short_answer(self, gain: float, judged: Scored, scored: Sequence[Scored]) -> bool:
        """A short answer's rule: the prompt nearly accepts it, the audio barely refuses it,
        and both rank it above every reading of the other options (``short_answer_loss``)."""
        heard, loss = judged.heard_gain, self.options.short_answer_loss
        if loss is None or not judged.alternative.short_answer or heard is None:
            return False
        if gain < -loss or heard < -self._heard_loss(judged.alternative):
            return False
        return all(
            j.gain <= judged.gain and (j.heard_gain is None or j.heard_gain <= heard)
            for j in _other_options(judged, scored)
        )

    def _leads_search(self, judged: Scored, scored: Sequence[Scored]) -> bool:
        """A searched entry's second rule: its combined evidence (``_evidence``) leads every
        other entry's by search_lead_margin, and neither the prompt nor the audio refuses it
        (``BiasOptions.search_lead_margin``)."""
        options, heard, margin = self.options, judged.heard_gain, self.options.search_lead_margin
        if margin is None or not judged.alternative.searched or heard is None:
            return False
        heard_loss = 0.0 if judged.alternative.stands_alone else options.short_answer_heard_loss
        if judged.gain < -options.search_lead_loss or heard < -heard_loss:
            return False
        evidence = self._evidence(judged)
        return all(evidence >= self._evidence(j) + margin for j in _other_options(judged, scored))

    def _evidence(self, judged: Scored) -> float:
        """The prompted gain plus search_heard_weight times the audio's (-inf: unmeasured)."""
        if judged.heard_gain is None:
            return -math.inf
        return judged.gain + self.options.search_heard_weight * judged.heard_gain

    def _heard_loss(self, alternative: Alternative) -> float:
        """How much a short answer may lose by the audio: an offered option or an entry in a
        heard frame was expected there; an entry standing alone, unasked, was not."""
        if alternative.named or not alternative.stands_alone:
            return self.options.short_answer_heard_loss
        return self.options.bare_entry_heard_loss

    def _wins_swap(self, judged: Scored) -> bool:
        plain_gain = judged.plain_gain
        return (
            plain_gain is not None and judged.gain >= self.options.swap_margin and plain_gain >= 0
        )

    def _wins_contest(self, gain: float, judged: Scored) -> bool:
        options, plain_gain = self.options, judged.plain_gain
        if plain_gain is None:
            return False
        if gain >= options.contest_margin and plain_gain >= -options.contest_plain_loss:
            return True
        if gain >= options.near_margin and plain_gain >= -options.near_plain_loss:
            return True
        heard = judged.heard_gain  # measured only within one frame (``audio_checks``)
        if heard is None:
            return False
        if gain >= options.prior_free_margin and heard >= options.prior_free_gain:
            return True
        # Sounding like the entry far beyond chance, a name heard as English words ("Message
        # had left at birth.") loses its plain score to the decoder's taste for English.
        return (
            judged.alternative.similarity >= options.alike_contest_similarity
            and gain >= options.near_margin
            and heard >= -options.near_plain_loss
        )


def _forgivable(alternative: Alternative) -> bool:
    """Whether a loss with the prompt may be forgiven ``alternative`` (the lead and alike
    rules): a plain respelling (no contest, swap or whole answer, which have rules of their
    own) dropping no name of the text."""
    return not (alternative.plain_checked or alternative.drops_a_name)


def _reads_refused(alternative: Alternative, refused: set[tuple[str, ...]], chance: float) -> bool:
    """Whether ``alternative``, a plain respelling alike to the heard words only by chance
    (under ``chance``), reads as an entry read whole that the audio refused (``refused``):
    "Rania Reid." for "spread me the news." (0.39 alike) won as a respelling on the prompt
    alone while the audio lost 31 nats on it (``BiasOptions.chance_whole_heard_loss``)."""
    plain = not (alternative.contested or alternative.swapped or alternative.whole_answer)
    return plain and alternative.similarity < chance and tuple(words(alternative.text)) in refused


def _rivals(first: Alternative, second: Alternative) -> bool:
    """Whether two readings name different entries over the same words: they differ in one
    run of words, and neither holds the other's phrase."""
    if first.phrase.text == second.phrase.text:
        return False
    one, other = words(first.text), words(second.text)
    if len([b for b in blocks(one, other) if not b[0]]) != 1:
        return False
    return not (
        contains_phrase(other, words(first.phrase.text))
        or contains_phrase(one, words(second.phrase.text))
    )


def _other_options(judged: Scored, scored: Sequence[Scored]) -> list[Scored]:
    """The readings of ``scored`` that read the whole utterance as another option or entry."""
    option = judged.alternative.whole_answer
    return [j for j in scored if j.alternative.whole_answer not in (None, option)]


def in_one_span(text: str, alternative: Alternative) -> bool:
    """Whether ``alternative`` differs from ``text`` in one run of words: its phrase and at
    most _FRAME_SLACK words beside it, for words that a respelling may stand for (the phrase,
    SPLIT_WORDS more, and the slack). Only then does taking the language prior out leave the
    audio's say on the phrase: across two frames it mostly weighs the frames ("We don't play,
    but we don't play." is so likely to the decoder that any other sentence seemed to gain by
    the audio)."""
    reading = words(alternative.text)
    changed = [(i, j) for equal, i, j in blocks(words(text), reading) if not equal]
    if len(changed) > 1:
        return False
    if not changed:
        return True
    (i1, i2), (j1, j2) = changed[0]
    phrase = len(words(alternative.phrase.text))
    return j2 - j1 <= phrase + _FRAME_SLACK and i2 - i1 <= phrase + SPLIT_WORDS + _FRAME_SLACK

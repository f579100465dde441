"""The biasing steps' thresholds, in one frozen dataclass checked in one place."""

from __future__ import annotations

from dataclasses import dataclass

from ctxasr.errors import ConfigError


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
    # Guard: a transplanted span must sound at least this much like what it replaces.
    transplant_similarity: float = 0.4
    # Guard: dictionary words that this share of the unbiased n-best agrees on are taken as
    # heard; a catalog phrase must sound at least protected_similarity like them to replace them.
    # 0.45 lies above the 75th percentile of chance likeness (random word runs vs random names:
    # 0.32-0.42 for 1-4 words); a small model is often sure of words that were never said
    # ("Cut your ears" for "Khachapuri"), so the bar is chance, not near-homophony.
    protect_support: float = 0.8
    protected_similarity: float = 0.45
    # Guard: the options the assistant just named are expected answers, so they need less.
    named_transplant_similarity: float = 0.3
    named_protected_similarity: float = 0.35
    # Guard: a part of an entry (a surname alone) only stands in a short answer: with at most
    # this many other words, all of them answer fillers ("the one with", "the ... one, please").
    part_answer_words: int = 3
    # Spell check: at most this many readings with a sound-alike catalog phrase (at least
    # transplant_similarity alike) are scored. One wins when its log-probability (nats, summed
    # over the reading) beats the current text's by more than alternative_margin; the options
    # the assistant just named get named_prior nats of head start, being expected answers.
    # 0 turns the decoder's scoring off: no spell check and no contests (below).
    max_alternatives: int = 8
    alternative_margin: float = 0.0
    named_prior: float = 1.0
    # ... and with several catalogs, a reading of a catalog's phrase is scored with the prompt
    # that catalog would give alone (the turns and its own entries): the catalogs beside it (an
    # address book beside the code words) would only thin the prompt out and move its scores
    # ("Lima." for "Leave them in." -1.0 nats alone, -4.8 beside 18 names). The decoding pass
    # keeps every catalog in its prompt. Off by default: on six copies of the sets with a
    # home's catalogs beside each item it won back 10 of 15 lost entity errors but took false
    # biases 2 -> 4 of 640, and costs the bench 12-36 ms (an extra pass over a prompt).
    own_catalog_prompts: bool = False
    # ... but a dictionary word is never respelled into a part of an entry that sounds at least
    # this much like it ("martial" -> "Marshall"): the audio cannot tell them apart.
    homophone_similarity: float = 0.9
    # ... and a word of a catalog phrase at least this alike to a heard dictionary word is no
    # evidence that the phrase was said ("Bauer" for "power", one voicing apart): the rest of
    # the phrase must sound alike on its own ("turn the ... off" is nothing like "Declan").
    evidence_similarity: float = 0.85
    # Contest: a biased span that the guard refused on sound alone (or an inserted catalog
    # phrase) still wins when the decoder prefers it by contest_margin nats given the context,
    # and loses at most contest_plain_loss nats given none: the audio allows it, the gap being
    # the price of a rare name. How alike two spellings sound is weaker evidence than the audio.
    contest_margin: float = 5.0
    contest_plain_loss: float = 10.0
    # ... or when the decoder without the prompt all but accepts it (loses at most
    # near_plain_loss nats, about two tokens) and with the prompt prefers it by near_margin.
    near_margin: float = 1.0
    near_plain_loss: float = 5.0
    # ... or when the audio itself prefers it: a rare name's plain loss is mostly the decoder's
    # language prior, so that prior (its score of each reading given no audio) is taken out;
    # what is left must gain at least prior_free_gain nats, and the prompt prior_free_margin.
    # Only for readings one span apart from the text (in_one_span): across frames the prior
    # weighs the frames, not the name.
    prior_free_margin: float = 3.0
    prior_free_gain: float = 0.0
    # ... or, within one frame too, when its words sound like the entry far beyond chance (at
    # least alike_contest_similarity; chance is 0.32-0.42), it wins near_margin with the prompt,
    # and the audio, its prior taken out, loses at most near_plain_loss nats: a name heard as
    # English words ("Message had left at birth." for "Message Tadhg Lefebvre.") loses its
    # plain score to the decoder's taste for English, not to the audio.
    alike_contest_similarity: float = 0.7
    # Named answer: an option the assistant just named, one span apart from the text, also wins
    # when the audio prefers it (heard gain, as above, at least named_answer_heard nats) and the
    # prompted decoder prefers the text by at most named_answer_loss nats. Whisper's prompt is a
    # weak prior; the question ("X or Y?") made these words the expected answer.
    named_answer_heard: float = 1.0
    named_answer_loss: float = 8.0
    # Whole answer: after a question with options, a text that names none of them is also read
    # as each option alone ("Gallagher." for the "Now let's take a look at this." that Whisper
    # heard in a one-word answer). Such a reading wins only when the prompted decoder prefers it
    # by whole_answer_margin nats (named_prior included) and the audio, its language prior
    # taken out, loses at most whole_answer_heard_loss nats on it: a sentence that was said
    # keeps its audio's say. None turns these readings off.
    whole_answer_margin: float | None = 5.0
    whole_answer_heard_loss: float = 3.0
    # ... and a plain respelling alike to the heard words only by chance (under
    # protected_similarity) that reads the same as an option read whole does not win where
    # the audio, its prior taken out, loses more than chance_whole_heard_loss nats on that
    # reading: "Rania Reid." for "spread me the news." (0.39 alike) won on the prompt alone
    # at -31. Right answers so read lost 9-11 ("Okafor." for "high pepper.", "Terrarium
    # Lamp." for "around the emblem."); logged distractors' option readings, 19-42. None: off.
    chance_whole_heard_loss: float | None = 15.0
    # Short answer: a reading of only the words that tell an option apart ("Chaudhry." after
    # "Ravi Haddad or Ravi Chaudhry?") also wins when the audio singles that option out among
    # the few offered: the prompted decoder prefers the text by at most short_answer_loss nats
    # (named_prior included), the audio, its prior taken out, loses at most
    # short_answer_heard_loss nats on it, and it is ahead of every other option's reading both
    # with the prompt and by the audio. Not when the text's words were heard (every word but
    # the answer fillers agreed by protect_support of the unbiased n-best: "Stop."), nor when
    # they hold a near homophone of the option ("the car." for "Carr": the answer choice's
    # case). None turns this rule off.
    short_answer_loss: float | None = 5.0
    short_answer_heard_loss: float = 7.0
    # Framed entries: with no question offering options, small catalogs (at most
    # frame_entry_limit entries in all) have each entry read in place of the text's words
    # after its request frame ("Open Incendies." for "Open and send these.", "Golf." for
    # "Don't."), when the text holds no word of an entry, and judged as short answers are
    # (scored in a batch of their own). An entry that stands alone (no heard word kept, a
    # "please" aside) was not expected as an offered option is: the audio may lose at most
    # bare_entry_heard_loss nats on it ("Tell me a joke." heard "that'll be a joke." read
    # "Joao Dvorak." at -5.4), and after a turn that lists entries it is not read at all.
    # After a question with options, each option's short answer is read in the frame instead
    # ("The one with Lefebvre." for "The one with your data."). None turns these readings off.
    frame_entry_limit: int | None = 30
    bare_entry_heard_loss: float = 3.0
    # Larger catalogs are not read entry by entry: a beam search of frame_search_beam that may
    # only spell entries finds, after each cut of the frame, the entries the decoder (without
    # the prompt) most believes there ("Call Lukas Ferreira." for "Call Luke to stare at me."
    # among 1,500 contacts); those are read and judged as above. 0 turns the search off.
    frame_search_beam: int = 8
    # One found entry may also win by a clear lead: its evidence, the prompted gain plus
    # search_heard_weight times the audio's (prior out), ahead of every other found entry's by
    # search_lead_margin nats, within search_lead_loss nats of the text with the prompt (which
    # holds only the entries retrieval chose) and short_answer_heard_loss by the audio; an
    # entry alone must not lose by the audio at all ("Stop." read "Ananya Dubois." at -2.1).
    search_lead_margin: float | None = 5.0
    search_lead_loss: float = 8.0
    search_heard_weight: float = 0.5
    # Lead: a plain respelling (not contested, not swapped, dropping no name of the text, at
    # least protected_similarity alike) also wins when the prompted decoder finds it nearly as
    # likely as the text (loses at most lead_loss nats, about one token, named_prior included)
    # and likelier by lead_margin nats than every reading of another phrase, none of them a
    # homophone of the heard words (homophone_similarity): of the catalog's sound-alikes of
    # the heard words, the audio singles it out ("Porch Scots" -> "Porch Sconce", "Baker" ->
    # "Victor"). Over words the unbiased n-best agrees on, the audio, its prior taken out, must
    # also lose at most near_plain_loss nats on it ("Stop." is no "Stumptown.": -10.1). None
    # turns it off.
    lead_loss: float = 2.5
    lead_margin: float | None = 3.0
    # Alike: a plain respelling that sounds like the heard words far beyond chance (at least
    # alike_contest_similarity), not of words the unbiased n-best agrees on, also wins when
    # the prompted decoder loses at most alike_loss nats on it and the audio, its language
    # prior taken out, at most alike_heard_loss: a rare name heard as English words ("Play and
    # send these." for "Play Incendies.", 0.76 alike: -5.2 with the prompt, +0.6 by the audio)
    # loses to the decoder's taste for English, even with the name in its prompt, not to the
    # audio. Measured on the 2,960 items of eleven sets: 5 entities won back, none lost. None
    # turns it off.
    alike_loss: float | None = 7.0
    alike_heard_loss: float = 3.0
    # Rival entries: the reading picked gives way to one naming another entry over the same
    # words when that one sounds more like them and the decoder's evidence for it is no
    # weaker (its prompted gain plus rival_heard_weight times the audio's, prior out, where
    # the pick's was measured; plus its plain gain where only that was): each rule judges
    # its own readings, and a searched "Kai Balasubramanian" (0.71 alike, -1.84 nats) won
    # while "Mei Balasubramanian" (0.98 alike, +0.38) fell to the contest's plain test.
    # None turns the comparison off.
    rival_heard_weight: float | None = 1.0
    # Swap: at most this many readings trading a catalog phrase of the text for another; one
    # wins when the decoder prefers it by swap_margin nats with the prompt and by 0 without.
    max_swaps: int = 4
    swap_margin: float = 1.0
    # Biased respelling: at most this many readings of the biased pass's own text with a span
    # respelled as a catalog phrase ("So the number of Rania Boon." -> "... Rania Nguyen."). The
    # biased words are the prompt's taste, not evidence, so each is judged as a contest.
    max_biased_respellings: int = 4
    # The guard's merge and the reading the verdict picks must read all the speech: if one
    # drops three words or more of the unbiased text, its words that differ from that text's
    # must spell at least min_syllables_per_s syllables a second of the speech those words of
    # the text take (their share of the text's syllables, of the window's speech from the
    # first to the last loud frame). Slow speech runs 2-3 a second, every such text of the
    # sets 1.79 and more; the prompted decoder may prefer a short text to a long one it is
    # unsure of ("Hamid." for an 8-second sentence at 8 kHz, +5.5 nats; a name for twenty
    # words of a 30-second meeting window), and the guard may find a name alike to a few of
    # twelve heard words and take the whole block (0.81 a second). None turns the check off.
    min_syllables_per_s: float | None = 1.0
    # Canonicalisation: unknown spellings snap to a catalog phrase at or above this similarity.
    respell_similarity: float = 0.8
    # ... or, in a short answer to "X or Y?", to the offered option they sound closest to, when
    # it sounds at least this much alike and this much more than any other offered entry.
    offered_respell_similarity: float = 0.6
    offered_respell_margin: float = 0.2
    # Answer check: a text that newly names an option of the assistant's question keeps it only
    # with at most this many words that neither the dialogue, nor a request, nor grammar
    # explains ("Show Niamh Wright after the light."); None turns the check off.
    max_unexplained_words: int | None = 0
    # ... nor when another option of the question sounds at least this much more like the
    # unbiased words (the margin offered_respell_margin asks of an option over the others);
    # None turns this part off.
    rival_option_margin: float | None = 0.2
    # ... nor when it newly names another entry of the options' catalogs: the reply to "Meg
    # Jones or Meg Bauer?" is one of them (or none), so a contact the assistant did not offer
    # is the prompt's echo ("Show me homes for sale." read "... Niamh Nguyen."); False turns
    # this part off.
    only_offered_entries: bool = True

    def clear_choice(self, alike: float, rival: float) -> bool:
        """Whether an option ``alike`` to the heard words, against the best other option at
        ``rival``, is the clear choice among a few (offered_respell_similarity and
        offered_respell_margin): the canonicaliser's and the answer choice's bar."""
        return (
            alike >= self.offered_respell_similarity
            and alike - rival >= self.offered_respell_margin
        )

    def __post_init__(self) -> None:
        for name in _SHARES:
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ConfigError(f"BiasOptions.{name} must lie in [0, 1]")
        for name in _NON_NEGATIVE:
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ConfigError(f"BiasOptions.{name} must be >= 0")
        if self.echo_ngram < 2:
            raise ConfigError("BiasOptions.echo_ngram must be >= 2")
        if self.rival_option_margin is not None and not 0.0 <= self.rival_option_margin <= 1.0:
            raise ConfigError("BiasOptions.rival_option_margin must lie in [0, 1] (or None)")


# Similarities and probabilities, checked to lie in [0, 1].
_SHARES = (
    "transplant_similarity",
    "respell_similarity",
    "offered_respell_similarity",
    "offered_respell_margin",
    "no_speech_prob",
    "protect_support",
    "protected_similarity",
    "named_transplant_similarity",
    "named_protected_similarity",
    "homophone_similarity",
    "evidence_similarity",
    "alike_contest_similarity",
)
# Counts, margins and losses, checked to be >= 0 (those that may be None: when set).
_NON_NEGATIVE = (
    "max_extra_words",
    "max_alternatives",
    "named_prior",
    "contest_margin",
    "contest_plain_loss",
    "near_margin",
    "near_plain_loss",
    "prior_free_margin",
    "named_answer_loss",
    "whole_answer_margin",
    "whole_answer_heard_loss",
    "chance_whole_heard_loss",
    "short_answer_loss",
    "short_answer_heard_loss",
    "frame_entry_limit",
    "bare_entry_heard_loss",
    "frame_search_beam",
    "search_lead_margin",
    "search_lead_loss",
    "search_heard_weight",
    "lead_loss",
    "lead_margin",
    "alike_loss",
    "alike_heard_loss",
    "rival_heard_weight",
    "max_swaps",
    "swap_margin",
    "max_biased_respellings",
    "min_syllables_per_s",
    "max_unexplained_words",
)

"""Step 3b, the verdict: which scored reading replaces the text."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ctxasr.asr.bias import (
    Alternative,
    AudioChecks,
    BiasOptions,
    ContextBiaser,
    Scored,
    in_one_span,
)
from ctxasr.asr.engine import Hypothesis
from ctxasr.context import DialogueContext
from ctxasr.errors import ConfigError
from ctxasr.text import words
from tests.asr.bias.common import (
    NBEST_UNSURE,
    SPELL_CONTEXT,
    SWAP_CONTEXT,
    decoded,
    make_biaser,
    scored_against,
)


def test_spell_check_takes_what_the_decoder_believes_more() -> None:
    biaser = make_biaser(SPELL_CONTEXT)
    found = biaser.alternatives("Call Shavon of a four.", NBEST_UNSURE)
    okafor = next(a for a in found if a.text == "Call Siobhan Okafor.")
    others = [a for a in found if a is not okafor]
    scores = [-9.0 if a is okafor else -20.0 for a in found]
    assert biaser.pick(scored_against(-10.0, found, scores)) is okafor
    # The decoder prefers what it wrote by more than lead_loss nats.
    assert biaser.pick(scored_against(-5.0, found, scores)) is None
    # The options the assistant just named start with a prior (named_prior nats).
    named = biaser.alternatives("Lena Marshall, please.", NBEST_UNSURE)
    linh = next(a for a in named if a.phrase.text == "Linh Marshall")
    assert linh.named
    rest = [-30.0 if a is not linh else -10.5 for a in named]
    assert biaser.pick(scored_against(-10.0, named, rest)) is linh
    assert others  # more than one reading was on offer


def test_a_reading_that_clearly_leads_the_other_phrases_wins_a_narrow_loss() -> None:
    """Of the catalog's sound-alikes of the heard words, the decoder finds one nearly as likely
    as the text (within lead_loss nats) and every other phrase far less likely: the audio
    singles it out ("Porch Scots" -> "Porch Sconce")."""
    biaser = make_biaser(SPELL_CONTEXT, BiasOptions(lead_loss=2.5, lead_margin=3.0))
    found = biaser.alternatives("Call Shavon of a four.", NBEST_UNSURE)
    okafor = next(a for a in found if a.text == "Call Siobhan Okafor.")
    assert len({a.phrase.text for a in found}) > 1  # there are rivals to lead

    def picked(okafor_gain: float, rival_gain: float, reading: Alternative = okafor) -> bool:
        readings = [reading if a is okafor else a for a in found]
        gains = [okafor_gain if a is okafor else rival_gain for a in found]
        return biaser.pick([Scored(a, g) for a, g in zip(readings, gains, strict=True)]) is reading

    assert picked(-2.0, -8.0)
    assert not picked(-3.0, -8.0)  # loses more than lead_loss
    assert not picked(-2.0, -4.0)  # a rival phrase is nearly as likely: no clear lead
    assert not picked(-2.0, -8.0, replace(okafor, drops_a_name=True))  # a name for a name
    assert not picked(-2.0, -8.0, replace(okafor, contested=True))  # the stricter rules judge
    assert not picked(-2.0, -8.0, replace(okafor, similarity=0.4))  # alike only by chance
    # Over words the recogniser was sure of, the audio must consent too: "Stop." heard by the
    # whole n-best lost 10.1 nats on "Stumptown.", "next week." 1.1 on "X-ray.".
    sure = replace(okafor, over_sure_words=True)
    text = "Call Shavon of a four."
    (checks,) = biaser.audio_checks(text, [Scored(sure, -2.0)])
    assert checks == AudioChecks(True, True)
    assert not picked(-2.0, -8.0, sure)  # unmeasured: no consent
    rivals = [Scored(a, -8.0) for a in found if a is not okafor]
    assert biaser.pick([Scored(sure, -2.0, -6.0, -4.9), *rivals]) is sure  # -1.1
    assert biaser.pick([Scored(sure, -2.0, -13.0, -2.9), *rivals]) is None  # -10.1
    assert biaser.pick([Scored(okafor, -2.0)]) is None  # no rival phrase: no lead to measure
    homophone = next(a for a in found if a.phrase.text != okafor.phrase.text)
    heard_as = replace(homophone, similarity=0.95)  # the heard words already name it
    assert biaser.pick([Scored(okafor, -2.0), Scored(heard_as, -8.0)]) is None
    off = make_biaser(SPELL_CONTEXT, BiasOptions(lead_margin=None))
    assert off.pick([Scored(a, -2.0 if a is okafor else -8.0) for a in found]) is None
    with pytest.raises(ConfigError, match="lead_loss"):
        BiasOptions(lead_loss=-1.0)


def test_a_respelling_that_drops_a_name_of_the_text_is_marked() -> None:
    biaser = make_biaser(SPELL_CONTEXT)
    found = biaser.alternatives("Call Shavon of a four.", NBEST_UNSURE)
    assert found and not any(a.drops_a_name for a in found)
    over = [a for a in biaser.alternatives("Call Siobhan of a four.", NBEST_UNSURE)]
    over = [a for a in over if "siobhan" in a.heard.split()]
    keeps = [a for a in over if "siobhan" in words(a.phrase.text)]
    drops = [a for a in over if "siobhan" not in words(a.phrase.text)]
    assert keeps and not any(a.drops_a_name for a in keeps)  # "Siobhan Okafor" keeps it
    assert all(a.drops_a_name for a in drops)


def test_a_named_option_that_the_audio_prefers_wins_a_narrow_loss() -> None:
    """The prompted decoder still prefers "Lena Marshall" over the option just named, by
    less than named_answer_loss nats: the audio decides, once the language prior is out."""
    judged = BiasOptions(named_answer_loss=8.0, named_answer_heard=1.0, alike_loss=None)
    biaser = make_biaser(SPELL_CONTEXT, judged)
    text = "Lena Marshall, please."
    linh = next(a for a in biaser.alternatives(text, NBEST_UNSURE) if a.text.startswith("Linh"))

    def checks(gain: float, alternative: Alternative = linh) -> tuple[bool, bool]:
        (asked,) = biaser.audio_checks(text, [Scored(alternative, gain)])
        return asked.plain, asked.prior

    assert checks(-3.0) == (True, True)
    assert checks(0.5) == (False, False)  # it wins anyway (named_prior): no more scoring
    assert checks(-9.0) == (False, False)  # the prompted decoder is too sure
    assert checks(-3.0, replace(linh, named=False)) == (False, False)  # not an expected answer
    # Across two runs of words the prior weighs the frames, not the name: no prior check.
    reframed = replace(linh, text="Well, Linh Marshall, please, I said.")
    assert checks(-3.0, reframed) == (True, False)
    assert biaser.pick([Scored(linh, -3.0, -12.0, -14.0)]) is linh  # the audio gains 2 nats
    assert biaser.pick([Scored(linh, -3.0, -12.0, -12.5)]) is None  # 0.5: under the bar
    assert biaser.pick([Scored(linh, -3.0, -12.0, None)]) is None
    assert biaser.pick([Scored(linh, -9.0, -12.0, -20.0)]) is None  # too sure of the text


NO_OPTIONS = DialogueContext.from_json(
    {
        "turns": [{"role": "assistant", "text": "Who should I call?"}],
        "catalogs": {"contacts": ["Leila Marshall", "Linh Marshall", "Siobhan Okafor"]},
    }
)


def test_a_far_alike_respelling_wins_a_loss_the_audio_does_not_share() -> None:
    """piper, "Play Incendies." heard "Play and send these." (0.76 alike) with "Incendies" in
    the prompt: the prompted decoder still lost 5.2 nats on the name, the audio, its prior
    taken out, gained 0.6. A rare name heard as English words loses to the decoder's taste for
    English, not to the audio."""
    biaser = make_biaser(NO_OPTIONS, BiasOptions(alike_loss=7.0, alike_heard_loss=3.0))
    text = "Call Shavon of a four."
    okafor = next(
        a for a in biaser.alternatives(text, NBEST_UNSURE) if a.text == "Call Siobhan Okafor."
    )
    assert okafor.similarity >= 0.7 and not okafor.named

    def checks(gain: float, alternative: Alternative = okafor) -> AudioChecks:
        (asked,) = biaser.audio_checks(text, [Scored(alternative, gain)])
        return asked

    assert checks(-5.0) == AudioChecks(True, True)
    assert checks(-8.0) == AudioChecks(False, False)  # the prompted decoder is too sure
    assert checks(-5.0, replace(okafor, similarity=0.6)) == AudioChecks(False, False)
    assert checks(-5.0, replace(okafor, over_sure_words=True)) == AudioChecks(False, False)
    assert biaser.pick([Scored(okafor, -5.0, -15.0, -15.6)]) is okafor  # the audio: -0.6
    assert biaser.pick([Scored(okafor, -5.0, -15.0, -11.0)]) is None  # -4.0: it objects
    assert biaser.pick([Scored(okafor, -5.0, None, None)]) is None  # unmeasured
    off = make_biaser(NO_OPTIONS, BiasOptions(alike_loss=None))
    assert off.pick([Scored(okafor, -5.0, -15.0, -15.6)]) is None


def test_after_a_question_with_options_only_an_option_wins_a_wide_loss() -> None:
    """piper, "Jones, please." heard "Joe, please." after "Do you mean Anouk Lefebvre or Anouk
    Jones?": "Joao" (a first name of the address book, 0.80 alike) is no answer to it."""
    text = "Call Shavon of a four."
    question = DialogueContext.from_json(
        {
            "turns": [{"role": "assistant", "text": "Leila Marshall or Linh Marshall?"}],
            "catalogs": {"contacts": ["Leila Marshall", "Linh Marshall", "Siobhan Okafor"]},
        }
    )
    # The answer check's own rule keeps an entry not offered out of the readings altogether.
    assert not any(
        "Okafor" in a.text for a in make_biaser(question).alternatives(text, NBEST_UNSURE)
    )
    # With it off, the verdict still forgives only an option a wide loss.
    asking = make_biaser(question, BiasOptions(only_offered_entries=False))
    found = asking.alternatives(text, NBEST_UNSURE)
    okafor = next(a for a in found if a.text == "Call Siobhan Okafor.")
    assert not okafor.named
    heard = [Scored(okafor, -5.0, -15.0, -15.6)]  # as in the test above
    assert asking.audio_checks(text, heard[:1]) == [AudioChecks(False, False)]
    assert asking.pick(heard) is None
    option = replace(okafor, named=True)
    assert asking.pick([Scored(option, -5.0, -15.0, -15.6)]) is option


@pytest.mark.parametrize(
    "bad",
    [
        {"max_alternatives": -1},
        {"named_prior": -0.5},
        {"homophone_similarity": 1.5},
        {"contest_margin": -1.0},
        {"contest_plain_loss": -0.5},
        {"near_margin": -1.0},
        {"near_plain_loss": -0.5},
        {"prior_free_margin": -1.0},
        {"named_answer_loss": -1.0},
        {"max_biased_respellings": -1},
        {"max_swaps": -1},
        {"swap_margin": -1.0},
        {"lead_loss": -1.0},
        {"lead_margin": -1.0},
        {"alike_loss": -1.0},
        {"alike_heard_loss": -1.0},
    ],
)
def test_spell_check_and_contest_options_are_checked(bad: dict[str, float]) -> None:
    with pytest.raises(ConfigError):
        BiasOptions(**bad)  # type: ignore[arg-type]


def _nursery_contest(options: BiasOptions) -> tuple[ContextBiaser, Alternative]:
    """The guard refuses the biased "Nightlight" for the heard "eye" on sound alone: the one
    contested reading, for the verdict to judge."""
    biaser = make_biaser(SPELL_CONTEXT, options)
    unbiased = decoded(("Turn on the Nursery eye.", -0.6))
    chosen = Hypothesis("Turn on the Nursery Nightlight.", -0.2)
    merged = biaser.merge(unbiased, chosen, decoded((chosen.text, -0.2)))
    (contest,) = merged.contested
    return biaser, contest


def test_a_contest_needs_the_decoder_with_and_without_the_context() -> None:
    options = BiasOptions(
        contest_margin=5.0, contest_plain_loss=10.0, near_margin=1.0, near_plain_loss=5.0
    )
    biaser, contest = _nursery_contest(options)

    def wins(gain: float, plain_gain: float | None, prior_gain: float | None = None) -> bool:
        return biaser.pick([Scored(contest, gain, plain_gain, prior_gain)]) is contest

    assert wins(6.0, -8.0)
    assert not wins(4.0, -8.0)  # not preferred by 5 nats
    assert not wins(6.0, -11.0)  # the audio says no
    assert not wins(6.0, None)  # never scored without it
    # Nearly accepted without the prompt (2 nats lost): a smaller preference with it will do.
    assert wins(3.0, -2.0)
    assert not wins(0.5, -2.0)  # under near_margin
    assert not wins(3.0, -6.0)  # over near_plain_loss


def test_a_contest_also_wins_when_the_audio_prefers_it_once_the_language_prior_is_out() -> None:
    """A rare name loses many nats without the prompt because the decoder's language prior
    dislikes it (its score with no audio): when that prior is the whole loss, the audio is
    for it."""
    options = BiasOptions(
        contest_margin=5.0,
        contest_plain_loss=10.0,
        near_plain_loss=5.0,
        prior_free_margin=3.0,
        prior_free_gain=0.0,
    )
    biaser, contest = _nursery_contest(options)

    def wins(gain: float, plain_gain: float, prior_gain: float | None) -> bool:
        return biaser.pick([Scored(contest, gain, plain_gain, prior_gain)]) is contest

    assert not wins(4.0, -12.0, None)  # the plain loss alone refuses it
    assert wins(4.0, -12.0, -13.0)  # the prior costs 13 nats, the audio gains 1
    assert not wins(4.0, -12.0, -11.0)  # the audio itself is against it
    assert not wins(2.0, -12.0, -13.0)  # the prompt does not prefer it by 3 nats
    assert Scored(contest, 4.0, -12.0, -13.0).heard_gain == pytest.approx(1.0)


def test_a_contest_alike_beyond_chance_wins_unless_the_audio_is_against_it() -> None:
    """A name heard as English words, "Message had left at birth." for "Message Tadhg
    Lefebvre.": 31 nats lost without the prompt, 27 of them the decoder's taste for English;
    the audio alone loses 4."""
    options = BiasOptions(near_margin=1.0, near_plain_loss=5.0, alike_contest_similarity=0.7)
    biaser, contest = _nursery_contest(options)
    alike = replace(contest, similarity=0.8)
    chance = replace(contest, similarity=0.5)

    def wins(reading: Alternative, gain: float, prior_gain: float | None) -> bool:
        return biaser.pick([Scored(reading, gain, -31.0, prior_gain)]) is reading

    assert wins(alike, 1.5, -27.0)  # the audio loses 4 nats
    assert not wins(alike, 1.5, -25.0)  # it loses 6
    assert not wins(alike, 0.5, -27.0)  # the prompt does not prefer it by near_margin
    assert not wins(alike, 1.5, None)  # never measured: another frame (``audio_checks``)
    assert not wins(chance, 1.5, -27.0)  # chance likeness: the plain loss stands


def test_a_swap_needs_the_audio_to_prefer_it_without_the_context() -> None:
    biaser = make_biaser(SWAP_CONTEXT, BiasOptions(swap_margin=1.0))
    swap = next(a for a in biaser.alternatives("Linh Lefebvre.", NBEST_UNSURE) if a.swapped)
    assert biaser.pick([Scored(swap, 2.0, 2.0)]) is swap
    assert biaser.pick([Scored(swap, 0.5, 2.0)]) is None  # not preferred by 1 nat
    assert biaser.pick([Scored(swap, 7.0, -0.5)]) is None  # the prompt alone wants it
    assert biaser.pick([Scored(swap, 7.0, None)]) is None  # never scored without it


def test_the_language_prior_is_taken_out_only_within_one_frame() -> None:
    biaser = make_biaser(SPELL_CONTEXT)
    okafor = next(p for p in biaser.plan.index.exact("Siobhan Okafor") if p.whole)

    def reading(text: str) -> Alternative:
        return Alternative(text, "", okafor, 0.5, named=False, contested=True)

    assert in_one_span("Call Shavon of a four.", reading("Call Siobhan Okafor."))
    assert in_one_span("Call Shavon of a four.", reading("Call to Siobhan Okafor."))
    assert in_one_span("Hand you the bay eye out.", reading("Siobhan Okafor."))
    # Two differing runs, or another sentence altogether: the frames differ.
    two_runs = reading("Tell Siobhan Okafor, then go home.")
    assert not in_one_span("Call Shavon of a four, then come home.", two_runs)
    assert not in_one_span(
        "We don't play, but we don't play.", reading("Play it by Siobhan Okafor there.")
    )


def test_an_option_read_whole_wins_by_the_prompt_only_if_the_audio_allows_it() -> None:
    """The option "Gallagher." for the heard "Now let's take a look at this.": the prompted
    decoder must prefer it clearly (named_prior included), and the audio, its language prior
    out, must not refuse it. The named options' narrower rules do not apply to it."""
    options = BiasOptions(
        named_prior=1.0,
        whole_answer_margin=5.0,
        whole_answer_heard_loss=3.0,
        short_answer_loss=None,
    )
    biaser = make_biaser(SWAP_CONTEXT, options)
    (reading, *_) = biaser.answer_readings("Now let's take a look at this.", NBEST_UNSURE)
    assert reading.whole_answer == "Linh Lefebvre"

    def wins(gain: float, plain: float, prior: float | None) -> bool:
        return biaser.pick([Scored(reading, gain, plain, prior)]) is reading

    # The audio is asked only once the prompt has cleared the margin.
    text = "Now let's take a look at this."
    assert biaser.audio_checks(text, [Scored(reading, 6.0)]) == [AudioChecks(True, True)]
    assert biaser.audio_checks(text, [Scored(reading, 3.0)]) == [AudioChecks(False, False)]
    assert wins(6.0, -20.0, -18.0)  # the audio loses 2 nats on it: the prior is the rest
    assert wins(4.0, -20.0, -18.0)  # 4 + named_prior 1 reaches the margin
    assert not wins(3.5, -20.0, -18.0)  # "play a martial arts movie" -> "Amara Marshall."
    assert not wins(12.0, -30.0, -5.0)  # the audio says the sentence was said
    assert not wins(6.0, -20.0, None)  # never scored without the audio
    off = make_biaser(SWAP_CONTEXT, replace(options, whole_answer_margin=None))
    assert off.pick([Scored(reading, 20.0, 0.0, 0.0)]) is None


def test_a_short_answer_wins_when_the_audio_singles_its_option_out() -> None:
    """ "Chaudhry." for the heard "Don't worry.": the prompt may prefer the sentence a little,
    and the audio too, but the option must lead every other option's readings both ways."""
    biaser = make_biaser(SWAP_CONTEXT, BiasOptions(named_prior=1.0))
    readings = biaser.answer_readings("Don't worry.", NBEST_UNSURE)
    by_text = {a.text: a for a in readings}
    short, rival = by_text["Mahmoud."], by_text["Lefebvre."]
    whole = by_text["Linh Mahmoud."]
    assert short.short_answer and not whole.short_answer
    # The audio is asked of every option's readings once a short answer is within reach.
    assert biaser.audio_checks("Don't worry.", [Scored(short, -20.0)]) == [
        AudioChecks(False, False)
    ]
    in_reach = [Scored(whole, -20.0), Scored(short, -4.0), Scored(rival, -30.0)]
    assert biaser.audio_checks("Don't worry.", in_reach) == [AudioChecks(True, True)] * 3

    def picked(mine: tuple[float, float], other: tuple[float, float]) -> Alternative | None:
        # (prompted gain, heard gain): plain gain = heard, prior 0.
        return biaser.pick(
            [Scored(short, mine[0], mine[1], 0.0), Scored(rival, other[0], other[1], 0.0)]
        )

    assert picked((-4.0, -6.0), (-8.0, -9.0)) is short  # 4 - 1 named_prior = 3 nats below
    assert picked((-6.5, -6.0), (-8.0, -9.0)) is None  # the prompt refuses it (5.5 nats)
    assert picked((-4.0, -7.5), (-8.0, -9.0)) is None  # the audio refuses it
    assert picked((-4.0, -6.0), (-3.0, -9.0)) is None  # the prompt prefers the other option
    assert picked((-4.0, -6.0), (-8.0, -5.0)) is None  # the audio prefers the other option
    # The full entry is no short answer: only the margin rule may take it.
    assert biaser.pick([Scored(whole, -1.0, -1.0, 0.0)]) is None
    off = make_biaser(SWAP_CONTEXT, BiasOptions(named_prior=1.0, short_answer_loss=None))
    (off_short,) = [
        a for a in off.answer_readings("Don't worry.", NBEST_UNSURE) if a.text == "Mahmoud."
    ]
    assert off.pick([Scored(off_short, -1.0, -1.0, 0.0)]) is None


def test_a_reading_of_another_entry_over_the_same_words_that_sounds_more_alike_takes_the_pick() -> (
    None
):
    """Each rule judges its own readings: a searched "Kai Balasubramanian" (0.71 alike) won as
    a short answer while "Mei Balasubramanian" (0.98 alike, ahead with the prompt, as likely
    by the audio) fell to the contest's plain test. Of two entries over the same words, the
    one that sounds more like them takes the pick when the decoder's evidence for it, on the
    same measures, is no weaker."""
    biaser = make_biaser(SPELL_CONTEXT, BiasOptions(rival_heard_weight=1.0))
    found = biaser.alternatives("Call Lena Marshall.", NBEST_UNSURE)
    leila = replace(next(a for a in found if a.text == "Call Leila Marshall."), similarity=0.7)
    linh = replace(next(a for a in found if a.text == "Call Linh Marshall."), similarity=0.95)

    def picked(linh_gain: float, linh_heard: float | None, heard_leila: bool = True) -> str:
        leila_scored = Scored(leila, 1.0, -4.0, 0.0) if heard_leila else Scored(leila, 1.0)
        contested = replace(linh, contested=True)  # fails its own rule: no plain gain
        linh_scored = Scored(contested, linh_gain)
        if linh_heard is not None:
            linh_scored = Scored(contested, linh_gain, -30.0, -30.0 - linh_heard)
        out = biaser.pick([leila_scored, linh_scored])
        assert out is not None
        return out.phrase.text

    # Linh fails its own rule (a contest lost without the prompt), but leads on the evidence
    # the two share, gain (named_prior included) plus the audio's: -1.6 against -2.0.
    assert picked(2.9, -5.5) == "Linh Marshall"
    assert picked(2.0, -5.5) == "Leila Marshall"  # weaker evidence: -2.5
    assert picked(2.9, None) == "Leila Marshall"  # measured unlike the winner: no comparison
    assert picked(2.9, -5.5, heard_leila=False) == "Leila Marshall"
    # A reading that sounds less like the words never takes the pick.
    linh = replace(linh, similarity=0.6)
    assert picked(2.9, -5.5) == "Leila Marshall"
    # Off, the rules' own winner stands.
    linh = replace(linh, similarity=0.95)
    biaser = make_biaser(SPELL_CONTEXT, BiasOptions(rival_heard_weight=None))
    assert picked(2.9, -5.5) == "Leila Marshall"


def test_an_option_gives_way_only_to_another_option() -> None:
    biaser = make_biaser(SWAP_CONTEXT)
    found = biaser.alternatives("Call Lena Mahmoud.", NBEST_UNSURE)
    linh = replace(next(a for a in found if a.text == "Call Linh Mahmoud."), similarity=0.7)
    (entry,) = [p for p in biaser.plan.index.entries if p.text == "Kwame Mahmoud"]
    kwame = replace(linh, text="Call Kwame Mahmoud.", phrase=entry, similarity=0.95, named=False)
    assert linh.named
    # Kwame loses its contest without the prompt, yet leads on the shared evidence.
    rival = Scored(replace(kwame, contested=True), 2.9, -30.0, -24.5)
    out = biaser.pick([Scored(linh, 1.0, -8.0, 0.0), rival])
    assert out is not None and out.phrase.text == "Linh Mahmoud"
    # Another option may: "Linh Lefebvre" as alike as Kwame would take it.
    (entry,) = [p for p in biaser.plan.index.entries if p.text == "Linh Lefebvre"]
    other = replace(kwame, text="Call Linh Lefebvre.", phrase=entry, named=True)
    rival = Scored(replace(other, contested=True), 2.9, -30.0, -24.5)
    out = biaser.pick([Scored(linh, 1.0, -8.0, 0.0), rival])
    assert out is not None and out.phrase.text == "Linh Lefebvre"


def test_a_respelling_alike_by_chance_loses_where_the_audio_refuses_the_option_read_whole() -> None:
    """ "Rania Reid." for "spread me the news." (0.39 alike) won as a respelling on the prompt
    alone while the audio, its prior taken out, lost 31 nats on the option read whole; right
    answers so read lost 9-11 ("Okafor." for "high pepper.")."""
    biaser = make_biaser(SWAP_CONTEXT, BiasOptions(chance_whole_heard_loss=15.0))
    found = biaser.alternatives("Call Lena Mahmoud.", NBEST_UNSURE)
    base = next(a for a in found if a.text == "Linh Mahmoud.")
    respelling = replace(base, similarity=0.39)
    whole = replace(base, whole_answer="Linh Mahmoud")

    def read_whole(heard: float) -> Scored:
        return Scored(whole, 3.0, heard - 3.0, -3.0)  # the audio, prior out: ``heard``

    assert biaser.pick([Scored(respelling, 3.0), read_whole(-31.0)]) is None
    assert biaser.pick([Scored(respelling, 3.0), read_whole(-9.4)]) is respelling
    # Alike beyond chance, the respelling keeps its own rule ("Aguilar." for "I will work.").
    alike = replace(base, similarity=0.5)
    assert biaser.pick([Scored(alike, 3.0), read_whole(-31.0)]) is alike
    # With no option read whole beside it, or the bar off, the respelling's rule judges it.
    assert biaser.pick([Scored(respelling, 3.0)]) is respelling
    off = make_biaser(SWAP_CONTEXT, BiasOptions(chance_whole_heard_loss=None))
    assert off.pick([Scored(respelling, 3.0), read_whole(-31.0)]) is respelling

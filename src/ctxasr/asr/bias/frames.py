"""The words that frame an option rather than name anything: English function words and the
verbs of assistant requests ("take me to X", "message X", "the second one"). The answer check
reads a text's other words against them; the guard lets them stand around a catalog phrase."""

from __future__ import annotations

from ctxasr.context.index import ANSWER_FILLERS


def _lexicon(text: str) -> frozenset[str]:
    return frozenset(text.split())


# English closed-class words (pronouns, determiners, prepositions, conjunctions, auxiliaries,
# their contractions, discourse particles): they say nothing of what an utterance is about.
FUNCTION_WORDS = ANSWER_FILLERS | _lexicon(
    """
    me my mine myself you your yours yourself he him his she her hers it its itself we us our
    ours they them their theirs this that these those who whom whose which what
    a an the some any no every each all both either neither few many much more most less least
    other another such own same several
    about above across after against along among around as at before behind below beneath
    beside between beyond by down during except for from in inside into like near of off on
    onto out outside over past per since through till to toward towards under until up upon
    via with within without
    and but or nor so yet if then than because while though although whether unless once when
    where why how
    am is are was were be been being have has had having do does did done doing will would
    shall should can could may might must
    i'm i've i'll i'd you're you've you'll you'd he's she's it's we're we've we'll we'd they're
    they've they'll they'd that's there's here's what's where's who's let's isn't aren't wasn't
    weren't don't doesn't didn't won't wouldn't can't cannot couldn't shouldn't haven't hasn't
    hadn't gonna wanna gotta
    not just also too very really only even still again already now here there back away
    maybe please thanks thank okay ok oh um uh well actually instead anyway sure
    """
)
# Words that wrap an option in a request or a choice ("take me to X", "message X", "the
# second one"). Their inflections count too: recognisers garble endings ("turned on the X").
REQUEST_WORDS = _lexicon(
    """
    call dial phone ring text message send email write play open show start launch watch listen
    read take directions direction navigate navigation route go get drive head turn switch set
    put pick choose select want like prefer mean meant said say number contact
    first second third last former latter option
    """
)
_ENDINGS = ("ing", "ed", "s")


def frame_word(word: str) -> bool:
    """A function word or a request word (or its inflection): the frame around an option."""
    return word in FUNCTION_WORDS or request_word(word)


def request_word(word: str) -> bool:
    """A verb or choice word of a request ("message", "take", "second"), or its inflection."""
    if word in REQUEST_WORDS:
        return True
    return any(word.endswith(end) and word[: -len(end)] in REQUEST_WORDS for end in _ENDINGS)

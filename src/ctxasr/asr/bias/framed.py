"""Step 3a, framed entries: catalog entries read in the text's request frame.

With no question offering options, a follow-up is mostly a request around one entry ("Open
Incendies.", "Take me to Souvla.", "Golf.") whose frame a recogniser hears and whose name it
garbles into English words ("Open and send these.", "Take me to Google.", "Don't."), often too
unlike the entry for a respelling. Where the catalogs are few entries in all, the text with each
entry in place of its words after the request frame is a reading for the decoder to judge, as
a short answer is (``Verdict``): the audio must single the entry out among all the others.

The frame is the run of the text's first words that are function or request words ("take me
to", "how do I get to"); every cut of that run is tried, the empty one too (the frame itself
may be misheard) unless the assistant just listed entries. A trailing "please" stays as it was
said.

Larger catalogs (an address book of thousands) are not read entry by entry: after each cut, a
beam search that may only spell entries (``TorchWhisperDecoder.search_entries``) names the few
the decoder most believes there, and those are read and judged the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from ctxasr.asr.bias.expectations import Expectations
from ctxasr.asr.bias.frames import frame_word
from ctxasr.asr.bias.readings import POLITE_WORDS, Alternative
from ctxasr.asr.bias.sound import Likeness
from ctxasr.context.index import IndexedPhrase
from ctxasr.context.phonetics import similarity
from ctxasr.text import normalize

_MARKS = ",.;:!?"  # stripped from the end of a kept word


class FramedEntries:
    """Readings of a text with a catalog entry in its request frame: each entry of small
    catalogs, or the entries a search of larger ones finds there."""

    def __init__(self, expect: Expectations, likeness: Likeness) -> None:
        self.expect = expect
        self.likeness = likeness
        self.options = likeness.options

    @cached_property
    def _catalog(self) -> dict[str, IndexedPhrase]:
        return {p.text: p for p in self.expect.plan.index.entries}

    @cached_property
    def _small(self) -> bool:
        limit = self.options.frame_entry_limit
        return limit is not None and len(self._catalog) <= limit

    def readings(self, text: str, nbest: list[list[str]]) -> list[Alternative]:
        """``text`` with each entry of small catalogs after every cut of its request frame
        (``_cuts``)."""
        if not self._small:  # also when frame_entry_limit is None (off)
            return []
        entries = list(self._catalog.values())
        return [self._reading(cut, entry) for cut in self._cuts(text, nbest) for entry in entries]

    def search_cuts(self, text: str, nbest: list[list[str]]) -> list[FrameCut]:
        """The cuts of ``text``'s request frame after which to search larger catalogs for an
        entry (``_cuts``); none where the catalogs are small or the search is off."""
        limit = self.options.frame_entry_limit
        if limit is None or self.options.frame_search_beam == 0 or self._small:
            return []
        return self._cuts(text, nbest)

    def found_readings(self, cut: FrameCut, found: Sequence[str]) -> list[Alternative]:
        """The cut text with each entry ``found`` by the search after its frame."""
        return [replace(self._reading(cut, self._catalog[e]), searched=True) for e in found]

    def _cuts(self, text: str, nbest: list[list[str]]) -> list[FrameCut]:
        """The cuts of ``text``'s request frame to put an entry after; none when a question
        offers options (the short answers' case), the text holds a word of an entry, or the
        unbiased n-best ``nbest`` agrees on its words (``Likeness.heard_for_sure``)."""
        if self.expect.asks_options:
            return []
        norm = [normalize(t) for t in text.split()]
        if not any(norm) or self._holds_entry_word(norm):
            return []
        if self.likeness.heard_for_sure(norm, nbest):
            return []
        # After a turn that lists entries, a reply is a request of its own ("how do I get to
        # Shell?"), and an entry alone there is the prompt's echo of the list ("Stop." read
        # "Stumptown." after "I found Verve Coffee, ..."); where none was listed (a screen, a
        # code word asked for), an entry alone is the expected reply.
        return [c for c in frame_cuts(text) if c.frame or not self.expect.offered]

    def _holds_entry_word(self, norm: list[str]) -> bool:
        # A text with a word of an entry ("Caffe." of "Caffe Trieste") is the respellings'
        # and the swaps' to judge; frame words ("the", "to") tell nothing.
        entry_words = self.expect.plan.index.entry_words
        return any(w in entry_words and not frame_word(w) for w in norm)

    def _reading(self, cut: FrameCut, entry: IndexedPhrase) -> Alternative:
        alike = similarity(self.likeness.pronouncer.phrase(cut.heard), entry.prons)
        return Alternative(
            cut.reading(entry.text),
            cut.heard,
            entry,
            alike,
            False,
            whole_answer=entry.text,
            short_answer=True,
            framed=True,
        )


@dataclass(frozen=True)
class FrameCut:
    """One cut of a text's request frame: the heard words kept before the entry, the words it
    stands for, and the "please" and the final mark kept after it."""

    frame: tuple[str, ...]
    heard: str
    polite: tuple[str, ...]
    stop: str

    @property
    def frame_text(self) -> str:
        """The kept frame words, as said ("" for the empty cut)."""
        return " ".join(self.frame)

    def reading(self, phrase: str) -> str:
        said = " ".join([*self.frame, phrase])
        if not self.frame:
            said = said[:1].upper() + said[1:]
        if self.polite:
            said = f"{said}, {' '.join(self.polite)}"
        return said + self.stop


def frame_cuts(text: str) -> list[FrameCut]:
    """Every cut of ``text``'s request frame, the empty one first: the run of its first words
    that are function or request words, up to and including its first content word's place."""
    tokens = text.split()
    norm = [normalize(t) for t in tokens]
    end = len(tokens)
    while end > 0 and (not norm[end - 1] or norm[end - 1] in POLITE_WORDS):
        end -= 1
    polite = tuple(_bare(t) for t in tokens[end:] if normalize(t))
    stop = "?" if text.rstrip().endswith("?") else "."
    cuts = []
    for cut in range(end):
        heard = " ".join(w for w in norm[cut:end] if w)
        cuts.append(FrameCut(tuple(_bare(t) for t in tokens[:cut]), heard, polite, stop))
        if norm[cut] and not frame_word(norm[cut]):
            break
    return cuts


def _bare(token: str) -> str:
    return token.rstrip(_MARKS)

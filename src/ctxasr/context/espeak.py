"""Pronunciations of words CMUdict lacks, as espeak-ng says them, in ARPAbet.

espeak-ng's English rules and exception lists know how many names are said ("Saoirse" is
/sɜːʃə/, "Aoife" /iːfə/, "Siobhan" /ʃɪvɔːn/), where spelling rules read them letter by letter.
Speech synthesised with espeak-ng or with a piper voice (which phonemizes with it) says them
that way too. The library comes inside the ``piper-tts`` wheel, so nothing is installed for it;
without that package, ``EspeakSpeller.load`` returns None and only the spelling rules are used.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import unicodedata
from typing import Any

from ctxasr.context.phonetics import Phones

logger = logging.getLogger(__name__)

_VOICE = "en-us"

# IPA as espeak-ng writes American English, longest symbols first, matched after stress,
# length, the glottal stop and palatalisation marks are dropped; other symbols are skipped.
_IPA: list[tuple[str, Phones]] = [
    ("ɜɹ", ("ER",)),  # an r-coloured vowel is one ER, as CMUdict writes it
    ("ɚɹ", ("ER",)),
    ("eɪ", ("EY",)),
    ("aɪ", ("AY",)),
    ("aʊ", ("AW",)),
    ("oʊ", ("OW",)),
    ("ɔɪ", ("OY",)),
    ("dʒ", ("JH",)),
    ("tʃ", ("CH",)),
    ("ɚ", ("ER",)),
    ("ɝ", ("ER",)),
    ("ɜ", ("ER",)),
    ("ɪ", ("IH",)),
    ("ᵻ", ("IH",)),
    ("ɨ", ("IH",)),
    ("i", ("IY",)),
    ("ɛ", ("EH",)),
    ("e", ("EH",)),
    ("æ", ("AE",)),
    ("a", ("AA",)),
    ("ɑ", ("AA",)),
    ("ɒ", ("AA",)),
    ("ɔ", ("AO",)),
    ("o", ("OW",)),
    ("ʊ", ("UH",)),
    ("ʏ", ("UH",)),
    ("u", ("UW",)),
    ("y", ("UW",)),
    ("ɯ", ("UW",)),
    ("ʌ", ("AH",)),
    ("ə", ("AH",)),
    ("ɐ", ("AH",)),
    ("ø", ("ER",)),
    ("œ", ("ER",)),
    ("p", ("P",)),
    ("b", ("B",)),
    ("t", ("T",)),
    ("d", ("D",)),
    ("ɾ", ("T",)),
    ("k", ("K",)),
    ("ɡ", ("G",)),
    ("g", ("G",)),
    ("x", ("K",)),
    ("f", ("F",)),
    ("v", ("V",)),
    ("β", ("B",)),
    ("θ", ("TH",)),
    ("ð", ("DH",)),
    ("s", ("S",)),
    ("z", ("Z",)),
    ("ʃ", ("SH",)),
    ("ʒ", ("ZH",)),
    ("h", ("HH",)),
    ("ç", ("HH",)),
    ("m", ("M",)),
    ("n", ("N",)),
    ("ŋ", ("NG",)),
    ("ɲ", ("N", "Y")),
    ("l", ("L",)),
    ("ɫ", ("L",)),
    ("ɬ", ("L",)),
    ("ɹ", ("R",)),
    ("r", ("R",)),
    ("ʁ", ("R",)),
    ("w", ("W",)),
    ("ʍ", ("W",)),
    ("j", ("Y",)),
]
_DROPPED = re.compile(r"[ˈˌːˑʔʲ\u0303\u0329\u032f]|\([^)]*\)")


def ipa_to_arpabet(ipa: str) -> Phones:
    """ARPAbet phones (no stress) of espeak-ng's IPA for one word."""
    text = _DROPPED.sub("", unicodedata.normalize("NFC", ipa)).replace(" ", "")
    phones: list[str] = []
    position = 0
    while position < len(text):
        for symbol, sound in _IPA:
            if text.startswith(symbol, position):
                phones.extend(sound)
                position += len(symbol)
                break
        else:
            position += 1  # a symbol that English phones have no use for
    return tuple(phones)


class EspeakSpeller:
    """Role: say a word the lexicon lacks the way espeak-ng does (one pronunciation)."""

    # espeak-ng keeps one voice and its buffers in process-wide state: one caller at a time.
    _lock = threading.Lock()

    def __init__(self, bridge: Any) -> None:
        self._bridge = bridge

    @classmethod
    def load(cls) -> EspeakSpeller | None:
        """The speller on the espeak-ng that piper-tts carries, or None without piper-tts."""
        try:
            from piper import espeakbridge  # noqa: PLC0415
            from piper.phonemize_espeak import ESPEAK_DATA_DIR  # noqa: PLC0415
        except ImportError:
            logger.info("piper-tts not installed: names are read by spelling rules only")
            return None
        with cls._lock:
            espeakbridge.initialize(str(ESPEAK_DATA_DIR))
            # Once: choosing a voice costs more than reading a word (0.4 against 0.06 ms). A
            # piper voice synthesising in the same process chooses its own, which for English
            # voices (the dataset's) is this one.
            espeakbridge.set_voice(_VOICE)
        return cls(espeakbridge)

    @functools.lru_cache(maxsize=65_536)  # noqa: B019  (the cache lives as long as the object)
    def spell(self, word: str) -> Phones:
        """The word's phones, or () when espeak-ng gives none."""
        with self._lock:
            clauses = self._bridge.get_phonemes(word)
        return ipa_to_arpabet(" ".join(phonemes for phonemes, _, _ in clauses))

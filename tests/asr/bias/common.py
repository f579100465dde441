"""Hand-made contexts and decodings shared by the biasing steps' tests."""

from __future__ import annotations

from ctxasr.asr.bias import (
    Alternative,
    BiasOptions,
    ContextBiaser,
    Scored,
)
from ctxasr.asr.engine import Decoded, Hypothesis
from ctxasr.context import DialogueContext, Pronouncer, build_plan
from ctxasr.context.index import PhoneticIndex

PRONOUNCER = Pronouncer()


CONTEXT = DialogueContext.from_json(
    {
        "turns": [
            {"role": "user", "text": "Call Meg."},
            {"role": "assistant", "text": "Do you mean Meg Jones or Meg Bauer?"},
        ],
        "catalogs": {
            "contacts": ["Meg Jones", "Meg Bauer", "Siobhan Okafor", "Rose Tyler"],
            "phonetic": ["Alfa", "Juliett"],
        },
    }
)


def make_biaser(
    context: DialogueContext = CONTEXT, options: BiasOptions | None = None
) -> ContextBiaser:
    index = PhoneticIndex(context.catalogs, PRONOUNCER)
    plan = build_plan(context, lambda t: list(range(len(t.split()))), index)
    return ContextBiaser(plan, PRONOUNCER, options or BiasOptions())


def decoded(*pairs: tuple[str, float], no_speech: float = 0.01) -> Decoded:
    return Decoded(tuple(Hypothesis(t, s) for t, s in pairs), no_speech)


OPTIONS_CONTEXT = DialogueContext.from_json(
    {
        "turns": [
            {"role": "user", "text": "Text Mei."},
            {"role": "assistant", "text": "Which Mei: Mei Kaczmarek or Mei Schmidt?"},
        ],
        "catalogs": {"contacts": ["Mei Kaczmarek", "Mei Schmidt", "Ravi Jankowski"]},
    }
)


SPELL_CONTEXT = DialogueContext.from_json(
    {
        "turns": [{"role": "assistant", "text": "I found Leila Marshall and Linh Marshall."}],
        "catalogs": {
            "contacts": ["Leila Marshall", "Linh Marshall", "Siobhan Okafor"],
            "devices": ["Nursery Nightlight", "Porch Sconce"],
        },
    }
)


NBEST_UNSURE = decoded(("x", -1.0))  # no n-best agreement: no word is protected


def alternative_texts(
    text: str, nbest: Decoded = NBEST_UNSURE, context: DialogueContext = SPELL_CONTEXT
) -> list[str]:
    return [a.text for a in make_biaser(context).alternatives(text, nbest)]


SWAP_CONTEXT = DialogueContext.from_json(
    {
        "turns": [{"role": "assistant", "text": "Which Linh: Linh Lefebvre or Linh Mahmoud?"}],
        "catalogs": {"contacts": ["Linh Lefebvre", "Linh Mahmoud", "Kwame Mahmoud", "Rose Tyler"]},
    }
)


def scored_against(
    current: float, alternatives: list[Alternative], scores: list[float]
) -> list[Scored]:
    """Alternatives scored with the prompt only, as gains over the current reading."""
    return [Scored(a, score - current) for a, score in zip(alternatives, scores, strict=True)]

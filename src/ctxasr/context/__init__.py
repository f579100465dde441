"""From dialogue context to a recognition plan: validation, phonetics, selection, prompt."""

from ctxasr.context.model import Catalog, ContextLimits, ContextTurn, DialogueContext
from ctxasr.context.phonetics import Pronouncer
from ctxasr.context.plan import ContextPlan, PlannedPhrase, PlanOptions, build_plan

__all__ = [
    "Catalog",
    "ContextLimits",
    "ContextPlan",
    "ContextTurn",
    "DialogueContext",
    "PlanOptions",
    "PlannedPhrase",
    "Pronouncer",
    "build_plan",
]

"""Selection under the prompt budget, ranking, prompt text."""

from __future__ import annotations

from ctxasr.context import DialogueContext, PlanOptions, Pronouncer, build_plan
from ctxasr.context.index import PhoneticIndex
from ctxasr.context.plan import NAMED_IN_LAST_TURN, rank_entries


def tokenize(text: str) -> list[int]:
    """One token per word: a stand-in for Whisper's tokenizer."""
    return [len(word) for word in text.split()]


def _context(entries: list[str], **more: list[str]) -> DialogueContext:
    return DialogueContext.from_json(
        {
            "turns": [
                {"role": "user", "text": "Call Meg."},
                {"role": "assistant", "text": "Do you mean Meg Jones or Meg Bauer?"},
            ],
            "catalogs": {"contacts": entries, **more},
        }
    )


def _plan(context: DialogueContext, options: PlanOptions | None = None):  # type: ignore[no-untyped-def]
    index = PhoneticIndex(context.catalogs, Pronouncer())
    return build_plan(context, tokenize, index, options)


def test_entities_named_in_last_turn_rank_first() -> None:
    ranked = rank_entries(_context(["Ann Lee", "Meg Bauer", "Bo Meg", "Meg Jones"]))
    assert [p.text for p in ranked[:2]] == ["Meg Bauer", "Meg Jones"]
    assert ranked[0].relevance == NAMED_IN_LAST_TURN
    assert ranked[2].text == "Bo Meg"  # shares a word with the question
    assert ranked[-1].text == "Ann Lee"


def test_round_robin_across_catalogs_at_equal_relevance() -> None:
    ranked = rank_entries(_context(["A One", "A Two"], devices=["D One", "D Two"]))
    assert [p.catalog for p in ranked[:4]] == ["contacts", "devices", "contacts", "devices"]


def test_prompt_fits_the_budget_with_a_huge_catalog() -> None:
    entries = [f"Person{i} Surname{i}" for i in range(4_999)] + ["Meg Bauer"]
    plan = _plan(_context(entries))
    assert len(plan.prompt_tokens) <= 223
    assert plan.selected[0].text == "Meg Bauer"
    assert 50 < len(plan.selected) < 120
    assert plan.prompt.endswith("Do you mean Meg Jones or Meg Bauer?")
    assert len(plan.index) > 5_000  # every entry stays searchable for canonicalisation


def test_long_turns_are_cut_from_the_front() -> None:
    context = DialogueContext.from_json(
        {"turns": [{"role": "assistant", "text": "word " * 300 + "Jones or Bauer?"}]}
    )
    plan = _plan(context, PlanOptions(turn_budget_tokens=10))
    assert plan.prompt.endswith("Jones or Bauer?")
    assert len(plan.prompt_tokens) <= 10

"""Selection under the prompt budget, ranking, prompt text."""

from __future__ import annotations

from ctxasr.context import DialogueContext, PlanOptions, Pronouncer, build_plan
from ctxasr.context.index import PhoneticIndex
from ctxasr.context.plan import (
    NAMED_IN_LAST_TURN,
    catalog_alone,
    coordinated_items,
    focus_catalogs,
    rank_entries,
    refocus_plan,
)


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


def _named(turn: str, entries: list[str]) -> list[str]:
    context = DialogueContext.from_json(
        {"turns": [{"role": "assistant", "text": turn}], "catalogs": {"contacts": entries}}
    )
    return [p.text for p in rank_entries(context) if p.relevance >= NAMED_IN_LAST_TURN]


def test_options_named_with_their_shared_words_left_out_are_named() -> None:
    book = ["Meg Jones", "Meg Bauer", "Liam Okafor", "Siobhan Okafor", "Liam Jones"]
    assert _named("Which Meg, Jones or Bauer?", book) == ["Meg Jones", "Meg Bauer"]
    assert _named("Do you mean Meg Jones or Bauer?", book) == ["Meg Jones", "Meg Bauer"]
    assert _named("Do you mean Liam or Siobhan Okafor?", book) == ["Liam Okafor", "Siobhan Okafor"]
    # Every word of "Liam Okafor" is in the turn, but neither option leaves a word out.
    assert _named("Do you mean Liam Jones or Siobhan Okafor?", book) == [
        "Siobhan Okafor",
        "Liam Jones",
    ]
    lights = ["Kitchen Light", "Porch Light", "Porch Fan"]
    assert _named("The kitchen or the porch light?", lights) == ["Kitchen Light", "Porch Light"]


def test_coordinated_items_are_read_per_sentence() -> None:
    assert coordinated_items("Call Meg. Which Meg: Jones, or Bauer?") == [
        [("which", "meg"), ("jones",), ("bauer",)]
    ]
    assert coordinated_items("Here is what I found.") == []


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


def test_refocus_brings_entries_that_sound_like_the_first_pass_into_the_prompt() -> None:
    filler = [f"Person{i} Surname{i}" for i in range(400)]
    entries = [*filler, "Katarzyna Lefebvre", "Anika Okafor"]
    context = DialogueContext.from_json({"turns": [], "catalogs": {"contacts": entries}})
    plan = _plan(context)
    assert "Katarzyna Lefebvre" not in {p.text for p in plan.selected}  # overflowed
    heard = ["Show the number of Katarina Lefever.", "Show the number of Catarina Le Fevre."]
    focused = refocus_plan(plan, heard, tokenize)
    assert focused.selected[0].text == "Katarzyna Lefebvre"
    assert len(focused.prompt_tokens) <= 223
    assert focused.ranked == plan.ranked and focused.index is plan.index


def test_refocus_finds_a_name_heard_as_short_english_words() -> None:
    # Names come back as function words ("to the" for "Chidi", "in these" for "Ines"): a run
    # that starts with a stopword still looks the catalog up; one of stopwords only does not.
    filler = [f"Person{i} Surname{i}" for i in range(400)]
    entries = [*filler, "Ines Tran", "Chidi Schmidt", "Anika Okafor"]
    plan = _plan(DialogueContext.from_json({"turns": [], "catalogs": {"contacts": entries}}))
    for name, heard in [
        ("Chidi Schmidt", "Call to the Smith."),
        ("Ines Tran", "Message in these."),
    ]:
        focused = refocus_plan(plan, [heard], tokenize)
        assert name in {p.text for p in focused.selected[:12]}, heard
    stopwords_only = refocus_plan(plan, ["in the of"], tokenize)
    assert stopwords_only is plan  # nothing retrieved: the prompt stands


def test_refocus_keeps_named_options_first_and_leaves_small_catalogs_alone() -> None:
    small = _plan(_context(["Meg Jones", "Meg Bauer", "Lucas Power"]))
    assert refocus_plan(small, ["Power."], tokenize) is small
    big = _plan(
        _context(
            [f"Person{i} Surname{i}" for i in range(400)]
            + ["Meg Bauer", "Meg Jones", "Lucas Power"]
        )
    )
    focused = refocus_plan(big, ["Lucas Power."], tokenize)
    assert [p.text for p in focused.selected[:3]] == ["Meg Bauer", "Meg Jones", "Lucas Power"]
    assert refocus_plan(big, [], tokenize) is big


def test_a_part_knows_every_entry_that_holds_it() -> None:
    context = _context(["Dmitri Novak", "Meg Jones", "Meg Novak", "Meg Bauer"])
    plan = _plan(context)
    (novak,) = plan.index.exact("novak")
    assert novak.entries == ("Dmitri Novak", "Meg Novak")
    # Its relevance is its best entry's: "Meg Novak" shares "Meg" with the question.
    assert plan.phrase_relevance(novak) == plan.relevance_of("Meg Novak")
    assert plan.phrase_relevance(novak) > plan.relevance_of("Dmitri Novak")


def _focus(last: str, **catalogs: list[str]) -> frozenset[str]:
    turns = [{"role": "assistant", "text": last}]
    return focus_catalogs(_plan(DialogueContext.from_json({"turns": turns, "catalogs": catalogs})))


def test_the_focus_is_the_catalogs_the_last_turn_names_entries_or_the_name_of() -> None:
    home = {"contacts": ["Meg Jones", "Meg Bauer"], "devices": ["Lava Lamp"]}
    shows = {"screen": ["Pierogi", "Reply All"], "devices": ["Playroom Light"]}
    assert _focus("Do you mean Meg Jones or Meg Bauer?", **home) == {"contacts"}
    assert _focus("Here are a few recipes on your screen.", **shows) == {"screen"}
    assert _focus("Which of your devices?", **shows) == {"devices"}
    # About none of them, or one catalog alone: no focus.
    assert _focus("Say the next code word.", **home) == set()
    assert _focus("Do you mean Meg Jones or Meg Bauer?", contacts=home["contacts"]) == set()


def test_a_catalog_alone_is_the_plan_of_a_context_holding_only_it() -> None:
    home = _context(
        ["Ann Lee", "Meg Bauer", "Bo Meg", "Meg Jones"], devices=["Lava Lamp", "Meg Lamp"]
    )
    plan = _plan(home)
    for catalog in home.catalogs:
        only = DialogueContext(turns=home.turns, catalogs=(catalog,))
        expected = build_plan(only, tokenize, plan.index)
        alone = catalog_alone(plan, catalog.name, tokenize)
        assert alone.context == only
        assert alone.ranked == expected.ranked and alone.selected == expected.selected
        assert alone.prompt == expected.prompt and alone.prompt_tokens == expected.prompt_tokens

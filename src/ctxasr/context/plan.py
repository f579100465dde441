"""The context plan: which phrases matter now, and the decoder prompt built from them.

Selection ranks every catalog entry by its relevance to the dialogue: entries the assistant just
named come first (they are the options of a disambiguation question), then entries that share
words with the dialogue, then the rest in catalog order, taken round-robin across catalogs. An
optional similarity in meaning to the dialogue (``context.semantic``) replaces catalog order
within each catalog: it reorders a catalog's entries, never the share each catalog gets (scored
across catalogs it let "TV" devices and people crowd out the movies on screen). The
prompt holds the most recent turns and as many phrases as fit Whisper's prompt budget.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from ctxasr.context.index import STOPWORDS, IndexedPhrase, PhoneticIndex
from ctxasr.context.model import DialogueContext
from ctxasr.errors import ConfigError
from ctxasr.text import contains_phrase, words

Tokenize = Callable[[str], Sequence[int]]

NAMED_IN_LAST_TURN = 3.0
SHARES_WORDS_WITH_LAST_TURN = 2.0
SHARES_WORDS_WITH_DIALOGUE = 1.0
_MAX_RUN_WORDS = 4  # a two-word name heard as up to four short words
# A turn's sentences, and the breaks between the items of a list or a choice within one.
_SENTENCE_ENDS = re.compile(r"[.?!;]+(?:\s|$)")
_ITEM_BREAKS = re.compile(r"[,:]|\b(?:or|and)\b", re.IGNORECASE)


@dataclass(frozen=True)
class PlanOptions:
    # Whisper accepts n_text_ctx // 2 - 1 = 223 prompt tokens.
    prompt_budget_tokens: int = 223
    # Of that budget, at most this much goes to previous turns (newest kept).
    turn_budget_tokens: int = 80
    max_prompt_turns: int = 2
    # Index the word runs inside entries too ("Bauer" inside "Meg Bauer").
    index_parts: bool = True
    # Catalogs too big for the prompt: re-fill it with entries that sound like the unbiased
    # reading (at least this similar, at most this many) before the biased pass.
    refocus: bool = True
    retrieve_similarity: float = 0.5
    retrieve_limit: int = 12

    def __post_init__(self) -> None:
        if not 0 < self.turn_budget_tokens <= self.prompt_budget_tokens <= 223:
            raise ConfigError("need 0 < turn_budget_tokens <= prompt_budget_tokens <= 223")
        if self.max_prompt_turns < 0:
            raise ConfigError("max_prompt_turns must be >= 0")
        if not 0.0 < self.retrieve_similarity <= 1.0 or self.retrieve_limit < 1:
            raise ConfigError("need 0 < retrieve_similarity <= 1 and retrieve_limit >= 1")


@dataclass(frozen=True)
class PlannedPhrase:
    text: str
    catalog: str
    relevance: float  # NAMED_IN_LAST_TURN > SHARES_WORDS_... > 0 (catalog order)


@dataclass(frozen=True)
class ContextPlan:
    """What the recognizer uses for one utterance."""

    context: DialogueContext
    ranked: tuple[PlannedPhrase, ...]  # every entry, most relevant first
    selected: tuple[PlannedPhrase, ...]  # the ones that fit in the prompt
    prompt: str
    prompt_tokens: tuple[int, ...]
    index: PhoneticIndex  # every catalog phrase, for canonicalisation
    build_ms: float

    @property
    def overflows(self) -> bool:
        """Some catalog entries did not fit in the prompt (so selection mattered)."""
        return len(self.selected) < len(self.ranked)

    @property
    def turn_texts(self) -> tuple[str, ...]:
        return tuple(t.text for t in self.context.turns)

    def relevance_of(self, entry: str) -> float:
        return self._relevance.get(entry, 0.0)

    def phrase_relevance(self, phrase: IndexedPhrase) -> float:
        """The best relevance of the entries that hold ``phrase`` (a part may be in several)."""
        return max((self.relevance_of(e) for e in phrase.entries or (phrase.entry,)), default=0.0)

    @cached_property
    def _relevance(self) -> Mapping[str, float]:
        # Built once per plan: the guard asks per catalog phrase, and catalogs reach 5,000.
        return {p.text: p.relevance for p in self.ranked}


def build_plan(
    context: DialogueContext,
    tokenize: Tokenize,
    index: PhoneticIndex,
    options: PlanOptions | None = None,
    similarity: Mapping[str, float] | None = None,  # entry -> similarity in meaning (optional)
) -> ContextPlan:
    """Rank, select and write the prompt. ``index`` must cover ``context.catalogs``."""
    options = options or PlanOptions()
    start = time.perf_counter()
    ranked = rank_entries(context, similarity)
    selected, prompt, prompt_tokens = _fit(ranked, context, tokenize, options)
    return ContextPlan(
        context=context,
        ranked=tuple(ranked),
        selected=selected,
        prompt=prompt,
        prompt_tokens=prompt_tokens,
        index=index,
        build_ms=(time.perf_counter() - start) * 1000,
    )


def refocus_plan(
    plan: ContextPlan,
    heard: Sequence[str],
    tokenize: Tokenize,
    options: PlanOptions | None = None,
) -> ContextPlan:
    """The plan with its prompt re-filled around the entries that sound like ``heard``.

    When the catalogs overflow the prompt, dialogue relevance alone cannot tell which of
    thousands of entries to show the decoder (a first request has no dialogue at all). The
    unbiased reading can: entries that sound like its words come right after those the
    assistant named. A plan whose phrases all fit is returned unchanged.
    """
    options = options or PlanOptions()
    if len(plan.selected) == len(plan.ranked) or not heard:
        return plan
    retrieved = _sounding_like(plan, heard, options)
    if not retrieved:
        return plan
    first = [p for p in plan.ranked if p.relevance >= NAMED_IN_LAST_TURN]
    seen = {(p.text, p.catalog) for p in first}
    near = [p for p in retrieved if (p.text, p.catalog) not in seen]
    seen |= {(p.text, p.catalog) for p in near}
    rest = [p for p in plan.ranked if (p.text, p.catalog) not in seen]
    selected, prompt, prompt_tokens = _fit([*first, *near, *rest], plan.context, tokenize, options)
    return replace(plan, selected=selected, prompt=prompt, prompt_tokens=prompt_tokens)


def catalog_alone(
    plan: ContextPlan, name: str, tokenize: Tokenize, options: PlanOptions | None = None
) -> ContextPlan:
    """``plan`` as ``build_plan`` writes it when catalog ``name`` is the context's only one:
    the same turns, and that catalog's entries in the order ``plan`` ranked them (relevance,
    then catalog order, which other catalogs do not move)."""
    options = options or PlanOptions()
    context = replace(
        plan.context, catalogs=tuple(c for c in plan.context.catalogs if c.name == name)
    )
    ranked = tuple(p for p in plan.ranked if p.catalog == name)
    selected, prompt, prompt_tokens = _fit(ranked, context, tokenize, options)
    return replace(
        plan,
        context=context,
        ranked=ranked,
        selected=selected,
        prompt=prompt,
        prompt_tokens=prompt_tokens,
    )


def _sounding_like(
    plan: ContextPlan, heard: Sequence[str], options: PlanOptions
) -> list[PlannedPhrase]:
    """Catalog entries nearest in sound to word runs of ``heard``, best first. A name is often
    heard as short English words ("in these" for "Ines", "had left at birth" for "Tadhg
    Lefebvre"), so a run may begin or end with a stopword, and span more words than the
    entry; it needs one word that is not a stopword."""
    by_entry = {(p.text, p.catalog): p for p in plan.ranked}
    best: dict[tuple[str, str], float] = {}
    index = plan.index
    for run in _runs(heard, min(index.max_words + 2, _MAX_RUN_WORDS)):
        for match in index.nearest(index.pronouncer.phrase(run), limit=3):
            key = (match.phrase.entry, match.phrase.catalog)
            if match.similarity >= options.retrieve_similarity:
                best[key] = max(best.get(key, 0.0), match.similarity)
    ranked = sorted(best, key=lambda key: -best[key])[: options.retrieve_limit]
    return [by_entry[key] for key in ranked if key in by_entry]


def _runs(heard: Sequence[str], max_words: int) -> list[str]:
    """The distinct runs of up to ``max_words`` words of the readings ``heard`` (n-best
    readings share most of theirs), less those of stopwords only."""
    found: dict[str, None] = {}
    for text in heard:
        tokens = [w for w in words(text) if w]
        for size in range(1, min(max_words, len(tokens)) + 1):
            for begin in range(len(tokens) - size + 1):
                run = tokens[begin : begin + size]
                if not all(w in STOPWORDS for w in run):
                    found[" ".join(run)] = None
    return list(found)


def _fit(
    ordered: Sequence[PlannedPhrase],
    context: DialogueContext,
    tokenize: Tokenize,
    options: PlanOptions,
) -> tuple[tuple[PlannedPhrase, ...], str, tuple[int, ...]]:
    """As many phrases of ``ordered`` (in order) as fit the prompt budget with the context's
    turns; the prompt they write with the turns, and its tokens (the budget's last ones)."""
    turns_text = _turns_text(context, tokenize, options)
    budget = options.prompt_budget_tokens - len(tokenize(" " + turns_text)) - 2
    selected: list[PlannedPhrase] = []
    for phrase in ordered:
        cost = len(tokenize(" " + phrase.text)) + 1  # the ", " separator
        if cost > budget:
            break
        selected.append(phrase)
        budget -= cost
    prompt = _prompt(selected, turns_text)
    tokens = list(tokenize(" " + prompt))
    while len(tokens) > options.prompt_budget_tokens and selected:  # tokens merge at joins
        selected.pop()
        prompt = _prompt(selected, turns_text)
        tokens = list(tokenize(" " + prompt))
    return tuple(selected), prompt, tuple(tokens[-options.prompt_budget_tokens :])


def focus_catalogs(plan: ContextPlan) -> frozenset[str]:
    """The catalogs the assistant's last turn is about, when there are several: those holding
    an entry it names ("Do you mean Meg Jones or Meg Bauer?"), or whose name it says ("Here
    are a few movies on your screen.", a plural matching its singular). Empty when it is about
    none of them, or there is one catalog."""
    context = plan.context
    last = context.last_turn("assistant")
    if last is None or len(context.catalogs) < 2:
        return frozenset()
    stems = {w.removesuffix("s") for w in words(last.text)}
    named = {p.catalog for p in plan.ranked if p.relevance >= NAMED_IN_LAST_TURN}
    spoken = {
        c.name for c in context.catalogs if any(w.removesuffix("s") in stems for w in words(c.name))
    }
    return frozenset(named | spoken)


def rank_entries(
    context: DialogueContext, similarity: Mapping[str, float] | None = None
) -> list[PlannedPhrase]:
    """Every catalog entry with its relevance to the dialogue, most relevant first."""
    last = context.last_turn("assistant")
    last_words = words(last.text) if last else []
    lists = coordinated_items(last.text) if last else []
    other_words = {w for t in context.turns for w in words(t.text)} - STOPWORDS
    scored: list[tuple[float, int, PlannedPhrase]] = []
    for catalog in context.catalogs:
        for rank, entry in _catalog_order(catalog.entries, similarity):
            entry_words = words(entry)
            relevance = _relevance(entry_words, last_words, other_words)
            if relevance < NAMED_IN_LAST_TURN and named_by_ellipsis(entry_words, lists):
                relevance = NAMED_IN_LAST_TURN
            scored.append((relevance, rank, PlannedPhrase(entry, catalog.name, relevance)))
    # Equal relevance: catalog order, round-robin across catalogs (rank within its catalog).
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [phrase for _, _, phrase in scored]


def _catalog_order(
    entries: Sequence[str], similarity: Mapping[str, float] | None
) -> list[tuple[int, str]]:
    """(rank, entry) pairs: catalog order, or closest in meaning first when scores are given."""
    if not similarity:
        return list(enumerate(entries))
    order = sorted(range(len(entries)), key=lambda i: (-similarity.get(entries[i], 0.0), i))
    return [(rank, entries[i]) for rank, i in enumerate(order)]


def coordinated_items(text: str) -> list[list[tuple[str, ...]]]:
    """Each sentence's coordinated items, as words: "Which Meg, Jones or Bauer?" gives
    [("which", "meg"), ("jones",), ("bauer",)]; a sentence of one item gives none."""
    lists = []
    for sentence in _SENTENCE_ENDS.split(text):
        items = [tuple(words(item)) for item in _ITEM_BREAKS.split(sentence)]
        items = [item for item in items if item]
        if len(items) >= 2:
            lists.append(items)
    return lists


def named_by_ellipsis(entry_words: Sequence[str], lists: list[list[tuple[str, ...]]]) -> bool:
    """Whether a turn's coordinated items (``coordinated_items``) name the entry with the words
    it shares with an option before it left out: "Which Meg, Jones or Bauer?" and "Meg Jones or
    Bauer?" name "Meg Bauer"; "the Kitchen or the Porch Light?" names "Kitchen Light". "Liam
    Jones or Siobhan Okafor?" names no "Liam Okafor": the item after "Liam" is no "Okafor"
    alone."""
    entry = tuple(entry_words)
    if len(entry) < 2:
        return False
    for items in lists:
        if not (_said_in(entry[0], items) and _said_in(entry[-1], items)):
            continue  # most entries of a large catalog: checked in two lookups
        for cut in range(1, len(entry)):
            head, tail = entry[:cut], entry[cut:]
            for at, item in enumerate(items):
                later = items[at + 1 :]
                if contains_phrase(list(item), list(head)) and tail in later:
                    return True  # the head said once, before the tails
                if item[-len(head) :] == head and any(_ends_with(o, tail) for o in later):
                    return True  # the tail said once, after the heads
    return False


def _said_in(word: str, items: list[tuple[str, ...]]) -> bool:
    return any(word in item for item in items)


def _ends_with(item: tuple[str, ...], tail: tuple[str, ...]) -> bool:
    return len(item) > len(tail) and item[-len(tail) :] == tail


def _relevance(entry_words: list[str], last_words: list[str], other_words: set[str]) -> float:
    if contains_phrase(last_words, entry_words):
        return NAMED_IN_LAST_TURN
    content = [w for w in entry_words if w not in STOPWORDS]
    if not content:
        return 0.0
    in_last = sum(w in last_words for w in content) / len(content)
    if in_last:
        return SHARES_WORDS_WITH_LAST_TURN + in_last / 2
    in_dialogue = sum(w in other_words for w in content) / len(content)
    return SHARES_WORDS_WITH_DIALOGUE * in_dialogue


def _turns_text(context: DialogueContext, tokenize: Tokenize, options: PlanOptions) -> str:
    if options.max_prompt_turns == 0:
        return ""
    turns = [t.text.strip() for t in context.turns[-options.max_prompt_turns :] if t.text.strip()]
    text = " ".join(turns)
    tokens = list(tokenize(" " + text))
    if len(tokens) <= options.turn_budget_tokens:
        return text
    # Too long: keep the newest words (the end of the dialogue matters most).
    kept = text.split()
    while kept and len(tokenize(" " + " ".join(kept))) > options.turn_budget_tokens:
        kept = kept[1:]
    return " ".join(kept)


def _prompt(selected: list[PlannedPhrase], turns_text: str) -> str:
    phrases = ", ".join(p.text for p in selected)
    parts = [f"{phrases}." if phrases else "", turns_text]
    return " ".join(part for part in parts if part)

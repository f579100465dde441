"""Word runs, alignments and respellings: the text helpers every biasing step shares."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from difflib import SequenceMatcher

from ctxasr.context.index import IndexedPhrase, PhoneticIndex


def catalog_phrases_in(hyp_words: list[str], index: PhoneticIndex) -> set[str]:
    """Distinct catalog phrases occurring as whole-word runs in ``hyp_words``."""
    found = set()
    for start, end in spans(len(hyp_words), index.max_words):
        run = " ".join(hyp_words[start:end])
        if index.exact(run):
            found.add(run)
    return found


def catalog_positions(
    index: PhoneticIndex,
    tokens: list[str],
    whole_only: bool = False,
    parts_of: Collection[str] | None = None,
) -> set[int]:
    """Indexes of the tokens that spell a catalog phrase: a whole entry, or a part of one
    (unless ``whole_only``; only of the catalogs ``parts_of`` if given). Tokens that normalise
    to nothing (a lone dash) are skipped inside a run."""
    covered = set[int]()
    for start, end in spans(len(tokens), index.max_words):
        run = " ".join(w for w in tokens[start:end] if w)
        found = index.exact(run) if run else []
        if any(p.whole or _part_counts(p, whole_only, parts_of) for p in found):
            covered.update(range(start, end))
    return covered


def _part_counts(part: IndexedPhrase, whole_only: bool, parts_of: Collection[str] | None) -> bool:
    return not whole_only and (parts_of is None or part.catalog in parts_of)


def spans(length: int, longest: int) -> Iterator[tuple[int, int]]:
    """Every run (start, end) of at most ``longest`` items of a sequence, shortest first."""
    for size in range(1, min(longest, length) + 1):
        for start in range(length - size + 1):
            yield start, start + size


# An alignment block: whether its words are equal, its unbiased range and its biased range.
Block = tuple[bool, tuple[int, int], tuple[int, int]]


def blocks(u_norm: list[str], b_norm: list[str]) -> list[Block]:
    """Alignment blocks (equal?, unbiased range, biased range); adjacent differences joined."""
    matcher = SequenceMatcher(None, u_norm, b_norm, autojunk=False)
    opcodes = matcher.get_opcodes()
    return joined((tag == "equal", (i1, i2), (j1, j2)) for tag, i1, i2, j1, j2 in opcodes)


def joined(parts: Iterable[Block]) -> list[Block]:
    """``parts`` in order, with adjacent differing blocks made one and empty equal ones left
    out: a differing run is judged whole."""
    found: list[Block] = []
    for equal, (i1, i2), (j1, j2) in parts:
        if equal and i1 == i2:
            continue
        u_start, b_start = i1, j1
        if found and not equal and not found[-1][0]:
            _, (u_start, _), (b_start, _) = found.pop()
        found.append((equal, (u_start, i2), (b_start, j2)))
    return found


def fits(span_words: list[str], phrase: IndexedPhrase, split_words: int = 1) -> bool:
    """Whether a run of ``span_words`` could be ``phrase`` misheard (word counts about match;
    a name may break into up to ``split_words`` more words)."""
    return phrase.n_words <= len(span_words) + 2 and len(span_words) <= phrase.n_words + split_words


def prefer_whole(phrases: list[IndexedPhrase]) -> IndexedPhrase:
    return next((p for p in phrases if p.whole), phrases[0])


def respelled(tokens: list[str], at: tuple[int, int], replacement: str) -> str:
    """``tokens`` joined, with the span ``at`` replaced by ``replacement`` (its marks kept)."""
    spelled = keep_punctuation(tokens, at, replacement)
    return " ".join([*tokens[: at[0]], spelled, *tokens[at[1] :]])


def keep_punctuation(tokens: list[str], at: tuple[int, int], replacement: str) -> str:
    """``replacement`` with the opening and closing marks of the span ``at`` of ``tokens``. A
    comma inside a span that more words follow ("No, but please" -> "Novak, please") is its
    pause: the decoder scores the reading without it as a run-on sentence."""
    span = tokens[at[0] : at[1]]
    followed = at[1] < len(tokens)
    lead = span[0][: len(span[0]) - len(span[0].lstrip("\"'([{"))]
    core = span[-1].rstrip(".,!?;:\"')]}")
    tail = span[-1][len(core) :]
    if not tail and followed and any(token.endswith(",") for token in span[:-1]):
        tail = ","
    return f"{lead}{replacement}{tail}"


# A misheard name often breaks into more words ("Okafor" -> "of a four"): spans of the text
# run up to this many words longer than the longest catalog phrase.
SPLIT_WORDS = 2

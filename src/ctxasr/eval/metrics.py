"""The scoring of the dialogue manifest spec, with bootstrap confidence intervals.

* WER: word edit distance / reference words, summed over a group's items.
* EER: share of entity occurrences whose normalised text is not a whole-word run of the
  normalised hypothesis.
* FBR: share of ``distractor`` items whose hypothesis contains a catalog entry that the reference
  does not.
All texts are normalised by :func:`ctxasr.text.normalize` first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ctxasr.text import contains_phrase, words

BOOTSTRAP_SAMPLES = 1_000
BOOTSTRAP_SEED = 20_240_601


def word_edit_distance(reference: Sequence[str], hypothesis: Sequence[str]) -> int:
    """Substitutions + deletions + insertions (Levenshtein over words)."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref_word in enumerate(reference, start=1):
        current = [i]
        for j, hyp_word in enumerate(hypothesis, start=1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref_word != hyp_word))
            )
        previous = current
    return previous[-1]


@dataclass(frozen=True)
class ItemScore:
    """One item's counts, from which every group metric is summed."""

    word_errors: int
    reference_words: int
    entity_errors: int
    entities: int
    distractor: bool
    false_bias: bool  # only meaningful for distractors


def score_item(
    reference: str,
    hypothesis: str,
    entities: Iterable[str],
    catalog_entries: Iterable[str],
    distractor: bool,
) -> ItemScore:
    ref, hyp = words(reference), words(hypothesis)
    entity_words = [words(e) for e in entities]
    missed = sum(not contains_phrase(hyp, e) for e in entity_words)
    biased = distractor and any(
        contains_phrase(hyp, entry) and not contains_phrase(ref, entry)
        for entry in (words(e) for e in catalog_entries)
        if entry
    )
    return ItemScore(
        word_errors=word_edit_distance(ref, hyp),
        reference_words=len(ref),
        entity_errors=missed,
        entities=len(entity_words),
        distractor=distractor,
        false_bias=biased,
    )


@dataclass(frozen=True)
class Estimate:
    value: float | None  # None where the denominator is zero (e.g. no entities in the group)
    low: float | None  # 95 % bootstrap interval
    high: float | None
    denominator: int  # reference words, entity occurrences or distractor items


@dataclass(frozen=True)
class GroupMetrics:
    items: int
    wer: Estimate
    eer: Estimate
    fbr: Estimate


def group_metrics(scores: Sequence[ItemScore]) -> GroupMetrics:
    counts = np.array(
        [
            (
                s.word_errors,
                s.reference_words,
                s.entity_errors,
                s.entities,
                int(s.false_bias and s.distractor),
                int(s.distractor),
            )
            for s in scores
        ],
        dtype=np.float64,
    ).reshape(-1, 6)
    sums = _bootstrap_sums(counts)
    return GroupMetrics(
        items=len(scores),
        wer=_estimate(counts, sums, 0, 1),
        eer=_estimate(counts, sums, 2, 3),
        fbr=_estimate(counts, sums, 4, 5),
    )


def _bootstrap_sums(counts: np.ndarray) -> np.ndarray:
    """Column sums of ``BOOTSTRAP_SAMPLES`` resamples of the items: [samples, columns]."""
    if counts.shape[0] == 0:
        return np.zeros((BOOTSTRAP_SAMPLES, counts.shape[1]))
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    picks = rng.integers(0, counts.shape[0], size=(BOOTSTRAP_SAMPLES, counts.shape[0]))
    return np.asarray(counts[picks].sum(axis=1))


def _estimate(counts: np.ndarray, sums: np.ndarray, num: int, den: int) -> Estimate:
    denominator = float(counts[:, den].sum())
    if denominator == 0:
        return Estimate(None, None, None, 0)
    ratios = sums[:, num] / np.where(sums[:, den] == 0, np.nan, sums[:, den])
    low, high = np.nanpercentile(ratios, [2.5, 97.5])
    value = float(counts[:, num].sum()) / denominator
    return Estimate(round(value, 4), round(float(low), 4), round(float(high), 4), int(denominator))


def relative_change(without: float | None, with_: float | None) -> float | None:
    """``(without - with) / without``: the share of errors the context removed."""
    if without is None or with_ is None or without == 0:
        return None
    return round((without - with_) / without, 4)

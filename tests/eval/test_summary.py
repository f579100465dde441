"""Groups and metrics of ``summary.json``."""

from __future__ import annotations

from pathlib import Path

from ctxasr.context import DialogueContext
from ctxasr.eval.manifest import ManifestItem
from ctxasr.eval.summary import groups_of, summarize


def _item(n: int, tags: tuple[str, ...], reference: str = "Bauer.") -> ManifestItem:
    context = DialogueContext.from_json(
        {"turns": [], "catalogs": {"contacts": ["Meg Jones", "Meg Bauer"]}}
    )
    entities = ("Bauer",) if "follow-up" in tags else ()
    return ManifestItem(n, f"d{n}", Path("a.wav"), reference, entities, context, tags)


ITEMS = [
    _item(0, ("contacts", "follow-up", "voice=piper:joe", "noise=clean")),
    _item(1, ("contacts", "follow-up", "voice=real", "noise=clean")),
    _item(2, ("confusable", "distractor", "voice=real"), "Turn the power off."),
]


def test_groups_by_slice_and_by_recording_tag() -> None:
    groups = {name: [i.id for i in members] for name, members in groups_of(ITEMS).items()}
    assert groups["slice:contacts"] == ["d0", "d1"]
    assert groups["tag:voice=real"] == ["d1", "d2"]
    assert groups["tag:noise=clean"] == ["d0", "d1"]
    # Free labels are not recording tags; the first tag is the slice, never a recording group.
    assert "tag:follow-up" not in groups and "tag:distractor" not in groups
    names = list(groups)
    assert names.index("slice:confusable") < names.index("tag:voice=piper:joe")
    tags = [name for name in names if name.startswith("tag:")]
    assert tags == ["tag:noise=clean", "tag:voice=piper:joe", "tag:voice=real"]


def test_recording_groups_carry_their_own_metrics() -> None:
    rows = {
        "d0": {"id": "d0", "hypothesis": "Bauer.", "no_context_hypothesis": "Power."},
        "d1": {"id": "d1", "hypothesis": "Power.", "no_context_hypothesis": "Power."},
        "d2": {"id": "d2", "hypothesis": "Turn Meg Bauer off.", "no_context_hypothesis": "x"},
    }
    summary = summarize(ITEMS, rows, {})
    context = summary["systems"]["context"]
    assert context["tag:voice=piper:joe"]["eer"]["value"] == 0.0
    assert context["tag:voice=real"]["eer"]["value"] == 1.0
    assert context["tag:voice=real"]["fbr"]["value"] == 1.0

"""The phonetic index: what it keeps of the catalogs for every utterance."""

from __future__ import annotations

from ctxasr.context import DialogueContext, Pronouncer
from ctxasr.context.index import PhoneticIndex


def test_whole_entries_once_each_and_their_words() -> None:
    context = DialogueContext.from_json(
        {
            "turns": [],
            "catalogs": {
                "contacts": ["Esi Novak", "Dmitri Novak", "Esi Novak"],
                "places": ["Caffe Trieste", "Esi Novak"],
            },
        }
    )
    index = PhoneticIndex(context.catalogs, Pronouncer())
    assert [p.text for p in index.entries] == [
        "Esi Novak",
        "Dmitri Novak",
        "Caffe Trieste",
    ]
    assert all(p.whole for p in index.entries)
    assert index.entry_words == {"esi", "novak", "dmitri", "caffe", "trieste"}
    assert any(not p.whole for p in index.phrases)  # the parts stay out of the entries

"""The phonetic index: what it keeps of the catalogs for every utterance."""

from __future__ import annotations

from ctxasr.context import DialogueContext, Pronouncer
from ctxasr.context.index import PhoneticIndex, phrases_of


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


def test_a_part_neither_starts_nor_ends_with_a_function_word() -> None:
    def parts(entry: str) -> list[str]:
        return [text for text, whole in phrases_of(entry, parts=True) if not whole]

    # "5, 5" was read as the part "Five of" after "Which card do you play?" (real speech).
    assert parts("Queen of Clubs") == ["Queen", "Clubs"]
    assert parts("Craftsman and Wolves") == ["Craftsman", "Wolves"]
    assert parts("Lord of the Rings") == ["Lord", "Rings"]
    assert "de la Cruz" in parts("Juan de la Cruz")  # a surname's particle may begin a part
    assert not {"Juan de", "Juan de la", "de la", "de", "la"} & set(parts("Juan de la Cruz"))
    assert parts("Meg Bauer") == ["Meg", "Bauer"]

"""Build a real-speech probe from the two recordings in silero-vad 6.2.3's PyPI source
distribution (``tests/data/test.wav``: a lecture; ``examples/c++/aepyx.wav``: a news report,
several speakers). The recordings are not ours to redistribute, so they are not in this
repository; this script rebuilds the probe from the sdist (see README.md here).

    python docs/eval/realnews/build.py SDIST_DIR BORROW_MANIFEST OUT_DIR [PYANNOTE_SDIST_DIR]

With the fourth argument, the fourteen 30-second meeting recordings of pyannote.audio 4.0.7's
sdist (``tests/data/*.wav``: the AMI meeting corpus, CC BY 4.0; several speakers each, far from
the microphone, spontaneous) are cut too and join the distractors (``ami`` ids).

Cuts each recording into utterances at word boundaries (tiny.en word timestamps), then writes
three manifests of the dialogue-manifest spec into OUT_DIR:
  manifest.jsonl  every cut as a distractor under 3 contexts borrowed from BORROW_MANIFEST, and
                  the cuts naming people and places as follow-ups to "What's the note?" with a
                  contacts and places catalog holding them among others (34 and 300 contacts);
  adv.jsonl       cuts under catalogs holding an entry that sounds like words they say
                  ("Ethan Hall" beside "ethanol", "Pete Sake" beside "for Pete's sake");
  m8k.jsonl       the follow-ups and one distractor context per cut, resampled to 8 kHz;
  whole.jsonl     each recording whole (30 s to 169 s, several windows) under 2 borrowed
                  contexts and the note-taking one, with no reference: compare the text with
                  the plain pass's (``no_context_hypothesis``), which it should equal.
References are tiny.en's words, mended by hand where it is wrong about a name (FIXES).
Needs sox on the PATH (run repeatable: a rebuild gives the same files).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

from faster_whisper import WhisperModel

from ctxasr.asr.models import resolve_model

RECORDINGS = (("lec", "tests/data/test.wav"), ("news", "examples/c++/aepyx.wav"))
FIXES = {
    "news020": "Rallying supporters at the conservative Christian university, Oral Roberts.",
    "news025": "Palin's support, a boost to Trump's conservative credentials and a potential "
    "momentum killer for Ted Cruz,",
    "news026": "threatened to undercut his main argument against Trump: Trump is a closet liberal.",
    "news037": "Terry Branstad came out yesterday and he said you can't have Cruz, and I think it "
    "has to do with",
    "news039": "Cruz today in New Hampshire launching a fresh attack at Trump for favoring big "
    "government when it comes to energy policy.",
    "lec006": "Thomas Piketty, in his book Capital in the 21st Century, argues for a",
    "news034": "Yeah, that's worse than Hillary, wouldn't you think about it?",
}
ENTITIES = {
    "lec000": ["Dublin"], "lec006": ["Thomas Piketty"], "news011": ["Donald Trump", "Sarah Palin"],
    "news013": ["Donald"], "news014": ["Oklahoma"], "news020": ["Oral Roberts"],
    "news025": ["Palin", "Ted Cruz"], "news027": ["Trump", "Iowa", "Palin"],
    "news029": ["Trump", "Ted Cruz"], "news034": ["Hillary"], "news037": ["Terry Branstad", "Cruz"],
    "news039": ["Cruz", "New Hampshire", "Trump"], "news042": ["Trump"], "news045": ["Ted Cruz"],
}
PEOPLE = ["Donald Trump", "Sarah Palin", "Ted Cruz", "Terry Branstad", "Thomas Piketty",
          "Hillary Clinton"]
PLACES = ["Dublin", "Oklahoma", "Iowa", "New Hampshire", "Oral Roberts University"]
ADVERSARIAL = [
    ("news038", "contacts", "Ethan Hall"), ("news040", "contacts", "Ethan Hall"),
    ("news041", "places", "Marcus Place"), ("news041", "contacts", "Ethan Hall"),
    ("lec005", "contacts", "Norma Tiff"), ("news046", "contacts", "Stiles Matters"),
    ("news049", "contacts", "Pete Sake"), ("lec001", "contacts", "Sunny Kim"),
    ("lec001", "devices", "Sunny Lamp"), ("news022", "contacts", "Gio Machin"),
    ("news031", "devices", "Smart Guy Speaker"), ("news047", "contacts", "Jack Ajoke"),
    ("news012", "screen", "Endorsement"), ("news024", "screen", "Conservatism"),
    ("news016", "screen", "The Movement"), ("news035", "screen", "Twist the Knife"),
    ("lec008", "screen", "Good Luck Chuck"), ("news015", "contacts", "Folks Moven"),
    ("news033", "contacts", "Smart Gaia"), ("news048", "contacts", "Tim Might"),
    ("lec010", "contacts", "Norman Tiff"), ("news023", "contacts", "Connor Servative"),
    ("news036", "contacts", "Greta Governor"), ("news019", "contacts", "Angie Ree"),
]
# Repeatable (-R): sox dithers with random noise otherwise, and a rebuild would differ.
SOX = ["sox", "-R"]
NOTE = [{"role": "user", "text": "Take a note."}, {"role": "assistant", "text": "What's the note?"}]


def tiny_model() -> WhisperModel:
    return WhisperModel(str(resolve_model("tiny.en")), device="cpu", compute_type="int8")


def timed_words(model: WhisperModel, source: Path) -> list:
    """tiny.en's words of ``source`` with their start and end times. Temperature 0 only: the
    fallback samples, and the cuts of a near-silent recording would differ between builds."""
    segments, _ = model.transcribe(str(source), beam_size=5, language="en", temperature=0.0,
                                   word_timestamps=True, condition_on_previous_text=False)
    return [w for s in segments for w in s.words or []]


def cut(recordings: list[tuple[str, Path]], out: Path) -> dict[str, dict]:
    """Utterances of the recordings: a sentence (over 0.6 s), or at a pause or comma once
    over 6 s, or at 7.5 s at most."""
    model = tiny_model()
    cuts: dict[str, dict] = {}
    for tag, source in recordings:
        spoken = timed_words(model, source)
        group: list = []
        for j, word in enumerate(spoken):
            group.append(word)
            span = group[-1].end - group[0].start
            after = spoken[j + 1] if j + 1 < len(spoken) else None
            pause = after.start - word.end if after else 9.0
            mark = word.word.strip()[-1:]
            if (after is None or (mark in ".?!" and span > 0.6)
                    or (span > 6.0 and (pause > 0.25 or mark == ",")) or span > 7.5):
                name = f"{len(cuts):03d}.wav"
                start, end = max(0.0, group[0].start - 0.2), group[-1].end + 0.25
                subprocess.run([*SOX, str(source), "-r", "16000", "-c", "1", "-b", "16",
                                str(out / name), "trim", f"{start:.2f}", f"={end:.2f}"],
                               check=True)
                text = "".join(w.word for w in group).strip()
                cuts[f"{tag}{len(cuts):03d}"] = {"audio": name, "text": text}
                group = []
    return cuts


def _dialogues(borrowed: list[dict]) -> list[dict]:
    """The borrowed set's items whose context a dialogue gave (follow-ups and distractors)."""
    return [s for s in borrowed if {"follow-up", "distractor"} & set(s["tags"])]


def manifests(cuts: dict[str, dict], borrowed: list[dict]) -> dict[str, list[dict]]:
    def ref(cid: str) -> str:
        return FIXES.get(cid, cuts[cid]["text"])

    rng = random.Random(11)
    contexts = _dialogues(borrowed)
    main, m8k = [], []
    for cid, c in cuts.items():
        for k, s in enumerate(rng.sample(contexts, 3)):
            main.append({"id": f"{cid}-d{k}", "audio": c["audio"], "reference": ref(cid),
                         "entities": [], "context": s["context"],
                         "tags": [s["tags"][0], "distractor", "voice=real"]})
    pool = {name: sorted({e for s in borrowed for e in s["context"]["catalogs"].get(name, [])})
            for name in ("contacts", "places", "devices", "screen")}
    for cid, entities in ENTITIES.items():
        for size, count in (("small", 34), ("large", 300)):
            r = random.Random(cid + size)
            contacts = r.sample(pool["contacts"], min(count, len(pool["contacts"]))) + PEOPLE
            r.shuffle(contacts)
            places = r.sample(pool["places"], min(10, len(pool["places"]))) + PLACES
            r.shuffle(places)
            main.append({"id": f"{cid}-{size}", "audio": cuts[cid]["audio"], "reference": ref(cid),
                         "entities": entities, "tags": [f"notes-{size}", "follow-up", "voice=real"],
                         "context": {"turns": NOTE,
                                     "catalogs": {"contacts": contacts, "places": places}}})
    for item in main:
        if item["id"].endswith("-d0") or "follow-up" in item["tags"]:
            m8k.append(dict(item, id=item["id"] + "-8k", audio="8k/" + item["audio"],
                            tags=[*item["tags"], "rate=8k"]))
    adv, rng = [], random.Random(3)
    for k, (cid, name, entry) in enumerate(ADVERSARIAL):
        entries = [*rng.sample(pool[name], min(20, len(pool[name]))), entry]
        rng.shuffle(entries)
        for kind, turns in (("first", []), ("asked", NOTE)):
            adv.append({"id": f"adv{k:02d}-{kind}", "audio": cuts[cid]["audio"],
                        "reference": ref(cid), "entities": [],
                        "context": {"turns": turns, "catalogs": {name: entries}},
                        "tags": ["adversarial", "distractor", "voice=real"]})
    return {"manifest": main, "adv": adv, "m8k": m8k}


def whole(
    recordings: list[tuple[str, Path]], out: Path, borrowed: list[dict], manifest: list[dict]
) -> list[dict]:
    """Each recording whole, under 2 borrowed contexts and the large note-taking one."""
    (out / "whole").mkdir(exist_ok=True)
    rng = random.Random(7)
    contexts = _dialogues(borrowed)
    note = next(item["context"] for item in manifest if item["id"] == "news025-large")
    items = []
    for k, (tag, source) in enumerate(recordings):
        name = f"whole/{tag}{k:02d}.wav"
        subprocess.run([*SOX, str(source), "-r", "16000", "-c", "1", "-b", "16", str(out / name)],
                       check=True)
        sampled = rng.sample(contexts, 2)
        chosen = [(f"d{i}", s["context"], s["tags"][0]) for i, s in enumerate(sampled)]
        for suffix, context, kind in [*chosen, ("note", note, "notes")]:
            items.append({"id": f"{tag}{k:02d}-{suffix}", "audio": name, "reference": "",
                          "entities": [], "context": context,
                          "tags": [kind, "distractor", "voice=real"]})
    return items


def main() -> None:
    sdist, borrow, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    recordings = [(tag, sdist / rel) for tag, rel in RECORDINGS]
    if len(sys.argv) > 4:
        meetings = sorted((Path(sys.argv[4]) / "tests" / "data").glob("*.wav"))
        recordings += [("ami", path) for path in meetings if path.name != "empty.wav"]
    (out / "8k").mkdir(parents=True, exist_ok=True)
    cuts = cut(recordings, out)
    for c in cuts.values():
        subprocess.run([*SOX, str(out / c["audio"]), "-r", "8000", str(out / "8k" / c["audio"])],
                       check=True)
    borrowed = [json.loads(line) for line in borrow.read_text().splitlines() if line.strip()]
    found = manifests(cuts, borrowed)
    found["whole"] = whole(recordings, out, borrowed, found["manifest"])
    for name, items in found.items():
        (out / f"{name}.jsonl").write_text("".join(json.dumps(i) + "\n" for i in items))
        print(f"{out / name}.jsonl: {len(items)} items")


if __name__ == "__main__":
    main()

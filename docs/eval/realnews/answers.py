"""Short answers in a real voice: each name that the news and lecture recordings say, cut out
alone, as the answer to a question of the assistant.

    python docs/eval/realnews/answers.py OUT_DIR

OUT_DIR is what ``build.py`` wrote (its ``manifest.jsonl`` and the cuts). Each name of a
follow-up there ("Ted Cruz", "Cruz", "Oklahoma", "Oral Roberts") is found in its cut by tiny.en's
word timestamps, aligned to the reference, and cut out with 0.1 s before and 0.15 s after. Two
contexts each, written to ``answers.jsonl`` (16 kHz) and ``answers8k.jsonl`` (8 kHz):
  options   "Do you mean <entry> or <other>?", the other option differing in the word said
            ("Ted Cruz or Ted Nguyen" for "Cruz"), both in a 40-entry catalog;
  open      "Who do you want to call?" / "Where do you want to go?" with the 306 contacts or
            the 15 places of build.py's large follow-ups.
The reference is the name as the catalog spells it. A name cut from running speech is clipped
and run into its neighbours; a user's answer is said alone, so this probe is the harder one.
Needs sox on the PATH.
"""

from __future__ import annotations

import difflib
import json
import random
import re
import subprocess
import sys
from pathlib import Path

from build import SOX, timed_words, tiny_model  # this folder's probe builder

PAD_BEFORE_S, PAD_AFTER_S = 0.1, 0.15


def _norm(word: str) -> str:
    return re.sub(r"[^a-z0-9']", "", word.lower()).removesuffix("'s")


def locate(heard: list, reference: str, name: str) -> tuple[float, float]:
    """Where ``name`` is said (seconds), by tiny.en's timed words of the cut (``heard``) aligned
    to the reference (which spells names right where tiny.en did not)."""
    ref = [_norm(w) for w in reference.split()]
    target = [_norm(w) for w in name.split()]
    at = next(i for i in range(len(ref)) if ref[i : i + len(target)] == target)
    span = range(at, at + len(target))
    matcher = difflib.SequenceMatcher(None, ref, [_norm(w.word) for w in heard], autojunk=False)
    picked: list[int] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        inside = [i for i in span if i1 <= i < i2]
        if op == "equal":
            picked += [j1 + i - i1 for i in inside]
        elif inside:  # tiny.en heard other words there ("Crews"): all of them
            picked += range(j1, j2)
    if not picked:
        raise ValueError(f"{name!r} not found in {[w.word for w in heard]}")
    return heard[min(picked)].start, heard[max(picked)].end


def contexts(name: str, entry: str, catalog: str, pool: dict[str, list[str]],
             rng: random.Random) -> list[tuple[str, dict]]:
    """The two contexts of one answer: a choice between two options, and an open question."""
    others = [e for e in pool[catalog] if e != entry]
    if catalog == "contacts":
        first, last = entry.split(" ", 1)
        other_names = [e.split(" ", 1) for e in others]
        said_first = name.split(maxsplit=1)[0] == first and " " not in name  # "Donald", "Hillary"
        if said_first:
            other = f"{rng.choice(other_names)[0]} {last}"
        else:
            other = f"{first} {rng.choice(other_names)[1]}"
        turns = [("user", f"Call {first}."), ("assistant", f"Do you mean {entry} or {other}?")]
        open_turns = [("user", "Make a call."), ("assistant", "Who do you want to call?")]
    else:
        other = rng.choice(others)
        turns = [("user", "Navigate there."), ("assistant", f"Do you mean {entry} or {other}?")]
        open_turns = [("user", "Start navigation."), ("assistant", "Where do you want to go?")]
    rest = [e for e in others if e != other]
    small = [*rng.sample(rest, min(38, len(rest))), entry, other]
    rng.shuffle(small)
    return [
        ("options", {"turns": [{"role": r, "text": t} for r, t in turns],
                     "catalogs": {catalog: small}}),
        ("open", {"turns": [{"role": r, "text": t} for r, t in open_turns],
                  "catalogs": {catalog: pool[catalog]}}),
    ]


def main() -> None:
    out = Path(sys.argv[1])
    items = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    follow = {i["id"].rsplit("-", 1)[0]: i for i in items if i["id"].endswith("-large")}
    pool = {k: list(v) for k, v in next(iter(follow.values()))["context"]["catalogs"].items()}
    model = tiny_model()
    (out / "answers" / "8k").mkdir(parents=True, exist_ok=True)
    rng = random.Random(5)
    written: dict[str, list[dict]] = {"answers": [], "answers8k": []}
    for cid, item in sorted(follow.items()):
        heard = timed_words(model, out / item["audio"])
        for k, name in enumerate(item["entities"]):
            catalog = "contacts" if any(name in e for e in pool["contacts"]) else "places"
            entry = next(e for e in pool[catalog] if name in e)
            start, end = locate(heard, item["reference"], name)
            wav = f"answers/{cid}-{k}.wav"
            trim = ["trim", f"{max(0.0, start - PAD_BEFORE_S):.2f}", f"={end + PAD_AFTER_S:.2f}"]
            subprocess.run([*SOX, str(out / item["audio"]), str(out / wav), *trim], check=True)
            subprocess.run([*SOX, str(out / wav), "-r", "8000", str(out / "answers/8k" / wav[8:])],
                           check=True)
            for kind, context in contexts(name, entry, catalog, pool, rng):
                answer = {"id": f"{cid}-{k}-{kind}", "audio": wav, "reference": f"{name}.",
                          "entities": [name], "context": context,
                          "tags": [f"answer-{kind}", "follow-up", "voice=real"]}
                written["answers"].append(answer)
                written["answers8k"].append(dict(answer, id=answer["id"] + "-8k",
                                                 audio="answers/8k/" + wav[8:],
                                                 tags=[*answer["tags"], "rate=8k"]))
    for name, found in written.items():
        (out / f"{name}.jsonl").write_text("".join(json.dumps(i) + "\n" for i in found))
        print(f"{out / name}.jsonl: {len(found)} items")


if __name__ == "__main__":
    main()

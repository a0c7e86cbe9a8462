"""`python -m benchmarks.tone [N]`: agreement of the tone classifier with the hand-labelled sets, and its throughput.

Agreement is the share of texts whose label equals the hand label, per language and overall,
with a confusion matrix per language (rows: hand label, columns: classifier label, "none" where
it gave no label). Throughput is tone and themes as a collect computes them (classify_many, then themes() of each
text in its language), in wall-clock and CPU seconds, over N texts (default THROUGHPUT_TEXTS, a
night's mentions and comments at size L), in one process, after a warm-up that loads the lexicons
and the language model; the load average is recorded because the machine is shared. Two sets of
texts: "distinct", every text a labelled text with one word swapped for a word of another labelled
text of its language (nearly all distinct: the cost of a night without reposts), and "repeated",
the labelled set repeated (the measure before 2026-12-03, where a text seen before costs little).
Writes benchmarks/results/tone.json (with --out FILE, that file; --texts-only skips the agreement).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import platform as py_platform
import random
import sys
import time
from pathlib import Path

from warehouse.domain.text import LABELS, classify_many, themes

ROOT = Path(__file__).resolve().parent.parent
LABELLED = ROOT / "tests" / "text" / "labelled_tone.csv"
# 80 more texts written after the rules and word lists were frozen, never used to change them.
HELDOUT = ROOT / "tests" / "text" / "heldout_tone.csv"
RESULTS = Path(__file__).parent / "results" / "tone.json"
THROUGHPUT_TEXTS = 200_000
GOAL_SECONDS = 30.0
GOAL_AGREEMENT = 0.80


def read_labelled(path: Path = LABELLED) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def evaluate(rows: list[dict[str, str]]) -> dict[str, object]:
    """Agreement per language and overall, and a confusion matrix per language."""
    tones = classify_many(row["text"] for row in rows)
    columns = [*LABELS, "none"]
    per_language: dict[str, dict[str, object]] = {}
    for row, tone in zip(rows, tones, strict=True):
        stats = per_language.setdefault(
            row["language"],
            {
                "texts": 0,
                "agree": 0,
                "detected_language": {},
                "confusion": {h: dict.fromkeys(columns, 0) for h in LABELS},
            },
        )
        stats["texts"] += 1  # type: ignore[operator]
        stats["agree"] += int(tone.label == row["label"])  # type: ignore[operator]
        detected = stats["detected_language"]
        detected[str(tone.language)] = detected.get(str(tone.language), 0) + 1  # type: ignore[union-attr]
        stats["confusion"][row["label"]][tone.label or "none"] += 1  # type: ignore[index]
    for stats in per_language.values():
        stats["agreement"] = round(stats["agree"] / stats["texts"], 4)  # type: ignore[operator]
    total = sum(s["texts"] for s in per_language.values())  # type: ignore[misc]
    agree = sum(s["agree"] for s in per_language.values())  # type: ignore[misc]
    return {"texts": total, "agreement": round(agree / total, 4), "languages": per_language}


def distinct_texts(rows: list[dict[str, str]], n: int, seed: int = 25) -> list[str]:
    """n texts, each a labelled text with one of its words swapped for a word of another labelled
    text of the same language: the labelled texts' lengths and languages, hardly a repeat."""
    rng = random.Random(seed)
    words: dict[str, list[str]] = {}
    for row in rows:
        words.setdefault(row["language"], []).extend(row["text"].split())
    texts = []
    for i in range(n):
        row = rows[i % len(rows)]
        parts = row["text"].split()
        parts[rng.randrange(len(parts))] = rng.choice(words[row["language"]])
        texts.append(" ".join(parts))
    return texts


def repeated_texts(rows: list[dict[str, str]], n: int) -> list[str]:
    return [rows[i % len(rows)]["text"] for i in range(n)]


def tone_and_themes(texts: list[str]) -> list[tuple[object, tuple[str, ...]]]:
    """What a collect computes for each mention: its tone, then its themes in its language."""
    tones = classify_many(texts)
    return [(tone, themes(text, tone.language)) for text, tone in zip(texts, tones, strict=True)]


def throughput(texts: list[str]) -> dict[str, float]:
    tone_and_themes(texts[:10])  # load the lexicons and the model outside the timing
    load_before = os.getloadavg()[0]
    start, cpu_start = time.perf_counter(), time.process_time()
    tone_and_themes(texts)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    n = len(texts)
    return {
        "texts": n,
        "distinct_texts": len(set(texts)),
        "seconds": round(seconds, 2),
        "texts_per_second": round(n / seconds),
        # CPU time of this process: what the run costs on a core of its own, whatever else runs
        "cpu_seconds": round(cpu_seconds, 2),
        "texts_per_cpu_second": round(n / cpu_seconds),
        "goal_seconds": GOAL_SECONDS,
        "load_average_1m_before": round(load_before, 2),
        "load_average_1m_after": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count() or 0,
    }


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    out = RESULTS
    if "--out" in argv:
        at = argv.index("--out")
        out = Path(argv[at + 1])
        del argv[at : at + 2]
    texts_only = "--texts-only" in argv
    argv = [a for a in argv if a != "--texts-only"]
    n = int(argv[0]) if argv else THROUGHPUT_TEXTS
    rows = read_labelled()
    record: dict[str, object] = {
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": py_platform.python_version(),
        "labelled_set": str(LABELLED.relative_to(ROOT)),
    }
    if not texts_only:
        record.update(agreement(rows))
    speed = {}
    for name, texts in (("distinct", distinct_texts(rows, n)), ("repeated", repeated_texts(rows, n))):
        speed[name] = result = throughput(texts)
        print(
            f"tone and themes, {name} ({result['distinct_texts']:,} distinct): {result['texts']:,} texts in "
            f"{result['seconds']} s = {result['texts_per_second']:,} texts/s, {result['cpu_seconds']} s of CPU = "
            f"{result['texts_per_cpu_second']:,} texts per CPU second (goal {GOAL_SECONDS:.0f} s; load average "
            f"{result['load_average_1m_before']} before, {result['load_average_1m_after']} after, "
            f"{result['cpus']} CPUs)",
            flush=True,
        )
    record["throughput"] = speed
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


def agreement(rows: list[dict[str, str]]) -> dict[str, object]:
    result = evaluate(rows)
    for language, stats in result["languages"].items():  # type: ignore[union-attr]
        print(f"{language}: agreement {stats['agreement']:.1%} of {stats['texts']} texts")
        print(f"  {'hand / classifier':<18}" + "".join(f"{c:>10}" for c in [*LABELS, "none"]))
        for hand, counts in stats["confusion"].items():
            print(f"  {hand:<18}" + "".join(f"{counts[c]:>10}" for c in [*LABELS, "none"]))
    print(f"overall: agreement {result['agreement']:.1%} of {result['texts']} texts")
    heldout = evaluate(read_labelled(HELDOUT))
    per_language = ", ".join(
        f"{language} {stats['agreement']:.1%} of {stats['texts']}"
        for language, stats in heldout["languages"].items()  # type: ignore[union-attr]
    )
    print(f"held-out set: agreement {heldout['agreement']:.1%} ({per_language})")
    return {
        "goal_agreement_per_language": GOAL_AGREEMENT,
        **result,
        "heldout": {"set": str(HELDOUT.relative_to(ROOT)), **heldout},
    }


if __name__ == "__main__":
    raise SystemExit(main())

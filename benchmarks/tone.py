"""`python -m benchmarks.tone`: agreement of the tone classifier with the hand-labelled sets, and its throughput.

Agreement is the share of texts whose label equals the hand label, per language and overall,
with a confusion matrix per language (rows: hand label, columns: classifier label, "none" where
it gave no label). Throughput is classify_many, in wall-clock and CPU seconds, over the labelled set repeated to THROUGHPUT_TEXTS
texts (a night's mentions and comments at size L), in one process, after a warm-up that loads the
lexicons and the language model; the load average is recorded because the machine is shared.
Writes benchmarks/results/tone.json.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import platform as py_platform
import sys
import time
from pathlib import Path

from warehouse.domain.text import LABELS, classify_many

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


def throughput(rows: list[dict[str, str]], n: int = THROUGHPUT_TEXTS) -> dict[str, float]:
    texts = [rows[i % len(rows)]["text"] for i in range(n)]
    classify_many(texts[:10])  # load the lexicons and the model outside the timing
    load_before = os.getloadavg()[0]
    start, cpu_start = time.perf_counter(), time.process_time()
    classify_many(texts)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    return {
        "texts": n,
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
    argv = sys.argv[1:] if argv is None else argv
    n = int(argv[0]) if argv else THROUGHPUT_TEXTS
    rows = read_labelled()
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
    speed = throughput(rows, n)
    print(
        f"throughput: {speed['texts']:,} texts in {speed['seconds']} s = {speed['texts_per_second']:,} texts/s, "
        f"{speed['cpu_seconds']} s of CPU = {speed['texts_per_cpu_second']:,} texts per CPU second "
        f"(goal {GOAL_SECONDS:.0f} s; load average {speed['load_average_1m_before']} before, "
        f"{speed['load_average_1m_after']} after, {speed['cpus']} CPUs)"
    )
    record = {
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": py_platform.python_version(),
        "labelled_set": str(LABELLED.relative_to(ROOT)),
        "goal_agreement_per_language": GOAL_AGREEMENT,
        **result,
        "heldout": {"set": str(HELDOUT.relative_to(ROOT)), **heldout},
        "throughput": speed,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The LLM engine on an ACI-Bench-format CSV: ROUGE, flags and seconds per note; CTranslate2 vs
transformers speed on the same model and prompt.

``python -m bench.llm CSV [--model ID] [--limit N] [--backend ct2|transformers] [--template hp]``

ROUGE as ACI-Bench publishes it (scored by ``bench.notes``: rouge-score 0.1.2, no stemmer, F1 per
note then the mean, ROUGE-Lsum on newline-split sentences). The speed part generates the same
section prompt of the first row with both backends (CTranslate2 int8, transformers float32) and
prints prompt tokens, seconds to the first token, decode tokens/s, and how many leading tokens agree.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

DEFAULT_MODEL = "qwen2.5-coder-1.5b"


def _agree(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a.split(), b.split()):
        if x != y:
            break
        n += 1
    return n


def speed(model: str, models_root: Path | None, prefix: str, request: str, tokens: int,
          threads: int) -> list[tuple[str, int, int, float, float, str]]:
    """(backend, prompt tokens, new tokens, s to first token, decode tok/s, text) per backend."""
    from scribe.drafting.llm import Ct2Generator, HfGenerator, resolve_model

    _id, folder = resolve_model(model, models_root)
    rows = []
    for name, make in (("ct2 int8", lambda: Ct2Generator(folder, "int8", threads)),
                       ("transformers fp32", lambda: HfGenerator(folder, threads))):
        gen = make()
        text = gen.generate(prefix, request, tokens)
        n_prompt, n_new, first, total = gen.last
        rate = (n_new - 1) / (total - first) if n_new > 1 and total > first else 0.0
        rows.append((name, n_prompt, n_new, first, rate, text))
        del gen
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.llm", description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path)
    parser.add_argument("--model", default=DEFAULT_MODEL, help="installed LLM id or folder")
    parser.add_argument("--models", type=Path, help="model store (default: Scribe's)")
    parser.add_argument("--limit", type=int, default=3, help="rows to draft (default 3)")
    parser.add_argument("--backend", default="ct2", choices=["ct2", "transformers"])
    parser.add_argument("--template", default="hp")
    parser.add_argument("--max-new-tokens", type=int, default=128)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--speed-tokens", type=int, default=32,
                        help="tokens for the backend comparison (0: skip it)")
    args = parser.parse_args(argv)

    if not args.csv.is_file():
        print(f"llm bench skipped: {args.csv} not found (ACI-Bench CSV needed).")
        return 0
    try:
        import rouge_score  # noqa: F401  (RougeScores needs it)

        from bench.notes import PUBLISHED, RougeScores, read_rows
        from scribe.drafting.llm import (
            LlmDrafter,
            LlmOptions,
            resolve_model,
            section_request,
            transcript_prompt,
        )
        from scribe.drafting.templates import load_template
        from scribe.errors import ScribeError
        from scribe.paths import models_dir
        from scribe.transcript_io import parse_text_transcript
    except ImportError as e:
        print(f"llm bench skipped: {e.name} is not installed (the 'llm' and 'dev' extras).")
        return 0
    args.models = args.models or models_dir()  # the engines look only where they are told
    try:
        resolve_model(args.model, args.models)
    except ScribeError as e:
        print(f"llm bench skipped: {e}")
        return 0

    rows = read_rows(args.csv)[: args.limit or None]
    template = load_template(args.template)
    opts = LlmOptions(model=args.model, backend=args.backend, max_new_tokens=args.max_new_tokens,
                      threads=args.threads)
    drafter = LlmDrafter(opts, args.models)
    scores = RougeScores()
    secs, flags, kept = [], [], []
    for row in rows:
        transcript = parse_text_transcript(row["dialogue"])
        t0 = time.perf_counter()
        note = drafter.draft(transcript, template)
        secs.append(time.perf_counter() - t0)
        sentences = note.sentences()
        flags.append(sum(len(s.flags) for s in sentences))
        kept.append(len(sentences))
        scores.add(row["note"], note.text)
    if not rows:
        print("llm bench skipped: the CSV has no rows.")
        return 0

    name = f"llm:{args.model} {args.backend} / {template.id} (n={len(rows)})"
    head = f"{'system':<46} {'R1':>6} {'R2':>6} {'RLsum':>6} {'sent':>5} {'flags':>6} {'s/note':>7}"
    print(head)
    print("-" * len(head))
    print(f"{name:<46} {scores.cells()} {statistics.mean(kept):5.1f} "
          f"{statistics.mean(flags):6.2f} {statistics.mean(secs):7.1f}")
    for label, a, b, c in PUBLISHED:
        print(f"{label:<46} {a:6.2f} {b:6.2f} {c:6.2f}")
    print(f"(a small sample: {len(rows)} row(s) of {args.csv.name}; flags = fact-check flags per "
          "note after invented sentences were dropped)")

    if args.speed_tokens:
        prefix = transcript_prompt(parse_text_transcript(rows[0]["dialogue"]), 12000)
        request = section_request(template.sections[-1])
        result = speed(args.model, args.models, prefix, request, args.speed_tokens, args.threads)
        print()
        head = f"{'backend':<20} {'prompt':>7} {'new':>5} {'first s':>8} {'tok/s':>7} {'agree':>6}"
        print(head)
        print("-" * len(head))
        ref = result[-1][5]
        for backend, n_prompt, n_new, first, rate, text in result:
            print(f"{backend:<20} {n_prompt:>7} {n_new:>5} {first:8.1f} {rate:7.2f} "
                  f"{_agree(text, ref):>6}")
        print("(agree = leading words identical to transformers' greedy output)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

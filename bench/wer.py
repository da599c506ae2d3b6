"""WER and medical-term recall on ACI-Bench dialogues spoken by espeak-ng, with and without vocabulary.

    scribe bench wer [--model base] [--dialogues 3] [--seconds 90]

Each ACI-Bench valid dialogue is spoken by two espeak-ng voices (doctor en-us, patient en-gb+f3) and
cut at ``--seconds``; the reference is the script of the turns spoken. Three runs per dialogue:
``none`` (no hotwords), ``list`` (the whole common clinical list), ``heard`` (``hotwords_for`` of
the first run's transcript: the drugs and terms heard, as the live transcriber does with its
committed text) and ``script`` (the drugs and terms of the script itself: what a clinician's own
list for that patient would hold; an upper bound). WER: jiwer after Whisper's English normalizer (whisper-normalizer).
Term recall: occurrences of lexicon drug names and committed clinical terms in the reference that
the transcript also has.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter

from bench._speech import NORMALIZER, aci_dialogues, missing_reason, normalize, speak, table, wer


def _terms(text: str) -> Counter[str]:
    from scribe.nlp import clinical_terms, drug_names

    vocab = drug_names() | {t.lower() for t in clinical_terms() if " " not in t}
    return Counter(w for w in re.findall(r"[a-z0-9]+", normalize(text)) if w in vocab)


def recall(reference: str, hypothesis: str) -> tuple[int, int]:
    ref, hyp = _terms(reference), _terms(hypothesis)
    return sum(min(n, hyp[t]) for t, n in ref.items()), sum(ref.values())


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="scribe bench wer", description=__doc__.splitlines()[0])
    p.add_argument("--model", default="base")
    p.add_argument("--dialogues", type=int, default=3)
    p.add_argument("--seconds", type=float, default=90.0, help="speech per dialogue")
    args = p.parse_args(argv)
    reason = missing_reason()
    if reason:
        print(reason)
        return 0

    from scribe.paths import models_dir
    from scribe.speech.transcriber import TranscribeOptions, Transcriber, load_model
    from scribe.speech.vocabulary import hotwords_for

    models_root = models_dir()
    load_model(args.model, models_root=models_root)
    configs = ("none", "list", "heard", "script")
    refs: list[str] = []
    hyps: dict[str, list[str]] = {c: [] for c in configs}
    seconds = dict.fromkeys(configs, 0.0)
    audio_s = 0.0
    for _eid, turns in aci_dialogues("valid")[: args.dialogues]:
        audio, reference = speak(turns, max_s=args.seconds)
        audio_s += len(audio) / 16000
        refs.append(reference)
        for config in configs:
            if config == "none":
                hotwords = None
            elif config == "list":
                hotwords = hotwords_for(None, common=True)
            elif config == "heard":
                hotwords = hotwords_for(hyps["none"][-1]) or None
            else:
                hotwords = hotwords_for(reference) or None
            t = time.perf_counter()
            text = (
                Transcriber(TranscribeOptions(model=args.model, hotwords=hotwords,
                                              models_root=models_root))
                .transcribe(audio)
                .text
            )
            seconds[config] += time.perf_counter() - t
            hyps[config].append(text)

    rows = []
    for config in configs:
        ref_all, hyp_all = " ".join(refs), " ".join(hyps[config])
        found, total = recall(ref_all, hyp_all)
        per = [wer(r, h) for r, h in zip(refs, hyps[config])]
        rows.append(
            [
                config,
                f"{wer(ref_all, hyp_all):.3f}",
                " ".join(f"{w:.3f}" for w in per),
                f"{found}/{total} ({found / max(total, 1):.0%})",
                f"{seconds[config]:.1f}",
            ]
        )
    print(
        f"{len(refs)} ACI-Bench valid dialogues, {audio_s:.0f} s of espeak-ng speech, {args.model}"
    )
    print(table(["vocabulary", "WER", "WER per dialogue", "term recall", "time (s)"], rows))
    print(f"normalizer: {NORMALIZER}; jiwer WER over all dialogues pooled")
    base, heard = rows[0], rows[2]
    print(
        f"wer: model={args.model} audio_s={audio_s:.0f} wer_none={base[1]} "
        f"wer_list={rows[1][1]} wer_heard={heard[1]} recall_none={base[3].split()[0]} "
        f"recall_list={rows[1][3].split()[0]} recall_heard={heard[3].split()[0]}"
    )
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))

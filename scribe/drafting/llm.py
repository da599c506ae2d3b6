"""The local-LLM drafting engine: the offline engine's note, rephrased section by section by an LLM
that may change the words but never the facts.

The offline engine (:class:`~scribe.drafting.offline.drafter.OfflineDrafter`, a fraction of a second)
drafts first: each of its sentences is a fact with its evidence segments. For every section that has
facts, the LLM gets them as a numbered list and writes one clinical sentence per fact, numbered the
same; tokens stream through the progress callback. Sentence *i* of the output takes the evidence of
fact *i* and is kept only if it carries the same drugs, doses, numbers, negation and side as that
fact (:func:`keeps_facts`); otherwise, and for a line the model left out, the offline sentence stays.
A short line (a problem heading, a bare finding such as "Acute bronchitis.") must stay short, so that
the problem-oriented layout stays. A section without facts stays as the offline engine wrote it.

Two local backends run the same prompt tokens: transformers (any Hugging Face causal-LM folder, or a
GGUF de-quantized once into ``hf/``) and CTranslate2 int8 (``ct2/``, about twice as fast on CPU);
``auto`` uses CTranslate2 when the model has been converted. The instructions are the same for every
section and cached by CTranslate2 (``static_prompt``). :class:`RemoteGenerator` sends the same
prompt to the clinic's chat server.

The LLM never blocks review: if generation fails in a section with anything but a Scribe error
(Cancelled, a missing model and the clinic server's RemoteError propagate, as before), that section
and the rest are the offline ones. After the fact checks (run once, by
``scribe.visit.pipeline.draft_transcript``, for every engine), :meth:`LlmDrafter.review` drops a
sentence that no transcript segment supports *and* that carries a number or drug the visit never
mentions (``drop_invented``).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from models import cache
from models.llm_import import CT2_DIR, ct2_folder, installed_llms, transformers_folder
from models.store import ModelStore
from scribe.cancel import NEVER, CancelToken
from scribe.domain import NoteDraft, Section, Sentence, Support, Transcript
from scribe.drafting.base import ProgressFn
from scribe.drafting.offline.drafter import OfflineDrafter
from scribe.drafting.templates import Template, TemplateSection
from scribe.errors import Cancelled, ModelUnavailableError, ScribeError
from scribe.nlp import (
    content_words,
    doses,
    generic_drug_names,
    negated_terms,
    numbers,
    stem,
    tokens,
)
from scribe.remote import Endpoint, RequestHook

log = logging.getLogger(__name__)

SYSTEM = (
    "You are a careful medical scribe. You rewrite the numbered facts of one section of a clinical "
    "note as clinical prose. Write exactly one sentence for each fact, in the same order, numbered "
    "like the facts, one per line. Keep every drug, dose, number, left or right, and every 'no' or "
    "'denies' exactly as the fact states it; add nothing and leave nothing out. Write in the third "
    "person, with no questions, no heading and no other text."
)
FACTS_PROMPT = "Facts from a clinic visit, one per numbered line, for one section of its note."
_SPEAKER = {"clinician": "Doctor", "patient": "Patient", "other": "Other"}
_BULLET = re.compile(r"^\s*(?:[-*•·]+|\d+[.)]|[a-z][.)])\s+", re.I)
_NUMBERED = re.compile(r"^\s*(?:fact\s*)?(\d{1,3})\s*[.):]\s*(.*)$", re.I)
_SPLIT = re.compile(r"(?<!Dr\.)(?<!Mr\.)(?<!Ms\.)(?<!Mrs\.)(?<!vs\.)(?<!St\.)(?<=[.!?])\s+(?=[A-Z0-9])")
_NONE = re.compile(r"^(none|n/?a|not (?:mentioned|discussed|documented|applicable)|no .{0,20}"
                   r"(?:mentioned|discussed|documented))\.?$", re.I)
_SIDES = {"left": "left", "right": "right", "bilateral": "both", "bilaterally": "both",
          "both": "both"}
SHORT_LINE_WORDS = 4  # a line this short (a problem heading, "Acute bronchitis.") stays this short
TOKENS_PER_FACT = 48  # a note sentence is 15-35 tokens; the section's limit grows with its facts


@dataclass(frozen=True)
class LlmOptions:
    """How the LLM engine runs. ``model`` is a catalog id or a model folder (None: the first
    installed LLM); ``backend`` is ``auto``, ``ct2`` or ``transformers``; ``max_new_tokens`` caps
    one section's generation (which is also held to ``TOKENS_PER_FACT`` per fact)."""

    model: str | None = None
    backend: str = "auto"
    max_new_tokens: int = 512
    threads: int = 0  # 0: the library default
    compute_type: str = "int8"  # CTranslate2 compute type
    drop_invented: bool = True


def transcript_prompt(transcript: Transcript, max_chars: int) -> str:
    """The transcript as "Doctor: …" lines (what ``bench.llm`` times the two backends on)."""
    lines = []
    for seg in transcript.segments:
        who = (seg.speaker or "").partition(":")[2] or _SPEAKER.get(seg.speaker or "", "Speaker")
        lines.append(f"{who}: {seg.text.strip()}")
    text = "\n".join(lines)
    text = text if len(text) <= max_chars else text[:max_chars].rsplit("\n", 1)[0]
    return f"Transcript:\n{text}"


def section_request(section: TemplateSection) -> str:
    """A whole-section request on a transcript prompt (``bench.llm``'s backend comparison)."""
    what = f" It covers: {section.instructions}" if section.instructions else ""
    return (f"\n\nWrite the {section.title.upper()} section of the note for this visit.{what} "
            "One short sentence per line.")


def facts_request(section: TemplateSection, facts: list[str]) -> str:
    """The per-section part of the prompt: the section, its numbered facts, what to write."""
    what = f" (it covers: {section.instructions})" if section.instructions else ""
    listed = "\n".join(f"{i}. {fact}" for i, fact in enumerate(facts, 1))
    return (f"\n\nSection: {section.title.upper()}{what}\nFacts:\n{listed}\n\n"
            f"Rewrite each fact as one clinical sentence for the {section.title.upper()} section: "
            f"exactly {len(facts)} numbered lines, line i for fact i, the same facts and nothing "
            "else.")


def parse_sentences(text: str, title: str = "") -> list[str]:
    """Model output → clean sentences: no bullets, headings, 'None' lines or repeated sentences."""
    out: list[str] = []
    for raw in text.splitlines():
        line = _BULLET.sub("", raw.strip()).strip().strip("*_#").strip()
        if not line or (line.endswith(":") and len(line) < 60):
            continue
        low = line.lower().rstrip(":")
        if title and low.startswith(title.lower()) and len(low) <= len(title) + 2:
            continue
        for sent in _SPLIT.split(line):
            sent = sent.strip()
            if len(sent) < 3 or _NONE.match(sent) or sent in out:
                continue
            out.append(sent if sent[-1] in ".!?" else sent + ".")
    return out


def parse_numbered(text: str, n: int, *, complete_only: bool = False) -> dict[int, str]:
    """Model output → {fact index (0-based): its sentence} for up to ``n`` facts.

    Numbered lines ("3. …") go to their number (the first line with a number wins; numbers out of
    range are extra lines and ignored). Output without any numbering is read in order only when
    it has exactly one line per fact: with a line missing or added, which line is which fact is
    unknown, so none is taken. Preambles ("Here are the sentences:") and empty lines are skipped.
    ``complete_only`` ignores the last line while it may still be streaming (and then takes the
    first ``n`` plain lines).
    """
    lines = text.split("\n")
    if complete_only:
        lines = lines[:-1]
    numbered: dict[int, str] = {}
    plain: list[str] = []
    for raw in lines:
        m = _NUMBERED.match(raw)
        body = _tidy_line(m.group(2) if m else _BULLET.sub("", raw.strip()))
        if not body:
            continue
        if m:
            i = int(m.group(1)) - 1
            if 0 <= i < n and i not in numbered:
                numbered[i] = body
        else:
            plain.append(body)
    if numbered:
        return numbered
    if complete_only:
        return dict(enumerate(plain[:n]))
    return dict(enumerate(plain)) if len(plain) == n else {}


def _tidy_line(line: str) -> str:
    line = " ".join(line.strip().strip("*_#").split())
    if len(line) < 3 or line.endswith(":") or _NONE.match(line):
        return ""
    return line if line[-1] in ".!?" else line + "."


def keeps_facts(fact: str, written: str) -> bool:
    """Whether a rewritten sentence states the same facts as its source: the same drugs (brand and
    generic meet), doses, numbers, negation polarity and sides (left/right/bilateral); is not a
    question; and still shares a third of the fact's content words (a line about another fact
    would take the wrong evidence)."""
    if not written.strip() or written.rstrip().endswith("?"):
        return False
    words = content_words(fact)
    if len(words & content_words(written)) < len(words) / 3:
        return False
    if generic_drug_names(fact) != generic_drug_names(written):
        return False
    if set(doses(fact)) != set(doses(written)):
        return False
    if {round(v, 2) for v in numbers(fact)} != {round(v, 2) for v in numbers(written)}:
        return False
    return _same_polarity(fact, written) and _sides(fact) == _sides(written)


def _same_polarity(fact: str, written: str) -> bool:
    """Negated in one and not the other: a finding both name, or any negation at all."""
    neg_fact, neg_written = negated_terms(fact), negated_terms(written)
    if bool(neg_fact) != bool(neg_written):
        return False
    shared = content_words(fact) & content_words(written)
    return all((w in neg_fact) == (w in neg_written) for w in shared)


def _sides(text: str) -> set[tuple[str, str]] | set[str]:
    """The sides a text names; when it names more than one, each with the word after it, so that
    "left knee, right hip" and "right knee, left hip" differ."""
    toks = tokens(text)
    found = [(i, _SIDES[t]) for i, t in enumerate(toks) if t in _SIDES]
    kinds = {side for _i, side in found}
    if len(kinds) <= 1:
        return kinds
    return {(side, stem(toks[i + 1]) if i + 1 < len(toks) else "") for i, side in found}


def _may_replace(fact: str, written: str) -> bool:
    short = len(fact.split()) <= SHORT_LINE_WORDS
    return keeps_facts(fact, written) and (not short or len(written.split()) <= SHORT_LINE_WORDS)


class _Enough(CancelToken):
    """The caller's cancel token, plus a stop once the model has written every line it was asked
    for (small models go on writing); generators stop on either the same way."""

    def __init__(self, parent: CancelToken) -> None:
        super().__init__()
        self.parent = parent

    @property
    def cancelled(self) -> bool:
        return self.parent.cancelled or self.reached

    @property
    def reached(self) -> bool:
        """Stopped because every line was written (not by the caller)."""
        return super().cancelled

    def check(self) -> None:
        if self.cancelled:
            raise Cancelled()


class LlmDrafter:
    """Drafts with a local LLM on the offline engine's facts; see the module docstring."""

    name = "llm"

    def __init__(self, options: LlmOptions | None = None, models_root: Path | None = None, *,
                 server: Endpoint | None = None, on_request: RequestHook | None = None,
                 offline: OfflineDrafter | None = None) -> None:
        self.options = options or LlmOptions()
        self._models_root = models_root
        self._server = server
        self._on_request = on_request
        self._offline = offline

    def draft(
        self,
        transcript: Transcript,
        template: Template,
        cancel: CancelToken = NEVER,
        progress: ProgressFn | None = None,
    ) -> NoteDraft:
        remote: RemoteGenerator | None = None
        if self._server is not None:  # the clinic's chat server (issue 17)
            remote = RemoteGenerator(self._server, self._on_request)
            model_id, generator = "server", remote
        else:
            model_id, generator = load_generator(self.options, self._models_root)
        sections = self.rewrite(transcript, template, generator, cancel, progress)
        if remote is not None:  # named after the model the server drafted with
            model_id = f"server:{remote.model or 'chat'}@{self._server.host}"
        return NoteDraft(sections=sections, template=template.id, engine=f"llm:{model_id}")

    def rewrite(self, transcript: Transcript, template: Template, generator: Generator,
                cancel: CancelToken = NEVER, progress: ProgressFn | None = None) -> list[Section]:
        """The offline engine's sections, each section's facts rephrased by ``generator``."""
        if self._offline is None:
            self._offline = OfflineDrafter()
        offline = self._offline.draft(transcript, template, cancel).sections
        report = progress or (lambda _f, _t: None)
        n = max(len(offline), 1)
        out: list[Section] = []
        failed = False
        for k, (tsec, sec) in enumerate(zip(template.sections, offline, strict=True)):
            cancel.check()
            report(k / n, f"\n{sec.title.upper()}\n")
            facts = [s.text for s in sec.sentences]
            if failed or not facts:
                report((k + 1) / n, "\n".join(s.text for s in sec.sentences) or "Not discussed.")
                out.append(sec)
                continue
            try:
                written = self._generate(generator, tsec, facts, cancel,
                                         lambda f, t, k=k: report((k + f) / n, t))
            except ScribeError:
                raise  # Cancelled, a missing model, the clinic server's RemoteError
            except Exception as e:  # the model failed: the offline note stands from here on
                log.warning("LLM drafting failed in section %d (%s); offline sentences kept",
                            k, type(e).__name__)
                failed = True
                out.append(sec)
                continue
            sentences = [Sentence(written[i], evidence=s.evidence, support=Support.SUPPORTED)
                         if i in written and _may_replace(s.text, written[i]) else s
                         for i, s in enumerate(sec.sentences)]
            out.append(Section(sec.title, sentences))
        report(1.0, "\n")
        return out

    def _generate(self, generator: Generator, section: TemplateSection, facts: list[str],
                  cancel: CancelToken, report: ProgressFn) -> dict[int, str]:
        """{fact index: the model's sentence for it}; generation stops once every fact has its
        line (or at the section's token limit)."""
        limit = min(self.options.max_new_tokens, TOKENS_PER_FACT * len(facts))
        enough = _Enough(cancel)
        pieces: list[str] = []

        def on_text(piece: str) -> None:
            pieces.append(piece)
            report(min(len(pieces) / limit, 1.0), piece)
            if "\n" in piece and len(parse_numbered("".join(pieces), len(facts),
                                                    complete_only=True)) == len(facts):
                enough.cancel()

        try:
            text = generator.generate(FACTS_PROMPT, facts_request(section, facts), limit,
                                      enough, on_text)
        except Cancelled:
            if cancel.cancelled or not enough.reached:
                raise
            # stopped: every fact has its line; what follows the last newline is a next line begun
            return parse_numbered("".join(pieces), len(facts), complete_only=True)
        return parse_numbered(text, len(facts))

    def review(self, checked: NoteDraft) -> NoteDraft:
        """After the checks: drop the sentences that invent a number or a drug."""
        if self.options.drop_invented:
            for sec in checked.sections:
                sec.sentences = [s for s in sec.sentences if not invented(s)]
        return checked


def invented(s: Sentence) -> bool:
    """Unsupported by any segment and carrying a number or drug nobody said."""
    kinds = {f.kind for f in s.flags}
    return s.support == Support.UNSUPPORTED and bool(kinds & {"number", "medication"})


# --- backends ---------------------------------------------------------------------------------

OnText = Callable[[str], None]


def resolve_model(model: str | None, models_root: Path | None = None) -> tuple[str, Path]:
    """(id, verified folder) of the LLM to use: a folder path, a catalog id, or (None) the first
    installed. A catalog id and None look in the model store at ``models_root``, which must be
    given; a folder path works without it."""
    if model and Path(model).is_dir():
        return Path(model).name, Path(model)
    if models_root is None:
        raise ModelUnavailableError(
            f"The drafting LLM{f' {model!r}' if model else ''} cannot be found: no model store "
            "folder was given, and it is not a model folder."
        )
    store = ModelStore(Path(models_root))
    if model is None:
        first = next(installed_llms(store), None)
        if first is None:
            raise ModelUnavailableError(
                "No drafting LLM is installed; install one with 'scribe install-llm ID' or use "
                "the offline engine."
            )
        model = first.id
    return model, store.path(model)


def load_generator(options: LlmOptions, models_root: Path | None = None) -> tuple[str, Generator]:
    """The generator for the options' model and backend, loaded once per process
    (``models.cache`` family ``"llm"``, one LLM in memory at a time)."""
    model_id, folder = resolve_model(options.model, models_root)
    backend = options.backend
    if backend == "auto":
        backend = "ct2" if (folder / CT2_DIR / "model.bin").is_file() else "transformers"

    def load() -> Generator:
        if backend == "ct2":
            return Ct2Generator(folder, options.compute_type, options.threads)
        return HfGenerator(folder, options.threads)

    key = (str(folder), backend, options.compute_type)
    return model_id, cache.cached("llm", key, load, keep_one=True)


class Generator:
    """Common part of both backends: the tokenizer, the chat template, and prompt tokens.

    After each ``generate``, ``last`` holds (prompt tokens, new tokens, seconds to the first token,
    seconds in all) for the benches.
    """

    last: tuple[int, int, float, float] = (0, 0, 0.0, 0.0)

    def __init__(self, hf_folder: Path) -> None:
        try:
            from transformers import AutoTokenizer
        except ImportError:
            raise ModelUnavailableError(
                "The LLM engine needs the 'llm' extra (pip install 'scribe[llm]')."
            ) from None
        self.tokenizer = AutoTokenizer.from_pretrained(hf_folder)
        self.eos_ids = _eos_ids(hf_folder, self.tokenizer)

    def prompt_ids(self, prefix: str, request: str) -> tuple[list[int], list[int]]:
        """Token ids of the chat prompt, split where the section request starts (shared prefix)."""
        marker = "\u2063"  # invisible separator: where the section request goes
        msgs = [{"role": "system", "content": SYSTEM},
                {"role": "user", "content": f"{prefix}{marker}{request}"}]
        full = self.tokenizer.apply_chat_template(msgs, add_generation_prompt=True, tokenize=False)
        head, tail = full.split(marker, 1)
        enc = self.tokenizer
        return (enc.encode(head, add_special_tokens=False),
                enc.encode(tail, add_special_tokens=False))

    def generate(self, prefix: str, request: str, max_new_tokens: int,
                 cancel: CancelToken = NEVER, on_text: OnText | None = None) -> str:
        raise NotImplementedError


def _eos_ids(folder: Path, tokenizer) -> list[int]:
    import json

    ids = set()
    if tokenizer.eos_token_id is not None:
        ids.add(int(tokenizer.eos_token_id))
    try:
        cfg = json.loads((folder / "generation_config.json").read_text(encoding="utf-8"))
        eos = cfg.get("eos_token_id")
        ids.update(eos if isinstance(eos, list) else ([eos] if eos is not None else []))
    except (OSError, ValueError):
        pass
    for tok in ("<|im_end|>", "<|eot_id|>", "<|end|>"):
        tid = tokenizer.convert_tokens_to_ids(tok)
        if isinstance(tid, int) and tid != tokenizer.unk_token_id and tid >= 0:
            ids.add(tid)
    return sorted(ids)


class _Detok:
    """Incremental detokenisation: emit only the new text each step (no broken UTF-8)."""

    def __init__(self, tokenizer, on_text: OnText | None) -> None:
        self.tokenizer, self.on_text, self.ids, self.text = tokenizer, on_text, [], ""
        self.first_at: float | None = None  # perf_counter of the first token (prefill done)

    def add(self, token_id: int) -> None:
        if self.first_at is None:
            self.first_at = time.perf_counter()
        self.ids.append(token_id)
        text = self.tokenizer.decode(self.ids, skip_special_tokens=True)
        if text.endswith("\ufffd"):
            return
        piece, self.text = text[len(self.text):], text
        if piece and self.on_text:
            self.on_text(piece)


class HfGenerator(Generator):
    """transformers on CPU (float32), greedy; cancel through a StoppingCriteria."""

    def __init__(self, folder: Path, threads: int = 0) -> None:
        hf = transformers_folder(folder)
        super().__init__(hf)
        import torch
        from transformers import AutoModelForCausalLM

        if threads:
            torch.set_num_threads(threads)
        self.model = AutoModelForCausalLM.from_pretrained(hf, dtype=torch.float32)
        self.model.eval()

    def generate(self, prefix: str, request: str, max_new_tokens: int,
                 cancel: CancelToken = NEVER, on_text: OnText | None = None) -> str:
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList
        from transformers.generation.streamers import BaseStreamer

        head, tail = self.prompt_ids(prefix, request)
        ids = torch.tensor([head + tail])
        t0 = time.perf_counter()
        detok = _Detok(self.tokenizer, on_text)
        eos = set(self.eos_ids)

        class Stream(BaseStreamer):
            first = True

            def put(self, value) -> None:
                if self.first:  # generate() first hands over the prompt
                    self.first = False
                    return
                for t in value.reshape(-1).tolist():
                    if t not in eos:
                        detok.add(int(t))

            def end(self) -> None:
                pass

        class Stop(StoppingCriteria):
            def __call__(self, input_ids, scores, **kwargs) -> torch.BoolTensor:
                return torch.full((input_ids.shape[0],), cancel.cancelled, dtype=torch.bool)

        with torch.inference_mode():
            self.model.generate(
                ids, attention_mask=torch.ones_like(ids), max_new_tokens=max_new_tokens,
                do_sample=False, eos_token_id=self.eos_ids, pad_token_id=self.eos_ids[0],
                streamer=Stream(), stopping_criteria=StoppingCriteriaList([Stop()]),
            )
        if cancel.cancelled:
            raise Cancelled()
        self.last = _timing(head, tail, detok, t0)
        return detok.text


class Ct2Generator(Generator):
    """CTranslate2 (int8 by default), greedy; the transcript prefix is a cached static prompt."""

    def __init__(self, folder: Path, compute_type: str = "int8", threads: int = 0) -> None:
        super().__init__(transformers_folder(folder))
        import ctranslate2

        quantization = "int8" if compute_type.startswith("int8") else compute_type
        self.model = ctranslate2.Generator(str(ct2_folder(folder, quantization)), device="cpu",
                                           compute_type=compute_type, intra_threads=threads)

    def generate(self, prefix: str, request: str, max_new_tokens: int,
                 cancel: CancelToken = NEVER, on_text: OnText | None = None) -> str:
        head, tail = self.prompt_ids(prefix, request)
        conv = self.tokenizer.convert_ids_to_tokens
        detok = _Detok(self.tokenizer, on_text)
        t0 = time.perf_counter()
        steps = self.model.generate_tokens(
            conv(tail), static_prompt=conv(head), max_length=max_new_tokens, sampling_topk=1,
            end_token=self.eos_ids,
        )
        for step in steps:
            if cancel.cancelled:
                steps.close()
                raise Cancelled()
            if step.token_id in self.eos_ids:
                break
            detok.add(step.token_id)
        self.last = _timing(head, tail, detok, t0)
        return detok.text


class RemoteGenerator(Generator):
    """The same per-section prompt, sent to a clinic's OpenAI-compatible chat server (the server
    applies its model's chat template); tokens stream back through ``on_text``."""

    def __init__(self, endpoint: Endpoint, on_request: RequestHook | None = None) -> None:
        self.endpoint = endpoint
        self.on_request = on_request
        self.model = endpoint.model  # "" until the server has been asked which model it serves

    def generate(self, prefix: str, request: str, max_new_tokens: int,
                 cancel: CancelToken = NEVER, on_text: OnText | None = None) -> str:
        from dataclasses import replace

        from scribe.remote.chat import served_model, stream_chat

        if not self.model:
            self.model = served_model(self.endpoint, self.on_request)
        messages = [{"role": "system", "content": SYSTEM},
                    {"role": "user", "content": f"{prefix}{request}"}]
        t0 = time.perf_counter()
        first: list[float] = []

        def seen(piece: str) -> None:
            if not first:
                first.append(time.perf_counter())
            if on_text:
                on_text(piece)

        text = stream_chat(replace(self.endpoint, model=self.model), messages, max_new_tokens,
                           on_text=seen,
                           on_request=self.on_request, cancel=cancel)
        end = time.perf_counter()
        self.last = (0, len(text.split()), (first[0] if first else end) - t0, end - t0)
        return text


def _timing(head: list[int], tail: list[int], detok: _Detok, t0: float) -> tuple[int, int, float,
                                                                                  float]:
    end = time.perf_counter()
    first = (detok.first_at or end) - t0
    return len(head) + len(tail), len(detok.ids), first, end - t0

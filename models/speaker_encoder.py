"""Resemblyzer's voice encoder (GE2E, 3-layer LSTM + linear) run in numpy: no torch, no librosa.

The weights come from the Resemblyzer 0.1.4 wheel (Apache-2.0, ``resemblyzer/pretrained.pt``). That
file is a legacy (pre-zip) torch pickle; :func:`read_legacy_torch_file` reads it with the standard
library and numpy only, without importing torch or Resemblyzer.

Where the weights live is the caller's choice, never looked up here: given a ``folder`` (the app
passes ``<models dir>/resemblyzer-voice-encoder``, :data:`MODEL_ID`), the weights are written there
as ``encoder.npz`` on first use and read from there afterwards, so the runtime needs the wheel's
files once and never torch; without one they are read from the wheel each time and kept in memory
only (nothing is written anywhere).

The network runs through onnxruntime (already installed with faster-whisper) when the committed
graph ``speaker_encoder.onnx`` is present: the graph holds no weights. With a folder they are written
beside a copy of the graph as ``speaker_encoder.weights`` (external data) from the same converted
arrays; without one they are handed to onnxruntime from memory. Otherwise a numpy LSTM gives the
same embeddings (cosine > 0.9999), about 3x slower.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pickle
import shutil
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np

from scribe.errors import ModelUnavailableError

N_MELS = 40
HIDDEN = 256
MODEL_ID = "resemblyzer-voice-encoder"
# sha256 of resemblyzer 0.1.4's pretrained.pt: a changed file is refused, never silently loaded.
PRETRAINED_SHA256 = "39373b86598fa3da9fcddee6142382efe09777e8d37dc9c0561f41f0070f134e"

_STORAGE_DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
}


class _StorageType:
    def __init__(self, name: str) -> None:
        self.name = name


class _TensorRef:
    def __init__(self, key: str, offset: int, size: tuple[int, ...], stride: tuple[int, ...]):
        self.key, self.offset, self.size, self.stride = key, offset, size, stride


def _rebuild_tensor(storage: str, offset: int, size: Any, stride: Any, *_: Any) -> _TensorRef:
    return _TensorRef(storage, int(offset), tuple(size), tuple(stride))


class _LegacyUnpickler(pickle.Unpickler):
    """Allows only the handful of names a torch state dict needs; anything else is refused."""

    def __init__(self, f: Any, storages: dict[str, list[Any]]) -> None:
        super().__init__(f)
        self.storages = storages

    def find_class(self, module: str, name: str) -> Any:
        if module.startswith("torch"):
            if name in _STORAGE_DTYPES:
                return _StorageType(name)
            if name in ("_rebuild_tensor_v2", "_rebuild_tensor"):
                return _rebuild_tensor
        if (module, name) == ("collections", "OrderedDict"):
            return OrderedDict
        raise pickle.UnpicklingError(f"unexpected name {module}.{name} in a weights file")

    def persistent_load(self, pid: Any) -> str:
        _kind, storage_type, key, _location, numel, _view = pid
        self.storages.setdefault(key, [storage_type.name, numel, None])
        return str(key)


def read_legacy_torch_file(path: Path) -> dict[str, Any]:
    """Read a legacy torch ``.pt`` (magic, protocol, sys info, pickle, storages) into numpy arrays."""
    storages: dict[str, list[Any]] = {}
    with path.open("rb") as f:
        for _ in range(3):  # magic number, protocol version, sys info
            pickle.load(f)  # noqa: S301 - plain ints/dicts; the object pickle is restricted below
        obj = _LegacyUnpickler(f, storages).load()
        for key in pickle.load(f):  # noqa: S301 - a list of storage keys
            numel = int(np.frombuffer(f.read(8), "<i8")[0])
            dtype = np.dtype(_STORAGE_DTYPES[storages[key][0]])
            storages[key][2] = np.frombuffer(f.read(numel * dtype.itemsize), dtype)

    def resolve(o: Any) -> Any:
        if isinstance(o, _TensorRef):
            flat = storages[o.key][2]
            strides = [s * flat.itemsize for s in o.stride]
            return np.lib.stride_tricks.as_strided(flat[o.offset :], o.size, strides).copy()
        if isinstance(o, dict):
            return {k: resolve(v) for k, v in o.items()}
        return o

    result: dict[str, Any] = resolve(obj)
    return result


def wheel_weights_path() -> Path:
    """``pretrained.pt`` inside the installed Resemblyzer package (found without importing it)."""
    spec = importlib.util.find_spec("resemblyzer")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailableError(
            "Speaker labels need the voice encoder from the Resemblyzer package; "
            "install it with: pip install 'scribe[speakers]'."
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "pretrained.pt"
    if not path.is_file():
        raise ModelUnavailableError("The Resemblyzer package is incomplete; reinstall it.")
    return path


def _checked_wheel_weights() -> Path:
    pt = wheel_weights_path()
    if hashlib.sha256(pt.read_bytes()).hexdigest() != PRETRAINED_SHA256:
        raise ModelUnavailableError(
            "The Resemblyzer voice encoder file does not match version 0.1.4; "
            "reinstall it with: pip install 'resemblyzer==0.1.4'."
        )
    return pt


def _arrays(pt_path: Path) -> dict[str, np.ndarray]:
    state = read_legacy_torch_file(pt_path)["model_state"]
    return {k.replace(".", "_"): np.asarray(v, np.float32) for k, v in state.items()}


def convert_weights(pt_path: Path, out: Path) -> None:
    """Write the encoder weights of ``pt_path`` as ``out`` (npz), atomically."""
    arrays = _arrays(pt_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp.npz")
    np.savez(tmp, **arrays)  # type: ignore[arg-type]
    os.replace(tmp, out)


def load_weights(folder: Path | None = None) -> dict[str, np.ndarray]:
    """The encoder weights: from ``folder/encoder.npz``, converted there from the Resemblyzer wheel
    on first use; without a folder, straight from the wheel (nothing written)."""
    if folder is None:
        return _arrays(_checked_wheel_weights())
    npz = folder / "encoder.npz"
    if not npz.is_file():
        convert_weights(_checked_wheel_weights(), npz)
    try:
        with np.load(npz) as z:
            return {k: z[k] for k in z.files}
    except (OSError, ValueError):
        raise ModelUnavailableError(
            "The speaker model file is damaged; delete the resemblyzer-voice-encoder model folder "
            "and it will be rebuilt."
        ) from None


# --- the network ---------------------------------------------------------------------------------

ONNX_GRAPH = Path(__file__).with_name("speaker_encoder.onnx")
ONNX_WEIGHTS = "speaker_encoder.weights"
_ALIGN = 64
_TORCH_TO_ONNX_GATES = [0, 3, 1, 2]  # torch i, f, g, o -> ONNX i, o, f, c


def onnx_tensors(w: dict[str, np.ndarray]) -> list[tuple[str, np.ndarray]]:
    """The graph's weight tensors, in the order and layout of ``speaker_encoder.weights``."""

    def gates(a: np.ndarray) -> np.ndarray:
        return np.concatenate([np.split(a, 4, axis=0)[g] for g in _TORCH_TO_ONNX_GATES], axis=0)

    out = []
    for i in range(3):
        out.append((f"W{i}", gates(w[f"lstm_weight_ih_l{i}"])[None]))
        out.append((f"R{i}", gates(w[f"lstm_weight_hh_l{i}"])[None]))
        bias = np.concatenate([gates(w[f"lstm_bias_ih_l{i}"]), gates(w[f"lstm_bias_hh_l{i}"])])
        out.append((f"B{i}", bias[None]))
    out.append(("linear_W", w["linear_weight"].T))
    out.append(("linear_b", w["linear_bias"]))
    return [(n, np.ascontiguousarray(a, np.float32)) for n, a in out]


def onnx_layout(tensors: list[tuple[str, np.ndarray]]) -> list[tuple[str, int, int]]:
    """(name, offset, length) of each tensor in the external-data file, 64-byte aligned."""
    layout, offset = [], 0
    for name, arr in tensors:
        offset = -(-offset // _ALIGN) * _ALIGN
        layout.append((name, offset, arr.nbytes))
        offset += arr.nbytes
    return layout


def write_onnx_weights(tensors: list[tuple[str, np.ndarray]], path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as f:
        for (_name, offset, _n), (_, arr) in zip(onnx_layout(tensors), tensors):
            f.write(b"\0" * (offset - f.tell()))
            f.write(arr.tobytes())
    os.replace(tmp, path)


def _onnx_session(
    weights: dict[str, np.ndarray], folder: Path | None, threads: int | None = None
) -> Any:
    """An onnxruntime session over the committed graph, or None when that route is unavailable.

    With a ``folder`` the graph and its external weights file are kept there; without one the
    weights go to onnxruntime from memory.
    """
    try:
        import onnxruntime as ort
    except ImportError:
        return None
    if not ONNX_GRAPH.is_file():
        return None
    # No telemetry: scribe/__init__ sets ORT_DISABLE_TELEMETRY before onnxruntime can load; this
    # also stops events from an onnxruntime some host process loaded before Scribe.
    if hasattr(ort, "disable_telemetry_events"):
        ort.disable_telemetry_events()
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    if threads:
        opts.intra_op_num_threads = threads
    if folder is None:
        tensors = onnx_tensors(weights)
        values = [ort.OrtValue.ortvalue_from_numpy(a) for _, a in tensors]
        opts.add_external_initializers([n for n, _ in tensors], values)
        model: str | bytes = ONNX_GRAPH.read_bytes()
    else:
        graph = folder / ONNX_GRAPH.name
        data = folder / ONNX_WEIGHTS
        if not data.is_file() or not graph.is_file() or graph.read_bytes() != ONNX_GRAPH.read_bytes():
            folder.mkdir(parents=True, exist_ok=True)
            write_onnx_weights(onnx_tensors(weights), data)
            shutil.copyfile(ONNX_GRAPH, graph)
        model = str(graph)
    try:
        return ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])
    except Exception:  # noqa: BLE001 - any load failure falls back to the numpy route
        return None


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (np.tanh(0.5 * x) + 1.0)  # no overflow warnings, same value


class VoiceEncoder:
    """Embeds batches of 1.6 s (or any length) mel windows into unit-length 256-d voice prints.

    Args:
        weights: the arrays of :func:`load_weights` (default: loaded from ``folder``).
        backend: ``"auto"`` (onnxruntime when available, else numpy), ``"onnx"`` or ``"numpy"``.
        folder: where the converted weights are kept (see the module docstring); None: the
            Resemblyzer wheel's weights, in memory only.
        threads: onnxruntime's intra-op threads (None: onnxruntime's default, all cores).
    """

    def __init__(
        self,
        weights: dict[str, np.ndarray] | None = None,
        backend: str = "auto",
        folder: Path | None = None,
        threads: int | None = None,
    ) -> None:
        w = weights if weights is not None else load_weights(folder)
        self.session = None if backend == "numpy" else _onnx_session(w, folder, threads)
        if backend == "onnx" and self.session is None:
            raise ModelUnavailableError("The ONNX speaker model could not be loaded.")
        self.backend = "onnx" if self.session is not None else "numpy"
        self.layers = []
        for i in range(3):
            w_ih = w[f"lstm_weight_ih_l{i}"].T.copy()  # (in, 4H), torch gate order i, f, g, o
            w_hh = w[f"lstm_weight_hh_l{i}"].T.copy()
            bias = w[f"lstm_bias_ih_l{i}"] + w[f"lstm_bias_hh_l{i}"]
            self.layers.append((w_ih, w_hh, bias.astype(np.float32)))
        self.lin_w = w["linear_weight"].T.copy()
        self.lin_b = w["linear_bias"]

    def embed_mels(self, mels: np.ndarray) -> np.ndarray:
        """(batch, frames, 40) mel windows → (batch, 256) L2-normalised embeddings."""
        x = np.ascontiguousarray(mels, np.float32)
        if self.session is not None:
            out: np.ndarray = self.session.run(None, {"mels": x})[0]
            return out
        return self._embed_numpy(x)

    def _embed_numpy(self, x: np.ndarray) -> np.ndarray:
        b, t, _ = x.shape
        h_all = x
        h = np.zeros((b, HIDDEN), np.float32)
        for li, (w_ih, w_hh, bias) in enumerate(self.layers):
            proj = (h_all.reshape(b * t, -1) @ w_ih + bias).reshape(b, t, 4 * HIDDEN)
            h = np.zeros((b, HIDDEN), np.float32)
            c = np.zeros((b, HIDDEN), np.float32)
            last = li == len(self.layers) - 1
            outs = None if last else np.empty((b, t, HIDDEN), np.float32)
            for step in range(t):
                g = proj[:, step] + h @ w_hh
                i_g = _sigmoid(g[:, :HIDDEN])
                f_g = _sigmoid(g[:, HIDDEN : 2 * HIDDEN])
                c_g = np.tanh(g[:, 2 * HIDDEN : 3 * HIDDEN])
                o_g = _sigmoid(g[:, 3 * HIDDEN :])
                c = f_g * c + i_g * c_g
                h = o_g * np.tanh(c)
                if outs is not None:
                    outs[:, step] = h
            if outs is not None:
                h_all = outs
        emb = np.maximum(h @ self.lin_w + self.lin_b, 0.0)
        norm = np.linalg.norm(emb, axis=1, keepdims=True)
        return (emb / np.maximum(norm, 1e-9)).astype(np.float32)

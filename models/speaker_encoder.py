"""Resemblyzer's voice encoder (GE2E, 3-layer LSTM + linear) run in numpy: no torch, no librosa.

The weights come from the Resemblyzer 0.1.4 wheel (Apache-2.0, ``resemblyzer/pretrained.pt``). That
file is a legacy (pre-zip) torch pickle; :func:`read_legacy_torch_file` reads it with the standard
library and numpy only, without importing torch or Resemblyzer. On first use the weights are written
as ``encoder.npz`` into the model store (``<models dir>/resemblyzer-voice-encoder``) and read from
there afterwards, so the runtime needs the wheel's files once and never torch.

The mel front end reproduces ``librosa.feature.melspectrogram`` with Resemblyzer's settings (25 ms
Hann window, 10 ms hop, 40 Slaney mel bands, power spectrum, centred with zero padding);
``tests/test_speakers.py`` checks both against the reference implementation when it is installed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pickle
import tempfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np

from scribe.errors import ModelUnavailableError

SAMPLE_RATE = 16000
N_FFT = 400  # 25 ms
HOP = 160  # 10 ms
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


def _wheel_weights() -> Path:
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


def _store_folder() -> Path:
    try:
        from scribe.paths import models_dir

        return models_dir() / MODEL_ID
    except ImportError:  # pragma: no cover - scribe.paths is part of the core
        return Path(tempfile.gettempdir()) / "scribe-models" / MODEL_ID


def convert_weights(pt_path: Path, out: Path) -> None:
    """Write the encoder weights of ``pt_path`` as ``out`` (npz), atomically."""
    state = read_legacy_torch_file(pt_path)["model_state"]
    arrays = {k.replace(".", "_"): np.asarray(v, np.float32) for k, v in state.items()}
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp.npz")
    np.savez(tmp, **arrays)
    os.replace(tmp, out)


def load_weights(folder: Path | None = None) -> dict[str, np.ndarray]:
    """The encoder weights, converted from the Resemblyzer wheel into the model store on first use."""
    folder = folder or _store_folder()
    npz = folder / "encoder.npz"
    if not npz.is_file():
        pt = _wheel_weights()
        if hashlib.sha256(pt.read_bytes()).hexdigest() != PRETRAINED_SHA256:
            raise ModelUnavailableError(
                "The Resemblyzer voice encoder file does not match version 0.1.4; "
                "reinstall it with: pip install 'resemblyzer==0.1.4'."
            )
        convert_weights(pt, npz)
    try:
        with np.load(npz) as z:
            return {k: z[k] for k in z.files}
    except (OSError, ValueError):
        raise ModelUnavailableError(
            "The speaker model file is damaged; delete the resemblyzer-voice-encoder model folder "
            "and it will be rebuilt."
        ) from None


# --- mel front end -------------------------------------------------------------------------------


def _hz_to_mel(f: np.ndarray) -> np.ndarray:
    """Slaney mel scale (linear below 1 kHz, logarithmic above), as librosa with htk=False."""
    f = np.asarray(f, np.float64)
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, np.log(6.4) / 27.0
    mel = f / f_sp
    high = f >= min_log_hz
    mel[high] = min_log_mel + np.log(f[high] / min_log_hz) / logstep
    return mel


def _mel_to_hz(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, np.float64)
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, np.log(6.4) / 27.0
    f = f_sp * m
    high = m >= min_log_mel
    f[high] = min_log_hz * np.exp(logstep * (m[high] - min_log_mel))
    return f


def mel_filters() -> np.ndarray:
    """(N_MELS, N_FFT//2+1) triangular filters with Slaney area normalisation."""
    fft_freqs = np.linspace(0, SAMPLE_RATE / 2, N_FFT // 2 + 1)
    mel_pts = _mel_to_hz(
        np.linspace(
            _hz_to_mel(np.array([0.0]))[0], _hz_to_mel(np.array([SAMPLE_RATE / 2]))[0], N_MELS + 2
        )
    )
    fdiff = np.diff(mel_pts)
    ramps = mel_pts[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_pts[2 : N_MELS + 2] - mel_pts[:N_MELS]))[:, None]
    return weights.astype(np.float32)


_MEL = mel_filters()
_WINDOW = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)


def mel_spectrogram(wav: np.ndarray) -> np.ndarray:
    """(frames, 40) power mel spectrogram, one frame per 10 ms (frame i centred on sample 160*i)."""
    wav = np.asarray(wav, np.float32)
    padded = np.pad(wav, N_FFT // 2)
    n_frames = 1 + (len(padded) - N_FFT) // HOP
    if n_frames <= 0:
        return np.zeros((0, N_MELS), np.float32)
    frames = np.lib.stride_tricks.as_strided(
        padded, (n_frames, N_FFT), (padded.strides[0] * HOP, padded.strides[0])
    )
    spec = np.abs(np.fft.rfft(frames * _WINDOW, axis=1)) ** 2
    return (spec.astype(np.float32) @ _MEL.T).astype(np.float32)


# --- the network ---------------------------------------------------------------------------------


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (np.tanh(0.5 * x) + 1.0)  # no overflow warnings, same value


class VoiceEncoder:
    """Embeds batches of 1.6 s (or any length) mel windows into unit-length 256-d voice prints."""

    def __init__(self, weights: dict[str, np.ndarray] | None = None) -> None:
        w = weights if weights is not None else load_weights()
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

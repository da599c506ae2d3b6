"""Resemblyzer's mel front end in numpy, so the run path needs neither librosa nor torch.

Reproduces ``librosa.feature.melspectrogram`` with Resemblyzer's settings (25 ms Hann window, 10 ms
hop, 40 Slaney mel bands, power spectrum, centred with zero padding); ``tests/test_speakers.py``
checks it against Resemblyzer's own function when that is installed.
"""

from __future__ import annotations

import numpy as np

SAMPLE_RATE = 16000
N_FFT = 400  # 25 ms
HOP = 160  # 10 ms
N_MELS = 40


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
    return mel_frames(wav, 0, 1 + len(wav) // HOP)


def mel_frames(wav: np.ndarray, first: int, count: int) -> np.ndarray:
    """Frames ``first .. first+count-1`` of ``mel_spectrogram(wav)``, from only the samples they need.

    Frame k is centred on sample 160*k and sees samples [160k - 200, 160k + 200); samples outside
    ``wav`` count as zero (the centred padding librosa uses). The live speaker
    labeller uses this to add frames as audio arrives instead of redoing the whole ring.
    """
    if count <= 0:
        return np.zeros((0, N_MELS), np.float32)
    wav = np.asarray(wav, np.float32)
    a, b = first * HOP - N_FFT // 2, (first + count - 1) * HOP + N_FFT // 2
    piece = np.zeros(b - a, np.float32)
    lo, hi = max(a, 0), min(b, len(wav))
    if hi > lo:
        piece[lo - a : hi - a] = wav[lo:hi]
    frames = np.lib.stride_tricks.as_strided(
        piece, (count, N_FFT), (piece.strides[0] * HOP, piece.strides[0])
    )
    spec = np.abs(np.fft.rfft(frames * _WINDOW, axis=1)) ** 2
    return (spec.astype(np.float32) @ _MEL.T).astype(np.float32)

"""What this machine can run: a readout for Settings and the speech model to recommend.

The CPU thread count respects the process's CPU affinity and a cgroup (container) CPU quota, so a
2-core container on a 64-core host gets 2 threads, not 64.
"""

from __future__ import annotations

import math
import os
import platform
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from scribe.errors import ModelUnavailableError

__all__ = [
    "DeviceInfo",
    "cpu_name",
    "cpu_threads",
    "detect_device",
    "gpu_name",
    "readout",
    "recommend_model",
]


@dataclass(frozen=True)
class DeviceInfo:
    """Where the speech model runs: ``device`` ``"cuda"`` | ``"cpu"``, ``compute_type``
    ``"float16"`` | ``"int8"``, the CPU threads, and a line for people."""

    device: str
    compute_type: str
    cpu_threads: int
    description: str


def cpu_threads() -> int:
    """Threads this process may really use: affinity, then a cgroup v2/v1 quota; at least 1."""
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    quota = _cgroup_quota()
    if quota is not None:
        n = min(n, max(1, math.ceil(quota)))
    return max(1, n)


def _cgroup_quota() -> float | None:
    try:
        parts = Path("/sys/fs/cgroup/cpu.max").read_text().split()
        if parts and parts[0] != "max":
            return int(parts[0]) / int(parts[1])
    except (OSError, ValueError, IndexError):
        pass
    try:
        q = int(Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us").read_text())
        p = int(Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us").read_text())
        if q > 0 and p > 0:
            return q / p
    except (OSError, ValueError):
        pass
    return None


def detect_device(requested: str = "auto") -> DeviceInfo:
    """CUDA float16 when CTranslate2 sees a GPU (and ``requested`` allows it), else CPU int8."""
    import ctranslate2

    threads = cpu_threads()  # respects container CPU limits, unlike os.cpu_count()
    if requested in ("auto", "cuda"):
        try:
            gpus = ctranslate2.get_cuda_device_count()
        except Exception:  # no CUDA runtime at all
            gpus = 0
        if gpus > 0:
            return DeviceInfo("cuda", "float16", threads, f"NVIDIA GPU ({gpus}), float16")
        if requested == "cuda":
            raise ModelUnavailableError("No NVIDIA GPU is available; choose the CPU in Settings.")
    return DeviceInfo("cpu", "int8", threads, f"CPU, {threads} threads, int8")


def cpu_name() -> str:
    """The CPU model ("Intel(R) Xeon(R) …"), or the platform's processor string."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "CPU"


def gpu_name() -> str | None:
    """The first NVIDIA GPU's name from nvidia-smi, when the tool is there."""
    exe = shutil.which("nvidia-smi")
    if not exe:
        return None
    try:
        out = subprocess.run(
            [exe, "--query-gpu=name", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    first = out.strip().splitlines()
    return first[0].strip() if first else None


def readout(info: DeviceInfo | None = None) -> str:
    """One line for Settings: "CPU, 8 threads, int8" or "NVIDIA RTX A2000, float16"."""
    info = info or detect_device()
    if info.device == "cuda":
        name = gpu_name() or "NVIDIA GPU"
        if not name.upper().startswith("NVIDIA"):
            name = f"NVIDIA {name}"
        return f"{name}, {info.compute_type}"
    return f"CPU, {cpu_threads()} threads, {info.compute_type}"


def recommend_model(device_info: DeviceInfo | None = None) -> str:
    """The catalog id to suggest: live transcription must keep up with speech on this machine.

    GPU: large-v3-turbo. CPU: tiny.en on 1 thread, base (the default) up to 5, small.en from 6.
    """
    info = device_info or detect_device()
    if info.device == "cuda":
        return "large-v3-turbo"
    threads = info.cpu_threads
    if threads <= 1:
        return "tiny.en"
    if threads <= 5:
        return "base"
    return "small.en"

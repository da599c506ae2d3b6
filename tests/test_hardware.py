"""Hardware readout for Settings and the model Scribe recommends for it."""

from __future__ import annotations

import os

import pytest

from models.catalog import get_entry
from scribe.speech import hardware
from scribe.speech.hardware import DeviceInfo


@pytest.mark.parametrize(
    ("device", "threads", "expected"),
    [
        ("cuda", 8, "large-v3-turbo"),
        ("cpu", 1, "tiny.en"),
        ("cpu", 2, "base"),
        ("cpu", 4, "base"),
        ("cpu", 8, "small.en"),
        ("cpu", 16, "small.en"),
    ],
)
def test_recommendation_fits_the_hardware(device, threads, expected):
    compute = "float16" if device == "cuda" else "int8"
    info = DeviceInfo(device, compute, threads, "")
    model = hardware.recommend_model(info)
    assert model == expected
    entry = get_entry(model)
    assert entry is not None and entry.kind == "asr"


def test_cpu_readout_names_threads_and_compute_type():
    info = DeviceInfo("cpu", "int8", 2, "")
    assert hardware.readout(info) == f"CPU, {hardware.cpu_threads()} threads, int8"


def test_gpu_readout_names_the_card(monkeypatch):
    info = DeviceInfo("cuda", "float16", 8, "")
    monkeypatch.setattr(hardware, "gpu_name", lambda: "NVIDIA RTX A2000 12GB")
    assert hardware.readout(info) == "NVIDIA RTX A2000 12GB, float16"
    monkeypatch.setattr(hardware, "gpu_name", lambda: None)  # no nvidia-smi on the PATH
    assert hardware.readout(info) == "NVIDIA GPU, float16"


def test_cpu_threads_respect_affinity_and_a_container_quota(monkeypatch):
    n = hardware.cpu_threads()
    assert 1 <= n <= (os.cpu_count() or 1)
    monkeypatch.setattr(hardware, "_cgroup_quota", lambda: 0.5)
    assert hardware.cpu_threads() == 1
    monkeypatch.setattr(hardware, "_cgroup_quota", lambda: 1.5)
    assert hardware.cpu_threads() == min(2, n)


def test_this_machine_gets_a_readout_and_an_installed_default():
    text = hardware.readout()
    assert text.startswith(("CPU, ", "NVIDIA"))
    assert hardware.cpu_name()
    assert hardware.recommend_model() in {"tiny.en", "base", "small.en", "large-v3-turbo"}

"""Microphones the computer offers, as seen by PortAudio (through sounddevice)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scribe.errors import AudioDeviceError

__all__ = [
    "InputDevice",
    "default_input_device",
    "list_input_devices",
    "load_sounddevice",
    "refresh_devices",
    "resolve_input_device",
]

_NO_PORTAUDIO = (
    "The audio system (PortAudio) is not installed; install libportaudio2 and restart Scribe."
)
_NO_MICROPHONE = "No microphone was found; connect one and try again."


@dataclass(frozen=True)
class InputDevice:
    """One input device: PortAudio index, display name, and whether it is the system default."""

    index: int
    name: str
    is_default: bool
    max_input_channels: int = 1
    default_samplerate: float = 0.0


def load_sounddevice() -> Any:
    """Import sounddevice, turning a missing PortAudio library into an AudioDeviceError."""
    try:
        import sounddevice
    except (OSError, ImportError) as exc:  # OSError: sounddevice found no libportaudio
        raise AudioDeviceError(_NO_PORTAUDIO) from exc
    return sounddevice


def refresh_devices() -> None:
    """Rescan devices (PortAudio caches the list at start-up, so a newly plugged mic is unseen).

    Must not be called while a stream is open.
    """
    sd = load_sounddevice()
    sd._terminate()
    sd._initialize()


def _default_input_index(sd: Any) -> int | None:
    try:
        index = sd.default.device[0]
    except Exception:  # noqa: BLE001 - a broken default is the same as none
        return None
    if index is None or index < 0:
        try:
            index = sd.query_hostapis(0)["default_input_device"]
        except Exception:  # noqa: BLE001
            return None
    return int(index) if index is not None and index >= 0 else None


def list_input_devices() -> list[InputDevice]:
    """All devices with at least one input channel; empty when there is none."""
    sd = load_sounddevice()
    try:
        devices = sd.query_devices()
    except sd.PortAudioError as exc:
        raise AudioDeviceError(
            "The list of microphones could not be read; restart Scribe and try again."
        ) from exc
    default = _default_input_index(sd)
    found = []
    for index, info in enumerate(devices):
        if int(info.get("max_input_channels", 0)) < 1:
            continue
        found.append(
            InputDevice(
                index=index,
                name=str(info["name"]),
                is_default=index == default,
                max_input_channels=int(info["max_input_channels"]),
                default_samplerate=float(info.get("default_samplerate", 0.0)),
            )
        )
    return found


def default_input_device() -> InputDevice:
    """The system's default microphone (or the first one); AudioDeviceError when there is none."""
    devices = list_input_devices()
    if not devices:
        raise AudioDeviceError(_NO_MICROPHONE)
    for device in devices:
        if device.is_default:
            return device
    return devices[0]


def resolve_input_device(device: int | str | None) -> InputDevice:
    """Find the device a user picked, by index, exact name or name fragment (None = default)."""
    if device is None:
        return default_input_device()
    devices = list_input_devices()
    if not devices:
        raise AudioDeviceError(_NO_MICROPHONE)
    if isinstance(device, int):
        matches = [d for d in devices if d.index == device]
    else:
        matches = [d for d in devices if d.name == device] or [
            d for d in devices if device.lower() in d.name.lower()
        ]
    if not matches:
        raise AudioDeviceError(
            "The chosen microphone is not connected; pick another one in Settings."
        )
    return matches[0]

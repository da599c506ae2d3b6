"""Audio: capture (recorder, devices), the part-file format and its recovery, files, the vault."""

from scribe.audio.devices import InputDevice, default_input_device, list_input_devices
from scribe.audio.files import SAMPLE_RATE, SUPPORTED, duration_s, load_audio
from scribe.audio.recorder import Recorder, RecorderState
from scribe.audio.vault import AudioVault

__all__ = [
    "SAMPLE_RATE",
    "SUPPORTED",
    "AudioVault",
    "InputDevice",
    "Recorder",
    "RecorderState",
    "default_input_device",
    "duration_s",
    "list_input_devices",
    "load_audio",
]

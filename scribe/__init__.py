"""Scribe core: audio, transcription, drafting, storage, sign-off, export. Never imports Qt."""

import os as _os

__version__ = "0.1.0"

# No network, ever: onnxruntime (Silero VAD in faster-whisper, the speaker encoder) ships Microsoft
# 1DS telemetry that, at import, writes a device id under ~/.cache/Microsoft and later resolves
# mobile.events.data.microsoft.com. Its only off switch that acts before import is this variable,
# so it is set here, before any Scribe module can import onnxruntime (forced: not a user option).
_os.environ["ORT_DISABLE_TELEMETRY"] = "1"

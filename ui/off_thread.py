"""Run one short piece of slow work (hashing a model folder, making a voice print) off the UI thread.

The result or the error's one sentence comes back on the main thread through queued signals; the
caller writes the store there. Settings and the enrolment panel both use it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

from scribe.errors import ScribeError


class _Bridge(QObject):
    done = Signal(object)  # result
    failed = Signal(str)  # one sentence


def run_off_thread(fn: Callable[[], Any], on_done: Callable[[Any], None],
                   on_failed: Callable[[str], None], parent: QObject) -> threading.Thread:
    """Run ``fn`` on a worker thread; its result or error comes back on the main thread."""
    bridge = _Bridge(parent)
    q = Qt.ConnectionType.QueuedConnection
    bridge.done.connect(on_done, q)
    bridge.failed.connect(on_failed, q)

    def body() -> None:
        try:
            bridge.done.emit(fn())
        except ScribeError as e:
            bridge.failed.emit(e.message)
        except Exception:  # noqa: BLE001 - a bug must not vanish silently
            bridge.failed.emit("That did not work; try again.")

    t = threading.Thread(target=body, name="scribe-off-thread", daemon=True)
    t.start()
    return t

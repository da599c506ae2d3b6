"""Guard against the Qt binding's refcount bug that aborted long sessions ("bool_dealloc").

PySide6 6.12.0 dropped a reference to ``True`` on every signal delivered to a Python callable; after
enough emits (a few minutes of progress updates) the interpreter aborts. Python 3.12+ makes bools
immortal, so the check only means something on 3.11 and older.
"""

import sys

import pytest
from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    progress = Signal(str, str, float)


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="bools are immortal from Python 3.12")
def test_signal_delivery_keeps_refcounts(qapp):
    emitter = _Emitter()
    received = []
    emitter.progress.connect(lambda *args: received.append(args))
    before = sys.getrefcount(True)
    for _ in range(200):
        emitter.progress.emit("visit", "transcribing", 0.5)
    assert len(received) == 200
    assert sys.getrefcount(True) - before > -10, "the Qt binding leaks references to True"

"""The full pass behind the live text (issue 13): a process that ends mid-pass ends cleanly.

The pass runs in CTranslate2 on its own thread; an interpreter that ended while that thread was
inside a decode crashed with SIGSEGV (seen at the end of `bench terms --paths live`).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.audio_stack import DATA

SCRIPT = textwrap.dedent("""
    import sys
    from pathlib import Path
    from scribe.audio.files import load_audio
    from scribe.speech.live import LiveTranscriber
    from scribe.speech.transcriber import TranscribeOptions
    audio = load_audio(sys.argv[1])
    options = TranscribeOptions(model="tiny.en", models_root=Path(sys.argv[2]))
    live = LiveTranscriber(options, min_chunk_s=2.0, background=True, chunk_s=4.0)
    for at in range(0, 16000 * 20, 32000):
        live.feed(audio[at : at + 32000])
    print("queued", live._background.pending(), flush=True)
    # no finish(), no close(): the process just ends with chunks queued and one in flight
""")


def test_a_process_that_ends_mid_pass_exits_cleanly(models_root):
    from scribe.speech.transcriber import load_model

    load_model("tiny.en", models_root=models_root)  # assembled in the store before the child runs
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(DATA / "visit_short.wav"),
                          str(models_root)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    queued = int(out.stdout.split()[-1])
    assert queued >= 1  # the pass really was busy when the process ended

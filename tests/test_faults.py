"""Faults done for real: a full disk, a read-only data folder, kill -9, a closed pipe, EOF at the
prompt, a damaged model, hostile text. Each check is what the clinician sees: one true sentence,
the exit code, the visit list, what is on disk."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scribe.cli import main

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
CONTROL = [chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0))] + \
    [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]

needs_root = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                                reason="mounting a tmpfs or a read-only bind needs root")


@contextlib.contextmanager
def mounted(cmds: list[list[str]], target: Path):
    target.mkdir(parents=True, exist_ok=True)
    try:
        for cmd in cmds:
            if subprocess.run(cmd, capture_output=True).returncode != 0:
                pytest.skip(f"cannot run {' '.join(cmd)} here")
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


def tmpfs(target: Path, size: str):
    return mounted([["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target)]], target)


def fill(folder: Path) -> Path:
    """Write a filler file until the disk says ENOSPC; returns it (delete it to free the space)."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as f, contextlib.suppress(OSError):
        while True:
            f.write(b"\0" * 4096)
    return filler


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, SCRIBE_HOME=str(home), PYTHONPATH=str(ROOT), **extra)
    return env


def _no_control(text: str) -> bool:
    return not any(c in text for c in CONTROL if c not in "\n")


# --- (6) errors that tell the truth ------------------------------------------------------------
@needs_root
def test_disk_full_mid_note_says_so_then_list_shows_it_failed_and_retry_finishes(
        tmp_path, monkeypatch, capsys, clip):
    home = tmp_path / "small"
    with tmpfs(home, "2M"):
        monkeypatch.setenv("SCRIBE_HOME", str(home))
        assert main(["list"]) == 0  # the profile and the database exist
        import scribe.visit.pipeline as pipeline

        real = pipeline.transcribe_visit
        filler: list[Path] = []

        def fill_then_transcribe(*a, **k):  # noqa: ANN002, ANN003, ANN202
            filler.append(fill(home))  # the disk fills while the visit is being transcribed
            return real(*a, **k)

        monkeypatch.setattr(pipeline, "transcribe_visit", fill_then_transcribe)
        capsys.readouterr()
        code = main(["note", str(clip("hello.wav")), "--fast", "--label", "full disk"])
        err = capsys.readouterr().err
        assert code == 1, err
        assert err.strip() == "scribe: The disk is full; free some space so Scribe can save your work."
        monkeypatch.setattr(pipeline, "transcribe_visit", real)
        filler[0].unlink()  # the clinician frees some space
        assert main(["list"]) == 0
        rows = capsys.readouterr().out.splitlines()
        assert len(rows) == 1 and "Failed" in rows[0] and "full disk" in rows[0]
        assert "process it again" in rows[0]  # the reason is shown
        eid = rows[0].split()[0]
        assert main(["retry", eid, "--fast"]) == 0
        assert capsys.readouterr().out.strip() == f"Visit {eid}: In review."


@needs_root
def test_full_disk_at_sign_in_says_full_not_damaged(tmp_path, monkeypatch, capsys):
    home = tmp_path / "small"
    with tmpfs(home, "1M"):
        monkeypatch.setenv("SCRIBE_HOME", str(home))
        assert main(["list"]) == 0
        capsys.readouterr()
        filler = fill(home)
        assert main(["list"]) == 1
        err = capsys.readouterr().err
        assert err.strip() == "scribe: The disk is full; free some space so Scribe can save your work."
        filler.unlink()
        assert main(["list"]) == 0  # it was never damaged


@needs_root
def test_read_only_data_folder_says_read_only_not_damaged(capsys):
    home = Path(os.environ["SCRIBE_HOME"])
    assert main(["list"]) == 0
    capsys.readouterr()
    with mounted([["mount", "--bind", str(home), str(home)],
                  ["mount", "-o", "remount,ro,bind", str(home)]], home):
        assert main(["list"]) == 1
        err = capsys.readouterr().err
    assert err.startswith("scribe: Scribe's data folder is read-only;")
    assert "damaged" not in err and "restore" not in err and len(err.strip().splitlines()) == 1
    assert main(["list"]) == 0  # nothing was harmed


def test_search_for_a_lone_quote_finds_nothing_without_an_error(capsys, clip):
    assert main(["note", str(clip("hello.wav")), "--fast", "--label", "quote"]) == 0
    capsys.readouterr()
    for query in ['"', '""', 'NEAR(', '"hello', '*', 'a OR "']:
        assert main(["list", "--search", query]) == 0, query
        assert capsys.readouterr().err == ""
    assert main(["list", "--search", "quote"]) == 0
    assert "quote" in capsys.readouterr().out


def test_show_into_head_ends_quietly(workspace):
    from scribe.domain import Segment, Status, Transcript

    enc = workspace.store.create_encounter("long visit", Status.TRANSCRIBING)
    segs = tuple(Segment(i, float(i), i + 1.0, "the patient describes a long history " * 4)
                 for i in range(3000))  # far more than a pipe holds
    workspace.store.save_transcript(enc.id, Transcript(segs, "tiny.en", 3000.0))
    home = os.environ["SCRIBE_HOME"]
    proc = subprocess.run(f"{sys.executable} -m scribe show {enc.id} | head -1", shell=True,
                          env=_env(Path(home)), capture_output=True, text=True, timeout=120)
    assert proc.stdout.startswith(f"Visit {enc.id}: long visit")
    assert proc.stderr == ""  # no traceback, no "internal error", no "Exception ignored"


def test_eof_at_the_passphrase_prompt_is_one_sentence(tmp_path):
    env = _env(tmp_path / "home")
    env.pop("SCRIBE_PASSPHRASE")
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "scribe", "list"], stdin=slave,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                start_new_session=True)  # no controlling terminal: getpass reads stdin
        seen = b""
        deadline = time.monotonic() + 60
        while b"passphrase:" not in seen and time.monotonic() < deadline:
            seen += os.read(proc.stderr.fileno(), 256)  # the prompt: getpass is reading now
        time.sleep(0.3)
        os.write(master, b"\x04")  # Ctrl-D on an empty line
        _out, rest = proc.communicate(timeout=60)
        err = seen + rest
    finally:
        os.close(master)
        os.close(slave)
    text = err.decode()
    assert text.startswith("New Scribe passphrase: ")  # the prompt, then the one sentence
    lines = text.removeprefix("New Scribe passphrase: ").splitlines()
    assert proc.returncode == 1
    assert lines == ["scribe: No passphrase was typed; nothing was opened."], err
    assert b"Traceback" not in err and b"internal error" not in err


def test_empty_tokenizer_names_the_model_and_leaves_no_visit_stuck(tmp_path, capsys, clip,
                                                                   models_root):
    from models.store import ModelStore

    broken = tmp_path / "my-whisper"
    shutil.copytree(ModelStore(models_root).path("tiny.en"), broken)
    (broken / "tokenizer.json").write_bytes(b"")
    code = main(["note", str(clip("hello.wav")), "--model", str(broken)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.strip() == ("scribe: The speech model 'my-whisper' could not be loaded: one of its "
                           "files is empty or damaged; reinstall it or import it again.")
    assert main(["list"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert len(rows) == 1 and "Failed" in rows[0] and "my-whisper" in rows[0]


def test_recover_with_a_damaged_part_file_exits_1_and_says_only_that(capsys):
    assert main(["list"]) == 0
    audio = Path(os.environ["SCRIBE_HOME"]) / "audio"
    (audio / "deadbeef.pcm.part").write_bytes(b"RIFF" + os.urandom(4000))
    (audio / "deadbeef.json").write_text("{not json")
    capsys.readouterr()
    assert main(["recover"]) == 1
    out, err = capsys.readouterr()
    assert "No interrupted recordings found." not in out
    assert err.strip().splitlines() == ["scribe: The details of interrupted recording deadbeef are "
                                        "unreadable; its audio cannot be recovered automatically."]


# --- (7) no visit left stuck ----------------------------------------------------------------------
def _statuses(capsys) -> dict[str, str]:
    assert main(["list", "--json"]) == 0
    return {r["id"]: r["status"] for r in json.loads(capsys.readouterr().out)}


def test_kill_9_mid_note_leaves_a_visit_the_list_shows_failed_and_retry_finishes(capsys, clip):
    home = Path(os.environ["SCRIBE_HOME"])
    assert main(["list"]) == 0
    proc = subprocess.Popen([sys.executable, "-m", "scribe", "note", str(clip("visit_short.wav")),
                             "--fast", "--label", "killed"], env=_env(home),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        seen: dict[str, str] = {}
        while time.monotonic() < deadline and "transcribing" not in seen.values():
            seen = _statuses(capsys)  # while it works, the list leaves its visit alone
            time.sleep(0.2)
        assert "transcribing" in seen.values(), seen
        time.sleep(0.5)
        assert "transcribing" in _statuses(capsys).values()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    capsys.readouterr()
    assert main(["list"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert len(rows) == 1 and "Failed" in rows[0] and "Processing stopped" in rows[0]
    eid = rows[0].split()[0]
    assert main(["retry", eid, "--fast"]) == 0
    assert capsys.readouterr().out.strip() == f"Visit {eid}: In review."


@needs_root
def test_recording_on_a_nearly_full_disk_does_not_start(tmp_path, monkeypatch):
    from scribe.errors import DiskFullError
    from scribe.visit.recording import start_recording
    from scribe.visit.workspace import Workspace

    home = tmp_path / "small"
    with tmpfs(home, "1M"):
        monkeypatch.setenv("SCRIBE_HOME", str(home))
        ws = Workspace.open(home, actor="test")
        try:
            def no_device(**_k):  # noqa: ANN003, ANN202
                raise AssertionError("the microphone must not be opened")

            with pytest.raises(DiskFullError, match="^The disk is nearly full"):
                start_recording(ws, label="no room", stream_factory=no_device)
            assert ws.store.list(include_discarded=True) == []  # no "Recording 0:00" row
            assert list(ws.vault.folder.iterdir()) == []  # and no part file
        finally:
            ws.close()


# --- (9) no raw control characters ------------------------------------------------------------
EVIL = "\x1b[2J\x07Mrs \u202eX\x00\x9b31m\r\n0123456789abcdef  2024-01-01 10:00    0:00  Signed  fake"


def test_hostile_label_and_file_name_never_reach_the_terminal_note_or_export(tmp_path, capsys, clip):
    named = tmp_path / "visit\x1b]0;pwned\x07\u202eevil.wav"
    shutil.copy(clip("hello.wav"), named)
    assert main(["note", str(named), "--fast"]) == 0
    assert main(["note", str(clip("hello.wav")), "--fast", "--label", EVIL]) == 0
    capsys.readouterr()
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert _no_control(out)
    lines = out.splitlines()
    assert len(lines) == 2  # one line per visit: no fake row
    assert all(line.split()[0] in {lines[0].split()[0], lines[1].split()[0]} for line in lines)
    eid = next(line.split()[0] for line in lines if "fake" in line)
    assert main(["list", "--json"]) == 0
    labels = [r["label"] for r in json.loads(capsys.readouterr().out)]
    assert all(_no_control(label) and "\n" not in label for label in labels)
    assert main(["show", eid]) == 0
    assert _no_control(capsys.readouterr().out)
    assert main(["sign", eid, "--as", "Clinician", "--acknowledge-flags"]) == 0
    out_file = tmp_path / "note.txt"
    assert main(["export", eid, "-o", str(out_file)]) == 0
    assert _no_control(out_file.read_text(encoding="utf-8"))
    capsys.readouterr()
    assert main(["export", eid]) == 0
    assert _no_control(capsys.readouterr().out)

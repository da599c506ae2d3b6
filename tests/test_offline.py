"""The whole pipeline with the network cut off; then a copy of the data folder reveals nothing."""

from __future__ import annotations

import json
import re
import shutil
import socket
from pathlib import Path

import pytest

from scribe.cli import main
from scribe.visit.workspace import Workspace

DATA = Path(__file__).parent / "data"
KEY_WORDS = json.loads((DATA / "clips.json").read_text())["visit_short.wav"]["key_words"]
LABEL = "Zebulon Quartermaine"
# The containers' own signatures, in full: a 4-byte tag such as b"fLaC" turns up by chance in a
# megabyte of ciphertext about once in 4,000 files (it did, once, in a full run).
HEADERS = {
    "RIFF/WAVE": re.compile(rb"RIFF.{4}WAVEfmt ", re.DOTALL),
    "fLaC": re.compile(rb"fLaC[\x00\x80]\x00\x00\x22"),  # then its 34-byte STREAMINFO block
    "SQLite": re.compile(re.escape(b"SQLite format 3\x00")),
}


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*_a, **_k):
        raise OSError("network access attempted during an offline test")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_socket_block_really_blocks(no_network):
    with pytest.raises(OSError, match="offline test"):
        socket.create_connection(("127.0.0.1", 9))


def test_import_transcribe_draft_sign_export_with_sockets_blocked_then_grep_the_data_copy(
    no_network, capsys, tmp_path, scribe_home
):
    code, out, err = run(capsys, "note", str(DATA / "visit_short.wav"), "--fast", "--json",
                         "--label", LABEL)
    assert code == 0, err
    visit = json.loads(out)
    transcript = " ".join(s["text"] for s in visit["transcript"]).lower()
    eid = visit["id"]
    assert run(capsys, "sign", eid, "--acknowledge-flags")[0] == 0
    export = tmp_path / "note.txt"
    code, _, err = run(capsys, "export", eid, "-o", str(export))
    assert code == 0, err
    assert "Electronically signed by Clinician" in export.read_text()  # the profile
    assert run(capsys, "audit", "verify")[0] == 0

    # Phrases that are really in this visit (so finding none of them below means something).
    planted = [LABEL, "Quartermaine"] + [w for w in KEY_WORDS if w in transcript]
    assert len(planted) >= 8 and "penicillin" in planted
    ws = Workspace.open(scribe_home, actor="test")  # the app is running: a write sits in the WAL
    # (a signed visit keeps its label: the write with patient text is an addendum)
    ws.store.add_addendum(eid, f"{LABEL} (follow-up)", "Dr. Ada Lovelace, MD", "I attest.")
    copy = tmp_path / "stolen-copy"
    shutil.copytree(scribe_home, copy)
    ws.close()
    files = [p for p in copy.rglob("*") if p.is_file()]
    assert any(p.suffix == ".wav" for p in files) and (copy / "scribe.db").is_file()
    assert (copy / "scribe.db-wal").stat().st_size > 0
    hits = []
    for p in files:
        raw = p.read_bytes()
        for phrase in planted:
            if re.search(re.escape(phrase.encode()), raw, re.IGNORECASE):
                hits.append((p.name, phrase))
        for name, head in HEADERS.items():
            if head.search(raw):
                hits.append((p.name, name))
    with capsys.disabled():
        print(f"\ngrep over {len(files)} files ({', '.join(sorted(p.name for p in files))}) "
              f"for {len(planted)} phrases and {len(HEADERS)} headers: {len(hits)} hits {hits}")
    assert hits == []

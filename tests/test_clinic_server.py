"""The clinic server (packaging/clinic-server/): start.sh brings up the real engines on loopback and
they answer what Scribe sends; its guard against a LAN address; the compose file's one open port.

The engines start once, in one test (a start costs 10-30 s on 2 cores, and pytest-xdist could
split a module's tests over two workers, starting them twice); its steps are what a clinic's IT
and Scribe would see: both URLs printed, a visit's words transcribed, a note streamed, and
nothing left listening after SIGTERM.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import socket
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
import soundfile as sf
import yaml

from scribe.remote.transcription import multipart
from tests.clinic_server import ROOT, START, free_port, get, start_clinic_server

HERE = ROOT / "packaging" / "clinic-server"
DATA = ROOT / "tests" / "data"


def connect(url: str) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)


def transcribe(url: str, filename: str, data: bytes, content_type: str) -> dict:
    """POST the form Scribe's client sends (scribe/remote/transcription.py)."""
    body, ctype = multipart([("model", "whisper-1"), ("response_format", "verbose_json"),
                             ("timestamp_granularities[]", "word"), ("language", "en"),
                             ("temperature", "0")], "file", filename, data, content_type)
    conn = connect(url)
    conn.request("POST", "/v1/audio/transcriptions", body, {"Content-Type": ctype})
    response = conn.getresponse()
    answer = response.read()
    assert response.status == 200, answer[:300]
    return json.loads(answer)


def stream_chat(url: str, model: str) -> tuple[str, list[dict]]:
    """A streamed chat completion: the response's content type and its SSE events."""
    payload = {"model": model, "stream": True, "max_tokens": 8, "temperature": 0,
               "messages": [{"role": "user", "content": "Write one sentence about a cough."}]}
    conn = connect(url)
    conn.request("POST", "/v1/chat/completions", json.dumps(payload),
                 {"Content-Type": "application/json", "Accept": "text/event-stream"})
    response = conn.getresponse()
    assert response.status == 200, response.read()[:300]
    events = []
    while line := response.readline():
        line = line.decode().strip()
        if line.startswith("data:") and line[5:].strip() != "[DONE]":
            events.append(json.loads(line[5:]))
    return response.getheader("Content-Type", ""), events


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


@pytest.mark.slow
def test_engines_serve_scribe_and_stop_on_sigterm(tmp_path, models_root):
    clip = json.loads((DATA / "clips.json").read_text())["hello.wav"]
    wav = (DATA / "hello.wav").read_bytes()
    with start_clinic_server(tmp_path, "tiny.en", "smollm2-135m", models=models_root) as server:
        # IT sees one line per engine, with the URL to give Scribe.
        printed = "\n".join(server.lines)
        assert re.search(rf"^transcription {re.escape(server.whisper_url)} ", printed, re.M)
        assert re.search(rf"^chat {re.escape(server.chat_url)} ", printed, re.M)

        # The chat engine answers to the catalog id (what Scribe's setting names).
        status, models = get(f"{server.chat_url}/v1/models")
        assert status == 200 and "smollm2-135m" in [m["id"] for m in models["data"]]

        # A committed clip, as WAV and as the FLAC Scribe sends: the words spoken come back, timed.
        answers = [transcribe(server.whisper_url, "hello.wav", wav, "audio/wav")]
        audio, rate = sf.read(DATA / "hello.wav", dtype="float32")
        flac = io.BytesIO()
        sf.write(flac, audio, rate, format="FLAC", subtype="PCM_16")
        answers.append(transcribe(server.whisper_url, "visit.flac", flac.getvalue(), "audio/flac"))
        for answer in answers:
            assert answer["task"] == "transcribe"
            assert answer["duration"] == pytest.approx(clip["duration_s"], abs=0.1)
            text = answer["text"].lower()
            missing = [w for w in clip["key_words"] if w not in text]
            assert not missing, f"not transcribed: {missing} in {answer['text']!r}"
            segments = answer["segments"]
            assert segments and all(0 <= s["start"] < s["end"] <= answer["duration"] + 0.5
                                    for s in segments)
            assert "".join(s["text"] for s in segments) == answer["text"]

        # A streamed chat completion: server-sent events, each a chunk, together some text.
        content_type, events = stream_chat(server.chat_url, "smollm2-135m")
        assert content_type.startswith("text/event-stream")
        assert len(events) >= 2 and all(e["object"] == "chat.completion.chunk" for e in events)
        pieces = [c["delta"].get("content") or "" for e in events for c in e["choices"]]
        assert "".join(pieces).strip()
        assert events[-1]["choices"][0]["finish_reason"] in ("length", "stop")

        # SIGTERM to the script alone (as systemd sends it) stops both engines.
        ports = [urlsplit(u).port for u in (server.whisper_url, server.chat_url)]
        rc = server.stop()
        assert rc == 143, server.output()
        assert all(refused(port) for port in ports)


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


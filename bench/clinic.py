"""Clinic server capacity: N simulated exam rooms sharing one clinic server, as the app uses it.

    python -m bench clinic [--rooms 1,2,4] [--clip WAV ...] [--speed 1]
                           [--whisper-model tiny.en] [--llm smollm2-135m]
                           [--whisper-url URL --chat-url URL]

Without URLs the bench starts ``packaging/clinic-server/start.sh`` on free loopback ports and stops
it at the end (also on Ctrl-C or an error: the script's whole process group). It talks only to this
machine: a non-loopback URL is refused before anything is contacted.

Each room is a thread (a workstation of its own in a clinic): it waits a seeded random stagger
within the first clip's length, "records" for the clip's length (a wait that uses no CPU), and at
Stop does what the app does with a clinic server configured: ``transcribe_visit`` (the
transcription request) then ``draft_transcript(…, "soap", …)`` with engine ``server`` (one chat
request per note section, then the fact checks on this machine). Rooms run N=1 first: its median
latency of each request is the baseline of the queue estimate at every N.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from bench._speech import table

REPO = Path(__file__).resolve().parents[1]
START_SH = REPO / "packaging" / "clinic-server" / "start.sh"
DEFAULT_CLIP = "tests/data/visit_short.wav"
MODELS = REPO / "bench" / "out" / "clinic-models"
RATE = 16000
TEMPLATE = "soap"
QUEUE_NOTE = ("queue est. = a request's latency minus the median latency of the same request "
              "(transcription, or the same note section) with 1 room in this run, floored at 0: "
              "an estimate of waiting plus slowdown from sharing the server")


# --- pure helpers (tested without a server) --------------------------------------------------

def parse_rooms(text: str) -> list[int]:
    """``"2,1,4"`` → ``[1, 2, 4]``: N=1 always runs first (it is the queue baseline)."""
    try:
        rooms = {int(x) for x in text.split(",") if x.strip()}
    except ValueError:
        raise argparse.ArgumentTypeError("--rooms takes whole numbers, e.g. 1,2,4") from None
    if not rooms or min(rooms) < 1:
        raise argparse.ArgumentTypeError("--rooms takes whole numbers of 1 or more, e.g. 1,2,4")
    return sorted(rooms | {1})


def refusal(*urls: str | None) -> str | None:
    """One sentence refusing the first URL that is not this machine, or None."""
    from scribe.remote import is_loopback

    for url in urls:
        if url is None:
            continue
        try:
            host = urlsplit(url).hostname or ""
        except ValueError:
            host = ""
        if not is_loopback(host):
            return (f"scribe bench clinic talks only to this machine, and {host or url} is not a "
                    "loopback address; nothing was contacted.")
    return None


def p50_p95(values: list[float]) -> tuple[float, float]:
    """The median and 95th percentile (numpy's linear interpolation); NaN when empty."""
    if not values:
        return float("nan"), float("nan")
    p50, p95 = np.percentile(np.asarray(values, dtype=float), [50, 95])
    return float(p50), float(p95)


def baseline(requests: list[tuple[str, float]]) -> dict[str, float]:
    """The median latency of each request key (``transcribe``, ``drafting:0``…)."""
    by_key: dict[str, list[float]] = collections.defaultdict(list)
    for key, latency in requests:
        by_key[key].append(latency)
    return {k: float(np.median(v)) for k, v in by_key.items()}


def queue_estimates(requests: list[tuple[str, float]], base: dict[str, float]) -> list[float]:
    """Each request's latency minus its N=1 median, floored at 0 (keys without a baseline are
    left out)."""
    return [max(0.0, latency - base[key]) for key, latency in requests if key in base]


def staggers(n: int, span_s: float, seed: int) -> list[float]:
    """When each of ``n`` rooms starts recording: uniform in [0, span_s), reproducible."""
    rng = random.Random(seed * 1009 + n)
    return [rng.uniform(0.0, span_s) for _ in range(n)]


def capacity(p95: dict[int, float], errors: dict[int, int]) -> int:
    """The most rooms whose Stop → draft p95 is at most twice N=1's, with no error (0: none)."""
    limit = 2 * p95.get(1, float("nan"))
    fits = [n for n in p95 if p95[n] <= limit and errors.get(n, 1) == 0]
    return max(fits, default=0)


# --- one room --------------------------------------------------------------------------------

@dataclass
class Visit:
    """What one room measured for one visit (seconds)."""

    room: int
    stop_to_draft: float = float("nan")
    requests: list[tuple[str, float]] = field(default_factory=list)  # (key, latency)
    tokens: list[int] = field(default_factory=list)  # streamed pieces of each chat request
    first: list[float] = field(default_factory=list)  # its seconds to the first piece
    fallbacks: list[str] = field(default_factory=list)  # the sentences the clinician saw
    error: str | None = None  # the visit itself failed

    @property
    def http_errors(self) -> int:
        return sum(bool(re.search(r"\(HTTP \d{3}\)", s)) for s in self.fallbacks)


class Timeline:
    """Timestamps the app's own hooks report during one visit's Stop work."""

    def __init__(self) -> None:
        self.starts: list[tuple[str, float]] = []  # (kind, when the request was announced)
        self.progress: list[float] = []
        self.notices: list[str] = []

    def on_request(self, kind: str, _host: str) -> None:
        self.starts.append((kind, time.perf_counter()))

    def on_progress(self, _fraction: float, _text: str) -> None:
        self.progress.append(time.perf_counter())

    def on_notice(self, sentence: str) -> None:
        self.notices.append(sentence)

    def drafting(self, end: float) -> list[tuple[str, float, int, float]]:
        """(``drafting:K``, latency, tokens, first token) per chat request, in seconds from its
        announcement. Each streamed piece is one progress report; the report after a request's
        pieces (the next section's heading, or the last one) marks its end, at once."""
        starts = [t for kind, t in self.starts if kind == "drafting"]
        out = []
        for k, t0 in enumerate(starts):
            t1 = starts[k + 1] if k + 1 < len(starts) else end
            seen = [t for t in self.progress if t0 < t <= t1]
            last = (seen[-1] if seen else t1) - t0
            first = seen[0] - t0 if len(seen) > 1 else last
            out.append((f"drafting:{k}", last, max(len(seen) - 1, 0), first))
        return out


def run_visit(room: int, audio: np.ndarray, engines, cancel) -> Visit:  # noqa: ANN001
    """Stop → transcript → draft, as the app's model lane runs it, timed."""
    from scribe.errors import Cancelled, ScribeError
    from scribe.visit.pipeline import draft_transcript, transcribe_visit

    visit = Visit(room)
    line = Timeline()
    engines = engines.with_(on_request=line.on_request, on_notice=line.on_notice)
    t_stop = time.perf_counter()
    try:
        transcript = transcribe_visit(audio, engines, cancel)
        t_transcribed = time.perf_counter()
        if line.starts and not line.notices:
            visit.requests.append(("transcribe", t_transcribed - line.starts[0][1]))
        failed_before = len(line.notices)
        draft_transcript(transcript, TEMPLATE, engines, cancel, line.on_progress)
        t_end = time.perf_counter()
        visit.stop_to_draft = t_end - t_stop
        if len(line.notices) == failed_before:  # a fallen-back draft's requests are not timed
            for key, latency, tokens, first in line.drafting(t_end):
                visit.requests.append((key, latency))
                visit.tokens.append(tokens)
                visit.first.append(first)
    except Cancelled:
        visit.error = "cancelled"
    except ScribeError as e:
        visit.error = e.message
    except Exception as e:  # noqa: BLE001 - a bench reports any failure in its table
        visit.error = type(e).__name__
    visit.fallbacks = list(line.notices)
    return visit


def run_rooms(n: int, clips: list[np.ndarray], engines, *, speed: float, seed: int,  # noqa: ANN001
              visits: int, cancel, stop: threading.Event) -> list[Visit]:
    """``n`` rooms at once, ``visits`` each, one after another in a room."""
    out: list[Visit] = []
    lock = threading.Lock()
    delays = staggers(n, len(clips[0]) / RATE, seed)

    def room(i: int) -> None:
        if stop.wait(delays[i] / speed):
            return
        for v in range(visits):
            audio = clips[(i + v * n) % len(clips)]
            if stop.wait(len(audio) / RATE / speed):  # recording: a wait, no CPU
                return
            visit = run_visit(i, audio, engines, cancel)
            with lock:
                out.append(visit)

    threads = [threading.Thread(target=room, args=(i,), name=f"room-{i}") for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        while t.is_alive():
            t.join(0.2)  # short joins keep Ctrl-C deliverable to the main thread
    return out


# --- the server ------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def healthy(base_url: str) -> bool:
    url = base_url.rstrip("/").removesuffix("/v1") + "/health"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


class ClinicProcess:
    """``start.sh`` in its own process group on loopback; :meth:`stop` ends the whole group."""

    def __init__(self, *, whisper_model: str, llm: str, models: Path) -> None:
        self.whisper_url = f"http://127.0.0.1:{free_port()}"
        self.chat_url = f"http://127.0.0.1:{free_port()}"
        self.lines: collections.deque[str] = collections.deque(maxlen=30)
        ports = [urlsplit(u).port for u in (self.whisper_url, self.chat_url)]
        cmd = ["bash", str(START_SH), "--host", "127.0.0.1", "--whisper-port", str(ports[0]),
               "--chat-port", str(ports[1]), "--whisper-model", whisper_model, "--llm", llm,
               "--models", str(models)]
        self.proc = subprocess.Popen(cmd, cwd=REPO, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, errors="replace", start_new_session=True)
        threading.Thread(target=self._drain, name="clinic-server-out", daemon=True).start()

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip())

    def wait_ready(self, timeout_s: float, stop: threading.Event) -> str | None:
        """None when both engines answer /health; else one sentence why not."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return (f"The clinic server script stopped before it was ready (exit "
                        f"{self.proc.returncode}); its last lines:\n  " + "\n  ".join(self.lines))
            if healthy(self.whisper_url) and healthy(self.chat_url):
                return None
            if stop.wait(1.0):
                return "Interrupted while the clinic server was starting."
        return f"The clinic server was not ready within {timeout_s:g} seconds."

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
            except ProcessLookupError:
                pass
        try:  # anything the script left behind in its group
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


class ServerCpu:
    """CPU time of the server's processes (psutil; absent → no figure)."""

    def __init__(self, root_pids: list[int]) -> None:
        try:
            import psutil
        except ImportError:
            psutil = None  # type: ignore[assignment]
        self.psutil = psutil
        self.roots = root_pids

    @classmethod
    def for_urls(cls, *urls: str) -> ServerCpu:
        """The processes listening on the URLs' loopback ports (when this user may see them)."""
        pids: list[int] = []
        try:
            import psutil

            ports = {urlsplit(u).port for u in urls}
            pids = sorted({c.pid for c in psutil.net_connections("tcp")
                           if c.pid and c.status == "LISTEN" and c.laddr and c.laddr.port in ports})
        except Exception:  # noqa: BLE001 - ImportError, AccessDenied: the column is left out
            pass
        return cls(pids)

    def seconds(self) -> float | None:
        if self.psutil is None or not self.roots:
            return None
        total, seen = 0.0, set()
        for pid in self.roots:
            try:
                root = self.psutil.Process(pid)
                procs = [root, *root.children(recursive=True)]
            except self.psutil.Error:
                continue
            for p in procs:
                if p.pid in seen:
                    continue
                seen.add(p.pid)
                try:
                    t = p.cpu_times()
                    total += t.user + t.system
                except self.psutil.Error:
                    continue
        return total


def settle(cpu: ServerCpu, stop: threading.Event, limit_s: float = 900.0) -> float:
    """Wait until the server's processes use under a tenth of a core (an abandoned generation
    from the last N finishes first, so each N starts on an idle server); the seconds waited."""
    t0 = time.perf_counter()
    last = cpu.seconds()
    while last is not None and time.perf_counter() - t0 < limit_s and not stop.wait(2.0):
        now = cpu.seconds()
        if now is None or now - last < 0.2:
            break
        last = now
    return time.perf_counter() - t0


def warm_up(engines, clip: np.ndarray) -> None:  # noqa: ANN001
    """One short visit outside every timing: the server loads its models (``transformers serve``
    loads at the first request) and this process its checks' lexicons."""
    from scribe.visit.pipeline import draft_transcript, transcribe_visit

    notices: list[str] = []
    engines = engines.with_(on_request=lambda _k, _h: None, on_notice=notices.append)
    draft_transcript(transcribe_visit(clip[: 8 * RATE], engines), TEMPLATE, engines)
    for sentence in notices:
        print(f"warm-up fell back: {sentence}")


def chat_model_name(wanted: str | None, llm: str, *, started: bool) -> str:
    """The model name the rooms ask the chat server for: ``--chat-model``; the LLM id when
    start.sh runs it (it serves the model under its catalog id); else none, and the app asks the
    server which it serves, as it does when IT names none."""
    return wanted or (llm if started else "")


# --- the report ------------------------------------------------------------------------------

def cell(pair: tuple[float, float]) -> str:
    return "-" if pair[0] != pair[0] else f"{pair[0]:.2f} / {pair[1]:.2f}"


def row(n: int, visits: list[Visit], base: dict[str, float], cpu: float | None,
        wall: float) -> list[object]:
    reqs = [r for v in visits for r in v.requests]
    tokens = [t for v in visits for t in v.tokens]
    first = [t for v in visits for t in v.first]
    errors = sum(v.error is not None for v in visits) + sum(v.http_errors for v in visits)
    fallbacks = sum(len(v.fallbacks) for v in visits)
    out: list[object] = [
        n, len(visits),
        cell(p50_p95([v.stop_to_draft for v in visits if v.error is None])),
        cell(p50_p95([t for k, t in reqs if k == "transcribe"])),
        cell(p50_p95([t for k, t in reqs if k.startswith("drafting")])),
        f"{np.median(tokens):.0f}" if tokens else "-",
        cell(p50_p95(first)),
        cell(p50_p95(queue_estimates(reqs, base))),
        f"{errors} / {fallbacks}",
        f"{wall:.0f}",
        f"{os.getloadavg()[0]:.1f}",
    ]
    if cpu is not None:
        out.append(f"{cpu:.0f}")
    return out


def headers(with_cpu: bool) -> list[str]:
    h = ["rooms", "visits", "Stop->draft p50/p95 (s)", "transcription req p50/p95 (s)",
         "drafting req p50/p95 (s)", "tokens/req p50", "1st token p50/p95 (s)",
         "queue est. p50/p95 (s)", "errors / fallbacks", "wall (s)", "load avg"]
    return h + [f"server CPU (% of {os.cpu_count()} cores)"] if with_cpu else h


def interrupted(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="scribe bench clinic", description=__doc__.splitlines()[0])
    p.add_argument("--rooms", type=parse_rooms, default=[1, 2, 4],
                   help="numbers of rooms at once, e.g. 1,2,4 (N=1 always runs first)")
    p.add_argument("--clip", nargs="+", default=[DEFAULT_CLIP], help="audio, cycled between rooms")
    p.add_argument("--visits", type=int, default=1, help="visits per room, one after another")
    p.add_argument("--speed", type=float, default=1.0,
                   help="recordings (and staggers) last clip length / SPEED; 1 = real time")
    p.add_argument("--seed", type=int, default=17, help="seed of the rooms' staggers")
    p.add_argument("--whisper-url", help="a running transcription server (loopback only)")
    p.add_argument("--chat-url", help="a running chat server (loopback only)")
    p.add_argument("--chat-model", help="the chat server's model name (default: with start.sh, "
                   "--llm; else the server's first, as the app asks)")
    p.add_argument("--whisper-model", default="tiny.en", help="for start.sh and local fallback")
    p.add_argument("--llm", default="smollm2-135m", help="catalog id of the LLM start.sh serves")
    p.add_argument("--models", type=Path, default=MODELS,
                   help="model store for start.sh and the rooms' local fallback (default: the "
                        "bench's own, so installing the LLM leaves the app's store as it is)")
    p.add_argument("--timeout", type=float, default=None,
                   help="seconds the app waits for the server (default: the app's setting)")
    p.add_argument("--start-timeout", type=float, default=600.0)
    args = p.parse_args(argv)
    args.models = args.models.expanduser().resolve()  # start.sh links into it from elsewhere
    if (args.whisper_url is None) != (args.chat_url is None):
        print("Give both --whisper-url and --chat-url, or neither to start the clinic server.",
              file=sys.stderr)
        return 2
    refused = refusal(args.whisper_url, args.chat_url)
    if refused:
        print(refused, file=sys.stderr)
        return 2
    if args.speed <= 0 or args.visits < 1:
        print("--speed must be above 0 and --visits at least 1.", file=sys.stderr)
        return 2
    from scribe.audio.files import load_audio

    clips = [load_audio(c) for c in args.clip]
    stop = threading.Event()
    # Ctrl-C and a kill both stop the server (SIGINT too: a background job inherits it ignored).
    previous = {sig: signal.signal(sig, interrupted) for sig in (signal.SIGINT, signal.SIGTERM)}
    t_run = time.perf_counter()
    server = None
    try:
        if args.whisper_url is None:
            if not START_SH.is_file():
                print(f"{START_SH.relative_to(REPO)} is missing; start the engines yourself and "
                      "give --whisper-url and --chat-url.", file=sys.stderr)
                return 1
            server = ClinicProcess(whisper_model=args.whisper_model, llm=args.llm,
                                   models=args.models)
            why = server.wait_ready(args.start_timeout, stop)
            for line in server.lines:
                if "http://" in line:
                    print(f"server: {line}")
            if why:
                print(why, file=sys.stderr)
                return 1
            whisper_url, chat_url = server.whisper_url, server.chat_url
            cpu = ServerCpu([server.proc.pid])
        else:
            whisper_url, chat_url = args.whisper_url, args.chat_url
            cpu = ServerCpu.for_urls(whisper_url, chat_url)
        return measure(args, clips, whisper_url, chat_url, cpu, stop, t_run)
    except KeyboardInterrupt:
        print("clinic: interrupted; the server is stopped.", file=sys.stderr)
        return 130
    finally:
        stop.set()
        if server is not None:
            server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def measure(args, clips: list[np.ndarray], whisper_url: str, chat_url: str,  # noqa: ANN001
            cpu: ServerCpu, stop: threading.Event, t_run: float) -> int:
    from scribe.cancel import CancelToken
    from scribe.remote import ClinicServer, Endpoint
    from scribe.store.settings import DEFAULTS, Setting
    from scribe.visit.engines import Engines
    from scribe.visit.server import SERVER_ENGINE

    timeout = args.timeout or float(DEFAULTS[Setting.SERVER_TIMEOUT_S])
    chat_model = chat_model_name(args.chat_model, args.llm, started=args.whisper_url is None)
    engines = Engines(
        model=args.whisper_model, engine=SERVER_ENGINE, label_speakers=False,
        models_root=args.models,
        server=ClinicServer(Endpoint(whisper_url, model="whisper-1", timeout_s=timeout),
                            Endpoint(chat_url, model=chat_model, timeout_s=timeout)))
    cancel = CancelToken()
    print(f"clinic: whisper {args.whisper_model} at {whisper_url}, chat "
          f"{chat_model or '(served)'} at {chat_url}; speed {args.speed:g}x; {len(clips)} "
          f"clip(s); seed {args.seed}")
    try:
        warm_up(engines, clips[0])
        rows, p95, errors, base = [], {}, {}, {}
        with_cpu = cpu.seconds() is not None
        for n in args.rooms:
            waited = settle(cpu, stop)
            print(f"N={n}: {n} room(s) recording (server idle after {waited:.0f} s)…", flush=True)
            c0, w0 = cpu.seconds(), time.perf_counter()
            visits = run_rooms(n, clips, engines, speed=args.speed, seed=args.seed,
                               visits=args.visits, cancel=cancel, stop=stop)
            c1, wall = cpu.seconds(), time.perf_counter() - w0
            if n == 1:
                base = baseline([r for v in visits for r in v.requests])
            share = None
            if with_cpu and c0 is not None and c1 is not None:
                share = 100 * (c1 - c0) / (wall * (os.cpu_count() or 1))
            rows.append(row(n, visits, base, share, wall))
            p95[n] = p50_p95([v.stop_to_draft for v in visits if v.error is None])[1]
            # a step that fell back is a server failure too: capacity needs neither
            errors[n] = sum(v.error is not None or bool(v.fallbacks) for v in visits)
            for v in visits:
                for s in v.fallbacks + ([v.error] if v.error else []):
                    print(f"  room {v.room}: {s}")
            print(table(headers(with_cpu), [rows[-1]]))
    except KeyboardInterrupt:
        cancel.cancel()
        raise
    print()
    print(f"all rooms; {QUEUE_NOTE}.")
    print("tokens/req: streamed pieces (about one token each) per chat request; 1st token: seconds "
          "from a chat request to its first piece (waiting and reading the prompt).")
    print("errors = failed visits + HTTP errors; fallbacks = steps the app moved to the "
          "workstation; server CPU over each N's wall time; load avg: 1 minute, at each N's end.")
    print(table(headers(with_cpu), rows))
    top = max(p95)
    print(f"clinic: rooms={capacity(p95, errors)} p95_1={p95[1]:.2f} p95_max={p95[top]:.2f}")
    ratios = ", ".join(f"N={n} {p95[n] / p95[1]:.2f}x" for n in args.rooms if n != 1)
    print(f"scaling: p95 Stop->draft vs N=1: {ratios or 'only N=1 ran'}; "
          f"wall {time.perf_counter() - t_run:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

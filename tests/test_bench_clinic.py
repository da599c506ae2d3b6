"""The clinic capacity bench's own logic, without a model or a server (bench/clinic.py)."""

from __future__ import annotations

import socket
import subprocess

import pytest

from bench import clinic


@pytest.fixture
def no_contact(monkeypatch):
    """Records every outgoing connection and process start instead of making it."""
    tried: list[object] = []

    def connect(_self, address):
        tried.append(address)
        raise OSError("the test forbids connections")

    def popen(*a, **_k):
        tried.append(a)
        raise OSError("the test forbids starting processes")

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect)
    monkeypatch.setattr(subprocess, "Popen", popen)
    return tried


@pytest.mark.parametrize("flag", ["--whisper-url", "--chat-url"])
@pytest.mark.parametrize("host", ["10.1.2.3", "scribe-gpu.clinic.lan", "192.168.0.7"])
def test_a_non_loopback_server_is_refused_before_anything_is_contacted(flag, host, no_contact,
                                                                        capsys):
    urls = {"--whisper-url": "http://127.0.0.1:8101", "--chat-url": "http://localhost:8102"}
    urls[flag] = f"http://{host}:8000"
    code = clinic.main(["--rooms", "1,2", *[x for kv in urls.items() for x in kv]])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert host in err and "not a loopback address" in err and "nothing was contacted" in err
    assert err.count(".") >= 1 and "\n" not in err  # one sentence, no traceback
    assert no_contact == []


def test_loopback_addresses_pass_the_check():
    assert clinic.refusal("http://127.0.0.1:8101", "http://localhost:8102/v1",
                          "http://[::1]:9") is None
    assert clinic.refusal("http://127.0.0.1:1", "https://example.org") is not None


def test_one_url_without_the_other_is_refused(no_contact, capsys):
    assert clinic.main(["--whisper-url", "http://127.0.0.1:8101"]) == 2
    assert "both --whisper-url and --chat-url" in capsys.readouterr().err
    assert no_contact == []


def test_percentiles_on_known_numbers():
    assert clinic.p50_p95([1.0, 2.0, 3.0, 4.0, 5.0]) == pytest.approx((3.0, 4.8))
    assert clinic.p50_p95([7.5]) == (7.5, 7.5)
    p50, p95 = clinic.p50_p95([])
    assert p50 != p50 and p95 != p95  # NaN: nothing measured, not zero


def test_queue_estimate_is_latency_minus_the_one_room_median_of_the_same_request():
    one_room = [("transcribe", 2.0), ("transcribe", 4.0), ("transcribe", 3.0),
                ("drafting:0", 10.0), ("drafting:1", 1.0)]
    base = clinic.baseline(one_room)
    assert base == {"transcribe": 3.0, "drafting:0": 10.0, "drafting:1": 1.0}
    crowded = [("transcribe", 5.5), ("drafting:0", 12.0), ("drafting:1", 0.5), ("drafting:9", 1.0)]
    # 0.5 s is faster than the baseline: no negative queue; drafting:9 has no baseline
    assert clinic.queue_estimates(crowded, base) == pytest.approx([2.5, 2.0, 0.0])


def test_the_stagger_is_reproducible_with_a_seed_and_within_the_clip():
    a = clinic.staggers(8, 38.0, seed=17)
    assert a == clinic.staggers(8, 38.0, seed=17)
    assert a != clinic.staggers(8, 38.0, seed=18)
    assert len(a) == 8 and all(0 <= s < 38.0 for s in a)
    assert len(set(a)) == 8


def test_rooms_always_start_with_one_room_as_the_baseline():
    assert clinic.parse_rooms("4,2") == [1, 2, 4]
    assert clinic.parse_rooms("1,2,4,8") == [1, 2, 4, 8]
    with pytest.raises(Exception, match="whole numbers"):
        clinic.parse_rooms("0,2")


def test_capacity_is_the_most_rooms_within_twice_the_one_room_p95_without_errors():
    p95 = {1: 10.0, 2: 14.0, 4: 19.9, 8: 45.0}
    assert clinic.capacity(p95, {1: 0, 2: 0, 4: 0, 8: 0}) == 4
    assert clinic.capacity(p95, {1: 0, 2: 0, 4: 1, 8: 0}) == 2
    assert clinic.capacity(p95, {1: 1, 2: 1, 4: 1, 8: 1}) == 0


def test_drafting_latency_runs_from_each_request_to_its_last_token():
    line = clinic.Timeline()
    line.starts = [("transcribe", 0.0), ("drafting", 10.0), ("drafting", 15.0)]
    line.progress = [9.9, 11.0, 14.0, 14.9, 16.0, 18.0]
    assert line.drafting(end=20.0) == [("drafting:0", pytest.approx(4.9), 2, pytest.approx(1.0)),
                                       ("drafting:1", pytest.approx(3.0), 1, pytest.approx(1.0))]

"""What runs behind the app's live text, by the machine (issue 13)."""

from __future__ import annotations

from types import SimpleNamespace

import scribe.visit.live as visit_live


def test_a_small_machine_gets_the_term_pass_behind_the_live_text(monkeypatch):
    monkeypatch.setattr(visit_live, "cpu_threads", lambda: 2)
    assert visit_live._background(SimpleNamespace(device="cpu")) == "terms"  # noqa: SLF001


def test_four_cores_or_a_gpu_get_the_full_pass(monkeypatch):
    monkeypatch.setattr(visit_live, "cpu_threads", lambda: 4)
    assert visit_live._background(SimpleNamespace(device="cpu")) is True  # noqa: SLF001
    monkeypatch.setattr(visit_live, "cpu_threads", lambda: 2)
    assert visit_live._background(SimpleNamespace(device="cuda")) is True  # noqa: SLF001

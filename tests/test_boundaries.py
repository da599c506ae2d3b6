"""The core and model packages never import Qt (checked in a fresh interpreter)."""

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "module",
    ["scribe.cli", "scribe.store.store", "scribe.visit.pipeline", "scribe.speech.transcriber", "scribe.drafting",
     "scribe.export.text", "models.store"],
)
def test_core_does_not_import_qt(module):
    code = (
        f"import importlib, sys; importlib.import_module('{module}'); "
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, f"{module} pulled in Qt: {result.stdout}{result.stderr}"

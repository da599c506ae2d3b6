"""A two-voice espeak-ng visit for the speaker tests (the clinician asks, the patient answers)."""

from __future__ import annotations

import importlib.util

import pytest

from bench._speaker_clips import Turn, have_espeak

needs_espeak = pytest.mark.skipif(not have_espeak(), reason="espeak-ng and sox are not installed")
# The encoder weights come from the Resemblyzer wheel (pip install 'scribe[speakers]').
needs_weights = pytest.mark.skipif(
    importlib.util.find_spec("resemblyzer") is None, reason="Resemblyzer is not installed"
)

# Voices Resemblyzer tells apart (cosine ~0.55 between them, ~0.95 within each).
VOICES = {"clinician": "en-us+edward", "patient": "en-us+f3"}
SCRIPT = [
    Turn("clinician", "Good morning. What brings you in today?"),
    Turn("patient", "I have had a cough for four days, and it keeps me up at night."),
    Turn("clinician", "Do you have any allergies to medications?"),
    Turn("patient", "Yes, I am allergic to penicillin. It gives me a rash."),
    Turn("clinician", "Any fever or shortness of breath?"),
    Turn("patient", "No fever. I get a little short of breath when I climb the stairs."),
    Turn("clinician", "Your lungs are clear. I think this is acute bronchitis."),
    Turn("patient", "Okay. Do I need antibiotics?"),
    Turn("clinician", "No. Rest, drink fluids, and come back in one week if it is not better."),
]

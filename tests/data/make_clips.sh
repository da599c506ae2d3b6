#!/usr/bin/env bash
# Regenerates the committed speech clips in tests/data/ with espeak-ng + sox.
# Doctor turns use voice A, patient turns voice B; 0.4 s of silence between turns.
# Output: 16 kHz mono 16-bit WAV. The scripts here must match tests/data/clips.json.
# ONLY=name.wav rebuilds just that clip (espeak-ng versions differ: leave the others as committed).
set -euo pipefail
cd "${OUT_DIR:-$(dirname "$0")}"

DOCTOR_VOICE="${DOCTOR_VOICE:-en-us}"
PATIENT_VOICE="${PATIENT_VOICE:-en-gb+f3}"
SPEED="${SPEED:-140}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# say <out.wav> <voice> <text>: one turn, resampled to 16 kHz mono 16-bit.
say() {
    espeak-ng -v "$2" -s "$SPEED" -w "$TMP/raw.wav" "$3"
    sox "$TMP/raw.wav" -r 16000 -c 1 -b 16 "$1"
}

# build <out.wav> <turn files...>: concatenates the turns with 0.4 s of silence between them.
build() {
    local out="$1"; shift
    sox -n -r 16000 -c 1 -b 16 "$TMP/gap.wav" trim 0 0.4
    local parts=()
    for f in "$@"; do parts+=("$f" "$TMP/gap.wav"); done
    unset 'parts[${#parts[@]}-1]'
    sox "${parts[@]}" -r 16000 -c 1 -b 16 "$out"
}

want() { [ -z "${ONLY:-}" ] || [ "$ONLY" = "$1" ]; }

# --- hello.wav: one voice, one sentence ---
if want hello.wav; then
say "$TMP/h1.wav" "$DOCTOR_VOICE" "The patient reports a headache since yesterday."
build hello.wav "$TMP/h1.wav"
fi

# --- visit_short.wav: a short visit (two voices close enough that only an enrolment tells them
# apart); visit_two_voices.wav: the same visit in two clearly different voices ---
short_visit() {
local out="$1" D="$2" P="$3"
n=0
turn() { n=$((n + 1)); say "$TMP/t$n.wav" "$1" "$2"; }
turn "$D" "Good morning. What brings you in today?"
turn "$P" "I have had a cough for four days, and it keeps me up at night."
turn "$D" "Do you have any allergies to medications?"
turn "$P" "Yes, I am allergic to penicillin. It gives me a rash."
turn "$D" "What medications do you take?"
turn "$P" "I take lisinopril, ten milligrams daily, for blood pressure."
turn "$D" "Your temperature is normal and your lungs are clear."
turn "$D" "You have acute bronchitis."
turn "$D" "Get plenty of rest, drink fluids, and follow up in one week."
turn "$P" "Thank you, doctor."
build "$out" $(for i in $(seq 1 "$n"); do echo "$TMP/t$i.wav"; done)
}
if want visit_short.wav; then short_visit visit_short.wav "$DOCTOR_VOICE" "$PATIENT_VOICE"; fi
if want visit_two_voices.wav; then short_visit visit_two_voices.wav en-us+edward en-us+f3; fi

# --- visit_es.wav: a patient speaking Spanish (a visit's language, issue 13) ---
spanish_visit() {
local out="$1" P="$2"
n=0
turn() { n=$((n + 1)); say "$TMP/t$n.wav" "$1" "$2"; }
turn "$P" "Buenos días, doctor."
turn "$P" "Me duele la cabeza y tengo mucho dolor de garganta."
build "$out" $(for i in $(seq 1 "$n"); do echo "$TMP/t$i.wav"; done)
}
if want visit_es.wav; then spanish_visit visit_es.wav es; fi

# --- drug_names.wav: drug names Whisper base mis-hears ("cleaned by my sin", "Noffron",
# "lives in Opel"), for the clinical-term pass (issue 13, scribe/speech/terms.py) ---
if want drug_names.wav; then
P="$PATIENT_VOICE"
n=0
turn() { n=$((n + 1)); say "$TMP/t$n.wav" "$1" "$2"; }
turn "$P" "My last doctor gave me clindamycin for the infection."
turn "$P" "I take Crestor and metformin, and Zofran for nausea."
turn "$P" "She takes furosemide and lisinopril every morning."
build drug_names.wav $(for i in $(seq 1 "$n"); do echo "$TMP/t$i.wav"; done)
fi

soxi -D ./*.wav

#!/usr/bin/env bash
# Starts the clinic server's two engines from Scribe's model store and keeps them in the foreground:
#   transcription  faster-whisper-server (OpenAI-style POST /v1/audio/transcriptions), speech model
#   chat           llama.cpp's llama-server when it is on PATH (the GGUF Scribe installs), else
#                  `transformers serve` on the same model (OpenAI POST /v1/chat/completions)
# Ctrl+C or SIGTERM stops both. Loopback only unless --allow-lan; see README.md beside this file.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
PYTHON="${PYTHON:-$REPO/.venv/bin/python}"

HOST="${CLINIC_SERVER_HOST:-127.0.0.1}"
WHISPER_PORT="${CLINIC_SERVER_WHISPER_PORT:-8101}"
CHAT_PORT="${CLINIC_SERVER_CHAT_PORT:-8102}"
WHISPER_MODEL="${CLINIC_SERVER_WHISPER_MODEL:-base}"
LLM="${CLINIC_SERVER_LLM:-}"
MODELS="${CLINIC_SERVER_MODELS:-}"
CHAT_ENGINE="${CLINIC_SERVER_CHAT_ENGINE:-auto}"
TIMEOUT="${CLINIC_SERVER_TIMEOUT:-300}"
ALLOW_LAN=0

usage() {
    cat <<EOF
Usage: $(basename "$0") [options]

  --host HOST            address both engines listen on (default 127.0.0.1)
  --allow-lan            allow a HOST other machines can reach (then put TLS in front)
  --whisper-port PORT    transcription engine's port (default 8101)
  --chat-port PORT       chat engine's port (default 8102)
  --whisper-model M      speech model: a catalog id (base, tiny.en, ...) or a model folder
                         (default base)
  --llm ID               drafting LLM's catalog id (default qwen2.5-coder-1.5b if installed,
                         else the smollm2-135m test fixture)
  --models DIR           Scribe's model store (default: the app's own, or \$SCRIBE_MODELS)
  --chat-engine E        auto (llama-server if on PATH, else transformers), llama, transformers
  --timeout S            seconds each engine may take to answer (default 300)

Each option may also come from the environment: CLINIC_SERVER_HOST, CLINIC_SERVER_WHISPER_PORT,
CLINIC_SERVER_CHAT_PORT, CLINIC_SERVER_WHISPER_MODEL, CLINIC_SERVER_LLM, CLINIC_SERVER_MODELS,
CLINIC_SERVER_CHAT_ENGINE, CLINIC_SERVER_TIMEOUT. PYTHON is the interpreter (default the
checkout's .venv). llama-server reads its own LLAMA_ARG_* variables and LLAMA_API_KEY.
EOF
}

die() { echo "start.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
    opt="$1"
    case "$opt" in
        --*=*) set -- "${opt%%=*}" "${opt#*=}" "${@:2}"; continue ;;
    esac
    case "$opt" in
        -h|--help) usage; exit 0 ;;
        --allow-lan) ALLOW_LAN=1; shift; continue ;;
        --host|--whisper-port|--chat-port|--whisper-model|--llm|--models|--chat-engine|--timeout)
            [ $# -ge 2 ] || die "$opt needs a value."
            value="$2"; shift 2 ;;
        *) die "unknown option $opt (see --help)." ;;
    esac
    case "$opt" in
        --host) HOST="$value" ;;
        --whisper-port) WHISPER_PORT="$value" ;;
        --chat-port) CHAT_PORT="$value" ;;
        --whisper-model) WHISPER_MODEL="$value" ;;
        --llm) LLM="$value" ;;
        --models) MODELS="$value" ;;
        --chat-engine) CHAT_ENGINE="$value" ;;
        --timeout) TIMEOUT="$value" ;;
    esac
done

for port in "$WHISPER_PORT" "$CHAT_PORT"; do
    if ! [[ "$port" =~ ^[0-9]+$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
        die "$port is not a port number (1-65535)."
    fi
done
[ "$WHISPER_PORT" != "$CHAT_PORT" ] || die "the two engines need two different ports."

is_loopback() {
    [[ "$1" == "localhost" || "$1" == "::1" || "$1" == "[::1]" ]] && return 0
    [[ "$1" =~ ^127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]]
}

if ! is_loopback "$HOST"; then
    if [ "$ALLOW_LAN" != 1 ]; then
        die "refusing to listen on $HOST, which other machines can reach: the engines speak plain" \
            "http. Put a TLS reverse proxy in front (compose.yaml has one) and pass --allow-lan" \
            "to mean it; Scribe refuses plain http to anything but loopback."
    fi
    echo "start.sh: listening on $HOST over plain http: put TLS in front (a reverse proxy with" \
         "the clinic's certificate, as in compose.yaml); Scribe refuses plain http to anything" \
         "but loopback." >&2
fi

case "$CHAT_ENGINE" in
    auto) if command -v llama-server >/dev/null 2>&1; then CHAT_ENGINE=llama; else
              CHAT_ENGINE=transformers; fi ;;
    llama) command -v llama-server >/dev/null 2>&1 \
               || die "llama-server is not on PATH; install llama.cpp, or use" \
                      "--chat-engine transformers." ;;
    transformers) ;;
    *) die "--chat-engine must be auto, llama or transformers." ;;
esac
[ -x "$PYTHON" ] || command -v "$PYTHON" >/dev/null 2>&1 \
    || die "no Python at $PYTHON: run 'make clinic-server', or set PYTHON."

# The address to check health on (a wildcard bind answers on loopback), and the one to print.
case "$HOST" in
    0.0.0.0) CHECK_HOST=127.0.0.1 ;;
    ::|"[::]") CHECK_HOST="[::1]" ;;
    *:*) CHECK_HOST="[${HOST#[}"; CHECK_HOST="${CHECK_HOST%]}]" ;;
    *) CHECK_HOST="$HOST" ;;
esac
SHOW_HOST="$CHECK_HOST"
[ "$HOST" = 0.0.0.0 ] && SHOW_HOST="$HOST"

"$PYTHON" "$HERE/prepare.py" ports --host "$HOST" --whisper-port "$WHISPER_PORT" \
    --chat-port "$CHAT_PORT" || exit 2

RUN="$(mktemp -d "${TMPDIR:-/tmp}/scribe-clinic-server.XXXXXX")"
PIDS=()
HELPER=""

# Run prepare.py in the background and wait for it, so that a signal stops it at once (bash runs a
# trap only after a foreground command ends) and cleanup can stop it too.
helper() {
    local rc=0
    "$PYTHON" "$HERE/prepare.py" "$@" &
    HELPER=$!
    wait "$HELPER" || rc=$?
    HELPER=""
    return "$rc"
}

# Stop both engines: SIGTERM, 5 seconds to finish, then SIGKILL; no process is left behind.
# shellcheck disable=SC2317  # run by the traps below
cleanup() {
    trap - INT TERM HUP EXIT
    local pid alive _
    if [ -n "$HELPER" ]; then kill -TERM "$HELPER" 2>/dev/null || true; fi
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for _ in $(seq 50); do
        alive=0
        for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ "$alive" = 0 ] && break
        sleep 0.1
    done
    for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$RUN"
}
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
trap 'cleanup; exit 129' HUP
trap cleanup EXIT

rc=0
helper models --run-dir "$RUN" --whisper-model "$WHISPER_MODEL" --llm "$LLM" --models "$MODELS" \
    --chat-engine "$CHAT_ENGINE" > "$RUN/models.env" || rc=$?
[ "$rc" = 0 ] || exit "$rc"
while IFS='=' read -r key value; do
    case "$key" in
        WHISPER_CONFIG|WHISPER_MODEL_DIR|WHISPER_SERVED|WHISPER_DEVICE|LLM_ID|LLM_GGUF\
        |LLM_SERVED_DIR)
            printf -v "$key" '%s' "$value" ;;
    esac
done < "$RUN/models.env"

export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1
T0="${EPOCHREALTIME:-$(date +%s)}"

"$PYTHON" -m faster_whisper_server --config "$WHISPER_CONFIG" --host "$HOST" \
    --port "$WHISPER_PORT" --log-level warning &
WHISPER_PID=$!
PIDS+=("$WHISPER_PID")

if [ "$CHAT_ENGINE" = llama ]; then
    CHAT_WHAT="llama-server"
    llama-server -m "$LLM_GGUF" --alias "$LLM_ID" --host "$HOST" --port "$CHAT_PORT" &
else
    CHAT_WHAT="transformers serve"
    # Run from the folder holding the link named after the model's id (prepare.py), so the
    # server's model is called '$LLM_ID'.
    (cd "$LLM_SERVED_DIR" && exec "$PYTHON" -m transformers.cli.transformers serve "$LLM_ID" \
        --host "$HOST" --port "$CHAT_PORT") &
fi
CHAT_PID=$!
PIDS+=("$CHAT_PID")

helper wait --name transcription --pid "$WHISPER_PID" --since "$T0" --timeout "$TIMEOUT" \
    --url "http://$CHECK_HOST:$WHISPER_PORT/health" \
    --warm-up "http://$CHECK_HOST:$WHISPER_PORT/v1/audio/transcriptions" > "$RUN/whisper.ready" \
    || exit 1
helper wait --name chat --pid "$CHAT_PID" --since "$T0" --timeout "$TIMEOUT" \
    --url "http://$CHECK_HOST:$CHAT_PORT/health" > "$RUN/chat.ready" || exit 1

for pid in "${PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null || { echo "start.sh: an engine stopped while starting." >&2; exit 1; }
done

echo "transcription http://$SHOW_HOST:$WHISPER_PORT  faster-whisper-server," \
     "model $(basename "$WHISPER_MODEL_DIR") served as '$WHISPER_SERVED', $WHISPER_DEVICE," \
     "ready in $(cat "$RUN/whisper.ready") s"
echo "chat http://$SHOW_HOST:$CHAT_PORT  $CHAT_WHAT, model '$LLM_ID', ready in" \
     "$(cat "$RUN/chat.ready") s"
echo "Both engines are up; Ctrl+C stops them."

rc=0
wait -n "${PIDS[@]}" || rc=$?
for pid in "${PIDS[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null; then
        name=chat
        [ "$pid" = "$WHISPER_PID" ] && name=transcription
        echo "start.sh: the $name engine stopped (exit status $rc); stopping the other." >&2
    fi
done
exit 1

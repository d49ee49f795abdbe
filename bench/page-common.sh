# bench/page-common.sh -- sourced by the page benchmarks (page.sh, page-pairs.sh,
# browser-read.sh, browser-wasm.sh): the repository as working directory, where their inputs
# are, and the steps they share.
#   ROOT  the repository          OUT  target/bench          LOG  the 200 MB generated log
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
OUT="$ROOT/target/bench"
LOG="$OUT/mail-200m.log"
mkdir -p "$OUT"

# Exits unless the generated log is there (page.sh makes it).
need_log() {
  [ -s "$LOG" ] || { echo "error: $LOG missing (run bench/page.sh once)" >&2; exit 1; }
}

# Exits unless the page is built (page.sh builds it).
need_page() {
  [ -s www/pkg/mailrep_web_bg.wasm ] || { echo "error: the page is not built (scripts/build-www)" >&2; exit 1; }
}

# Sets MAILREP_BIN: as given, else the release CLI, built (fat LTO: minutes here).
native_cli() {
  MAILREP_BIN=${MAILREP_BIN:-}
  if [ -z "$MAILREP_BIN" ]; then
    cargo build --release -p mailrep --locked --quiet
    MAILREP_BIN=target/release/mailrep
  fi
}

# serve DIR [LOGFILE]: python3's http.server for DIR on a free 127.0.0.1 port, stopped when the
# script exits; sets `port`.
serve() {
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  python3 -m http.server --bind 127.0.0.1 --directory "$1" "$port" > "${2:-/dev/null}" 2>&1 &
  server=$!
  trap 'kill $server 2>/dev/null || true' EXIT
  sleep 0.5
}

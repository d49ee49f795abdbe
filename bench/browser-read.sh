#!/usr/bin/env bash
# bench/browser-read.sh -- what Chromium's own reading of a dropped file costs, without any
# analysis: the 200 MB generated log read in a worker by File.stream() (BYOB, as www/app/
# reader.js), File.slice().arrayBuffer() and File.arrayBuffer(), with the CPU time of
# Chromium's threads during each read. The page's analysis shares the machine's cores with
# this reading (BENCHMARKS.md "Session 10"). A benchmark, not a test: it asserts nothing.
#
# usage: bench/browser-read.sh [ROUNDS]   (default 3)
# Expects target/bench/mail-200m.log (bench/page.sh makes it) and tests/browser/node_modules
# (tests/browser/run installs it).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
LOG="$ROOT/target/bench/mail-200m.log"
[ -s "$LOG" ] || { echo "error: $LOG missing (run bench/page.sh once)" >&2; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory bench/browser-read "$port" > /dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
sleep 0.5
BASE_URL="http://127.0.0.1:$port/" LOG="$LOG" ROUNDS="${1:-3}" node bench/browser-read.mjs
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
